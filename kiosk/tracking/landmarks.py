"""Named MediaPipe face-mesh landmark sets (478 points with iris refinement).

"Right"/"left" are the sitter's own: the sitter's right eye appears on the image's left.
"""

from __future__ import annotations

import numpy as np

NUM_LANDMARKS = 478

FOREHEAD = 10
CHIN = 152
NOSE_TIP = 1
RIGHT_EYE_OUTER = 33
RIGHT_EYE_INNER = 133
LEFT_EYE_INNER = 362
LEFT_EYE_OUTER = 263
MOUTH_RIGHT = 61
MOUTH_LEFT = 291
INNER_MOUTH_RIGHT = 78  # where the inner lip lines meet
INNER_MOUTH_LEFT = 308
UPPER_LIP_INNER_MID = 13
LOWER_LIP_INNER_MID = 14
RIGHT_IRIS_CENTER = 468
LEFT_IRIS_CENTER = 473

# Lid margins, corner to corner, with upper[i] directly above lower[i].
RIGHT_EYE_UPPER = (246, 161, 160, 159, 158, 157, 173)
RIGHT_EYE_LOWER = (7, 163, 144, 145, 153, 154, 155)
LEFT_EYE_UPPER = (466, 388, 387, 386, 385, 384, 398)
LEFT_EYE_LOWER = (249, 390, 373, 374, 380, 381, 382)
# The ring of skin just above each upper lid (it follows the lid partly in a blink).
RIGHT_EYE_UPPER_RING = (247, 30, 29, 27, 28, 56, 190)
LEFT_EYE_UPPER_RING = (467, 260, 259, 257, 258, 286, 414)

RIGHT_EYE_CONTOUR = (RIGHT_EYE_OUTER, *RIGHT_EYE_UPPER, RIGHT_EYE_INNER, *RIGHT_EYE_LOWER[::-1])
LEFT_EYE_CONTOUR = (LEFT_EYE_OUTER, *LEFT_EYE_UPPER, LEFT_EYE_INNER, *LEFT_EYE_LOWER[::-1])

RIGHT_IRIS = (468, 469, 470, 471, 472)
LEFT_IRIS = (473, 474, 475, 476, 477)

# Inner lip line: upper from corner 78 to corner 308, lower back from 308 to 78.
LIPS_INNER_UPPER = (78, 191, 80, 81, 82, 13, 312, 311, 310, 415, 308)
LIPS_INNER_LOWER = (324, 318, 402, 317, 14, 87, 178, 88, 95)
LIPS_INNER = LIPS_INNER_UPPER + LIPS_INNER_LOWER
# The inner lower-lip line from the corner at 78 to the one at 308, as LIPS_INNER_UPPER runs.
LIPS_INNER_LOWER_78_TO_308 = (INNER_MOUTH_RIGHT, *LIPS_INNER_LOWER[::-1], INNER_MOUTH_LEFT)
LIPS_OUTER_UPPER = (61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291)
LIPS_OUTER_LOWER = (375, 321, 405, 314, 17, 84, 181, 91, 146)
LIPS_OUTER = LIPS_OUTER_UPPER + LIPS_OUTER_LOWER
# The lower lip's body between its inner and outer lines: two rows, from the corner at 78 to
# the one at 308 (LIPS_INNER_LOWER and LIPS_OUTER_LOWER run the other way).
LOWER_LIP_BODY_INNER = (96, 89, 179, 86, 15, 316, 403, 319, 325)
LOWER_LIP_BODY_OUTER = (77, 90, 180, 85, 16, 315, 404, 320, 307)

# The sitter's cheeks (the right one is on the image's left), mirror images of each other.
RIGHT_CHEEK = (205, 50, 187, 147, 123, 116, 117, 118, 101, 36, 206)
LEFT_CHEEK = (425, 280, 411, 376, 352, 345, 346, 347, 330, 266, 426)
RIGHT_EYEBROW = (70, 63, 105, 66, 107, 55, 65, 52, 53, 46)
LEFT_EYEBROW = (300, 293, 334, 296, 336, 285, 295, 282, 283, 276)

FACE_OVAL = (
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
    152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
)  # fmt: skip

# Points that move with the skull, not with expressions: used to measure head pose.
RIGID = (
    10, 151, 9, 8, 168, 6, 197, 195, 5, 4, 1,
    33, 133, 362, 263, 234, 454, 127, 356, 93, 323, 21, 251, 54, 284, 103, 332, 67, 297, 109, 338,
    123, 352, 116, 345, 117, 346, 198, 420,
)  # fmt: skip

# Lower face: moves with the jaw when the mouth opens.
JAW = (
    152, 148, 176, 149, 150, 136, 172, 377, 400, 378, 379, 365, 397,
    175, 199, 200, 18, 171, 396, 32, 262, 140, 369, 208, 428, 211, 431, 194, 418, 201, 421,
)  # fmt: skip


def as_index(points: tuple[int, ...]) -> np.ndarray:
    """A landmark tuple as an integer index array for numpy fancy indexing."""
    return np.asarray(points, dtype=np.intp)


def inter_ocular_distance(landmarks: np.ndarray) -> float:
    """Distance between the iris centres (468, 473) in the landmarks' own units."""
    return float(np.linalg.norm(landmarks[LEFT_IRIS_CENTER, :2] - landmarks[RIGHT_IRIS_CENTER, :2]))


def mouth_open_ratio(landmarks: np.ndarray) -> float:
    """Inner-lip gap (13-14) over mouth width (61-291): the measure our quality tests use."""
    gap = np.linalg.norm(landmarks[UPPER_LIP_INNER_MID, :2] - landmarks[LOWER_LIP_INNER_MID, :2])
    width = np.linalg.norm(landmarks[MOUTH_RIGHT, :2] - landmarks[MOUTH_LEFT, :2])
    return float(gap / max(width, 1e-6))


def eye_open_ratios(landmarks: np.ndarray) -> tuple[float, float]:
    """(right, left) lid gap (159-145, 386-374) over eye width (33-133, 362-263)."""
    r = np.linalg.norm(landmarks[159, :2] - landmarks[145, :2]) / max(
        np.linalg.norm(landmarks[33, :2] - landmarks[133, :2]), 1e-6
    )
    left = np.linalg.norm(landmarks[386, :2] - landmarks[374, :2]) / max(
        np.linalg.norm(landmarks[362, :2] - landmarks[263, :2]), 1e-6
    )
    return float(r), float(left)


def head_roll(landmarks: np.ndarray) -> float:
    """Angle (radians) of the line from landmark 33 to 263 against the image x axis."""
    d = landmarks[LEFT_EYE_OUTER, :2] - landmarks[RIGHT_EYE_OUTER, :2]
    return float(np.arctan2(d[1], d[0]))


def lips_parted(points: np.ndarray) -> float:
    """How far the lips are parted: the inner-lip gap over the inner-corner width, both in 3D
    (landmarks with depth), so that turning the head changes neither. In the image a turn
    narrows the mouth and a painting whose lips are parted at rest showed its teeth when it
    turned."""
    width = float(np.linalg.norm(points[INNER_MOUTH_RIGHT] - points[INNER_MOUTH_LEFT]))
    gap = float(np.linalg.norm(points[LOWER_LIP_INNER_MID] - points[UPPER_LIP_INNER_MID]))
    return gap / max(width, 1e-6)
