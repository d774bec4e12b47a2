"""Recording what the screen showed, frame by frame at the display rate, to an MP4.

For tests, demos and curators' previews of the live loop driven by a video file; `kiosk run`
refuses it with a live camera, so no visitor's performance is ever recorded. Encoding runs on
its own thread; the display loop only copies the screen.
"""

from __future__ import annotations

import logging
import math
import queue
import threading
from pathlib import Path

import cv2
import numpy as np

log = logging.getLogger(__name__)

QUEUE_FRAMES = 8  # screens waiting to be encoded; the display loop waits beyond this
MAX_REPEATS_S = 2.0  # a stall longer than this is not filled in (the video loses that time)


class RecordingRefused(ValueError):
    """Recording was asked for with a live camera."""


REFUSED_WITH_LIVE_CAMERA = (
    "--record is refused with a live camera: no visitor's performance is ever recorded; drive "
    "the kiosk with --driver-video FILE (or --synthetic-camera, --no-camera) to record"
)


def check_recording_allowed(live_camera: bool) -> None:
    if live_camera:
        raise RecordingRefused(REFUSED_WITH_LIVE_CAMERA)


class ScreenRecorder:
    """Writes one video frame per display slot (1/fps s): a late tick's screen fills the slots
    it missed, an early tick's waits for the next slot, so the video keeps the wall clock."""

    def __init__(self, path: Path, fps: int) -> None:
        self.path = Path(path)
        self.fps = fps
        self.frames_written = 0
        self._start: float | None = None
        self._slots = 0  # video frames handed to the writer
        self._queue: queue.Queue[tuple[np.ndarray, int] | None] = queue.Queue(QUEUE_FRAMES)
        self._writer: cv2.VideoWriter | None = None
        self._error: str | None = None
        self._thread = threading.Thread(target=self._encode, name="recorder", daemon=True)
        self._thread.start()

    def add(self, screen_bgr: np.ndarray, now: float) -> None:
        """The screen as shown at `now` (a copy is taken only when a slot is due)."""
        if self._start is None:
            self._start = now
        due = math.floor((now - self._start) * self.fps) + 1
        repeats = min(due - self._slots, int(MAX_REPEATS_S * self.fps))
        if repeats <= 0:
            return
        self._slots = due
        self._queue.put((screen_bgr.copy(), repeats))

    def _encode(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                break
            image, repeats = item
            if self._error is not None:
                continue
            try:
                self._write(image, repeats)
            except cv2.error as exc:
                self._error = str(exc)
                log.error("recording to %s failed: %s", self.path, exc)

    def _write(self, image: np.ndarray, repeats: int) -> None:
        if self._writer is None:
            h, w = image.shape[:2]
            self._writer = cv2.VideoWriter(
                str(self.path), cv2.VideoWriter_fourcc(*"mp4v"), self.fps, (w, h)
            )
            if not self._writer.isOpened():
                raise cv2.error(f"cannot write {self.path} (mp4v at {w}x{h})")
        for _ in range(repeats):
            self._writer.write(image)
            self.frames_written += 1

    def close(self) -> None:
        """Finish the file (waits for the frames still queued)."""
        self._queue.put(None)
        self._thread.join()
        if self._writer is not None:
            self._writer.release()
            self._writer = None
        if self._error is None:
            log.info("recorded %d frames to %s", self.frames_written, self.path)
