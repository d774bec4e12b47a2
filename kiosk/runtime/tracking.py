"""The tracking worker: camera frames -> the chosen visitor's motion, on its own thread."""

from __future__ import annotations

import logging
import threading
import time

from kiosk.camera.sources import FrameSource
from kiosk.motion.live import LiveMotion, LiveResult
from kiosk.stats import StageTimes

log = logging.getLogger(__name__)


class TrackingWorker:
    """Runs `LiveMotion` on its own thread: the newest camera frame in, the newest result out.

    Tracking costs several milliseconds a frame; off the display thread it overlaps with
    rendering (MediaPipe releases the GIL), so the display keeps its own rate.
    """

    def __init__(
        self, source: FrameSource, live: LiveMotion, times: StageTimes | None = None
    ) -> None:
        self.source = source
        self.live = live
        self.times = times if times is not None else StageTimes()
        self._result: LiveResult | None = None
        self._lock = threading.Lock()
        self._stop = threading.Event()
        # Set at each new result: the display loop wakes on it to render the result at once.
        self.results = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="tracking", daemon=True)
        self.frames_processed = 0

    def start(self) -> TrackingWorker:
        self._thread.start()
        return self

    def latest(self) -> LiveResult | None:
        with self._lock:
            return self._result

    def _loop(self) -> None:
        last = -1
        while not self._stop.is_set():
            frame = self.source.wait_next(last, timeout=0.25)
            if frame is None:
                continue
            last = frame.sequence
            self.times.add("camera_age", (time.monotonic() - frame.timestamp) * 1000.0)
            try:
                result = self.live.process(frame, self.times)
            except Exception:  # one bad frame must not end tracking for the day
                log.exception("tracking failed on a frame")
                continue
            del frame  # the image is not kept beyond this point
            self.frames_processed += 1
            with self._lock:
                self._result = result
            self.results.set()

    def close(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5.0)
        self.live.close()
