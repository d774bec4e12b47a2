"""The painted mouth interior: nothing until the lips part, then a dark, warm cavity with teeth,
drawn only inside the inner-lip outline."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.exhibits.samples import ensure_sample_content
from kiosk.motion.controls import motion_from_controls
from kiosk.renderer.engine import GeometricEngine
from kiosk.renderer.face_rig import FaceRig, lips_parted
from kiosk.renderer.mouth import OPEN_START, draw_mouth_interior
from kiosk.renderer.retarget import Gains, PoseLimits, target_mesh
from kiosk.tracking import landmarks as lm

INNER_OUTLINE = lm.as_index(lm.LIPS_INNER)  # 78 along the upper lip to 308, back along the lower


@pytest.fixture(scope="module")
def face(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[np.ndarray, FaceRig]]:
    content = tmp_path_factory.mktemp("content")
    ensure_sample_content(Path(content))
    image = cv2.imread(str(content / "samples" / "grace_hopper.jpg"))
    assert image is not None
    engine = GeometricEngine()
    try:
        yield image, engine.build_rig(image).faces[0]
    finally:
        engine.close()


def targets_for(face: FaceRig, **controls: float) -> np.ndarray:
    return target_mesh(face, motion_from_controls(controls), Gains(), PoseLimits()).landmarks


def drawn(image: np.ndarray, face: FaceRig, targets: np.ndarray) -> np.ndarray:
    out = image.copy()
    draw_mouth_interior(out, targets, face.palette)
    return out


def inner_mask(targets: np.ndarray, shape: tuple[int, ...], grow: int = 0) -> np.ndarray:
    mask = np.zeros(shape[:2], np.uint8)
    cv2.fillPoly(mask, [np.round(targets[INNER_OUTLINE, :2]).astype(np.int32)], 255)
    if grow > 0:
        mask = cv2.dilate(mask, np.ones((2 * grow + 1, 2 * grow + 1), np.uint8))
    elif grow < 0:
        mask = cv2.erode(mask, np.ones((-2 * grow + 1, -2 * grow + 1), np.uint8))
    return mask > 0


def test_closed_mouth_leaves_the_painting_unchanged(face: tuple[np.ndarray, FaceRig]) -> None:
    image, rig = face
    assert np.array_equal(drawn(image, rig, targets_for(rig, jaw_open=0.0)), image)


def test_lips_parted_less_than_the_threshold_leave_it_unchanged(
    face: tuple[np.ndarray, FaceRig],
) -> None:
    image, rig = face
    targets = targets_for(rig, jaw_open=0.0)
    width = np.linalg.norm(targets[78, :2] - targets[308, :2])
    targets[lm.as_index(lm.LIPS_INNER_LOWER), 1] += 0.5 * OPEN_START * width
    assert np.array_equal(drawn(image, rig, targets), image)


def test_open_mouth_is_dark_and_keeps_the_paintings_warmth(
    face: tuple[np.ndarray, FaceRig],
) -> None:
    image, rig = face
    targets = targets_for(rig, jaw_open=1.0)
    out = drawn(image, rig, targets)
    gap = inner_mask(targets, image.shape, grow=-2)
    assert gap.sum() > 100
    before, after = image[gap].astype(float).mean(axis=0), out[gap].astype(float).mean(axis=0)
    assert after.sum() < 0.7 * before.sum()
    assert after[2] >= after[0]  # BGR: red at least blue, not a cold grey-blue hole


def test_nothing_changes_outside_the_inner_lips(face: tuple[np.ndarray, FaceRig]) -> None:
    image, rig = face
    for controls in ({"jaw_open": 0.3}, {"jaw_open": 1.0}, {"jaw_open": 0.5, "smile": 0.8}):
        targets = targets_for(rig, **controls)
        out = drawn(image, rig, targets)
        outside = ~inner_mask(targets, image.shape, grow=3)
        assert np.array_equal(out[outside], image[outside]), controls
        assert not np.array_equal(out, image), controls


def test_teeth_are_brighter_than_the_cavity(face: tuple[np.ndarray, FaceRig]) -> None:
    image, rig = face
    targets = targets_for(rig, jaw_open=1.0)
    out = drawn(image, rig, targets).astype(float).sum(axis=2)
    top, bottom = targets[lm.UPPER_LIP_INNER_MID, :2], targets[lm.LOWER_LIP_INNER_MID, :2]
    width = np.linalg.norm(targets[78, :2] - targets[308, :2])
    down = (bottom - top) / np.linalg.norm(bottom - top)

    def patch(point: np.ndarray) -> float:
        x, y = np.round(point).astype(int)
        return float(out[y - 1 : y + 2, x - 1 : x + 2].mean())

    teeth = patch(top + down * 0.05 * width)
    cavity = patch((top + bottom) / 2)
    assert teeth > 1.5 * cavity


def test_turning_the_head_never_opens_a_mouth_parted_at_rest(
    face: tuple[np.ndarray, FaceRig],
) -> None:
    """A painting whose lips are parted at rest keeps its own mouth while it turns: a turn
    narrows the mouth in the image, which must not read as the lips parting further (it did:
    the old gap-over-width in the image showed teeth at a 30 degree turn)."""
    image, rig = face
    at_rest = targets_for(rig, jaw_open=0.3)  # stands in for lips parted in the painting
    parted_rig = dataclasses.replace(
        rig, palette=dataclasses.replace(rig.palette, rest_gap=lips_parted(at_rest))
    )
    limits = PoseLimits(yaw_deg=30.0, pitch_deg=20.0)
    for yaw, pitch in ((30.0, 0.0), (-30.0, 0.0), (20.0, 20.0)):
        motion = motion_from_controls({"jaw_open": 0.3, "yaw": yaw, "pitch": pitch})
        turned = target_mesh(rig, motion, Gains(), limits).landmarks
        assert np.array_equal(drawn(image, parted_rig, turned), image), (yaw, pitch)
    # Parting further than at rest, turned or not, does open it.
    wider = motion_from_controls({"jaw_open": 0.45, "yaw": 30.0})
    opened = target_mesh(rig, wider, Gains(), limits).landmarks
    assert not np.array_equal(drawn(image, parted_rig, opened), image)


def test_the_interior_is_lit_from_the_side_the_paintings_light_comes_from(
    face: tuple[np.ndarray, FaceRig],
) -> None:
    image, rig = face
    targets = targets_for(rig, jaw_open=0.8)
    gap = inner_mask(targets, image.shape, grow=-2)
    centre = targets[lm.as_index(lm.LIPS_INNER), 0].mean()
    xs = np.arange(image.shape[1])[None, :]
    left, right = gap & (xs < centre), gap & (xs >= centre)
    ratios = {}
    for light in (-1.0, 1.0):
        palette = dataclasses.replace(rig.palette, light=light, grain=None)
        grey = cv2.cvtColor(drawn(image, dataclasses.replace(rig, palette=palette), targets),
                            cv2.COLOR_BGR2GRAY).astype(float)  # fmt: skip
        ratios[light] = grey[right].mean() / grey[left].mean()
    assert ratios[1.0] > 1.15 > 1 / 1.15 > ratios[-1.0]


@pytest.mark.parametrize("jaw", [0.4, 0.7])
def test_an_open_mouth_narrows_into_its_corners(
    face: tuple[np.ndarray, FaceRig], jaw: float
) -> None:
    """Lips meet at an angle where they join: near each corner the drawn opening is much lower
    than in the middle, not square-ended (the landmarks beside the corners part almost as far
    as the middle ones)."""
    image, rig = face
    out = image.copy()
    draw_mouth_interior(out, targets_for(rig, jaw_open=jaw), rig.palette)
    drawn = np.abs(out.astype(np.int16) - image.astype(np.int16)).max(axis=2) > 40
    columns = np.nonzero(drawn.any(axis=0))[0]
    left, right = int(columns.min()), int(columns.max())
    height = drawn.sum(axis=0)
    step = int(0.05 * (right - left))
    near_corners = max(height[left + step], height[right - step])
    assert near_corners < 0.42 * height.max(), (near_corners, height.max())
