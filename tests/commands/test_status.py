"""`kiosk status [--json]`: the local kiosk's health from its status file (and content sync)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from kiosk.cli import main
from kiosk.ops import Health
from kiosk.ops.status import StatusWriter


def write_config(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "config.yaml"
    path.write_text("ops: {status_file: var/status.json, status_interval_s: 1.0}\n" + extra)
    return path


def status(config: Path, capsys, *args: str) -> tuple[int, str]:
    code = main(["--config", str(config), "status", *args])
    return code, capsys.readouterr().out


def test_a_kiosk_that_is_not_running_needs_a_look(tmp_path: Path, capsys) -> None:
    code, out = status(write_config(tmp_path), capsys)
    assert code == 1
    assert "NEEDS A LOOK" in out and "not running" in out


def test_a_running_kiosk_with_fresh_status_is_healthy(tmp_path: Path, capsys) -> None:
    config = write_config(tmp_path)
    StatusWriter(tmp_path / "var" / "status.json").write(Health(
        mode="attract", fps=59.8, camera_state="running", exhibit_ids=("mona",),
        current_exhibit="mona"))  # fmt: skip
    # (this test process stands in for the running kiosk: the file names its pid)
    code, out = status(config, capsys, "--json")
    report = json.loads(out)
    assert code == 0 and report["healthy"] is True and report["issues"] == []
    assert report["kiosk"]["running"] is True and report["kiosk"]["pid"] == os.getpid()
    assert report["metrics"]["url"] == "http://127.0.0.1:9108/metrics"
    code, out = status(config, capsys)
    assert "HEALTHY" in out and "59.8 fps" in out and "exhibits (1): mona" in out


def test_problems_a_lost_camera_and_unsynced_content_are_listed(tmp_path: Path, capsys) -> None:
    config = write_config(tmp_path, "content_sync: {repository: /srv/museum.git}\n")
    StatusWriter(tmp_path / "var" / "status.json").write(Health(
        mode="attract", fps=60.0, camera_state="failed", problems=2))  # fmt: skip
    code, out = status(config, capsys, "--json")
    issues = json.loads(out)["issues"]
    assert code == 1
    assert any("2 content problems" in i for i in issues)
    assert any("camera is failed" in i for i in issues)
    assert any("content sync has not run yet" in i for i in issues)


def test_a_broken_config_is_reported_not_raised(tmp_path: Path, capsys) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("display: {rotation: 45}\n")
    code, out = status(config, capsys, "--json")
    report = json.loads(out)
    assert code == 1 and "display.rotation" in report["config"]["problem"]
