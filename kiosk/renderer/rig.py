"""A painting's face rig: built once per painting (the slow part), reused for every frame."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from kiosk.motion.geometry import FaceFrame, face_frame
from kiosk.renderer.eyes import EyeRig, build_eye_rigs
from kiosk.renderer.warp import MeshWarp, Region
from kiosk.tracking import landmarks as lm
from kiosk.tracking.face_mesh import DetectedFace, FaceMeshDetector

ENGINE_VERSION = "geometric-1"

# Iris points are left out of the warp mesh: a closing lid must sweep over the iris, and
# triangles pinned to the iris would fold over instead.
MESH_LANDMARKS = np.arange(468, dtype=np.intp)
HAIR_RING_SCALE = 1.35  # hair, ears, jaw line: follows the head halfway
OUTER_RING_SCALE = 1.95  # neck, shoulders, background: never moves
HAIR_RING_FOLLOW = 0.7


class NoFaceError(ValueError):
    """The painting has no face the detector can find."""


@dataclass(frozen=True, slots=True)
class MouthPalette:
    """Colours for a painted mouth interior, sampled from the painting itself (BGR floats)."""

    cavity: np.ndarray
    teeth: np.ndarray
    skin: np.ndarray


@dataclass(frozen=True, slots=True)
class FaceRig:
    landmarks: np.ndarray  # (478, 3) neutral, image pixels
    frame: FaceFrame
    canonical: np.ndarray  # (478, 3) neutral in the face's own frame, IOD units
    hair_ring: np.ndarray  # (R, 3) image-space points that follow the head partly
    outer_ring: np.ndarray  # (R, 2) fixed points bounding the animated region
    warp: MeshWarp
    region_pixels: np.ndarray  # uint8, region-sized: 255 where pixels may change
    palette: MouthPalette
    eyes: tuple[EyeRig, ...] = ()  # bare eyeballs and irises, for gaze

    @property
    def region(self) -> Region:
        return self.warp.region

    def region_mask(self, image_shape: tuple[int, ...]) -> np.ndarray:
        """Full-image uint8 mask, 255 where this face's animation may change pixels."""
        mask = np.zeros(image_shape[:2], np.uint8)
        mask[self.region.slices] = self.region_pixels
        return mask


@dataclass(frozen=True, slots=True)
class PaintingRig:
    """The painting at the resolution it is shown at, and the rigs of its animated faces."""

    image: np.ndarray
    faces: tuple[FaceRig, ...]
    all_faces: tuple[DetectedFace, ...]  # every face found, for curator previews


def choose_faces(faces: list[DetectedFace], choose: str, index: int) -> list[DetectedFace]:
    """Which faces an exhibit animates: 'largest', 'index', 'left', 'right' or 'all'."""
    if not faces:
        return []
    if choose == "all":
        return list(faces)
    if choose == "index":
        ordered = sorted(faces, key=lambda f: f.centre[0])
        return [ordered[min(index, len(ordered) - 1)]]
    if choose == "left":
        return [min(faces, key=lambda f: f.centre[0])]
    if choose == "right":
        return [max(faces, key=lambda f: f.centre[0])]
    return [max(faces, key=lambda f: f.area)]


def _ring(frame: FaceFrame, oval: np.ndarray, scale: float) -> np.ndarray:
    """The face oval pushed outwards (in the face's own plane), longer downwards for the neck."""
    canon = frame.to_canonical(oval)
    centre = canon.mean(axis=0)
    spread = canon - centre
    stretch = np.where(spread[:, 1:2] > 0, 1.0 + (scale - 1.0) * 1.25, scale)
    pushed = centre + spread * stretch
    pushed[:, 2] = canon[:, 2]
    return frame.to_image(pushed)


def _palette(image: np.ndarray, points: np.ndarray) -> MouthPalette:
    h, w = image.shape[:2]
    mask = np.zeros((h, w), np.uint8)
    cv2.fillPoly(mask, [np.round(points[list(lm.LIPS_OUTER), :2]).astype(np.int32)], 255)
    cv2.fillPoly(mask, [np.round(points[list(lm.LIPS_INNER), :2]).astype(np.int32)], 0)
    lip = np.array(cv2.mean(image, mask=mask)[:3]) if mask.any() else np.array([60, 60, 120.0])
    skin_mask = np.zeros((h, w), np.uint8)
    cheeks = [lm.as_index((205, 50, 187, 147, 123, 116, 117, 118, 101, 36, 206))]
    cv2.fillPoly(skin_mask, [np.round(points[c, :2]).astype(np.int32) for c in cheeks], 255)
    skin = np.array(cv2.mean(image, mask=skin_mask)[:3]) if skin_mask.any() else lip
    cavity = lip * 0.22 + np.array([4.0, 4.0, 8.0])
    ivory = np.array([200.0, 214.0, 226.0])  # BGR of aged ivory
    teeth = 0.72 * ivory + 0.28 * skin
    # Teeth never brighter than the painting's own highlights, or they glow.
    teeth *= min(1.0, (float(np.percentile(image, 98)) + 10.0) / max(teeth.max(), 1.0))
    return MouthPalette(cavity=cavity, teeth=teeth, skin=skin)


def _smooth_contour_depth(points: np.ndarray, passes: int = 3) -> np.ndarray:
    """Depth along the face outline, smoothed: the detector's contour depth is noisy, and in a
    head turn neighbouring outline points moving by different amounts tear the cheek's edge."""
    out = points.copy()
    oval = lm.as_index(lm.FACE_OVAL)
    z = out[oval, 2]
    for _ in range(passes):
        z = 0.25 * np.roll(z, 1) + 0.5 * z + 0.25 * np.roll(z, -1)
    out[oval, 2] = z
    return out


DEPTH_DETAIL = 0.35  # how much of the face's fine relief (nose, brows) survives in a head turn


def _turnable_depth(points: np.ndarray, detail: float = DEPTH_DETAIL) -> np.ndarray:
    """Landmark depth made smooth over the image: a quadratic surface plus a fraction of the
    detail. Near a three-quarter face's far outline, points that are close in the image can
    differ greatly in depth; turning them by their raw depth makes neighbours cross and the
    cheek's edge tears into a sawtooth. A 2D warp cannot reveal hidden surface anyway."""
    out = points.copy()
    xy = points[:468, :2]
    centre = xy.mean(axis=0)
    scale = max(float(np.ptp(xy, axis=0).max()), 1e-6)
    u, v = ((xy - centre) / scale).T
    basis = np.stack([np.ones_like(u), u, v, u * u, u * v, v * v], axis=1)
    coef, *_ = np.linalg.lstsq(basis, points[:468, 2], rcond=None)
    fitted = basis @ coef
    out[:468, 2] = fitted + detail * (points[:468, 2] - fitted)
    # Iris points follow the depth change of their eye.
    for iris, eye in ((lm.RIGHT_IRIS, lm.RIGHT_EYE_CONTOUR), (lm.LEFT_IRIS, lm.LEFT_EYE_CONTOUR)):
        shift = (out[list(eye), 2] - points[list(eye), 2]).mean()
        out[list(iris), 2] = points[list(iris), 2] + shift
    return out


def build_face_rig(image: np.ndarray, face: DetectedFace) -> FaceRig:
    h, w = image.shape[:2]
    points = _smooth_contour_depth(_turnable_depth(face.landmarks.astype(np.float64)))
    frame = face_frame(points)
    oval = points[lm.as_index(lm.FACE_OVAL)]
    hair = _ring(frame, oval, HAIR_RING_SCALE)
    outer = _ring(frame, oval, OUTER_RING_SCALE)[:, :2]
    limit = np.array([w - 1, h - 1], dtype=np.float64)
    outer = np.clip(outer, 0, limit)
    hair[:, :2] = np.clip(hair[:, :2], 0, limit)
    x0, y0 = np.floor(outer.min(axis=0)).astype(int)
    x1, y1 = np.ceil(outer.max(axis=0)).astype(int) + 1
    region = Region(max(0, x0), max(0, y0), min(w, x1), min(h, y1))
    mesh_source = np.concatenate([points[MESH_LANDMARKS, :2], hair[:, :2], outer])
    warp = MeshWarp(mesh_source, region)
    mask = np.zeros((h, w), np.uint8)
    hull = cv2.convexHull(np.round(outer).astype(np.int32))
    cv2.fillConvexPoly(mask, hull, 255)
    return FaceRig(
        landmarks=points.astype(np.float32),
        frame=frame,
        canonical=frame.to_canonical(points).astype(np.float32),
        hair_ring=hair,
        outer_ring=outer,
        warp=warp,
        region_pixels=np.ascontiguousarray(mask[region.slices]),
        palette=_palette(image, points),
        eyes=build_eye_rigs(image, face.landmarks.astype(np.float64)),
    )


def rig_from_faces(
    image: np.ndarray, faces: list[DetectedFace], choose: str = "largest", index: int = 0
) -> PaintingRig:
    """Rig the faces the exhibit animates, among all the faces found in `image`."""
    if not faces:
        raise NoFaceError(
            "no face found in the painting: use a clearer, more frontal image of the face, or "
            "crop the image closer around it"
        )
    chosen = choose_faces(faces, choose, index)
    return PaintingRig(
        image=image,
        faces=tuple(build_face_rig(image, f) for f in chosen),
        all_faces=tuple(faces),
    )


def build_painting_rig(
    image: np.ndarray,
    detector: FaceMeshDetector,
    choose: str = "largest",
    index: int = 0,
) -> PaintingRig:
    """Detect faces once (static mode) and rig the ones the exhibit animates."""
    return rig_from_faces(image, detector.detect(image), choose, index)
