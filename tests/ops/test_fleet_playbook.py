"""The fleet playbook (deploy/fleet): syntax check, ansible-lint, and a real run against this
machine into a temporary prefix (connection local).

The real run installs into tmp_path: the kiosk's venv is this test's own (linked in as
PREFIX/.venv, so the role's pip step finds the package installed and needs no network), the
units are written to a folder in tmp_path, no account or apt package is touched, and the
steps that need systemd as PID 1 (enable and start the units) are skipped, as the play says.
The content comes from a local git repository, synced and checked for real; where
systemd-analyze exists, systemd checks the three units written.
"""

from __future__ import annotations

import getpass
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kiosk.config import load_config
from tests.system.test_content_sync import commit_exhibit, git

REPO = Path(__file__).resolve().parents[2]
FLEET = REPO / "deploy" / "fleet"
BIN = Path(sys.executable).parent
PLAYBOOK = BIN / "ansible-playbook"
LINT = BIN / "ansible-lint"

needs_ansible = pytest.mark.skipif(
    not PLAYBOOK.exists(), reason="ansible-core is not installed (pip install -e '.[test]')"
)


def ansible_env(tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "ANSIBLE_CONFIG": str(FLEET / "ansible.cfg"),
        "ANSIBLE_HOME": str(tmp_path / "ansible-home"),
        "ANSIBLE_LOCAL_TEMP": str(tmp_path / "ansible-tmp"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_FORCE_COLOR": "0",
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "SDL_VIDEODRIVER": "dummy",
        "SDL_AUDIODRIVER": "dummy",
    }


def run(command: list, tmp_path: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([str(c) for c in command], cwd=FLEET, env=ansible_env(tmp_path),
                          capture_output=True, text=True, timeout=timeout, check=False)  # fmt: skip


@needs_ansible
@pytest.mark.parametrize("playbook", ["site.yml", "monitoring.yml"])
def test_the_playbooks_pass_the_syntax_check(tmp_path: Path, playbook: str) -> None:
    done = run([PLAYBOOK, "-i", "inventory.example.yml", "--syntax-check", playbook], tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.skipif(not LINT.exists(), reason="ansible-lint is not installed (pip install -e "
                    "'.[test]')")  # fmt: skip
def test_the_playbook_passes_ansible_lint(tmp_path: Path) -> None:
    done = run([LINT, "--offline", "site.yml", "monitoring.yml"], tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


@needs_ansible
@pytest.mark.skipif(shutil.which("git") is None, reason="needs git (the content repository)")
def test_the_playbook_sets_up_a_kiosk_for_real_into_a_prefix(tmp_path: Path) -> None:
    museum = tmp_path / "museum"
    museum.mkdir()
    git(museum, "init", "-q", "-b", "main")
    revision = commit_exhibit(museum, "hopper", "grace_hopper.jpg")
    prefix, units = tmp_path / "opt" / "portrait-kiosk", tmp_path / "systemd"
    prefix.mkdir(parents=True)
    units.mkdir()
    (prefix / ".venv").symlink_to(sys.prefix)  # the installed kiosk; see the module docstring
    host = {
        "ansible_connection": "local", "ansible_python_interpreter": sys.executable,
        "kiosk_prefix": str(prefix), "kiosk_systemd_dir": str(units), "kiosk_systemd": False,
        "kiosk_become": False, "kiosk_manage_user": False, "kiosk_manage_packages": False,
        "kiosk_user": getpass.getuser(), "kiosk_package": "portrait-kiosk",
        "kiosk_content_repository": str(museum),
        "kiosk_screen_size": [1080, 1920], "kiosk_screen_rotation": 90,
        "kiosk_camera_device": 2, "kiosk_metrics_address": "127.0.0.2",
        "kiosk_metrics_allow": ["127.0.0.3"],
        "kiosk_opening_hours": {d: "10:00-18:00" for d in
                                ("mon", "tue", "wed", "thu", "fri", "sat", "sun")},
        # French has no voice here (kiosk check would refuse it): speech off, languages kept.
        "kiosk_languages": ["fr", "en"],
        "kiosk_config_extra": {"display": {"fps": 50}, "speech": {"enabled": False}},
    }  # fmt: skip
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(yaml.safe_dump({"all": {"children": {"kiosks": {
        "hosts": {"localhost": host}}}}}))  # fmt: skip

    done = run([PLAYBOOK, "-i", inventory, "site.yml"], tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "they need systemd as PID 1" in done.stdout  # the skipped steps say why

    config = load_config(prefix / "config.yaml")
    assert config.display.size == (1080, 1920) and config.display.rotation == 90
    assert config.display.fps == 50  # kiosk_config_extra
    assert config.camera.device == 2
    assert config.speech.languages == ("fr", "en") and config.speech.default == "fr"
    assert config.speech.enabled is False  # kiosk_config_extra merged into a section
    assert config.opening_hours.days["thu"] == "10:00-18:00"
    assert (config.ops.metrics_address, config.ops.metrics_allow) == ("127.0.0.2", ("127.0.0.3",))
    assert config.content_sync.repository == str(museum)
    assert config.paths.exhibits == prefix / "var" / "content-sync" / "current" / "exhibits"
    # The content was synced and checked: the kiosk would start on it.
    current = prefix / "var" / "content-sync" / "current"
    assert os.readlink(current) == f"revisions/{revision}"
    assert (config.paths.exhibits / "hopper.yaml").is_file()

    unit = (units / "portrait-kiosk.service").read_text()
    assert f"ExecStart={prefix}/.venv/bin/kiosk --config {prefix}/config.yaml run" in unit
    assert "@" not in re.sub(r"^#.*$", "", unit, flags=re.M)  # every placeholder filled in
    sync_unit = (units / "portrait-kiosk-content.service").read_text()
    assert f"ExecStart={prefix}/.venv/bin/kiosk --config {prefix}/config.yaml content sync" \
        in sync_unit  # fmt: skip
    assert "OnUnitInactiveSec=5min" in (units / "portrait-kiosk-content.timer").read_text()
    if shutil.which("systemd-analyze"):  # systemd's own check of the units, where it exists
        names = ["portrait-kiosk.service", "portrait-kiosk-content.service",
                 "portrait-kiosk-content.timer"]  # fmt: skip
        verify = subprocess.run(
            ["systemd-analyze", "verify", "--man=no", *names], cwd=units, capture_output=True,
            text=True, timeout=120, check=False,
        )  # fmt: skip
        assert verify.returncode == 0, verify.stderr

    # Run again: nothing changes.
    again = run([PLAYBOOK, "-i", inventory, "site.yml"], tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
    assert re.search(r"localhost\s*: ok=\d+\s+changed=0\s", again.stdout), again.stdout



@needs_ansible
def test_the_monitoring_playbook_lists_the_inventorys_kiosks_for_prometheus(
    tmp_path: Path,
) -> None:
    monitoring = tmp_path / "monitoring.yml"
    local = {"ansible_connection": "local", "ansible_python_interpreter": sys.executable}
    monitoring.write_text(yaml.safe_dump({"monitoring": {"hosts": {"localhost": local}}}))
    targets = tmp_path / "prometheus" / "targets" / "kiosks.yml"
    done = run([PLAYBOOK, "-i", "inventory.example.yml", "-i", monitoring, "monitoring.yml",
                "--limit", "localhost", "-e", f"monitoring_targets_file={targets}",
                "-e", "monitoring_become=false"], tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    written = yaml.safe_load(targets.read_text())
    assert written == [
        {"targets": ["10.20.0.11:9108"], "labels": {"kiosk": "gallery-1"}},
        {"targets": ["10.20.0.12:9108"], "labels": {"kiosk": "gallery-2"}},
        {"targets": ["10.20.0.13:9108"], "labels": {"kiosk": "touring-1"}},
    ]
    # The example list beside prometheus.yml is what the example inventory gives.
    example = FLEET / "monitoring" / "targets" / "kiosks.yml"
    assert yaml.safe_load(example.read_text()) == written
