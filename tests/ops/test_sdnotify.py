"""sd_notify client against real AF_UNIX datagram sockets (no systemd needed)."""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.ops.sdnotify import Notifier, report_startup_failure


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[tuple[socket.socket, str]]:
    path = tmp_path / "notify.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(2.0)
    yield sock, str(path)
    sock.close()


def received(sock: socket.socket) -> list[str]:
    """Every datagram waiting on the socket."""
    out = []
    sock.setblocking(False)
    try:
        while True:
            out.append(sock.recv(4096).decode())
    except BlockingIOError:
        pass
    finally:
        sock.settimeout(2.0)
    return out


def test_ready_status_stopping_reach_the_socket(listener: tuple[socket.socket, str]) -> None:
    sock, path = listener
    with Notifier({"NOTIFY_SOCKET": path}) as n:
        assert n.enabled
        assert n.ready("showing 2 exhibits")
        assert n.status("live: mona")
        assert not n.status("live:   mona")  # same text (whitespace folded) is not resent
        assert n.stopping()
    assert received(sock) == [
        "READY=1\nSTATUS=showing 2 exhibits",
        "STATUS=live: mona",
        "STOPPING=1",
    ]


def test_abstract_socket() -> None:
    name = f"kiosk-test-{uuid.uuid4().hex}"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(b"\0" + name.encode())
    sock.settimeout(2.0)
    try:
        with Notifier({"NOTIFY_SOCKET": "@" + name}) as n:
            assert n.notify("READY=1")
        assert sock.recv(64) == b"READY=1"
    finally:
        sock.close()


def test_watchdog_interval_is_half_of_watchdog_usec(listener: tuple[socket.socket, str]) -> None:
    sock, path = listener
    env = {"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "10000000", "WATCHDOG_PID": str(os.getpid())}
    with Notifier(env) as n:
        assert n.watchdog_interval() == 5.0
        sent = [n.tick(t) for t in (100.0, 101.0, 104.9, 105.0, 106.0, 110.1)]
    assert sent == [True, False, False, True, False, True]
    assert received(sock) == ["WATCHDOG=1"] * 3


def test_ready_pings_the_watchdog_at_once(listener: tuple[socket.socket, str]) -> None:
    sock, path = listener
    with Notifier({"NOTIFY_SOCKET": path, "WATCHDOG_USEC": "2000000"}) as n:
        n.ready()
    assert received(sock) == ["READY=1", "WATCHDOG=1"]


def test_watchdog_meant_for_another_process_is_ignored(tmp_path: Path) -> None:
    env = {"NOTIFY_SOCKET": str(tmp_path / "s"), "WATCHDOG_USEC": "10000000", "WATCHDOG_PID": "1"}
    n = Notifier(env, pid=4242)
    assert n.watchdog_interval() is None
    assert not n.tick(0.0)


def test_no_socket_means_no_op() -> None:
    n = Notifier({"WATCHDOG_USEC": "10000000"})
    assert not n.enabled
    assert n.watchdog_interval() is None
    assert not n.ready() and not n.tick(1.0) and not n.stopping()


def test_a_missing_socket_is_logged_once_and_never_raises(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    n = Notifier({"NOTIFY_SOCKET": str(tmp_path / "gone.sock"), "WATCHDOG_USEC": "1000"})
    with caplog.at_level("WARNING"):
        results = [n.ready(), n.watchdog(), n.status("x"), n.tick(9.0)]
    n.close()
    assert results == [False, False, False, False]
    assert len([r for r in caplog.records if "cannot notify systemd" in r.message]) == 1


@pytest.mark.parametrize("value", ["relative.sock", "vsock:2:1234"])
def test_unsupported_socket_addresses_disable_notifying(value: str) -> None:
    assert not Notifier({"NOTIFY_SOCKET": value}).enabled


def test_startup_failure_is_reported_then_waited_out(listener: tuple[socket.socket, str]) -> None:
    sock, path = listener
    waits: list[float] = []
    with Notifier({"NOTIFY_SOCKET": path}) as n:
        report_startup_failure(n, "config.yaml: display.fps: must be between 10 and 240", 30.0,
                               sleep=waits.append)  # fmt: skip
    assert waits == [30.0]
    assert received(sock) == [
        "STATUS=cannot start: config.yaml: display.fps: must be between 10 and 240 "
        "(retrying in 30 s)"
    ]


def test_startup_failure_outside_systemd_does_not_wait() -> None:
    waits: list[float] = []
    report_startup_failure(Notifier({}), "bad config", 30.0, sleep=waits.append)
    assert waits == []
