"""Named face controls (jaw open, smile, blink, ...) -> expression offsets on the reference face.

Driver clips are written in these controls so curators can read and edit them; each control is a
fixed field of landmark offsets built once from the reference face, and a clip frame is a
weighted sum of them.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from kiosk.motion.motion import Motion
from kiosk.motion.proportions import lid_gaps, reference_face
from kiosk.tracking import landmarks as lm

# name -> (minimum, maximum, what it means); angles in degrees, the rest in 0..1 or -1..1.
CONTROLS: dict[str, tuple[float, float, str]] = {
    "yaw": (-30.0, 30.0, "head turn in degrees, positive towards the image's left"),
    "pitch": (-30.0, 30.0, "head nod in degrees, positive = chin down"),
    "roll": (-25.0, 25.0, "head tilt in degrees, positive = clockwise"),
    "jaw_open": (0.0, 1.0, "mouth opening, 1 = wide open"),
    "smile": (-0.5, 1.0, "smile, 1 = broad smile; negative turns the corners down"),
    "pucker": (0.0, 1.0, "lips pushed together and forward"),
    "lip_tuck": (0.0, 1.0, "lower lip rolled up under the upper teeth (f, v)"),
    "lips_press": (0.0, 1.0, "lips pressed together: a painted open mouth shuts (p, b, m)"),
    "brow_raise": (0.0, 1.0, "both eyebrows up"),
    "brow_frown": (0.0, 1.0, "inner eyebrows down and together"),
    "blink": (0.0, 1.0, "both eyes closed, 1 = fully shut"),
    "blink_left": (0.0, 1.0, "the sitter's left eye closed (a wink)"),
    "blink_right": (0.0, 1.0, "the sitter's right eye closed (a wink)"),
    "gaze_x": (-1.0, 1.0, "eyes look towards the image's right (positive) or left"),
    "gaze_y": (-1.0, 1.0, "eyes look down (positive) or up"),
}
POSE_CONTROLS = ("yaw", "pitch", "roll")
# How the lips' parting falls off towards the corners. At 0.4 they parted about as an ellipse
# does (near the corners 1.02-1.06 of its height), an opening with blunt ends: the skin beside
# each corner was stretched over the blunt end's height, and a wide-open mouth read as a
# trapezoid. At 0.7 they meet at an angle, as lips do (0.70-0.74 of the ellipse there).
JAW_TAPER = 0.7
# The lower lip as rows from its inner line down to its outer one, each from corner 78 to 308.
LOWER_LIP_COLUMNS = np.array(
    [
        lm.LIPS_INNER_LOWER[::-1],
        lm.LOWER_LIP_BODY_INNER,
        lm.LOWER_LIP_BODY_OUTER,
        lm.LIPS_OUTER_LOWER[::-1],
    ]
)


def _lower_face_mask(ref: np.ndarray) -> np.ndarray:
    upper_lip = set(lm.LIPS_INNER_UPPER) | set(lm.LIPS_OUTER_UPPER)
    lower_lip = set(lm.LIPS_INNER_LOWER) | set(lm.LIPS_OUTER_LOWER) | set(lm.JAW)
    corner_y = (ref[lm.MOUTH_LEFT, 1] + ref[lm.MOUTH_RIGHT, 1]) / 2
    mask = ref[:, 1] > corner_y + 0.03
    mask[list(upper_lip)] = False
    mask[list(lower_lip - {lm.MOUTH_LEFT, lm.MOUTH_RIGHT, 78, 308})] = True
    return mask


def _mouth_frame(ref: np.ndarray) -> tuple[np.ndarray, float]:
    """The mouth's centre and half its width on the reference face."""
    mouth_c = ref[list(lm.LIPS_OUTER)].mean(axis=0)
    half_w = abs(ref[lm.MOUTH_LEFT, 0] - ref[lm.MOUTH_RIGHT, 0]) / 2
    return mouth_c, half_w


def _jaw_open(ref: np.ndarray) -> np.ndarray:
    """The lower lip and everything below it drops; less towards the jaw corners."""
    n = len(ref)
    mouth_c, half_w = _mouth_frame(ref)
    chin_y = ref[lm.CHIN, 1]
    jaw = np.zeros((n, 3))
    lower = _lower_face_mask(ref)
    side = np.clip(1.25 - np.abs(ref[:, 0] - mouth_c[0]) / (2.2 * half_w), 0.0, 1.0)
    depth = np.clip((ref[:, 1] - mouth_c[1]) / max(chin_y - mouth_c[1], 1e-6), 0.0, 1.0)
    drop = np.where(lower, side * (1.0 - 0.18 * depth), 0.0)
    jaw[:, 1] = 0.42 * drop
    jaw[list(lm.LIPS_INNER_UPPER), 1] = -0.025
    # The lips part most in the middle and taper into the corners, which drop only a little
    # with the jaw: an opening that keeps its full height out to the corners looks boxy.
    corner_drop = 0.12
    half_inner = abs(ref[lm.INNER_MOUTH_LEFT, 0] - ref[lm.INNER_MOUTH_RIGHT, 0]) / 2

    def taper(points: np.ndarray) -> np.ndarray:
        across = np.clip(np.abs(ref[points, 0] - mouth_c[0]) / half_inner, 0.0, 1.0)
        return (1.0 - across**2) ** JAW_TAPER

    upper = lm.as_index(lm.LIPS_INNER_UPPER)
    jaw[upper, 1] = corner_drop + (jaw[upper, 1] - corner_drop) * taper(upper)
    # The lower lip moves as one piece, column by column as its inner line does: its rows lie
    # closer than a pixel apart near the corners, and any difference would fold them over.
    inner = LOWER_LIP_COLUMNS[0]
    jaw[LOWER_LIP_COLUMNS, 1] = corner_drop + (jaw[inner, 1] - corner_drop) * taper(inner)
    corners = [lm.MOUTH_LEFT, lm.MOUTH_RIGHT, lm.INNER_MOUTH_RIGHT, lm.INNER_MOUTH_LEFT]
    jaw[corners, 1] = corner_drop
    jaw[corners, 0] = -0.03 * np.sign(ref[corners, 0] - mouth_c[0])  # corners pull in a little
    return jaw


def _smile(ref: np.ndarray) -> np.ndarray:
    """Corners out and up, the lips following by how far out they are, cheeks lifting."""
    mouth_c, half_w = _mouth_frame(ref)
    smile = np.zeros((len(ref), 3))
    dx = ref[:, 0] - mouth_c[0]
    near_mouth = np.exp(
        -(
            ((ref[:, 0] - mouth_c[0]) / (1.6 * half_w)) ** 2
            + ((ref[:, 1] - mouth_c[1]) / (0.9 * half_w)) ** 2
        )
    )
    lateral = np.clip(np.abs(dx) / half_w, 0, 1.2)
    # A broad smile widens the mouth by about a third of the eyes' distance (drivers d19 and
    # d12: the mouth corners' spread swings by 0.37 and 0.44 of it); at 0.09 and 0.075 a full
    # smile widened it by 0.12 and a 0.8 smile barely showed on a contact sheet.
    smile[:, 0] = 0.2 * np.sign(dx) * lateral * near_mouth
    smile[:, 1] = -0.1 * lateral**2 * near_mouth
    cheeks = np.exp(
        -(
            ((np.abs(dx) - 1.3 * half_w) / (0.6 * half_w)) ** 2
            + ((ref[:, 1] - (mouth_c[1] - 0.45)) / 0.35) ** 2
        )
    )
    smile[:, 1] -= 0.05 * cheeks
    return smile


def _pucker(ref: np.ndarray) -> np.ndarray:
    mouth_c, _ = _mouth_frame(ref)
    pucker = np.zeros((len(ref), 3))
    lips = list(set(lm.LIPS_INNER) | set(lm.LIPS_OUTER))
    pucker[lips, 0] = -0.28 * (ref[lips, 0] - mouth_c[0])
    pucker[lips, 2] = -0.08
    return pucker


def _lip_tuck(ref: np.ndarray) -> np.ndarray:
    """The lower lip rolls in under the upper teeth (speech's f and v): its outer edge comes
    up towards its inner line and the whole lip goes back; the upper lip stays."""
    tuck = np.zeros((len(ref), 3))
    rows = LOWER_LIP_COLUMNS  # inner line first, outer edge last
    for depth, row in enumerate(rows):
        tuck[row, 1] = -0.012 * depth  # 0 on the inner line, most on the outer edge
        tuck[row, 2] = 0.05
    return tuck


def _lips_press(ref: np.ndarray) -> np.ndarray:
    """The lips move towards each other far enough to shut a painted mouth that is open about
    half its width; the retargeting stops them where they meet (never crossed), so a
    closed mouth stays as it is but for its lips pressing a little thinner."""
    press = np.zeros((len(ref), 3))
    press[lm.as_index(lm.LIPS_INNER_UPPER), 1] = 0.2
    press[lm.as_index(lm.LIPS_OUTER_UPPER), 1] = 0.02
    for share, row in zip((1.0, 0.25, 0.1, 0.0), LOWER_LIP_COLUMNS, strict=True):
        press[row, 1] = -0.2 * share  # the inner line most, the outer edge not at all
    corners = [lm.MOUTH_LEFT, lm.MOUTH_RIGHT, lm.INNER_MOUTH_RIGHT, lm.INNER_MOUTH_LEFT]
    press[corners, 1] = 0.0
    return press


def _brow_raise(ref: np.ndarray) -> np.ndarray:
    brows = np.zeros((len(ref), 3))
    brow_idx = list(lm.RIGHT_EYEBROW + lm.LEFT_EYEBROW)
    brow_y = ref[brow_idx, 1].mean()
    above = np.clip(1.0 - np.abs(ref[:, 1] - brow_y) / 0.35, 0.0, 1.0)
    brows[:, 1] = -0.07 * above
    brows[brow_idx, 1] = -0.1
    return brows


def _brow_frown(ref: np.ndarray) -> np.ndarray:
    frown = np.zeros((len(ref), 3))
    inner = [107, 66, 55, 65, 336, 296, 285, 295]
    frown[inner, 1] = 0.05
    frown[inner, 0] = -0.04 * np.sign(ref[inner, 0] - ref[lm.NOSE_TIP, 0])
    frown[[70, 63, 105, 300, 293, 334], 1] = 0.02
    return frown


def _blinks(ref: np.ndarray) -> dict[str, np.ndarray]:
    """Each upper lid down by its own gap (nearly closed), the skin above it part-way."""
    out: dict[str, np.ndarray] = {}
    gap_r, gap_l = lid_gaps(ref)
    for name, upper, ring, gap in (
        ("blink_right", lm.RIGHT_EYE_UPPER, lm.RIGHT_EYE_UPPER_RING, gap_r),
        ("blink_left", lm.LEFT_EYE_UPPER, lm.LEFT_EYE_UPPER_RING, gap_l),
    ):
        b = np.zeros((len(ref), 3))
        b[list(upper), 1] = gap * 0.97
        b[list(ring), 1] = gap * 0.35
        out[name] = b
    out["blink"] = out["blink_right"] + out["blink_left"]
    return out


def _gaze(ref: np.ndarray) -> dict[str, np.ndarray]:
    irises = list(lm.RIGHT_IRIS + lm.LEFT_IRIS)
    gx = np.zeros((len(ref), 3))
    gx[irises, 0] = 0.11
    gy = np.zeros((len(ref), 3))
    gy[irises, 1] = 0.05
    return {"gaze_x": gx, "gaze_y": gy}


@lru_cache(maxsize=1)
def control_basis() -> dict[str, np.ndarray]:
    """Offsets (478, 3) for each expression control at value 1, on the reference face."""
    ref = reference_face().astype(np.float64)
    basis: dict[str, np.ndarray] = {
        "jaw_open": _jaw_open(ref),
        "smile": _smile(ref),
        "pucker": _pucker(ref),
        "lip_tuck": _lip_tuck(ref),
        "lips_press": _lips_press(ref),
        "brow_raise": _brow_raise(ref),
        "brow_frown": _brow_frown(ref),
        **_blinks(ref),
        **_gaze(ref),
    }
    for value in basis.values():
        value.setflags(write=False)
    return basis


# A head nods on its neck, not about the middle of its face: the centre of the face's
# skull-fixed points (the point a Motion turns about) goes down as the chin does. A tracked
# visitor's translation carries that; a nod made from controls (idle clips, speech, attract
# mode) adds it, or the top of the head, whose outline lies deep behind the face
# (face_rig.HAIR_RING_DEPTH), would rise as the chin went down. Translation over the sine of the
# pitch (inter-ocular distances), over 200 frames of each driver in ../shared/data: d3 1.81
# (r 0.98), d14 1.53, d12 1.98, talking_man 2.62. A turn is left about the face's centre: its
# neck's swing (d3: -1.37 times the sine of the turn) moved a three-quarter face across its
# far cheek's edge and notched it (the Pearl Earring turned 12 degrees).
NECK_NOD = 1.8


def nod_translation(pitch: float) -> np.ndarray:
    """How far the face's centre moves (inter-ocular distances, image x and y) when the head
    nods by `pitch` (radians, chin down) on its neck."""
    return np.array([0.0, NECK_NOD * np.sin(pitch)], dtype=np.float32)


def motion_from_controls(values: dict[str, float]) -> Motion:
    """A `Motion` for control values (missing controls are neutral)."""
    basis = control_basis()
    offsets = np.zeros((478, 3), dtype=np.float64)
    for name, value in values.items():
        if name in POSE_CONTROLS or value == 0.0:
            continue
        offsets += basis[name] * value
    pitch = float(np.radians(values.get("pitch", 0.0)))
    return Motion(
        yaw=float(np.radians(values.get("yaw", 0.0))),
        pitch=pitch,
        roll=float(np.radians(values.get("roll", 0.0))),
        translation=nod_translation(pitch),
        offsets=offsets.astype(np.float32),
    )
