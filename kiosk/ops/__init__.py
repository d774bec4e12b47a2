"""Operations: running unattended under systemd for weeks.

The pieces (each its own module, none imported here so that `import kiosk.ops` stays cheap):
`sdnotify` (readiness and watchdog pings), `metrics` (Prometheus on 127.0.0.1 only),
`status` (an atomically rewritten JSON status file), `logs` (rotating JSON-lines logs),
`hours` (opening hours and the sleep policy).

This module holds what they and the entry point share: the exit codes a supervisor acts on,
the health snapshot the loop hands to metrics and the status file, and the signal handlers.
"""

from __future__ import annotations

import signal
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import FrameType

# --------------------------------------------------------------------------- exit codes
#
# systemd restarts the kiosk after any of these (Restart=always). Exit 1 is deliberately NOT in
# RestartPreventExitStatus=: Python itself exits 1 on an uncaught exception, so preventing
# restarts on 1 could leave a crashed exhibit dark for good, and a kiosk whose config.yaml was
# fixed should come back without anyone typing systemctl. Instead a start-up config error is
# retried slowly: `kiosk run` reports it (STATUS=) and waits CONFIG_RETRY_DELAY_S before
# exiting 1, so the loop runs about twice a minute whatever the systemd version.

EXIT_OK = 0  # clean stop: curator quit chord, SIGTERM/SIGINT, frame limit reached
EXIT_CONFIG = 1  # config or content error at start-up: a person must fix a file
EXIT_CRASH = 3  # unexpected exception in the kiosk loop; systemd restarts it

CONFIG_RETRY_DELAY_S = 30.0

# --------------------------------------------------------------------------- health snapshot


@dataclass(frozen=True, slots=True)
class Health:
    """What the loop reports about itself, about once a second: anonymous counters only.

    Never put images, landmarks, motion or anything derived from a visitor's face here; this
    object is what leaves the process (metrics endpoint, status file).
    """

    mode: str  # director mode: "attract", "live", ... or "sleep" outside opening hours
    fps: float  # displayed frames per second, recent
    camera_state: str  # SourceStatus.state, or "off" when there is no camera
    exhibit_ids: tuple[str, ...] = ()
    current_exhibit: str | None = None
    problems: int = 0  # content and config problems currently known
    stages: Mapping[str, Mapping[str, float]] = field(default_factory=dict)  # StageTimes.summary()
    last_reload: float | None = None  # wall-clock time.time() of the last library reload
    asleep: bool = False


# --------------------------------------------------------------------------- signals

StopCallback = Callable[[str], None]


def install_signal_handlers(
    stop_callback: StopCallback,
    signals: Sequence[signal.Signals] = (signal.SIGTERM, signal.SIGINT),
) -> Callable[[], None]:
    """Route SIGTERM (systemd stop) and SIGINT (Ctrl-C) to `stop_callback(signal_name)`.

    The callback runs inside the signal handler, so it must only set a flag (e.g. the loop's
    quit reason); the loop notices it at the next tick and shuts down cleanly. Must be called
    from the main thread. Returns a function that restores the previous handlers.
    """

    def handler(signum: int, _frame: FrameType | None) -> None:
        stop_callback(signal.Signals(signum).name)

    previous = {sig: signal.signal(sig, handler) for sig in signals}

    def restore() -> None:
        for sig, old in previous.items():
            signal.signal(sig, old)

    return restore


class StopFlag:
    """A ready-made stop callback: `install_signal_handlers(flag)`, then test `flag.reason`."""

    def __init__(self) -> None:
        self.reason = ""

    def __call__(self, reason: str) -> None:
        self.reason = reason

    def __bool__(self) -> bool:
        return self.reason != ""
