"""Prometheus metrics for operators, served on the loopback interface only.

Only anonymous counters and timings leave the process (see kiosk.ops.Health). The metrics
live in their own CollectorRegistry, so tests and several kiosks in one process never clash,
and the HTTP server is a daemon thread that close() shuts down and joins.

The loop calls `set_mode()` every tick (cheap; counts visitor sessions on entering live mode)
and `publish(health)` about once a second. Gauges are thread-safe, so the scrape thread never
touches the loop's own data structures.
"""

from __future__ import annotations

import ipaddress
import logging
import threading
from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, Counter, Gauge, ProcessCollector
from prometheus_client.exposition import start_http_server

from kiosk.ops import Health

log = logging.getLogger(__name__)

DEFAULT_ADDRESS = "127.0.0.1"
DEFAULT_PORT = 9108
LIVE_MODE = "live"
_MAX_LABEL_VALUES = 16  # modes and camera states are small fixed sets; never grow without bound


class MetricsError(ValueError):
    """A metrics setting that cannot be used (message says what to change)."""


def check_loopback(address: str) -> str:
    """The address if it is a loopback IP (or "localhost"); otherwise MetricsError."""
    if address == "localhost":
        return DEFAULT_ADDRESS
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        ip = None
    if ip is None or not ip.is_loopback:
        raise MetricsError(
            f"metrics address {address!r} is not a loopback address; metrics are served only "
            f"to this machine, use {DEFAULT_ADDRESS} (read them remotely through an SSH tunnel)"
        )
    return address


class KioskMetrics:
    """The kiosk's Prometheus metrics and (after start()) their HTTP endpoint."""

    def __init__(self, port: int = DEFAULT_PORT, address: str = DEFAULT_ADDRESS) -> None:
        self.address = check_loopback(address)
        if not 0 <= port <= 65535:
            raise MetricsError(f"metrics port must be between 1 and 65535 (got {port})")
        self.port = port  # 0 = any free port (tests); the real one is known after start()
        self.registry = CollectorRegistry()
        r = self.registry
        ProcessCollector(registry=r)  # process_resident_memory_bytes, cpu, fds, start time
        self.fps = Gauge("kiosk_fps", "Displayed frames per second (recent)", registry=r)
        self.stage_seconds = Gauge(
            "kiosk_stage_seconds", "Per-stage frame time over the recent window",
            ["stage", "quantile"], registry=r,
        )  # fmt: skip
        self.latency_seconds = Gauge(
            "kiosk_latency_seconds", "Camera frame to screen latency over the recent window",
            ["quantile"], registry=r,
        )  # fmt: skip
        self.mode = Gauge("kiosk_mode", "1 for the current mode", ["mode"], registry=r)
        self.camera_state = Gauge(
            "kiosk_camera_state", "1 for the camera's current state", ["state"], registry=r
        )
        self.visitor_sessions = Counter(
            "kiosk_visitor_sessions", "Visitor sessions (times live mode was entered)", registry=r
        )
        self.exhibits = Gauge("kiosk_exhibits_loaded", "Exhibits currently loaded", registry=r)
        self.problems = Gauge("kiosk_content_problems", "Known content problems", registry=r)
        self.reloads = Counter("kiosk_reloads", "Exhibit library reloads", registry=r)
        self.reload_errors = Counter(
            "kiosk_reload_errors", "Problems reported by library reloads", registry=r
        )
        self.asleep = Gauge("kiosk_asleep", "1 outside opening hours", registry=r)
        self._last_mode: str | None = None
        self._camera_states: set[str] = set()
        self._modes: set[str] = set()
        self._server: WSGIServer | None = None
        self._thread: threading.Thread | None = None

    # -- endpoint -------------------------------------------------------------------------

    def start(self) -> bool:
        """Serve /metrics; False (with a warning) if the port is taken. The kiosk runs on."""
        if self._server is not None:
            return True
        try:
            server, thread = start_http_server(self.port, addr=self.address,
                                               registry=self.registry)  # fmt: skip
        except OSError as exc:
            log.warning("metrics not served: cannot listen on %s:%d (%s); set ops.metrics_port "
                        "to a free port", self.address, self.port, exc)  # fmt: skip
            return False
        self._server, self._thread = server, thread
        self.port = server.server_port
        log.info("metrics on http://%s:%d/metrics", self.address, self.port)
        return True

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5.0)
            self._thread = None

    def __enter__(self) -> KioskMetrics:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- updates from the loop ------------------------------------------------------------

    def set_mode(self, mode: str) -> None:
        """Call every tick; counts a visitor session each time the director enters live mode."""
        if mode == self._last_mode:
            return
        if mode == LIVE_MODE:
            self.visitor_sessions.inc()
        self._last_mode = mode
        _one_hot(self.mode, self._modes, mode)

    def reloaded(self, problems: int) -> None:
        """After each library reload, with the number of problems it reported."""
        self.reloads.inc()
        if problems > 0:
            self.reload_errors.inc(problems)

    def publish(self, health: Health) -> None:
        """Copy a health snapshot into the gauges (about once a second)."""
        self.set_mode(health.mode)
        self.fps.set(health.fps)
        _one_hot(self.camera_state, self._camera_states, health.camera_state)
        self.exhibits.set(len(health.exhibit_ids))
        self.problems.set(health.problems)
        self.asleep.set(1 if health.asleep else 0)
        for stage, summary in health.stages.items():
            for quantile, key in (("0.5", "median_ms"), ("0.95", "p95_ms")):
                if key in summary:
                    seconds = summary[key] / 1000.0
                    self.stage_seconds.labels(stage, quantile).set(seconds)
                    if stage == "end_to_end":
                        self.latency_seconds.labels(quantile).set(seconds)


def _one_hot(gauge: Gauge, seen: set[str], value: str) -> None:
    if value not in seen:
        if len(seen) >= _MAX_LABEL_VALUES:
            value = "other"
        seen.add(value)
    for v in seen:
        gauge.labels(v).set(1 if v == value else 0)
