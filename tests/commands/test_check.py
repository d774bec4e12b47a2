"""`kiosk check`: passes on the shipped exhibits, fails naming file and key on broken ones."""

from __future__ import annotations

import logging
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


def test_check_reports_each_problem_once_at_the_line_of_the_open_quote(
    kiosk_dir: Path, capsys: pytest.CaptureFixture, caplog: pytest.LogCaptureFixture
) -> None:
    (kiosk_dir / "exhibits" / "open-quote.yaml").write_text(
        'schema_version: 1\nid: oq\ntitle: "Unclosed\nartist: x\nlabel: "hello"\nimage: a.jpg\n'
    )
    caplog.set_level(logging.INFO)
    assert kiosk_main(["check", str(kiosk_dir)]) == 1  # faces too: the library loads twice
    out, err = capsys.readouterr()
    logged = [r.getMessage() for r in caplog.records if r.levelno >= logging.INFO]
    said = [line for text in (out, err, *logged) for line in text.splitlines()
            if "open-quote.yaml" in line]  # fmt: skip
    assert len(said) == 1, said
    assert "line 3, column 8" in said[0] and "not closed" in said[0]


def test_every_option_of_every_command_is_described() -> None:
    import argparse

    from kiosk.cli import build_parser

    def undescribed(parser: argparse.ArgumentParser, name: str) -> list[str]:
        out = []
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub_name, sub in action.choices.items():
                    out += undescribed(sub, sub_name)
            elif not isinstance(action, argparse._HelpAction) and not action.help:
                out.append(f"{name} {'/'.join(action.option_strings) or action.dest}")
        return out

    assert undescribed(build_parser(), "kiosk") == []


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
