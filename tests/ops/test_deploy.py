"""The systemd unit, the install script (dry run only) and `kiosk service`."""

from __future__ import annotations

import configparser
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.ops import Health
from kiosk.ops.status import StatusWriter

REPO = Path(__file__).resolve().parents[2]
UNIT = REPO / "deploy" / "portrait-kiosk.service"
SCRIPT = REPO / "deploy" / "install-service.sh"


def unit_entries(text: str) -> dict[str, dict[str, list[str]]]:
    """section -> key -> values (systemd allows a key several times, e.g. Environment=)."""
    parser = configparser.ConfigParser(strict=False, interpolation=None, delimiters=("=",))
    parser.optionxform = str  # type: ignore[assignment, method-assign]  # keys are case-sensitive
    parser.read_string(text)  # raises on anything that is not an INI-style file
    out: dict[str, dict[str, list[str]]] = {}
    section = ""
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        out.setdefault(section, {}).setdefault(key, []).append(value)
    return out


def dry_run(*args: str) -> str:
    result = subprocess.run(
        ["bash", str(SCRIPT), "--dry-run", *args], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def rendered_unit(output: str) -> str:
    block = output.split("would write /etc/systemd/system/portrait-kiosk.service:\n", 1)[1]
    body = []
    for line in block.splitlines():
        if line.startswith("+ "):
            break
        body.append(line.removeprefix("    "))
    return "\n".join(body) + "\n"


def test_unit_template_has_the_required_settings() -> None:
    unit = unit_entries(UNIT.read_text())
    service = {k: v[-1] for k, v in unit["Service"].items()}
    assert service["Type"] == "notify"
    assert service["NotifyAccess"] == "main"
    assert service["Restart"] == "always"
    assert service["RestartSec"] == "2"
    assert service["WatchdogSec"] == "10"
    assert service["KillSignal"] == "SIGTERM"
    assert service["TimeoutStopSec"] == "10"
    assert service["User"] == "@USER@"
    assert service["ExecStart"] == "@REPO@/.venv/bin/kiosk --config @CONFIG@ run"
    assert "RestartPreventExitStatus" not in service  # exit 1 is retried slowly, see kiosk.ops
    assert "SDL_VIDEODRIVER=kmsdrm" in unit["Service"]["Environment"]
    assert {"StartLimitIntervalSec", "StartLimitBurst"} <= set(unit["Unit"])
    assert unit["Install"]["WantedBy"] == ["multi-user.target"]


def test_dry_run_fills_in_this_checkout_and_changes_nothing() -> None:
    out = dry_run("--user", "museum")
    assert out.startswith("dry run: nothing is changed\n")
    unit = unit_entries(rendered_unit(out))
    service = {k: v[-1] for k, v in unit["Service"].items()}
    assert "@" not in rendered_unit(out).replace("@...@", "")
    assert service["ExecStart"] == f"{REPO}/.venv/bin/kiosk --config {REPO}/config.yaml run"
    assert service["WorkingDirectory"] == str(REPO)
    assert service["User"] == "museum"
    assert "+ systemctl daemon-reload" in out
    assert "+ systemctl enable --now portrait-kiosk.service" in out
    assert f"+ chown -R museum: {REPO}/var/log" in out


def test_dry_run_with_another_config(tmp_path: Path) -> None:
    config = tmp_path / "museum.yaml"
    config.write_text("schema_version: 1\n")
    out = dry_run("--config", str(config))
    assert f"--config {config} run" in rendered_unit(out)


def test_dry_run_uninstall() -> None:
    out = dry_run("--uninstall")
    assert "+ systemctl disable --now portrait-kiosk.service" in out
    assert "+ rm -f /etc/systemd/system/portrait-kiosk.service" in out


def test_unknown_option_is_an_error() -> None:
    result = subprocess.run(["bash", str(SCRIPT), "--frobnicate"], capture_output=True, text=True)
    assert result.returncode == 1 and "unknown option '--frobnicate'" in result.stderr


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="needs systemd-analyze")
def test_rendered_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    if not (REPO / ".venv" / "bin" / "kiosk").exists():
        pytest.skip("needs the venv's kiosk binary (README command 1)")
    path = tmp_path / "portrait-kiosk.service"
    path.write_text(rendered_unit(dry_run("--user", "root")))
    result = subprocess.run(
        ["systemd-analyze", "verify", str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_kiosk_service_install_dry_run(capfd: pytest.CaptureFixture) -> None:
    assert main(["--config", str(REPO / "config.yaml"), "service", "install", "--dry-run"]) == 0
    out = capfd.readouterr().out
    assert "dry run: nothing is changed" in out
    assert f"ExecStart={REPO}/.venv/bin/kiosk --config {REPO}/config.yaml run" in out


def test_kiosk_service_status_shows_the_status_file(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    config = tmp_path / "config.yaml"
    config.write_text("schema_version: 1\n")
    StatusWriter(tmp_path / "var" / "status.json").write(
        Health(mode="live", fps=60.0, camera_state="running", exhibit_ids=("mona",))
    )
    assert main(["--config", str(config), "service", "status", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "+ systemctl status portrait-kiosk.service" in out
    data = json.loads(out.split("status.json:\n", 1)[1])
    assert data["mode"] == "live" and data["exhibits"] == ["mona"]


def test_kiosk_service_status_without_a_status_file(
    tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    assert main(["--config", str(tmp_path / "config.yaml"), "service", "status", "--dry-run"]) == 0
    assert "no status file at" in capsys.readouterr().out
