"""Reading MediaPipe's landmark messages into arrays."""

from __future__ import annotations

import numpy as np
import pytest
from mediapipe.framework.formats import landmark_pb2

from kiosk.tracking.face_mesh import landmark_array


def _landmark_list(points: np.ndarray, visibility: bool = False):
    message = landmark_pb2.NormalizedLandmarkList()
    for x, y, z in points:
        landmark = message.landmark.add(x=float(x), y=float(y), z=float(z))
        if visibility:
            landmark.visibility = 0.5
    return message


@pytest.mark.parametrize("visibility", [False, True])
def test_landmark_array_reads_every_coordinate_in_order(visibility: bool) -> None:
    points = np.random.default_rng(3).normal(0.5, 0.3, (478, 3)).astype(np.float32)
    points[7] = 0.0  # a zero is still a coordinate, not a missing field
    array = landmark_array(_landmark_list(points, visibility))
    assert array.dtype == np.float32
    np.testing.assert_array_equal(array, points)


def test_landmark_array_of_no_landmarks_is_empty() -> None:
    assert landmark_array(_landmark_list(np.zeros((0, 3)))).shape == (0, 3)


class _NoAttributeReads:
    """A landmark list whose landmarks cannot be read one by one (only counted): reading it
    proves the serialised bytes were used."""

    def __init__(self, message) -> None:
        self._message = message
        self.landmark = self

    def __len__(self) -> int:
        return len(self._message.landmark)

    def __iter__(self):
        raise AssertionError("read landmark by landmark")

    def SerializeToString(self) -> bytes:  # noqa: N802 (protobuf's name)
        return self._message.SerializeToString()


def test_landmark_array_reads_the_face_meshs_messages_from_their_bytes() -> None:
    points = np.random.default_rng(5).uniform(0.0, 1.0, (478, 3)).astype(np.float32)
    array = landmark_array(_NoAttributeReads(_landmark_list(points)))
    np.testing.assert_array_equal(array, points)
