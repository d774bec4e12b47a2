"""Which voice says what: an exhibit and a language -> the request for the speech stage, or
why that language cannot be spoken (no voice configured for it)."""

from __future__ import annotations

from kiosk.config import SpeechConfig
from kiosk.exhibits.schema import Exhibit
from kiosk.speech.stage import SpeechRequest


def voice_name(config: SpeechConfig, language: str) -> str | None:
    """The voice configured for `language` (or for its base language: 'pt' for 'pt-BR')."""
    return config.voices.get(language) or config.voices.get(language.split("-")[0])


def speech_request(spec: Exhibit, language: str, config: SpeechConfig) -> SpeechRequest | str:
    """What the painting says in `language` and in which voice; a message when it cannot."""
    text, how = spec.spoken_in(language)
    voice = how.voice or voice_name(config, language)
    if voice is None:
        return (
            f"no voice for language '{language}': add one under speech.voices in "
            "config.yaml (the label is shown in that language, not spoken)"
        )
    return SpeechRequest(text, voice, how.rate)
