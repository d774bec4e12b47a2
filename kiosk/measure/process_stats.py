"""This process's resources, read from /proc/self/status (Linux) in one place."""

from __future__ import annotations

import os
import re
import resource
import sys
import threading
from pathlib import Path
from typing import Any

STATUS = Path("/proc/self/status")


def read_status() -> str:
    """The text of /proc/self/status, or "" where there is none (not Linux)."""
    try:
        return STATUS.read_text()
    except OSError:
        return ""


def parse_status_kib(status: str, field: str) -> int | None:
    """A `VmHWM:   123 kB`-style field of /proc/<pid>/status, in KiB."""
    match = re.search(rf"^{field}:\s+(\d+)\s+kB", status, re.MULTILINE)
    return int(match.group(1)) if match else None


def parse_status_count(status: str, field: str) -> int | None:
    """A `Threads:  9`-style field of /proc/<pid>/status."""
    match = re.search(rf"^{field}:\s+(\d+)\s*$", status, re.MULTILINE)
    return int(match.group(1)) if match else None


def memory_mb() -> dict[str, float | None]:
    """Peak and current resident memory of this process, in MB (1e6 bytes)."""
    status = read_status()
    peak = parse_status_kib(status, "VmHWM")
    current = parse_status_kib(status, "VmRSS")
    if peak is None:  # not Linux: ru_maxrss is KiB on Linux, bytes on macOS
        scale = 1 if sys.platform == "darwin" else 1024
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale // 1024
    return {
        "peak_rss_mb": round(peak * 1024 / 1e6, 1),
        "rss_mb": round(current * 1024 / 1e6, 1) if current is not None else None,
    }


def resource_sample(frame: int, elapsed_s: float) -> dict[str, Any]:
    """RSS (KiB), open fds, and Python and OS thread counts of this process, right now."""
    status = read_status()
    return {
        "frame": frame,
        "t_s": round(elapsed_s, 2),
        "rss_kb": parse_status_kib(status, "VmRSS") or 0,
        "fds": len(os.listdir("/proc/self/fd")),
        "threads": threading.active_count(),
        "os_threads": parse_status_count(status, "Threads") or 0,
    }
