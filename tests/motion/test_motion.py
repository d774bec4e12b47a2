"""Motion: One Euro filtering, face geometry, motion measurement, blending and proportions."""

from __future__ import annotations

import math

import numpy as np
import pytest

from kiosk.config import CameraConfig, EngineConfig, KioskConfig, TimeoutsConfig
from kiosk.motion.controls import control_basis
from kiosk.motion.estimator import (
    EXPRESSION_DEADBAND_ELSEWHERE,
    FilterSettings,
    MotionEstimator,
    NeutralEstimator,
    close_mouth,
    measure_motion,
)
from kiosk.motion.geometry import (
    euler_from_matrix,
    face_frame,
    matrix_from_euler,
    rigid_fit,
    similarity_transform,
)
from kiosk.motion.live import LiveMotion
from kiosk.motion.motion import Motion, blend
from kiosk.motion.one_euro import OneEuroFilter
from kiosk.motion.proportions import lid_gaps, offset_scale, reference_face
from kiosk.tracking import landmarks as lm

PIXELS_PER_IOD = 180.0
FACE_CENTRE = np.array([320.0, 240.0, 0.0])


def pixel_face() -> np.ndarray:
    """The reference face as a camera would see it, resting with its lips together: pixels,
    centred in a 640x480 frame."""
    return close_mouth(reference_face().astype(np.float64) * PIXELS_PER_IOD + FACE_CENTRE)


def with_expression(face: np.ndarray, canonical_offsets: np.ndarray) -> np.ndarray:
    frame = face_frame(face)
    return face + (canonical_offsets @ frame.axes.T) * frame.iod


def moved(
    face: np.ndarray,
    yaw: float,
    pitch: float,
    roll: float,
    scale: float = 1.0,
    shift: tuple[float, float, float] = (0, 0, 0),
) -> np.ndarray:
    rot = matrix_from_euler(yaw, pitch, roll)
    centre = face.mean(axis=0)
    return scale * (face - centre) @ rot.T + centre + np.asarray(shift)


# -- One Euro -------------------------------------------------------------------------------


def test_one_euro_reduces_jitter_of_a_still_signal() -> None:
    rng = np.random.default_rng(0)
    f = OneEuroFilter(min_cutoff=1.0, beta=0.5, d_cutoff=1.0)
    times = np.arange(0, 5, 1 / 60)
    noisy = 3.0 + rng.normal(0, 0.05, len(times))
    out = np.array([float(f(np.array(x), t)) for x, t in zip(noisy, times, strict=True)])
    settled = out[60:]
    assert settled.std() < 0.25 * noisy[60:].std()
    assert settled.mean() == pytest.approx(3.0, abs=0.01)


def test_one_euro_beta_reduces_lag_on_a_fast_ramp() -> None:
    times = np.arange(0, 2, 1 / 60)
    ramp = 2.0 * times  # fast movement, e.g. a head turning

    def lag(beta: float) -> float:
        f = OneEuroFilter(min_cutoff=1.0, beta=beta, d_cutoff=1.0)
        out = [float(f(np.array(x), t)) for x, t in zip(ramp, times, strict=True)]
        return float(ramp[-1] - out[-1])

    without, with_beta = lag(0.0), lag(2.0)
    assert 0 < with_beta < 0.3 * without
    assert with_beta < 0.05  # a small fraction of the 4-unit ramp


def test_one_euro_first_sample_passes_through_and_filters_elementwise() -> None:
    f = OneEuroFilter()
    first = np.array([[1.0, 2.0], [3.0, 4.0]])
    assert np.array_equal(f(first, 0.0), first)
    second = f(np.array([[2.0, 2.0], [3.0, 4.0]]), 1 / 60)
    assert 1.0 < second[0, 0] < 2.0
    assert second[0, 1] == 2.0 and second[1, 1] == 4.0


def test_one_euro_uses_the_real_time_step() -> None:
    # beta = 0: the smoothing factor is 1 / (1 + tau / dt), tau = 1 / (2 pi min_cutoff).
    tau = 1.0 / (2.0 * math.pi * 1.0)
    for dt in (0.005, 0.033, 0.2):
        f = OneEuroFilter(min_cutoff=1.0, beta=0.0)
        f(np.array(0.0), 10.0)
        out = float(f(np.array(1.0), 10.0 + dt))
        assert out == pytest.approx(1.0 / (1.0 + tau / dt))


def test_one_euro_irregular_time_steps_settle() -> None:
    rng = np.random.default_rng(1)
    f = OneEuroFilter(min_cutoff=1.5, beta=4.0)
    t = 0.0
    outputs = []
    for _ in range(400):
        t += float(rng.choice([0.002, 0.016, 0.016, 0.05, 0.2]))
        outputs.append(float(f(np.array(1.0 + rng.normal(0, 0.02)), t)))
    assert np.all(np.isfinite(outputs))
    assert np.mean(outputs[-100:]) == pytest.approx(1.0, abs=0.01)


def test_one_euro_repeated_or_backwards_timestamp_returns_last_output() -> None:
    f = OneEuroFilter()
    f(np.array(0.0), 1.0)
    last = float(f(np.array(1.0), 1.1))
    assert float(f(np.array(50.0), 1.1)) == last  # same time: nothing new
    assert float(f(np.array(-50.0), 1.05)) == last  # time went backwards
    nxt = float(f(np.array(1.0), 1.2))
    assert np.isfinite(nxt) and last < nxt < 1.0


def test_one_euro_reset_forgets_state() -> None:
    f = OneEuroFilter()
    f(np.array(0.0), 0.0)
    f(np.array(5.0), 0.1)
    f.reset()
    assert float(f(np.array(7.0), 0.2)) == 7.0


# -- geometry -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "angles_deg", [(0, 0, 0), (20, 0, 0), (0, -15, 0), (0, 0, 30), (25, -10, 12), (-40, 30, -60)]
)
def test_euler_round_trip(angles_deg: tuple[float, float, float]) -> None:
    angles = np.radians(angles_deg)
    rot = matrix_from_euler(*angles)
    assert rot @ rot.T == pytest.approx(np.eye(3), abs=1e-12)
    assert np.linalg.det(rot) == pytest.approx(1.0)
    assert euler_from_matrix(rot) == pytest.approx(tuple(angles), abs=1e-9)


def test_positive_roll_is_clockwise_in_image_coordinates() -> None:
    # y points down in the image: clockwise on screen takes +x towards +y.
    x_axis = matrix_from_euler(0.0, 0.0, np.radians(10)) @ np.array([1.0, 0.0, 0.0])
    assert x_axis[1] > 0


def test_similarity_transform_recovers_known_transform() -> None:
    rng = np.random.default_rng(2)
    src = rng.normal(size=(60, 3))
    rot = matrix_from_euler(0.3, -0.2, 0.5)
    dst = 2.5 * src @ rot.T + np.array([10.0, -4.0, 3.0])
    scale, r, t = similarity_transform(src, dst)
    assert scale == pytest.approx(2.5)
    assert r == pytest.approx(rot, abs=1e-9)
    assert t == pytest.approx([10.0, -4.0, 3.0])


def test_similarity_transform_never_returns_a_reflection() -> None:
    rng = np.random.default_rng(3)
    src = rng.normal(size=(30, 3))
    mirrored = src * np.array([-1.0, 1.0, 1.0])
    _, r, _ = similarity_transform(src, mirrored)
    assert np.linalg.det(r) == pytest.approx(1.0)


def test_face_frame_of_reference_face() -> None:
    face = pixel_face()
    frame = face_frame(face)
    assert frame.axes.T @ frame.axes == pytest.approx(np.eye(3), abs=1e-9)
    assert frame.iod == pytest.approx(lm.inter_ocular_distance(face))
    assert frame.to_image(frame.to_canonical(face)) == pytest.approx(face)


# -- measuring motion -----------------------------------------------------------------------


@pytest.mark.parametrize("angles_deg", [(15, 0, 0), (0, 10, 0), (0, 0, -12), (-20, 8, 6)])
def test_measure_motion_recovers_head_pose(angles_deg: tuple[float, float, float]) -> None:
    neutral = pixel_face()
    current = moved(neutral, *np.radians(angles_deg), scale=1.1, shift=(25.0, -10.0, 0.0))
    motion = measure_motion(neutral, face_frame(neutral), current)
    assert np.degrees([motion.yaw, motion.pitch]) == pytest.approx(angles_deg[:2], abs=1.0)
    # Roll is the eye line's tilt in the image: the rotation's roll for a pure tilt, and what a
    # turn of a tilted head adds to it otherwise.
    seen_tilt = lm.head_roll(current) - lm.head_roll(neutral)
    assert motion.roll == pytest.approx(seen_tilt, abs=1e-6)
    if angles_deg[:2] == (0, 0):
        assert np.degrees(motion.roll) == pytest.approx(angles_deg[2], abs=1e-6)
    assert motion.scale == pytest.approx(1.1, rel=1e-3)
    assert np.abs(motion.offsets).max() < 1e-3  # a rigid move has no expression


def test_measure_motion_pure_expression_has_no_pose() -> None:
    neutral = pixel_face()
    jaw = control_basis()["jaw_open"]
    current = with_expression(neutral, jaw)
    motion = measure_motion(neutral, face_frame(neutral), current)
    assert np.degrees([motion.yaw, motion.pitch, motion.roll]) == pytest.approx([0, 0, 0], abs=1e-3)
    assert motion.scale == pytest.approx(1.0)
    assert motion.translation == pytest.approx([0.0, 0.0], abs=1e-5)
    assert motion.offsets == pytest.approx(jaw, abs=1e-4)


def test_measure_motion_expression_survives_head_turn() -> None:
    neutral = pixel_face()
    jaw = control_basis()["jaw_open"]  # moves no skull-fixed (RIGID) landmark
    current = moved(with_expression(neutral, jaw), np.radians(12), np.radians(-5), 0.0)
    motion = measure_motion(neutral, face_frame(neutral), current)
    assert np.degrees([motion.yaw, motion.pitch]) == pytest.approx([12, -5], abs=1e-3)
    assert motion.offsets == pytest.approx(jaw, abs=1e-4)


def test_the_jaw_parts_the_lips_less_towards_the_corners_than_an_ellipse() -> None:
    """Opened by the jaw, the lips meet at an angle at each corner, as a mouth's do: near the
    corners the opening is lower than an ellipse of the same width and height would be. An
    opening as full as an ellipse ends bluntly, and the skin beside each corner is stretched
    over the blunt end's height."""
    ref = reference_face().astype(np.float64)
    jaw = control_basis()["jaw_open"]
    upper = lm.as_index(lm.LIPS_INNER_UPPER)
    lower = lm.as_index(lm.LIPS_INNER_LOWER_78_TO_308)  # facing the upper ones, corner to corner
    gap = jaw[lower, 1] - jaw[upper, 1]
    centre = ref[[lm.INNER_MOUTH_LEFT, lm.INNER_MOUTH_RIGHT], 0].mean()
    half = abs(ref[lm.INNER_MOUTH_LEFT, 0] - ref[lm.INNER_MOUTH_RIGHT, 0]) / 2
    across = np.abs((ref[upper, 0] + ref[lower, 0]) / 2 - centre) / half
    near_corners = (across > 0.75) & (across < 0.95)
    assert near_corners.sum() == 2
    ellipse = np.sqrt(1.0 - across[near_corners] ** 2)
    # 0.70-0.74 here; 1.02-1.06 parted as an ellipse (JAW_TAPER 0.4)
    assert np.all(gap[near_corners] / gap.max() < 0.85 * ellipse)


def test_rigid_fit_ignores_expression_landmarks() -> None:
    neutral = pixel_face()
    current = with_expression(neutral, control_basis()["jaw_open"])
    scale, rot, trans = rigid_fit(neutral, current)
    assert scale == pytest.approx(1.0)
    assert rot == pytest.approx(np.eye(3), abs=1e-9)


def test_neutral_estimator_skips_open_mouth_frames() -> None:
    calm = pixel_face()
    open_mouth = with_expression(calm, control_basis()["jaw_open"])
    assert lm.mouth_open_ratio(open_mouth) > 0.12 > lm.mouth_open_ratio(calm)
    estimator = NeutralEstimator(frames=3)
    estimator.update(calm)
    for _ in range(5):
        neutral = estimator.update(open_mouth)
    assert not estimator.settled
    assert neutral == pytest.approx(calm)


def test_neutral_estimator_skips_closed_eyes() -> None:
    calm = pixel_face()
    blinking = with_expression(calm, control_basis()["blink"])
    assert min(lm.eye_open_ratios(blinking)) < 0.12
    estimator = NeutralEstimator(frames=2)
    estimator.update(calm)
    estimator.update(blinking)
    assert not estimator.settled
    assert estimator.update(blinking) == pytest.approx(calm)


def test_neutral_estimator_recovers_from_an_open_first_frame() -> None:
    calm = pixel_face()
    open_mouth = with_expression(calm, control_basis()["jaw_open"])
    estimator = NeutralEstimator(frames=3)
    first = estimator.update(open_mouth)  # nothing better yet: the open face, lips closed
    assert lm.mouth_open_ratio(first) < 0.5 * lm.mouth_open_ratio(open_mouth)
    estimator.update(calm)
    neutral = estimator.update(calm)
    assert estimator.settled
    assert neutral == pytest.approx(calm)  # the median outvotes the open frame


def test_filter_settings_from_config() -> None:
    """The pose filter follows config.yaml's engine section; its defaults are the tuned ones."""
    assert FilterSettings.from_config(EngineConfig()) == FilterSettings(
        pose_min_cutoff=2.0, pose_beta=100.0, expression_min_cutoff=8.0, expression_beta=8.0,
        d_cutoff=1.0, expression_deadband=0.002, expression_deadband_elsewhere=0.004,
    )  # fmt: skip
    engine = EngineConfig(one_euro_min_cutoff=3.0, one_euro_beta=50.0, one_euro_d_cutoff=1.5)
    settings = FilterSettings.from_config(engine)
    assert (settings.pose_min_cutoff, settings.pose_beta, settings.d_cutoff) == (3.0, 50.0, 1.5)


def test_live_motion_from_config() -> None:
    config = KioskConfig(
        camera=CameraConfig(mirror=False), timeouts=TimeoutsConfig(visitor_forget_s=4.0)
    )
    live = LiveMotion.from_config(config)
    try:
        assert (live.mirror, live.forget_after_s) == (False, 4.0)
    finally:
        live.close()


def test_motion_estimator_sees_a_held_expression() -> None:
    calm = pixel_face()
    estimator = MotionEstimator(neutral_frames=2)
    for i in range(2):
        estimator.update(calm, i / 30)
    jaw = control_basis()["jaw_open"]
    talking = with_expression(calm, jaw)
    for i in range(2, 60):
        motion = estimator.update(talking, i / 30)
    # Offsets come out in the reference face's proportions (this face's closed lips make its
    # mouth a little narrower than the reference's parted ones).
    expected = jaw * offset_scale(face_frame(calm).to_canonical(calm), reference_face())
    lag = EXPRESSION_DEADBAND_ELSEWHERE + 1e-3  # the widest deadband's lag
    assert motion.offsets == pytest.approx(expected, abs=lag)
    assert abs(motion.yaw) < 1e-6 and abs(motion.roll) < 1e-6


# -- blending and proportions ---------------------------------------------------------------


def test_blend_endpoints_and_midpoint() -> None:
    rng = np.random.default_rng(4)
    a = Motion(
        yaw=0.1,
        pitch=-0.2,
        roll=0.0,
        translation=np.array([0.0, 1.0], np.float32),
        scale=1.0,
        offsets=rng.normal(size=(478, 3)).astype(np.float32),
    )
    b = Motion(
        yaw=0.3,
        pitch=0.2,
        roll=0.4,
        translation=np.array([1.0, 0.0], np.float32),
        scale=1.2,
        offsets=rng.normal(size=(478, 3)).astype(np.float32),
    )
    start, end, mid = blend(a, b, 0.0), blend(a, b, 1.0), blend(a, b, 0.5)
    assert start.yaw == a.yaw and np.array_equal(start.offsets, a.offsets)
    assert end.roll == b.roll and np.array_equal(end.offsets, b.offsets)
    assert start.offsets is not a.offsets  # a copy: editing it does not change the input
    assert (mid.yaw, mid.pitch, mid.roll, mid.scale) == pytest.approx((0.2, 0.0, 0.2, 1.1))
    assert mid.translation == pytest.approx([0.5, 0.5])
    assert mid.offsets == pytest.approx((a.offsets + b.offsets) / 2, abs=1e-6)
    assert blend(a, b, -3.0).yaw == a.yaw and blend(a, b, 7.0).yaw == b.yaw


def test_offset_scale_closes_the_lid_on_a_wider_eye() -> None:
    ref = reference_face().astype(np.float64)
    up = lm.as_index(lm.RIGHT_EYE_UPPER + lm.LEFT_EYE_UPPER)
    lo = lm.as_index(lm.RIGHT_EYE_LOWER + lm.LEFT_EYE_LOWER)
    wide = ref.copy()
    wide[up, 1] = ref[lo, 1] - 2.0 * (ref[lo, 1] - ref[up, 1])  # twice the lid gap
    assert np.concatenate(lid_gaps(wide)) == pytest.approx(2 * np.concatenate(lid_gaps(ref)))

    blink = control_basis()["blink"]
    rescaled = blink * offset_scale(ref, wide)
    closed = wide[up, 1] + rescaled[up, 1]
    wide_gap = wide[lo, 1] - wide[up, 1]
    remaining = (wide[lo, 1] - closed) / wide_gap
    assert np.all(np.abs(remaining) < 0.05)  # the lid meets the lower lid
    # Without rescaling the same blink would only close the wider eye half way.
    unscaled_remaining = (wide[lo, 1] - (wide[up, 1] + blink[up, 1])) / wide_gap
    assert np.all(unscaled_remaining > 0.4)


def test_offset_scale_same_face_is_identity() -> None:
    ref = reference_face()
    offsets = control_basis()["jaw_open"] + control_basis()["blink"]
    assert offsets * offset_scale(ref, ref) == pytest.approx(offsets, abs=1e-6)


def test_deadband_holds_small_changes_and_follows_large_ones_without_a_step() -> None:
    from kiosk.motion.estimator import Deadband

    band = Deadband(np.array([0.1]))
    assert band(np.array([1.0])) == pytest.approx([1.0])
    assert band(np.array([1.05])) == pytest.approx([1.0])  # inside the band: held
    assert band(np.array([0.95])) == pytest.approx([1.0])
    assert band(np.array([1.5])) == pytest.approx([1.4])  # follows, lagging by the width
    assert band(np.array([1.45])) == pytest.approx([1.4])
    band.reset()
    assert band(np.array([7.0])) == pytest.approx([7.0])


def test_a_still_visitors_tremor_moves_only_lips_and_lids_the_narrow_deadband_lets_through():
    """Expression noise of 0.003 IOD (a visitor standing still, measured): the brows, cheeks
    and outline hold still; the lips and lids, which the narrow band lets follow, do not."""
    calm = pixel_face()
    estimator = MotionEstimator(neutral_frames=1)
    rng = np.random.default_rng(3)
    first = estimator.update(calm, 0.0)
    offsets = []
    for i in range(1, 40):
        tremor = rng.normal(0.0, 0.003 * PIXELS_PER_IOD / 2, calm.shape) * (0.0, 1.0, 0.0)
        offsets.append(estimator.update(calm + tremor, i / 30).offsets)
    moved = np.abs(np.array(offsets) - first.offsets).max(axis=0).max(axis=1)
    lips_and_lids = lm.as_index(
        lm.LIPS_OUTER + lm.LIPS_INNER + lm.RIGHT_EYE_CONTOUR + lm.LEFT_EYE_CONTOUR
    )
    elsewhere = np.setdiff1d(np.arange(lm.NUM_LANDMARKS), lips_and_lids)
    assert np.mean(moved[elsewhere] == 0.0) > 0.95
    assert np.mean(moved[lips_and_lids] > 0.0) > 0.5


def test_close_mouth_shuts_parted_lips_and_leaves_closed_ones() -> None:
    calm = pixel_face()
    assert lm.mouth_open_ratio(calm) < 0.03
    talking = with_expression(calm, control_basis()["jaw_open"])
    assert lm.mouth_open_ratio(close_mouth(talking)) < 0.03
    assert close_mouth(calm) == pytest.approx(calm)
    # Lips only slightly parted (the reference face's own 0.089) are closed too: otherwise a
    # visitor closing their lips would be 'more than closed' and the painting could not follow.
    parted = reference_face().astype(np.float64) * PIXELS_PER_IOD + FACE_CENTRE
    assert lm.mouth_open_ratio(parted) > 0.05
    assert lm.mouth_open_ratio(close_mouth(parted)) < 0.03


def test_a_full_smile_widens_the_mouth_as_a_real_broad_smile_does() -> None:
    """Smile 1 widens the mouth by about a third of the eyes' distance, as the drivers' broad
    smiles do (0.37 and 0.44 swings of the corners' spread); it was 0.12 and barely showed."""
    ref = reference_face().astype(np.float64)
    smiled = ref + control_basis()["smile"]

    def spread(points: np.ndarray) -> float:
        width = np.linalg.norm(points[lm.MOUTH_LEFT, :2] - points[lm.MOUTH_RIGHT, :2])
        return float(width / lm.inter_ocular_distance(points))

    assert 0.2 < spread(smiled) - spread(ref) < 0.4
    # The corners go up too (image y is down).
    assert smiled[lm.MOUTH_LEFT, 1] < ref[lm.MOUTH_LEFT, 1] - 0.05


def test_offset_scale_keeps_a_smile_face_sized_on_a_narrow_mouth() -> None:
    """A painting whose mouth is narrow for its face smiles as far, relative to its eyes'
    distance, as the visitor: the mouth's offsets carry over unscaled (scaled to the mouth's
    width the smile read at 0.72 of the visitor's)."""
    ref = reference_face().astype(np.float64)
    lips = lm.as_index(lm.LIPS_OUTER + lm.LIPS_INNER)
    narrow = ref.copy()
    centre = ref[lips, 0].mean()
    narrow[lips, 0] = centre + 0.7 * (ref[lips, 0] - centre)
    smile = control_basis()["smile"]
    on_narrow = smile * offset_scale(ref, narrow)
    spread = lambda offsets: offsets[lm.MOUTH_LEFT, 0] - offsets[lm.MOUTH_RIGHT, 0]  # noqa: E731
    assert abs(spread(smile)) > 0.01
    assert spread(on_narrow) == pytest.approx(spread(smile), rel=1e-6)
