"""The JSON status file: atomic, rate-limited, anonymous, never inside the exhibit folders."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.ops import Health, status
from kiosk.ops.operations import Operations
from kiosk.ops.status import StatusThread, StatusWriter, read_status

EXPECTED_KEYS = {
    "schema_version", "updated", "pid", "uptime_s", "mode", "asleep", "fps", "frame_ms_median",
    "camera_state", "exhibits", "current_exhibit", "problems", "rss_bytes", "last_reload",
}  # fmt: skip


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


def health(mode: str = "attract") -> Health:
    return Health(
        mode=mode, fps=58.2, camera_state="running", exhibit_ids=("mona", "pearl"),
        current_exhibit="pearl", problems=3,
        stages={"frame": {"median_ms": 12.5, "p95_ms": 20.0, "samples": 100}},
        last_reload=1_700_000_000.0,
    )  # fmt: skip


def test_writes_the_snapshot(tmp_path: Path) -> None:
    clock = FakeClock()
    writer = StatusWriter(tmp_path / "var" / "status.json", clock=clock)
    clock.t += 42.0
    assert writer.write(health())
    data = read_status(tmp_path / "var" / "status.json")
    assert data is not None
    assert set(data) == EXPECTED_KEYS
    assert data["mode"] == "attract"
    assert data["exhibits"] == ["mona", "pearl"] and data["current_exhibit"] == "pearl"
    assert data["problems"] == 3 and data["fps"] == 58.2 and data["frame_ms_median"] == 12.5
    assert data["uptime_s"] == 42.0
    assert data["pid"] == os.getpid()
    assert data["last_reload"].startswith("2023-11-1")
    if Path("/proc/self/statm").exists():
        assert data["rss_bytes"] > 1_000_000


def test_only_anonymous_scalars_leave_the_process(tmp_path: Path) -> None:
    writer = StatusWriter(tmp_path / "status.json")
    writer.write(health())
    data = json.loads((tmp_path / "status.json").read_text())
    for key, value in data.items():
        ok = value is None or isinstance(value, (str, int, float, bool))
        ok = ok or (key == "exhibits" and all(isinstance(v, str) for v in value))
        assert ok, f"{key} holds {type(value).__name__}"


def test_rewrites_at_most_every_interval(tmp_path: Path) -> None:
    clock = FakeClock()
    path = tmp_path / "status.json"
    writer = StatusWriter(path, interval_s=5.0, clock=clock)
    written = []
    for step, mode in enumerate(["attract", "live", "live", "attract", "live"]):
        clock.t = 1000.0 + step * 2.5
        written.append(writer.maybe_write(health(mode)))
    assert written == [True, False, True, False, True]
    assert read_status(path)["mode"] == "live"


def test_replaces_atomically_and_leaves_no_temp_files(tmp_path: Path) -> None:
    path = tmp_path / "status.json"
    writer = StatusWriter(path)
    path.write_text("old")
    inode_before = path.stat().st_ino
    writer.write(health())
    assert path.stat().st_ino != inode_before  # a new file renamed over, not rewritten in place
    assert [p.name for p in tmp_path.iterdir()] == ["status.json"]
    assert path.stat().st_mode & 0o777 == 0o644


def test_refuses_a_path_inside_the_exhibit_folder(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="outside the exhibit and content folders"):
        StatusWriter(tmp_path / "exhibits" / "status.json", forbidden_dirs=[tmp_path / "exhibits"])


def test_a_write_failure_is_logged_once_and_not_raised(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("")
    writer = StatusWriter(blocker / "status.json")
    with caplog.at_level("WARNING"):
        assert writer.write(health()) is False
        assert writer.write(health()) is False
    assert len([r for r in caplog.records if "status file" in r.message]) == 1


def test_read_status_of_a_missing_or_broken_file(tmp_path: Path) -> None:
    assert read_status(tmp_path / "nope.json") is None
    (tmp_path / "bad.json").write_text("{")
    assert read_status(tmp_path / "bad.json") is None


def _writing_threads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the threads that write the status file, in order."""
    threads: list[str] = []
    write = status.write_atomic

    def spy(path: Path, text: str) -> None:
        threads.append(threading.current_thread().name)
        write(path, text)

    monkeypatch.setattr(status, "write_atomic", spy)
    return threads


def test_the_status_is_written_on_a_thread_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The display loop only hands the snapshot over: the disk is written by the status
    thread, the final snapshot too (never two threads writing at once), and it is what the
    file says last."""
    threads = _writing_threads(monkeypatch)
    background = StatusThread(StatusWriter(tmp_path / "status.json"))
    background.offer(health("attract"), 1000.0)
    background.close(final=health("live"))
    assert threads and set(threads) == {"status-writer"}
    data = read_status(tmp_path / "status.json")
    assert data is not None and data["mode"] == "live"


def test_the_loops_operations_never_write_the_status_on_the_loops_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`Operations.tick` runs on the display thread every frame: its status writes happen
    elsewhere, the final one at stop included."""
    (tmp_path / "config.yaml").write_text(
        f"ops:\n  metrics_enabled: false\n  status_file: {tmp_path / 'var' / 'status.json'}\n"
    )
    threads = _writing_threads(monkeypatch)
    ops = Operations(load_config(tmp_path / "config.yaml"))
    ops.tick(100.0, "attract", lambda fps: health("attract"))
    ops.stop("test")
    assert threads and set(threads) == {"status-writer"}
    data = read_status(tmp_path / "var" / "status.json")
    assert data is not None and data["mode"] == "attract"


def test_the_status_thread_survives_a_snapshot_it_cannot_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A snapshot the writer fails on (a bug, not a full disk) is logged, and the next one is
    still written: the thread does not die and leave the file stale for weeks."""
    document = status.status_document
    failed = threading.Event()

    def flaky(health: Health, uptime_s: float) -> dict:
        if not failed.is_set():
            failed.set()
            raise RuntimeError("broken snapshot")
        return document(health, uptime_s)

    monkeypatch.setattr(status, "status_document", flaky)
    background = StatusThread(StatusWriter(tmp_path / "status.json", interval_s=0.0))
    background.offer(health("attract"), 1000.0)
    assert failed.wait(timeout=10.0)  # the thread has taken the first (a handshake, no sleep)
    background.offer(health("live"), 1001.0)
    background.close()
    assert "could not be written" in caplog.text
    data = read_status(tmp_path / "status.json")
    assert data is not None and data["mode"] == "live"


def test_a_snapshot_that_fails_is_tried_again_at_the_next_offer(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A snapshot that cannot be written does not count as written: the next one is not held
    back for a whole interval."""
    clock = FakeClock()
    writer = StatusWriter(tmp_path / "status.json", interval_s=5.0, clock=clock)
    document = status.status_document

    def broken(health: Health, uptime_s: float) -> dict:
        raise RuntimeError("broken snapshot")

    monkeypatch.setattr(status, "status_document", broken)
    with pytest.raises(RuntimeError):
        writer.maybe_write(health("attract"))
    monkeypatch.setattr(status, "status_document", document)
    clock.t += 1.0
    assert writer.maybe_write(health("live"))
