"""`kiosk` command line. Each subcommand lives in its own module under `kiosk.commands`."""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys

import kiosk.commands


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="kiosk", description="Portrait Kiosk")
    parser.add_argument("--config", help="config file (default: ./config.yaml)")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log at debug level (more detail)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for info in sorted(pkgutil.iter_modules(kiosk.commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"kiosk.commands.{info.name}")
        if hasattr(module, "add_parser"):
            module.add_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
