"""`kiosk eval`'s metrics on small cases whose answers are known."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kiosk.evaluation import metrics as m
from kiosk.motion.geometry import matrix_from_euler
from kiosk.motion.proportions import reference_face
from kiosk.tracking import landmarks as lm

PIXELS_PER_IOD = 150.0
CENTRE = np.array([320.0, 240.0, 0.0])


def face() -> np.ndarray:
    """The reference face in pixels, centred in a 640x480 frame."""
    return reference_face().astype(np.float64) * PIXELS_PER_IOD + CENTRE


def tilted(points: np.ndarray, roll: float, yaw: float = 0.0) -> np.ndarray:
    rot = matrix_from_euler(yaw, 0.0, roll)
    centre = points.mean(axis=0)
    return (points - centre) @ rot.T + centre


# -- images ---------------------------------------------------------------------------------


def test_l1_psnr_and_ssim_of_identical_and_known_images() -> None:
    rng = np.random.default_rng(0)
    image = rng.integers(0, 256, (300, 200, 3), dtype=np.uint8)
    assert m.l1(image, image) == 0.0
    assert m.psnr(image, image) == math.inf
    assert m.ssim(image, image) == pytest.approx(1.0)

    black = np.zeros((256, 256, 3), np.uint8)
    assert m.l1(black, np.full_like(black, 255)) == pytest.approx(1.0)
    # A uniform difference of a tenth of the range: MSE 0.01, 20 dB.
    grey = np.full_like(black, 100)
    assert m.psnr(grey, grey + 25) == pytest.approx(20.0 - 20 * math.log10(25 / 25.5), abs=1e-6)

    noisy = np.clip(image.astype(int) + rng.normal(0, 40, image.shape), 0, 255).astype(np.uint8)
    assert m.ssim(image, noisy) < 0.9
    assert m.l1(image, noisy) > 0.05


def test_landmark_distance_is_in_inter_ocular_units() -> None:
    truth = face()
    iod = lm.inter_ocular_distance(truth)
    shifted = truth + np.array([3.0, 4.0, 0.0])  # 5 px for every landmark
    assert m.landmark_distance(shifted, truth) == pytest.approx(5.0 / iod)
    assert m.landmark_distance(truth, truth) == 0.0


# -- signals --------------------------------------------------------------------------------


def test_pearson_ignores_missing_samples_and_is_nan_for_a_constant() -> None:
    x = np.array([0.0, 1.0, 2.0, np.nan, 4.0])
    assert m.pearson(x, 2 * x + 1) == pytest.approx(1.0)
    assert m.pearson(x, -x) == pytest.approx(-1.0)
    assert math.isnan(m.pearson(x, np.ones(5)))
    assert math.isnan(m.pearson([1.0, np.nan], [2.0, 3.0]))


def test_face_signals_measure_mouth_eyes_and_roll() -> None:
    rest = face()
    mouth0, eyes0, roll0 = m.face_signals(rest)
    opened = rest.copy()
    opened[lm.LOWER_LIP_INNER_MID, 1] += 20.0
    assert m.face_signals(opened)[0] > mouth0 + 0.05

    shut = rest.copy()
    shut[[145, 374], :2] = shut[[159, 386], :2]  # lower lids onto the upper ones
    assert m.face_signals(shut)[1] == pytest.approx(0.0, abs=1e-9)
    assert eyes0 > 0.1

    assert m.face_signals(tilted(rest, math.radians(8)))[2] - roll0 == pytest.approx(
        math.radians(8), abs=1e-6
    )
    assert all(math.isnan(v) for v in m.face_signals(None))


def test_mean_jitter_counts_only_consecutive_frames_with_a_face() -> None:
    a = face()
    b = a + np.array([0.0, 2.0, 0.0])
    c = b + np.array([1.0, 0.0, 0.0])
    assert m.mean_jitter([a, b, c]) == pytest.approx(1.5)
    assert m.mean_jitter([a, None, c]) != m.mean_jitter([a, c])
    assert math.isnan(m.mean_jitter([a, None, c]))
    assert math.isnan(m.mean_jitter([]))


def test_changed_outside_counts_only_pixels_outside_the_region() -> None:
    original = np.zeros((10, 10, 3), np.uint8)
    mask = np.zeros((10, 10), np.uint8)
    mask[2:8, 2:8] = 1
    inside = original.copy()
    inside[3:7, 3:7] = 200
    assert m.changed_outside(original, inside, mask) == 0.0
    outside = inside.copy()
    outside[0, 0, 1] = 1  # one channel of one pixel outside
    assert m.changed_outside(original, outside, mask) == pytest.approx(1 / 64)


# -- what the roll measure can give -----------------------------------------------------------


def test_fitted_head_roll_follows_the_head_not_a_squinting_eye_corner() -> None:
    rolls = np.radians([0.0, 3.0, -2.0, 5.0])
    tracks: list[np.ndarray | None] = [tilted(face(), r) for r in rolls]
    squint = face()
    squint[lm.RIGHT_EYE_OUTER, 1] -= 6.0  # eye line tilts by about 1.6 degrees
    tracks += [None, tilted(squint, rolls[1])]
    fitted = m.fitted_head_roll(tracks)
    assert np.allclose(fitted[:4], rolls, atol=1e-6)
    assert math.isnan(fitted[4])
    eye_line_error = abs(m.face_signals(tracks[5])[2] - m.face_signals(tracks[1])[2])
    assert math.degrees(eye_line_error) > 1.5
    assert math.degrees(abs(fitted[5] - rolls[1])) < 0.5
    assert np.isnan(m.fitted_head_roll([None, None])).all()


def test_head_roll_agreement_is_one_for_pure_head_roll() -> None:
    rolls = np.radians(2.0 * np.sin(np.linspace(0, 6, 40)))
    tracks = [tilted(face(), r) for r in rolls]
    assert m.head_roll_agreement(tracks) == pytest.approx(1.0, abs=1e-6)


def test_head_roll_agreement_is_low_when_eye_corners_move_without_the_head() -> None:
    """A squint that lifts one outer eye corner tilts the eye line, not the head: the roll
    measure then follows something a copied head roll cannot reproduce."""
    rng = np.random.default_rng(3)
    rolls = np.radians(0.5 * np.sin(np.linspace(0, 6, 60)))
    tracks = []
    for r in rolls:
        points = face()
        points[lm.RIGHT_EYE_OUTER, 1] += rng.normal(0.0, 3.0)  # about 1.2 degrees of eye line
        tracks.append(tilted(points, r))
    tracks.insert(2, None)  # a frame without a face is skipped
    agreement = m.head_roll_agreement(tracks)
    assert 0.0 < agreement < 0.6
    assert math.isnan(m.head_roll_agreement([face(), None]))


# -- amplitude ------------------------------------------------------------------------------


def opened(points: np.ndarray, gap_iod: float) -> np.ndarray:
    """The face with its lower lip (and chin) moved down by `gap_iod` inter-ocular distances."""
    out = points.copy()
    out[list(lm.LIPS_INNER_LOWER) + list(lm.JAW), 1] += gap_iod * PIXELS_PER_IOD
    return out


def test_mouth_opening_and_corner_spread_are_in_inter_ocular_units() -> None:
    still = face()
    base = m.mouth_opening(still)
    assert m.mouth_opening(opened(still, 0.2)) == pytest.approx(base + 0.2, abs=0.02)
    # The same face at twice the size measures the same.
    big = (still - CENTRE) * 2.0 + CENTRE
    assert m.corner_spread(big) == pytest.approx(m.corner_spread(still), rel=1e-6)
    assert math.isnan(m.mouth_opening(None))


def test_amplitude_ratios_of_a_copy_at_another_size_are_one_and_of_half_the_motion_half() -> None:
    still = face()
    gaps = 0.25 * (1 + np.sin(np.linspace(0, 6 * np.pi, 60)))
    turns = np.radians(10.0) * np.sin(np.linspace(0, 4 * np.pi, 60))
    driver = [tilted(opened(still, g), 0.0, yaw=y) for g, y in zip(gaps, turns, strict=True)]
    copy = [(p - CENTRE) * 0.5 + CENTRE for p in driver]
    ratios = m.amplitude_ratios(driver, copy)
    assert ratios["mouth_opening"] == pytest.approx(1.0, abs=0.02)
    assert ratios["head_turn_deg"] == pytest.approx(1.0, abs=0.02)
    assert math.isnan(ratios["smile_spread"])  # the driver never smiles: not counted
    half = [tilted(opened(still, g / 2), 0.0, yaw=y / 2) for g, y in zip(gaps, turns, strict=True)]
    ratios = m.amplitude_ratios(driver, half)
    assert ratios["mouth_opening"] == pytest.approx(0.5, abs=0.03)
    assert ratios["head_turn_deg"] == pytest.approx(0.5, abs=0.03)


def test_amplitude_ignores_missing_faces_and_a_stray_frame() -> None:
    values = np.concatenate([np.linspace(0.0, 1.0, 100), [np.nan, 50.0]])
    assert m.amplitude(values) == pytest.approx(0.9, abs=0.03)
    assert math.isnan(m.amplitude(np.array([np.nan, 1.0])))
