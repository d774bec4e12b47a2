"""Text -> an `Utterance` with Piper: one sentence at a time, each phoneme's time from the
voice's own alignment (samples per phoneme), each word's from the word breaks in the phonemes.

Runs on the speech thread only (SpeechStage): ONNX Runtime synthesises a sentence in a few
tenths of a second, far too long for the display thread.
"""

from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError, version

import numpy as np

from kiosk.speech.utterance import Sentence, TimedText, Utterance
from kiosk.speech.visemes import WORD_BREAK
from kiosk.speech.voices import VoiceError, VoiceFile, unsayable

_SENTENCE_END = re.compile(r"(?<=[.!?;…。])\s+|\n+")
_MAX_SENTENCE_CHARS = 400  # longer "sentences" (no full stops) are cut at a comma or space
_SILENT = frozenset(".,;:!?…—–-\"'()[]«»“”„ ")


def engine_version() -> str:
    """The synthesis engine and its version (part of every cache key)."""
    try:
        return f"piper-tts {version('piper-tts')}"
    except PackageNotFoundError:
        return "piper-tts (not installed)"


def split_sentences(text: str) -> list[str]:
    """Caption-sized sentences: at sentence ends and line breaks, long runs cut at a comma."""
    out: list[str] = []
    for part in _SENTENCE_END.split(text):
        part = " ".join(part.split())
        while len(part) > _MAX_SENTENCE_CHARS:
            cut = max(part.rfind(", ", 0, _MAX_SENTENCE_CHARS), part.rfind(" ", 0, 300))
            cut = cut if cut > 0 else _MAX_SENTENCE_CHARS
            out.append(part[: cut + 1].strip())
            part = part[cut + 1 :].strip()
        if part:
            out.append(part)
    return out


class PiperSynthesizer:
    """One loaded Piper voice; `synthesize` makes an utterance of any text it can say."""

    def __init__(self, voice: VoiceFile) -> None:
        from piper import PiperVoice

        self.voice = voice
        try:
            # include_alignments patches the model in memory (needs `onnx`) so that it also
            # returns how many audio samples each phoneme lasts.
            self._piper = PiperVoice.load(voice.model, voice.config, include_alignments=True)
        except Exception as exc:  # ONNX Runtime raises its own types for a corrupt model
            raise VoiceError(
                f"{voice.model}: the voice does not load ({type(exc).__name__}: "
                f"{str(exc)[:200]}); replace the file"
            ) from exc
        self.sample_rate = int(self._piper.config.sample_rate)

    def synthesize(self, text: str, rate: float = 1.0) -> Utterance:
        """Speech for `text` at `rate` (1 = the voice's pace); raises VoiceError if the voice
        cannot say it."""
        from piper import SynthesisConfig

        why = unsayable(text, self.voice.family)
        if why is not None:
            raise VoiceError(f"the text {why}")
        config = SynthesisConfig(length_scale=1.0 / rate)
        audio: list[np.ndarray] = []
        phonemes: list[TimedText] = []
        sentences: list[Sentence] = []
        at = 0  # samples so far
        for sentence in split_sentences(text):
            start = at
            said: list[TimedText] = []
            for chunk in self._piper.synthesize(sentence, config, include_alignments=True):
                samples = chunk.audio_int16_array
                said += self._timings(chunk, at)
                audio.append(samples)
                at += len(samples)
            if at > start:
                phonemes += said
                sentences.append(
                    Sentence(sentence, start / self.sample_rate, at / self.sample_rate,
                             word_times(sentence, said, start / self.sample_rate,
                                        at / self.sample_rate))
                )  # fmt: skip
        if not audio:
            raise VoiceError("the text has nothing the voice can say")
        return Utterance(np.concatenate(audio), self.sample_rate, tuple(phonemes), tuple(sentences))

    def _timings(self, chunk: object, offset: int) -> list[TimedText]:
        """The chunk's phonemes on the utterance's clock: the voice's alignment when it gives
        one, else the chunk's time shared evenly (the mouth then only roughly follows)."""
        rate = self.sample_rate
        alignments = getattr(chunk, "phoneme_alignments", None)
        n_samples = len(chunk.audio_int16_array)  # type: ignore[attr-defined]
        if alignments:
            pairs = [(a.phoneme, a.num_samples) for a in alignments]
        else:
            symbols = ["^", *chunk.phonemes, "$"]  # type: ignore[attr-defined]
            pairs = [(p, n_samples / len(symbols)) for p in symbols]
        out, at = [], float(offset)
        for symbol, count in pairs:
            if symbol not in ("^", "$"):  # the voice's start and end markers: silence
                out.append(TimedText(symbol, at / rate, (at + count) / rate))
            at += count
        return out


def word_times(
    sentence: str, phonemes: list[TimedText], start_s: float, end_s: float
) -> tuple[TimedText, ...]:
    """When each written word of `sentence` is heard. Words are matched to the runs of
    phonemes between word breaks when their counts agree; otherwise (numbers read as several
    words, abbreviations) the sounded time is shared by the words' lengths."""
    words = sentence.split()
    runs: list[tuple[float, float]] = []
    current: list[TimedText] = []
    for p in [*phonemes, TimedText(WORD_BREAK, end_s, end_s)]:
        if p.text == WORD_BREAK:
            sounded = [q for q in current if q.text not in _SILENT]
            if sounded:
                runs.append((sounded[0].start_s, sounded[-1].end_s))
            current = []
        else:
            current.append(p)
    if len(runs) == len(words):
        return tuple(TimedText(w, a, b) for w, (a, b) in zip(words, runs, strict=True))
    first = runs[0][0] if runs else start_s
    last = runs[-1][1] if runs else end_s
    weights = np.array([len(w) + 1 for w in words], float)
    edges = first + (last - first) * np.concatenate([[0], np.cumsum(weights) / weights.sum()])
    return tuple(TimedText(w, float(edges[i]), float(edges[i + 1])) for i, w in enumerate(words))
