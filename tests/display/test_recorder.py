"""The screen recorder keeps the display rate by the clock: late frames fill the slots they
missed, early ones wait for the next slot; the file holds exactly that many frames."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.display.recorder import RecordingRefused, ScreenRecorder, check_recording_allowed


def _frame(value: int) -> np.ndarray:
    return np.full((48, 64, 3), value, np.uint8)


def test_frames_follow_the_clock_at_the_display_rate(tmp_path: Path) -> None:
    out = tmp_path / "screen.mp4"
    recorder = ScreenRecorder(out, fps=10)
    # Ticks at 0, 0.05 (early: same slot), 0.1, 0.35 (late: fills 0.2 and 0.3), 0.4.
    for t, value in ((0.0, 10), (0.05, 60), (0.1, 110), (0.35, 160), (0.4, 210)):
        recorder.add(_frame(value), t)
    recorder.close()
    cap = cv2.VideoCapture(str(out))
    values = []
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        values.append(int(frame.mean()))
    assert cap.get(cv2.CAP_PROP_FPS) == pytest.approx(10)
    assert recorder.frames_written == 5
    # Slots 0..4 show the screens of the ticks at 0, 0.1, 0.35, 0.35, 0.4 (mp4v is lossy).
    assert np.allclose(values, [10, 110, 160, 160, 210], atol=4)


def test_recording_a_live_camera_is_refused() -> None:
    with pytest.raises(RecordingRefused, match="no visitor's performance is ever recorded"):
        check_recording_allowed(True)
    check_recording_allowed(False)
