"""A painting's own teeth (the astronaut sample smiles with hers) are kept when the mouth
opens: the upper teeth stay with the skull, the lower teeth go down with the jaw, and the
drawn interior shows only between them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.exhibits.samples import ensure_sample_content
from kiosk.motion.controls import motion_from_controls
from kiosk.renderer.engine import GeometricEngine
from kiosk.renderer.face_rig import PaintingRig
from kiosk.renderer.own_teeth import painted_mouth
from kiosk.renderer.retarget import target_mesh
from kiosk.tracking import landmarks as lm


@pytest.fixture(scope="module")
def rigs(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[GeometricEngine, dict]]:
    content = tmp_path_factory.mktemp("content")
    ensure_sample_content(Path(content))
    engine = GeometricEngine()
    rigs = {
        name: engine.build_rig(cv2.imread(str(content / "samples" / name)))
        for name in ("astronaut.png", "grace_hopper.jpg")
    }
    yield engine, rigs
    engine.close()


def luma(image: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(image, cv2.COLOR_BGR2GRAY).astype(np.float64)


def half_mask(rig: PaintingRig, which: str) -> np.ndarray:
    teeth = rig.faces[0].own_teeth
    assert teeth is not None
    alpha = teeth.upper_alpha if which == "upper" else teeth.lower_alpha
    mask = np.zeros(rig.image.shape[:2], bool)
    x0, y0 = teeth.origin
    h, w = alpha.shape
    mask[y0 : y0 + h, x0 : x0 + w] = alpha > 0.9
    return mask


def test_only_a_painting_with_parted_lips_keeps_its_own_teeth(rigs) -> None:
    _, by_name = rigs
    assert by_name["astronaut.png"].faces[0].own_teeth is not None
    assert by_name["grace_hopper.jpg"].faces[0].own_teeth is None


def test_the_upper_teeth_stay_where_they_are_as_the_mouth_opens(rigs) -> None:
    engine, by_name = rigs
    rig = by_name["astronaut.png"]
    upper = half_mask(rig, "upper")
    still = luma(rig.image)[upper]
    opened = luma(engine.render(rig, [motion_from_controls({"jaw_open": 0.6})]))[upper]
    assert still.mean() > 120  # her upper teeth are bright
    assert np.abs(opened - still).mean() < 12  # ... and are still there, not a dark hole


def test_the_lower_teeth_go_down_with_the_jaw(rigs) -> None:
    engine, by_name = rigs
    rig = by_name["astronaut.png"]
    face = rig.faces[0]
    motion = motion_from_controls({"jaw_open": 0.6})
    targets = target_mesh(face, motion).landmarks
    drop = float(targets[lm.LOWER_LIP_INNER_MID, 1] - face.landmarks[lm.LOWER_LIP_INNER_MID, 1])
    assert drop > 4.0
    lower = half_mask(rig, "lower")
    still = luma(rig.image)
    out = luma(engine.render(rig, [motion]))
    ys, xs = np.nonzero(lower)
    # How far down the lower half's pixels best match the render (rows, whole pixels).
    shifts = np.arange(-2, int(drop) + 8)
    errors = [np.abs(out[ys + s, xs] - still[ys, xs]).mean() for s in shifts]
    found = int(shifts[int(np.argmin(errors))])
    assert found == pytest.approx(drop, abs=max(2.0, 0.3 * drop))
    assert min(errors) < 0.5 * errors[2]  # moved, it matches far better than left in place


def test_lip_paint_with_a_glint_between_parted_lips_is_not_kept_as_teeth(rigs) -> None:
    """Parted lips that show mostly lip paint (imprecise inner-lip landmarks) and a glint are
    not kept: carried into the opening with the jaw, that paint read as closed lips."""
    _, by_name = rigs
    rig = by_name["astronaut.png"]
    face = rig.faces[0]
    points = face.landmarks.astype(np.float64)
    inside = np.zeros(rig.image.shape[:2], np.uint8)
    cv2.fillPoly(inside, [np.round(points[list(lm.LIPS_INNER), :2]).astype(np.int32)], 255)
    image = rig.image.copy()
    image[inside > 0] = np.round(face.palette.lip).astype(np.uint8)
    assert painted_mouth(image, points, face.palette.rest_gap, face.palette.lip) is None
    ys, xs = np.nonzero(inside)
    glint = (ys - ys.mean()) ** 2 + (xs - xs.mean()) ** 2 < 4.0
    image[ys[glint], xs[glint]] = 250
    assert painted_mouth(image, points, face.palette.rest_gap, face.palette.lip) is None
    # Her own teeth, as painted, are kept.
    assert painted_mouth(rig.image, points, face.palette.rest_gap, face.palette.lip) is not None


def test_lips_pressed_shut_hide_the_painted_teeth(rigs) -> None:
    """For p, b and m a painted open mouth shuts (lips_press): its lips meet in a line and
    hardly any of the teeth between them shows (the coarse warp left a stripe of them at the
    seam: 20 of the 43 brightest teeth pixels at rest showed; 8 do now)."""
    engine, by_name = rigs
    rig = by_name["astronaut.png"]
    teeth = half_mask(rig, "upper") | half_mask(rig, "lower")
    painting = luma(rig.image)
    bright = np.percentile(painting[teeth], 75)
    ys, xs = np.nonzero(teeth)
    box = (slice(ys.min() - 3, ys.max() + 4), slice(xs.min() - 3, xs.max() + 4))
    # Highlights the painting has outside its teeth (on the lips and skin) are not teeth.
    highlight = (painting >= bright) & ~teeth

    def bright_teeth(image: np.ndarray) -> int:
        return int(((luma(image) >= bright) & ~highlight)[box].sum())

    at_rest = bright_teeth(engine.render(rig, [motion_from_controls({})]))
    shut = bright_teeth(engine.render(rig, [motion_from_controls({"lips_press": 1.0})]))
    assert at_rest > 30
    assert shut <= 0.25 * at_rest
