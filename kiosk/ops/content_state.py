"""The content sync's state file, shared by the sync tool (writes) and the kiosk (reads).

`kiosk content sync` (run by a systemd timer) records here which revision of the museum's
content repository is live, the previous good ones (for rollback) and how its last check went;
the kiosk's metrics endpoint and `kiosk status` read it. One small JSON file, rewritten
atomically, so a reader never sees half of it; read with a size bound, since it sits in a
folder an operator may touch.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

from prometheus_client.core import GaugeMetricFamily, InfoMetricFamily
from prometheus_client.registry import Collector

from kiosk.ops.status import write_atomic

STATE_FILE = "state.json"
STATE_SCHEMA_VERSION = 1
_MAX_STATE_BYTES = 256_000  # a few dozen revisions and problem lines; far beyond is not ours
_MAX_PROBLEMS_KEPT = 50  # problem lines kept from a failed check (the rest are counted)


@dataclass
class CheckResult:
    """How `kiosk check` went on one fetched revision."""

    revision: str
    ok: bool
    at: float  # wall-clock time.time()
    problems: list[str] = field(default_factory=list)  # the first _MAX_PROBLEMS_KEPT lines
    problem_count: int = 0


@dataclass
class SyncState:
    """Everything the sync tool remembers between runs."""

    current: str | None = None  # the revision the kiosk shows
    history: list[str] = field(default_factory=list)  # earlier good revisions, newest first
    last_check: CheckResult | None = None
    last_fetch_at: float | None = None  # wall-clock time of the last fetch attempt
    last_fetch_ok: bool | None = None
    last_fetch_error: str | None = None
    current_since: float | None = None  # wall-clock time the current revision went live
    # After a rollback: the revision rolled back from, kept off until the branch moves on.
    held_from: str | None = None

    def record_check(self, revision: str, problems: list[str]) -> CheckResult:
        """Remember a check of `revision` (failed if `problems` is not empty)."""
        self.last_check = CheckResult(
            revision, not problems, time.time(), problems[:_MAX_PROBLEMS_KEPT], len(problems)
        )
        return self.last_check

    def describe(self) -> list[str]:
        """The state in an operator's words (`kiosk content status`, `kiosk status`)."""
        lines = [f"content revision: {self.current or 'none yet (run kiosk content sync)'}"]
        if self.current_since:
            lines.append(f"  live since {_when(self.current_since)}")
        if self.held_from:
            lines.append(f"  rolled back from {self.held_from[:10]}: held until a new commit")
        check = self.last_check
        if check is not None:
            verdict = "passed" if check.ok else f"REFUSED ({check.problem_count} problems)"
            lines.append(f"last check: {check.revision[:10]} {verdict} at {_when(check.at)}")
            lines += [f"  {problem}" for problem in check.problems[:10]]
        if self.last_fetch_ok is False:
            failed_at = _when(self.last_fetch_at)
            lines.append(f"last fetch FAILED at {failed_at}: {self.last_fetch_error}")
        elif self.last_fetch_at:
            lines.append(f"last fetch: {_when(self.last_fetch_at)}")
        if self.history:
            lines.append("kept for rollback: " + ", ".join(r[:10] for r in self.history))
        return lines

    def to_json(self) -> dict:
        return {"schema_version": STATE_SCHEMA_VERSION, **asdict(self)}

    @classmethod
    def from_json(cls, data: dict) -> SyncState:
        check = data.get("last_check")
        return cls(
            current=data.get("current"),
            history=[str(r) for r in data.get("history") or []],
            last_check=CheckResult(**check) if isinstance(check, dict) else None,
            last_fetch_at=data.get("last_fetch_at"),
            last_fetch_ok=data.get("last_fetch_ok"),
            last_fetch_error=data.get("last_fetch_error"),
            current_since=data.get("current_since"),
            held_from=data.get("held_from"),
        )


def read_state(path: Path) -> SyncState | None:
    """The state in `path`, or None when it is missing, too big or not a state file."""
    try:
        with open(path, "rb") as f:
            raw = f.read(_MAX_STATE_BYTES + 1)
        if len(raw) > _MAX_STATE_BYTES:
            return None
        data = json.loads(raw)
        if not isinstance(data, dict) or data.get("schema_version") != STATE_SCHEMA_VERSION:
            return None
        return SyncState.from_json(data)
    except (OSError, ValueError, TypeError):
        return None


def write_state(path: Path, state: SyncState) -> None:
    """Replace the state file atomically (raises OSError: the sync tool reports it)."""
    write_atomic(path, json.dumps(state.to_json(), indent=2) + "\n")


class ContentSyncCollector(Collector):
    """Metrics from the state file, read at scrape time (on the scrape thread, never the loop):

    kiosk_content_revision_info{revision}, kiosk_content_check_ok (1 passed, 0 refused),
    kiosk_content_check_timestamp_seconds, kiosk_content_fetch_ok,
    kiosk_content_revision_timestamp_seconds (when the shown revision went live).
    Nothing is reported before the first sync has written the file.
    """

    def __init__(self, state_path: Path) -> None:
        self.state_path = Path(state_path)

    def collect(self) -> Iterator:
        state = read_state(self.state_path)
        if state is None:
            return
        if state.current is not None:
            info = InfoMetricFamily(
                "kiosk_content_revision", "Content repository revision on screen"
            )
            info.add_metric([], {"revision": state.current[:40]})
            yield info
        if state.current_since is not None:
            yield GaugeMetricFamily(
                "kiosk_content_revision_timestamp_seconds",
                "When the revision on screen went live (Unix time)",
                value=state.current_since,
            )
        if state.last_check is not None:
            yield GaugeMetricFamily(
                "kiosk_content_check_ok",
                "1 if the newest fetched revision passed kiosk check, 0 if it was refused",
                value=1 if state.last_check.ok else 0,
            )
            yield GaugeMetricFamily(
                "kiosk_content_check_timestamp_seconds",
                "When the content was last checked (Unix time)",
                value=state.last_check.at,
            )
        if state.last_fetch_ok is not None:
            yield GaugeMetricFamily(
                "kiosk_content_fetch_ok",
                "1 if the last fetch of the content repository worked",
                value=1 if state.last_fetch_ok else 0,
            )


def _when(wall: float | None) -> str:
    if wall is None:
        return "never"
    return datetime.fromtimestamp(wall).astimezone().isoformat(timespec="seconds")
