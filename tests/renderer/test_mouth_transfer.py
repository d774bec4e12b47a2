"""The visitor's mouth laid into a painting's lips: only inside the inner-lip outline, in the
painting's own colours (grayscale stays grayscale) and at its own levels (a dark camera mouth is
re-lit as the painting's interior), and only when the config asks for it."""

from __future__ import annotations

import cv2
import numpy as np

from kiosk.config import EngineConfig
from kiosk.evaluation.looks import grayscale
from kiosk.motion.controls import motion_from_controls
from kiosk.renderer.engine import Animation, animation_for
from kiosk.renderer.face_rig import FaceRig
from kiosk.renderer.mouth import draw_mouth_interior
from kiosk.renderer.mouth_transfer import visitor_interior
from kiosk.renderer.retarget import Gains, PoseLimits, target_mesh
from kiosk.tracking import landmarks as lm
from kiosk.tracking.mouth_patch import PATCH_H, PATCH_W, MouthPatch

INNER_OUTLINE = lm.as_index(lm.LIPS_INNER)
_LUMA = np.array([0.114, 0.587, 0.299])


def camera_mouth(colour: tuple[int, int, int], skin: tuple[float, float, float]) -> MouthPatch:
    """A patch of one colour with some structure (a brighter band of 'teeth' at the top)."""
    pixels = np.empty((PATCH_H, PATCH_W, 3), np.uint8)
    pixels[:] = colour
    pixels[: PATCH_H // 5] = np.minimum(np.array(colour) * 3, 255)
    return MouthPatch(pixels, np.array(skin, dtype=np.float64))


def open_targets(face: FaceRig) -> np.ndarray:
    motion = motion_from_controls({"jaw_open": 0.9})
    return target_mesh(face, motion, Gains(), PoseLimits()).landmarks


def inside(targets: np.ndarray, shape: tuple[int, ...], grow: int) -> np.ndarray:
    mask = np.zeros(shape[:2], np.uint8)
    cv2.fillPoly(mask, [np.round(targets[INNER_OUTLINE, :2]).astype(np.int32)], 255)
    size = 2 * abs(grow) + 1
    op = cv2.dilate if grow > 0 else cv2.erode
    return op(mask, np.ones((size, size), np.uint8)) > 0


def transferred(image: np.ndarray, face: FaceRig, patch: MouthPatch) -> tuple[np.ndarray, ...]:
    targets = open_targets(face)
    out = image.copy()
    draw_mouth_interior(out, targets, face.palette, interior=visitor_interior(patch))
    return out, targets


def test_only_pixels_inside_the_inner_lips_change(hopper, engine) -> None:
    face = engine.build_rig(hopper).faces[0]
    out, targets = transferred(hopper, face, camera_mouth((40, 50, 150), (110, 140, 190)))
    changed = np.any(out != hopper, axis=2)
    assert changed.sum() > 200
    assert not np.any(changed & ~inside(targets, hopper.shape, grow=1))
    # ... and it is the visitor's mouth, not the drawn one.
    drawn = hopper.copy()
    draw_mouth_interior(drawn, targets, face.palette)
    core = inside(targets, hopper.shape, grow=-2)
    assert np.abs(out[core].astype(int) - drawn[core]).mean() > 5


def test_a_red_camera_mouth_in_a_grayscale_painting_stays_grayscale(hopper, engine) -> None:
    gray = grayscale(hopper)
    face = engine.build_rig(gray).faces[0]
    for colour in ((20, 30, 200), (30, 180, 40), (200, 60, 20)):
        out, targets = transferred(gray, face, camera_mouth(colour, (90, 130, 200)))
        assert np.any(out != gray)
        spread = out.max(axis=2).astype(int) - out.min(axis=2)
        assert spread.max() <= 3


def test_brightness_is_relative_to_the_visitors_skin_and_held_to_the_paintings_levels(
    hopper, engine
) -> None:
    face = engine.build_rig(hopper).faces[0]
    core = None
    means = []
    for scale in (0.3, 1.0):  # the same mouth, under-exposed and well exposed
        colour = tuple(int(c * scale) for c in (60, 70, 140))
        skin = tuple(c * scale for c in (110, 140, 190))
        out, targets = transferred(hopper, face, camera_mouth(colour, skin))
        core = inside(targets, hopper.shape, grow=-3) if core is None else core
        means.append(float(out[core].astype(float).mean(axis=0) @ _LUMA))
    assert abs(means[0] - means[1]) <= 0.1 * means[1]
    # Nothing brighter than the painting's teeth, nothing darker than its cavity, but for the
    # painting's grain laid over it (the hopper photograph's: about 8 levels sd, hence the
    # percentiles).
    palette = face.palette
    lumas = out[core].astype(float) @ _LUMA
    assert np.percentile(lumas, 98) <= float(palette.teeth @ _LUMA) + 8
    assert np.percentile(lumas, 2) >= float(palette.cavity @ _LUMA) - 8


def test_the_config_switch_decides_whether_a_patch_is_used(hopper, engine) -> None:
    assert not animation_for_source("drawn").visitor_mouth
    assert animation_for_source("visitor").visitor_mouth
    rig = engine.build_rig(hopper)
    motion = motion_from_controls({"jaw_open": 0.9})
    patch = camera_mouth((40, 50, 150), (110, 140, 190))
    drawn = engine.render(rig, [motion], Animation())
    ignored = engine.render(rig, [motion], Animation(), mouths=[patch])
    used = engine.render(rig, [motion], Animation(visitor_mouth=True), mouths=[patch])
    fallback = engine.render(rig, [motion], Animation(visitor_mouth=True), mouths=[None])
    assert np.array_equal(drawn, ignored) and np.array_equal(drawn, fallback)
    assert not np.array_equal(drawn, used)


def animation_for_source(source: str) -> Animation:
    from kiosk.exhibits.schema import Animation as ExhibitAnimation

    return animation_for(ExhibitAnimation(), EngineConfig(mouth_interior_source=source))
