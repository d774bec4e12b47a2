"""deploy/fleet/monitoring: the Prometheus config and alert rules pass promtool (with a unit
test that shows each alert firing), and the Grafana dashboard and the rules ask only for
metrics a kiosk serves."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import yaml

from kiosk.ops import Health
from kiosk.ops.content_state import SyncState, write_state
from kiosk.ops.metrics import KioskMetrics

MONITORING = Path(__file__).resolve().parents[2] / "deploy" / "fleet" / "monitoring"
RULES = MONITORING / "rules" / "kiosk-alerts.yml"
RULE_TESTS = MONITORING / "rules" / "kiosk-alerts.test.yml"
DASHBOARD = MONITORING / "grafana" / "kiosk-fleet.json"
PROMTOOL = shutil.which("promtool")
needs_promtool = pytest.mark.skipif(
    PROMTOOL is None, reason="promtool is not installed (Debian: apt-get install prometheus; "
    ".ci/run installs it)",
)  # fmt: skip
# Series Prometheus itself makes, not the kiosk.
PROMETHEUS_SERIES = {"up", "ALERTS", "museum:open"}


def promtool(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([PROMTOOL, *args], cwd=MONITORING, capture_output=True, text=True,
                          timeout=120, check=False)  # fmt: skip


@needs_promtool
def test_the_scrape_config_passes_promtool() -> None:
    done = promtool("check", "config", "prometheus.yml")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 rule files found" in done.stdout


@needs_promtool
def test_the_alert_rules_pass_promtool() -> None:
    done = promtool("check", "rules", str(RULES.relative_to(MONITORING)))
    assert done.returncode == 0, done.stdout + done.stderr


@needs_promtool
def test_the_rule_unit_tests_pass() -> None:
    done = promtool("test", "rules", str(RULE_TESTS.relative_to(MONITORING)))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout


def test_every_alert_is_shown_firing_and_not_firing_by_the_unit_tests() -> None:
    alerts = {r["alert"] for g in yaml.safe_load(RULES.read_text())["groups"]
              for r in g["rules"] if "alert" in r}  # fmt: skip
    assert alerts == {"KioskDown", "KioskSlow", "KioskCameraLost", "KioskContentRefused",
                      "KioskContentFetchFailing", "KioskAsleepDuringOpeningHours"}  # fmt: skip
    cases = [c for t in yaml.safe_load(RULE_TESTS.read_text())["tests"]
             for c in t.get("alert_rule_test", [])]  # fmt: skip
    assert {c["alertname"] for c in cases if c["exp_alerts"]} == alerts
    assert {c["alertname"] for c in cases if not c["exp_alerts"]} == alerts


def served_metric_names() -> set[str]:
    """Every series name a kiosk with content sync serves once it has run a while."""
    with_state = Path(tempfile.mkdtemp()) / "state.json"
    state = SyncState(current="a" * 40, current_since=time.time(), last_fetch_ok=True)
    state.record_check("a" * 40, [])
    write_state(with_state, state)
    m = KioskMetrics(port=0, content_state=with_state)
    m.set_mode("live", "mona", now=0.0)
    m.set_mode("attract", "mona", now=5.0)
    m.publish(Health(mode="attract", fps=60.0, camera_state="running",
                     stages={"frame": {"median_ms": 10.0, "p95_ms": 12.0},
                             "end_to_end": {"median_ms": 30.0, "p95_ms": 40.0}}))  # fmt: skip
    text = m.exposition().decode()
    shutil.rmtree(with_state.parent)
    return {line.split("{")[0].split(" ")[0] for line in text.splitlines()
            if line and not line.startswith("#")}  # fmt: skip


def asked_for(expr: str) -> set[str]:
    """Series names in a PromQL expression (good enough for ours: no functions are named
    kiosk_* or process_*)."""
    return set(re.findall(r"\b((?:kiosk|process)_[a-z_]+|up|ALERTS|museum:open)\b", expr))


def test_the_rules_and_dashboard_use_only_metrics_a_kiosk_serves() -> None:
    served = served_metric_names() | PROMETHEUS_SERIES
    exprs = [r["expr"] for g in yaml.safe_load(RULES.read_text())["groups"] for r in g["rules"]]
    dashboard = json.loads(DASHBOARD.read_text())
    exprs += [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]
    asked = set().union(*(asked_for(e) for e in exprs))
    assert asked - served == set()
    assert {"kiosk_visitors_engaged_total", "kiosk_visitor_dwell_seconds_bucket",
            "kiosk_content_revision_info", "kiosk_content_check_ok"} <= asked  # fmt: skip


def test_the_dashboard_is_a_grafana_dashboard_without_overlapping_panels() -> None:
    dashboard = json.loads(DASHBOARD.read_text())
    assert dashboard["uid"] and dashboard["title"]
    panels = dashboard["panels"]
    assert len({p["id"] for p in panels}) == len(panels)
    cells: set[tuple[int, int]] = set()
    for p in panels:
        g = p["gridPos"]
        assert g["x"] + g["w"] <= 24, p["title"]
        xs, ys = range(g["x"], g["x"] + g["w"]), range(g["y"], g["y"] + g["h"])
        mine = {(x, y) for x in xs for y in ys}
        assert not mine & cells, f"{p['title']} overlaps another panel"
        cells |= mine
