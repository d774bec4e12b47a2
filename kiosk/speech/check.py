"""`kiosk check` for speech: every offered language has a voice, every voice file loads, and
every exhibit's text is something its voice can say."""

from __future__ import annotations

from collections.abc import Iterable

from kiosk.config import KioskConfig
from kiosk.exhibits.library import LoadedExhibit
from kiosk.problems import Problem, display_path
from kiosk.speech.requests import speech_request, voice_name
from kiosk.speech.stage import SpeechRequest
from kiosk.speech.synth import PiperSynthesizer
from kiosk.speech.voices import VoiceError, VoiceFile, find_voice, unsayable


def check_speech(
    config: KioskConfig, config_file: str, exhibits: Iterable[LoadedExhibit]
) -> list[Problem]:
    """Problems with languages, voices and the exhibits' spoken text (loads every voice)."""
    speech = config.speech
    if not speech.enabled:
        return []
    problems: list[Problem] = []
    for language in speech.languages:
        if voice_name(speech, language) is None:
            problems.append(Problem(config_file, "speech.languages", (
                f"no voice for language '{language}': add one under speech.voices (the label "
                "is shown in that language, but not spoken)"
            )))  # fmt: skip
    loaded: dict[str, VoiceFile | str] = {}

    def voice(name: str) -> VoiceFile | str:
        if name not in loaded:
            try:
                found = find_voice(name, speech.voices_dir)
                PiperSynthesizer(found, config.paths.cache / "speech-voices")  # does it load?
                loaded[name] = found
            except VoiceError as exc:
                loaded[name] = str(exc)
        return loaded[name]

    for language, name in speech.voices.items():
        if isinstance(found := voice(name), str):
            problems.append(Problem(config_file, f"speech.voices.{language}", found))
    for exhibit in exhibits:
        problems += _exhibit_problems(exhibit, config, voice)
    return problems


def _exhibit_problems(exhibit: LoadedExhibit, config: KioskConfig, voice) -> list[Problem]:
    problems = []
    where = display_path(exhibit.source_file)
    for language in config.speech.languages:
        request = speech_request(exhibit.spec, language, config.speech)
        if not isinstance(request, SpeechRequest):
            continue  # reported once, for the config
        key = f"speech.{language}" if language in exhibit.spec.speech else "label"
        found = voice(request.voice)
        if isinstance(found, str):
            if language in exhibit.spec.speech and exhibit.spec.speech[language].voice:
                problems.append(Problem(where, f"speech.{language}.voice", found))
            continue
        why = unsayable(request.text, found.family)
        if why is not None:
            problems.append(Problem(where, key, (
                f"the {language} text {why} (voice {request.voice}); translate it, or give "
                f"speech.{language}.text in words the voice can say"
            )))  # fmt: skip
    return problems
