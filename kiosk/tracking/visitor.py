"""Choosing and keeping one visitor among the faces the camera sees."""

from __future__ import annotations

import math

from kiosk.tracking.face_mesh import DetectedFace


def visitor_score(face: DetectedFace, frame_wh: tuple[int, int]) -> float:
    """Bigger and more central faces score higher (a closer, engaged visitor)."""
    w, h = frame_wh
    cx, cy = face.centre
    off_centre = math.hypot((cx - w / 2) / w, (cy - h / 2) / h)
    return face.area / float(w * h) * (1.0 - min(off_centre, 0.9))


class VisitorSelector:
    """Keeps following the current visitor unless someone else is clearly better placed.

    Hysteresis: a challenger must score `switch_ratio` times the current visitor's score, so two
    people of similar size do not make the painting flick between them.
    """

    def __init__(self, switch_ratio: float = 1.6) -> None:
        self.switch_ratio = switch_ratio
        self._last_centre: tuple[float, float] | None = None

    def choose(self, faces: list[DetectedFace], frame_wh: tuple[int, int]) -> DetectedFace | None:
        if not faces:
            self._last_centre = None
            return None
        scores = [visitor_score(f, frame_wh) for f in faces]
        best = max(range(len(faces)), key=scores.__getitem__)
        if self._last_centre is not None and len(faces) > 1:
            current = min(
                range(len(faces)),
                key=lambda i: math.dist(faces[i].centre, self._last_centre),
            )
            if scores[best] < self.switch_ratio * scores[current]:
                best = current
        self._last_centre = faces[best].centre
        return faces[best]

    def reset(self) -> None:
        self._last_centre = None
