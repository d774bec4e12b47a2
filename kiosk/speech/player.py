"""Playing an utterance: the sound through pygame.mixer, and the clock the mouth and the
captions follow, which is what the mixer has played, not the wall clock.

Without an audio device (or in muted hours) the captions and the mouth still run, on a clock
that starts when the speech does; `why_silent` says why, for the curator panel.
"""

from __future__ import annotations

import io
import logging
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from kiosk.speech.utterance import Sentence, Utterance
from kiosk.speech.visemes import MouthTrack, mouth_track

log = logging.getLogger(__name__)


class AudioOutput(Protocol):
    """Where the sound goes, and how much of it has been played."""

    def play(self, utterance: Utterance, volume: float) -> None: ...
    def stop(self) -> None: ...
    def position_s(self) -> float | None:
        """Seconds of the utterance played so far; None once it has ended (or stopped)."""
        ...


def _wav_bytes(utterance: Utterance) -> io.BytesIO:
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(utterance.sample_rate)
        wav.writeframes(utterance.audio.tobytes())
    buffer.seek(0)
    return buffer


class MixerOutput:
    """pygame.mixer's music channel: its position counts the samples the mixer has handed to
    the sound card (SDL_mixer's post-mix callback), so the mouth follows the sound itself."""

    def __init__(self) -> None:
        import pygame

        self._music = pygame.mixer.music
        self._playing = False

    @staticmethod
    def open(sample_rate: int = 22050) -> MixerOutput:
        """The mixer, opened for the voices' rate; raises pygame.error without a device."""
        import pygame

        if not pygame.mixer.get_init():
            # A small buffer (512 samples, 23 ms at 22 kHz): the sound starts soon after a tap.
            pygame.mixer.init(frequency=sample_rate, size=-16, channels=1, buffer=512)
        return MixerOutput()

    def play(self, utterance: Utterance, volume: float) -> None:
        self._music.load(_wav_bytes(utterance), "wav")
        self._music.set_volume(volume)
        self._music.play()
        self._playing = True

    def stop(self) -> None:
        self._music.stop()
        self._music.unload()
        self._playing = False

    def position_s(self) -> float | None:
        if not self._playing or not self._music.get_busy():
            self._playing = False
            return None
        return max(0.0, self._music.get_pos() / 1000.0)


class SilentOutput:
    """No sound: the clock runs from the moment the speech starts (captions only)."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._started: float | None = None
        self._duration = 0.0

    def play(self, utterance: Utterance, volume: float) -> None:
        self._started, self._duration = self._clock(), utterance.duration_s

    def stop(self) -> None:
        self._started = None

    def position_s(self) -> float | None:
        if self._started is None:
            return None
        t = self._clock() - self._started
        if t > self._duration:
            self._started = None
            return None
        return t


@dataclass(frozen=True, slots=True)
class SpeechFrame:
    """What speech shows in one displayed frame."""

    mouth: dict[str, float]  # the mouth controls (kiosk.motion.controls names)
    sentence: Sentence | None  # the caption
    word: int  # the index of the word being said in it, -1 before the first


class SpeechPlayer:
    """Plays one utterance at a time; `frame()` samples it at the output's clock."""

    def __init__(self, output: AudioOutput, mouth_lead_s: float) -> None:
        self.output = output
        self._lead = mouth_lead_s
        self._current: tuple[Utterance, MouthTrack] | None = None

    def play(self, utterance: Utterance, volume: float) -> None:
        self.stop()
        track = mouth_track(utterance.phonemes, self._lead)
        self._current = (utterance, track)
        self.output.play(utterance, volume)

    def stop(self) -> None:
        if self._current is not None:
            self.output.stop()
            self._current = None

    @property
    def speaking(self) -> bool:
        return self._current is not None

    def frame(self) -> SpeechFrame | None:
        """The mouth and caption now, or None when nothing is being said (it just ended)."""
        if self._current is None:
            return None
        t = self.output.position_s()
        if t is None:
            self._current = None
            return None
        utterance, track = self._current
        sentence, word = utterance.caption_at(t)
        return SpeechFrame(track.controls_at(t), sentence, word)
