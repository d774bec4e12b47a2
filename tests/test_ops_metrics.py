"""Prometheus endpoint: loopback only, scraped over real HTTP on an ephemeral port."""

from __future__ import annotations

import sys
import urllib.request
from collections.abc import Iterator

import pytest
from prometheus_client.parser import text_string_to_metric_families

from kiosk.ops import Health
from kiosk.ops.metrics import KioskMetrics, MetricsError, check_loopback
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
