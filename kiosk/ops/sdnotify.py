"""A tiny client of systemd's notify protocol (sd_notify(3)), without python-systemd.

systemd passes NOTIFY_SOCKET (a filesystem path, or "@name" for an abstract socket) and, with
WatchdogSec=, WATCHDOG_USEC (and WATCHDOG_PID). The service sends newline-separated
"KEY=value" datagrams: READY=1 once started, WATCHDOG=1 regularly, STATUS=... for
`systemctl status`, STOPPING=1 when shutting down.

Outside systemd (NOTIFY_SOCKET unset) every call is a no-op. Sending never raises into the
kiosk loop and never blocks it: the first failure is logged, later ones are silent.
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)


class Notifier:
    """Talks to systemd for one process. Use as a context manager or call close()."""

    def __init__(self, environ: Mapping[str, str] | None = None, pid: int | None = None) -> None:
        env = os.environ if environ is None else environ
        self.address = _socket_address(env.get("NOTIFY_SOCKET", ""))
        self._watchdog_s = _watchdog_timeout_s(env, os.getpid() if pid is None else pid)
        self._sock: socket.socket | None = None
        self._last_ping: float | None = None
        self._last_status: str | None = None
        self._failed = False

    @property
    def enabled(self) -> bool:
        """True when running under systemd with a notify socket."""
        return self.address is not None

    def watchdog_interval(self) -> float | None:
        """Seconds between WATCHDOG=1 pings (half of WatchdogSec), or None if not watched."""
        if self._watchdog_s is None or not self.enabled:
            return None
        return self._watchdog_s / 2.0

    # -- messages -------------------------------------------------------------------------

    def notify(self, *assignments: str) -> bool:
        """Send one datagram of "KEY=value" lines; True if it was sent."""
        if self.address is None or not assignments:
            return False
        data = "\n".join(assignments).encode("utf-8", "replace")
        try:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
                self._sock.setblocking(False)  # a stuck manager must not stall the display
            self._sock.sendto(data, self.address)
        except OSError as exc:
            if not self._failed:
                log.warning("cannot notify systemd at %r: %s (further failures not logged)",
                            _show_address(self.address), exc)  # fmt: skip
            self._failed = True
            return False
        return True

    def ready(self, status: str = "") -> bool:
        """READY=1 (plus STATUS= if given), followed by a first watchdog ping."""
        lines = ["READY=1"] + ([f"STATUS={_one_line(status)}"] if status else [])
        if status:
            self._last_status = _one_line(status)
        sent = self.notify(*lines)
        if self.watchdog_interval() is not None:
            self.watchdog()
        return sent

    def status(self, text: str) -> bool:
        """STATUS=text, shown by `systemctl status`; unchanged text is not resent."""
        text = _one_line(text)
        if text == self._last_status:
            return False
        self._last_status = text
        return self.notify(f"STATUS={text}")

    def stopping(self, status: str = "") -> bool:
        lines = ["STOPPING=1"] + ([f"STATUS={_one_line(status)}"] if status else [])
        return self.notify(*lines)

    def watchdog(self) -> bool:
        return self.notify("WATCHDOG=1")

    def tick(self, now: float) -> bool:
        """Call every loop iteration with time.monotonic(); sends WATCHDOG=1 when due."""
        interval = self.watchdog_interval()
        if interval is None:
            return False
        if self._last_ping is not None and now - self._last_ping < interval:
            return False
        self._last_ping = now
        return self.watchdog()

    # -- lifetime -------------------------------------------------------------------------

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def __enter__(self) -> Notifier:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _socket_address(value: str) -> str | bytes | None:
    if not value:
        return None
    if value.startswith("@"):
        return b"\0" + value[1:].encode()  # Linux abstract namespace
    if value.startswith("/"):
        return value
    log.warning("NOTIFY_SOCKET=%r is not a socket path this kiosk supports; not notifying", value)
    return None


def _watchdog_timeout_s(env: Mapping[str, str], pid: int) -> float | None:
    """WATCHDOG_USEC in seconds, if it is meant for this process (WATCHDOG_PID), else None."""
    usec, wd_pid = env.get("WATCHDOG_USEC", ""), env.get("WATCHDOG_PID", "")
    if not usec:
        return None
    try:
        timeout = int(usec) / 1e6
        if wd_pid and int(wd_pid) != pid:
            return None
    except ValueError:
        log.warning("ignoring malformed WATCHDOG_USEC=%r / WATCHDOG_PID=%r", usec, wd_pid)
        return None
    return timeout if timeout > 0 else None


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _show_address(address: str | bytes) -> str:
    return "@" + address[1:].decode(errors="replace") if isinstance(address, bytes) else address


def report_startup_failure(
    notifier: Notifier,
    message: str,
    delay_s: float,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Before exiting with EXIT_CONFIG: show `message` in `systemctl status`, then wait.

    Under systemd the wait turns Restart=always into a slow retry (the kiosk comes back by
    itself once the file is fixed, without a tight restart loop). Run by hand, it returns at
    once: the person at the terminal already sees the message.
    """
    if not notifier.enabled:
        return
    notifier.status(f"cannot start: {message} (retrying in {delay_s:.0f} s)")
    sleep(delay_s)
