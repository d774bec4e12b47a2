"""The live input: the camera, its tracking worker, and what the display loop takes from them
each frame (the visitor's newest motion, whether a visitor is there)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from kiosk.camera.sources import FrameSource
from kiosk.motion.eye_contact import VisitorGaze
from kiosk.motion.live import LiveMotion
from kiosk.motion.motion import Motion
from kiosk.runtime.tracking import TrackingWorker
from kiosk.stats import StageTimes
from kiosk.tracking.mouth_patch import MouthPatch

SourceFactory = Callable[[], FrameSource | None]
LiveFactory = Callable[[], LiveMotion]


class LiveInput:
    """Owns the camera and the tracker; the camera can be switched off (sleep) and on (wake).

    `update()` is the display loop's one call per frame; everything else is read-only.
    """

    def __init__(
        self,
        open_source: SourceFactory,
        make_live: LiveFactory,
        visitor_gone_s: float,
        times: StageTimes,
    ) -> None:
        self._open_source = open_source
        self._make_live = make_live
        self._visitor_gone_s = visitor_gone_s
        self._times = times
        self.source: FrameSource | None = None
        self.tracking: TrackingWorker | None = None
        self.motion = Motion()  # the visitor's last motion (kept while they are in view)
        self.visitor_present = False
        self.people_in_view = 0  # faces seen in the newest tracked frame, engaged or not
        self.gaze: VisitorGaze | None = None  # where the engaged visitor looks
        # The visitor's open inner mouth (camera pixels, in memory only): dropped as soon as
        # they are gone or their mouth closes.
        self.mouth: MouthPatch | None = None
        self.camera_frames = 0  # camera frames whose tracking result the loop took
        self.frames_with_visitor = 0
        self._last_sequence = -1

    def open(self) -> None:
        """Open the camera and build its tracker (not started yet)."""
        self.source = self._open_source()
        if self.source is not None:
            self.tracking = TrackingWorker(self.source, self._make_live(), self._times)

    def start(self) -> None:
        if self.source is not None:
            self.source.start()
        if self.tracking is not None:
            self.tracking.start()

    def stop(self) -> None:
        """Camera and tracker off (sleep, close)."""
        if self.tracking is not None:
            self.tracking.close()
            self.tracking = None
        if self.source is not None:
            self.source.close()
            self.source = None
        self.visitor_present = False
        self.people_in_view = 0
        self.mouth = None

    @property
    def new_results(self) -> threading.Event | None:
        """Set by the tracker at each new result (the display loop wakes on it); None without
        a camera. The tracker is replaced when the camera restarts, so ask at every frame."""
        return self.tracking.results if self.tracking is not None else None

    @property
    def camera_state(self) -> str:
        return self.source.status().state if self.source is not None else "off"

    def update(self) -> float | None:
        """Take the tracker's newest result, if new; returns its frame's capture time."""
        if self.tracking is None:
            self.visitor_present = False
            self.people_in_view = 0
            self.mouth = None
            return None
        result = self.tracking.latest()
        now = time.monotonic()
        fresh = result is not None and now - result.frame_timestamp < self._visitor_gone_s
        # A frozen or vanished camera stops producing results: the visitor is then "gone".
        self.visitor_present = fresh and result.motion is not None
        self.people_in_view = len(result.people) if fresh else 0
        if not self.visitor_present:
            self.mouth = None
        if result is None or result.frame_sequence == self._last_sequence:
            return None
        self._last_sequence = result.frame_sequence
        self.camera_frames += 1
        if result.motion is not None:
            self.motion = result.motion
            self.gaze = result.gaze
            self.mouth = result.mouth
            self.frames_with_visitor += 1
        return result.frame_timestamp

    def forget(self) -> None:
        """Drop the last camera-derived motion (at close)."""
        self.motion = Motion()
        self.gaze = None
        self.mouth = None
