"""A JSON status file for operators and monitoring scripts (`kiosk service status` prints it).

Rewritten atomically (temp file in the same folder + os.replace), so a reader never sees half
a file, and at most every `interval_s` seconds. It holds anonymous counters only: no images,
no landmarks, nothing about a visitor's face. It must not live in the exhibit or content
folders (the hot-reload watcher would see every write).
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from kiosk.config import OpsConfig
from kiosk.ops import Health

log = logging.getLogger(__name__)

STATUS_SCHEMA_VERSION = 1
DEFAULT_INTERVAL_S = OpsConfig().status_interval_s  # config.yaml's default
CLOSE_WAIT_S = 5.0  # how long stopping waits for the status thread's last write


class StatusWriter:
    """Writes Health snapshots to `path`; see maybe_write() for the per-tick call."""

    def __init__(
        self,
        path: Path,
        interval_s: float = DEFAULT_INTERVAL_S,
        forbidden_dirs: Iterable[Path] = (),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = Path(path).absolute()
        for folder in forbidden_dirs:
            if self.path.is_relative_to(Path(folder).absolute()):
                raise ValueError(
                    f"the status file {self.path} is inside {folder}; put it outside the "
                    "exhibit and content folders (default: var/status.json)"
                )
        self.interval_s = interval_s
        self._clock = clock
        self._started = clock()
        self._last_write: float | None = None
        self._failed = False

    def maybe_write(self, health: Health, now: float | None = None) -> bool:
        """Write if `interval_s` has passed since the last write; True if written."""
        now = self._clock() if now is None else now
        if self._last_write is not None and now - self._last_write < self.interval_s:
            return False
        return self.write(health, now)

    def write(self, health: Health, now: float | None = None) -> bool:
        """Write now (e.g. at shutdown). Never raises: a full disk must not stop the kiosk."""
        now = self._clock() if now is None else now
        data = status_document(health, uptime_s=now - self._started)
        self._last_write = now
        try:
            write_atomic(self.path, json.dumps(data, indent=2) + "\n")
        except OSError as exc:
            if not self._failed:
                log.warning("cannot write the status file %s: %s", self.path, exc)
            self._failed = True
            return False
        self._failed = False
        return True


class StatusThread:
    """Writes the status file on a thread of its own: the display loop hands over its latest
    snapshot (`offer`) and never waits for the disk (a write took 10-18 ms on a busy machine:
    a dropped frame every few seconds, on the thread that should only draw)."""

    def __init__(self, writer: StatusWriter) -> None:
        self.writer = writer
        self._pending: tuple[Health, float] | None = None
        self._closed = False
        self._final: Health | None = None
        self._wake = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="status-writer", daemon=True)
        self._thread.start()

    def offer(self, health: Health, now: float) -> None:
        """The snapshot to write if the writer's interval has passed (a newer one replaces a
        snapshot not yet written)."""
        with self._wake:
            self._pending = (health, now)
            self._wake.notify()

    def close(self, final: Health | None = None) -> None:
        """Stop the thread once it has written `final` (if any, regardless of the interval, e.g.
        at shutdown; else what was offered last, if its interval has passed). The thread writes
        it, never two threads at once: a write still under way when the wait ends is logged."""
        with self._wake:
            self._closed = True
            self._final = final
            self._wake.notify()
        self._thread.join(timeout=CLOSE_WAIT_S)
        if self._thread.is_alive():
            log.warning(
                "the status file %s was still being written after %.0f s: it may show an "
                "earlier state", self.writer.path, CLOSE_WAIT_S,
            )  # fmt: skip

    def _run(self) -> None:
        while True:
            with self._wake:
                while self._pending is None and not self._closed:
                    self._wake.wait()
                job, self._pending = self._pending, None
                closed, final = self._closed, self._final
            if closed and final is not None:
                self._guarded(self.writer.write, final)  # newer than anything offered
            elif job is not None:
                self._guarded(self.writer.maybe_write, *job)
            if closed:
                return

    @staticmethod
    def _guarded(write: Callable[..., bool], *args: object) -> None:
        try:
            write(*args)
        except Exception:  # a bug, not a full disk (write() handles those): keep writing
            log.exception("the status file could not be written")


def status_document(health: Health, uptime_s: float) -> dict:
    """The file's content: a fixed set of anonymous fields."""
    frame = health.stages.get("frame", {})
    return {
        "schema_version": STATUS_SCHEMA_VERSION,
        "updated": _iso(time.time()),
        "pid": os.getpid(),
        "uptime_s": round(uptime_s, 1),
        "mode": health.mode,
        "asleep": health.asleep,
        "fps": round(float(health.fps), 2),
        "frame_ms_median": frame.get("median_ms"),
        "camera_state": health.camera_state,
        "exhibits": list(health.exhibit_ids),
        "current_exhibit": health.current_exhibit,
        "problems": int(health.problems),
        "rss_bytes": rss_bytes(),
        "last_reload": _iso(health.last_reload) if health.last_reload is not None else None,
    }


def read_status(path: Path) -> dict | None:
    """The status file's content, or None if it is missing or unreadable."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def rss_bytes() -> int | None:
    """Current resident memory of this process (Linux /proc), or None where unavailable."""
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            resident_pages = int(f.read().split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return resident_pages * os.sysconf("SC_PAGE_SIZE")


def write_atomic(path: Path, text: str) -> None:
    """Replace `path` with `text` so that a reader sees the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; monitoring users may read it
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _iso(wall: float) -> str:
    return datetime.fromtimestamp(wall).astimezone().isoformat(timespec="seconds")
