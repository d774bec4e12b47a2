"""Landmarks of a performer -> `Motion`: relative head pose and pose-free expression offsets."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kiosk.config import EngineConfig
from kiosk.motion.geometry import FaceFrame, euler_from_matrix, face_frame, image_roll, rigid_fit
from kiosk.motion.motion import Motion
from kiosk.motion.one_euro import OneEuroFilter
from kiosk.motion.proportions import offset_scale, reference_face
from kiosk.tracking import landmarks as lm

# The expression filter. Tuned on kiosk eval (14 portraits x 7 drivers) together with the pose
# filter's defaults in config.yaml (engine.one_euro_*): from (1.5, 4, 2, 8) to (2, 100, 8, 8),
# the painting lags the visitor less (roll correlation 0.80 -> 0.87, mouth 0.88 -> 0.90) while
# a visitor holding still stays still (the deadbands; 0.15 -> 0.24 px, limit 0.3).
EXPRESSION_MIN_CUTOFF = 8.0
EXPRESSION_BETA = 8.0
EXPRESSION_DEADBAND = 0.002  # IOD units: about 0.2 px on a face 100 px across
# Everything but the lips and the eyelids holds still through twice that: a visitor standing
# still moved the painting's brows, cheeks and outline by a few thousandths of an IOD a frame,
# which the face's kept fine texture (renderer/detail.py) turned into output jitter (kiosk
# eval's stillness 0.30 px; 0.24 with this). The lips and lids keep the narrow band: their
# movements are small and are what the visitor watches (with 0.003 on them too, the smile
# came out at 0.79 of the visitor's instead of 0.81).
EXPRESSION_DEADBAND_ELSEWHERE = 0.004
_LIPS_AND_LIDS = lm.as_index(
    lm.LIPS_OUTER + lm.LIPS_INNER + lm.RIGHT_EYE_CONTOUR + lm.LEFT_EYE_CONTOUR
)


@dataclass(frozen=True, slots=True)
class FilterSettings:
    """One Euro parameters for head pose (radians / IOD units) and expression offsets.

    The pose filter's come from config.yaml's engine section, the expression filter's from the
    constants above: build with from_config().
    """

    pose_min_cutoff: float = 2.0
    pose_beta: float = 100.0
    expression_min_cutoff: float = EXPRESSION_MIN_CUTOFF
    expression_beta: float = EXPRESSION_BETA
    d_cutoff: float = 1.0  # both filters' smoothing of the speed estimate
    expression_deadband: float = EXPRESSION_DEADBAND  # on the lips and lids
    expression_deadband_elsewhere: float = EXPRESSION_DEADBAND_ELSEWHERE

    @classmethod
    def from_config(cls, engine: EngineConfig) -> FilterSettings:
        return cls(
            pose_min_cutoff=engine.one_euro_min_cutoff,
            pose_beta=engine.one_euro_beta,
            expression_min_cutoff=EXPRESSION_MIN_CUTOFF,
            expression_beta=EXPRESSION_BETA,
            d_cutoff=engine.one_euro_d_cutoff,
            expression_deadband=EXPRESSION_DEADBAND,
            expression_deadband_elsewhere=EXPRESSION_DEADBAND_ELSEWHERE,
        )

    def expression_widths(self) -> np.ndarray:
        """The expression deadband's width per landmark, (478, 1)."""
        widths = np.full((lm.NUM_LANDMARKS, 1), self.expression_deadband_elsewhere)
        widths[_LIPS_AND_LIDS] = self.expression_deadband
        return widths


class Deadband:
    """A soft dead zone: the output follows the input only once it is more than `width` away,
    and then lags it by exactly `width`. A visitor holding still yields an unchanging motion
    (and so an unchanging painting), with no step when they start to move."""

    def __init__(self, width: np.ndarray) -> None:
        self.width = width
        self._held: np.ndarray | None = None

    def reset(self) -> None:
        self._held = None

    def __call__(self, value: np.ndarray) -> np.ndarray:
        if self._held is None or self._held.shape != value.shape:
            self._held = value.copy()
            return value
        delta = value - self._held
        self._held = self._held + np.sign(delta) * np.maximum(np.abs(delta) - self.width, 0.0)
        return self._held.copy()


def measure_motion(neutral: np.ndarray, neutral_frame: FaceFrame, current: np.ndarray) -> Motion:
    """Unfiltered motion from `neutral` to `current` (both (478, 3) image-space landmarks)."""
    scale, rot, trans = rigid_fit(neutral, current)
    yaw, pitch, _ = euler_from_matrix(rot)
    roll = image_roll(neutral, rot)
    aligned = ((current - trans) @ rot) / scale  # current face, moved back into neutral's pose
    offsets = ((aligned - neutral) @ neutral_frame.axes) / neutral_frame.iod
    centre = neutral_frame.origin
    moved = scale * rot @ centre + trans
    translation = (moved - centre)[:2] / neutral_frame.iod
    return Motion(
        yaw=yaw,
        pitch=pitch,
        roll=roll,
        translation=translation.astype(np.float32),
        scale=scale,
        offsets=offsets.astype(np.float32),
    )


# Lips parted this much (gap over width) are mid-word: such frames are not used for the
# neutral face while calmer ones come along.
MID_WORD_MOUTH_RATIO = 0.12
# The neutral face has its lips together (beyond this gap they are closed on it). A neutral
# with parted lips made every later closing 'more than closed', clipped at the painting's
# closed lips: d3 starts with its lips parted (0.094) and rests closed, and the painting's mouth
# followed it with half the movement (d3 mouth correlation 0.62; 0.92 with this). A visitor
# who rests with parted lips now sees the painting rest with parted lips too, as in a mirror.
CLOSED_MOUTH_RATIO = 0.03


def close_mouth(landmarks: np.ndarray) -> np.ndarray:
    """The same face with its lips together: a neutral caught mid-word would make every later
    closing of the mouth an impossible 'more than closed'."""
    if lm.mouth_open_ratio(landmarks) < CLOSED_MOUTH_RATIO:
        return landmarks
    from kiosk.motion.controls import control_basis  # the jaw's shape, as clips use it

    jaw = control_basis()["jaw_open"]
    per_unit = float(jaw[lm.LOWER_LIP_INNER_MID, 1] - jaw[lm.UPPER_LIP_INNER_MID, 1])
    frame = face_frame(landmarks.astype(np.float64))
    canon = frame.to_canonical(landmarks.astype(np.float64))
    gap = float(canon[lm.LOWER_LIP_INNER_MID, 1] - canon[lm.UPPER_LIP_INNER_MID, 1])
    closed = canon - (gap / per_unit) * jaw
    return frame.to_image(closed).astype(landmarks.dtype)


class NeutralEstimator:
    """The performer's neutral face: per-landmark median of their first calm frames.

    A single first frame may catch an open mouth or a blink; frames with the mouth open or the
    eyes shut are skipped, and the median of up to `frames` calm ones is used.
    """

    def __init__(self, frames: int = 12) -> None:
        self.frames = frames
        self._samples: list[np.ndarray] = []
        self._neutral: np.ndarray | None = None

    @property
    def settled(self) -> bool:
        return len(self._samples) >= self.frames

    def reset(self) -> None:
        self._samples.clear()
        self._neutral = None

    def fix(self, landmarks: np.ndarray) -> None:
        """Use exactly these landmarks as neutral (offline rendering: the driver's frame 0)."""
        self._samples = [close_mouth(landmarks.astype(np.float64))] * self.frames
        self._neutral = self._samples[0]

    def update(self, landmarks: np.ndarray) -> np.ndarray:
        if not self.settled:
            calm = lm.mouth_open_ratio(landmarks) < MID_WORD_MOUTH_RATIO
            calm = calm and min(lm.eye_open_ratios(landmarks)) > 0.12
            if calm or self._neutral is None:
                aligned = landmarks.astype(np.float64)
                if self._samples:
                    # Remove head motion so the median is taken over the same pose.
                    s, r, t = rigid_fit(self._samples[0], aligned)
                    aligned = ((aligned - t) @ r) / s
                self._samples.append(aligned)
                self._neutral = close_mouth(np.median(np.stack(self._samples), axis=0))
        assert self._neutral is not None
        return self._neutral


class MotionEstimator:
    """Turns a stream of tracked landmarks into filtered motion on the reference face.

    `settings` None: config.yaml's default engine settings (offline rendering and evaluation,
    which read no config file).
    """

    def __init__(self, settings: FilterSettings | None = None, neutral_frames: int = 12) -> None:
        s = settings or FilterSettings.from_config(EngineConfig())
        self._pose_filter = OneEuroFilter(s.pose_min_cutoff, s.pose_beta, s.d_cutoff)
        self._expr_filter = OneEuroFilter(s.expression_min_cutoff, s.expression_beta, s.d_cutoff)
        self.neutral = NeutralEstimator(neutral_frames)
        # Angles in radians (0.1 degree), translation/scale in IOD units.
        self._pose_deadband = Deadband(np.array([0.0017, 0.0017, 0.0017, 0.002, 0.002, 0.002]))
        self._expr_deadband = Deadband(s.expression_widths())
        # What depends on the neutral face only, kept while the neutral stays the same.
        self._neutral_seen: np.ndarray | None = None
        self._neutral_frame: FaceFrame | None = None
        self._neutral_scale: np.ndarray | None = None

    def reset(self) -> None:
        """A new performer: forget their neutral face and the filter state."""
        self.neutral.reset()
        self._pose_filter.reset()
        self._expr_filter.reset()
        self._pose_deadband.reset()
        self._expr_deadband.reset()

    def fix_neutral(self, landmarks: np.ndarray) -> None:
        self.neutral.fix(landmarks)

    def update(self, landmarks: np.ndarray, timestamp: float) -> Motion:
        neutral = self.neutral.update(landmarks)
        if neutral is not self._neutral_seen:
            self._neutral_seen = neutral
            self._neutral_frame = face_frame(neutral)
            canonical = self._neutral_frame.to_canonical(neutral)
            self._neutral_scale = offset_scale(canonical, reference_face())
        frame = self._neutral_frame
        raw = measure_motion(neutral, frame, landmarks.astype(np.float64))
        raw.offsets = raw.offsets * self._neutral_scale
        pose = np.array(
            [raw.yaw, raw.pitch, raw.roll, *raw.translation, np.log(max(raw.scale, 1e-6))]
        )
        pose = self._pose_deadband(self._pose_filter(pose, timestamp))
        offsets = self._expr_deadband(self._expr_filter(raw.offsets, timestamp))
        return Motion(
            yaw=float(pose[0]),
            pitch=float(pose[1]),
            roll=float(pose[2]),
            translation=pose[3:5].astype(np.float32),
            scale=float(np.exp(pose[5])),
            offsets=offsets.astype(np.float32),
        )
