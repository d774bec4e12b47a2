"""Camera sources: one capture thread per source, newest frame wins.

Every source runs a daemon thread that keeps only the most recent frame; consumers call
`latest()` (never blocks) or `wait_next()` (blocks up to a timeout for a newer frame).
A source that cannot open or stops delivering is reopened with exponential backoff, and
`status()` reports it as "failed" or "stale" so the app can show it to operators.

Frames live in memory only: nothing here writes, logs or sends image data. Reading video
files and normalising images is in kiosk.camera.decode, the test pattern in kiosk.camera.pattern,
the waits' schedules in kiosk.camera.waits.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import cv2
import numpy as np

# The `as` names are re-exported: offline rendering, the bench and kiosk.camera import them here.
from kiosk.camera.decode import DEFAULT_VIDEO_FPS, CaptureLike, file_fps, open_video, to_bgr
from kiosk.camera.decode import iter_video_frames as iter_video_frames
from kiosk.camera.frame import Frame
from kiosk.camera.pattern import SyntheticMotion as SyntheticMotion
from kiosk.camera.pattern import compose_pattern, render_pattern
from kiosk.camera.pattern import synthetic_motion as synthetic_motion
from kiosk.camera.waits import Backoff, Clock, Pacer

log = logging.getLogger(__name__)

State = Literal["opening", "running", "stale", "failed", "closed"]

BACKOFF_START_S = 0.5
BACKOFF_MAX_S = 2.0  # the worst wait after a camera comes back; retrying is cheap
_JOIN_TIMEOUT_S = 5.0


@dataclass(frozen=True, slots=True)
class SourceStatus:
    """A snapshot of a source's health, for the curator overlay and metrics."""

    state: State
    frames_captured: int
    last_frame_age_s: float | None  # None until the first frame
    last_error: str = ""


class FrameSource:
    """Base class: owns the capture thread, the newest frame and the reopen/backoff logic.

    Subclasses implement `_open()` (raise on failure), `_read()` (return a BGR image, or None
    when the capture failed and must be reopened; may block or pace itself with
    `self._stop.wait`) and `_release()`. `_read()` may raise `EndOfStream` to stop cleanly.
    """

    # True for live cameras: a bit-identical repeat of the newest image is a frozen driver.
    repeats_mean_frozen = False

    def __init__(
        self,
        *,
        name: str,
        stale_after_s: float = 2.0,
        clock: Clock = time.monotonic,
        backoff_start_s: float = BACKOFF_START_S,
        backoff_max_s: float = BACKOFF_MAX_S,
    ) -> None:
        if stale_after_s <= 0:
            raise ValueError(f"stale_after_s must be > 0, got {stale_after_s}")
        self.name = name
        self.stale_after_s = stale_after_s
        self._clock = clock
        self.backoff = Backoff(backoff_start_s, backoff_max_s)  # its schedule is public
        self._stop = threading.Event()
        self._cond = threading.Condition()
        self._frame: Frame | None = None
        self._sequence = 0
        self._state: State = "opening"
        self._error = ""
        self._logged_error = ""
        self._thread: threading.Thread | None = None
        self._closed = False
        self.reopen_attempts = 0  # failed opens/reads so far (for tests and metrics)

    # -- public API -------------------------------------------------------------------

    def start(self) -> FrameSource:
        """Start the capture thread (idempotent). Returns self for chaining."""
        if self._closed:
            raise RuntimeError(f"{self.name}: cannot start a closed source")
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._run, name=f"camera:{self.name}", daemon=True
            )
            self._thread.start()
        return self

    def latest(self) -> Frame | None:
        """The newest frame, or None before the first one. Never blocks."""
        return self._frame

    def wait_next(self, after_sequence: int = -1, timeout: float = 1.0) -> Frame | None:
        """Block until a frame newer than `after_sequence` exists (or timeout / close)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self._closed:
                frame = self._frame
                if frame is not None and frame.sequence > after_sequence:
                    return frame
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._cond.wait(remaining)
        return None

    def status(self) -> SourceStatus:
        """Health snapshot; "running" turns into "stale" after `stale_after_s` without frames."""
        with self._cond:
            frame, state, error, count = self._frame, self._state, self._error, self._sequence
        age = None if frame is None else max(0.0, self._clock() - frame.timestamp)
        if state == "running" and (age is None or age > self.stale_after_s):
            state = "stale"
        return SourceStatus(state, count, age, error)

    @property
    def is_alive(self) -> bool:
        """True while the capture thread runs."""
        return self._thread is not None and self._thread.is_alive()

    def join(self, timeout: float) -> None:
        """Wait up to `timeout` for the capture thread to end (after close() gave up on a
        blocked driver, the thread ends once the driver returns)."""
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    def close(self) -> None:
        """Stop and join the capture thread; the thread releases the capture."""
        self._stop.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(_JOIN_TIMEOUT_S)
            if thread.is_alive():
                log.warning(
                    "%s: capture thread did not stop within %.0f s", self.name, _JOIN_TIMEOUT_S
                )
        elif thread is None:
            self._release_quietly()
        with self._cond:
            self._closed = True
            self._state = "closed"
            self._cond.notify_all()

    def __enter__(self) -> FrameSource:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- subclass hooks -----------------------------------------------------------------

    def _open(self) -> None:
        raise NotImplementedError

    def _read(self) -> np.ndarray | None:
        raise NotImplementedError

    def _release(self) -> None:
        raise NotImplementedError

    # -- thread -------------------------------------------------------------------------

    def _run(self) -> None:
        self.backoff.reset()
        try:
            while not self._stop.is_set():
                if self._open_once():
                    before = self._sequence
                    outcome = self._capture_until_failure()
                    if outcome == "ended":
                        return
                    if self._sequence > before:  # only real frames prove the source works
                        self.backoff.reset()
                if self._stop.is_set():
                    return
                self.reopen_attempts += 1
                self._stop.wait(self.backoff.next_wait())  # interrupted at once by close()
        finally:
            self._release_quietly()

    def _open_once(self) -> bool:
        self._set_state("opening")
        try:
            self._open()
        except Exception as exc:  # any driver error: report, back off, retry
            self._release_quietly()
            self._fail(f"{self.name}: {exc}")
            return False
        self._set_state("opening", "")  # "running" once the first frame arrives
        return True

    def _capture_until_failure(self) -> str:
        while not self._stop.is_set():
            try:
                image = self._read()
            except EndOfStream as exc:
                self._set_state("running", str(exc))
                return "ended"
            except Exception as exc:
                image = None
                self._error = f"{self.name}: read error: {exc}"
            if self._stop.is_set():
                break
            if image is None:
                self._release_quietly()
                self._fail(self._error or f"{self.name}: no frame from capture")
                return "failed"
            if self.repeats_mean_frozen and self._repeats_newest(image):
                # Not a new frame: the newest one ages, so the source turns "stale".
                if self._clock() - self._frame.timestamp > self.stale_after_s:
                    self._release_quietly()
                    self._fail(f"{self.name}: the camera repeats one image (frozen driver?)")
                    return "failed"
                continue
            self._publish(image)
        return "stopped"

    def _repeats_newest(self, image: np.ndarray) -> bool:
        """True if `image` is bit-identical to the newest frame (sensor noise makes two real
        frames differ); a sparse grid is compared first, so a real frame costs microseconds."""
        newest = self._frame
        return (
            newest is not None
            and newest.image.shape == image.shape
            and np.array_equal(newest.image[::8, ::8], image[::8, ::8])
            and np.array_equal(newest.image, image)
        )

    def _publish(self, image: np.ndarray) -> None:
        frame = Frame(image=image, timestamp=self._clock(), sequence=self._sequence)
        with self._cond:
            self._frame = frame
            self._sequence += 1
            self._state = "running"
            self._cond.notify_all()
        if self._logged_error:
            log.info("%s: delivering frames again", self.name)
            self._logged_error = ""

    def _fail(self, error: str) -> None:
        # Log each distinct error once: an unplugged camera retries every 5 s for weeks.
        if error != self._logged_error:
            log.warning("%s (retrying with backoff)", error)
            self._logged_error = error
        self._set_state("failed", error)

    def _set_state(self, state: State, error: str | None = None) -> None:
        with self._cond:
            self._state = state
            if error is not None:
                self._error = error

    def _release_quietly(self) -> None:
        try:
            self._release()
        except Exception as exc:
            log.warning("%s: release failed: %s", self.name, exc)


class EndOfStream(Exception):
    """Raised by `_read()` when a finite source (a non-looping video) is done."""


class DeviceSource(FrameSource):
    """A live camera (cv2.VideoCapture(index)); wrong-size frames are resized to `size`."""

    repeats_mean_frozen = True

    def __init__(
        self,
        index: int,
        size: tuple[int, int] = (640, 480),
        fps: int = 30,
        *,
        capture_factory: Callable[[int], CaptureLike] = cv2.VideoCapture,
        **kwargs: Any,
    ) -> None:
        super().__init__(name=f"camera {index}", **kwargs)
        self.index, self.size, self.fps = index, (int(size[0]), int(size[1])), fps
        self._factory = capture_factory
        self._cap: CaptureLike | None = None

    def _open(self) -> None:
        cap = self._factory(self.index)
        self._cap = cap
        if not cap.isOpened():
            raise OSError(
                f"could not open camera device {self.index}; check that it is plugged in "
                "and that camera.device in the config names it"
            )
        cap.set(cv2.CAP_PROP_FRAME_WIDTH, self.size[0])
        cap.set(cv2.CAP_PROP_FRAME_HEIGHT, self.size[1])
        cap.set(cv2.CAP_PROP_FPS, self.fps)

    def _read(self) -> np.ndarray | None:
        assert self._cap is not None
        ok, image = self._cap.read()
        if not ok or image is None:
            self._error = f"{self.name}: read returned no frame (unplugged?)"
            return None
        return to_bgr(image, self.size)

    def _release(self) -> None:
        cap, self._cap = self._cap, None
        if cap is not None:
            cap.release()


class VideoFileSource(FrameSource):
    """A video file played like a camera; loops at the end when `loop` is True.

    With `realtime` True frames are paced at the file's fps and dropped if nobody reads them;
    with False they are decoded as fast as possible. For exact offline rendering use
    `iter_video_frames`, which yields every frame in order.
    """

    def __init__(
        self,
        path: str | Path,
        loop: bool = True,
        realtime: bool = True,
        *,
        size: tuple[int, int] | None = None,
        **kwargs: Any,
    ) -> None:
        self.path = Path(path)
        super().__init__(name=f"video {self.path.name}", **kwargs)
        self.loop, self.realtime = loop, realtime
        self.size = None if size is None else (int(size[0]), int(size[1]))
        self.fps = DEFAULT_VIDEO_FPS
        self.loops_completed = 0
        self._cap: cv2.VideoCapture | None = None
        self._pacer: Pacer | None = None

    def _open(self) -> None:
        self._cap = open_video(self.path)
        self.fps = file_fps(self._cap)
        self._pacer = Pacer(self.fps, self._clock, self._stop)

    def _read(self) -> np.ndarray | None:
        assert self._cap is not None and self._pacer is not None
        ok, image = self._cap.read()
        if not ok and self.loop:
            self.loops_completed += 1
            self._cap.set(cv2.CAP_PROP_POS_FRAMES, 0)
            ok, image = self._cap.read()
            if not ok:  # seeking is unsupported for some containers: reopen instead
                self._error = f"{self.name}: could not rewind"
                return None
        elif not ok:
            raise EndOfStream(f"{self.name}: end of video")
        if self.realtime:
            self._pacer.wait()
        return to_bgr(image, self.size)

    def _release(self) -> None:
        cap, self._cap = self._cap, None
        if cap is not None:
            cap.release()


class SyntheticSource(FrameSource):
    """A test pattern that works anywhere: a portrait moving smoothly in the frame.

    The portrait is fitted into ~80% of the frame height on a neutral background and moved by
    `synthetic_motion(t)`, so a face tracker sees a moving face. Paced at `fps`.
    """

    def __init__(
        self,
        image: np.ndarray,
        size: tuple[int, int] = (640, 480),
        fps: int = 30,
        **kwargs: Any,
    ) -> None:
        super().__init__(name="synthetic", **kwargs)
        if image is None or image.ndim not in (2, 3) or image.size == 0:
            raise ValueError("SyntheticSource needs a non-empty BGR image")
        if fps <= 0:
            raise ValueError(f"fps must be > 0, got {fps}")
        self.size, self.fps = (int(size[0]), int(size[1])), fps
        self._base = compose_pattern(to_bgr(image, None), self.size)
        self._t0: float | None = None
        self._pacer: Pacer | None = None

    def render(self, t: float) -> np.ndarray:
        """The pattern at time `t` seconds (deterministic; also usable offline)."""
        return render_pattern(self._base, t)

    def _open(self) -> None:
        self._pacer = Pacer(self.fps, self._clock, self._stop)
        if self._t0 is None:
            self._t0 = self._clock()

    def _read(self) -> np.ndarray | None:
        assert self._pacer is not None and self._t0 is not None
        self._pacer.wait()
        return self.render(self._clock() - self._t0)

    def _release(self) -> None:
        self._pacer = None


def open_source(camera_cfg: Any, stale_after_s: float) -> FrameSource:
    """The source a camera config names (not started): the video file if set, else the device.

    `camera_cfg` needs `enabled`, `device`, `video`, `size` and `fps` attributes (e.g.
    `CameraConfig`); pass config.yaml's `timeouts.camera_reopen_s` as `stale_after_s`. Callers
    decide what a disabled camera means; asking for one here is an error.
    """
    if not camera_cfg.enabled:
        raise ValueError("camera is disabled in the config (camera.enabled: false)")
    size = (int(camera_cfg.size[0]), int(camera_cfg.size[1]))
    if camera_cfg.video:
        return VideoFileSource(
            camera_cfg.video, loop=True, realtime=True, size=size, stale_after_s=stale_after_s
        )
    return DeviceSource(
        int(camera_cfg.device), size=size, fps=int(camera_cfg.fps), stale_after_s=stale_after_s
    )
