"""Prometheus endpoint: loopback only, scraped over real HTTP on an ephemeral port."""

from __future__ import annotations

import socket
import sys
import threading
import urllib.request
from collections.abc import Iterator

import pytest
from prometheus_client.parser import text_string_to_metric_families

from kiosk.config import check_loopback
from kiosk.ops import Health
from kiosk.ops.metrics import KioskMetrics, MetricsError
from kiosk.stats import StageTimes


@pytest.fixture
def metrics() -> Iterator[KioskMetrics]:
    m = KioskMetrics(port=0)
    assert m.start()
    yield m
    m.close()


def scrape(m: KioskMetrics) -> dict[tuple[str, tuple], float]:
    with urllib.request.urlopen(f"http://127.0.0.1:{m.port}/metrics", timeout=5) as resp:
        text = resp.read().decode()
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def health(**overrides: object) -> Health:
    times = StageTimes()
    for ms in (10.0, 12.0, 14.0, 40.0):
        times.add("frame", ms)
        times.add("end_to_end", ms * 2)
    values: dict = {
        "mode": "attract", "fps": 59.5, "camera_state": "running",
        "exhibit_ids": ("mona", "pearl"), "current_exhibit": "mona", "problems": 1,
        "stages": times.summary(),
    }  # fmt: skip
    values.update(overrides)
    return Health(**values)


def test_scrape_shows_the_kiosk_metrics(metrics: KioskMetrics) -> None:
    metrics.publish(health())
    metrics.reloaded(problems=2)
    got = scrape(metrics)
    assert got[("kiosk_fps", ())] == 59.5
    assert got[("kiosk_exhibits_loaded", ())] == 2
    assert got[("kiosk_content_problems", ())] == 1
    assert got[("kiosk_reloads_total", ())] == 1
    assert got[("kiosk_reload_errors_total", ())] == 2
    assert got[("kiosk_camera_state", (("state", "running"),))] == 1
    assert got[("kiosk_mode", (("mode", "attract"),))] == 1
    assert got[("kiosk_stage_seconds", (("quantile", "0.5"), ("stage", "frame")))] == 0.013
    assert got[("kiosk_latency_seconds", (("quantile", "0.5"),))] == 0.026
    assert got[("kiosk_asleep", ())] == 0
    if sys.platform.startswith("linux"):
        assert got[("process_resident_memory_bytes", ())] > 1_000_000


def test_visitor_sessions_count_entries_into_live_mode(metrics: KioskMetrics) -> None:
    for mode in ["attract", "live", "live", "live", "attract", "live", "attract"]:
        metrics.set_mode(mode)
    got = scrape(metrics)
    assert got[("kiosk_visitor_sessions_total", ())] == 2
    assert got[("kiosk_mode", (("mode", "attract"),))] == 1
    assert got[("kiosk_mode", (("mode", "live"),))] == 0


def test_camera_state_is_one_hot(metrics: KioskMetrics) -> None:
    metrics.publish(health(camera_state="running"))
    metrics.publish(health(camera_state="failed"))
    got = scrape(metrics)
    assert got[("kiosk_camera_state", (("state", "failed"),))] == 1
    assert got[("kiosk_camera_state", (("state", "running"),))] == 0


def test_metrics_use_their_own_registry() -> None:
    a, b = KioskMetrics(port=0), KioskMetrics(port=0)  # no "duplicated timeseries" error
    assert a.registry is not b.registry


@pytest.mark.parametrize("address", ["0.0.0.0", "::", "192.168.1.20", "kiosk.local", ""])
def test_non_loopback_addresses_are_refused(address: str) -> None:
    with pytest.raises(MetricsError, match="not a loopback address.*127.0.0.1"):
        KioskMetrics(port=0, address=address)


def test_loopback_addresses_are_accepted() -> None:
    assert check_loopback("127.0.0.1") == "127.0.0.1"
    assert check_loopback("::1") == "::1"
    assert check_loopback("localhost") == "127.0.0.1"


def test_a_busy_port_does_not_stop_the_kiosk(metrics: KioskMetrics) -> None:
    other = KioskMetrics(port=metrics.port)
    assert other.start() is False
    other.close()


def test_close_stops_the_server() -> None:
    m = KioskMetrics(port=0)
    m.start()
    port = m.port
    m.close()
    m.close()  # twice is fine
    with pytest.raises(OSError):
        urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2)


# -- the endpoint under abuse: bounded threads, timeouts, bad requests ---------------------


def connect(m: KioskMetrics) -> socket.socket:
    # generous: the server accepts at a bounded rate and the kernel retries a dropped attempt
    return socket.create_connection(("127.0.0.1", m.port), timeout=30)


def closed_by_peer(sock: socket.socket) -> bool:
    """True once the server has closed `sock`: an orderly end of stream, or a reset when the
    listener closed before accepting it (the kernel resets a connection left in the backlog)."""
    try:
        return sock.recv(1024) == b""
    except ConnectionResetError:
        return True


def exchange(m: KioskMetrics, request: bytes) -> bytes:
    """Everything the server sends back until it closes (b"" if it closes without a word)."""
    with connect(m) as sock:
        sock.sendall(request)
        reply = b""
        try:
            while chunk := sock.recv(65536):
                reply += chunk
        except ConnectionResetError:  # closed with part of our request unread
            pass
        return reply


def test_idle_connections_add_no_threads_and_a_scrape_still_answers(
    metrics: KioskMetrics,
) -> None:
    before = threading.active_count()
    idle = [connect(metrics) for _ in range(50)]  # thread-per-connection servers made 50 more
    try:
        assert threading.active_count() <= before + 1
        metrics.publish(health(fps=30.0))
        assert scrape(metrics)[("kiosk_fps", ())] == 30.0
        assert threading.active_count() <= before + 1
    finally:
        for sock in idle:
            sock.close()


def test_half_open_and_slow_loris_connections_are_closed(metrics: KioskMetrics) -> None:
    partials = [b"", b"GET /metrics HT", b"GET /metrics HTTP/1.1\r\nHost:"]
    socks = [connect(metrics) for _ in partials]
    try:
        for sock, partial in zip(socks, partials, strict=True):
            sock.sendall(partial)
        for sock in socks:
            try:
                reply = sock.recv(1024)  # the server's close, long before the 30 s timeout
            except ConnectionResetError:
                reply = b""
            assert reply == b""
    finally:
        for sock in socks:
            sock.close()
    assert ("kiosk_fps", ()) in scrape(metrics)


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (b"\x00\xff\xfe\x16\x03\x01 garbage\r\n\r\n", b"400"),
        (b"GET\r\n\r\n", b"400"),
        (b"GET /metrics\r\n\r\n", b"400"),  # HTTP/0.9
        (b"GET /metrics SPDY/3\r\n\r\n", b"400"),
        (b"POST /metrics HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc", b"405"),
        (b"GET /admin HTTP/1.1\r\n\r\n", b"404"),
    ],
)
def test_a_bad_request_gets_an_error_status(
    metrics: KioskMetrics, request_bytes: bytes, status: bytes
) -> None:
    reply = exchange(metrics, request_bytes)
    assert reply.startswith(b"HTTP/1.1 " + status + b" ")
    assert ("kiosk_fps", ()) in scrape(metrics)


def test_an_endless_request_head_gets_an_error_or_a_close(metrics: KioskMetrics) -> None:
    reply = exchange(metrics, b"GET /metrics HTTP/1.1\r\nX-Pad: " + b"a" * 20_000)
    assert reply == b"" or reply.startswith(b"HTTP/1.1 431 ")
    assert ("kiosk_fps", ()) in scrape(metrics)


def test_head_and_a_query_string_are_served(metrics: KioskMetrics) -> None:
    head = exchange(metrics, b"HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 ") and head.endswith(b"\r\n\r\n")
    got = exchange(metrics, b"GET /metrics?name[]=kiosk_fps HTTP/1.0\n\n")
    assert got.startswith(b"HTTP/1.1 200 ") and b"\nkiosk_fps " in got


def test_a_scrape_right_after_an_update_sees_it(metrics: KioskMetrics) -> None:
    metrics.publish(health(fps=10.0))
    assert scrape(metrics)[("kiosk_fps", ())] == 10.0
    metrics.publish(health(fps=20.0))
    assert scrape(metrics)[("kiosk_fps", ())] == 20.0


def test_scrapes_between_updates_reuse_the_text() -> None:
    m = KioskMetrics(port=0)  # a flood of scrapes must not regenerate it each time
    assert m.exposition() is m.exposition()


def test_close_joins_the_thread_and_frees_the_port() -> None:
    before = threading.active_count()
    m = KioskMetrics(port=0)
    assert m.start()
    port = m.port
    scrape(m)  # a served connection (TIME_WAIT) and an idle one, open while closing
    idle = connect(m)
    m.close()
    assert threading.active_count() == before
    assert closed_by_peer(idle)
    idle.close()
    again = KioskMetrics(port=port)
    try:
        assert again.start()
    finally:
        again.close()
