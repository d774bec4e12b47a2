"""Text -> an `Utterance` with Piper: one sentence at a time, each phoneme's time from the
voice's own alignment (samples per phoneme), each word's from the word breaks in the phonemes.

Runs on the speech thread only (SpeechStage): ONNX Runtime synthesises a sentence in a few
tenths of a second, far too long for the display thread.
"""

from __future__ import annotations

import re
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import numpy as np

from kiosk.speech.cache import voice_identity
from kiosk.speech.utterance import Sentence, TimedText, Utterance
from kiosk.speech.visemes import WORD_BREAK
from kiosk.speech.voice_model import patched_model
from kiosk.speech.voices import VoiceError, VoiceFile, unsayable

_SENTENCE_END = re.compile(r"(?<=[.!?;…。])\s+")
# A full stop that ends an abbreviation ("U.S. Navy", "Dr. Smith", "c. 1503") ends no sentence.
_ABBREVIATION = re.compile(
    r"(?:\b(?:[A-Za-z]\.)+|\b(?:Mr|Mrs|Ms|Dr|St|Jr|Sr|Prof|No|ca|c|vol|fig|cf|vs)\.)$"
)
_MAX_SENTENCE_CHARS = 400  # longer "sentences" (no full stops) are cut at a comma or space
_SILENT = frozenset(".,;:!?…—–-\"'()[]«»“”„ ")


# Bump when what this module makes of the voice's output changes (sentences, word times):
# it is part of every cache key, so older cached speech is made again.
UTTERANCE_FORMAT = 2


def engine_version() -> str:
    """The synthesis engine, its version and this module's format (part of every cache key)."""
    try:
        engine = f"piper-tts {version('piper-tts')}"
    except PackageNotFoundError:
        engine = "piper-tts (not installed)"
    return f"{engine}; utterance format {UTTERANCE_FORMAT}"


def split_sentences(text: str) -> list[str]:
    """Caption-sized sentences: at sentence ends and line breaks, long runs cut at a comma."""
    out: list[str] = []
    parts = [
        p for line in text.splitlines() for p in _join_abbreviations(_SENTENCE_END.split(line))
    ]
    for part in parts:
        part = " ".join(part.split())
        while len(part) > _MAX_SENTENCE_CHARS:
            cut = max(part.rfind(", ", 0, _MAX_SENTENCE_CHARS), part.rfind(" ", 0, 300))
            cut = cut if cut > 0 else _MAX_SENTENCE_CHARS
            out.append(part[: cut + 1].strip())
            part = part[cut + 1 :].strip()
        if part:
            out.append(part)
    return out


def _join_abbreviations(parts: list[str]) -> list[str]:
    joined: list[str] = []
    for part in parts:
        if joined and _ABBREVIATION.search(joined[-1]):
            joined[-1] += " " + part
        else:
            joined.append(part)
    return joined


class PiperSynthesizer:
    """One loaded Piper voice; `synthesize` makes an utterance of any text it can say."""

    def __init__(self, voice: VoiceFile, models_dir: Path, threads: int = 1) -> None:
        """`models_dir`: where the voice's patched model is kept (cache/speech-voices)."""
        self.voice = voice
        self.identity = voice_identity(voice)
        model = patched_model(voice, self.identity, models_dir)
        try:
            self._piper = _load_piper(voice, model, threads)
        except Exception as exc:  # ONNX and ONNX Runtime raise their own types for a bad model
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


def _load_piper(voice: VoiceFile, model: Path, threads: int) -> object:
    """A PiperVoice on the patched `model` (voice_model.py), running on `threads` cores.
    PiperVoice.load gives ONNX Runtime every core, and synthesis on both cores of a 2-core
    kiosk PC starves the display thread; one thread leaves it a core."""
    import json

    import onnxruntime
    from piper import PiperVoice
    from piper.config import PiperConfig

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    session = onnxruntime.InferenceSession(
        str(model), sess_options=options, providers=["CPUExecutionProvider"]
    )
    config = PiperConfig.from_dict(json.loads(voice.config.read_text(encoding="utf-8")))
    return PiperVoice(session=session, config=config)


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
