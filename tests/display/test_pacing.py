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
) -> tuple[list[float], list[float], list[float]]:
    """Tick until `until`: each tick shows the newest result that has arrived. Returns the tick
    times, per result shown how long after its arrival its tick started, and the times of the
    frames a result made due (rather than the schedule)."""
    ticks, latencies, brought_forward = [], [], []
    shown = -1
    while time.now < until:
        ticks.append(time.now)
        arrived = [i for i, a in enumerate(arrivals) if a <= time.now]
        new = bool(arrived) and arrived[-1] > shown
        if new:
            shown = arrived[-1]
            latencies.append(time.now - arrivals[shown])
        time.now += 0.006 if new else 0.001  # render + present, or present only
        if pacer.wait(results):
            brought_forward.append(time.now)
    return ticks, latencies, brought_forward


def camera(fps: float, seconds: float, jitter: float = 0.0, seed: int = 0) -> list[float]:
    """Tracking results of a camera: capture times plus 4 ms of tracking, with some jitter."""
    rng = np.random.default_rng(seed)
    times = np.arange(0.0, seconds, 1.0 / fps)
    times = times + 0.004 + rng.uniform(-jitter, jitter, len(times))
    return sorted(times.tolist())


def simulate(
    arrivals: list[float], until: float = 3.0, fps: float = FPS
) -> tuple[np.ndarray, list[float], list[float]]:
    """A paced display beside results arriving at `arrivals`: tick times, the latency of each
    result shown, and the frames results made due."""
    time = FakeTime()
    results = Results(time, arrivals)
    ticks, latencies, forward = run(
        FramePacer(fps, time.clock, time.sleep), time, results, arrivals, until
    )
    return np.array(ticks), latencies, forward


def first_frame_after(ticks: np.ndarray, arrivals: list[float]) -> np.ndarray:
    """For each result, how long until a frame starts (it shows the newest result)."""
    return np.array([ticks[ticks >= a][0] - a for a in arrivals if (ticks >= a).any()])


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


@pytest.mark.parametrize("camera_fps", [10.0, 15.0, 25.0, 29.97, 30.0, 50.0, 60.0, 120.0])
def test_whatever_the_camera_rate_the_display_keeps_its_rate_and_shows_results_promptly(
    camera_fps: float,
) -> None:
    arrivals = camera(camera_fps, 3.0, jitter=0.003)
    ticks, _, forward = simulate(arrivals)
    gaps = np.diff(ticks[ticks >= 0.2])
    assert gaps.max() <= BUDGET + 1e-9  # never below 60 fps (a 25 fps camera once made 50)
    assert gaps.min() >= BUDGET / 2 - 1e-9  # never two frames in a row
    # Results bring frames forward at most once a budget: a fast camera costs no extra renders.
    assert np.diff(forward).min() >= BUDGET - 1e-9
    # A result waits at most half a budget for a frame, or a budget if they come faster.
    wait = first_frame_after(ticks, arrivals)
    assert wait.max() <= (BUDGET / 2 if camera_fps <= FPS / 2 else BUDGET) + 1e-9


@pytest.mark.parametrize("jitter", [0.0, 0.002])
def test_a_30_fps_camera_is_mostly_shown_the_moment_it_is_tracked(jitter: float) -> None:
    arrivals = camera(30.0, 3.0, jitter)
    ticks, latencies, _ = simulate(arrivals)
    assert len(latencies) == len(arrivals)  # every result shown
    assert np.median(latencies) < 1e-9
    # Waiting for the next scheduled frame, the median was a quarter of a frame, 4 ms.
    assert np.mean(np.array(latencies) < 1e-9) >= 0.5
    steady = ticks[ticks >= 1.0]
    assert (len(steady) - 1) / (steady[-1] - steady[0]) >= FPS


def test_when_the_camera_stops_and_restarts_the_display_carries_on() -> None:
    arrivals = [a for a in camera(30.0, 3.0) if not 1.0 <= a < 2.0]  # a second without frames
    ticks, _, _ = simulate(arrivals)
    assert np.diff(ticks[ticks >= 0.2]).max() <= BUDGET + 1e-9  # no stall, before or after
    idle = ticks[(ticks >= 1.05) & (ticks < 2.0)]
    assert np.diff(idle) == pytest.approx(BUDGET)  # on the plain schedule meanwhile
    restarted = [a for a in arrivals if a >= 2.0]
    assert first_frame_after(ticks, restarted).max() <= BUDGET / 2 + 1e-9


def test_a_30_fps_display_with_a_60_fps_camera() -> None:
    arrivals = camera(60.0, 3.0, jitter=0.002)
    ticks, _, _ = simulate(arrivals, fps=30.0)
    gaps = np.diff(ticks[ticks >= 0.2])
    assert gaps.max() <= 1 / 30 + 1e-9
    assert gaps.min() >= 1 / 60 - 1e-9


def test_the_tracker_signals_each_new_result() -> None:
    """The display loop wakes on `TrackingWorker.results`: it must be set once a result is
    published (and `latest()` already returns it)."""
    import threading

    from kiosk.camera.frame import Frame
    from kiosk.motion.live import LiveResult
    from kiosk.runtime.tracking import TrackingWorker

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
