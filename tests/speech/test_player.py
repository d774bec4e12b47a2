"""The mouth and captions follow the audio clock (what the output has played)."""

from __future__ import annotations

import numpy as np

from kiosk.speech.player import SilentOutput, SpeechPlayer
from kiosk.speech.utterance import Sentence, TimedText, Utterance


class FakeAudioClock:
    """An audio output whose played position the test sets (e.g. a stalled sound card)."""

    def __init__(self) -> None:
        self.position: float | None = None
        self.played: list[float] = []

    def play(self, utterance: Utterance, volume: float) -> None:
        self.position = 0.0
        self.played.append(volume)

    def stop(self) -> None:
        self.position = None

    def position_s(self) -> float | None:
        return self.position


def _utterance() -> Utterance:
    # "pa ma": p 0.1-0.2, a 0.2-0.5, m 0.6-0.7, a 0.7-1.0
    phonemes = (
        TimedText("p", 0.1, 0.2), TimedText("a", 0.2, 0.5), TimedText(" ", 0.5, 0.6),
        TimedText("m", 0.6, 0.7), TimedText("a", 0.7, 1.0),
    )  # fmt: skip
    words = (TimedText("pa", 0.1, 0.5), TimedText("ma", 0.6, 1.0))
    return Utterance(
        np.zeros(22050 * 11 // 10, np.int16), 22050, phonemes, (Sentence("pa ma", 0.1, 1.0, words),)
    )


def test_mouth_and_caption_follow_the_audio_clock_not_the_wall_clock():
    clock = FakeAudioClock()
    player = SpeechPlayer(clock, mouth_lead_s=0.0)
    player.play(_utterance(), volume=0.5)
    assert clock.played == [0.5]
    clock.position = 0.15  # inside the p: lips shut, first word
    frame = player.frame()
    assert frame.mouth["jaw_open"] < 0.02 and frame.word == 0
    assert frame.sentence.text == "pa ma"
    clock.position = 0.35  # the open a
    assert player.frame().mouth["jaw_open"] > 0.5
    # The sound card stalls: however many frames pass, the mouth stays where the sound is.
    for _ in range(5):
        assert player.frame().mouth["jaw_open"] > 0.5
    clock.position = 0.65  # the m of the second word
    frame = player.frame()
    assert frame.mouth["jaw_open"] < 0.02 and frame.word == 1


def test_lead_shows_the_mouth_shape_early():
    clock = FakeAudioClock()
    player = SpeechPlayer(clock, mouth_lead_s=0.1)
    player.play(_utterance(), volume=1.0)
    clock.position = 0.55  # 0.1 s before the m is heard, the lips already close on it
    assert player.frame().mouth["jaw_open"] < 0.1


def test_speech_ends_when_the_output_has_played_it_all_and_on_stop():
    clock = FakeAudioClock()
    player = SpeechPlayer(clock, mouth_lead_s=0.0)
    player.play(_utterance(), volume=1.0)
    assert player.speaking
    clock.position = None  # the output reports the end
    assert player.frame() is None and not player.speaking
    player.play(_utterance(), volume=1.0)
    player.stop()
    assert not player.speaking and clock.position is None


def test_silent_output_runs_its_own_clock():
    now = [10.0]
    output = SilentOutput(clock=lambda: now[0])
    output.play(_utterance(), 1.0)
    now[0] = 10.4
    assert abs(output.position_s() - 0.4) < 1e-9
    now[0] = 12.0
    assert output.position_s() is None
