"""Curator contact sheets (`kiosk check --sheet`)."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from kiosk.config import KioskConfig, PathsConfig, load_config
from kiosk.curator.sheet import make_sheets
from kiosk.exhibits.samples import ensure_sample_content
from tests.conftest import REPO_ROOT, ContentDirs


def test_a_sheet_per_shipped_exhibit(tmp_path: Path) -> None:
    config = load_config(REPO_ROOT / "config.yaml")
    ensure_sample_content(config.paths.content)
    lines: list[str] = []
    results = make_sheets(config, tmp_path, progress=lines.append)
    assert {r.exhibit_id for r in results} == {"grace-hopper", "astronaut"}
    assert lines[0].startswith("[1/2] ")
    for result in results:
        assert result.problems == [] and result.faces >= 1
        sheet = cv2.imread(str(result.path))
        assert sheet is not None and sheet.shape[0] >= 900 and sheet.shape[1] >= 1500
        assert result.path == tmp_path / f"{result.exhibit_id}.png"


def test_a_close_up_is_noted_with_the_size_the_kiosk_renders_it_at(tmp_path: Path) -> None:
    config = load_config(REPO_ROOT / "config.yaml")
    ensure_sample_content(config.paths.content)
    small_limit = config.model_copy(
        update={"engine": config.engine.model_copy(update={"max_face_pixels": 50_000})}
    )
    limited = make_sheets(small_limit, tmp_path / "small", progress=lambda _: None)
    default = make_sheets(config, tmp_path / "default", progress=lambda _: None)
    for result in limited:
        (note,) = [n for n in result.notes if "close-up" in n]
        assert "engine.max_face_pixels (50,000)" in note and "scales it up" in note
    for result in default:  # the samples' faces are within the default limit
        assert not [n for n in result.notes if "close-up" in n]


def _grey_exhibit(dirs: ContentDirs) -> KioskConfig:
    cv2.imwrite(str(dirs.content / "grey.png"), np.full((400, 300, 3), 128, np.uint8))
    dirs.write_exhibit("grey.yaml", "schema_version: 1\nid: grey\ntitle: Grey\nimage: grey.png\n")
    paths = PathsConfig(exhibits=dirs.exhibits, content=dirs.content, cache=dirs.root / "cache")
    return KioskConfig(paths=paths)


def test_no_face_is_a_problem_with_a_fix(dirs: ContentDirs, tmp_path: Path) -> None:
    (result,) = make_sheets(_grey_exhibit(dirs), tmp_path / "sheets", progress=lambda _: None)
    assert result.faces == 0
    (problem,) = result.problems
    assert "grey.yaml" in problem and "no face" in problem
    assert "more frontal image" in problem  # says what to do
    assert cv2.imread(str(result.path)) is not None  # the sheet is still written


def test_check_command_writes_sheets_and_fails_on_no_face(dirs: ContentDirs, capsys) -> None:
    from kiosk.cli import main

    _grey_exhibit(dirs)
    (dirs.root / "config.yaml").write_text("schema_version: 1\n")
    out = dirs.root / "sheets"
    assert main(["check", str(dirs.root), "--sheet", str(out)]) == 1
    text = capsys.readouterr().out
    assert "[1/1] grey ..." in text and "PROBLEM" in text and "no face" in text
    assert (out / "grey.png").is_file()


def test_a_strongly_turned_painted_face_gets_a_warning(dirs: ContentDirs, tmp_path) -> None:
    from tests.conftest import shared_data

    image = cv2.imread(str(shared_data("portraits/girl_with_a_pearl_earring.jpg")))
    cv2.imwrite(str(dirs.content / "pearl.jpg"), image)
    dirs.write_exhibit("pearl.yaml", "schema_version: 1\nid: pearl\ntitle: P\nimage: pearl.jpg\n")
    paths = PathsConfig(exhibits=dirs.exhibits, content=dirs.content, cache=dirs.root / "cache")
    (result,) = make_sheets(KioskConfig(paths=paths), tmp_path, progress=lambda _: None)
    assert result.problems == []
    assert any("turned far sideways" in w for w in result.warnings)
