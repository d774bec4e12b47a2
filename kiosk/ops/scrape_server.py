"""The metrics endpoint: a minimal HTTP server for one text document, on one thread.

prometheus_client's own server starts a thread per connection: a red-team flood of 300
half-open connections made 300 threads there and took the display loop from 68 to 3-18 fps.
Here connections, their lifetime, the rate they are accepted at and how often the text is
generated are all bounded (the constants below), so whatever arrives on the port costs the loop
a small fixed share of one core. Measured with a cv2-heavy stand-in loop beside a flood of
scrapes plus 300 idle connections from another process: the old server 0.38x the quiet fps
and 310 threads, this one 0.97x (within noise), 2 threads, its thread at about 1.3% of a core.

Scrapers can be limited to an allowlist of addresses (networks), checked for every connection
before its request is read: any other peer is answered 403 and closed.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import selectors
import socket
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from http import HTTPStatus

from prometheus_client.exposition import CONTENT_TYPE_LATEST

log = logging.getLogger(__name__)

# The endpoint's bounds. A Prometheus scrape every 15 s, or an operator's curl, is one short
# request on loopback that arrives within a millisecond of connecting; nothing legitimate comes
# near any of these.
_MAX_CONNECTIONS = 4  # open at once; a newcomer at the limit closes the oldest (a slow client)
_CONNECTION_TIMEOUT_S = 2.0  # from accept to the last byte sent: half-open and slow-loris drop
_MAX_REQUEST_HEAD = 8192  # bytes of request line and headers; the body of a GET is never read
_ACCEPTS_PER_S = 20.0  # sustained; beyond it connections wait in the listen backlog
_ACCEPT_BURST = 8  # accepted at once after a quiet spell
_LISTEN_BACKLOG = 16  # beyond it the kernel drops the connection attempt (the client retries)
_RECV_BYTES = 4096
_MAX_REFUSED_LOGGED = 16  # refused scrapers named in the log (each once), then silence

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
_CONTENT_TYPE = f"Content-Type: {CONTENT_TYPE_LATEST}\r\n".encode()


@dataclass(slots=True)
class _Connection:
    sock: socket.socket
    deadline: float  # monotonic; closed then, whatever state it is in
    allowed: bool  # the peer is on the allowlist (or there is none): else it is answered 403
    received: bytearray = field(default_factory=bytearray)
    unsent: memoryview | None = None  # the response, once the request head is complete


class ScrapeServer:
    """A minimal HTTP/1.x server for one text document, on one thread, within fixed bounds.

    One request per connection (the response says Connection: close). The socket is bound in
    the constructor, so a busy port raises OSError there; `close()` stops and joins the thread.
    """

    def __init__(
        self, address: str, port: int, body: Callable[[], bytes], allow: Sequence[Network] = ()
    ) -> None:
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        # create_server sets SO_REUSEADDR: a restarted kiosk rebinds past TIME_WAIT, while a
        # second live listener on the port is still refused.
        self._listener = socket.create_server((address, port), family=family,
                                              backlog=_LISTEN_BACKLOG)  # fmt: skip
        self._listener.setblocking(False)
        self.port: int = self._listener.getsockname()[1]
        self._body = body
        self._allow = tuple(allow)
        self._refused_peers: set[str] = set()  # logged once each, at most _MAX_REFUSED_LOGGED
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
            sock, peer = self._listener.accept()
        except (BlockingIOError, InterruptedError):
            return
        except OSError as exc:  # e.g. EMFILE: leave it in the backlog, try again later
            log.debug("metrics accept failed: %s", exc)
            return
        allowed = self._allows(peer[0])
        if len(self._connections) >= _MAX_CONNECTIONS:
            # The oldest refused peer goes first: a flood from elsewhere on the LAN must not
            # push the allowed scraper out.
            waiting = list(self._connections.values())
            self._drop(next((c for c in waiting if not c.allowed), waiting[0]))
        sock.setblocking(False)
        conn = _Connection(sock, time.monotonic() + _CONNECTION_TIMEOUT_S, allowed)
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
                # A refused peer's request is never parsed: one fixed answer, then closed.
                forbidden = None if conn.allowed else _response(HTTPStatus.FORBIDDEN)
                response = forbidden or self._response_to(conn.received)
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

    def _allows(self, peer: str) -> bool:
        """Whether `peer` may scrape: always without an allowlist, else if a network holds it."""
        if not self._allow:
            return True
        ip = ipaddress.ip_address(peer.split("%", 1)[0])  # an IPv6 peer may carry a zone
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if any(ip in network for network in self._allow):
            return True
        if peer not in self._refused_peers and len(self._refused_peers) < _MAX_REFUSED_LOGGED:
            self._refused_peers.add(peer)
            log.warning("metrics scrape from %s refused: not in ops.metrics_allow", peer)
        return False

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
