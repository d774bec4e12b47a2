"""Live gaze corrected for the camera's place: a synthetic visitor whose gaze aims at the
painting's eyes on screen (from the configured geometry) makes the rendered painting look
frontal, wherever they stand; the attention source's eyes are frontal whatever its head does."""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.config import EngineConfig
from kiosk.director.director import Mode, Scene
from kiosk.display.fit import fit_rect
from kiosk.exhibits.samples import ensure_sample_content
from kiosk.motion.attention import (
    IRISES,
    AttentionMotion,
    attend,
    eye_in_head,
    gaze_offsets,
    with_gaze,
    world_gaze,
)
from kiosk.motion.estimator import MotionEstimator
from kiosk.motion.eye_contact import (
    IOD_M,
    LOOKING_AHEAD,
    CameraGeometry,
    _rotation_between,
    gaze_from_painting,
    measure_gaze,
)
from kiosk.motion.geometry import matrix_from_euler
from kiosk.motion.motion import Motion
from kiosk.motion.proportions import reference_face
from kiosk.renderer.engine import make_engine
from kiosk.runtime.face_motion import FaceMotions
from kiosk.tracking import landmarks as lm
from kiosk.tracking.face_mesh import FaceMeshDetector
from tests.conftest import shared_data
from tests.system.walk_by import iris_positions

CAMERA = CameraGeometry(offset_m=(0.0, -0.36), screen_size_m=(1.21, 0.68), hfov_deg=60.0)
FRAME_WH = (640, 480)
SCREEN = (1920, 1080)
EYEBALL_M = 0.012
# Where visitors stand (their eyes, metres in the room's frame): left and near, centre, right
# and further; each turned a little away from the painting, so the eyes do the aiming.
VISITORS = [
    (np.array([-0.35, -0.30, 0.75]), (8.0, -4.0)),
    (np.array([0.02, -0.40, 0.60]), (-5.0, 6.0)),
    (np.array([0.40, -0.25, 0.95]), (-10.0, 3.0)),
]
# A camera beside the screen (its left edge), with visitors in its view.
SIDE_CAMERA = CameraGeometry(offset_m=(-0.55, -0.1), screen_size_m=(1.21, 0.68), hfov_deg=60.0)
SIDE_VISITORS = [
    (np.array([-0.85, -0.30, 0.75]), (8.0, -4.0)),
    (np.array([-0.55, -0.22, 0.60]), (-5.0, 6.0)),
    (np.array([-0.25, -0.25, 0.95]), (-10.0, 3.0)),
]


def synthetic_face(
    eyes_m: np.ndarray,
    look_at_m: np.ndarray,
    head_deg: tuple[float, float],
    face_towards_m: np.ndarray | None = None,
    camera: CameraGeometry = CAMERA,
) -> np.ndarray:
    """Face-mesh landmarks (478, 3), in pixels of the mirrored 640x480 camera image, of the
    reference face with its eyes at `eyes_m`, its head turned by `head_deg` (yaw, pitch) from
    facing `face_towards_m` (default: `look_at_m`), and both eyes looking at `look_at_m`.

    Projected as the face mesh sees a face: along the ray from the camera to it, at the
    scale of its distance (the model measure_gaze inverts)."""
    face = reference_face().astype(np.float64) * IOD_M
    mid = (face[lm.RIGHT_IRIS_CENTER] + face[lm.LEFT_IRIS_CENTER]) / 2
    target = look_at_m - eyes_m
    target /= np.linalg.norm(target)
    towards = (face_towards_m if face_towards_m is not None else look_at_m) - eyes_m
    facing = _rotation_between(LOOKING_AHEAD, towards / np.linalg.norm(towards))
    head = facing @ matrix_from_euler(*np.radians(head_deg), 0.0)
    # The eyes: each iris turned about its eyeball's centre, behind it, to look at the target.
    in_head = head.T @ target
    turn = _rotation_between(LOOKING_AHEAD, in_head)
    for iris in (lm.RIGHT_IRIS, lm.LEFT_IRIS):
        idx = lm.as_index(iris)
        centre = face[idx[0]] - EYEBALL_M * LOOKING_AHEAD
        face[idx] = (face[idx] - centre) @ turn.T + centre
    room = (face - mid) @ head.T + eyes_m
    cx, cy = camera.offset_m
    to_camera = np.array([cx, cy, 0.0]) - eyes_m
    ray = _rotation_between(np.array([0.0, 0.0, -1.0]), to_camera / np.linalg.norm(to_camera))
    focal = camera.focal_px(FRAME_WH[0])
    scale = focal / eyes_m[2]
    seen = (room - eyes_m) @ ray * scale  # ray.T applied to row vectors
    u = focal * (eyes_m[0] - cx) / eyes_m[2] + FRAME_WH[0] / 2
    v = focal * (eyes_m[1] - cy) / eyes_m[2] + FRAME_WH[1] / 2
    return (seen + np.array([u, v, 0.0])).astype(np.float32)


@pytest.fixture(scope="module")
def painting(tmp_path_factory: pytest.TempPathFactory):
    content = tmp_path_factory.mktemp("content")
    ensure_sample_content(Path(content))
    image = cv2.imread(str(Path(content) / "samples" / "grace_hopper.jpg"))
    engine = make_engine(EngineConfig())
    rig = engine.build_rig(image)
    with FaceMeshDetector(static_image=True, max_faces=1) as mesh:
        rest = iris_positions(mesh.detect(image)[0].landmarks)
    shown = fit_rect((image.shape[1], image.shape[0]), SCREEN)
    return engine, rig, image, rest, shown


def _painting_irises(painting, motion: Motion) -> np.ndarray:
    engine, rig, image, rest, _ = painting
    out = engine.render(rig, [motion])
    with FaceMeshDetector(static_image=True, max_faces=1) as mesh:
        return iris_positions(mesh.detect(out)[0].landmarks) - rest


def _live_scene() -> Scene:
    return Scene(Mode.LIVE, "x", None, 1.0, live_weight=1.0, show_label=False)


class _Still:
    def motion_at(self, t: float) -> Motion:
        return Motion()


def _painting_motion(
    painting,
    landmarks: np.ndarray,
    neutral: np.ndarray | None = None,
    camera: CameraGeometry = CAMERA,
) -> Motion:
    """The kiosk's live path: the estimator's motion (its neutral face from `neutral`, else
    from these landmarks), the gaze measured, corrected for the painting's eyes on screen
    (FaceMotions, as the scene renderer uses it)."""
    estimator = MotionEstimator()
    for i in range(15):
        estimator.update(landmarks if neutral is None else neutral, i / 30)
    live = estimator.update(landmarks, 0.5)
    gaze = measure_gaze(landmarks, FRAME_WH, camera)
    faces = FaceMotions({}, camera, lambda: SCREEN)
    _, rig, _, _, shown = painting
    eyes = faces.eyes_m(rig, 0, shown)
    return faces.motion(_live_scene(), _Still(), 0.0, live, gaze, eyes)


@pytest.mark.parametrize(
    ("camera", "eyes_m", "head_deg"),
    [(CAMERA, *v) for v in VISITORS] + [(SIDE_CAMERA, *v) for v in SIDE_VISITORS],
    ids=[f"top-{i}" for i in range(3)] + [f"side-{i}" for i in range(3)],
)
def test_looking_at_the_paintings_eyes_gives_eye_contact(
    painting, camera: CameraGeometry, eyes_m: np.ndarray, head_deg: tuple[float, float]
) -> None:
    faces = FaceMotions({}, camera, lambda: SCREEN)
    painting_eyes = faces.eyes_m(painting[1], 0, painting[4])
    landmarks = synthetic_face(eyes_m, painting_eyes, head_deg, camera=camera)
    assert 0 < landmarks[:, 0].min() and landmarks[:, 0].max() < FRAME_WH[0]
    assert 0 < landmarks[:, 1].min() and landmarks[:, 1].max() < FRAME_WH[1]
    # Their neutral face measured while they looked into the lens (as when they walked up):
    # the gaze is measured in the room, not relative to it.
    lens_m = np.array([*camera.offset_m, 0.0])
    lens = synthetic_face(eyes_m, lens_m, head_deg, painting_eyes, camera)
    motion = _painting_motion(painting, landmarks, neutral=lens, camera=camera)
    off = _painting_irises(painting, motion)
    assert np.abs(off).max() <= 0.05  # eye widths


def test_looking_away_turns_the_paintings_eyes_the_same_way(painting) -> None:
    """The control: the same visitor looking 0.3 m to their right of the painting's eyes, or
    into the lens above the painting, is looking past it: the painting looks the same way (as
    in a mirror), clearly off frontal to the side; a little up for the lens (the renderer
    moves painted irises up or down by at most half their radius)."""
    eyes_m, head_deg = VISITORS[1]
    faces = FaceMotions({}, CAMERA, lambda: SCREEN)
    painting_eyes = faces.eyes_m(painting[1], 0, painting[4])
    aside = painting_eyes + np.array([0.3, 0.0, 0.0])
    off = _painting_irises(
        painting, _painting_motion(painting, synthetic_face(eyes_m, aside, head_deg, painting_eyes))
    )
    assert off[:, 0].min() > 0.08  # both irises towards the image's right
    lens = np.array([*CAMERA.offset_m, 0.0])
    off = _painting_irises(
        painting, _painting_motion(painting, synthetic_face(eyes_m, lens, head_deg, painting_eyes))
    )
    assert off[:, 1].max() < -0.01 and np.abs(off[:, 0]).max() < 0.05  # up


def test_the_gaze_angles_follow_the_geometry() -> None:
    """Looking 10 degrees to the right of the painting's eyes reads as 10 degrees right."""
    eyes_m = np.array([0.1, -0.3, 0.8])
    painting_eyes = np.array([0.0, -0.1, 0.0])
    to_eyes = painting_eyes - eyes_m
    yaw = math.atan2(to_eyes[0], -to_eyes[2]) + math.radians(10)
    aside = eyes_m + np.array([math.tan(yaw) * eyes_m[2], to_eyes[1], -eyes_m[2]])
    aside[1] = painting_eyes[1]
    landmarks = synthetic_face(eyes_m, aside, (0.0, 0.0))
    gx, gy = gaze_from_painting(measure_gaze(landmarks, FRAME_WH, CAMERA), painting_eyes)
    assert math.degrees(gx) == pytest.approx(10.0, abs=1.0)
    assert math.degrees(gy) == pytest.approx(0.0, abs=1.0)


# -- the attention source -----------------------------------------------------------------


def test_attention_keeps_the_eyes_on_the_viewer_as_the_head_turns() -> None:
    """Eye-in-head turns against the head: the gaze in the room stays on the target."""
    for yaw, pitch in ((0.1, 0.0), (-0.05, 0.08)):
        gx, gy = eye_in_head(0.0, 0.0, yaw, pitch)
        assert world_gaze(gx, gy)[0] == pytest.approx(yaw, abs=1e-6)
        assert world_gaze(gx, gy)[1] == pytest.approx(-pitch, abs=1e-6)
    moved = with_gaze(Motion(yaw=0.1), 0.0, 0.0)
    assert moved.offsets[IRISES][:, 0].mean() > 0  # nose to the left: eyes to the right


def test_attend_owns_the_gaze_and_keeps_the_rest() -> None:
    idle = Motion(yaw=0.3, pitch=0.1, roll=0.05)
    idle.offsets[IRISES] = gaze_offsets(-0.6, 0.2)  # looking away
    idle.offsets[lm.MOUTH_LEFT] = (0.01, 0.02, 0.0)  # a smile stays
    looking = AttentionMotion().motion_at(3.0)
    full = attend(idle, looking, 1.0)
    assert full.yaw == pytest.approx(looking.yaw) and full.roll == idle.roll
    np.testing.assert_array_equal(full.offsets[lm.MOUTH_LEFT], idle.offsets[lm.MOUTH_LEFT])
    # The eyes: where the attention source puts them, with its head allowed for.
    gx, gy = world_gaze(*(looking.offsets[IRISES][0, :2] / gaze_offsets(1.0, 1.0)[0, :2]))
    expected = gaze_offsets(*eye_in_head(gx, gy, full.yaw, full.pitch))
    np.testing.assert_allclose(full.offsets[IRISES], expected, atol=1e-6)
    half = attend(idle, looking, 0.5)
    np.testing.assert_allclose(
        half.offsets[IRISES],
        (idle.offsets[IRISES] + gaze_offsets(*eye_in_head(gx, gy, half.yaw, half.pitch))) / 2,
        atol=1e-6,
    )


def test_saccades_are_small_and_quick() -> None:
    attention = AttentionMotion()
    times = np.arange(0.0, 20.0, 1 / 60)
    points = np.array([attention.saccade(float(t)) for t in times])
    assert np.abs(points).max() <= 0.06 + 1e-9
    steps = np.abs(np.diff(points, axis=0)).max(axis=1)
    assert (steps > 1e-6).mean() < 0.2  # still most of the time, moving in brief jumps
    assert len(np.unique(points.round(6), axis=0)) > 15  # and not always the same point


@pytest.mark.parametrize("driver", ["d19", "talking_man"])
def test_real_faces_looking_into_the_lens_read_so(driver: str) -> None:
    """Driver videos of people talking to their camera: their gaze, measured in the room, points
    within 10 degrees of the lens (median over their frames; the face frame alone, without the
    reference's LOOKING_AHEAD, read 10-15 degrees below it)."""
    video = shared_data(f"drivers/{driver}.mp4")
    cap = cv2.VideoCapture(str(video))
    lens = np.array([*CAMERA.offset_m, 0.0])
    angles = []
    with FaceMeshDetector(static_image=False, max_faces=1) as mesh:
        for _ in range(90):
            ok, frame = cap.read()
            if not ok:
                break
            frame = cv2.flip(cv2.resize(frame, FRAME_WH), 1)
            faces = mesh.detect(frame)
            if faces:
                gaze = measure_gaze(faces[0].landmarks, FRAME_WH, CAMERA)
                angles.append(np.degrees(gaze_from_painting(gaze, lens)))
    cap.release()
    assert len(angles) > 60
    assert np.all(np.abs(np.median(angles, axis=0)) < 10.0)
