"""Camera sources: newest frame wins, deterministic close, reopen with backoff, stale state."""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace

import cv2
import numpy as np
import pytest

from kiosk.camera import (
    DeviceSource,
    SyntheticSource,
    VideoFileSource,
    iter_video_frames,
    open_source,
    synthetic_motion,
)


def _portrait() -> np.ndarray:
    image = np.full((120, 90, 3), 200, np.uint8)
    cv2.circle(image, (45, 50), 25, (60, 90, 160), -1)
    return image


def _wait_until(predicate, timeout: float = 5.0) -> bool:
    """Poll a condition against a deadline (no fixed sleeps)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.005)
    return predicate()


def _write_video(path, n: int, size=(64, 48), fps: float = 50.0) -> None:
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    assert writer.isOpened()
    for i in range(n):
        frame = np.zeros((size[1], size[0], 3), np.uint8)
        frame[:] = (i * 20) % 256
        writer.write(frame)
    writer.release()


class FakeCapture:
    """Stands in for cv2.VideoCapture: scripted open/read results."""

    def __init__(self, opened: bool = True, frame_shape=(240, 320, 3), fail_reads: int = 0):
        self.opened, self.frame_shape, self.fail_reads = opened, frame_shape, fail_reads
        self.released = False
        self.props: dict[int, float] = {}

    def isOpened(self) -> bool:  # noqa: N802
        return self.opened

    def read(self):
        time.sleep(0.002)  # like a camera: read blocks until the next frame
        if self.fail_reads > 0:
            self.fail_reads -= 1
            return False, None
        return True, np.full(self.frame_shape, 77, np.uint8)

    def set(self, prop: int, value: float) -> bool:
        self.props[prop] = value
        return True

    def get(self, prop: int) -> float:
        return self.props.get(prop, 0.0)

    def release(self) -> None:
        self.released = True


def test_synthetic_frames_newest_wins_and_close_joins():
    source = SyntheticSource(_portrait(), size=(160, 120), fps=200)
    with source:
        first = source.wait_next(timeout=5)
        assert first is not None and first.sequence >= 0
        assert first.image.shape == (120, 160, 3) and first.image.dtype == np.uint8
        later = source.wait_next(after_sequence=first.sequence + 3, timeout=5)
        assert later is not None
        assert later.sequence > first.sequence and later.timestamp > first.timestamp
        assert source.latest().sequence >= later.sequence
        assert source.status().state == "running"
        assert source.status().frames_captured >= later.sequence + 1
    assert not source.is_alive
    assert source.status().state == "closed"


def test_synthetic_sequence_starts_at_zero_and_timestamps_are_monotonic():
    with SyntheticSource(_portrait(), size=(64, 48), fps=500) as source:
        seen = []
        frame = source.wait_next(timeout=5)
        assert frame is not None and frame.sequence == 0
        while len(seen) < 5:
            seen.append(frame)
            frame = source.wait_next(after_sequence=frame.sequence, timeout=5)
            assert frame is not None
    sequences = [f.sequence for f in seen]
    assert sequences == sorted(set(sequences))
    assert all(a.timestamp < b.timestamp for a, b in zip(seen, seen[1:], strict=False))


def test_synthetic_motion_is_bounded_and_moves():
    motions = [synthetic_motion(t / 10) for t in range(600)]
    assert max(abs(m.angle_deg) for m in motions) <= 8.0
    assert all(0.95 <= m.scale <= 1.05 for m in motions)
    source = SyntheticSource(_portrait(), size=(160, 120))
    assert not np.array_equal(source.render(0.0), source.render(1.0))


def test_synthetic_rejects_empty_image():
    with pytest.raises(ValueError):
        SyntheticSource(np.zeros((0, 0, 3), np.uint8))


def test_video_file_source_loops_past_the_end(tmp_path):
    path = tmp_path / "clip.mp4"
    _write_video(path, n=5, fps=200.0)
    with VideoFileSource(path, loop=True, realtime=True) as source:
        assert _wait_until(lambda: source.loops_completed >= 2)
        frame = source.wait_next(after_sequence=5, timeout=5)
        assert frame is not None and frame.sequence > 5
        assert frame.image.shape == (48, 64, 3)
    assert not source.is_alive


def test_video_file_source_without_loop_goes_stale(tmp_path):
    path = tmp_path / "clip.mp4"
    _write_video(path, n=3)
    clock_offset = [0.0]
    source = VideoFileSource(path, loop=False, realtime=False, stale_after_s=2.0,
                             clock=lambda: time.monotonic() + clock_offset[0])
    with source:
        assert _wait_until(lambda: not source.is_alive)  # thread ends at end of file
        assert source.latest().sequence == 2
        clock_offset[0] = 10.0
        assert source.status().state == "stale"


def test_iter_video_frames_yields_every_frame(tmp_path):
    path = tmp_path / "clip.mp4"
    _write_video(path, n=7, fps=25.0)
    frames = list(iter_video_frames(path))
    assert [f.sequence for f in frames] == list(range(7))
    assert [f.timestamp for f in frames] == pytest.approx([i / 25.0 for i in range(7)])
    resized = next(iter(iter_video_frames(path, size=(32, 24))))
    assert resized.image.shape == (24, 32, 3)


def test_missing_video_is_reported_clearly(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        next(iter_video_frames(tmp_path / "nope.mp4"))
    source = VideoFileSource(tmp_path / "nope.mp4")
    with source:
        assert _wait_until(lambda: source.status().state == "failed")
        assert "does not exist" in source.status().last_error


def test_nonexistent_device_fails_with_backoff_and_closes_promptly():
    source = DeviceSource(97, backoff_start_s=0.01, backoff_max_s=0.04)
    source.start()
    assert _wait_until(lambda: source.reopen_attempts >= 3)
    status = source.status()
    assert status.state in ("failed", "opening")
    assert status.frames_captured == 0 and status.last_frame_age_s is None
    assert "could not open camera device 97" in status.last_error
    start = time.monotonic()
    source.close()
    assert time.monotonic() - start < 1.0
    assert not source.is_alive


def test_close_interrupts_a_long_backoff_wait():
    source = DeviceSource(0, capture_factory=lambda i: FakeCapture(opened=False),
                          backoff_start_s=60.0, backoff_max_s=60.0)
    source.start()
    assert _wait_until(lambda: source.reopen_attempts >= 1)
    start = time.monotonic()
    source.close()
    assert time.monotonic() - start < 1.0 and not source.is_alive


def test_backoff_doubles_up_to_the_maximum():
    backoff = DeviceSource(0, capture_factory=lambda i: FakeCapture(opened=False)).backoff
    assert [backoff.next_wait() for _ in range(6)] == [0.5, 1.0, 2.0, 2.0, 2.0, 2.0]
    backoff.reset()  # frames came again
    assert backoff.next_wait() == 0.5


def test_the_capture_thread_waits_out_the_backoff_between_opens():
    opened: list[float] = []

    def factory(index: int) -> FakeCapture:
        opened.append(time.monotonic())
        return FakeCapture(opened=False)

    source = DeviceSource(0, capture_factory=factory, backoff_start_s=0.05, backoff_max_s=0.1)
    with source:
        assert _wait_until(lambda: len(opened) >= 4)
    gaps = [b - a for a, b in zip(opened, opened[1:], strict=False)][:3]
    assert all(gap >= wait for gap, wait in zip(gaps, (0.05, 0.1, 0.1), strict=True)), gaps


def test_wrong_size_frames_are_resized_and_read_failures_reopen():
    captures: list[FakeCapture] = []

    def factory(index: int) -> FakeCapture:
        captures.append(FakeCapture(frame_shape=(240, 320, 3), fail_reads=2 if not captures
                                    else 0))
        return captures[-1]

    source = DeviceSource(3, size=(640, 480), fps=15, capture_factory=factory,
                          backoff_start_s=0.01)
    with source:
        frame = source.wait_next(timeout=5)
        assert frame is not None
        assert frame.image.shape == (480, 640, 3)
    assert len(captures) >= 2  # the first capture failed to read and was reopened
    assert all(c.released for c in captures)
    assert captures[-1].props[cv2.CAP_PROP_FRAME_WIDTH] == 640
    assert captures[-1].props[cv2.CAP_PROP_FPS] == 15


class HangingCapture(FakeCapture):
    """A camera whose read() hangs after the first frame, like a wedged USB device."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0
        self.unblock = threading.Event()

    def read(self):
        self.reads += 1
        if self.reads > 1:
            self.unblock.wait(5)
            return False, None
        return True, np.full(self.frame_shape, 77, np.uint8)


def test_stale_detection_with_injected_clock():
    now = [1000.0]
    capture = HangingCapture()
    source = DeviceSource(0, capture_factory=lambda i: capture, stale_after_s=2.0,
                          clock=lambda: now[0])
    with source:
        assert source.wait_next(timeout=5) is not None
        assert source.status().state == "running"
        now[0] += 1.5
        assert source.status().state == "running"
        now[0] += 1.0
        status = source.status()
        assert status.state == "stale"
        assert status.last_frame_age_s == pytest.approx(2.5)
        capture.unblock.set()
    assert not source.is_alive


def test_open_source_picks_video_or_device(tmp_path):
    cfg = SimpleNamespace(enabled=True, device=2, video=None, size=(320, 240), fps=25)
    device = open_source(cfg, stale_after_s=2.0)
    assert isinstance(device, DeviceSource) and device.index == 2 and device.size == (320, 240)
    device.close()
    video = open_source(SimpleNamespace(**{**vars(cfg), "video": tmp_path / "a.mp4"}),
                        stale_after_s=3.0)
    assert isinstance(video, VideoFileSource) and video.size == (320, 240)
    assert video.stale_after_s == 3.0
    video.close()
    with pytest.raises(ValueError, match="disabled"):
        open_source(SimpleNamespace(**{**vars(cfg), "enabled": False}), stale_after_s=2.0)


def test_start_after_close_is_an_error():
    source = SyntheticSource(_portrait())
    source.close()
    with pytest.raises(RuntimeError):
        source.start()
