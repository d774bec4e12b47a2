"""A painting's face rig: built once per painting (the slow part), reused for every frame."""

from __future__ import annotations

from dataclasses import dataclass, replace

import cv2
import numpy as np

from kiosk.exhibits.corrections import GROUPS, Corrections
from kiosk.motion.geometry import FaceFrame, face_frame
from kiosk.motion.proportions import offset_scale, reference_face
from kiosk.renderer.detail import TextureSplit, split_texture
from kiosk.renderer.drawn_teeth import drawn_teeth_colour
from kiosk.renderer.eye_rig import EyeRig, build_eye_rigs
from kiosk.renderer.own_teeth import PaintedMouth, painted_mouth
from kiosk.renderer.tone import LUMA_BGR, Tone, face_tone, grain_sample
from kiosk.renderer.warp import MeshWarp, Region
from kiosk.tracking import landmarks as lm
from kiosk.tracking.face_mesh import DetectedFace
from kiosk.tracking.landmarks import lips_parted

ENGINE_VERSION = "geometric-1"

# Iris points are left out of the warp mesh: a closing lid must sweep over the iris, and
# triangles pinned to the iris would fold over instead.
MESH_LANDMARKS = np.arange(468, dtype=np.intp)
HAIR_RING_SCALE = 1.35  # hair, ears, jaw line: follow the head (HAIR_RING_FOLLOW)
OUTER_RING_SCALE = 1.95  # neck, shoulders, background: never moves
# How much of the head's movement the hair ring takes: HAIR_RING_FOLLOW above the eyes (hair
# and ears go with the skull), fading to HAIR_RING_FOLLOW_NECK at the chin and below, where the
# ring lies on the neck, collar and shoulders, which stay with the body. Taking it all round
# moved a sitter's collar with every turn; a video of the same turn keeps it (self-reenactment
# L1 0.771x -> 0.744x over kiosk eval's five clips, 120 frames, with 0.2 at the neck; 0.741x ->
# 0.733x with none, 200 frames: 0.35 gave 0.747x). The neck itself still turns with the head:
# it lies inside the ring, between it and the jaw.
HAIR_RING_FOLLOW = 0.9
HAIR_RING_FOLLOW_NECK = 0.0
# How far up the ring reaches above the face's centre, over the oval's own height there: the
# oval's top is the forehead, and the crown with its hair lies well above it. At the ring's
# 1.35 the hair on top of the head lay above the ring and hardly moved as the head moved.
HAIR_RING_RISE = 1.6
# How deep the head's outline lies (inter-ocular distances behind the centre of the face's
# skull-fixed points, in the detector's depth): the outline of the hair and the skull is where
# they are widest, about level with the ears, not on the face oval the ring is drawn from (whose
# top, the forehead, lies 1.4 in front of that). Posed at the oval's depth, the ring's top swung
# with the face as the head turned, where a video's hair outline keeps still: a head turns on
# its neck, whose axis lies about as deep (a driver's measured translation carries the face's
# swing about it: d3's is -1.37 inter-ocular distances times the sine of its turn, r -1.00).
# On d3 the hair's outline moved about twice as far as the video's.
# Self-reenactment L1 (kiosk eval's five clips, 200 frames): 0.733x before; the ring 1.2 deep
# 0.701x (1.6 deep 0.705x), with the follow 0.7 -> 0.95 0.697x, and reaching up 1.6 0.687x
# (0.85 follow: 0.689x; 1.45 up: 0.690x, 1.9 up: 0.692x); kept: 0.9 follow, 0.688x.
HAIR_RING_DEPTH = 1.2


class NoFaceError(ValueError):
    """The painting has no face the detector can find."""


@dataclass(frozen=True, slots=True)
class MouthPalette:
    """How a painted mouth interior looks, measured from the painting itself.

    Colours are BGR floats. `softness` is the Gaussian sigma (pixels) that makes a drawn
    interior as soft as the paint around the mouth; `rest_gap` is how far the painting's own lips
    are parted (`lips_parted`), so a painting with parted lips keeps its own mouth until it opens
    more.
    """

    cavity: np.ndarray
    teeth: np.ndarray
    drawn_teeth: np.ndarray  # the colour the interior draws its teeth in (drawn_teeth.py)
    skin: np.ndarray
    lip: np.ndarray
    tongue: np.ndarray
    softness: float
    rest_gap: float
    # The painting's grain from the skin below the mouth (tone.grain_sample), added to the
    # drawn interior; None: none found.
    grain: np.ndarray | None = None
    # Where the light comes from across the face: -1 the image's left (the sitter's right
    # cheek is the brighter), +1 its right, 0 even.
    light: float = 0.0
    # The face's own range of colours (tone.face_tone): what a transferred mouth is held to.
    tone: Tone | None = None


@dataclass(frozen=True, slots=True)
class FaceRig:
    landmarks: np.ndarray  # (478, 3) neutral, image pixels
    frame: FaceFrame
    canonical: np.ndarray  # (478, 3) neutral in the face's own frame, IOD units
    hair_ring: np.ndarray  # (R, 3) image-space points that follow the head partly
    hair_follow: np.ndarray  # (R, 1) how much of the head's movement each of them takes
    outer_ring: np.ndarray  # (R, 2) fixed points bounding the animated region
    warp: MeshWarp
    region_pixels: np.ndarray  # uint8, region-sized: 255 where pixels may change
    palette: MouthPalette
    offset_scale: np.ndarray  # (478, 3) reference-face offsets -> this face (proportions)
    eyes: tuple[EyeRig, ...] = ()  # bare eyeballs and irises, for gaze
    # The region split into a smooth layer and the face's fine texture, so the warp keeps
    # the texture sharp (kiosk.renderer.detail); None: the region is warped as painted.
    texture: TextureSplit | None = None
    # What shows between the lips at rest, when they are parted (own_teeth); None: closed.
    own_teeth: PaintedMouth | None = None

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
    """The painting at the resolution it is rendered at, and the rigs of its animated faces.

    That is the resolution it is shown at, unless `shown_size` says otherwise: then renders
    are scaled up to it (`kiosk.renderer.rig_store.render_size` chooses when).
    """

    image: np.ndarray
    faces: tuple[FaceRig, ...]
    all_faces: tuple[DetectedFace, ...]  # every face found, for curator previews
    shown_size: tuple[int, int] | None = None  # (w, h) on screen; None: image's own size

    @property
    def face_pixels(self) -> int:
        """The animated area: every face's head-and-neck region, in rendered pixels. Rendering
        costs about this many pixels' worth of work per frame."""
        return sum(face.region.width * face.region.height for face in self.faces)


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


def _ring(
    frame: FaceFrame, oval: np.ndarray, scale: float, rise: float | None = None
) -> np.ndarray:
    """The face oval pushed outwards (in the face's own plane), longer downwards for the neck;
    `rise`: the upper half pushed up by that (not `scale`) for the hair on the crown."""
    canon = frame.to_canonical(oval)
    centre = canon.mean(axis=0)
    spread = canon - centre
    stretch = np.where(spread[:, 1:2] > 0, 1.0 + (scale - 1.0) * 1.25, scale)
    pushed = centre + spread * stretch
    if rise is not None:
        up = spread[:, 1] < 0
        pushed[up, 1] = centre[1] + spread[up, 1] * rise
    pushed[:, 2] = canon[:, 2]
    return frame.to_image(pushed)


def _outline_depth(frame: FaceFrame, ring: np.ndarray) -> np.ndarray:
    """`ring` (image space) with no point nearer the viewer than the head's outline
    (HAIR_RING_DEPTH). Only the image depth changes: the ring stays where it is drawn (pushing it
    back along the face's own axis would move it sideways on a face seen in three-quarter)."""
    outline = frame.to_image(np.array([0.0, 0.0, HAIR_RING_DEPTH]))[2]
    deep = ring.copy()
    deep[:, 2] = np.maximum(ring[:, 2], outline)
    return deep


def _hair_follow(frame: FaceFrame, points: np.ndarray, hair: np.ndarray) -> np.ndarray:
    """Each hair-ring point's share of the head's movement, by its height on the face."""
    eyes = frame.to_canonical(points[[lm.RIGHT_EYE_OUTER, lm.LEFT_EYE_OUTER]])[:, 1].mean()
    chin = float(frame.to_canonical(points[lm.CHIN])[1])
    height = frame.to_canonical(hair)[:, 1]
    follow = np.interp(height, [eyes, chin], [HAIR_RING_FOLLOW, HAIR_RING_FOLLOW_NECK])
    return follow[:, None]


_RIGHT_CHEEK = lm.as_index(lm.RIGHT_CHEEK)
_LEFT_CHEEK = lm.as_index(lm.LEFT_CHEEK)


def _polygon_pixels(
    image: np.ndarray, polygon: np.ndarray, hole: np.ndarray | None = None
) -> np.ndarray:
    """The (N, 3) float pixels of `image` inside `polygon`, less those inside `hole`."""
    x0, y0 = np.maximum(np.floor(polygon.min(axis=0)).astype(int), 0)
    x1, y1 = np.ceil(polygon.max(axis=0)).astype(int) + 1
    crop = image[y0:y1, x0:x1]
    mask = np.zeros(crop.shape[:2], np.uint8)
    cv2.fillPoly(mask, [np.round(polygon - (x0, y0)).astype(np.int32)], 255)
    if hole is not None:
        cv2.fillPoly(mask, [np.round(hole - (x0, y0)).astype(np.int32)], 0)
    return crop[mask > 0].astype(np.float64).reshape(-1, 3)


def _side_light(right_cheek: np.ndarray, left_cheek: np.ndarray) -> float:
    """Which side the light comes from, -1 (the image's left) to 1, from the two cheeks'
    pixels (the sitter's right cheek is on the image's left); 0 if either is too small."""
    if len(left_cheek) < 8 or len(right_cheek) < 8:
        return 0.0
    right, left = float(right_cheek.mean()), float(left_cheek.mean())
    return float(np.clip((left - right) / max(left + right, 1.0) * 2.0, -1.0, 1.0))


def _softness(image: np.ndarray, lips: np.ndarray) -> float:
    """The share of fine detail (sigma-1 high-pass) in the medium detail (sigma 3) around the
    mouth, as the blur (sigma, px) a drawn interior needs: soft paint gets a softer one."""
    half = 0.9 * float(np.ptp(lips[:, 0])) + 4.0
    x0, y0 = np.maximum(np.floor(lips.mean(axis=0) - half).astype(int), 0)
    x1, y1 = np.ceil(lips.mean(axis=0) + half).astype(int)
    grey = cv2.cvtColor(image[y0:y1, x0:x1], cv2.COLOR_BGR2GRAY).astype(np.float32)
    if min(grey.shape) < 8:
        return 0.8
    fine = float(np.mean(np.abs(grey - cv2.GaussianBlur(grey, (0, 0), 1.0))))
    medium = float(np.mean(np.abs(grey - cv2.GaussianBlur(grey, (0, 0), 3.0))))
    return float(np.interp(fine / max(medium, 1e-3), [0.25, 0.5], [1.6, 0.5]))


def _palette(image: np.ndarray, points: np.ndarray) -> MouthPalette:
    """Mouth-interior colours, light, grain and softness from the paint of the lips and
    cheeks."""
    luma_w = LUMA_BGR
    ivory = np.array([150.0, 198.0, 228.0])  # BGR of warm, aged ivory
    lips = points[lm.as_index(lm.LIPS_OUTER), :2]
    lip_px = _polygon_pixels(image, lips, points[lm.as_index(lm.LIPS_INNER), :2])
    lip = lip_px.mean(axis=0) if len(lip_px) else np.array([60.0, 60.0, 120.0])
    skin_px = _polygon_pixels(image, points[_RIGHT_CHEEK, :2])
    skin_px = skin_px if len(skin_px) >= 8 else lip[None]
    skin = skin_px.mean(axis=0)
    luma = skin_px @ luma_w
    highlight = skin_px[luma >= np.percentile(luma, 85)].mean(axis=0)
    # Teeth: the skin's highlight, half desaturated, mixed with ivory, darker than that highlight
    # and never brighter than the painting's own brightest paint, or they glow.
    h_luma = max(float(highlight @ luma_w), 1.0)
    tint = 0.25 * (highlight + h_luma) / h_luma + 0.5 * ivory / float(ivory @ luma_w)
    teeth = tint * min(0.86 * h_luma, 0.9 * float(np.percentile(image[..., 1], 99)), 215.0)
    depth = float(skin @ luma_w) / max(float(lip @ luma_w), 1.0)
    # Dark: a mouth photographed or painted is nearly black at the back, and the face tracker
    # reads a lighter opening as closed lips (the old woman's mouth followed d10 at 0.23 with
    # 0.22 of the lips' colour, 0.63 with 0.11 and 0.69 with this).
    cavity = lip * min(0.09, 0.066 * depth) + np.array([3.0, 3.0, 6.0])
    tongue = lip * min(0.6, 0.45 * depth) * np.array([0.85, 0.85, 1.1])
    # Invented colours stay within the face's own: ivory teeth and a red tongue in a grayscale
    # photograph were up to 23 levels off grey.
    tone = face_tone(image, points[lm.as_index(lm.FACE_OVAL), :2])
    teeth, cavity, tongue = (tone.clamp(c) for c in (teeth, cavity, tongue))
    # Grain from the skin between the lower lip and the chin: the same paint, film or canvas.
    chin = 0.5 * (points[lm.CHIN, :2] + points[lm.LIPS_OUTER_LOWER[4], :2])
    size = (int(np.ptp(lips[:, 0])) + 4, int(np.ptp(lips[:, 1])) + 4)
    return MouthPalette(
        light=_side_light(skin_px, _polygon_pixels(image, points[_LEFT_CHEEK, :2])),
        grain=grain_sample(image, chin, size),
        cavity=cavity,
        teeth=teeth,
        drawn_teeth=drawn_teeth_colour(skin, teeth, tone),
        skin=skin,
        lip=lip,
        tongue=tongue,
        softness=_softness(image, lips),
        rest_gap=lips_parted(points),
        tone=tone,
    )


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
    _keep_eye_relief(out, points)
    # Iris points follow the depth change of their eye.
    for iris, eye in ((lm.RIGHT_IRIS, lm.RIGHT_EYE_CONTOUR), (lm.LEFT_IRIS, lm.LEFT_EYE_CONTOUR)):
        shift = (out[list(eye), 2] - points[list(eye), 2]).mean()
        out[list(iris), 2] = points[list(iris), 2] + shift
    return out


# Each eye with the skin just above its lid, kept as the detector shaped it in depth.
_EYE_UNITS = tuple(
    lm.as_index(contour + ring)
    for contour, ring in (
        (lm.RIGHT_EYE_CONTOUR, lm.RIGHT_EYE_UPPER_RING),
        (lm.LEFT_EYE_CONTOUR, lm.LEFT_EYE_UPPER_RING),
    )
)


def _keep_eye_relief(smooth: np.ndarray, points: np.ndarray) -> None:
    """Each eye sits at the smooth surface's depth but keeps its own relief from the detector
    (in place on `smooth`). On the smooth surface an eye's outer corner lay much deeper than
    its inner one (about 30 degrees across a frontal eye, against the detector's 11), so in a
    head turn the far eye narrowed and the near one widened three times as fast as a real
    visitor's: the far eye of a turned painting squeezed shut to the eye and the tracker."""
    for eye in _EYE_UNITS:
        relief = points[eye, 2] - points[eye, 2].mean()
        smooth[eye, 2] = smooth[eye, 2].mean() + relief


def build_face_rig(image: np.ndarray, face: DetectedFace) -> FaceRig:
    h, w = image.shape[:2]
    points = _smooth_contour_depth(_turnable_depth(face.landmarks.astype(np.float64)))
    frame = face_frame(points)
    oval = points[lm.as_index(lm.FACE_OVAL)]
    ring = _ring(frame, oval, HAIR_RING_SCALE, HAIR_RING_RISE)
    hair = _outline_depth(frame, ring)
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
    canonical = frame.to_canonical(points).astype(np.float32)
    palette = _palette(image, points)
    return FaceRig(
        landmarks=points.astype(np.float32),
        frame=frame,
        canonical=canonical,
        hair_ring=hair,
        hair_follow=_hair_follow(frame, points, ring),
        outer_ring=outer,
        warp=warp,
        region_pixels=np.ascontiguousarray(mask[region.slices]),
        palette=palette,
        offset_scale=offset_scale(reference_face(), canonical),
        eyes=build_eye_rigs(image, face.landmarks.astype(np.float64)),
        texture=split_texture(image, region, oval, frame.iod),
        own_teeth=painted_mouth(image, points, palette.rest_gap, palette.lip),
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


def apply_corrections(
    landmarks: np.ndarray, image_wh: tuple[int, int], corrections: Corrections | None
) -> np.ndarray:
    """A corrected copy of (478, 3) pixel landmarks of an image `image_wh` = (width, height)."""
    out = np.array(landmarks, dtype=np.float64, copy=True)
    if corrections is None:
        return out.astype(landmarks.dtype, copy=False)
    detected = out[:, :2].copy()
    w, h = image_wh
    for group, (dx, dy) in corrections.group_moves().items():
        out[lm.as_index(GROUPS[group]), :2] += (dx * w, dy * h)
    for group, factor in corrections.group_scales().items():
        idx = lm.as_index(GROUPS[group])
        points = detected[idx]
        out[idx, :2] += (factor - 1.0) * (points - points.mean(axis=0))
    return out.astype(landmarks.dtype, copy=False)


def correct_faces(
    faces: list[DetectedFace],
    image_wh: tuple[int, int],
    corrections: Corrections | None,
    choose: str = "largest",
    index: int = 0,
) -> list[DetectedFace]:
    """`faces` with the corrections applied to the exhibit's face (for choose: all, the largest).

    The face keeps its detected box, so correcting it never changes which face is chosen.
    """
    if corrections is None or corrections.is_empty or not faces:
        return list(faces)
    target = choose_faces(faces, "largest" if choose == "all" else choose, index)[0]
    return [
        replace(f, landmarks=apply_corrections(f.landmarks, image_wh, corrections))
        if f is target
        else f
        for f in faces
    ]
