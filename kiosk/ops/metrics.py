"""Prometheus metrics for operators, served on the loopback interface only.

Only anonymous counters and timings leave the process (see kiosk.ops.Health). The metrics
live in their own CollectorRegistry, so tests and several kiosks in one process never clash.

The loop calls `set_mode()` every tick (cheap; counts visitor sessions on entering live mode)
and `publish(health)` about once a second. Gauges are thread-safe, so the scrape thread never
touches the loop's own data structures.

The endpoint is kiosk.ops.scrape_server (one thread, bounded); beyond loopback only with an
allowlist of scrapers (ops.metrics_allow), enforced for every connection.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, ProcessCollector
from prometheus_client.exposition import generate_latest

from kiosk.metrics_address import DEFAULT_METRICS_ADDRESS as DEFAULT_ADDRESS
from kiosk.metrics_address import DEFAULT_METRICS_PORT as DEFAULT_PORT
from kiosk.metrics_address import check_metrics_address, metrics_networks
from kiosk.ops import Health
from kiosk.ops.content_state import ContentSyncCollector
from kiosk.ops.scrape_server import ScrapeServer

log = logging.getLogger(__name__)

LIVE_MODE = "live"
# The director's modes while a visitor is engaged: its greeting, then following them. An
# engaged visitor is counted on entering the first, their stay timed until they leave both.
ENGAGED_MODES = frozenset({"greeting", LIVE_MODE})
_MAX_LABEL_VALUES = 16  # modes and camera states are small fixed sets; never grow without bound
_MAX_EXHIBIT_LABELS = 200  # exhibit ids as labels: a museum's collection, never without bound
# Dwell time: a glance, a look, a conversation with the painting, a long stay.
DWELL_BUCKETS_S = (2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0, 600.0)
EXPOSITION_MAX_AGE_S = 1.0  # a flood of scrapes reuses the text (publish() comes once a second)


class MetricsError(ValueError):
    """A metrics setting that cannot be used (message says what to change)."""


class KioskMetrics:
    """The kiosk's Prometheus metrics and (after start()) their HTTP endpoint."""

    def __init__(
        self,
        port: int = DEFAULT_PORT,
        address: str = DEFAULT_ADDRESS,
        allow: tuple[str, ...] = (),
        content_state: Path | None = None,
    ) -> None:
        """`allow`: scrapers' addresses or networks (ops.metrics_allow), needed for an address
        beyond loopback; `content_state`: the content sync's state file, read at each scrape."""
        self.address = check_metrics_address(address, allow, MetricsError)
        self.allow = metrics_networks(allow, MetricsError)
        if not 0 <= port <= 65535:
            raise MetricsError(f"metrics port must be between 1 and 65535 (got {port})")
        self.port = port  # 0 = any free port (tests); the real one is known after start()
        self.registry = CollectorRegistry()
        r = self.registry
        self._declare(r)
        self._content_state = content_state
        if content_state is not None:
            r.register(ContentSyncCollector(content_state))
        self._engaged_since: float | None = None
        self._exhibit_labels: set[str] = set()
        self._last_mode: str | None = None
        self._camera_states: set[str] = set()
        self._modes: set[str] = set()
        self._updates = 0  # bumped by every update, so a scrape right after one sees it
        # (updates and the content state file's stamp, monotonic, text)
        self._exposition: tuple[tuple[int, tuple[int, int] | None], float, bytes] | None = None
        self._server: ScrapeServer | None = None

    def _declare(self, r: CollectorRegistry) -> None:
        """The kiosk's own metrics, in registry `r`."""
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
        # What a museum wants to know, anonymously: how many visitors each painting engaged
        # (live mode entered while it was shown) and how long they stayed with it.
        self.engaged = Counter(
            "kiosk_visitors_engaged", "Visitors engaged (greeted, then followed), by exhibit shown",
            ["exhibit"], registry=r,
        )  # fmt: skip
        self.dwell_seconds = Histogram(
            "kiosk_visitor_dwell_seconds", "How long engaged visitors stayed (greeting to leaving)",
            buckets=DWELL_BUCKETS_S, registry=r,
        )  # fmt: skip

    # -- endpoint -------------------------------------------------------------------------

    def start(self) -> bool:
        """Serve /metrics; False (with a warning) if the port is taken. The kiosk runs on."""
        if self._server is not None:
            return True
        try:
            server = ScrapeServer(self.address, self.port, self.exposition, self.allow)
        except OSError as exc:
            log.warning("metrics not served: cannot listen on %s:%d (%s); set ops.metrics_port "
                        "to a free port", self.address, self.port, exc)  # fmt: skip
            return False
        server.start()
        self._server = server
        self.port = server.port
        log.info("metrics on http://%s:%d/metrics", self.address, self.port)
        return True

    def close(self) -> None:
        """Stop serving, join the thread and free the port; safe to call twice."""
        if self._server is not None:
            self._server.close()
            self._server = None

    def exposition(self) -> bytes:
        """The text a scrape returns: regenerated after an update, when the content sync's
        state file changed (a stat on the scrape thread), or once it is a second old."""
        key, now = (self._updates, _stamp(self._content_state)), time.monotonic()
        cached = self._exposition
        if cached is None or cached[0] != key or now - cached[1] >= EXPOSITION_MAX_AGE_S:
            cached = (key, now, generate_latest(self.registry))
            self._exposition = cached
        return cached[2]

    def __enter__(self) -> KioskMetrics:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- updates from the loop ------------------------------------------------------------

    def set_mode(self, mode: str, exhibit: str | None = None, now: float | None = None) -> None:
        """Call every tick with the exhibit shown; counts a visitor session on entering live
        mode, an engaged visitor of `exhibit` on entering ENGAGED_MODES and their dwell time
        on leaving them."""
        if mode == self._last_mode:
            return
        now = time.monotonic() if now is None else now
        if mode == LIVE_MODE:
            self.visitor_sessions.inc()
        if mode in ENGAGED_MODES and self._engaged_since is None:
            self.engaged.labels(self._exhibit_label(exhibit)).inc()
            self._engaged_since = now
        elif mode not in ENGAGED_MODES and self._engaged_since is not None:
            self.dwell_seconds.observe(max(0.0, now - self._engaged_since))
            self._engaged_since = None
        self._last_mode = mode
        _one_hot(self.mode, self._modes, mode)
        self._updates += 1

    def _exhibit_label(self, exhibit: str | None) -> str:
        """The exhibit id as a label value; beyond _MAX_EXHIBIT_LABELS ids, "other"."""
        label = exhibit or "none"
        if label not in self._exhibit_labels:
            if len(self._exhibit_labels) >= _MAX_EXHIBIT_LABELS:
                return "other"
            self._exhibit_labels.add(label)
        return label

    def reloaded(self, problems: int) -> None:
        """After each library reload, with the number of problems it reported."""
        self.reloads.inc()
        if problems > 0:
            self.reload_errors.inc(problems)
        self._updates += 1

    def publish(self, health: Health) -> None:
        """Copy a health snapshot into the gauges (about once a second)."""
        self.set_mode(health.mode, health.current_exhibit)
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
        self._updates += 1


def _one_hot(gauge: Gauge, seen: set[str], value: str) -> None:
    if value not in seen:
        if len(seen) >= _MAX_LABEL_VALUES:
            value = "other"
        seen.add(value)
    for v in seen:
        gauge.labels(v).set(1 if v == value else 0)


def _stamp(path: Path | None) -> tuple[int, int] | None:
    """A file's modification time and size, None when there is none."""
    if path is None:
        return None
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size
