"""Phonemes (IPA) -> visemes (mouth shapes) -> the face controls, over time.

Each phoneme the voice gives maps to a viseme: a target for the mouth controls (jaw_open,
smile, pucker, lip_tuck of kiosk.motion.controls) and a dominance, how strongly it holds its
shape against its neighbours. Co-articulation follows Cohen and Massaro (1993): the mouth at
time t is the dominance-weighted mean of every nearby phoneme's target, each dominance flat
over its phoneme and falling off exponentially outside it, so a vowel shapes the consonants
around it and a short consonant barely dents a vowel. Then the lips close fully at every
p, b and m (a closure envelope multiplies the jaw down), which no averaging guarantees.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kiosk.speech.utterance import TimedText

MOUTH_CONTROLS = ("jaw_open", "smile", "pucker", "lip_tuck", "lips_press")
TRACK_RATE_HZ = 100.0  # mouth controls are sampled every 10 ms and interpolated between
FALL_OFF_S = 0.045  # a phoneme's dominance falls to 1/e this far outside it
CLOSURE_SPREAD_S = 0.02  # the lips are shut over a bilabial and this long either side of it


@dataclass(frozen=True, slots=True)
class Viseme:
    """A mouth shape: control targets (missing = 0) and how strongly it holds against its
    neighbours (1 = an ordinary vowel)."""

    name: str
    targets: dict[str, float]
    dominance: float


def _v(name: str, dominance: float, **targets: float) -> Viseme:
    return Viseme(name, targets, dominance)


REST = _v("rest", 0.7)  # silence, pauses, punctuation: lips together, relaxed
# Symbols of the voice that are not sounds of their own: stress marks belong to the phoneme
# after them, length and other modifiers to the one before.
STRESS_MARKS = frozenset("ˈˌ")
MODIFIERS = frozenset("ːˑ̃ʰʲʷ̩̯͡‿ˀ")
WORD_BREAK = " "

_GROUPS: tuple[tuple[str, Viseme], ...] = (
    # Lips shut (p, b, m): the closure envelope below makes sure they meet.
    ("pbmɱ", _v("bilabial", 2.0, pucker=0.1)),
    # Lower lip to the upper teeth (f, v).
    ("fvʋ", _v("labiodental", 2.0, jaw_open=0.06, lip_tuck=1.0)),
    ("θð", _v("dental", 1.5, jaw_open=0.16)),
    ("tdnlszɾɬɮ", _v("alveolar", 0.9, jaw_open=0.14, smile=0.1)),
    ("ʃʒɕʑ", _v("postalveolar", 1.5, jaw_open=0.14, pucker=0.5)),
    ("kɡgŋxɣqɢχ", _v("velar", 0.7, jaw_open=0.22)),
    ("hɦʔ", _v("glottal", 0.25, jaw_open=0.3)),
    ("ɹrɻʀʁɚɝ", _v("rhotic", 1.0, jaw_open=0.2, pucker=0.35)),
    ("wʍɥ", _v("rounded_glide", 2.0, jaw_open=0.08, pucker=0.8)),
    ("jʎ", _v("palatal_glide", 1.0, jaw_open=0.14, smile=0.35)),
    # Vowels: the jaw by openness, the lips spread (front) or rounded (back rounded).
    ("aɑɐʌäɶ", _v("open", 1.3, jaw_open=0.72, smile=0.05)),
    ("æ", _v("open_front", 1.3, jaw_open=0.62, smile=0.2)),
    ("ɒɔ", _v("open_rounded", 1.3, jaw_open=0.6, pucker=0.4)),
    ("eɛ", _v("mid_front", 1.2, jaw_open=0.4, smile=0.3)),
    ("øœ", _v("mid_front_rounded", 1.2, jaw_open=0.38, pucker=0.55)),
    ("əɜɘɵᵻ", _v("mid_central", 0.8, jaw_open=0.34)),
    ("oɤ", _v("mid_back", 1.2, jaw_open=0.4, pucker=0.6)),
    ("iɪɨ", _v("close_front", 1.1, jaw_open=0.18, smile=0.45)),
    ("yʏ", _v("close_front_rounded", 1.1, jaw_open=0.16, pucker=0.7)),
    ("uʊɯ", _v("close_back", 1.1, jaw_open=0.15, pucker=0.75)),
)
VISEME_OF: dict[str, Viseme] = {ch: vis for chars, vis in _GROUPS for ch in chars}
OPEN_VOWELS = frozenset("aɑæɐʌɒɔ")  # the open vowels, for the lip-sync measure
BILABIALS = frozenset("pbm")


def viseme_for(phoneme: str) -> Viseme:
    """The viseme of one IPA symbol; anything unknown (punctuation, pauses) is the rest shape."""
    return VISEME_OF.get(phoneme, REST)


def sounded_segments(phonemes: Sequence[TimedText]) -> list[tuple[Viseme, float, float]]:
    """Each phoneme's viseme over its time, with stress marks given to the phoneme after them
    and length marks to the one before (they carry time in the voice's alignment)."""
    segments: list[tuple[Viseme, float, float]] = []
    pending_start: float | None = None  # a stress mark's start, waiting for its phoneme
    for p in phonemes:
        if p.text in STRESS_MARKS:
            pending_start = p.start_s if pending_start is None else pending_start
            continue
        if p.text in MODIFIERS and segments:
            vis, start, _ = segments[-1]
            segments[-1] = (vis, start, p.end_s)
            continue
        start = p.start_s if pending_start is None else pending_start
        pending_start = None
        # A word break (a short space in the stream) shapes nothing of its own: it takes the
        # rest shape only weakly, so neighbours keep the mouth moving through it.
        vis = _v("word_break", 0.15) if p.text == WORD_BREAK else viseme_for(p.text)
        segments.append((vis, start, p.end_s))
    return segments


@dataclass(frozen=True)
class MouthTrack:
    """The mouth controls sampled at TRACK_RATE_HZ from time 0 (seconds of audio)."""

    values: np.ndarray  # (frames, len(MOUTH_CONTROLS)), float32

    def controls_at(self, t: float) -> dict[str, float]:
        """The mouth controls at `t`, linearly interpolated; the rest shape outside the track."""
        n = len(self.values)
        x = t * TRACK_RATE_HZ
        if n == 0 or x < 0 or x > n - 1:
            return dict.fromkeys(MOUTH_CONTROLS, 0.0)
        i = min(int(x), n - 2) if n > 1 else 0
        f = x - i if n > 1 else 0.0
        row = self.values[i] * (1 - f) + self.values[min(i + 1, n - 1)] * f
        return {name: float(v) for name, v in zip(MOUTH_CONTROLS, row, strict=True)}


def mouth_track(phonemes: Sequence[TimedText], lead_s: float = 0.0) -> MouthTrack:
    """The mouth controls for a phoneme timeline, co-articulated, shifted `lead_s` earlier
    (the mouth shapes a sound a little before it is heard)."""
    segments = sounded_segments(phonemes)
    if not segments:
        return MouthTrack(np.zeros((0, len(MOUTH_CONTROLS)), np.float32))
    end = max(e for _, _, e in segments) + 0.2
    t = np.arange(0.0, end, 1.0 / TRACK_RATE_HZ) + lead_s
    starts = np.array([s for _, s, _ in segments])
    ends = np.array([e for _, _, e in segments])
    alphas = np.array([v.dominance for v, _, _ in segments])
    targets = np.array([[v.targets.get(c, 0.0) for c in MOUTH_CONTROLS] for v, _, _ in segments])
    values = np.zeros((len(t), len(MOUTH_CONTROLS)))
    # In blocks of samples so a long label costs bounded memory (samples x phonemes).
    for lo in range(0, len(t), 512):
        tt = t[lo : lo + 512, None]
        outside = np.maximum(starts[None] - tt, 0) + np.maximum(tt - ends[None], 0)
        dominance = alphas[None] * np.exp(-outside / FALL_OFF_S)
        values[lo : lo + 512] = dominance @ targets / dominance.sum(axis=1, keepdims=True)
    closure = _closure(t, segments, max(lead_s, 0.0))
    jaw = MOUTH_CONTROLS.index("jaw_open")
    values[:, jaw] *= 1.0 - closure
    # Pressed together as well: a painting whose own mouth is open shuts it too.
    values[:, MOUTH_CONTROLS.index("lips_press")] = closure
    return MouthTrack(values.astype(np.float32))


def _closure(
    t: np.ndarray, segments: list[tuple[Viseme, float, float]], lead_s: float
) -> np.ndarray:
    """1 where the lips must be shut (over each bilabial and CLOSURE_SPREAD_S around it
    ramping off), else 0. With the mouth leading the sound by `lead_s`, the lips stay shut
    that much longer, so they are still shut while the bilabial is heard: they close ahead
    of the sound and open with the burst, as a speaker's do."""
    closure = np.zeros_like(t)
    for vis, start, end in segments:
        if vis.name != "bilabial":
            continue
        # Shut over the middle of the phoneme at least, however short the voice made it.
        mid, half = (start + end) / 2, max((end - start) / 2, 0.015)
        outside = np.maximum(mid - half - t, 0.0) + np.maximum(t - (mid + half + lead_s), 0.0)
        closure = np.maximum(closure, np.clip(1.0 - outside / CLOSURE_SPREAD_S, 0.0, 1.0))
    return closure
