"""`kiosk bench` arithmetic on small, hand-made cases (no timing is asserted anywhere)."""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.commands import EXIT_USAGE
from kiosk.commands.bench import add_parser, parse_size
from kiosk.config import LimitsConfig, load_config
from kiosk.exhibits.library import ExhibitLibrary
from kiosk.measure.bench_phases import baseline_result
from kiosk.measure.bench_report import (
    STAGE_ROWS,
    TARGETS,
    derive_stages,
    evaluate_targets,
    format_report,
)
from kiosk.measure.kiosk_folder import write_kiosk_folder
from kiosk.measure.process_stats import parse_status_kib
from kiosk.stats import summarize


def test_summarize_median_p95_and_ratio() -> None:
    s = summarize([float(v) for v in range(1, 101)], baseline_ms=2.0)
    assert s["median_ms"] == pytest.approx(50.5)
    assert s["p95_ms"] == pytest.approx(95.05)
    assert s["samples"] == 100
    assert s["x_baseline"] == pytest.approx(25.25)
    assert summarize([]) == {}
    assert "x_baseline" not in summarize([1.0])


def test_derive_stages_splits_render_and_display() -> None:
    rows = [
        # a tick that processed a camera frame
        {"camera_age": 3.0, "tracking": 5.0, "motion": 1.0, "render": 8.0, "warp": 6.0,
         "overlays": 0.5, "display": 2.0, "end_to_end": 20.0, "frame": 16.5},
        # a tick with no new camera frame that re-shows the last render
        {"render": 0.2, "overlays": 0.5, "display": 1.5, "frame": 2.2},
        # a tick that renders anew (a clip moved) without a camera frame
        {"render": 7.0, "warp": 6.5, "overlays": 0.5, "display": 1.5, "frame": 9.0},
    ]  # fmt: skip
    s = derive_stages(rows)
    assert s["tracking"] == [5.0] and s["motion"] == [1.0] and s["end_to_end"] == [20.0]
    # Re-shown ticks do not count as zero-cost renders.
    assert s["warp"] == [6.0, 6.5]
    assert s["composite"] == pytest.approx([2.5, 1.0])  # render - warp + overlays
    assert s["display"] == pytest.approx([1.5, 1.0, 1.0])  # display - overlays
    assert s["pipeline_camera"] == pytest.approx([14.5])
    assert s["pipeline_all"] == pytest.approx([14.5, 0.7, 7.5])
    assert s["frame"] == [16.5, 2.2, 9.0]
    assert set(s) == {name for name, _ in STAGE_ROWS} - {"capture"}


def test_baseline_combines_runs() -> None:
    b = baseline_result([([1.0, 1.0], 0.5), ([3.0, 3.0], 0.5)], [10, 20])
    assert b["present"]["median_ms"] == pytest.approx(2.0)
    assert b["fps"] == pytest.approx(4.0)
    assert b["runs_median_ms"] == [1.0, 3.0]


def test_parse_status_kib() -> None:
    status = "Name:\tpython\nVmHWM:\t  612345 kB\nVmRSS:\t  500000 kB\n"
    assert parse_status_kib(status, "VmHWM") == 612345
    assert parse_status_kib(status, "VmRSS") == 500000
    assert parse_status_kib(status, "VmSwap") is None


def test_targets_met_missed_and_unmeasured() -> None:
    rows = {r["key"]: r for r in evaluate_targets({"pipeline_ms": 12.0, "display_fps": 30.0})}
    assert set(rows) == {key for key, *_ in TARGETS}
    assert rows["pipeline_ms"]["ok"] is True  # the limit itself is met
    assert rows["display_fps"]["ok"] is False
    assert rows["peak_rss_mb"]["ok"] is None


@pytest.mark.parametrize("text, size", [("1920x1080", (1920, 1080)), ("640X480", (640, 480))])
def test_parse_size(text: str, size: tuple[int, int]) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["1920", "0x10", "axb", "1x2x3"])
def test_parse_size_rejects(text: str) -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        parse_size(text)


def test_kiosk_folder_has_distinct_valid_exhibits(tmp_path: Path) -> None:
    images = []
    for i, suffix in enumerate((".jpg", ".png")):
        path = tmp_path / f"src{i}{suffix}"
        cv2.imwrite(str(path), np.random.default_rng(i).integers(0, 255, (24, 20, 3), np.uint8))
        images.append(path)
    config = load_config(write_kiosk_folder(tmp_path / "kiosk", (320, 200), images, 5))
    assert config.display.size == (320, 200) and not config.display.fullscreen
    library = ExhibitLibrary(config.paths.exhibits, config.paths.content, LimitsConfig())
    report = library.reload()
    assert not report.problems
    assert len(library.exhibits) == 5
    assert len({e.image_digest for e in library.exhibits}) == 5


def test_format_report_shows_every_stage_and_target() -> None:
    stages = {name: summarize([1.0, 2.0], 1.0) for name, _ in STAGE_ROWS}
    result = {
        "size": [1920, 1080], "driver": "synthetic", "painting": "close_up.png", "cpus": 2,
        "baseline": baseline_result([([1.0], 1.0)], [900, 1080]),
        "stages_ms": stages,
        "display_loop": {
            "paced": {"fps": 60.0, "camera_fps": 30.0, "new_frames": 30,
                      "displayed_frames": 60, "new_fraction": 0.5, "cpu_percent": 37.5},
            "unpaced": {"fps": 90.0},
        },
        "render_breakdown_ms": {"remap": summarize([2.0]), "face_region_px": {"width": 5,
                                                                             "height": 6}},
        "background_rig_build": {"painting": "a.png", "build_s": 0.1, "faces": 1, "error": "",
                                 "frames": 3, "frame_during_build": summarize([16.0])},
        "targets": evaluate_targets({"pipeline_ms": 5.0}),
    }  # fmt: skip
    text = format_report(result)
    for _, label in STAGE_ROWS:
        assert label in text
    assert "MISSED" not in text and "not measured" in text and "ok" in text
    assert "CPU 38% of one core" in text
    assert "painting close_up.png" in text


@pytest.mark.parametrize("content", [None, b"not an image"])
def test_bench_rejects_a_painting_it_cannot_read(tmp_path: Path, content: bytes | None) -> None:
    painting = tmp_path / "portrait.png"
    if content is not None:
        painting.write_bytes(content)
    parser = argparse.ArgumentParser()
    add_parser(parser.add_subparsers())
    args = parser.parse_args(["bench", "--painting", str(painting), "--no-memory"])
    assert args.func(args) == EXIT_USAGE
