"""MediaPipe face mesh: 478 landmarks (iris refined) in pixel units, for video or stills."""

from __future__ import annotations

import os
from dataclasses import dataclass

import cv2
import numpy as np

# MediaPipe's C++ side logs to stderr at import; keep operator logs readable.
os.environ.setdefault("GLOG_minloglevel", "2")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import mediapipe as mp  # noqa: E402


@dataclass(frozen=True, slots=True)
class DetectedFace:
    """One face: landmarks (478, 3) in pixels (z scaled like x), and its 2D bounding box."""

    landmarks: np.ndarray
    box: tuple[float, float, float, float]  # x0, y0, x1, y1

    @property
    def area(self) -> float:
        x0, y0, x1, y1 = self.box
        return max(0.0, x1 - x0) * max(0.0, y1 - y0)

    @property
    def centre(self) -> tuple[float, float]:
        x0, y0, x1, y1 = self.box
        return (x0 + x1) / 2.0, (y0 + y1) / 2.0


class FaceMeshDetector:
    """Wraps `mp.solutions.face_mesh.FaceMesh`; the one place that converts BGR to RGB."""

    def __init__(
        self,
        static_image: bool = False,
        max_faces: int = 2,
        min_detection_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
    ) -> None:
        self._mesh = mp.solutions.face_mesh.FaceMesh(
            static_image_mode=static_image,
            max_num_faces=max_faces,
            refine_landmarks=True,
            min_detection_confidence=min_detection_confidence,
            min_tracking_confidence=min_tracking_confidence,
        )

    def detect(self, image_bgr: np.ndarray) -> list[DetectedFace]:
        """All faces found in a BGR image (the image is not kept)."""
        h, w = image_bgr.shape[:2]
        rgb = cv2.cvtColor(image_bgr, cv2.COLOR_BGR2RGB)
        rgb.flags.writeable = False
        result = self._mesh.process(rgb)
        faces: list[DetectedFace] = []
        for face in result.multi_face_landmarks or ():
            pts = np.array([(p.x, p.y, p.z) for p in face.landmark], dtype=np.float32)
            pts[:, 0] *= w
            pts[:, 1] *= h
            pts[:, 2] *= w
            x0, y0 = pts[:, :2].min(axis=0)
            x1, y1 = pts[:, :2].max(axis=0)
            faces.append(DetectedFace(pts, (float(x0), float(y0), float(x1), float(y1))))
        return faces

    def close(self) -> None:
        self._mesh.close()

    def __enter__(self) -> FaceMeshDetector:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
