"""Speech in the running kiosk: which exhibit and language to say, the Listen / Stop /
language buttons, greeting a visitor, muted hours, and what the mouth and captions show.

Synthesis happens on the speech stage's thread (prepared as soon as an exhibit is shown, so
a Listen tap finds it ready); this object only decides and plays, on the display thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from kiosk.config import KioskConfig, SpeechConfig, muted_schedule
from kiosk.display import SpeechView
from kiosk.exhibits.library import LoadedExhibit
from kiosk.speech.cache import SpeechCache
from kiosk.speech.player import (
    AudioOutput,
    MixerOutput,
    SilentOutput,
    SpeechFrame,
    SpeechPlayer,
)
from kiosk.speech.requests import speech_request
from kiosk.speech.stage import SpeechRequest, SpeechStage

log = logging.getLogger(__name__)

WANT_TIMEOUT_S = 30.0  # a Listen tap waits this long for its synthesis, then gives up


@dataclass(frozen=True, slots=True)
class SpeechTick:
    """Speech's part of one frame: the mouth controls (None: not speaking) and whether a
    speech is playing (the director blends the mouth by it)."""

    mouth: dict[str, float] | None
    speaking: bool


def open_audio() -> tuple[AudioOutput | None, str]:
    """The sound card through pygame.mixer, or None and why (the kiosk then shows captions)."""
    try:
        return MixerOutput.open(), ""
    except Exception as exc:  # pygame.error: no device, no driver, device busy
        return None, (
            f"no sound: the audio device did not open ({exc}); captions are shown without "
            "sound. Check the speakers and the system's audio output, then restart the kiosk"
        )


class KioskSpeech:
    def __init__(
        self,
        config: SpeechConfig,
        stage: SpeechStage,
        audio: AudioOutput | None,
        why_silent: str,
        wall_clock: Callable[[], datetime] = datetime.now,
    ) -> None:
        self.config = config
        self.stage = stage
        self._audio = audio
        self._silent = SilentOutput()
        self.why_silent = why_silent
        self._muted = muted_schedule(config.muted_hours)
        self._wall_clock = wall_clock
        self.player = SpeechPlayer(audio or self._silent, config.mouth_lead_s)
        self.language = config.default
        self._shown: tuple[str, str] | None = None  # exhibit id, language
        self._request: SpeechRequest | str | None = None  # for the exhibit shown
        self._playing: SpeechRequest | None = None
        self._wanted: tuple[SpeechRequest, float] | None = None  # asked for at
        self._was_live = False
        self._mouth: dict[str, float] | None = None
        self._frame: SpeechFrame | None = None  # as sampled this frame
        self._resume = False
        self._request_for_spec: tuple[object, str] = (None, "")
        self._request_cached: SpeechRequest | str = ""

    @classmethod
    def from_config(cls, config: KioskConfig) -> KioskSpeech:
        cache = SpeechCache(config.paths.cache / "speech", config.speech.cache_max_mb * 1_000_000)
        audio, why = open_audio()
        if audio is None:
            log.warning("%s", why)
        stage = SpeechStage(config.speech.voices_dir, cache, config.paths.cache / "speech-voices")
        return cls(config.speech, stage, audio, why)

    # -- input ----------------------------------------------------------------------------

    @property
    def request(self) -> SpeechRequest | str | None:
        """What the painting shown would say (a request), why it cannot (a message), or None."""
        return self._request

    @property
    def frame(self) -> SpeechFrame | None:
        """Speech as sampled this frame (mouth, sentence, word), None when silent."""
        return self._frame

    def tap(self, button: str | None, now: float) -> None:
        """A speech button: "listen", "stop", "toggle" (listen or stop), "lang:CODE"."""
        if button == "stop" or (button == "toggle" and self.player.speaking):
            self.stop()
        elif button in ("listen", "toggle"):
            self.listen(now)
        elif button is not None and button.startswith("lang:"):
            language = button.removeprefix("lang:")
            if language in self.config.languages and language != self.language:
                speaking = self.player.speaking or self._wanted is not None
                self.language = language
                self.stop()
                self._shown = None  # prepare the new language at the next update
                self._resume = speaking  # say it in the new language once prepared

    def listen(self, now: float) -> None:
        if isinstance(self._request, SpeechRequest):
            self._wanted = (self._request, now)

    def stop(self) -> None:
        self.player.stop()
        self._playing = None
        self._wanted = None

    # -- per frame ------------------------------------------------------------------------

    def update(self, now: float, exhibit: LoadedExhibit | None, live: bool) -> SpeechTick:
        """Follow the exhibit shown (its text, its language), start what is wanted once it is
        synthesised, greet a visitor who just arrived (speech.greet), and sample the mouth."""
        self._follow(exhibit, now)
        if self._resume:
            self._resume = False
            self.listen(now)
        arrived, self._was_live = live and not self._was_live, live
        if arrived and self.config.greet and not self.player.speaking:
            self.listen(now)
        self._start_wanted(now)
        self._frame = frame = self.player.frame()
        if frame is None:
            self._playing = None
            return SpeechTick(self._mouth, False)  # the last shape, while the mouth blends back
        self._mouth = frame.mouth
        return SpeechTick(frame.mouth, True)

    def _follow(self, exhibit: LoadedExhibit | None, now: float) -> None:
        if not self.config.enabled or exhibit is None:
            self._request, self._shown = None, None
            self.stop()
            return
        shown = (exhibit.id, self.language)
        request = self._request_for(exhibit)
        if shown != self._shown:
            self.stop()  # another painting, or another language: the old words stop
        elif request != self._request and self._playing is not None:
            # The label was edited while it was being read: say the new text instead.
            self.stop()
            self._wanted = (request, now) if isinstance(request, SpeechRequest) else None
        self._shown = shown
        if request != self._request:
            self._request = request
            if isinstance(request, SpeechRequest):
                self.stage.prepare(request)

    def _request_for(self, exhibit: LoadedExhibit) -> SpeechRequest | str:
        """What to say for `exhibit` in the current language, worked out again only when the
        exhibit's spec (a new object after every reload that changed it) or language changes."""
        spec, language = self._request_for_spec
        if spec is not exhibit.spec or language != self.language:
            self._request_for_spec = (exhibit.spec, self.language)
            self._request_cached = speech_request(exhibit.spec, self.language, self.config)
        return self._request_cached

    def _start_wanted(self, now: float) -> None:
        if self._wanted is None:
            return
        request, asked_at = self._wanted
        utterance = self.stage.ready(request)
        if utterance is None:
            if self.stage.error(request) or now - asked_at > WANT_TIMEOUT_S:
                self._wanted = None
            elif not self.stage.pending(request):
                self.stage.prepare(request)  # pushed out of the results by other texts
            return
        self._wanted = None
        self.player.output = self._output_now()
        self.player.play(utterance, self.config.volume)
        self._playing = request

    def _output_now(self) -> AudioOutput:
        if self._audio is None or self._muted.is_open(self._wall_clock()):
            return self._silent  # muted hours: captions and mouth, no sound
        return self._audio

    # -- what is shown --------------------------------------------------------------------

    def view(self) -> SpeechView | None:
        """The speech buttons and caption for the overlay (None: speech is off)."""
        if not self.config.enabled:
            return None
        frame_words: tuple[str, ...] = ()
        word = -1
        sampled = self._frame if self.player.speaking else None
        if sampled is not None and sampled.sentence is not None:
            frame_words = tuple(w.text for w in sampled.sentence.words)
            word = sampled.word
        status = ""
        if self._wanted is not None:
            status = "Preparing…"
        elif isinstance(self._request, str):
            status = "No voice for this language"
        elif self.player.speaking and self.player.output is self._silent:
            status = "Captions only"
        return SpeechView(
            languages=self.config.languages,
            language=self.language,
            speaking=self.player.speaking or self._wanted is not None,
            can_listen=isinstance(self._request, SpeechRequest),
            status=status,
            caption_words=frame_words,
            word=word,
        )

    def problems(self) -> list[str]:
        """For the curator panel: no sound, and why the shown text cannot be said."""
        lines = [self.why_silent] if self.why_silent else []
        if isinstance(self._request, str):
            lines.append(self._request)
        elif isinstance(self._request, SpeechRequest):
            error = self.stage.error(self._request)
            if error:
                lines.append(f"speech ({self.language}): {error}")
        return lines

    def close(self) -> None:
        self.stop()
        self.stage.close()
