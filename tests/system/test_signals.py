"""The signal handlers: a stop signal only records the request, the others are logged; and the
real `kiosk run` stopping cleanly, or running on, whenever a signal comes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from kiosk.ops import (
    EXIT_CONFIG,
    EXIT_CRASH,
    EXIT_OK,
    IGNORE,
    SIGNAL_ACTIONS,
    STOP,
    StopFlag,
    install_signal_handlers,
)
from tests.system.test_exit_codes import RUN_TIMEOUT_S, finish, kiosk_folder, start_kiosk


def test_exit_codes_are_distinct_and_not_argparse_usage() -> None:
    assert (EXIT_OK, EXIT_CONFIG, EXIT_CRASH) == (0, 1, 3)  # 2 is argparse's usage error


def test_sigterm_sets_the_flag_and_restore_puts_back_the_old_handler() -> None:
    before = signal.getsignal(signal.SIGTERM)
    flag = StopFlag()
    restore = install_signal_handlers(flag)
    try:
        assert not flag
        os.kill(os.getpid(), signal.SIGTERM)  # handled synchronously on the main thread
        assert flag and flag.reason == "SIGTERM"
    finally:
        restore()
    assert signal.getsignal(signal.SIGTERM) is before


def test_sigint_becomes_a_clean_stop_too() -> None:
    reasons: list[str] = []
    restore = install_signal_handlers(reasons.append)
    try:
        os.kill(os.getpid(), signal.SIGINT)
    finally:
        restore()
    assert reasons == ["SIGINT"]


def test_an_ignored_signal_only_logs(caplog) -> None:
    reasons: list[str] = []
    restore = install_signal_handlers(reasons.append)
    try:
        os.kill(os.getpid(), signal.SIGUSR1)
    finally:
        restore()
    assert reasons == []
    assert "SIGUSR1 received and ignored" in caplog.text


def test_a_stop_flag_hands_an_early_stop_to_the_app_once_it_exists() -> None:
    flag = StopFlag()
    flag("SIGHUP")  # while the app is being built
    stops: list[str] = []
    flag.forward_to(stops.append)
    flag("SIGTERM")
    assert stops == ["SIGHUP", "SIGTERM"] and flag.reason == "SIGHUP"
    assert flag.wait(10.0)  # returns at once once stopped


# -- the real `kiosk run`, signalled while it starts and while it runs -----------------------
#
# "early" is as soon as the process has its handlers (cmd_run installs them before the slow
# imports, which then take about 2 s): the test reads the caught-signal mask in /proc until all
# of them are there, then signals at once. Before that point (interpreter start and the CLI's
# parser, about 0.2 s) no Python code can catch a signal. "late" is once the kiosk has written
# its status file, i.e. the loop runs.


def _wait_until(done, proc: subprocess.Popen, what: str) -> None:
    deadline = time.monotonic() + RUN_TIMEOUT_S
    while not done():
        assert proc.poll() is None, f"the kiosk exited ({proc.returncode}) before {what}"
        assert time.monotonic() < deadline, f"no {what} within {RUN_TIMEOUT_S} s"
        time.sleep(0.005)


def _caught_signals(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("SigCgt:"):
            return int(line.split()[1], 16)
    return 0


def _wait_for_the_handlers(proc: subprocess.Popen) -> None:
    wanted = sum(1 << (sig - 1) for sig in SIGNAL_ACTIONS)
    _wait_until(lambda: _caught_signals(proc.pid) & wanted == wanted, proc, "signal handlers")


def _bring_up(folder: Path, when: str, *args: str) -> subprocess.Popen:
    proc = start_kiosk(folder, "--headless", "--no-camera", "--report", "report.json", *args)
    if when == "early":
        _wait_for_the_handlers(proc)
    else:
        _wait_until((folder / "var" / "status.json").exists, proc, "status file")
    return proc


STOPS = [sig for sig, action in SIGNAL_ACTIONS.items() if action == STOP]
IGNORED = [sig for sig, action in SIGNAL_ACTIONS.items() if action == IGNORE]


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("when", ["early", "late"])
@pytest.mark.parametrize("sig", STOPS, ids=lambda s: s.name)
def test_a_stop_signal_stops_the_kiosk_cleanly(tmp_path: Path, sig, when: str) -> None:
    folder = kiosk_folder(tmp_path)
    proc = _bring_up(folder, when)
    proc.send_signal(sig)
    code, out, err = finish(proc, folder)
    assert (code, "Traceback" in err) == (EXIT_OK, False), err
    assert f"kiosk stopped ({sig.name}): " in out
    report = json.loads((folder / "report.json").read_text())
    assert report["exit_reason"] == sig.name
    assert (report["frames"] > 0) == (when == "late")


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("when", ["early", "late"])
def test_the_other_signals_are_logged_and_the_kiosk_runs_on(tmp_path: Path, when: str) -> None:
    """Each of them (SIGUSR1, SIGUSR2, SIGALRM) in one kiosk: early, it still comes up and
    stops at its frame limit; late, it runs on until SIGTERM."""
    folder = kiosk_folder(tmp_path)
    proc = _bring_up(folder, when, *(["--frames", "30"] if when == "early" else []))
    for sig in IGNORED:
        proc.send_signal(sig)
    logged = [f"{sig.name} received and ignored" for sig in IGNORED]
    if when == "late":
        err_text = lambda: (folder / "err").read_text(errors="replace")  # noqa: E731
        _wait_until(lambda: all(line in err_text() for line in logged), proc, "warnings")
        proc.send_signal(signal.SIGTERM)
    code, out, err = finish(proc, folder)
    assert (code, "Traceback" in err) == (EXIT_OK, False), err
    assert all(line in err for line in logged), err
    reason = "frame limit reached" if when == "early" else "SIGTERM"
    assert f"kiosk stopped ({reason}): " in out
