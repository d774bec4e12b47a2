"""The kiosk speaks, headless (SDL's dummy audio driver): Listen -> sound, mouth and captions;
Stop; a label edited mid-speech; no audio device; a language without a voice."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pygame
import pytest

from kiosk.config import load_config
from kiosk.runtime.options import RunOptions
from kiosk.runtime.wiring import build_kiosk
from kiosk.speech.player import MixerOutput, SilentOutput
from tests.conftest import REPO_ROOT

pytest.importorskip("piper", reason="piper-tts is a kiosk dependency: pip install -e .")

SPEECH = '\nspeech:\n  en:\n    text: "{text}"\n'


@pytest.fixture
def kiosk_dir(tmp_path: Path) -> Path:
    shutil.copytree(REPO_ROOT / "exhibits", tmp_path / "exhibits")
    (tmp_path / "content").mkdir()
    (tmp_path / "config.yaml").write_text(
        "display: {fullscreen: false, size: [960, 540], fps: 60}\n"
        "speech: {languages: [en, de], default: en}\n"
    )
    _say(tmp_path, "Mama bought a map. Bob packed a bag.")
    return tmp_path


def _say(kiosk_dir: Path, text: str) -> None:
    path = kiosk_dir / "exhibits" / "grace-hopper.yaml"
    original = path.read_text().split("\nspeech:")[0]
    path.write_text(original + SPEECH.format(text=text))


def _tick_until(app, condition, timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        app.tick(time.monotonic())
        time.sleep(1 / 60)  # the display rate: the speech thread gets its turn


def _click(app, button: str) -> None:
    rect = next(r for r, name in app.display.overlay.speech_targets if name == button)
    w, h = app.display.size
    for kind in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP):
        pygame.event.post(pygame.event.Event(kind, pos=rect.center, button=1))


def _started(kiosk_dir: Path):
    app = build_kiosk(
        load_config(kiosk_dir / "config.yaml"), RunOptions(headless=True, no_camera=True)
    )
    app.start(time.monotonic())
    app.director.show("grace-hopper", time.monotonic())
    app.director.toggle_label(time.monotonic())
    return app


def test_listen_speaks_with_mouth_and_captions_then_stop(kiosk_dir: Path) -> None:
    app = _started(kiosk_dir)
    try:
        speech = app.speech
        _tick_until(app, lambda: speech.stage.ready(speech.request) is not None)
        assert isinstance(speech.player.output, MixerOutput)  # the dummy driver is a device
        _click(app, "listen")
        _tick_until(app, lambda: speech.player.speaking)
        weights, jaws, captions = [], [], set()
        for _ in range(60):
            app.tick(time.monotonic())
            scene = app.director.update(time.monotonic(), False)
            weights.append(scene.speech_weight)
            if speech.frame is not None:
                jaws.append(speech.frame.mouth["jaw_open"])
                captions.add(" ".join(speech.view().caption_words))
            time.sleep(1 / 60)
        assert max(weights) == 1.0  # speech owns the mouth ...
        assert max(jaws) > 0.3 and min(jaws) < 0.05  # ... which opens and shuts
        assert "captions" in app.display.overlay.rects
        assert captions & {"Mama bought a map.", "Bob packed a bag."}
        assert [name for _, name in app.display.overlay.speech_targets] == [
            "stop", "lang:en", "lang:de",
        ]  # fmt: skip
        _click(app, "stop")
        _tick_until(app, lambda: not speech.player.speaking)
        _tick_until(app, lambda: app.director.update(time.monotonic(), False).speech_weight == 0)
    finally:
        app.close()


def test_a_label_edited_mid_speech_is_said_anew(kiosk_dir: Path) -> None:
    app = _started(kiosk_dir)
    try:
        speech = app.speech
        _tick_until(app, lambda: speech.stage.ready(speech.request) is not None)
        speech.tap("listen", time.monotonic())
        _tick_until(app, lambda: speech.player.speaking)
        _say(kiosk_dir, "Pam made a new map.")
        app.reload_now(time.monotonic())
        _tick_until(app, lambda: speech.frame is not None and speech.frame.sentence is not None
                    and speech.frame.sentence.text == "Pam made a new map.")  # fmt: skip
    finally:
        app.close()


def test_no_audio_device_shows_captions_and_says_why(
    kiosk_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_device(*_args):
        raise pygame.error("No available audio device")

    monkeypatch.setattr(MixerOutput, "open", staticmethod(no_device))
    app = _started(kiosk_dir)
    try:
        speech = app.speech
        assert any("no sound" in line and "No available audio device" in line
                   for line in app.problems())  # fmt: skip
        _tick_until(app, lambda: speech.stage.ready(speech.request) is not None)
        speech.tap("listen", time.monotonic())
        _tick_until(app, lambda: speech.frame is not None and speech.frame.sentence is not None)
        assert isinstance(speech.player.output, SilentOutput)
        assert speech.view().status == "Captions only"
    finally:
        app.close()


def test_a_language_without_a_voice_and_an_unknown_one(kiosk_dir: Path) -> None:
    app = _started(kiosk_dir)
    try:
        speech = app.speech
        speech.tap("lang:xx", time.monotonic())  # not offered: nothing changes
        assert speech.language == "en"
        speech.tap("lang:de", time.monotonic())
        app.tick(time.monotonic())
        assert speech.language == "de"
        assert not speech.view().can_listen
        assert any("no voice for language 'de'" in line for line in app.problems())
        speech.tap("listen", time.monotonic())
        app.tick(time.monotonic())
        assert not speech.player.speaking
    finally:
        app.close()
