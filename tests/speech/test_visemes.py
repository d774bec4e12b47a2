"""Phonemes -> visemes -> mouth controls: the shapes, co-articulation, closure at p/b/m."""

from __future__ import annotations

import numpy as np
import pytest

from kiosk.motion.controls import CONTROLS, control_basis
from kiosk.speech.utterance import TimedText
from kiosk.speech.visemes import (
    MOUTH_CONTROLS,
    TRACK_RATE_HZ,
    mouth_track,
    sounded_segments,
    viseme_for,
)


def timeline(symbols: str, each_s: float = 0.08, start_s: float = 0.1) -> list[TimedText]:
    return [
        TimedText(ch, start_s + i * each_s, start_s + (i + 1) * each_s)
        for i, ch in enumerate(symbols)
    ]


@pytest.mark.parametrize(
    ("phoneme", "viseme"),
    [
        ("p", "bilabial"), ("b", "bilabial"), ("m", "bilabial"),
        ("f", "labiodental"), ("v", "labiodental"),
        ("o", "mid_back"), ("u", "close_back"), ("w", "rounded_glide"),
        ("i", "close_front"), ("e", "mid_front"),
        ("a", "open"), ("ɑ", "open"), ("æ", "open_front"), ("ɔ", "open_rounded"),
        (",", "rest"), (".", "rest"), ("?", "rest"),
    ],
)  # fmt: skip
def test_viseme_of_each_phoneme_class(phoneme, viseme):
    assert viseme_for(phoneme).name == viseme


def test_shapes_follow_the_issue():
    """Rounded for o/u/w, spread for i/e, lower lip to teeth for f/v, jaw by openness."""
    for rounded in "ouw":
        assert viseme_for(rounded).targets.get("pucker", 0) >= 0.6
    for spread in "ie":
        assert viseme_for(spread).targets.get("smile", 0) >= 0.3
    for labiodental in "fv":
        assert viseme_for(labiodental).targets["lip_tuck"] == 1.0
    jaw = {p: viseme_for(p).targets.get("jaw_open", 0) for p in "aeiəp"}
    assert jaw["a"] > jaw["e"] > jaw["i"] > jaw["p"] == 0
    assert jaw["e"] > jaw["ə"] > jaw["i"]


def test_every_viseme_uses_real_face_controls():
    basis = control_basis()
    for name in MOUTH_CONTROLS:
        assert name in CONTROLS and name in basis


def test_stress_marks_join_the_next_phoneme_and_length_the_previous():
    phonemes = [
        TimedText("ˈ", 0.0, 0.05), TimedText("a", 0.05, 0.1),
        TimedText("ː", 0.1, 0.2), TimedText("p", 0.2, 0.25),
    ]  # fmt: skip
    segments = [(v.name, s, e) for v, s, e in sounded_segments(phonemes)]
    assert segments == [("open", 0.0, 0.2), ("bilabial", 0.2, 0.25)]


def _jaw_at(track, t: float) -> float:
    return track.controls_at(t)["jaw_open"]


def test_lips_shut_at_the_centre_of_a_short_bilabial_between_open_vowels():
    # "a m a" with a 40 ms m between long open vowels: averaging alone would leave it open.
    phonemes = [TimedText("a", 0.1, 0.3), TimedText("m", 0.3, 0.34), TimedText("a", 0.34, 0.6)]
    track = mouth_track(phonemes)
    assert _jaw_at(track, 0.32) < 0.02
    assert _jaw_at(track, 0.2) > 0.5 and _jaw_at(track, 0.47) > 0.5


def test_coarticulation_smooths_the_mouth_between_phonemes():
    """No step larger than a fraction of the full range between 10 ms samples, and a vowel's
    shape reaches into its neighbouring consonant (the t of 'ata' opens the jaw more than a
    t between close vowels)."""
    track = mouth_track(timeline("ataiti"))
    steps = np.abs(np.diff(track.values, axis=0)).max()
    assert steps < 0.15
    t_between_a = _jaw_at(track, 0.1 + 1.5 * 0.08)
    t_between_i = _jaw_at(track, 0.1 + 4.5 * 0.08)
    assert t_between_a > t_between_i + 0.1


def test_pauses_close_the_mouth():
    phonemes = [TimedText("a", 0.0, 0.2), TimedText(",", 0.2, 0.8), TimedText("a", 0.8, 1.0)]
    track = mouth_track(phonemes)
    assert _jaw_at(track, 0.5) < 0.05


def test_lead_moves_the_mouth_earlier_and_keeps_bilabials_shut_while_heard():
    phonemes = timeline("pauoip", each_s=0.1, start_s=0.0)
    plain, early = mouth_track(phonemes), mouth_track(phonemes, lead_s=0.05)
    for t in np.arange(0.05, 0.5, 0.01):
        for control in ("smile", "pucker"):
            assert early.controls_at(t)[control] == pytest.approx(
                plain.controls_at(t + 0.05)[control], abs=1e-4
            )
    # Away from the p's the jaw moves 50 ms early too; the p's lips are shut from 50 ms
    # before it is heard until its centre.
    assert early.controls_at(0.3)["jaw_open"] == pytest.approx(
        plain.controls_at(0.35)["jaw_open"], abs=1e-4
    )
    assert early.controls_at(0.05)["jaw_open"] < 0.02
    assert early.controls_at(0.5)["jaw_open"] < 0.02 and early.controls_at(0.55)["jaw_open"] < 0.02


def test_outside_the_track_the_mouth_rests():
    track = mouth_track(timeline("aaa"))
    assert track.controls_at(-1.0) == dict.fromkeys(MOUTH_CONTROLS, 0.0)
    assert track.controls_at(len(track.values) / TRACK_RATE_HZ + 1) == dict.fromkeys(
        MOUTH_CONTROLS, 0.0
    )
    assert mouth_track([]).controls_at(0.0)["jaw_open"] == 0.0
