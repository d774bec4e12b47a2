"""Fleet metrics: the scraper allowlist (per connection), visitors engaged per exhibit, the
dwell-time histogram, the content sync's state, and the config rules for a LAN address."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from kiosk.config import ConfigError, load_config
from kiosk.ops.content_state import SyncState, write_state
from kiosk.ops.metrics import KioskMetrics, MetricsError


def scrape_from(source: str, port: int, target: str = "127.0.0.1") -> tuple[int, str]:
    """(HTTP status, body) of one GET /metrics sent from the local address `source`."""
    with socket.create_connection((target, port), timeout=10, source_address=(source, 0)) as s:
        s.sendall(b"GET /metrics HTTP/1.1\r\nHost: kiosk\r\n\r\n")
        reply = b""
        while chunk := s.recv(65536):
            reply += chunk
    head, _, body = reply.partition(b"\r\n\r\n")
    return int(head.split()[1]), body.decode()


def samples(text: str) -> dict[tuple[str, tuple], float]:
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


@pytest.fixture
def allowlisted() -> Iterator[KioskMetrics]:
    m = KioskMetrics(port=0, allow=("127.0.0.2",))
    assert m.start()
    yield m
    m.close()


def test_an_allowed_scraper_is_answered(allowlisted: KioskMetrics) -> None:
    status, body = scrape_from("127.0.0.2", allowlisted.port)
    assert status == 200
    assert "kiosk_fps" in body


def test_a_scraper_not_on_the_allowlist_is_refused(allowlisted: KioskMetrics) -> None:
    status, body = scrape_from("127.0.0.3", allowlisted.port)
    assert status == 403
    assert "kiosk_" not in body
    # ...per connection: the allowed one is still answered afterwards
    assert scrape_from("127.0.0.2", allowlisted.port)[0] == 200


def test_a_network_on_the_allowlist_admits_its_addresses() -> None:
    with KioskMetrics(port=0, allow=("127.0.0.0/30",)) as m:
        assert m.start()
        assert scrape_from("127.0.0.2", m.port)[0] == 200
        assert scrape_from("127.0.0.5", m.port)[0] == 403


def test_without_an_allowlist_any_local_scraper_is_answered() -> None:
    with KioskMetrics(port=0) as m:
        assert m.start()
        assert scrape_from("127.0.0.3", m.port)[0] == 200


def test_the_endpoint_listens_only_on_the_configured_address() -> None:
    with KioskMetrics(port=0, address="127.0.0.2", allow=("127.0.0.3",)) as m:
        assert m.start()
        assert listening_sockets(m.port) == {("127.0.0.2", m.port)}
        with pytest.raises(OSError):  # nothing on 127.0.0.1 at that port
            socket.create_connection(("127.0.0.1", m.port), timeout=5).close()
        assert scrape_from("127.0.0.3", m.port, target="127.0.0.2")[0] == 200


def listening_sockets(port: int) -> set[tuple[str, int]]:
    """(address, port) of every TCP listener on `port` on this machine (/proc/net/tcp)."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        hex_ip, hex_port = local.split(":")
        if state == "0A" and int(hex_port, 16) == port:  # 0A = LISTEN
            found.add((socket.inet_ntoa(bytes.fromhex(hex_ip)[::-1]), port))
    return found


@pytest.mark.parametrize(
    ("address", "allow", "words"),
    [
        ("10.20.0.11", (), "not a loopback address"),
        ("0.0.0.0", ("10.20.0.5",), "every interface"),
        ("kiosk.local", ("10.20.0.5",), "not an IP address"),
        ("10.20.0.11", ("printer",), "not an IP address or network"),
    ],
)
def test_a_lan_address_needs_an_allowlist_and_a_named_address(
    address: str, allow: tuple[str, ...], words: str
) -> None:
    with pytest.raises(MetricsError, match=words):
        KioskMetrics(port=0, address=address, allow=allow)


def test_config_names_the_key_when_a_lan_address_has_no_allowlist(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("ops: {metrics_address: 10.20.0.11}\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.key == "ops.metrics_address"
    assert "metrics_allow" in str(info.value)
    path.write_text("ops: {metrics_address: 10.20.0.11, metrics_allow: [10.20.0.5]}\n")
    assert load_config(path).ops.metrics_allow == ("10.20.0.5",)


def test_engaged_visitors_are_counted_per_exhibit_with_their_dwell_time() -> None:
    m = KioskMetrics(port=0)
    visits = [("mona", 0.0, 4.0), ("mona", 10.0, 45.0), ("pearl", 50.0, 51.0)]
    for exhibit, came, went in visits:
        m.set_mode("noticed", exhibit, now=came - 0.5)  # passers-by are not engaged
        m.set_mode("greeting", exhibit, now=came)  # engaged from here...
        m.set_mode("live", exhibit, now=came + 0.1)
        m.set_mode("live", exhibit, now=came + 0.2)  # every tick; counted once
        m.set_mode("farewell", exhibit, now=went)  # ... to here
        m.set_mode("attract", exhibit, now=went + 2.0)
    got = samples(m.exposition().decode())
    assert got[("kiosk_visitors_engaged_total", (("exhibit", "mona"),))] == 2
    assert got[("kiosk_visitors_engaged_total", (("exhibit", "pearl"),))] == 1
    assert got[("kiosk_visitor_dwell_seconds_count", ())] == 3
    assert got[("kiosk_visitor_dwell_seconds_sum", ())] == pytest.approx(4 + 35 + 1)
    assert got[("kiosk_visitor_dwell_seconds_bucket", (("le", "2.0"),))] == 1
    assert got[("kiosk_visitor_dwell_seconds_bucket", (("le", "5.0"),))] == 2
    assert got[("kiosk_visitor_dwell_seconds_bucket", (("le", "30.0"),))] == 2
    assert got[("kiosk_visitor_dwell_seconds_bucket", (("le", "60.0"),))] == 3
    assert got[("kiosk_visitor_sessions_total", ())] == 3  # entries into live mode, as before


def test_content_sync_state_is_reported_once_the_file_exists(tmp_path: Path) -> None:
    state_file = tmp_path / "state.json"
    m = KioskMetrics(port=0, content_state=state_file)
    assert not any(k[0].startswith("kiosk_content_check") for k in samples(
        m.exposition().decode()))  # fmt: skip
    state = SyncState(current="a" * 40, current_since=time.time())
    state.record_check("b" * 40, ["exhibits/x.yaml: image: no such file"])
    write_state(state_file, state)
    got = samples(m.exposition().decode())
    assert got[("kiosk_content_revision_info", (("revision", "a" * 40),))] == 1
    assert got[("kiosk_content_check_ok", ())] == 0
    assert got[("kiosk_content_check_timestamp_seconds", ())] == pytest.approx(time.time(), abs=60)


def test_refused_peers_holding_connections_do_not_push_the_allowed_scraper_out(
    allowlisted: KioskMetrics,
) -> None:
    def connect(source: str) -> socket.socket:
        return socket.create_connection(("127.0.0.1", allowlisted.port), timeout=10,
                                        source_address=(source, 0))  # fmt: skip

    allowed = connect("127.0.0.2")
    idle = [connect("127.0.0.3") for _ in range(4)]  # refused peers that never send
    try:
        # A full scrape after them: the server has accepted every earlier connection by then
        # (one accept per wake-up, in order), so the limit has been reached twice over.
        assert scrape_from("127.0.0.2", allowlisted.port)[0] == 200
        allowed.sendall(b"GET /metrics HTTP/1.1\r\n\r\n")
        assert allowed.recv(64).startswith(b"HTTP/1.1 200")
    finally:
        for sock in [allowed, *idle]:
            sock.close()
