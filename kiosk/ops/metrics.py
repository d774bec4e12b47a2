"""Prometheus metrics for operators, served on the loopback interface only.

Only anonymous counters and timings leave the process (see kiosk.ops.Health). The metrics
live in their own CollectorRegistry, so tests and several kiosks in one process never clash.

The loop calls `set_mode()` every tick (cheap; counts visitor sessions on entering live mode)
and `publish(health)` about once a second. Gauges are thread-safe, so the scrape thread never
touches the loop's own data structures.

The endpoint is one daemon thread with a selector, not prometheus_client's thread-per-connection
server: a red-team flood of 300 half-open connections made 300 threads there and took the
display loop from 68 to 3-18 fps. Here connections, their lifetime, the rate they are accepted
at and how often the text is generated are all bounded (the constants below), so whatever
arrives on the port costs the loop a small fixed share of one core. Measured with a cv2-heavy
stand-in loop beside a flood of scrapes plus 300 idle connections from another process: the
old server 0.38x the quiet fps and 310 threads, this one 0.97x (within noise), 2 threads, its
thread at about 1.3% of a core.
"""

from __future__ import annotations

import contextlib
import logging
import selectors
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus

from prometheus_client import CollectorRegistry, Counter, Gauge, ProcessCollector
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

from kiosk.config import DEFAULT_METRICS_ADDRESS as DEFAULT_ADDRESS
from kiosk.config import DEFAULT_METRICS_PORT as DEFAULT_PORT
from kiosk.config import check_loopback
from kiosk.ops import Health

log = logging.getLogger(__name__)

LIVE_MODE = "live"
_MAX_LABEL_VALUES = 16  # modes and camera states are small fixed sets; never grow without bound

# The endpoint's bounds. A Prometheus scrape every 15 s, or an operator's curl, is one short
# request on loopback that arrives within a millisecond of connecting; nothing legitimate comes
# near any of these.
EXPOSITION_MAX_AGE_S = 1.0  # a flood of scrapes reuses the text (publish() comes once a second)
_MAX_CONNECTIONS = 4  # open at once; a newcomer at the limit closes the oldest (a slow client)
_CONNECTION_TIMEOUT_S = 2.0  # from accept to the last byte sent: half-open and slow-loris drop
_MAX_REQUEST_HEAD = 8192  # bytes of request line and headers; the body of a GET is never read
_ACCEPTS_PER_S = 20.0  # sustained; beyond it connections wait in the listen backlog
_ACCEPT_BURST = 8  # accepted at once after a quiet spell
_LISTEN_BACKLOG = 16  # beyond it the kernel drops the connection attempt (the client retries)
_RECV_BYTES = 4096
_CONTENT_TYPE = f"Content-Type: {CONTENT_TYPE_LATEST}\r\n".encode()


class MetricsError(ValueError):
    """A metrics setting that cannot be used (message says what to change)."""


class KioskMetrics:
    """The kiosk's Prometheus metrics and (after start()) their HTTP endpoint."""

    def __init__(self, port: int = DEFAULT_PORT, address: str = DEFAULT_ADDRESS) -> None:
        self.address = check_loopback(address, MetricsError)
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
        self._updates = 0  # bumped by every update, so a scrape right after one sees it
        self._exposition: tuple[int, float, bytes] | None = None  # (updates, monotonic, text)
        self._server: _ScrapeServer | None = None

    # -- endpoint -------------------------------------------------------------------------

    def start(self) -> bool:
        """Serve /metrics; False (with a warning) if the port is taken. The kiosk runs on."""
        if self._server is not None:
            return True
        try:
            server = _ScrapeServer(self.address, self.port, self.exposition)
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
        """The text a scrape returns: regenerated after an update or once it is a second old."""
        updates, now = self._updates, time.monotonic()
        cached = self._exposition
        if cached is None or cached[0] != updates or now - cached[1] >= EXPOSITION_MAX_AGE_S:
            cached = (updates, now, generate_latest(self.registry))
            self._exposition = cached
        return cached[2]

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
        self._updates += 1

    def reloaded(self, problems: int) -> None:
        """After each library reload, with the number of problems it reported."""
        self.reloads.inc()
        if problems > 0:
            self.reload_errors.inc(problems)
        self._updates += 1

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
        self._updates += 1


@dataclass(slots=True)
class _Connection:
    sock: socket.socket
    deadline: float  # monotonic; closed then, whatever state it is in
    received: bytearray = field(default_factory=bytearray)
    unsent: memoryview | None = None  # the response, once the request head is complete


class _ScrapeServer:
    """A minimal HTTP/1.x server for one text document, on one thread, within fixed bounds.

    One request per connection (the response says Connection: close). The socket is bound in
    the constructor, so a busy port raises OSError there; `close()` stops and joins the thread.
    """

    def __init__(self, address: str, port: int, body: Callable[[], bytes]) -> None:
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        # create_server sets SO_REUSEADDR: a restarted kiosk rebinds past TIME_WAIT, while a
        # second live listener on the port is still refused.
        self._listener = socket.create_server((address, port), family=family,
                                              backlog=_LISTEN_BACKLOG)  # fmt: skip
        self._listener.setblocking(False)
        self.port: int = self._listener.getsockname()[1]
        self._body = body
        self._wake_r, self._wake_w = socket.socketpair()
        self._selector = selectors.DefaultSelector()
        self._connections: dict[int, _Connection] = {}  # insertion order = oldest first
        self._tokens = float(_ACCEPT_BURST)
        self._refilled = time.monotonic()
        self._accepting = False
        self._stopping = False
        self._body_failed = False
        self._thread = threading.Thread(target=self._serve, name="kiosk-metrics", daemon=True)

    def start(self) -> None:
        self._selector.register(self._wake_r, selectors.EVENT_READ)
        self._thread.start()

    def close(self) -> None:
        if self._thread.is_alive():
            self._stopping = True
            with contextlib.suppress(OSError):  # the thread may have just ended on its own
                self._wake_w.send(b"x")
            self._thread.join(timeout=5.0)
        else:
            self._release()

    # -- the thread -----------------------------------------------------------------------

    def _serve(self) -> None:
        try:
            while not self._stopping:
                self._refill()
                for key, events in self._selector.select(self._timeout()):
                    if key.fileobj is self._listener:
                        self._accept()
                    elif key.fileobj is not self._wake_r:
                        self._service(key.data, events)
                self._expire()
        except Exception:  # a bug here must not pass silently: the kiosk runs on without it
            log.exception("metrics endpoint stopped; restart the kiosk to serve metrics again")
        finally:
            self._release()

    def _refill(self) -> None:
        """Token bucket over accepts; the listener is only watched while a token is left."""
        now = time.monotonic()
        self._tokens = min(_ACCEPT_BURST, self._tokens + (now - self._refilled) * _ACCEPTS_PER_S)
        self._refilled = now
        want = self._tokens >= 1.0
        if want and not self._accepting:
            self._selector.register(self._listener, selectors.EVENT_READ)
        elif self._accepting and not want:
            self._selector.unregister(self._listener)
        self._accepting = want

    def _timeout(self) -> float | None:
        """Until the next connection deadline or accept token; None (sleep) when idle."""
        waits = [c.deadline for c in self._connections.values()]
        if not self._accepting:
            waits.append(self._refilled + (1.0 - self._tokens) / _ACCEPTS_PER_S)
        return max(0.0, min(waits) - time.monotonic()) if waits else None

    def _accept(self) -> None:
        """One connection per wake-up, so those just accepted are read before any is evicted."""
        self._tokens -= 1.0  # failures too: an EMFILE retried at once would spin
        try:
            sock, _ = self._listener.accept()
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:  # e.g. EMFILE: leave it in the backlog, try again later
            log.debug("metrics accept failed: %s", exc)
            return
        if len(self._connections) >= _MAX_CONNECTIONS:
            self._drop(next(iter(self._connections.values())))
        sock.setblocking(False)
        conn = _Connection(sock, time.monotonic() + _CONNECTION_TIMEOUT_S)
        self._connections[sock.fileno()] = conn
        self._selector.register(sock, selectors.EVENT_READ, conn)

    def _service(self, conn: _Connection, events: int) -> None:
        if conn.sock.fileno() < 0:  # evicted earlier in this batch of events
            return
        try:
            if events & selectors.EVENT_READ and conn.unsent is None:
                data = conn.sock.recv(_RECV_BYTES)
                if not data:
                    self._drop(conn)
                    return
                conn.received += data
                response = self._response_to(conn.received)
                if response is None:
                    return
                conn.unsent = memoryview(response)
                self._selector.modify(conn.sock, selectors.EVENT_WRITE, conn)
            if conn.unsent is not None:
                conn.unsent = conn.unsent[conn.sock.send(conn.unsent) :]
                if not conn.unsent:
                    self._drop(conn)
        except (BlockingIOError, InterruptedError):
            pass
        except OSError:  # reset by the peer, and the like
            self._drop(conn)

    def _response_to(self, received: bytearray) -> bytes | None:
        """The response once the request head is complete (or too long); None until then."""
        end = received.find(b"\r\n\r\n")
        if end < 0:
            end = received.find(b"\n\n")
        if end < 0:
            if len(received) > _MAX_REQUEST_HEAD:
                return _response(HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE)
            return None
        parts = bytes(received[:end]).split(b"\n", 1)[0].split()
        if len(parts) != 3 or not parts[2].startswith(b"HTTP/1."):
            return _response(HTTPStatus.BAD_REQUEST)
        method, target = parts[0], parts[1].split(b"?", 1)[0]
        if method not in (b"GET", b"HEAD"):
            return _response(HTTPStatus.METHOD_NOT_ALLOWED, extra=b"Allow: GET, HEAD\r\n")
        if target not in (b"/metrics", b"/"):
            return _response(HTTPStatus.NOT_FOUND)
        try:
            body = self._body()
        except Exception:  # a collector bug must not end the thread; reported once
            if not self._body_failed:
                log.exception("metrics could not be generated; scrapes answer 500")
                self._body_failed = True
            return _response(HTTPStatus.INTERNAL_SERVER_ERROR)
        return _response(HTTPStatus.OK, body, head_only=method == b"HEAD", extra=_CONTENT_TYPE)

    def _expire(self) -> None:
        now = time.monotonic()
        for conn in [c for c in self._connections.values() if c.deadline <= now]:
            self._drop(conn)

    def _drop(self, conn: _Connection) -> None:
        self._connections.pop(conn.sock.fileno(), None)
        self._selector.unregister(conn.sock)
        conn.sock.close()

    def _release(self) -> None:
        for conn in list(self._connections.values()):
            self._drop(conn)
        self._selector.close()
        for sock in (self._listener, self._wake_r, self._wake_w):
            sock.close()


def _response(status: HTTPStatus, body: bytes = b"", head_only: bool = False,
              extra: bytes = b"") -> bytes:  # fmt: skip
    if status is not HTTPStatus.OK and not body:
        body = f"{status.value} {status.phrase}\n".encode()
        extra += b"Content-Type: text/plain; charset=utf-8\r\n"
    head = (
        f"HTTP/1.1 {status.value} {status.phrase}\r\n".encode()
        + extra
        + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
    )
    return head if head_only else head + body


def _one_hot(gauge: Gauge, seen: set[str], value: str) -> None:
    if value not in seen:
        if len(seen) >= _MAX_LABEL_VALUES:
            value = "other"
        seen.add(value)
    for v in seen:
        gauge.labels(v).set(1 if v == value else 0)
