"""Exit codes and the SIGTERM handler: the handler only records the request."""

from __future__ import annotations

import os
import signal

from kiosk.ops import EXIT_CONFIG, EXIT_CRASH, EXIT_OK, StopFlag, install_signal_handlers


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
