"""Operations: running unattended under systemd for weeks.

The pieces (each its own module, none imported here so that `import kiosk.ops` stays cheap):
`sdnotify` (readiness and watchdog pings), `metrics` (Prometheus on 127.0.0.1 only),
`status` (an atomically rewritten JSON status file), `logs` (rotating JSON-lines logs),
`hours` (the sleep policy outside opening hours).

This module holds what they and the entry point share: the exit codes a supervisor acts on,
the health snapshot the loop hands to metrics and the status file, and the signal handlers.
"""

from __future__ import annotations

import logging
import signal
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import FrameType

log = logging.getLogger(__name__)

# --------------------------------------------------------------------------- exit codes
#
# The one table of exit codes (kiosk.commands re-exports it for the other subcommands; README
# "For operators" lists it, and tests/system/test_exit_codes.py checks that the two agree).
#
# systemd restarts the kiosk after any of these (Restart=always). Exit 1 is deliberately NOT in
# RestartPreventExitStatus=: Python itself exits 1 on an uncaught exception, so preventing
# restarts on 1 could leave a crashed exhibit dark for good, and a kiosk whose config.yaml was
# fixed should come back without anyone typing systemctl. Instead a start-up config error is
# retried slowly: `kiosk run` reports it (STATUS=) and waits CONFIG_RETRY_DELAY_S before
# exiting 1, so the loop runs about twice a minute whatever the systemd version.

EXIT_OK = 0  # clean stop: curator quit chord, a stop signal (SIGNAL_ACTIONS), frame limit
EXIT_CONFIG = 1  # config or content problem at start-up: a person must fix a file or folder
EXIT_USAGE = 2  # wrong command line (argparse's own exit code)
EXIT_CRASH = 3  # unexpected exception; systemd restarts it

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
#
# What each catchable signal does to `kiosk run` (README "For operators" has the same table;
# tests/system/test_exit_codes.py checks they agree). The handlers are installed first thing in
# `kiosk run`, before the slow imports, so a stop during start-up is clean too.

STOP = "stop"  # clean stop, exit 0: the loop ends after its frame, the run report is written
IGNORE = "ignore"  # logged as a warning, otherwise no effect

SIGNAL_ACTIONS: Mapping[signal.Signals, str] = {
    signal.SIGTERM: STOP,  # `systemctl stop` (KillSignal=SIGTERM), kill
    signal.SIGINT: STOP,  # Ctrl-C in a terminal
    # The terminal went away, or `systemctl kill -s HUP`: stop, and systemd starts the kiosk
    # again 2 s later (Restart=always), which also rereads config.yaml. A stop rather than an
    # in-place reload: exhibits already hot-reload, and a restart is the one way every setting
    # takes effect.
    signal.SIGHUP: STOP,
    signal.SIGQUIT: STOP,  # Ctrl-\ in a terminal (by default it would dump core)
    # Nothing in the kiosk gives these a meaning; by default each would kill it without a word.
    signal.SIGUSR1: IGNORE,
    signal.SIGUSR2: IGNORE,
    signal.SIGALRM: IGNORE,
}

StopCallback = Callable[[str], None]


def install_signal_handlers(
    stop_callback: StopCallback,
    actions: Mapping[signal.Signals, str] = SIGNAL_ACTIONS,
) -> Callable[[], None]:
    """Route the STOP signals of `actions` to `stop_callback(signal_name)`; log the IGNORE ones.

    The callback runs inside the signal handler, so it must only set a flag (e.g. the loop's
    quit reason, or a StopFlag); the loop notices it at the next tick and shuts down cleanly.
    Must be called from the main thread. Returns a function that restores the previous handlers.
    """

    def handler(signum: int, _frame: FrameType | None) -> None:
        name = signal.Signals(signum).name
        if actions[signal.Signals(signum)] == STOP:
            stop_callback(name)
        else:
            log.warning("%s received and ignored: the kiosk gives it no meaning "
                        "(stop it with SIGTERM)", name)  # fmt: skip

    previous = {sig: signal.signal(sig, handler) for sig in actions}

    def restore() -> None:
        for sig, old in previous.items():
            signal.signal(sig, old)

    return restore


class StopFlag:
    """A stop callback that remembers the first reason until something can act on it.

    `kiosk run` installs the handlers with a StopFlag before anything else exists, then
    `forward_to(app.request_stop)` once the app is built: a stop that came in meanwhile is passed
    on at once, later ones as they come.
    """

    def __init__(self) -> None:
        self.reason = ""
        self._forward: StopCallback | None = None

    def __call__(self, reason: str) -> None:
        if not self.reason:
            self.reason = reason
        if self._forward is not None:
            self._forward(reason)

    def __bool__(self) -> bool:
        return self.reason != ""

    def forward_to(self, callback: StopCallback) -> None:
        """From now on pass each stop to `callback`, starting with one already recorded."""
        self._forward = callback
        if self.reason:
            callback(self.reason)

    def wait(self, timeout_s: float, poll_s: float = 0.1) -> bool:
        """Sleep up to `timeout_s`, returning early (True) once a stop is requested.

        A signal handler that only sets a flag does not cut a time.sleep short (PEP 475), so
        this sleeps in short steps and looks at the flag between them.
        """
        deadline = time.monotonic() + timeout_s
        while not self:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            time.sleep(min(poll_s, remaining))
        return True
