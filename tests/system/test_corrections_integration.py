"""Face corrections in the running kiosk: library, rig cache key, engine, `kiosk check`."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np

from kiosk.cli import main as kiosk_main
from kiosk.config import LimitsConfig
from kiosk.exhibits.corrections import GROUPS, Corrections, sidecar_path, write_corrections
from kiosk.exhibits.library import ExhibitLibrary, is_exhibit_file
from kiosk.renderer.engine import GeometricEngine
from kiosk.renderer.rig_store import RigRequest
from kiosk.tracking import landmarks as lm
from tests.conftest import REPO_ROOT, ContentDirs

EXHIBIT = "id: mona\ntitle: Mona\nimage: mona.png\n"


def fixes(digest: str, dy: float = 0.01) -> Corrections:
    return Corrections.model_validate({"image_sha256": digest, "moves": {"mouth": [0, dy]}})


def library(dirs: ContentDirs) -> ExhibitLibrary:
    lib = ExhibitLibrary(dirs.exhibits, dirs.content, LimitsConfig())
    lib.reload()
    return lib


def test_sidecars_and_their_backups_are_not_exhibits() -> None:
    assert not is_exhibit_file(Path("mona.face.yaml"))
    assert not is_exhibit_file(Path("mona.face.yaml.bak-20240101-120000"))
    assert is_exhibit_file(Path("mona.yaml"))


def test_library_loads_corrections_with_the_exhibit(dirs: ContentDirs) -> None:
    dirs.write_image("mona.png")
    exhibit_file = dirs.write_exhibit("mona.yaml", EXHIBIT)
    lib = library(dirs)
    assert lib.get("mona").corrections is None and not lib.problems
    digest = lib.get("mona").image_digest
    write_corrections(sidecar_path(exhibit_file), fixes(digest), overwrite=False)
    report = lib.reload()
    assert report.changed == ("mona",) and not lib.problems
    assert lib.get("mona").corrections == fixes(digest)


def test_broken_sidecar_keeps_last_good_corrections(dirs: ContentDirs) -> None:
    dirs.write_image("mona.png")
    exhibit_file = dirs.write_exhibit("mona.yaml", EXHIBIT)
    lib = library(dirs)
    digest = lib.get("mona").image_digest
    write_corrections(sidecar_path(exhibit_file), fixes(digest), overwrite=False)
    lib.reload()
    sidecar_path(exhibit_file).write_text("moves: {mouthh: [0, 1]}\n")
    lib.reload()
    assert lib.get("mona").corrections == fixes(digest)
    assert any(p.key == "moves.mouthh" for p in lib.problems)
    assert any("last good face corrections" in p.message for p in lib.problems)


def test_stale_sidecar_is_ignored_and_reported(dirs: ContentDirs) -> None:
    dirs.write_image("mona.png")
    exhibit_file = dirs.write_exhibit("mona.yaml", EXHIBIT)
    write_corrections(sidecar_path(exhibit_file), fixes("ab" * 32), overwrite=False)
    lib = library(dirs)
    assert lib.get("mona").corrections is None
    assert [p.key for p in lib.problems] == ["image_sha256"]


def test_orphan_sidecar_is_reported(dirs: ContentDirs) -> None:
    write_corrections(dirs.exhibits / "old-name.face.yaml", fixes("ab" * 32), overwrite=False)
    lib = library(dirs)
    assert [p.file.endswith("old-name.face.yaml") for p in lib.problems] == [True]


def test_rig_key_follows_the_corrections() -> None:
    base = RigRequest("d" * 64, (100, 100))
    a = RigRequest("d" * 64, (100, 100), corrections=fixes("ab" * 32))
    b = RigRequest("d" * 64, (100, 100), corrections=fixes("ab" * 32, dy=0.02))
    assert len({base.key, a.key, b.key}) == 3
    assert a.key == RigRequest("d" * 64, (100, 100), corrections=fixes("ab" * 32)).key


def test_engine_rigs_the_corrected_face(tmp_path: Path) -> None:
    import cv2

    from kiosk.exhibits.samples import ensure_sample_content

    samples = ensure_sample_content(tmp_path / "content")
    image = cv2.imread(str(next(p for p in samples if p.name == "astronaut.png")))
    engine = GeometricEngine(cache_dir=tmp_path / "cache")
    try:
        plain = engine.build_rig(image)
        fixed = engine.build_rig(image, corrections=fixes("ab" * 32))  # from the disk cache
    finally:
        engine.close()
    mouth = lm.as_index(GROUPS["mouth"])
    moved = fixed.faces[0].landmarks[mouth, 1] - plain.faces[0].landmarks[mouth, 1]
    np.testing.assert_allclose(moved, 0.01 * image.shape[0], atol=1e-3)
    nose = fixed.faces[0].landmarks[lm.NOSE_TIP, :2], plain.faces[0].landmarks[lm.NOSE_TIP, :2]
    np.testing.assert_allclose(*nose, atol=1e-3)  # (depth is re-derived by the rig)


def test_check_reports_a_stale_sidecar(tmp_path: Path, capsys) -> None:
    shutil.copytree(REPO_ROOT / "exhibits", tmp_path / "exhibits")
    (tmp_path / "content").mkdir()
    shutil.copy(REPO_ROOT / "config.yaml", tmp_path / "config.yaml")
    write_corrections(tmp_path / "exhibits" / "astronaut.face.yaml", fixes("ab" * 32), False)
    assert kiosk_main(["check", str(tmp_path), "--no-faces"]) == 1
    out = capsys.readouterr().out
    assert "astronaut.face.yaml: image_sha256: made for another image" in out
