"""Offline rendering: a driver video drives a still image, frame for frame (`kiosk render`).

This is how quality is measured, so it is exact: one output frame per driver frame, at the
image's own resolution, with motion relative to the driver's first frame.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from kiosk.camera.sources import iter_video_frames
from kiosk.config import EngineConfig
from kiosk.exhibits.corrections import Corrections
from kiosk.motion.estimator import MotionEstimator
from kiosk.motion.motion import Motion
from kiosk.renderer.engine import Animation, Engine, make_engine
from kiosk.renderer.face_rig import PaintingRig
from kiosk.tracking.face_mesh import FaceMeshDetector


@dataclass(frozen=True, slots=True)
class RenderSummary:
    frames: int
    frames_without_driver_face: int
    fps: float
    size: tuple[int, int]


@dataclass(frozen=True, slots=True)
class DriverFrame:
    """One driver video frame as seen by the tracker (the image stays in memory only)."""

    image: np.ndarray
    timestamp: float
    landmarks: np.ndarray | None  # None when no face was found
    motion: Motion | None


def driver_frames(video: Path, max_frames: int | None = None) -> Iterator[DriverFrame]:
    """Every driver frame with its tracked face and motion; neutral = the first face found."""
    estimator = MotionEstimator()
    neutral_fixed = False
    with FaceMeshDetector(static_image=False, max_faces=1) as detector:
        for i, frame in enumerate(iter_video_frames(video)):
            if max_frames is not None and i >= max_frames:
                break
            faces = detector.detect(frame.image)
            if not faces:
                yield DriverFrame(frame.image, frame.timestamp, None, None)
                continue
            if not neutral_fixed:
                estimator.fix_neutral(faces[0].landmarks)
                neutral_fixed = True
            motion = estimator.update(faces[0].landmarks, frame.timestamp)
            yield DriverFrame(frame.image, frame.timestamp, faces[0].landmarks, motion)


def driver_motions(video: Path) -> Iterator[tuple[Motion | None, float]]:
    """(motion or None when no face, timestamp) per driver frame; neutral = the first face."""
    for frame in driver_frames(video):
        yield frame.motion, frame.timestamp


def video_fps(video: Path) -> float:
    cap = cv2.VideoCapture(str(video))
    try:
        fps = cap.get(cv2.CAP_PROP_FPS)
    finally:
        cap.release()
    return fps if fps and fps > 0 else 30.0


def render_frames(
    engine: Engine, rig: PaintingRig, video: Path, animation: Animation | None = None
) -> Iterator[tuple[np.ndarray, bool]]:
    """(rendered frame, driver face found) for every driver frame; no face holds the last pose."""
    animation = animation or Animation()
    last = Motion()
    for motion, _ in driver_motions(video):
        if motion is not None:
            last = motion
        yield engine.render(rig, [last], animation), motion is not None


def render_video(
    image: np.ndarray,
    video: Path,
    out: Path,
    choose: str = "largest",
    index: int = 0,
    animation: Animation | None = None,
    box: tuple[float, float, float, float] | None = None,
    corrections: Corrections | None = None,
    engine_config: EngineConfig | None = None,
) -> RenderSummary:
    engine = make_engine(engine_config or EngineConfig())
    try:
        rig = engine.build_rig(image, choose, index, box, corrections)
        h, w = image.shape[:2]
        fps = video_fps(video)
        out.parent.mkdir(parents=True, exist_ok=True)
        writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), fps, (w, h))
        if not writer.isOpened():
            raise OSError(f"cannot write {out} (mp4v, {w}x{h})")
        frames = missing = 0
        try:
            for rendered, found in render_frames(engine, rig, video, animation):
                writer.write(rendered)
                frames += 1
                missing += not found
        finally:
            writer.release()
        return RenderSummary(frames, missing, fps, (w, h))
    finally:
        engine.close()
