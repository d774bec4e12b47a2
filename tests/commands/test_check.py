"""`kiosk check`: passes on the shipped exhibits, fails naming file and key on broken ones."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from kiosk.cli import main as kiosk_main
from tests.conftest import shared_data


def test_check_passes_on_shipped_exhibits(kiosk_dir: Path, capsys: pytest.CaptureFixture) -> None:
    assert kiosk_main(["check", str(kiosk_dir)]) == 0
    assert "All good" in capsys.readouterr().out


def test_check_names_file_and_key(kiosk_dir: Path, capsys: pytest.CaptureFixture) -> None:
    broken = kiosk_dir / "exhibits" / "astronaut.yaml"
    broken.write_text(broken.read_text().replace("mouth: 1.0", "mouth: 7"))
    assert kiosk_main(["check", str(kiosk_dir), "--no-faces"]) == 1
    out = capsys.readouterr().out
    assert "astronaut.yaml" in out and "animation.gains.mouth" in out


def test_check_names_unknown_clip(kiosk_dir: Path, capsys: pytest.CaptureFixture) -> None:
    path = kiosk_dir / "exhibits" / "grace-hopper.yaml"
    path.write_text(path.read_text().replace("clip: look_around", "clip: cartwheel"))
    assert kiosk_main(["check", str(kiosk_dir), "--no-faces"]) == 1
    out = capsys.readouterr().out
    assert "grace-hopper.yaml" in out and "cartwheel" in out


def test_check_reports_config_key(kiosk_dir: Path, capsys: pytest.CaptureFixture) -> None:
    (kiosk_dir / "config.yaml").write_text("display: {rotation: 45}\n")
    assert kiosk_main(["check", str(kiosk_dir)]) == 1
    assert "display.rotation" in capsys.readouterr().out


def test_check_reports_a_painting_without_a_face(
    kiosk_dir: Path, capsys: pytest.CaptureFixture
) -> None:
    dog = shared_data("portraits/no_face_dog.jpg")
    shutil.copy(dog, kiosk_dir / "content" / "dog.jpg")
    (kiosk_dir / "exhibits" / "dog.yaml").write_text("id: dog\ntitle: A dog\nimage: dog.jpg\n")
    assert kiosk_main(["check", str(kiosk_dir)]) == 1
    out = capsys.readouterr().out
    assert "dog.yaml" in out and "no face" in out


def test_check_reports_speech_problems(kiosk_dir: Path, capsys: pytest.CaptureFixture) -> None:
    """A language without a voice, a broken voice file, text the voice cannot say."""
    pytest.importorskip("piper", reason="piper-tts is a kiosk dependency: pip install -e .")
    voices = kiosk_dir / "models" / "voices"
    voices.mkdir(parents=True)
    (voices / "ru_RU-broken.onnx").write_bytes(b"not a model" * 1000)
    (voices / "ru_RU-broken.onnx.json").write_text(
        '{"language": {"code": "ru_RU", "family": "ru"}, "audio": {"sample_rate": 22050}}'
    )
    config = kiosk_dir / "config.yaml"
    config.write_text(
        config.read_text()
        .replace("languages: [en]", "languages: [en, de, ru]")
        .replace("    en: bundled ", "    ru: ru_RU-broken.onnx\n    en: bundled ")
    )
    exhibit = kiosk_dir / "exhibits" / "astronaut.yaml"
    exhibit.write_text(exhibit.read_text() + 'speech:\n  en:\n    text: "蒙娜丽莎的微笑"\n')
    assert kiosk_main(["check", str(kiosk_dir), "--no-faces"]) == 1
    out = capsys.readouterr().out
    assert "config.yaml: speech.languages: no voice for language 'de'" in out
    assert "config.yaml: speech.voices.ru:" in out and "does not load" in out
    assert "astronaut.yaml: speech.en: the en text is written in cjk letters" in out
    assert "grace-hopper.yaml" not in out  # its English label is fine
