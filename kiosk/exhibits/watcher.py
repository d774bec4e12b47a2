"""Hot-reload trigger: watches the exhibit and content folders and debounces edit storms.

The app calls poll() every frame; True means "files settled after a change: reload now".
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

log = logging.getLogger(__name__)

# Opening or reading a file is not a change (and the library's own reads must not retrigger).
_CHANGE_EVENTS = frozenset({"created", "modified", "deleted", "moved", "closed"})


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: ContentWatcher) -> None:
        self._watcher = watcher

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in _CHANGE_EVENTS:
            self._watcher.mark_changed()


class ContentWatcher:
    """Reports, once, that files changed and then stayed quiet for debounce_s.

    A storm of events that never settles still reports after max_delay_s, so a file that
    is rewritten continuously cannot block reloads forever.
    """

    def __init__(
        self,
        paths: list[Path],
        debounce_s: float = 0.25,
        *,
        max_delay_s: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._paths = [Path(p) for p in paths]
        self._debounce_s = debounce_s
        self._max_delay_s = max(max_delay_s, debounce_s)
        self._clock = clock
        self._lock = threading.Lock()
        self._first_event: float | None = None
        self._last_event = 0.0
        self._observer: Observer | None = None

    def start(self) -> ContentWatcher:
        """Start watching (recursively); folders that do not exist are skipped with a warning."""
        if self._observer is not None:
            return self
        observer = Observer()
        handler = _Handler(self)
        for path in self._paths:
            if path.is_dir():
                observer.schedule(handler, str(path), recursive=True)
            else:
                log.warning("not watching %s: folder not found", path)
        observer.daemon = True
        observer.start()
        self._observer = observer
        return self

    def close(self) -> None:
        """Stop the observer thread and wait for it."""
        observer, self._observer = self._observer, None
        if observer is not None:
            observer.stop()
            observer.join(timeout=5.0)

    def __enter__(self) -> ContentWatcher:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def mark_changed(self, now: float | None = None) -> None:
        """Record a change (called from the watchdog thread, or by tests and the app)."""
        now = self._clock() if now is None else now
        with self._lock:
            if self._first_event is None:
                self._first_event = now
            self._last_event = now

    def poll(self, now: float | None = None) -> bool:
        """True once when changes happened and then nothing for debounce_s."""
        now = self._clock() if now is None else now
        with self._lock:
            if self._first_event is None:
                return False
            settled = now - self._last_event >= self._debounce_s
            overdue = now - self._first_event >= self._max_delay_s
            if settled or overdue:
                self._first_event = None
                return True
            return False
