"""Captured images to the kiosk's form, and video files read frame by frame: no threads.

Used by the capture threads in kiosk.camera.sources and by offline rendering, which reads every
frame of a driver video in order (iter_video_frames). Nothing here keeps or writes an image.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

import cv2
import numpy as np

from kiosk.camera.frame import Frame

DEFAULT_VIDEO_FPS = 30.0  # when a file does not say, or says something impossible


class CaptureLike(Protocol):
    """The subset of cv2.VideoCapture the sources use (lets tests inject fakes)."""

    def isOpened(self) -> bool: ...  # noqa: N802 - OpenCV's name
    def read(self) -> tuple[bool, np.ndarray | None]: ...
    def set(self, prop: int, value: float) -> bool: ...
    def get(self, prop: int) -> float: ...
    def release(self) -> None: ...


def to_bgr(image: np.ndarray, size: tuple[int, int] | None) -> np.ndarray:
    """Normalise a captured image to 3-channel uint8 BGR of `size` (w, h) if given."""
    if image.ndim == 2:
        image = cv2.cvtColor(image, cv2.COLOR_GRAY2BGR)
    elif image.shape[2] == 4:
        image = cv2.cvtColor(image, cv2.COLOR_BGRA2BGR)
    if size is not None and (image.shape[1], image.shape[0]) != tuple(size):
        image = cv2.resize(image, tuple(size), interpolation=cv2.INTER_AREA)
    return np.ascontiguousarray(image)


def file_fps(cap: CaptureLike) -> float:
    """The frame rate a video file declares, if it is a plausible one."""
    fps = cap.get(cv2.CAP_PROP_FPS)
    return fps if math.isfinite(fps) and 0 < fps <= 240 else DEFAULT_VIDEO_FPS


def open_video(path: Path) -> cv2.VideoCapture:
    """An opened capture of a video file; FileNotFoundError or OSError saying what is wrong."""
    if not path.is_file():
        raise FileNotFoundError(f"video file {path} does not exist (camera.video in config)")
    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        cap.release()
        raise OSError(f"video file {path} could not be opened; is it a valid video?")
    return cap


def iter_video_frames(path: str | Path, size: tuple[int, int] | None = None) -> Iterator[Frame]:
    """Every frame of a video file, in order, with timestamp = index / fps (offline use)."""
    cap = open_video(Path(path))
    try:
        fps = file_fps(cap)
        index = 0
        while True:
            ok, image = cap.read()
            if not ok:
                return
            yield Frame(image=to_bgr(image, size), timestamp=index / fps, sequence=index)
            index += 1
    finally:
        cap.release()
