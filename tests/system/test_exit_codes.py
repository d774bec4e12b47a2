"""`kiosk run` exits as README "For operators" says: 0 clean stop, 1 a config or content problem
at start-up (one message, no traceback), 3 only for the unexpected. Each start-up problem runs
the real command in a throwaway kiosk folder."""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.commands import EXIT_PROBLEMS
from kiosk.commands import EXIT_USAGE as COMMANDS_EXIT_USAGE
from kiosk.exhibits.samples import SampleContentError, ensure_sample_content
from kiosk.headless import use_headless_sdl
from kiosk.ops import (
    EXIT_CONFIG,
    EXIT_CRASH,
    EXIT_OK,
    EXIT_USAGE,
    IGNORE,
    SIGNAL_ACTIONS,
    STOP,
)
from tests.conftest import REPO_ROOT

RUN_TIMEOUT_S = 90.0
README = (REPO_ROOT / "README.md").read_text(encoding="utf-8")

# -- helpers shared with test_ops_signals.py ---------------------------------------------------


def kiosk_folder(root: Path, config: str = "") -> Path:
    """A throwaway kiosk folder: the shipped exhibits, an empty content/ and `config`."""
    shutil.copytree(REPO_ROOT / "exhibits", root / "exhibits")
    (root / "content").mkdir()
    (root / "config.yaml").write_text(config, encoding="utf-8")
    return root


def start_kiosk(folder: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """`kiosk --config config.yaml run <args>` in `folder`, output to folder/out and folder/err."""
    environ = {k: v for k, v in os.environ.items() if k not in ("NOTIFY_SOCKET", "WATCHDOG_USEC")}
    use_headless_sdl(environ, override=True)
    environ["PYTHONUNBUFFERED"] = "1"
    environ.update(env or {})
    with open(folder / "out", "wb") as out, open(folder / "err", "wb") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "kiosk.cli", "--config", "config.yaml", "run", *args],
            cwd=folder, env=environ, stdout=out, stderr=err,
        )  # fmt: skip


def finish(proc: subprocess.Popen, folder: Path) -> tuple[int, str, str]:
    """Wait for the kiosk to exit: (exit code, stdout, stderr)."""
    try:
        code = proc.wait(timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        pytest.fail(f"the kiosk did not exit within {RUN_TIMEOUT_S} s")
    read = lambda name: (folder / name).read_text(encoding="utf-8", errors="replace")  # noqa: E731
    return code, read("out"), read("err")


# -- the tables in README ------------------------------------------------------------------------


def test_readme_lists_the_exit_codes_of_the_code() -> None:
    sentence = re.search(r"Exit codes:(.*?)\.\n", README, re.DOTALL)
    assert sentence, 'README.md has no "Exit codes: ..." sentence'
    text = re.sub(r"\([^)]*\)", "", " ".join(sentence.group(1).split()))
    listed = {int(code): meaning.strip() for code, meaning in re.findall(r"(\d+) ([^,]+)", text)}
    assert listed == {
        EXIT_OK: "clean stop",
        EXIT_CONFIG: "config or content problem at start-up",
        EXIT_USAGE: "wrong command line",
        EXIT_CRASH: "unexpected crash",
    }


def test_the_operators_guide_and_the_unit_list_the_codes_systemd_sees() -> None:
    """deploy/README.md's table and the unit file's comment: every code but EXIT_USAGE (the
    unit's command line is fixed), each meaning what kiosk.ops says."""
    guide = (REPO_ROOT / "deploy" / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| (\d+) \| ([^|]+) \|", guide, re.MULTILINE))
    assert {int(code): text.split(":")[0].strip() for code, text in rows.items()} == {
        EXIT_OK: "clean stop", EXIT_CONFIG: "config error at start-up",
        EXIT_CRASH: "unexpected crash",
    }  # fmt: skip
    unit = (REPO_ROOT / "deploy" / "portrait-kiosk.service").read_text(encoding="utf-8")
    comment = re.search(r"^# Exit codes \(kiosk/ops/__init__.py\): (.*?)\. All", unit,
                        re.MULTILINE | re.DOTALL)  # fmt: skip
    assert comment, "deploy/portrait-kiosk.service has no exit-code comment"
    listed = re.findall(r"(\d+) ([a-z -]+)", re.sub(r"\([^)]*\)", "", comment.group(1)))
    assert {int(code): text.strip() for code, text in listed} == {
        EXIT_OK: "clean stop", EXIT_CONFIG: "config error at start-up", EXIT_CRASH: "crash",
    }  # fmt: skip


def test_the_subcommands_use_the_same_table() -> None:
    assert (EXIT_PROBLEMS, COMMANDS_EXIT_USAGE) == (EXIT_CONFIG, EXIT_USAGE)


def test_readme_lists_what_each_signal_does() -> None:
    rows = dict(re.findall(r"^\| (SIG[A-Z0-9]+) \| ([^|]+) \|$", README, re.MULTILINE))
    meaning = {STOP: "clean stop, exit 0", IGNORE: "logged and ignored"}
    assert {name: text.startswith(meaning[STOP]) for name, text in rows.items()} == {
        sig.name: action == STOP for sig, action in SIGNAL_ACTIONS.items()
    }
    assert all(text.startswith(meaning[IGNORE]) for name, text in rows.items()
               if SIGNAL_ACTIONS[signal.Signals[name]] == IGNORE)  # fmt: skip


# -- start-up problems: exit 1, one message, no traceback ------------------------------------

RUN = ("--headless", "--no-camera", "--frames", "5")


def _samples_is_a_file(folder: Path) -> None:
    (folder / "content" / "samples").write_text("not a folder")


def _log_dir_under_a_file(folder: Path) -> None:
    (folder / "afile").write_text("a file, so afile/log cannot be made (also for root)")


def _read_only_content(folder: Path) -> None:
    (folder / "content").chmod(0o555)


PROBLEMS = {  # case: (config.yaml, set-up, arguments of `kiosk run`, words of the message)
    "unknown key name in a chord": (
        "curator: {exit_keys: ctrl+shift+notakey}\n", None, RUN,
        "config.yaml: curator.exit_keys: bad key combination",
    ),
    "status file in exhibits": (
        "ops: {status_file: exhibits/status.json}\n", None, RUN,
        "config.yaml: ops.status_file: is inside paths.exhibits",
    ),
    "log dir in exhibits": (
        "ops: {log_dir: exhibits/log}\n", None, RUN,
        "config.yaml: ops.log_dir: is inside paths.exhibits",
    ),
    "cache in content": (
        "paths: {cache: content/cache}\n", None, RUN,
        "config.yaml: paths.cache: is inside paths.content",
    ),
    "exhibits inside the cache": (
        "paths: {cache: .}\n", None, RUN, "config.yaml: paths.cache: holds paths.exhibits",
    ),
    "screen too big": (
        "display: {size: [30000, 30000]}\n", None, RUN,
        "config.yaml: display.size: width and height must each be at most 7680",
    ),
    "content/samples is a file": (
        "", _samples_is_a_file, RUN, "content/samples is a file, not a folder",
    ),
    # --headless logs to the console only, so the log folder is tried in a window (dummy SDL).
    "log dir not writable": (
        "ops: {log_dir: afile/log, metrics_enabled: false}\n", _log_dir_under_a_file,
        ("--windowed", "--no-camera", "--frames", "5"),
        "config.yaml: ops.log_dir: cannot write the logs in afile/log",
    ),
    "read-only content without the samples": (
        "", _read_only_content, RUN, "cannot copy the sample portrait",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", PROBLEMS)
def test_a_start_up_problem_exits_1_with_one_message(tmp_path: Path, case: str) -> None:
    config, set_up, args, words = PROBLEMS[case]
    if set_up is _read_only_content and os.geteuid() == 0:
        pytest.skip("root writes into a read-only folder (the message is checked below)")
    folder = kiosk_folder(tmp_path, config)
    if set_up is not None:
        set_up(folder)
    try:
        code, out, err = finish(start_kiosk(folder, *args), folder)
    finally:
        (folder / "content").chmod(0o755)
    assert (code, "Traceback" in err) == (EXIT_CONFIG, False), err
    assert words in err
    assert "kiosk stopped" not in out


def test_a_sample_that_cannot_be_copied_says_what_to_do(tmp_path: Path, monkeypatch) -> None:
    """The read-only content/ case without the permissions (which root ignores)."""

    def read_only(*_args, **_kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("kiosk.exhibits.samples.tempfile.mkstemp", read_only)
    with pytest.raises(SampleContentError) as info:
        ensure_sample_content(tmp_path / "content")
    message = str(info.value)
    assert "cannot copy the sample portrait" in message and "(Permission denied)" in message
    assert "paths.content in config.yaml) writable by the kiosk's user" in message


def test_a_stop_cuts_the_slow_retry_short(tmp_path: Path) -> None:
    """Under systemd a start-up problem waits 30 s before exiting; SIGTERM ends the wait."""
    folder = kiosk_folder(tmp_path, "display: {size: [30000, 30000]}\n")
    address = str(tmp_path / "notify")
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as systemd:
        systemd.bind(address)
        systemd.settimeout(RUN_TIMEOUT_S)
        proc = start_kiosk(folder, *RUN, env={"NOTIFY_SOCKET": address})
        status = systemd.recv(4096).decode()
        asked = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        code, _, err = finish(proc, folder)
    assert status.startswith("STATUS=cannot start: config.yaml: display.size")
    assert "(retrying in 30 s)" in status
    assert time.monotonic() - asked < 5.0
    assert (code, "Traceback" in err) == (EXIT_CONFIG, False), err
