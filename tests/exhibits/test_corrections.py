"""Face corrections: the sidecar file, applying it, writing it safely, and `kiosk adjust-face`."""

from __future__ import annotations

import shutil
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.cli import main as kiosk_main
from kiosk.commands.adjust_face import GREEN
from kiosk.exhibits.corrections import (
    GROUPS,
    Corrections,
    CorrectionsError,
    GroupMoves,
    GroupScales,
    StaleCorrectionsError,
    load_corrections,
    remove_corrections,
    sidecar_path,
    write_corrections,
)
from kiosk.renderer.face_rig import apply_corrections, correct_faces
from kiosk.tracking import landmarks as lm
from kiosk.tracking.face_mesh import DetectedFace
from tests.conftest import REPO_ROOT, shared_data

DIGEST = "ab" * 32
OTHER_DIGEST = "cd" * 32


def corrections(**kwargs) -> Corrections:
    return Corrections.model_validate({"image_sha256": DIGEST, **kwargs})


def landmarks() -> np.ndarray:
    rng = np.random.default_rng(7)
    return rng.uniform(100, 400, (lm.NUM_LANDMARKS, 3)).astype(np.float32)


# --------------------------------------------------------------------------- the file


def test_every_group_is_a_key_of_moves_and_scale() -> None:
    assert list(GroupMoves.model_fields) == list(GROUPS)
    assert list(GroupScales.model_fields) == list(GROUPS)
    assert set(GROUPS["chin"]) == set(lm.JAW)
    assert set(GROUPS["face_outline"]) == set(lm.FACE_OVAL)
    assert set(lm.LIPS_INNER) | set(lm.LIPS_OUTER) == set(GROUPS["mouth"])


def test_round_trip(tmp_path: Path) -> None:
    exhibit = tmp_path / "mona-lisa.yaml"
    wanted = corrections(
        moves={"mouth": [0.0, 0.004], "right_eye": [-0.002, 0.0], "chin": [0, 0.01]},
        scale={"mouth": 1.05},
    )
    path = sidecar_path(exhibit)
    assert path.name == "mona-lisa.face.yaml"
    assert write_corrections(path, wanted, overwrite=False, exhibit_id="mona-lisa") is None
    assert load_corrections(exhibit, DIGEST) == wanted
    text = path.read_text()
    assert "mouth: [0.0, 0.004]" in text and "mouth: 1.05" in text
    assert "kiosk adjust-face --exhibit mona-lisa --reset" in text


def test_tiny_moves_survive_the_round_trip(tmp_path: Path) -> None:
    wanted = corrections(moves={"nose": [0.00001, -0.000002]})
    path = sidecar_path(tmp_path / "a.yaml")
    write_corrections(path, wanted, overwrite=False)
    assert load_corrections(tmp_path / "a.yaml", DIGEST) == wanted


def test_no_sidecar_is_none(tmp_path: Path) -> None:
    assert load_corrections(tmp_path / "a.yaml", DIGEST) is None


def sidecar_text(**fields: str) -> str:
    fields = {"schema_version": "1", "image_sha256": DIGEST, **fields}
    return "".join(f"{key}: {value}\n" for key, value in fields.items())


@pytest.mark.parametrize(
    ("fields", "key", "words"),
    [
        ({"moves": "{mouthx: [0, 0.01]}"}, "moves.mouthx", "unknown key"),
        ({"moves": "{mouth: [abc, 0.01]}"}, "moves.mouth[0]", "number"),
        ({"moves": "{mouth: [true, 0.01]}"}, "moves.mouth[0]", "number"),
        ({"moves": "{mouth: [.nan, 0.01]}"}, "moves.mouth[0]", "finite"),
        ({"moves": "{mouth: [0, 0.5]}"}, "moves.mouth[1]", "0.1"),
        ({"moves": "{mouth: [0, 0.01, 0]}"}, "moves.mouth", "2 items"),
        ({"scale": "{left_brow: 0}"}, "scale.left_brow", "0.5"),
        ({"scale": "{eye: 1.1}"}, "scale.eye", "unknown key"),
        ({"schema_version": "2"}, "schema_version", "version 1"),
        ({"image_sha256": "cafe"}, "image_sha256", "sha256"),
        ({"mvoes": "{}"}, "mvoes", "unknown key"),
    ],
)
def test_bad_files_name_file_and_key(
    tmp_path: Path, fields: dict[str, str], key: str, words: str
) -> None:
    (tmp_path / "a.face.yaml").write_text(sidecar_text(**fields))
    with pytest.raises(CorrectionsError) as err:
        load_corrections(tmp_path / "a.yaml", DIGEST)
    problem = next(p for p in err.value.problems if p.key == key)
    assert problem.file.endswith("a.face.yaml")
    assert words in problem.message


def test_missing_digest_is_named(tmp_path: Path) -> None:
    (tmp_path / "a.face.yaml").write_text("schema_version: 1\nmoves: {mouth: [0, 0.01]}\n")
    with pytest.raises(CorrectionsError) as err:
        load_corrections(tmp_path / "a.yaml", DIGEST)
    assert err.value.key == "image_sha256" and "missing" in err.value.message


def test_yaml_syntax_error_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "a.face.yaml").write_text("moves: [\n")
    with pytest.raises(CorrectionsError, match=r"a\.face\.yaml.*YAML"):
        load_corrections(tmp_path / "a.yaml", DIGEST)


def test_corrections_for_another_image_are_reported(tmp_path: Path) -> None:
    write_corrections(sidecar_path(tmp_path / "a.yaml"), corrections(), overwrite=False)
    with pytest.raises(StaleCorrectionsError) as err:
        load_corrections(tmp_path / "a.yaml", OTHER_DIGEST)
    assert err.value.key == "image_sha256"
    assert err.value.file.endswith("a.face.yaml")
    assert "another image" in err.value.message and "--reset" in err.value.message


def test_digest_follows_the_content() -> None:
    a = corrections(moves={"mouth": [0, 0.01]})
    assert a.digest() == corrections(moves={"mouth": [0.0, 0.01]}).digest()
    assert a.digest() != corrections(moves={"mouth": [0, 0.02]}).digest()
    assert hash(a) == hash(corrections(moves={"mouth": [0, 0.01]}))  # usable in cache keys


# --------------------------------------------------------------------------- applying


def test_move_shifts_only_the_group_by_the_right_pixels() -> None:
    before = landmarks()
    after = apply_corrections(before, (800, 600), corrections(moves={"mouth": [0.01, -0.02]}))
    mouth = lm.as_index(GROUPS["mouth"])
    np.testing.assert_allclose(after[mouth, 0] - before[mouth, 0], 8.0, atol=1e-4)
    np.testing.assert_allclose(after[mouth, 1] - before[mouth, 1], -12.0, atol=1e-4)
    np.testing.assert_array_equal(after[mouth, 2], before[mouth, 2])  # depth untouched
    others = np.setdiff1d(np.arange(lm.NUM_LANDMARKS), mouth)
    np.testing.assert_array_equal(after[others], before[others])
    assert after.dtype == before.dtype
    np.testing.assert_array_equal(before, landmarks())  # the input is not modified


def test_points_in_two_groups_move_by_both() -> None:
    before = landmarks()
    moves = {"chin": [0, 0.01], "face_outline": [0.01, 0]}
    after = apply_corrections(before, (1000, 1000), corrections(moves=moves))
    both = lm.as_index(sorted(set(lm.JAW) & set(lm.FACE_OVAL)))
    only_chin = lm.as_index(sorted(set(lm.JAW) - set(lm.FACE_OVAL)))
    for points, shift in ((both, (10.0, 10.0)), (only_chin, (0.0, 10.0))):
        moved = after[points, :2] - before[points, :2]
        np.testing.assert_allclose(moved, np.broadcast_to(shift, moved.shape), atol=1e-3)


def test_scale_is_about_the_group_centre() -> None:
    before = landmarks()
    after = apply_corrections(before, (500, 500), corrections(scale={"left_eye": 1.5}))
    eye = lm.as_index(GROUPS["left_eye"])
    centre = before[eye, :2].astype(np.float64).mean(axis=0)
    np.testing.assert_allclose(after[eye, :2].mean(axis=0), centre, atol=1e-3)
    np.testing.assert_allclose(
        after[eye, :2] - centre, 1.5 * (before[eye, :2] - centre), rtol=1e-5, atol=1e-3
    )


def test_no_corrections_is_an_identical_copy() -> None:
    before = landmarks()
    after = apply_corrections(before, (100, 100), None)
    np.testing.assert_array_equal(after, before)
    assert after is not before


def test_correct_faces_changes_only_the_exhibit_face() -> None:
    small = DetectedFace(landmarks(), (0.0, 0.0, 10.0, 10.0))
    large = DetectedFace(landmarks() + 1000, (0.0, 0.0, 100.0, 100.0))
    fixed = correct_faces([small, large], (1000, 1000), corrections(moves={"nose": [0, 0.01]}))
    assert fixed[0] is small
    assert fixed[1].box == large.box
    nose = lm.as_index(GROUPS["nose"])
    np.testing.assert_allclose(fixed[1].landmarks[nose, 1] - large.landmarks[nose, 1], 10.0)


# --------------------------------------------------------------------------- writing


def test_write_never_clobbers_without_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "a.face.yaml"
    path.write_text("# the curator's own notes\n")
    with pytest.raises(FileExistsError, match="already exists"):
        write_corrections(path, corrections(), overwrite=False)
    assert path.read_text() == "# the curator's own notes\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.face.yaml"]


def test_overwrite_keeps_every_previous_version(tmp_path: Path) -> None:
    path = tmp_path / "a.face.yaml"
    path.write_text("# version 1\n")
    first = write_corrections(path, corrections(moves={"mouth": [0, 0.01]}), overwrite=True)
    second = write_corrections(path, corrections(moves={"mouth": [0, 0.02]}), overwrite=True)
    assert first is not None and second is not None and first != second  # same second
    assert first.name.startswith("a.face.yaml.bak-")
    assert first.read_text() == "# version 1\n"
    assert "0.01]" in second.read_text()
    assert "0.02]" in path.read_text()
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_remove_keeps_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "a.face.yaml"
    write_corrections(path, corrections(moves={"mouth": [0, 0.01]}), overwrite=False)
    text = path.read_text()
    backup = remove_corrections(path)
    assert not path.exists() and backup is not None and backup.read_text() == text
    assert remove_corrections(path) is None


# --------------------------------------------------------------------------- the command


def adjust(kiosk_dir: Path, *args: str) -> int:
    config = str(kiosk_dir / "config.yaml")
    return kiosk_main(["--config", config, "adjust-face", "--exhibit", "astronaut", *args])


def listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_command_writes_sidecar_and_preview(kiosk_dir: Path, capsys) -> None:
    preview = kiosk_dir / "previews" / "astronaut-face.png"
    assert adjust(kiosk_dir, "--move", "mouth=0,0.004", "--preview", str(preview)) == 0
    sidecar = kiosk_dir / "exhibits" / "astronaut.face.yaml"
    saved = load_corrections(kiosk_dir / "exhibits" / "astronaut.yaml", _image_digest(kiosk_dir))
    assert saved is not None and saved.group_moves() == {"mouth": (0.0, 0.004)}
    image = cv2.imread(str(preview))
    assert image is not None and image.shape[0] > 100
    out = capsys.readouterr().out
    assert "wrote exhibits/astronaut.face.yaml" in out
    assert "--reset" in out  # how to undo

    # A second run adds to the saved moves and keeps the previous file.
    before = sidecar.read_bytes()
    assert adjust(kiosk_dir, "--move", "mouth=0,0.002", "--move", "chin=0,0.01") == 0
    saved = load_corrections(kiosk_dir / "exhibits" / "astronaut.yaml", _image_digest(kiosk_dir))
    assert saved.group_moves() == {"mouth": (0.0, 0.006), "chin": (0.0, 0.01)}
    backups = list((kiosk_dir / "exhibits").glob("astronaut.face.yaml.bak-*"))
    assert [b.read_bytes() for b in backups] == [before]


def test_dry_run_writes_nothing(kiosk_dir: Path, capsys) -> None:
    before = listing(kiosk_dir / "exhibits")
    assert adjust(kiosk_dir, "--move", "mouth=0,0.004", "--dry-run") == 0
    assert listing(kiosk_dir / "exhibits") == before
    assert sorted(p.name for p in kiosk_dir.iterdir()) == ["config.yaml", "content", "exhibits"]
    assert "would write" in capsys.readouterr().out


def test_stale_sidecar_is_kept_until_reset(kiosk_dir: Path, capsys) -> None:
    sidecar = kiosk_dir / "exhibits" / "astronaut.face.yaml"
    write_corrections(sidecar, corrections(moves={"mouth": [0, 0.01]}), overwrite=False)
    original = sidecar.read_bytes()
    assert adjust(kiosk_dir, "--move", "mouth=0,0.004") == 1
    assert "another image" in capsys.readouterr().err
    assert sidecar.read_bytes() == original

    assert adjust(kiosk_dir, "--reset") == 0
    assert not sidecar.exists()
    backups = list((kiosk_dir / "exhibits").glob("astronaut.face.yaml.bak-*"))
    assert [b.read_bytes() for b in backups] == [original]


def test_move_beyond_the_limit_changes_nothing(kiosk_dir: Path, capsys) -> None:
    before = listing(kiosk_dir / "exhibits")
    assert adjust(kiosk_dir, "--move", "nose=0.2,0") == 1
    assert "moves.nose[0]" in capsys.readouterr().err
    assert listing(kiosk_dir / "exhibits") == before


def test_unknown_group_is_a_usage_error(kiosk_dir: Path, capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        adjust(kiosk_dir, "--move", "ear=0,0.1")
    assert exit_.value.code == 2
    assert "unknown group 'ear'" in capsys.readouterr().err


def test_preview_of_a_painting_shows_the_corrected_mouth(tmp_path: Path, capsys) -> None:
    painting = shared_data("portraits/mona_lisa.jpg")
    shutil.copy(REPO_ROOT / "config.yaml", tmp_path / "config.yaml")
    (tmp_path / "content" / "paintings").mkdir(parents=True)
    shutil.copy(painting, tmp_path / "content" / "paintings" / "mona_lisa.jpg")
    (tmp_path / "exhibits").mkdir()
    (tmp_path / "exhibits" / "mona-lisa.yaml").write_text(
        "id: mona-lisa\ntitle: Mona Lisa\nimage: paintings/mona_lisa.jpg\n"
    )
    preview = tmp_path / "mona.png"
    args = ["--config", str(tmp_path / "config.yaml"), "adjust-face", "--exhibit", "mona-lisa"]
    assert kiosk_main([*args, "--move", "mouth=0,0.01", "--preview", str(preview)]) == 0
    image = cv2.imread(str(preview))
    green = np.all(image == GREEN, axis=2)
    assert green.sum() > 100  # the corrected mouth is drawn
    rows = np.nonzero(green[30:])[0] / (image.shape[0] - 30)
    assert 0.5 < rows.mean() < 0.9  # ... in the lower half of the face close-up


def _image_digest(kiosk_dir: Path) -> str:
    from kiosk.exhibits.images import image_digest

    return image_digest((kiosk_dir / "content" / "samples" / "astronaut.png").read_bytes())


def test_render_command_animates_the_exhibit_as_corrected(
    kiosk_dir: Path, tmp_path: Path, monkeypatch
) -> None:
    """`kiosk render --exhibit` builds its rig with the exhibit's face box hint and corrections,
    as the running kiosk does."""
    from kiosk.renderer.engine import GeometricEngine

    assert adjust(kiosk_dir, "--move", "mouth=0,0.004") == 0
    exhibit = kiosk_dir / "exhibits" / "astronaut.yaml"
    text = exhibit.read_text()
    assert "  box: null" in text
    exhibit.write_text(text.replace("  box: null", "  box: [0.3, 0.05, 0.75, 0.6]", 1))
    video = tmp_path / "driver.mp4"
    frame = cv2.imread(str(kiosk_dir / "content" / "samples" / "astronaut.png"))
    writer = cv2.VideoWriter(str(video), cv2.VideoWriter_fourcc(*"mp4v"), 10, frame.shape[1::-1])
    for _ in range(3):
        writer.write(frame)
    writer.release()
    seen: list[tuple] = []
    real = GeometricEngine.build_rig

    def spy(self, image, choose="largest", index=0, box=None, corrections=None):
        seen.append((box, corrections))
        return real(self, image, choose, index, box, corrections)

    monkeypatch.setattr(GeometricEngine, "build_rig", spy)
    config = str(kiosk_dir / "config.yaml")
    out = tmp_path / "out.mp4"
    args = ["render", "--exhibit", "astronaut", "--driver-video", str(video), "--out", str(out)]
    assert kiosk_main(["--config", config, *args]) == 0
    assert out.is_file()
    ((box, corrections),) = seen
    assert box == pytest.approx((0.3, 0.05, 0.75, 0.6))
    assert corrections is not None and corrections.group_moves() == {"mouth": (0.0, 0.004)}
