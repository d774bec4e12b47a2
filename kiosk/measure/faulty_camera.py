"""Scriptable camera faults: a fake cv2.VideoCapture for soak runs (`kiosk soak`) and tests.

`FaultyCapture` behaves like a webcam showing a moving face (rendered by `SyntheticSource`)
and can be switched at run time, from any thread, into the failures cameras show in the
field. Hand it to `DeviceSource(capture_factory=...)` so the real capture thread, backoff and
stale detection run against it:

    camera = FaultyCapture(face_image)
    source = DeviceSource(0, capture_factory=camera)   # or lambda *_: camera
    camera.set_fault("unplugged")   # ... later: camera.clear()

Faults:
- "unplugged": reads fail and (re)opening fails, until cleared.
- "frozen": the same image forever (a wedged driver repeating its last buffer).
- "blocking": read() blocks until the fault clears or the capture is released from another
  thread (or `max_block_s` passes, like V4L2's select timeout).
- "wrong_size": frames come at `wrong_size` (default 320 x 200) instead of the asked size.
- "absent": there is no camera: opening fails (set it before the source starts).

Frames are generated in memory only; nothing here writes, logs or sends image data.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Literal, get_args

import cv2
import numpy as np

from kiosk.camera.sources import SyntheticSource

Fault = Literal["none", "unplugged", "frozen", "blocking", "wrong_size", "absent"]
FAULTS: tuple[str, ...] = get_args(Fault)
Clock = Callable[[], float]


class FaultyCapture:
    """A cv2.VideoCapture look-alike serving a synthetic face, with switchable faults.

    Thread-safe: the capture thread calls isOpened/read/release while a test or soak driver
    calls `set_fault` from another thread. Calling the object "opens" it and returns itself,
    so it can be passed directly as a `capture_factory`.
    """

    def __init__(
        self,
        image: np.ndarray,
        size: tuple[int, int] = (640, 480),
        fps: float | None = 30.0,
        *,
        wrong_size: tuple[int, int] = (320, 200),
        clock: Clock = time.monotonic,
        max_block_s: float | None = None,
        fault: Fault = "none",
    ) -> None:
        """`fps` paces read() like a real camera (None: as fast as asked); `clock` drives
        the face's motion; `max_block_s` bounds a "blocking" read (None: until cleared)."""
        self._check(fault)
        self.size = (int(size[0]), int(size[1]))
        self.wrong_size = (int(wrong_size[0]), int(wrong_size[1]))
        self.fps = fps
        self.max_block_s = max_block_s
        self._clock = clock
        self._t0 = clock()
        self._scenes = {
            self.size: SyntheticSource(image, size=self.size),
            self.wrong_size: SyntheticSource(image, size=self.wrong_size),
        }
        self._cond = threading.Condition()
        self._fault: Fault = fault
        self._fault_generation = 0  # bumped by every set_fault, wakes blocked reads
        self._released = False
        self._frozen: np.ndarray | None = None
        self._last: np.ndarray | None = None
        self._next_due: float | None = None
        self._props: dict[int, float] = {}
        # Counters for tests and soak reports.
        self.opens = 0  # isOpened() checks that succeeded
        self.failed_opens = 0
        self.reads = 0
        self.frames_served = 0
        self.releases = 0
        self.blocked_now = 0  # reads currently blocked by the "blocking" fault

    # -- control (any thread) ---------------------------------------------------------

    @property
    def fault(self) -> Fault:
        with self._cond:
            return self._fault

    def set_fault(self, fault: Fault) -> None:
        """Switch to `fault` ("none" to heal); wakes a read blocked by the old fault."""
        self._check(fault)
        with self._cond:
            if fault == "frozen" and self._fault != "frozen":
                self._frozen = self._last if self._last is not None else self._render(self.size)
            self._fault = fault
            self._fault_generation += 1
            self._cond.notify_all()

    def clear(self) -> None:
        self.set_fault("none")

    def wait_blocked(self, timeout: float) -> bool:
        """Wait (up to `timeout` s) until a read is blocked by the "blocking" fault."""
        with self._cond:
            return self._cond.wait_for(lambda: self.blocked_now > 0, timeout)

    # -- cv2.VideoCapture surface (the capture thread) ----------------------------------

    def __call__(self, index: int = 0) -> FaultyCapture:
        """The capture factory: "open" device `index` (the same fake every time)."""
        return self

    def isOpened(self) -> bool:  # noqa: N802 - OpenCV's name
        with self._cond:
            if self._fault in ("unplugged", "absent"):
                self.failed_opens += 1
                return False
            self.opens += 1
            self._released = False
            self._next_due = None
            return True

    def read(self) -> tuple[bool, np.ndarray | None]:
        with self._cond:
            self.reads += 1
            if not self._pace():
                return False, None
            if self._fault == "blocking" and not self._block():
                return False, None
            if self._released or self._fault in ("unplugged", "absent"):
                return False, None
            if self._fault == "frozen":
                assert self._frozen is not None
                image = self._frozen.copy()  # a new buffer holding the same pixels
            else:
                size = self.wrong_size if self._fault == "wrong_size" else self.size
                image = self._render(size)
                self._last = image
            self.frames_served += 1
            return True, image

    def set(self, prop: int, value: float) -> bool:
        with self._cond:
            self._props[prop] = float(value)
        return True

    def get(self, prop: int) -> float:
        defaults = {
            cv2.CAP_PROP_FRAME_WIDTH: float(self.size[0]),
            cv2.CAP_PROP_FRAME_HEIGHT: float(self.size[1]),
            cv2.CAP_PROP_FPS: float(self.fps or 0.0),
        }
        with self._cond:
            return self._props.get(prop, defaults.get(prop, 0.0))

    def release(self) -> None:
        with self._cond:
            self._released = True
            self.releases += 1
            self._cond.notify_all()

    # -- internals (called with the condition held) -------------------------------------

    @staticmethod
    def _check(fault: str) -> None:
        if fault not in FAULTS:
            raise ValueError(f"unknown camera fault {fault!r}; one of {', '.join(FAULTS)}")

    def _render(self, size: tuple[int, int]) -> np.ndarray:
        return self._scenes[size].render(self._clock() - self._t0)

    def _pace(self) -> bool:
        """Wait for the next frame slot, like a camera's read; False if released meanwhile."""
        if not self.fps:
            return not self._released
        period = 1.0 / self.fps
        now = time.monotonic()
        if self._next_due is None or now - self._next_due > period:
            self._next_due = now  # late (or first read): resynchronise, never burst
        due = self._next_due
        self._next_due += period
        generation = self._fault_generation
        self._cond.wait_for(
            lambda: self._released or self._fault_generation != generation
            or time.monotonic() >= due,
            max(0.0, due - now),
        )  # fmt: skip
        return not self._released

    def _block(self) -> bool:
        """Block while the "blocking" fault lasts; False if released or timed out."""
        self.blocked_now += 1
        self._cond.notify_all()
        try:
            healed = self._cond.wait_for(
                lambda: self._released or self._fault != "blocking", self.max_block_s
            )
        finally:
            self.blocked_now -= 1
        return bool(healed) and not self._released
