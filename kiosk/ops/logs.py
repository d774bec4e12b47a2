"""Logging for a kiosk that runs for weeks: size-bounded JSON-lines files plus the console.

The file is one JSON object per line (time, level, logger, message, extra fields, exception),
rotated at `max_bytes` with `backups` old files kept, so disk use is bounded. The console
handler writes plain text (under systemd it goes to the journal).

Defence in depth for privacy: both handlers drop any record whose arguments carry a numpy
array or raw bytes, so a camera frame can never end up in a log, even by mistake.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from kiosk.config import OpsConfig

LOG_FILE_NAME = "kiosk.log"
DEFAULT_MAX_BYTES = OpsConfig().log_max_bytes  # config.yaml's defaults
DEFAULT_BACKUPS = OpsConfig().log_backups
CONSOLE_FORMAT = "%(levelname)s %(name)s: %(message)s"

_BINARY = (np.ndarray, bytes, bytearray, memoryview)
# Attributes every LogRecord has; anything else on a record came from `extra=`.
_STANDARD_ATTRS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "taskName",
}  # fmt: skip


class NoBinaryFilter(logging.Filter):
    """Drops records carrying numpy arrays or bytes (in args, msg or extra fields)."""

    def __init__(self) -> None:
        super().__init__()
        self.dropped = 0

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        values: list[Any] = [record.msg]
        if isinstance(args, dict):
            values += list(args.values())
        elif isinstance(args, tuple):
            values += list(args)
        values += [v for k, v in vars(record).items() if k not in _STANDARD_ATTRS]
        if any(_is_binary(v) for v in values):
            self.dropped += 1
            return False
        return True


def _is_binary(value: Any) -> bool:
    if isinstance(value, _BINARY):
        return True
    if isinstance(value, (list, tuple)):  # one level deep: e.g. a list of frames
        return any(isinstance(v, _BINARY) for v in value)
    return False


class JsonLineFormatter(logging.Formatter):
    """One JSON object per record; extra fields are included (as text if not JSON-able)."""

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created).astimezone()
        entry: dict[str, Any] = {
            "time": when.isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRS and key not in entry:
                entry[key] = value
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


def setup_logging(
    log_dir: Path | None,
    level: int | str = logging.INFO,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    backups: int = DEFAULT_BACKUPS,
    console: bool = True,
) -> Path | None:
    """Configure the root logger (replacing its handlers); returns the log file's path.

    `log_dir=None` logs to the console only. Safe to call again (e.g. in tests): the handlers
    of the previous call are closed and replaced.
    """
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    no_binary = NoBinaryFilter()
    path = None
    if log_dir is not None:
        log_dir = Path(log_dir)
        log_dir.mkdir(parents=True, exist_ok=True)
        path = log_dir / LOG_FILE_NAME
        file_handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=max_bytes, backupCount=backups, encoding="utf-8"
        )
        file_handler.setFormatter(JsonLineFormatter())
        file_handler.addFilter(no_binary)
        root.addHandler(file_handler)
    if console:
        stream = logging.StreamHandler(sys.stderr)
        stream.setFormatter(logging.Formatter(CONSOLE_FORMAT))
        stream.addFilter(no_binary)
        root.addHandler(stream)
    root.setLevel(level.upper() if isinstance(level, str) else level)
    return path
