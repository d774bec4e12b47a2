"""`kiosk service install|uninstall|status`: the systemd service, for operators.

install/uninstall run deploy/install-service.sh from this checkout (so there is one
implementation); status shows systemd's view and the kiosk's own status file.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path

from kiosk.commands import EXIT_OK, EXIT_PROBLEMS, config_path
from kiosk.ops.status import read_status

UNIT = "portrait-kiosk.service"
REPO_ROOT = Path(__file__).resolve().parents[2]
INSTALL_SCRIPT = REPO_ROOT / "deploy" / "install-service.sh"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("service", help="install, remove or inspect the systemd service")
    p.add_argument(
        "action",
        choices=["install", "uninstall", "status"],
        help="install or uninstall the systemd service, or show its status",
    )
    p.add_argument("--dry-run", action="store_true", help="print what would be done")
    p.add_argument("--user", help="account the kiosk runs as (install; default: kiosk)")
    p.set_defaults(func=cmd_service)


def cmd_service(args: argparse.Namespace) -> int:
    if args.action == "status":
        return _status(args)
    if not INSTALL_SCRIPT.is_file():
        print(f"{INSTALL_SCRIPT} not found: run this from a git checkout of the kiosk "
              "(installed with pip install -e .)", file=sys.stderr)  # fmt: skip
        return EXIT_PROBLEMS
    command = ["bash", str(INSTALL_SCRIPT), "--config", str(config_path(args.config).absolute())]
    if args.action == "uninstall":
        command.append("--uninstall")
    if args.dry_run:
        command.append("--dry-run")
    if args.user:
        command += ["--user", args.user]
    return subprocess.run(command, check=False).returncode


def _status(args: argparse.Namespace) -> int:
    systemctl = ["systemctl", "status", UNIT, "--no-pager", "--lines=10"]
    if args.dry_run:
        print("+ " + " ".join(systemctl))
    elif shutil.which("systemctl"):
        subprocess.run(systemctl, check=False)
    else:
        print("systemctl not found: this machine does not run systemd")
    path = status_file(config_path(args.config))
    data = read_status(path)
    if data is None:
        print(f"no status file at {path} (the kiosk writes it while running)")
    else:
        print(f"{path}:")
        print(json.dumps(data, indent=2))
    return EXIT_OK


def status_file(config_file: Path) -> Path:
    """Where the kiosk writes its status file, from the config (or the default location)."""
    from kiosk.config import ConfigError, OpsConfig, load_config

    try:
        return load_config(config_file).ops.status_file  # made absolute by load_config
    except ConfigError:
        return config_file.absolute().parent / OpsConfig().status_file
