"""The issue's camera stand-in: an empty wall, a face walking across the frame and back, the
empty wall again. Built from a real portrait, written to an MP4 the kiosk plays as its camera.

Also a measure of where a rendered painting's irises sit in its eyes, for the eye-contact tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from kiosk.tracking import landmarks as lm
from kiosk.tracking.face_mesh import FaceMeshDetector

FRAME_WH = (640, 480)
FPS = 30


@dataclass(frozen=True)
class WalkBy:
    """When the face is in view (seconds from the video's start), and how big it is."""

    empty_before_s: float = 3.0
    walk_s: float = 8.0
    empty_after_s: float = 3.0
    face_px: int = 130  # the face's height (forehead to chin, as the face mesh boxes it)

    @property
    def total_s(self) -> float:
        return self.empty_before_s + self.walk_s + self.empty_after_s

    @property
    def face_in_view(self) -> tuple[float, float]:
        return self.empty_before_s, self.empty_before_s + self.walk_s


def wall(rng: np.random.Generator) -> np.ndarray:
    """A plain, slightly uneven wall with sensor noise (the same wall every frame)."""
    w, h = FRAME_WH
    ramp = np.linspace(150, 175, w, dtype=np.float32)[None, :, None]
    base = np.broadcast_to(ramp, (h, w, 3)) * np.float32([0.93, 1.0, 1.04])
    blotches = cv2.GaussianBlur(rng.normal(0, 25, (h, w)).astype(np.float32), (0, 0), 25)
    return np.clip(base + blotches[..., None], 0, 255).astype(np.uint8)


def head_cutout(portrait: np.ndarray, face_px: int) -> tuple[np.ndarray, np.ndarray]:
    """The portrait's head and shoulders scaled so the face is `face_px` tall, with a soft
    elliptical alpha around it."""
    with FaceMeshDetector(static_image=True, max_faces=1) as mesh:
        faces = mesh.detect(portrait)
    if not faces:
        raise ValueError("no face in the portrait")
    x0, y0, x1, y1 = faces[0].box
    scale = face_px / (y1 - y0)
    cx, cy, fw, fh = (x0 + x1) / 2, (y0 + y1) / 2, x1 - x0, y1 - y0
    # Head with hair and a bit of neck: 1.9x the face box wide, 2.2x high.
    bx0, bx1 = int(max(0, cx - 0.95 * fw)), int(min(portrait.shape[1], cx + 0.95 * fw))
    by0, by1 = int(max(0, cy - 1.15 * fh)), int(min(portrait.shape[0], cy + 1.05 * fh))
    crop = cv2.resize(portrait[by0:by1, bx0:bx1], None, fx=scale, fy=scale,
                      interpolation=cv2.INTER_AREA)  # fmt: skip
    h, w = crop.shape[:2]
    alpha = np.zeros((h, w), np.float32)
    cv2.ellipse(alpha, (w // 2, h // 2), (int(w * 0.46), int(h * 0.48)), 0, 0, 360, 1.0, -1)
    alpha = cv2.GaussianBlur(alpha, (0, 0), max(1.0, w * 0.03))
    return crop, alpha


def paste(frame: np.ndarray, head: np.ndarray, alpha: np.ndarray, cx: float, cy: float) -> None:
    h, w = head.shape[:2]
    x0, y0 = int(round(cx - w / 2)), int(round(cy - h / 2))
    fx0, fy0 = max(0, x0), max(0, y0)
    fx1, fy1 = min(frame.shape[1], x0 + w), min(frame.shape[0], y0 + h)
    if fx1 <= fx0 or fy1 <= fy0:
        return
    a = alpha[fy0 - y0 : fy1 - y0, fx0 - x0 : fx1 - x0, None]
    src = head[fy0 - y0 : fy1 - y0, fx0 - x0 : fx1 - x0].astype(np.float32)
    dst = frame[fy0:fy1, fx0:fx1].astype(np.float32)
    frame[fy0:fy1, fx0:fx1] = (src * a + dst * (1 - a)).astype(np.uint8)


def walk_x(t: float, walk_s: float, margin: float) -> float:
    """Across the frame and back: from the left edge to the right one in half the walk."""
    w = FRAME_WH[0]
    phase = t / walk_s * 2.0
    along = phase if phase <= 1.0 else 2.0 - phase
    return margin + along * (w - 2 * margin)


def write_walk_by(portrait: np.ndarray, out: Path, spec: WalkBy = WalkBy()) -> Path:
    """The stand-in video as MP4 (mp4v, 30 fps, 640x480)."""
    rng = np.random.default_rng(19)
    background = wall(rng)
    head, alpha = head_cutout(portrait, spec.face_px)
    writer = cv2.VideoWriter(str(out), cv2.VideoWriter_fourcc(*"mp4v"), FPS, FRAME_WH)
    try:
        start, stop = spec.face_in_view
        for i in range(int(round(spec.total_s * FPS))):
            t = i / FPS
            frame = background.copy()
            if start <= t < stop:
                # A little bob of the walk, and the head kept whole inside the frame.
                cx = walk_x(t - start, spec.walk_s, head.shape[1] * 0.55)
                cy = FRAME_WH[1] * 0.42 + 4 * np.sin(2 * np.pi * 1.6 * t)
                paste(frame, head, alpha, cx, cy)
            noise = rng.normal(0, 2.0, frame.shape).astype(np.float32)
            writer.write(np.clip(frame + noise, 0, 255).astype(np.uint8))
    finally:
        writer.release()
    return out


def iris_positions(landmarks: np.ndarray) -> np.ndarray:
    """Each iris centre relative to its eye (right, left), in eye widths: x along the line
    from the eye's outer to its inner corner (as the image runs), y across it."""
    out = []
    for outer, inner, iris in (
        (lm.RIGHT_EYE_OUTER, lm.RIGHT_EYE_INNER, lm.RIGHT_IRIS_CENTER),
        (lm.LEFT_EYE_INNER, lm.LEFT_EYE_OUTER, lm.LEFT_IRIS_CENTER),
    ):
        a, b = landmarks[outer, :2], landmarks[inner, :2]
        axis = b - a
        width = float(np.linalg.norm(axis))
        along = axis / width
        across = np.array([-along[1], along[0]])
        rel = landmarks[iris, :2] - (a + b) / 2
        out.append([float(rel @ along) / width, float(rel @ across) / width])
    return np.array(out)
