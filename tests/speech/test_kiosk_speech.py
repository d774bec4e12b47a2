"""The kiosk's speech decisions (kiosk.runtime.speech): greeting a visitor, muted hours, a
language switch mid-speech, another painting stopping the words."""

from __future__ import annotations

import shutil
import time
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.exhibits.library import ExhibitLibrary
from kiosk.exhibits.samples import ensure_sample_content
from kiosk.runtime.speech import KioskSpeech
from kiosk.speech.cache import SpeechCache
from kiosk.speech.player import SilentOutput
from kiosk.speech.stage import SpeechStage
from kiosk.speech.voices import bundled_model

pytest.importorskip("piper", reason="piper-tts is a kiosk dependency: pip install -e .")


class RecordingOutput(SilentOutput):
    """A sound card that keeps time like SilentOutput and counts what it was asked to play."""

    def __init__(self) -> None:
        super().__init__()
        self.plays = 0

    def play(self, utterance, volume) -> None:
        super().play(utterance, volume)
        self.plays += 1


def _speech(kiosk_dir: Path, extra: str, now=datetime(2026, 12, 7, 10, 30)):  # a Monday
    (kiosk_dir / "config.yaml").write_text("speech:\n" + extra)
    for name in ("grace-hopper", "astronaut"):
        path = kiosk_dir / "exhibits" / f"{name}.yaml"
        path.write_text(path.read_text() + '\nspeech:\n  en:\n    text: "Hello there."\n')
    config = load_config(kiosk_dir / "config.yaml")
    ensure_sample_content(config.paths.content)
    library = ExhibitLibrary(config.paths.exhibits, config.paths.content, config.limits)
    library.reload()
    stage = SpeechStage(
        config.speech.voices_dir, SpeechCache(config.paths.cache / "speech", 10**8),
        config.paths.cache / "speech-voices",
    )  # fmt: skip
    output = RecordingOutput()
    return KioskSpeech(config.speech, stage, output, "", wall_clock=lambda: now), library, output


def _until_ready(speech, exhibit, live=False) -> None:
    deadline = time.monotonic() + 60
    while speech.stage.ready(speech.request) is None:
        assert time.monotonic() < deadline
        speech.update(time.monotonic(), exhibit, live)
        time.sleep(0.01)


@pytest.mark.parametrize(("greet", "plays"), [(True, 1), (False, 0)])
def test_greets_an_arriving_visitor_only_when_configured(kiosk_dir: Path, greet, plays) -> None:
    speech, library, output = _speech(kiosk_dir, f"  greet: {str(greet).lower()}\n")
    try:
        hopper = library.get("grace-hopper")
        _until_ready(speech, hopper)
        tick = speech.update(time.monotonic(), hopper, live=True)  # a visitor arrives
        assert output.plays == plays and tick.speaking == bool(plays)
        speech.update(time.monotonic(), hopper, live=True)  # still there: no second greeting
        assert output.plays == plays
    finally:
        speech.close()


def test_muted_hours_play_no_sound_but_still_caption(kiosk_dir: Path) -> None:
    speech, library, output = _speech(kiosk_dir, '  muted_hours: {mon: "10:00-11:00"}\n')
    try:
        hopper = library.get("grace-hopper")
        _until_ready(speech, hopper)
        speech.tap("listen", time.monotonic())
        assert speech.update(time.monotonic(), hopper, False).speaking
        assert output.plays == 0 and speech.view().status == "Captions only"
    finally:
        speech.close()


def test_another_painting_stops_the_words(kiosk_dir: Path) -> None:
    speech, library, output = _speech(kiosk_dir, "  greet: false\n")
    try:
        hopper, astronaut = library.get("grace-hopper"), library.get("astronaut")
        _until_ready(speech, hopper)
        speech.tap("listen", time.monotonic())
        assert speech.update(time.monotonic(), hopper, False).speaking
        assert not speech.update(time.monotonic(), astronaut, False).speaking
    finally:
        speech.close()


def test_a_broken_voice_is_tried_again_once_the_curator_replaces_it(kiosk_dir: Path) -> None:
    voices = kiosk_dir / "models" / "voices"
    voices.mkdir(parents=True)
    good_model, good_config = bundled_model()
    shutil.copy(good_config, voices / "mended.onnx.json")
    (voices / "mended.onnx").write_bytes(b"not an onnx model" * 1000)  # corrupt
    speech, library, output = _speech(kiosk_dir, "  voices: {en: mended.onnx}\n")
    try:
        hopper = library.get("grace-hopper")
        problems = _until(speech, hopper, lambda: speech.problems())
        assert "mended.onnx: the voice does not load" in problems[0]
        assert "replace the file" in problems[0]
        assert speech.stage.ready(speech.request) is None

        shutil.copy(good_model, voices / "mended.onnx")  # no restart
        _until(speech, hopper, lambda: speech.stage.ready(speech.request))
        assert speech.problems() == []  # the curator panel's message is gone
        speech.tap("listen", time.monotonic())
        assert speech.update(time.monotonic(), hopper, False).speaking and output.plays == 1
    finally:
        speech.close()


def _until(speech, exhibit, condition):
    """Run the kiosk's speech frames until `condition()` is truthy (or fail after a minute)."""
    deadline = time.monotonic() + 60
    while not (found := condition()):
        assert time.monotonic() < deadline, "gave up waiting"
        speech.update(time.monotonic(), exhibit, False)
        time.sleep(0.01)
    return found
