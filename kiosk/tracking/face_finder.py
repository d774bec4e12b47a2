"""Finding a painting's faces, including ones the face mesh misses at full size: a small face
in a full-figure painting, or one a curator points at with a box hint."""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.tracking.face_mesh import DetectedFace, FaceMeshDetector, mp

CROP_MARGIN = 0.6  # context kept around a face box, as a fraction of its size
CROP_FACE_PX = 320  # a cropped face is scaled to about this size for the mesh


def _box_pixels(
    box: tuple[float, float, float, float], shape: tuple[int, ...]
) -> tuple[int, int, int, int]:
    h, w = shape[:2]
    x0, y0, x1, y1 = box
    return (
        int(x0 * w),
        int(y0 * h),
        max(int(x0 * w) + 1, int(x1 * w)),
        max(int(y0 * h) + 1, int(y1 * h)),
    )


def _mesh_in_crop(
    detector: FaceMeshDetector, image: np.ndarray, box: tuple[int, int, int, int]
) -> list[DetectedFace]:
    """Run the mesh on an enlarged crop around a pixel box; landmarks back in image pixels."""
    h, w = image.shape[:2]
    x0, y0, x1, y1 = box
    mx, my = (x1 - x0) * CROP_MARGIN, (y1 - y0) * CROP_MARGIN
    cx0, cy0 = max(0, int(x0 - mx)), max(0, int(y0 - my))
    cx1, cy1 = min(w, int(x1 + mx)), min(h, int(y1 + my))
    crop = image[cy0:cy1, cx0:cx1]
    if crop.shape[0] < 8 or crop.shape[1] < 8:
        return []
    scale = max(1.0, CROP_FACE_PX / max(x1 - x0, y1 - y0, 1))
    if scale > 1.0:
        crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_CUBIC)
    faces = []
    for face in detector.detect(crop):
        pts = face.landmarks.copy()
        pts /= scale
        pts[:, 0] += cx0
        pts[:, 1] += cy0
        bx0, by0 = pts[:, :2].min(axis=0)
        bx1, by1 = pts[:, :2].max(axis=0)
        faces.append(DetectedFace(pts, (float(bx0), float(by0), float(bx1), float(by1))))
    return faces


class FaceBoxDetector:
    """MediaPipe's full-range face detector (finds small, distant faces). Built once and kept:
    creating MediaPipe graphs over and over costs memory that is not all given back."""

    def __init__(self) -> None:
        self._detector = mp.solutions.face_detection.FaceDetection(
            model_selection=1, min_detection_confidence=0.4
        )

    def boxes(self, image: np.ndarray) -> list[tuple[int, int, int, int]]:
        """Pixel boxes (x0, y0, x1, y1) of the faces in a BGR image."""
        h, w = image.shape[:2]
        result = self._detector.process(cv2.cvtColor(image, cv2.COLOR_BGR2RGB))
        found = []
        for det in result.detections or ():
            b = det.location_data.relative_bounding_box
            x0, y0 = int(max(0.0, b.xmin) * w), int(max(0.0, b.ymin) * h)
            found.append((x0, y0, min(w, x0 + int(b.width * w)), min(h, y0 + int(b.height * h))))
        return found

    def close(self) -> None:
        self._detector.close()


def _overlaps(box: tuple[int, int, int, int], faces: list[DetectedFace]) -> bool:
    x0, y0, x1, y1 = box
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return any(f.box[0] <= cx <= f.box[2] and f.box[1] <= cy <= f.box[3] for f in faces)


def find_faces(
    detector: FaceMeshDetector,
    image: np.ndarray,
    box: tuple[float, float, float, float] | None = None,
    boxes_detector: FaceBoxDetector | None = None,
) -> list[DetectedFace]:
    """All faces: inside the curator's `box` (fractions of width/height) when given; otherwise
    the mesh on the whole image, plus every face the full-range detector finds that the mesh
    missed (small faces, a second sitter), meshed on an enlarged crop."""
    if box is not None:
        return _mesh_in_crop(detector, image, _box_pixels(box, image.shape))
    faces = list(detector.detect(image))
    own = boxes_detector is None
    finder = FaceBoxDetector() if own else boxes_detector
    try:
        pixel_boxes = finder.boxes(image)
    finally:
        if own:
            finder.close()
    for pixel_box in pixel_boxes:
        if not _overlaps(pixel_box, faces):
            faces.extend(
                f
                for f in _mesh_in_crop(detector, image, pixel_box)
                if not _overlaps(tuple(int(v) for v in f.box), faces)  # fmt: skip
            )
    return faces
