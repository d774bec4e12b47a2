"""What a voice said: the audio, and when each phoneme, word and sentence of it is heard.

One `Utterance` is what the synthesiser makes, the cache stores and the player plays; every
time in it is seconds from the first audio sample, so the mouth and the captions follow the
audio clock, not the wall clock.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class TimedText:
    """A phoneme (IPA, as the voice gives it), a word or a sentence, and when it is heard."""

    text: str
    start_s: float
    end_s: float

    @property
    def centre_s(self) -> float:
        return (self.start_s + self.end_s) / 2


@dataclass(frozen=True, slots=True)
class Sentence:
    """One caption: the sentence as written, its words in order, when it is heard."""

    text: str
    start_s: float
    end_s: float
    words: tuple[TimedText, ...]


@dataclass(frozen=True)
class Utterance:
    """Mono 16-bit audio with its phoneme, word and sentence timings."""

    audio: np.ndarray  # int16, mono
    sample_rate: int
    phonemes: tuple[TimedText, ...]
    sentences: tuple[Sentence, ...]

    @property
    def duration_s(self) -> float:
        return len(self.audio) / self.sample_rate

    def to_bytes(self) -> bytes:
        """The utterance as one .npz file's bytes (for the on-disk cache)."""
        meta = {
            "sample_rate": self.sample_rate,
            "phonemes": [[p.text, p.start_s, p.end_s] for p in self.phonemes],
            "sentences": [
                [s.text, s.start_s, s.end_s, [[w.text, w.start_s, w.end_s] for w in s.words]]
                for s in self.sentences
            ],
        }
        buffer = io.BytesIO()
        np.savez(buffer, audio=self.audio.astype(np.int16), meta=np.array(json.dumps(meta)))
        return buffer.getvalue()

    @classmethod
    def from_bytes(cls, data: bytes) -> Utterance:
        """Read what `to_bytes` wrote; raises ValueError (or KeyError) on anything else."""
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            audio = np.asarray(npz["audio"], dtype=np.int16)
            meta = json.loads(str(npz["meta"]))
        return cls(
            audio=audio,
            sample_rate=int(meta["sample_rate"]),
            phonemes=tuple(TimedText(str(t), float(a), float(b)) for t, a, b in meta["phonemes"]),
            sentences=tuple(
                Sentence(
                    str(text),
                    float(a),
                    float(b),
                    tuple(TimedText(str(w), float(x), float(y)) for w, x, y in words),
                )  # fmt: skip
                for text, a, b, words in meta["sentences"]
            ),
        )

    def caption_at(self, t: float) -> tuple[Sentence | None, int]:
        """The sentence heard at `t` (or the last one begun) and its current word's index
        (-1 before its first word)."""
        current: Sentence | None = None
        for sentence in self.sentences:
            if sentence.start_s <= t:
                current = sentence
        if current is None or t > current.end_s + 0.5:
            return None, -1
        word = -1
        for i, w in enumerate(current.words):
            if w.start_s <= t:
                word = i
        return current, word
