"""camera stage: capture threads (device, video file, test pattern), newest frame wins."""

from kiosk.camera.frame import Frame
from kiosk.camera.sources import (
    DeviceSource,
    FrameSource,
    SourceStatus,
    SyntheticSource,
    VideoFileSource,
    iter_video_frames,
    open_source,
    synthetic_motion,
)

__all__ = [
    "DeviceSource",
    "Frame",
    "FrameSource",
    "SourceStatus",
    "SyntheticSource",
    "VideoFileSource",
    "iter_video_frames",
    "open_source",
    "synthetic_motion",
]
