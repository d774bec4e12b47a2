"""`kiosk content sync|rollback|status`: follow the museum's content repository (fleet).

`sync` is what the systemd timer runs (deploy/fleet); an operator runs `rollback` to show the
previous good revision again, and `status` to see what is live and how the last check went.
"""

from __future__ import annotations

import argparse
import json
import sys

from kiosk.commands import EXIT_OK, EXIT_PROBLEMS, config_path


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("content", help="sync exhibits from the museum's content repository")
    actions = p.add_subparsers(dest="action", required=True)
    actions.add_parser("sync", help="fetch, check, and switch to the new revision if it passes")
    rollback = actions.add_parser("rollback", help="show the previous good revision again")
    rollback.add_argument("revision", nargs="?", help="a kept revision (default: the previous)")
    status = actions.add_parser("status", help="what is live, what was refused, what is kept")
    status.add_argument("--json", action="store_true", help="the state file as JSON")
    p.set_defaults(func=cmd_content)


def cmd_content(args: argparse.Namespace) -> int:
    from kiosk.config import ConfigError, load_config
    from kiosk.ops.content_sync import ContentSync, SyncError

    try:
        sync = ContentSync(load_config(config_path(args.config)))
    except ConfigError as exc:
        for problem in exc.problems:
            print(f"PROBLEM {problem}", file=sys.stderr)
        return EXIT_PROBLEMS
    if args.action == "status":
        return _status(sync, args.json)
    try:
        result = sync.sync() if args.action == "sync" else sync.rollback(args.revision)
    except SyncError as exc:
        print(f"content {args.action}: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    print(result.message, file=sys.stdout if result.ok else sys.stderr)
    return EXIT_OK if result.ok else EXIT_PROBLEMS


def _status(sync, as_json: bool) -> int:
    state = sync.status()
    if as_json:
        print(json.dumps(state.to_json(), indent=2))
        return EXIT_OK
    for line in state.describe():
        print(line)
    return EXIT_OK
