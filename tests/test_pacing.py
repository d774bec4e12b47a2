"""The display loop's pacing, on simulated time: a 60 fps schedule that a new tracking result
interrupts, so the result is rendered at once, without the display's rate running away."""

from __future__ import annotations

import numpy as np
import pytest

from kiosk.display.pacing import FramePacer

FPS = 60.0
BUDGET = 1.0 / FPS


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0.0
        self.now += seconds


class Results:
    """The tracker's "new result" event, set at given arrival times of a FakeTime."""

    def __init__(self, time: FakeTime, arrivals: list[float]) -> None:
        self.time = time
        self.pending = sorted(arrivals)
        self.set_at: float | None = None

    def _arrive(self, until: float) -> None:
        while self.pending and self.pending[0] <= until:
            self.set_at = self.pending.pop(0)

    def wait(self, timeout: float | None = None) -> bool:
        self._arrive(self.time.now)
        if self.set_at is not None:
            return True
        assert timeout is not None
        if self.pending and self.pending[0] <= self.time.now + timeout:
            self.time.now = self.pending[0]
            self._arrive(self.time.now)
            return True
        self.time.now += timeout
        return False

    def clear(self) -> None:
        self.set_at = None


def run(
    pacer: FramePacer, time: FakeTime, results: Results | None, arrivals: list[float], until: float
) -> tuple[list[float], list[float]]:
    """Tick until `until`: each tick shows the newest result that has arrived. Returns the tick
    times and, per result shown, how long after its arrival its tick started."""
    ticks, latencies = [], []
    shown = -1
    while time.now < until:
        ticks.append(time.now)
        arrived = [i for i, a in enumerate(arrivals) if a <= time.now]
        new = bool(arrived) and arrived[-1] > shown
        if new:
            shown = arrived[-1]
            latencies.append(time.now - arrivals[shown])
        time.now += 0.006 if new else 0.001  # render + present, or present only
        pacer.wait(results)
    return ticks, latencies


def camera(fps: float, seconds: float, jitter: float = 0.0, seed: int = 0) -> list[float]:
    """Tracking results of a camera: capture times plus 4 ms of tracking, with some jitter."""
    rng = np.random.default_rng(seed)
    times = np.arange(0.0, seconds, 1.0 / fps) + 0.004 + rng.uniform(-jitter, jitter)
    return sorted(times.tolist())


def simulate(
    camera_fps: float, camera_seconds: float, jitter: float = 0.0, until: float = 3.0
) -> tuple[list[float], list[float], list[float]]:
    """A paced display beside a camera that delivers results for `camera_seconds`: the tick
    times, each result's latency, and the result arrival times."""
    time = FakeTime()
    arrivals = camera(camera_fps, camera_seconds, jitter)
    results = Results(time, arrivals)
    ticks, latencies = run(FramePacer(FPS, time.clock, time.sleep), time, results, arrivals, until)
    return ticks, latencies, arrivals


def test_without_results_it_keeps_a_fixed_schedule_and_a_late_frame_restarts_it() -> None:
    time = FakeTime()
    pacer = FramePacer(FPS, time.clock, time.sleep)
    time.now += 0.005
    pacer.wait()
    assert time.now == pytest.approx(BUDGET)  # slept the rest of the frame, not a whole one
    time.now += 0.050  # a frame three budgets late
    pacer.wait()
    starts = []
    for _ in range(5):
        starts.append(time.now)
        time.now += 0.005
        pacer.wait()
    # One frame follows at once (it is due), then the schedule goes on from the late frame:
    # no burst of the three frames missed.
    gaps = np.diff(starts)
    assert gaps[0] == pytest.approx(0.005)
    assert starts[2] - starts[0] == pytest.approx(BUDGET)  # back on the schedule
    assert gaps[2:] == pytest.approx([BUDGET] * 2)


@pytest.mark.parametrize("jitter", [0.0, 0.002])
def test_a_30_fps_camera_is_shown_at_once_and_the_display_keeps_60_fps(jitter: float) -> None:
    ticks, latencies, arrivals = simulate(30.0, 3.0, jitter)
    steady = [t for t in ticks if t >= 1.0]
    fps = (len(steady) - 1) / (steady[-1] - steady[0])
    assert 59.0 <= fps <= 61.0  # waking for results alone made it 68 fps: extra frames
    assert len(latencies) == len(arrivals)  # every result shown
    assert max(latencies) < 1e-9  # each as soon as it arrived
    gaps = np.diff(steady)
    assert gaps.min() > 0.4 * BUDGET  # no frame right after another


def test_when_the_camera_stops_the_display_carries_on_at_60_fps() -> None:
    ticks, _, _ = simulate(30.0, 1.0)
    after = [t for t in ticks if t >= 1.1]
    assert len(after) == pytest.approx(1.9 * FPS, abs=2)
    assert np.diff(after).max() == pytest.approx(BUDGET)


def test_a_slow_camera_does_not_hold_back_the_display() -> None:
    """Results slower than a quarter of the display rate are not waited for."""
    ticks, latencies, _ = simulate(10.0, 3.0)
    steady = [t for t in ticks if t >= 1.0]
    assert np.diff(steady).max() <= BUDGET + 1e-9
    assert max(latencies) <= 0.001 + 1e-9  # at most the present of a frame already under way


def test_the_tracker_signals_each_new_result() -> None:
    """The display loop wakes on `TrackingWorker.results`: it must be set once a result is
    published (and `latest()` already returns it)."""
    import threading

    from kiosk.camera.frame import Frame
    from kiosk.motion.live import LiveResult, TrackingWorker

    class OneFrame:
        def __init__(self) -> None:
            self.frame = Frame(np.zeros((4, 4, 3), np.uint8), 1.0, 0)
            self.no_more = threading.Event()  # never set: no newer frame comes

        def wait_next(self, last: int, timeout: float) -> Frame | None:
            if last >= self.frame.sequence:
                self.no_more.wait(timeout)  # idle until the timeout, as a camera would
                return None
            return self.frame

    class Live:
        def process(self, frame: Frame, times: object) -> LiveResult:
            return LiveResult(frame.sequence, frame.timestamp, 0, None)

        def close(self) -> None:
            pass

    worker = TrackingWorker(OneFrame(), Live())  # type: ignore[arg-type]
    assert not worker.results.is_set()
    worker.start()
    try:
        assert worker.results.wait(timeout=10.0)
        latest = worker.latest()
        assert latest is not None and latest.frame_sequence == 0
    finally:
        worker.close()
