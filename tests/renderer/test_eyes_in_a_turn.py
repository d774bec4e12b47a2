"""A painting's eyes keep their opening through a head turn: the bare eyeball a moved iris
uncovers is the white of the eye, not the lid's shadow (kiosk.renderer.eye_rig), and each eye
turns with its own depth, not the face's smooth surface (kiosk.renderer.face_rig)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from kiosk.motion.motion import Motion
from kiosk.renderer.engine import GeometricEngine
from kiosk.renderer.eye_rig import EyeRig
from kiosk.renderer.retarget import target_landmarks
from kiosk.renderer.tone import LUMA_BGR
from kiosk.tracking import landmarks as lm
from kiosk.tracking.face_mesh import FaceMeshDetector
from kiosk.tracking.landmarks import eye_open_ratios
from tests.conftest import shared_data

IRISES = lm.as_index(lm.RIGHT_IRIS + lm.LEFT_IRIS)


def _opening_and_iris(eye: EyeRig, landmarks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Masks over the eye's plate: the eye opening, and the painted iris's disc."""
    x0, y0 = eye.plate_origin
    opening = np.zeros(eye.plate.shape[:2], np.uint8)
    cv2.fillPoly(opening, [np.round(landmarks[eye.contour, :2] - (x0, y0)).astype(np.int32)], 255)
    iris = np.zeros_like(opening)
    centre = np.round(landmarks[eye.iris_centre, :2] - (x0, y0)).astype(int)
    cv2.circle(iris, (int(centre[0]), int(centre[1])), int(eye.radius), 255, -1)
    return opening, iris


@pytest.mark.parametrize(
    "portrait", ["girl_with_a_pearl_earring.jpg", "mona_lisa.jpg", "painted_old_woman.png"]
)
def test_the_eyeball_behind_the_iris_is_as_light_as_the_white_of_the_eye(
    engine: GeometricEngine, portrait: str
) -> None:
    """Where the painted iris was, the bare eyeball (shown when the iris moves) is filled from
    the white of the eye: its darkest tenth is at least 0.85 of the white's median lightness.
    Inpainted from the lids too, it was a grey band (the Pearl's: 87 and 84 against 220 and
    215) that read as a lid come half down."""
    image = cv2.imread(str(shared_data(f"portraits/{portrait}")))
    assert image is not None
    face = engine.build_rig(image).faces[0]
    assert len(face.eyes) == 2
    for eye in face.eyes:
        opening, iris = _opening_and_iris(eye, face.landmarks)
        behind_iris = (iris > 0) & (cv2.erode(opening, np.ones((3, 3), np.uint8)) > 0)
        white = (opening > 0) & (cv2.dilate(iris, np.ones((5, 5), np.uint8), iterations=2) == 0)
        x0, y0 = eye.plate_origin
        h, w = eye.plate.shape[:2]
        painted = image[y0 : y0 + h, x0 : x0 + w].astype(np.float32) @ LUMA_BGR
        bare = eye.plate.astype(np.float32) @ LUMA_BGR
        darkest = float(np.percentile(bare[behind_iris], 10))
        assert darkest >= 0.85 * float(np.median(painted[white])), (eye.corners, darkest)


@pytest.mark.parametrize(
    "portrait", ["painted_old_woman.png", "girl_reading.jpg", "woman_photo_white_top.png"]
)
def test_a_frontal_paintings_eyes_keep_their_shape_in_a_turn_as_a_real_eyes_do(
    engine: GeometricEngine, portrait: str
) -> None:
    """Turned 20 degrees either way, each eye of a frontal painting keeps its opening (lid gap
    over eye width, in the image) within 20% of the frontal one: a real eye, about 11 degrees
    across in depth (the drivers' own, as the face tracker measures them), changes by 15%.
    On the face's smooth depth surface the far eye lost a quarter of its width in the turn:
    its opening ratio rose by a third (33-37% on these)."""
    image = cv2.imread(str(shared_data(f"portraits/{portrait}")))
    assert image is not None
    face = engine.build_rig(image).faces[0]
    frontal = np.array(eye_open_ratios(target_landmarks(face, Motion())))
    for degrees in (-20.0, 20.0):
        turned = np.array(eye_open_ratios(target_landmarks(face, Motion(yaw=np.radians(degrees)))))
        assert np.abs(turned / frontal - 1.0).max() <= 0.2, (degrees, turned, frontal)


def _eyes_kept_on_the_viewer(degrees: float) -> Motion:
    """A head turned by `degrees` whose eyes stay on the viewer, as a visitor's do: the irises
    turn back in the head by d12's measure (0.11 inter-ocular distances over its 19 degree
    turns)."""
    offsets = Motion().offsets
    offsets[IRISES, 0] = -0.11 * degrees / 19.0
    return Motion(yaw=float(np.radians(degrees)), offsets=offsets)


def test_the_pearl_earrings_eyes_keep_their_tracked_opening_through_a_head_turn(
    engine: GeometricEngine,
) -> None:
    """The face tracker reads the Pearl Earring's eyes as open in a head turn as facing
    forward: over turns of 12 to 20 degrees either way (a degree apart), eyes on the viewer,
    the mean eye opening (kiosk eval's measure) is within 6% of the frontal render's (3% less
    now). It was 8% less, the far eye squeezed by the face's smooth depth and the eyeball
    behind a moved iris grey as a lid, and her eyes followed d12, a visitor turning their
    head, at a correlation of 0.49 (kiosk eval)."""
    image = cv2.imread(str(shared_data("portraits/girl_with_a_pearl_earring.jpg")))
    assert image is not None
    rig = engine.build_rig(image)
    with FaceMeshDetector(static_image=True, max_faces=1) as tracker:

        def opening(motion: Motion) -> float:
            found = tracker.detect(engine.render(rig, [motion]))
            assert found, "the tracker lost the face"
            return float(np.mean(eye_open_ratios(found[0].landmarks)))

        frontal = opening(Motion())
        turns = [*range(-20, -11), *range(12, 21)]
        turned = np.mean([opening(_eyes_kept_on_the_viewer(d)) for d in turns])
    assert abs(turned / frontal - 1.0) <= 0.06, (turned, frontal)
