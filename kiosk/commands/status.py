"""`kiosk status [--json]`: this kiosk's health for an operator at the console.

Reads what the running kiosk and the content sync write (the status file, the sync's state
file); it never talks to the kiosk, so it works the same when the kiosk is down. Exit code 0
when healthy, 1 when something needs a look (each listed under "needs a look").
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from kiosk.commands import EXIT_OK, EXIT_PROBLEMS, config_path

# The status file is rewritten every ops.status_interval_s; older than this many intervals
# (and at least STALE_MIN_S) and the kiosk is taken for stopped or hung.
STALE_INTERVALS = 3
STALE_MIN_S = 15.0


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("status", help="this kiosk's health: running, fps, camera, content")
    p.add_argument("--json", action="store_true", help="one JSON document (for scripts)")
    p.set_defaults(func=cmd_status)


def cmd_status(args: argparse.Namespace) -> int:
    report = kiosk_health(config_path(args.config))
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        for line in _describe(report):
            print(line)
    return EXIT_OK if report["healthy"] else EXIT_PROBLEMS


def kiosk_health(config_file: Path) -> dict:
    """The health report: {"healthy", "issues", "config", "kiosk", "content", "metrics"}."""
    from kiosk.config import ConfigError, KioskConfig, load_config
    from kiosk.ops.content_state import read_state
    from kiosk.ops.content_sync import SyncLayout
    from kiosk.ops.status import read_status

    issues: list[str] = []
    try:
        config = load_config(config_file)
        config_problem = None
    except ConfigError as exc:
        config = KioskConfig().resolved(config_file.absolute().parent)
        config_problem = str(exc.problems[0])
        issues.append(f"config: {config_problem}")
    kiosk = _kiosk_part(read_status(config.ops.status_file), config, issues)
    content = None
    if config.content_sync.repository is not None:
        state = read_state(SyncLayout(config.content_sync.root).state_file)
        content = state.to_json() if state is not None else None
        _content_issues(state, issues)
    ops = config.ops
    return {
        "healthy": not issues,
        "issues": issues,
        "config": {"file": str(config_file.absolute()), "problem": config_problem},
        "kiosk": kiosk,
        "content": content,
        "metrics": {
            "enabled": ops.metrics_enabled,
            "url": f"http://{ops.metrics_address}:{ops.metrics_port}/metrics",
            "allow": list(ops.metrics_allow),
        },
    }


def _kiosk_part(status: dict | None, config, issues: list[str]) -> dict:
    path = config.ops.status_file
    if status is None:
        issues.append(f"no status file at {path}: the kiosk is not running (or never ran)")
        return {"status_file": str(path), "running": False}
    age = max(0.0, time.time() - path.stat().st_mtime) if path.exists() else None
    limit = max(STALE_INTERVALS * config.ops.status_interval_s, STALE_MIN_S)
    running = _alive(status.get("pid")) and age is not None and age <= limit
    if not running:
        issues.append(f"the kiosk is not running: its status file is {age or 0:.0f} s old")
    elif status.get("problems"):
        issues.append(f"{status['problems']} content problems (curator panel: ctrl+shift+c)")
    if running and status.get("camera_state") not in ("running", "off", None):
        issues.append(f"camera is {status['camera_state']}")
    return {"status_file": str(path), "running": running, "age_s": round(age or 0, 1), **status}


def _content_issues(state, issues: list[str]) -> None:
    if state is None:
        issues.append("content sync has not run yet (kiosk content sync)")
        return
    check = state.last_check
    if check is not None and not check.ok:
        issues.append(
            f"content revision {check.revision[:10]} refused by kiosk check "
            f"({check.problem_count} problems); showing {str(state.current)[:10]}"
        )
    if state.last_fetch_ok is False:
        issues.append(f"content fetch failing: {state.last_fetch_error}")


def _alive(pid: object) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's (the kiosk account)
        return True
    return True


def _describe(report: dict) -> list[str]:
    from kiosk.ops.content_state import SyncState

    kiosk = report["kiosk"]
    lines = [f"kiosk: {'HEALTHY' if report['healthy'] else 'NEEDS A LOOK'}"]
    if kiosk.get("running"):
        lines.append(
            f"running (pid {kiosk.get('pid')}, up {kiosk.get('uptime_s', 0):.0f} s): "
            f"{kiosk.get('mode')}, {kiosk.get('fps')} fps, camera {kiosk.get('camera_state')}"
        )
        lines.append(
            f"exhibits ({len(kiosk.get('exhibits', []))}): "
            f"{', '.join(kiosk.get('exhibits', [])) or 'none'}; showing "
            f"{kiosk.get('current_exhibit')}"
        )
    else:
        lines.append("not running")
    if report["content"] is not None:
        lines += SyncState.from_json(report["content"]).describe()
    metrics = report["metrics"]
    if metrics["enabled"]:
        allow = ", ".join(metrics["allow"]) or "anyone on that address"
        lines.append(f"metrics: {metrics['url']} (scrapers: {allow})")
    if report["issues"]:
        lines.append("needs a look:")
        lines += [f"  - {issue}" for issue in report["issues"]]
    return lines
