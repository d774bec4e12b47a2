"""`kiosk speak`: the speaking painting as an MP4 with sound, its phonemes, its lip sync."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from kiosk.cli import main as kiosk_main

pytest.importorskip("piper", reason="piper-tts is a kiosk dependency: pip install -e .")
imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")

SHORT = """
speech:
  en:
    text: "Mama made maps. Bob found a pot by the barn, and Pam saw a big bottle."
"""


def _streams(video: Path) -> str:
    probe = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-i", str(video)],
        capture_output=True, text=True,
    )  # fmt: skip
    return probe.stderr


def test_speak_writes_a_browser_playable_mp4_and_phonemes_and_the_lips_sync(
    kiosk_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    exhibit = kiosk_dir / "exhibits" / "grace-hopper.yaml"
    exhibit.write_text(exhibit.read_text() + SHORT)
    monkeypatch.chdir(kiosk_dir)
    out = kiosk_dir / "out" / "hopper.mp4"
    code = kiosk_main(["speak", "--exhibit", "grace-hopper", "--out", str(out), "--measure"])
    printed = capsys.readouterr().out
    assert code == 0, printed
    streams = _streams(out)
    assert "Video: h264" in streams and "yuv420p" in streams and "Audio: aac" in streams
    data = json.loads(out.with_suffix(".json").read_text())
    phonemes = data["phonemes"]
    assert [p for p, _, _ in phonemes[:3]] == ["m", "ˈ", "ɑ"]
    # On the video's clock: after the lead-in of idle motion, in order, within the video.
    assert 0.5 < phonemes[0][1] < phonemes[-1][2] < data["lip_sync"]["frames"] / 30
    sync = data["lip_sync"]
    assert sync["passed"] and sync["bilabials"] >= 10
    assert "lip sync PASS" in printed


def test_speak_refuses_a_language_not_offered(kiosk_dir, monkeypatch, capsys) -> None:
    monkeypatch.chdir(kiosk_dir)
    code = kiosk_main(["speak", "--exhibit", "grace-hopper", "--lang", "xx", "--out", "o.mp4"])
    assert code == 1
    assert "speech.languages" in capsys.readouterr().err


def test_speak_says_why_a_language_has_no_voice(kiosk_dir, monkeypatch, capsys) -> None:
    config = kiosk_dir / "config.yaml"
    config.write_text(config.read_text().replace("languages: [en]", "languages: [en, de]"))
    monkeypatch.chdir(kiosk_dir)
    code = kiosk_main(["speak", "--exhibit", "grace-hopper", "--lang", "de", "--out", "o.mp4"])
    assert code == 1
    assert "no voice for language 'de'" in capsys.readouterr().err
