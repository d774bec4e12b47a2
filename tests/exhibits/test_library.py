import os
import shutil
from pathlib import Path

import pytest

from kiosk.config import LimitsConfig, load_config
from kiosk.exhibits.check import check_all, check_content
from kiosk.exhibits.library import ExhibitLibrary
from kiosk.exhibits.samples import ensure_sample_content
from kiosk.exhibits.schema import parse_exhibit_file

REPO = Path(__file__).resolve().parents[2]


def exhibit(id_: str, image: str = "a.png", **extra: object) -> str:
    lines = [f"id: {id_}", f"title: Title of {id_}", f"image: {image}"]
    lines += [f"{k}: {v}" for k, v in extra.items()]
    return "\n".join(lines) + "\n"


@pytest.fixture
def lib(dirs) -> ExhibitLibrary:
    dirs.write_image("a.png")
    return ExhibitLibrary(dirs.exhibits, dirs.content, LimitsConfig())


def ids(lib: ExhibitLibrary) -> list[str]:
    return [e.id for e in lib.exhibits]


def test_add_change_break_fix_remove(dirs, lib):
    path = dirs.write_exhibit("one.yaml", exhibit("one"))
    report = lib.reload()
    assert report.added == ("one",) and not report.problems and lib.generation == 1
    first = lib.get("one")
    assert first.image.shape == (48, 40, 3) and first.source_file == path

    assert not lib.reload().any_change and lib.generation == 1
    assert lib.get("one") is first  # unchanged files keep the same loaded object

    dirs.write_exhibit("one.yaml", exhibit("one", order=3))
    report = lib.reload()
    assert report.changed == ("one",) and lib.get("one").spec.order == 3 and lib.generation == 2
    good = lib.get("one")

    dirs.write_exhibit("one.yaml", exhibit("one", order="first"))
    report = lib.reload()
    assert lib.get("one") is good  # the last good version keeps running
    assert not report.any_change and lib.generation == 2
    assert [p.key for p in lib.problems] == ["order", ""]
    assert str(lib.problems[0]).startswith("exhibits/one.yaml: order: ")
    assert "last good version" in lib.problems[1].message

    dirs.write_exhibit("one.yaml", exhibit("one", order=4))
    assert lib.reload().changed == ("one",) and not lib.problems

    path.unlink()
    assert lib.reload().removed == ("one",) and lib.exhibits == [] and lib.generation == 4


def test_broken_image_keeps_last_good_and_names_both_files(dirs, lib):
    dirs.write_exhibit("one.yaml", exhibit("one"))
    lib.reload()
    good = lib.get("one")
    (dirs.content / "a.png").write_bytes(b"not a png any more")
    lib.reload()
    assert lib.get("one") is good
    problem = lib.problems[0]
    assert (problem.file, problem.key) == ("exhibits/one.yaml", "image")
    assert "content/a.png" in problem.message and "not an image" in problem.message


def test_never_good_file_only_reports(dirs, lib):
    dirs.write_exhibit("bad.yaml", "id: bad\ntitle: [\n")
    dirs.write_exhibit("nopic.yaml", exhibit("nopic", image="missing.png"))
    report = lib.reload()
    assert lib.exhibits == [] and not report.any_change
    assert {p.file for p in report.problems} == {"exhibits/bad.yaml", "exhibits/nopic.yaml"}


def test_image_only_reread_when_its_file_changes(dirs, lib, monkeypatch):
    from kiosk.exhibits import library as library_module

    reads = []
    real = library_module.read_image_file
    monkeypatch.setattr(library_module, "read_image_file",
                        lambda *a: reads.append(a[0]) or real(*a))
    dirs.write_exhibit("one.yaml", exhibit("one"))
    dirs.write_exhibit("two.yaml", exhibit("two"))  # same image: decoded once
    lib.reload()
    dirs.write_exhibit("one.yaml", exhibit("one", label="new text"))
    lib.reload()
    assert len(reads) == 1
    old_digest = lib.get("one").image_digest
    dirs.write_image("a.png", (20, 20, 3))
    report = lib.reload()
    assert len(reads) == 2 and report.changed == ("one", "two")
    assert lib.get("one").image_digest != old_digest and lib.get("one").image.shape == (20, 20, 3)


def test_duplicate_ids_first_file_wins(dirs, lib):
    dirs.write_exhibit("b.yaml", exhibit("same", order=1))
    dirs.write_exhibit("a.yaml", exhibit("same", order=2))
    lib.reload()
    assert ids(lib) == ["same"] and lib.get("same").source_file.name == "a.yaml"
    (problem,) = lib.problems
    assert problem.file == "exhibits/b.yaml" and problem.key == "id"
    assert "exhibits/a.yaml" in problem.message


def test_ignored_files_disabled_and_order(dirs, lib):
    for name in (".hidden.yaml", ".#one.yaml", "one.yaml~", ".one.yaml.swp", "#one.yaml#",
                 "notes.txt", "README.md"):
        dirs.write_exhibit(name, "garbage: [")
    dirs.write_exhibit("z.yml", exhibit("z", order=1))
    dirs.write_exhibit("y.yaml", exhibit("y", order=1))
    dirs.write_exhibit("x.yaml", exhibit("x"))
    dirs.write_exhibit("hidden.yaml", exhibit("hidden", enabled="false"))
    lib.reload()
    assert ids(lib) == ["y", "z", "x"] and lib.problems == []


def test_yaml_booleans_as_text_get_a_hint(dirs, lib):
    dirs.write_exhibit("off.yaml", exhibit("off"))
    lib.reload()
    assert "put the value in quotes" in lib.problems[0].message


def test_disabling_removes_even_a_last_good_version(dirs, lib):
    dirs.write_exhibit("one.yaml", exhibit("one"))
    lib.reload()
    dirs.write_exhibit("one.yaml", exhibit("one", enabled="false"))
    assert lib.reload().removed == ("one",)


def test_missing_exhibits_folder_is_a_problem(tmp_path):
    lib = ExhibitLibrary(tmp_path / "nope", tmp_path, LimitsConfig())
    lib.reload()
    assert "exhibits folder not found" in lib.problems[0].message


def _snapshot(root: Path) -> dict:
    return {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in sorted(root.rglob("*"))}


def test_library_never_writes(dirs, lib):
    dirs.write_exhibit("one.yaml", exhibit("one"))
    dirs.write_exhibit("bad.yaml", "id: [")
    before = _snapshot(dirs.root)
    lib.reload()
    lib.reload()
    assert _snapshot(dirs.root) == before


def test_loaded_images_are_read_only(dirs, lib):
    dirs.write_exhibit("one.yaml", exhibit("one"))
    lib.reload()
    with pytest.raises(ValueError):
        lib.get("one").image[0, 0] = 0


# ---------------------------------------------------------------- samples and check


def test_ensure_sample_content_is_idempotent(tmp_path):
    paths = ensure_sample_content(tmp_path)
    assert [p.name for p in paths] == ["grace_hopper.jpg", "astronaut.png"]
    stamps = [p.stat().st_mtime_ns for p in paths]
    assert ensure_sample_content(tmp_path) == paths
    assert [p.stat().st_mtime_ns for p in paths] == stamps
    assert sorted(os.listdir(tmp_path / "samples")) == ["astronaut.png", "grace_hopper.jpg"]


def test_shipped_exhibits_load_with_the_samples(tmp_path):
    ensure_sample_content(tmp_path / "content")
    lib = ExhibitLibrary(REPO / "exhibits", tmp_path / "content", LimitsConfig())
    lib.reload()
    assert lib.problems == []
    assert ids(lib) == ["grace-hopper", "astronaut"]
    for e in lib.exhibits:
        assert e.spec.label and e.spec.credit and e.image.ndim == 3
        assert "Public domain" in e.spec.credit


def test_check_content_reports_unknown_clips(dirs, tmp_path):
    dirs.write_image("a.png")
    dirs.write_exhibit("one.yaml", exhibit("one") +
                       "idle: {playlist: [{clip: breathing}, {clip: custom}, {clip: nope}]}\n")
    (dirs.content / "drivers").mkdir()
    (dirs.content / "drivers" / "custom.yaml").write_text("{}\n")
    (dirs.root / "config.yaml").write_text("{}\n")
    config = load_config(dirs.root / "config.yaml")
    problems = check_content(config, known_clips={"breathing"})
    assert [(p.key, "'nope'" in p.message) for p in problems] == [("idle.playlist[2].clip", True)]
    (dirs.root / "config.yaml").write_text("paths: {exhibit: x}\n")
    assert check_all(dirs.root / "config.yaml")[0].key == "paths.exhibit"


def test_shipped_content_checks_clean(tmp_path):
    shutil.copytree(REPO / "exhibits", tmp_path / "exhibits")
    shutil.copy(REPO / "config.yaml", tmp_path / "config.yaml")
    ensure_sample_content(tmp_path / "content")
    clips = {"breathing", "look_around", "gentle_smile"}
    assert check_all(tmp_path / "config.yaml", clips) == []
    spec = parse_exhibit_file(tmp_path / "exhibits" / "astronaut.yaml")
    assert spec.title == "Astronaut Eileen Collins"
