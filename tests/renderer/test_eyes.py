"""Eyes on a real face photo: closed lids keep the painting's texture, a closing lid comes down
over the open eye (not a veil), fades in without a step and shuts completely, its lashes reach
both corners; the iris is redrawn for a closing eye (kiosk.renderer eye_rig, gaze, lids)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import cv2
import matplotlib
import numpy as np
import pytest

from kiosk.motion.controls import motion_from_controls
from kiosk.renderer.engine import GeometricEngine
from kiosk.renderer.face_rig import PaintingRig
from kiosk.renderer.gaze import draw_gaze
from kiosk.renderer.lids import LID_COVER, LID_FULL_AT, MIN_LID_COVER, draw_lids, eye_closure
from kiosk.renderer.retarget import expressed_landmarks, target_landmarks, target_mesh
from tests.conftest import shared_data

SAMPLE = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
BLINK = motion_from_controls({"blink": 1.0})


@pytest.fixture(scope="module")
def rig(engine: GeometricEngine) -> PaintingRig:
    image = cv2.imread(str(SAMPLE))
    assert image is not None, SAMPLE
    return engine.build_rig(image)


def abs_diff(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.abs(a.astype(np.int16) - b.astype(np.int16)).max(axis=2)


def _fine_texture(image: np.ndarray, mask: np.ndarray) -> float:
    """Mean strength of detail finer than a few pixels inside `mask`."""
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY).astype(np.float32)
    return float(np.abs(grey - cv2.GaussianBlur(grey, (0, 0), 2.0))[mask > 0].mean())


def test_closed_lids_keep_the_paintings_texture(engine: GeometricEngine, rig: PaintingRig) -> None:
    """A closed lid is skin with the painting's grain, not a flat patch of colour: its fine
    texture is of the order of the skin around it, and well above a plain lid's (one colour,
    no texture and no light and shade of the painting's)."""
    face = rig.faces[0]
    flat_face = dataclasses.replace(
        face,
        eyes=tuple(dataclasses.replace(e, lid_detail=None, lid_base=None) for e in face.eyes),
    )
    flat_rig = dataclasses.replace(rig, faces=(flat_face,))
    closed = BLINK
    textured, flat = engine.render(rig, [closed]), engine.render(flat_rig, [closed])
    targets = target_landmarks(face, closed)
    lids = np.zeros(rig.image.shape[:2], np.uint8)
    skin = np.zeros_like(lids)
    for eye in face.eyes:
        opening = face.landmarks[eye.contour, :2]  # where the open eye was painted
        cv2.fillPoly(lids, [np.round(opening).astype(np.int32)], 255)
        below = targets[eye.contour, :2] + (0.0, 0.6 * np.ptp(opening[:, 1]) + 4.0)
        cv2.fillPoly(skin, [np.round(below).astype(np.int32)], 255)
    lids = cv2.erode(lids, np.ones((5, 5), np.uint8))  # away from the lash line
    around = _fine_texture(rig.image, skin)
    assert _fine_texture(textured, lids) > 0.5 * around
    assert _fine_texture(textured, lids) > 1.5 * _fine_texture(flat, lids)


def test_lids_of_an_eye_squeezed_to_a_point_are_drawn_without_texture(rig: PaintingRig) -> None:
    """Eye corners that meet leave no room to place the lid's texture: the lid is drawn plain
    (as it would be without texture), not tinted by one stretched texture pixel."""

    face = rig.faces[0]
    targets = target_landmarks(face, BLINK).copy()
    for eye in face.eyes:
        outer, inner = eye.corners
        targets[inner] = targets[outer]
    textured, plain = rig.image.copy(), rig.image.copy()
    for eye in face.eyes:
        draw_lids(textured, eye, face.landmarks, targets, (0, 0), face.palette.skin)
        flat = dataclasses.replace(eye, lid_detail=None)
        draw_lids(plain, flat, face.landmarks, targets, (0, 0), face.palette.skin)
    assert np.array_equal(textured, plain)


def test_a_tilted_or_nodding_head_alone_draws_no_lid(rig: PaintingRig) -> None:
    """How far an eye closed is measured without the head's movement: a tilt or a nod with the
    eyes open draws no lid (measured in the image, a 15 degree tilt drew one a ninth closed);
    a blink still does, tilted or not."""

    face = rig.faces[0]
    for controls, lids in (
        ({"roll": 15.0}, False),
        ({"roll": -15.0}, False),
        ({"pitch": -12.0}, False),
        ({"blink": 1.0, "roll": 15.0}, True),
    ):
        motion = motion_from_controls(controls)
        targets = target_landmarks(face, motion)
        expressed = expressed_landmarks(face, motion)
        out = rig.image.copy()
        for eye in face.eyes:
            draw_lids(out, eye, face.landmarks, targets, (0, 0), face.palette.skin, expressed)
        assert (not np.array_equal(out, rig.image)) == lids, controls


def test_a_half_closed_eye_is_lid_over_an_open_eye_not_a_veil(rig: PaintingRig) -> None:
    """A closing lid covers the eye from the crease down to its moving margin; the part of the
    eye still open below the margin is left as it was (it used to be veiled, the iris showing
    through a half-transparent lid)."""

    face = rig.faces[0]
    motion = motion_from_controls({"blink": 0.5})
    targets = target_landmarks(face, motion)
    expressed = expressed_landmarks(face, motion)
    frame = rig.image.copy()
    out = frame.copy()
    still_open = np.zeros(frame.shape[:2], np.uint8)
    lid = np.zeros_like(still_open)
    for eye in face.eyes:
        assert 0.3 < eye_closure(eye, face.landmarks, expressed) < 0.7
        draw_lids(out, eye, face.landmarks, targets, (0, 0), face.palette.skin, expressed)
        opening = np.concatenate([targets[eye.upper, :2], targets[eye.lower[::-1], :2]])
        cv2.fillPoly(still_open, [np.round(opening).astype(np.int32)], 255)
        crease = np.concatenate([targets[eye.ring, :2], targets[eye.upper[::-1], :2]])
        cv2.fillPoly(lid, [np.round(crease).astype(np.int32)], 255)
    # Two pixels in from the margin, where only the soft tail of the lash line may reach.
    still_open = cv2.erode(still_open, np.ones((5, 5), np.uint8))
    lid = cv2.erode(lid, np.ones((5, 5), np.uint8))
    assert still_open.any() and lid.any()
    assert abs_diff(out, frame)[still_open > 0].max() <= 4
    assert abs_diff(out, frame)[lid > 0].mean() > 2.0


def test_a_closing_eye_is_redrawn_so_its_lid_hides_the_iris_rather_than_squeezing_it(
    rig: PaintingRig,
) -> None:
    """With the iris where the warp carries it, an open eye needs no redraw; a closing one is
    redrawn (its iris whole, cut by the lowered lid) instead of left squeezed by the warp."""

    face = rig.faces[0]
    mesh, targets, _ = target_mesh(face, motion_from_controls({"blink": 0.5}))
    targets = targets.copy()
    for eye in face.eyes:
        targets[eye.iris_centre, :2] = eye.carry_weights @ targets[eye.contour, :2]
    source_map = face.warp.source_map(mesh)
    warped = face.warp.remap(rig.image, source_map)
    origin = (face.region.x0, face.region.y0)
    for closure, redrawn in ((0.0, False), (0.5, True)):
        out = warped.copy()
        for eye in face.eyes:
            draw_gaze(out, source_map, eye, targets, origin, closure)
        assert (not np.array_equal(out, warped)) == redrawn, closure


def test_the_lid_fades_in_without_a_step(rig: PaintingRig) -> None:
    """The closure at which the lid starts being drawn changes no pixel by more than a few
    levels, so tracking noise around it cannot make the lid flicker."""

    face = rig.faces[0]
    targets = target_landmarks(face, motion_from_controls({"blink": 0.5}))
    first = MIN_LID_COVER / LID_COVER * LID_FULL_AT
    for closure, most in ((0.99 * first, 0), (1.01 * first, 6)):
        out = rig.image.copy()
        for eye in face.eyes:
            draw_lids(out, eye, face.landmarks, targets, (0, 0), face.palette.skin, None, closure)
        change = abs_diff(out, rig.image).max()
        assert change <= most and (most == 0 or change > 0), (closure, change)


def test_an_all_but_shut_eye_closes_completely(rig: PaintingRig) -> None:
    """A painting's lids may not quite meet at a visitor's full blink: from nearly shut the
    sliver still open between them is covered by the lid too; half closed, it is not."""

    face = rig.faces[0]
    targets = target_landmarks(face, motion_from_controls({"blink": 0.6}))
    sliver = np.zeros(rig.image.shape[:2], np.uint8)
    for eye in face.eyes:
        opening = np.concatenate([targets[eye.upper, :2], targets[eye.lower[::-1], :2]])
        cv2.fillPoly(sliver, [np.round(opening).astype(np.int32)], 255)
    sliver = cv2.erode(sliver, np.ones((5, 5), np.uint8))
    assert sliver.any()
    changed = {}
    for closure in (0.5, 1.0):
        out = rig.image.copy()
        for eye in face.eyes:
            draw_lids(out, eye, face.landmarks, targets, (0, 0), face.palette.skin, None, closure)
        changed[closure] = float(abs_diff(out, rig.image)[sliver > 0].mean())
    # Half closed, only the soft tail of the opaque lid's lash line reaches into the sliver.
    assert changed[0.5] < 3.0 and changed[1.0] > 10.0, changed


def test_the_lash_line_of_a_shut_lid_reaches_both_corners_of_the_eye(rig: PaintingRig) -> None:
    """The lashes of a closed lid run from corner to corner: at both eye corners the shut lid
    is drawn dark with lashes, not in the lid's skin tone."""

    face = rig.faces[0]
    targets = target_landmarks(face, motion_from_controls({"blink": 1.0}))
    out = rig.image.copy()
    for eye in face.eyes:
        draw_lids(out, eye, face.landmarks, targets, (0, 0), face.palette.skin, None, 1.0)
    grey = cv2.cvtColor(out, cv2.COLOR_BGR2GRAY).astype(float)
    for eye in face.eyes:
        assert eye.near_skin is not None
        lid_grey = float(eye.near_skin @ np.array([0.114, 0.587, 0.299]))
        for corner in eye.corners:
            x, y = np.round(targets[corner, :2]).astype(int)
            assert grey[y, x] < 0.8 * lid_grey, (corner, grey[y, x], lid_grey)


def test_the_lid_comes_down_over_the_iris_from_above(
    engine: GeometricEngine, rig: PaintingRig
) -> None:
    """Half closed, the iris below the lid's margin is the painted iris (not a grey smear) and
    above it is the lid's skin, opaque (the iris used to show through a part-transparent lid)."""
    face = rig.faces[0]
    motion = motion_from_controls({"blink": 0.5})
    out = cv2.cvtColor(engine.render(rig, [motion]), cv2.COLOR_BGR2GRAY).astype(float)
    still = cv2.cvtColor(rig.image, cv2.COLOR_BGR2GRAY).astype(float)
    targets = target_landmarks(face, motion)
    for eye in face.eyes:
        cx, cy = face.landmarks[eye.iris_centre, :2]
        r = eye.radius
        yy, xx = np.mgrid[0 : out.shape[0], 0 : out.shape[1]]
        iris = (xx - cx) ** 2 + (yy - cy) ** 2 < (0.8 * r) ** 2
        margin = np.interp(xx, *targets[eye.upper, :2][np.argsort(targets[eye.upper, 0])].T)
        below = iris & (yy > margin + 2) & (yy < cy + 0.6 * r)
        above = iris & (yy < margin - 2)
        assert below.sum() > 5 and above.sum() > 5
        assert abs(out[below].mean() - still[below].mean()) < 20  # the iris, as painted
        assert out[above].mean() > still[iris].mean() + 40  # skin, not iris showing through


def test_a_shut_lid_has_a_crease(rig: PaintingRig, monkeypatch: pytest.MonkeyPatch) -> None:
    """A shut lid is not a flat patch: along the fold above it (the ring over the lid) it is
    drawn darker than the same lid without its crease."""
    from kiosk.renderer import lids

    face = rig.faces[0]
    targets = target_landmarks(face, BLINK)
    drawn, dark = {}, lids.CREASE_DARK
    for crease in (dark, 0):
        monkeypatch.setattr(lids, "CREASE_DARK", crease)
        out = rig.image.copy()
        for eye in face.eyes:
            draw_lids(out, eye, face.landmarks, targets, (0, 0), face.palette.skin, None, 1.0)
        drawn[crease] = cv2.cvtColor(out, cv2.COLOR_BGR2GRAY).astype(float)
    for eye in face.eyes:
        fold = np.round(targets[eye.ring[2:-2], :2]).astype(int)
        with_crease = drawn[dark][fold[:, 1], fold[:, 0]]
        without = drawn[0][fold[:, 1], fold[:, 0]]
        assert (without - with_crease).mean() > 8, (without, with_crease)


def test_a_shut_lids_lash_line_narrows_towards_the_corners(
    engine: GeometricEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Drawn one width corner to corner, the lash line of a large eye ended in thick hooks
    where the margin turns up into a corner; now it is as wide as that one width at the middle
    of the lid (LASH_WIDTH) and narrower near the corners."""
    from kiosk.renderer import lids

    image = cv2.imread(str(SAMPLE))
    big = engine.build_rig(cv2.resize(image, None, fx=3, fy=3, interpolation=cv2.INTER_CUBIC))
    face = big.faces[0]
    targets = target_landmarks(face, BLINK)
    drawn: dict[float, np.ndarray] = {}
    tapered = lids.LASH_END_WIDTH
    for end in (tapered, 1.0):  # tapered, and one width all along
        monkeypatch.setattr(lids, "LASH_END_WIDTH", end)
        out = big.image.copy()
        for eye in face.eyes:
            draw_lids(out, eye, face.landmarks, targets, (0, 0), face.palette.skin, None, 1.0)
        drawn[end] = cv2.cvtColor(out, cv2.COLOR_BGR2GRAY).astype(float)
    # How much lighter the tapered line leaves each pixel than the even one.
    lighter = np.maximum(drawn[tapered] - drawn[1.0], 0.0)
    for eye in face.eyes:
        corners = targets[list(eye.corners), :2]
        middle = _across(lighter, corners, 0.4, 0.6)
        for t0, t1 in ((-0.05, 0.15), (0.85, 1.05)):
            near_corner = _across(lighter, corners, t0, t1)
            assert near_corner > max(500.0, 10 * middle), (near_corner, middle)


def _across(values: np.ndarray, corners: np.ndarray, t0: float, t1: float) -> float:
    """The sum of `values` over the columns from t0 to t1 of the way between an eye's two
    `corners`, and a third of its width above and below them."""
    (left, right), (ay, by) = np.sort(corners[:, 0]), corners[:, 1]
    span = right - left
    top, bottom = int(min(ay, by) - 0.3 * span), int(max(ay, by) + 0.3 * span)
    x0, x1 = int(left + t0 * span), int(left + t1 * span)
    return float(values[top:bottom, x0:x1].sum())


def test_a_shut_cartoon_eye_shows_none_of_its_white(engine: GeometricEngine) -> None:
    """A cartoon's large painted eye has its landmarks well inside its white; a lid shut down
    to them left a white sliver and the iris's rim below the lash line. The white the
    landmarks miss, bounded by the painted lid's line, is covered too."""
    image = cv2.imread(str(shared_data("portraits/cartoon_boy.jpg")))
    cartoon = engine.build_rig(image)
    face = cartoon.faces[0]
    shut = cv2.cvtColor(engine.render(cartoon, [BLINK]), cv2.COLOR_BGR2GRAY).astype(float)
    still = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY).astype(float)
    for eye in face.eyes:
        assert eye.white_outside is not None
        x0, y0 = eye.plate_origin
        h, w = eye.white_outside.shape
        white = eye.white_outside > 0
        changed = np.abs(shut[y0 : y0 + h, x0 : x0 + w] - still[y0 : y0 + h, x0 : x0 + w])
        assert np.mean(changed[white] > 15) > 0.8, np.mean(changed[white] > 15)


def test_a_photographs_eye_has_no_white_outside_its_landmarks(rig: PaintingRig) -> None:
    """A photograph's eye white ends at its landmarks' opening (no painted line bounds more of
    it): nothing beyond the opening is covered when it shuts."""
    assert all(eye.white_outside is None for eye in rig.faces[0].eyes)
