"""Hot-reload trigger: watches the exhibit and content folders and debounces edit storms.

The app calls poll() every frame; True means "files settled after a change: reload now".
Operators and sync tools publish content by swapping a folder (delete and recreate, rename
over, re-point a symlink), and inotify watches stay on the old folder, so a follower thread
checks which folder each path names and moves the watch when that changes.
"""

from __future__ import annotations

import errno
import logging
import os
import stat
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch

log = logging.getLogger(__name__)

# Quiet time after the last event before poll() reports: an editor's save or a copy of a
# few images is a burst of events milliseconds apart, and one reload should cover it.
DEBOUNCE_S = 0.25
# A storm that never settles (a file rewritten continuously) still reloads this often.
MAX_DELAY_S = 2.0
# How often the follower thread asks which folder each path names (os.stat and realpath,
# a few microseconds per path, off the display thread). inotify reports nothing when a
# watched folder is renamed away or a symlink above it is re-pointed, so this bounds how
# long a swap goes unseen: worst case IDENTITY_CHECK_S + DEBOUNCE_S (0.5 s) plus the new
# watch's set-up, inside the one second operators are promised.
IDENTITY_CHECK_S = 0.25

# Opening or reading a file is not a change (and the library's own reads must not retrigger).
_CHANGE_EVENTS = frozenset({"created", "modified", "deleted", "moved", "closed"})


@dataclass(frozen=True)
class _Identity:
    """Which folder a path names: the same inode at the same place."""

    device: int
    inode: int
    realpath: str


def _identity_of(path: Path) -> _Identity | None:
    """The folder the path names now (following symlinks), or None when there is none."""
    try:
        real = os.path.realpath(path)
        st = os.stat(real)
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode):
        return None
    return _Identity(st.st_dev, st.st_ino, real)


class _Handler(FileSystemEventHandler):
    """Events of one watch: any change is reported; losing the watched folder itself asks
    for a re-check at once instead of at the next interval."""

    def __init__(self, root: str, changed: Callable[[], None], root_deleted: Callable[[], None]):
        self._root = root
        self._changed = changed
        self._root_deleted = root_deleted

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type not in _CHANGE_EVENTS:
            return
        if event.event_type == "deleted" and event.src_path == self._root:
            # The watch died with its folder. A folder recreated at once usually gets the
            # same inode back (ext4 reused it 50 times out of 50), so identity alone misses it.
            self._root_deleted()
        self._changed()


class _Folder:
    """One watched path: the folder it named when last checked and the watch on that folder.

    Only the follower thread (or start(), before the follower runs) touches these fields.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.identity: _Identity | None = None
        self.watch: ObservedWatch | None = None
        self.handler: _Handler | None = None


class ContentWatcher:
    """Reports, once, that files changed and then stayed quiet for debounce_s.

    A storm of events that never settles still reports after max_delay_s, so a file that
    is rewritten continuously cannot block reloads forever. A watched folder that is
    deleted, recreated, swapped by rename, replaced by a symlink, or missing at start is
    followed: its new content is watched and reported as a change.
    """

    def __init__(
        self,
        paths: list[Path],
        debounce_s: float = DEBOUNCE_S,
        *,
        max_delay_s: float = MAX_DELAY_S,
        clock: Callable[[], float] = time.monotonic,
        identity_check_s: float = IDENTITY_CHECK_S,
    ) -> None:
        self._folders = [_Folder(Path(p)) for p in paths]
        self._debounce_s = debounce_s
        self._max_delay_s = max(max_delay_s, debounce_s)
        self._clock = clock
        self._identity_check_s = identity_check_s
        self._lock = threading.Lock()
        self._first_event: float | None = None
        self._last_event = 0.0
        self._observer: BaseObserver | None = None
        self._follower: threading.Thread | None = None
        self._wake = threading.Event()
        self._stopping = False
        self._recheck: set[_Folder] = set()  # folders whose watched root was deleted

    def start(self) -> ContentWatcher:
        """Start watching (recursively); a folder that does not exist yet is picked up
        when it appears."""
        if self._observer is not None:
            return self
        observer = Observer()
        observer.daemon = True
        observer.start()
        self._observer = observer
        self._stopping = False
        for folder in self._folders:
            self._follow(observer, folder, force=False, report=False)
            if folder.identity is None:
                log.warning("not watching %s yet: folder not found (it is picked up when it "
                            "appears)", folder.path)
        self._follower = threading.Thread(
            target=self._follow_loop, args=(observer,), name="content-follower", daemon=True
        )
        self._follower.start()
        return self

    def close(self) -> None:
        """Stop the follower and observer threads and wait for them."""
        observer, self._observer = self._observer, None
        follower, self._follower = self._follower, None
        if follower is not None:
            self._stopping = True
            self._wake.set()
            follower.join(timeout=5.0)
        if observer is not None:
            observer.stop()
            observer.join(timeout=5.0)
        for folder in self._folders:
            folder.identity = folder.watch = folder.handler = None

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
        """True once when changes happened and then nothing for debounce_s.

        Called every frame on the display thread, so it only takes a lock and compares
        times; every file system call happens on the watchdog and follower threads.
        """
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

    def _request_recheck(self, folder: _Folder) -> None:
        with self._lock:
            self._recheck.add(folder)
        self._wake.set()

    def _follow_loop(self, observer: BaseObserver) -> None:
        """Follower thread: every identity_check_s (or at once when asked), move each watch
        to the folder its path names now."""
        while True:
            self._wake.wait(self._identity_check_s)
            self._wake.clear()
            if self._stopping:
                return
            with self._lock:
                recheck, self._recheck = self._recheck, set()
            for folder in self._folders:
                try:
                    self._follow(observer, folder, force=folder in recheck)
                except Exception:  # the follower must outlive any one bad check
                    log.exception("could not re-check %s; trying again", folder.path)

    def _follow(
        self, observer: BaseObserver, folder: _Folder, *, force: bool, report: bool = True
    ) -> None:
        """Watch the folder the path names now; when that is a different folder than before
        (or force says the old one was deleted), report a change."""
        identity = _identity_of(folder.path)
        if identity == folder.identity and not force:
            return
        self._unwatch(observer, folder)
        folder.identity = identity
        if identity is not None:
            handler = _Handler(
                identity.realpath, self.mark_changed, lambda: self._request_recheck(folder)
            )
            try:
                # The real folder, not the path: watchdog would watch a symlink itself, and
                # a re-pointed symlink gets a watch of its own.
                folder.watch = observer.schedule(handler, identity.realpath, recursive=True)
                folder.handler = handler
            except FileNotFoundError:
                folder.identity = None  # gone since the check: the next check sees what came
            except OSError as exc:
                # Not retried until the folder changes again: the cause (most often the
                # inotify watch limit) needs an operator, and a retry every check would flood
                # the log. Reloads still happen; only live updates of this folder stop.
                hint = (" (raise the sysctl fs.inotify.max_user_watches)"
                        if exc.errno == errno.ENOSPC else "")
                log.warning("cannot watch %s: %s%s; edits there are not picked up until the "
                            "folder is replaced or the kiosk restarts",
                            identity.realpath, exc.strerror or exc, hint)
        if not report:
            return
        if identity is None:
            log.info("%s is gone; reloading, and watching for it to come back", folder.path)
        else:
            log.info("%s now names %s (inode %d): watching it", folder.path, identity.realpath,
                     identity.inode)
        # Only after the new watch is in place, so the reload this triggers sees everything
        # that is there now and the watch sees everything that comes after.
        self.mark_changed()

    def _unwatch(self, observer: BaseObserver, folder: _Folder) -> None:
        watch, handler = folder.watch, folder.handler
        folder.watch = folder.handler = None
        if watch is None or handler is None:
            return
        if any(other.watch == watch for other in self._folders):
            # Two paths name the same folder and share watchdog's watch: keep it for the other.
            observer.remove_handler_for_watch(handler, watch)
        else:
            observer.unschedule(watch)
