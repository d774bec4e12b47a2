"""Rotating JSON-lines logs, and the filter that keeps camera data out of them."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from kiosk.ops.logs import LOG_FILE_NAME, setup_logging


@pytest.fixture(autouse=True)
def restore_root_logger() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for h in list(root.handlers):
        root.removeHandler(h)
        h.close()
    for h in handlers:
        root.addHandler(h)
    root.setLevel(level)


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_records_are_json_lines_with_extra_fields(tmp_path: Path) -> None:
    path = setup_logging(tmp_path / "log", "INFO", console=False)
    assert path == tmp_path / "log" / LOG_FILE_NAME
    log = logging.getLogger("kiosk.test")
    log.info("reloaded %d exhibits", 3, extra={"exhibit": "mona", "took_ms": 12.5})
    log.debug("not at INFO")
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        log.exception("crashed")
    first, second = lines(path)
    assert first["level"] == "INFO" and first["logger"] == "kiosk.test"
    assert first["message"] == "reloaded 3 exhibits"
    assert first["exhibit"] == "mona" and first["took_ms"] == 12.5
    assert "T" in first["time"]
    assert second["level"] == "ERROR" and "RuntimeError: boom" in second["exception"]


def test_rotation_at_the_size_bound(tmp_path: Path) -> None:
    path = setup_logging(tmp_path, "INFO", max_bytes=2000, backups=2, console=False)
    log = logging.getLogger("kiosk.test")
    for i in range(200):
        log.info("message number %d with some padding to fill the file", i)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == [LOG_FILE_NAME, f"{LOG_FILE_NAME}.1", f"{LOG_FILE_NAME}.2"]
    for name in files:
        assert (tmp_path / name).stat().st_size <= 2000
    assert lines(path)[-1]["message"].startswith("message number 199 ")


@pytest.mark.parametrize(
    "args",
    [
        (np.zeros((4, 4, 3), np.uint8),),
        (b"\xff\xd8jpeg",),
        ({"frame": bytearray(8)},),
        ([np.zeros(3)],),
    ],
)
def test_records_carrying_frames_or_bytes_are_dropped(
    tmp_path: Path, args: tuple, capsys: pytest.CaptureFixture
) -> None:
    path = setup_logging(tmp_path, "INFO", console=True)
    log = logging.getLogger("kiosk.test")
    log.info("frame: %s", *args)
    log.info("after")
    assert [r["message"] for r in lines(path)] == ["after"]
    assert "frame" not in capsys.readouterr().err


def test_a_frame_in_extra_fields_is_dropped(tmp_path: Path) -> None:
    path = setup_logging(tmp_path, "INFO", console=False)
    logging.getLogger("kiosk.test").warning("camera", extra={"image": np.ones((2, 2))})
    assert path.read_text() == ""


def test_setup_twice_replaces_the_handlers(tmp_path: Path) -> None:
    setup_logging(tmp_path, "INFO")
    setup_logging(tmp_path, "WARNING")
    root = logging.getLogger()
    assert len(root.handlers) == 2 and root.level == logging.WARNING
