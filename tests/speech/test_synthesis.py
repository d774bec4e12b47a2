"""Piper synthesis with the bundled voice, the cache, the speech thread, and bad voices."""

from __future__ import annotations

import os
import time

import numpy as np
import pytest

from kiosk.speech.cache import SpeechCache, cache_key, voice_identity
from kiosk.speech.stage import SpeechRequest, SpeechStage
from kiosk.speech.synth import PiperSynthesizer, split_sentences, word_times
from kiosk.speech.utterance import TimedText, Utterance
from kiosk.speech.voices import BUNDLED, VoiceError, find_voice, unsayable, voice_stamp

pytest.importorskip("piper", reason="piper-tts is a kiosk dependency: pip install -e .")


@pytest.fixture(scope="module")
def synth(tmp_path_factory) -> PiperSynthesizer:
    models = tmp_path_factory.mktemp("models")
    return PiperSynthesizer(find_voice(BUNDLED, tmp_path_factory.mktemp("voices")), models)


def test_bundled_voice_says_a_label_with_phoneme_word_and_sentence_times(synth):
    u = synth.synthesize("Mona Lisa. Painted by Leonardo, about 1503.")
    assert u.sample_rate == 22050 and u.duration_s > 1.5
    assert [s.text for s in u.sentences] == ["Mona Lisa.", "Painted by Leonardo, about 1503."]
    assert [w.text for w in u.sentences[0].words] == ["Mona", "Lisa."]
    # Phonemes are in order, touch each other, and lie inside the audio.
    starts = [p.start_s for p in u.phonemes]
    assert starts == sorted(starts)
    assert u.phonemes[0].start_s > 0 and u.phonemes[-1].end_s <= u.duration_s + 1e-6
    assert "m" in [p.text for p in u.phonemes[:3]]
    # Loud where the words are, quiet before the first phoneme.
    lead = u.audio[: int(u.phonemes[0].start_s * u.sample_rate * 0.5)]
    assert np.abs(lead).mean() < np.abs(u.audio).mean()


def test_utterance_round_trips_through_bytes(synth):
    u = synth.synthesize("Hello there.")
    back = Utterance.from_bytes(u.to_bytes())
    assert np.array_equal(back.audio, u.audio)
    assert back.phonemes == u.phonemes and back.sentences == u.sentences


def test_cache_keys_change_with_text_voice_engine_and_rate():
    base = cache_key("text", "voice", "piper 1", 1.0)
    assert base == cache_key("text", "voice", "piper 1", 1.0)
    others = {
        cache_key("text!", "voice", "piper 1", 1.0),
        cache_key("text", "voice2", "piper 1", 1.0),
        cache_key("text", "voice", "piper 2", 1.0),
        cache_key("text", "voice", "piper 1", 1.2),
    }
    assert base not in others and len(others) == 4


def test_voice_identity_changes_when_the_file_changes(tmp_path):
    model = tmp_path / "xx.onnx"
    model.write_bytes(b"0" * 2000)
    (tmp_path / "xx.onnx.json").write_text(
        '{"language": {"code": "de_DE", "family": "de"}, "audio": {"sample_rate": 22050}}'
    )
    before = voice_identity(find_voice("xx.onnx", tmp_path))
    model.write_bytes(b"1" * 2001)
    assert voice_identity(find_voice("xx.onnx", tmp_path)) != before


def test_voice_stamp_sees_a_file_appear_and_a_replacement_with_the_same_size_and_time(tmp_path):
    assert voice_stamp("xx.onnx", tmp_path) == (None, None)
    model = tmp_path / "xx.onnx"
    model.write_bytes(b"0" * 2000)
    first = voice_stamp("xx.onnx", tmp_path)
    assert first[0] is not None and first[1] is None  # the config is still missing
    assert voice_stamp("xx.onnx", tmp_path) == first  # nothing changed: the same
    # A replacement of the same size, its modification time kept (as `cp -p` does).
    new = tmp_path / "incoming"
    new.write_bytes(b"1" * 2000)
    os.utime(new, ns=(model.stat().st_atime_ns, model.stat().st_mtime_ns))
    new.replace(model)
    assert voice_stamp("xx.onnx", tmp_path) != first
    assert voice_stamp("../xx.onnx", tmp_path) == ()  # not a voice name: nothing to watch


def _utterance(seconds: float) -> Utterance:
    audio = np.zeros(int(22050 * seconds), np.int16)
    return Utterance(audio, 22050, (TimedText("a", 0.1, 0.2),), ())


def test_cache_is_bounded_and_drops_damaged_entries(tmp_path):
    one = len(_utterance(1.0).to_bytes())
    cache = SpeechCache(tmp_path, max_bytes=int(2.5 * one))
    for i in range(5):
        cache.put(f"k{i}", _utterance(1.0))
    kept = sorted(p.stem for p in tmp_path.glob("*.npz"))
    assert kept == ["k3", "k4"]
    (tmp_path / "k4.npz").write_bytes(b"not an npz")
    assert cache.get("k4") is None and not (tmp_path / "k4.npz").exists()
    assert cache.get("k3") is not None


def test_stage_synthesises_off_the_calling_thread_then_reads_the_cache(tmp_path):
    request = SpeechRequest("A short label.", BUNDLED)
    stage = SpeechStage(
        tmp_path / "voices", SpeechCache(tmp_path / "cache", 10**8), tmp_path / "models"
    )
    try:
        stage.prepare(request)
        assert stage.ready(request) is None  # asked, not waited for
        deadline = time.monotonic() + 60
        while stage.ready(request) is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert stage.ready(request) is not None
    finally:
        stage.close()
    assert len(list((tmp_path / "cache").glob("*.npz"))) == 1


def test_missing_and_corrupt_voices_are_clear_errors(tmp_path):
    with pytest.raises(VoiceError, match="not found"):
        find_voice("de_DE-x.onnx", tmp_path)
    with pytest.raises(VoiceError, match="not a path"):
        find_voice("../etc/passwd", tmp_path)
    (tmp_path / "bad.onnx").write_bytes(b"garbage" * 1000)
    with pytest.raises(VoiceError, match="config is missing"):
        find_voice("bad.onnx", tmp_path)
    (tmp_path / "bad.onnx.json").write_text("{not json")
    with pytest.raises(VoiceError, match="not a Piper voice config"):
        find_voice("bad.onnx", tmp_path)
    (tmp_path / "bad.onnx.json").write_text(
        '{"language": {"code": "de_DE", "family": "de"}, "audio": {"sample_rate": 22050}}'
    )
    with pytest.raises(VoiceError, match="does not load"):
        PiperSynthesizer(find_voice("bad.onnx", tmp_path), tmp_path / "models")


def test_a_corrupt_voice_is_an_error_for_the_request_not_a_crash(tmp_path):
    (tmp_path / "bad.onnx").write_bytes(b"garbage" * 1000)
    (tmp_path / "bad.onnx.json").write_text('{"language": {"family": "de"}, "audio": {}}')
    stage = SpeechStage(tmp_path, SpeechCache(tmp_path / "cache", 10**6), tmp_path / "models")
    request = SpeechRequest("Hallo.", "bad.onnx")
    try:
        stage.prepare(request)
        deadline = time.monotonic() + 30
        while stage.error(request) is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert "bad.onnx" in (stage.error(request) or "")
        assert stage.ready(request) is None
    finally:
        stage.close()


@pytest.mark.parametrize(
    ("text", "family", "why"),
    [
        ("蒙娜丽莎", "en", "cjk letters"),
        ("Мона Лиза", "en", "cyrillic letters"),
        ("!!! ...", "en", "no words"),
        ("🙂🙂", "en", "no words"),
        ("Мона Лиза", "ru", None),
        ("Η Μόνα Λίζα", "el", None),
        ("Mona Lisa, 1503", "en", None),
    ],
)
def test_unsayable_text(text, family, why):
    found = unsayable(text, family)
    assert (found is None) if why is None else (why in found)


def test_unsayable_text_is_refused_by_the_synthesiser(synth):
    with pytest.raises(VoiceError, match="cjk"):
        synth.synthesize("蒙娜丽莎")


def test_sentences_and_words():
    assert split_sentences("One. Two!  Three?\nFour") == ["One.", "Two!", "Three?", "Four"]
    long = ", ".join(["word"] * 200)
    assert all(len(s) <= 400 for s in split_sentences(long))
    phonemes = [TimedText(c, i * 0.1, (i + 1) * 0.1) for i, c in enumerate("ab cd")]
    words = word_times("ab cd", phonemes, 0.0, 0.5)
    assert [w.text for w in words] == ["ab", "cd"]
    assert [t for w in words for t in (w.start_s, w.end_s)] == pytest.approx([0, 0.2, 0.3, 0.5])
    # Counts that disagree (a number read as three words) share the time by length.
    shared = word_times("x 1503", phonemes, 0.0, 0.5)
    assert [w.text for w in shared] == ["x", "1503"] and shared[0].end_s < shared[1].end_s


def test_abbreviations_end_no_sentence_but_lines_do():
    text = "Portrait of J.S.\nU.S. Navy, 1984. Dr. Smith painted it c. 1503. The end."
    assert split_sentences(text) == [
        "Portrait of J.S.", "U.S. Navy, 1984.", "Dr. Smith painted it c. 1503.", "The end.",
    ]  # fmt: skip
