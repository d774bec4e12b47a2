"""Geometric renderer on a real face photo: what moves, what stays put, and what a face detector
sees in the result."""

from __future__ import annotations

from pathlib import Path

import cv2
import matplotlib
import numpy as np
import pytest

from kiosk.motion.controls import motion_from_controls
from kiosk.motion.motion import Motion
from kiosk.renderer.engine import GeometricEngine
from kiosk.renderer.face_rig import MESH_LANDMARKS, NoFaceError, PaintingRig, choose_faces
from kiosk.renderer.retarget import target_landmarks, target_mesh
from kiosk.tracking import landmarks as lm
from kiosk.tracking.face_mesh import DetectedFace, FaceMeshDetector

SAMPLE = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"

MOTIONS = {
    "yaw 15": Motion(yaw=float(np.radians(15))),
    "roll 10": Motion(roll=float(np.radians(10))),
    "jaw_open 1": motion_from_controls({"jaw_open": 1.0}),
    "smile 1": motion_from_controls({"smile": 1.0}),
    "blink 1": motion_from_controls({"blink": 1.0}),
}


@pytest.fixture(scope="module")
def rig(engine: GeometricEngine) -> PaintingRig:
    image = cv2.imread(str(SAMPLE))
    assert image is not None, SAMPLE
    return engine.build_rig(image)


@pytest.fixture(scope="module")
def renders(engine: GeometricEngine, rig: PaintingRig) -> dict[str, np.ndarray]:
    out = {name: engine.render(rig, [motion]) for name, motion in MOTIONS.items()}
    out["neutral"] = engine.render(rig, [Motion()])
    return out


@pytest.fixture(scope="module")
def detected(renders: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Landmarks a fresh still-image detector finds on each render."""
    with FaceMeshDetector(static_image=True, max_faces=1) as detector:
        found = {name: detector.detect(image) for name, image in renders.items()}
    assert all(len(faces) == 1 for faces in found.values()), {k: len(v) for k, v in found.items()}
    return {name: faces[0].landmarks for name, faces in found.items()}


def abs_diff(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.abs(a.astype(np.int16) - b.astype(np.int16)).max(axis=2)


def test_rig_has_one_face_with_a_region_inside_the_image(rig: PaintingRig) -> None:
    assert len(rig.faces) == 1 and len(rig.all_faces) == 1
    face = rig.faces[0]
    h, w = rig.image.shape[:2]
    r = face.region
    assert 0 <= r.x0 < r.x1 <= w and 0 <= r.y0 < r.y1 <= h
    assert face.region_mask(rig.image.shape).shape == (h, w)
    outside_box = np.ones((h, w), bool)
    outside_box[r.slices] = False
    assert not face.region_mask(rig.image.shape)[
        outside_box
    ].any()  # the mask stays inside the region box
    assert 0.05 < (face.region_mask(rig.image.shape) > 0).mean() < 0.95


def test_neutral_render_is_exactly_the_input_outside_the_region(
    rig: PaintingRig, renders: dict[str, np.ndarray]
) -> None:
    out = renders["neutral"]
    assert out.shape == rig.image.shape and out.dtype == rig.image.dtype
    outside = rig.faces[0].region_mask(rig.image.shape) == 0
    assert np.array_equal(out[outside], rig.image[outside])


def _region_interior(rig: PaintingRig) -> np.ndarray:
    """The region mask without a band one grid cell wide along the region box's edges."""
    face = rig.faces[0]
    r, warp = face.region, face.warp
    band = int(np.ceil(max(r.width / warp.grid_w, r.height / warp.grid_h)))
    inner = np.zeros_like(face.region_mask(rig.image.shape), dtype=bool)
    inner[r.y0 + band : r.y1 - band, r.x0 + band : r.x1 - band] = True
    return inner & (face.region_mask(rig.image.shape) > 0)


def test_neutral_render_matches_input_away_from_region_edge(
    rig: PaintingRig, renders: dict[str, np.ndarray]
) -> None:
    diff = abs_diff(renders["neutral"], rig.image)
    assert diff[_region_interior(rig)].max() <= 2


def test_neutral_render_matches_input_inside_the_whole_region(
    rig: PaintingRig, renders: dict[str, np.ndarray]
) -> None:
    diff = abs_diff(renders["neutral"], rig.image)
    assert diff[rig.faces[0].region_mask(rig.image.shape) > 0].max() <= 2


@pytest.mark.parametrize("name", list(MOTIONS))
def test_motion_changes_only_pixels_inside_the_region(
    name: str, rig: PaintingRig, renders: dict[str, np.ndarray]
) -> None:
    out = renders[name]
    mask = rig.faces[0].region_mask(rig.image.shape)
    assert np.array_equal(out[mask == 0], rig.image[mask == 0])
    assert abs_diff(out, renders["neutral"])[mask > 0].max() > 40  # and something did move


def test_open_jaw_paints_a_dark_mouth_cavity(
    rig: PaintingRig, renders: dict[str, np.ndarray]
) -> None:
    targets = target_landmarks(rig.faces[0], MOTIONS["jaw_open 1"])
    mouth = np.zeros(rig.image.shape[:2], np.uint8)
    cv2.fillPoly(mouth, [np.round(targets[lm.as_index(lm.LIPS_INNER), :2]).astype(np.int32)], 255)
    assert mouth.sum() > 255 * 100  # the opened mouth is a real area, not a slit

    def brightness(image: np.ndarray) -> float:
        return float(cv2.mean(cv2.cvtColor(image, cv2.COLOR_BGR2GRAY), mask=mouth)[0])

    assert brightness(renders["jaw_open 1"]) < 0.6 * brightness(renders["neutral"])


def test_open_jaw_is_seen_as_an_open_mouth(detected: dict[str, np.ndarray]) -> None:
    neutral = lm.mouth_open_ratio(detected["neutral"])
    opened = lm.mouth_open_ratio(detected["jaw_open 1"])
    assert neutral < 0.1
    assert opened > neutral + 0.2


def test_blink_is_seen_as_closing_eyes(detected: dict[str, np.ndarray]) -> None:
    right0, left0 = lm.eye_open_ratios(detected["neutral"])
    right1, left1 = lm.eye_open_ratios(detected["blink 1"])
    assert right1 < right0 - 0.02 and left1 < left0 - 0.02
    assert (right0 + left0) - (right1 + left1) > 0.1


def test_roll_tilts_the_detected_head(detected: dict[str, np.ndarray]) -> None:
    change = np.degrees(lm.head_roll(detected["roll 10"]) - lm.head_roll(detected["neutral"]))
    assert change == pytest.approx(10.0, abs=4.0)  # positive roll is clockwise on screen


@pytest.mark.parametrize("roll_deg", [0.0, 8.0])
def test_the_painted_eye_line_tilts_by_exactly_the_roll_whatever_the_turn(
    rig: PaintingRig, roll_deg: float
) -> None:
    """Turning a face that is itself tilted tilts its eye line in the image; the renderer makes
    up the difference, so the painting tilts as much as the visitor's eye line did."""
    face = rig.faces[0]
    neutral_tilt = lm.head_roll(face.landmarks)
    for yaw, pitch in ((0.0, 0.0), (18.0, 0.0), (-15.0, 10.0)):
        motion = Motion(
            yaw=float(np.radians(yaw)), pitch=float(np.radians(pitch)),
            roll=float(np.radians(roll_deg)),
        )  # fmt: skip
        tilt = lm.head_roll(target_landmarks(face, motion)) - neutral_tilt
        assert np.degrees(tilt) == pytest.approx(roll_deg, abs=1e-6), (yaw, pitch)


def test_smile_and_yaw_leave_the_mouth_closed(detected: dict[str, np.ndarray]) -> None:
    for name in ("smile 1", "yaw 15"):
        assert lm.mouth_open_ratio(detected[name]) < 0.1, name


def test_plain_image_has_no_face(engine: GeometricEngine) -> None:
    with pytest.raises(NoFaceError, match="no face found"):
        engine.build_rig(np.full((240, 320, 3), 128, np.uint8))


# -- choosing faces -------------------------------------------------------------------------


def fake_face(x0: float, y0: float, size: float) -> DetectedFace:
    return DetectedFace(np.zeros((478, 3), np.float32), (x0, y0, x0 + size, y0 + size))


FACES = [fake_face(300, 0, 50), fake_face(10, 50, 80), fake_face(150, 20, 120)]


def picked(faces: list[DetectedFace], choose: str, index: int = 0) -> list[int]:
    """Positions in FACES of the faces chosen (by identity: the fakes share landmark values)."""
    return [
        next(i for i, f in enumerate(FACES) if f is face)
        for face in choose_faces(faces, choose, index)
    ]


def test_choose_largest_by_default() -> None:
    assert picked(FACES, "largest") == [2]
    assert picked(FACES, "something else") == [2]


def test_choose_left_and_right_by_centre() -> None:
    assert picked(FACES, "left") == [1]
    assert picked(FACES, "right") == [0]


def test_choose_index_counts_from_the_left_and_clamps() -> None:
    assert [picked(FACES, "index", i) for i in (0, 1, 2, 9)] == [[1], [2], [0], [0]]


def test_choose_all_and_none() -> None:
    assert picked(FACES, "all") == [0, 1, 2]
    assert choose_faces([], "largest", 0) == []
    assert choose_faces([], "all", 0) == []


def _two_face_image() -> np.ndarray:
    """Two sample portraits side by side: a painting with two sitters."""
    from kiosk.exhibits.samples import ensure_sample_content

    content = Path(__file__).resolve().parents[2] / "content"
    ensure_sample_content(content)
    left = cv2.imread(str(content / "samples" / "grace_hopper.jpg"))
    right = cv2.imread(str(content / "samples" / "astronaut.png"))
    right = cv2.resize(right, (int(right.shape[1] * left.shape[0] / right.shape[0]), left.shape[0]))
    return np.hstack([left, right])


@pytest.mark.parametrize(("choose", "animated"), [("left", {"left"}), ("right", {"right"}),
                                                  ("all", {"left", "right"})])  # fmt: skip
def test_two_face_painting_animates_the_chosen_face(choose: str, animated: set[str]) -> None:
    image = _two_face_image()
    split = cv2.imread(str(Path(__file__).resolve().parents[2] / "content" / "samples" /
                           "grace_hopper.jpg")).shape[1]  # fmt: skip
    engine = GeometricEngine()
    try:
        rig = engine.build_rig(image, choose)
        out = engine.render(rig, [motion_from_controls({"jaw_open": 1.0, "yaw": 10.0})])
    finally:
        engine.close()
    assert len(rig.all_faces) == 2
    changed = np.abs(out.astype(int) - image.astype(int)).sum(axis=2) > 0
    halves = {"left": changed[:, :split].any(), "right": changed[:, split:].any()}
    assert {side for side, moved in halves.items() if moved} == animated


def test_lips_and_lids_never_pass_through_each_other(rig: PaintingRig) -> None:
    """A performer closing more than their neutral allowed: the painting stops at closed."""
    from kiosk.motion.controls import control_basis

    jaw, blink = control_basis()["jaw_open"], control_basis()["blink"]
    over_closed = Motion(offsets=(-1.5 * jaw + 2.0 * blink).astype(np.float32))
    targets = target_landmarks(rig.faces[0], over_closed)
    neutral = rig.faces[0].landmarks
    for upper, lower in ((lm.LIPS_INNER_UPPER[5], lm.LIPS_INNER_LOWER[4]), (159, 145), (386, 374)):
        rest_gap = neutral[lower, 1] - neutral[upper, 1]
        assert targets[lower, 1] - targets[upper, 1] >= min(rest_gap, 0.0) - 0.5


def test_rendering_over_an_earlier_frame_equals_a_fresh_render(
    engine: GeometricEngine, rig: PaintingRig
) -> None:
    """The kiosk renders each frame over the last one instead of a fresh copy of the painting:
    whatever the last frame showed (open mouth, closed eyes, a turn), nothing of it survives."""
    frame = rig.image.copy()
    for earlier in ("jaw_open 1", "blink 1", "yaw 15", "roll 10"):
        engine.render(rig, [MOTIONS[earlier]], out=frame)
        for now in ("smile 1", "neutral"):
            motion = MOTIONS.get(now, Motion())
            over = engine.render(rig, [motion], out=frame.copy())
            assert np.array_equal(over, engine.render(rig, [motion])), (earlier, now)


def test_a_head_movement_takes_the_hair_along_but_leaves_the_collar(rig: PaintingRig) -> None:
    """The ring around the face follows the head by most of its movement beside and above the
    eyes (hair, ears) and hardly at all below the chin (neck, collar: they stay with the body)."""
    face = rig.faces[0]
    step = 0.1 * face.frame.iod
    moved = target_mesh(face, Motion(translation=np.array([0.1, 0.0]))).mesh
    face_shift = moved[: len(MESH_LANDMARKS), 0] - face.landmarks[MESH_LANDMARKS, 0]
    assert np.allclose(face_shift, step, atol=0.01 * step)
    ring = moved[len(MESH_LANDMARKS) : len(MESH_LANDMARKS) + len(face.hair_ring)]
    ring_shift = (ring[:, 0] - face.hair_ring[:, 0]) / step
    height = face.frame.to_canonical(face.hair_ring)[:, 1]
    eyes = face.frame.to_canonical(face.landmarks[[lm.RIGHT_EYE_OUTER, lm.LEFT_EYE_OUTER]])
    chin = face.frame.to_canonical(face.landmarks[lm.CHIN])
    above_eyes, below_chin = height <= eyes[:, 1].mean(), height >= chin[1]
    assert above_eyes.sum() >= 5 and below_chin.sum() >= 5
    assert np.all(ring_shift[above_eyes] > 0.6)
    assert np.all(ring_shift[below_chin] < 0.3)


def test_a_head_turning_on_its_neck_keeps_its_outline_still(rig: PaintingRig) -> None:
    """A head turns on its neck: the face swings round, the outline of the hair and the skull
    (as wide as the head is, about as deep as the neck's axis) keeps still. A driver's turn
    carries the face's swing about the neck as translation (d3: -1.37 inter-ocular distances
    times the turn's sine); so posed, the ring above the eyes barely moves while the nose does."""
    face = rig.faces[0]
    yaw = np.radians(15.0)
    turn = Motion(yaw=float(yaw), translation=np.array([-1.37 * np.sin(yaw), 0.0]))
    moved = target_mesh(face, turn).mesh
    nose_shift = abs(float(moved[lm.NOSE_TIP, 0] - face.landmarks[lm.NOSE_TIP, 0]))
    assert nose_shift > 0.4 * face.frame.iod
    ring = moved[len(MESH_LANDMARKS) : len(MESH_LANDMARKS) + len(face.hair_ring)]
    height = face.frame.to_canonical(face.hair_ring)[:, 1]
    eyes = face.frame.to_canonical(face.landmarks[[lm.RIGHT_EYE_OUTER, lm.LEFT_EYE_OUTER]])
    above_eyes = height <= eyes[:, 1].mean()
    assert above_eyes.sum() >= 5
    ring_shift = np.abs(ring[above_eyes, 0] - face.hair_ring[above_eyes, 0])
    assert ring_shift.max() < 0.25 * nose_shift  # 0.17 here; 0.63 posed at the oval's depth


def test_a_nod_made_from_controls_takes_the_top_of_the_head_down(rig: PaintingRig) -> None:
    """A clip's nod turns the head on its neck, as a visitor's does: the face goes down with
    the chin and the top of the head goes down with it. Turned about the face's own centre, the
    head's deep outline would rise as the chin went down."""
    face = rig.faces[0]
    nod = target_mesh(face, motion_from_controls({"pitch": 6.0})).mesh
    top = int(np.argmin(face.hair_ring[:, 1]))
    drop = (nod[len(MESH_LANDMARKS) + top, 1] - face.hair_ring[top, 1]) / face.frame.iod
    nose_drop = (nod[lm.NOSE_TIP, 1] - face.landmarks[lm.NOSE_TIP, 1]) / face.frame.iod
    assert nose_drop > 0.1
    assert drop > 0.02  # 0.06 here; -0.11 turned about the face's centre (nose 0.05)
