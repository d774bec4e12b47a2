"""The speaking preview's encoder: frames stream to ffmpeg as they are rendered (memory stays a
few frames whatever the label's length), and the MP4 keeps every frame, in order, with its AAC
audio."""

from __future__ import annotations

import subprocess
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from kiosk.curator.speaking_preview import PREVIEW_FPS, encode_preview
from kiosk.speech.utterance import Utterance

imageio_ffmpeg = pytest.importorskip("imageio_ffmpeg")

RATE = 16000
SIZE = (160, 120)  # w, h


def _utterance(frames: int) -> Utterance:
    """A tone that outlasts `frames` of video with its lead-in pads, so `-shortest` keeps
    every frame."""
    seconds = frames / PREVIEW_FPS
    t = np.arange(int(seconds * RATE)) / RATE
    audio = (8000 * np.sin(2 * np.pi * 440 * t)).astype(np.int16)
    return Utterance(audio, RATE, (), ())


def _frames(n: int, events: list[str] | None = None) -> Iterator[np.ndarray]:
    """Frame i is a flat grey of level 10 + 2 i (BGR), made only when asked for."""
    w, h = SIZE
    for i in range(n):
        if events is not None:
            events.append(f"render {i}")
        yield np.full((h, w, 3), 10 + 2 * i, np.uint8)


class _LoggedWriter:
    """Logs each frame it is sent, then passes it to the real ffmpeg writer."""

    def __init__(self, writer, events: list[str]) -> None:
        self._writer, self._events, self._sent = writer, events, 0

    def send(self, frame) -> None:
        if frame is not None:  # None starts ffmpeg
            self._events.append(f"send {self._sent}")
            self._sent += 1
        self._writer.send(frame)

    def close(self) -> None:
        self._writer.close()


def test_each_frame_reaches_the_encoder_before_the_next_is_rendered(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    events: list[str] = []
    real_write_frames = imageio_ffmpeg.write_frames
    monkeypatch.setattr(
        imageio_ffmpeg, "write_frames",
        lambda *args, **kwargs: _LoggedWriter(real_write_frames(*args, **kwargs), events),
    )  # fmt: skip
    n = 6
    written = encode_preview(_frames(n, events), _utterance(n), tmp_path / "o.mp4")
    assert written == n
    assert events == [e for i in range(n) for e in (f"render {i}", f"send {i}")]


def _peak_bytes(n: int, out: Path) -> int:
    utterance = _utterance(n)
    tracemalloc.start()
    try:
        encode_preview(_frames(n), utterance, out)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_peak_memory_does_not_grow_with_the_number_of_frames(tmp_path: Path) -> None:
    frame_bytes = SIZE[0] * SIZE[1] * 3
    few = _peak_bytes(10, tmp_path / "few.mp4")
    many = _peak_bytes(150, tmp_path / "many.mp4")
    # Holding the frames would add 140 frames' bytes; streaming adds (almost) nothing. The
    # padded copy of the audio grows too (140 frames of 16-bit tone), so allow that twice.
    audio_growth = (150 - 10) / PREVIEW_FPS * RATE * 2 * 2
    assert many - few < audio_growth + 10 * frame_bytes, (few, many)


def test_the_mp4_has_every_frame_in_order_and_an_aac_track(tmp_path: Path) -> None:
    n = 24
    out = tmp_path / "o.mp4"
    assert encode_preview(_frames(n), _utterance(n), out) == n
    assert not list(tmp_path.glob("*.partial*"))
    ffmpeg = imageio_ffmpeg.get_ffmpeg_exe()
    probe = subprocess.run([ffmpeg, "-hide_banner", "-i", str(out)], capture_output=True, text=True)
    assert "Video: h264" in probe.stderr and "yuv420p" in probe.stderr
    assert "Audio: aac" in probe.stderr
    reader = imageio_ffmpeg.read_frames(str(out))
    meta = next(reader)
    assert tuple(meta["size"]) == SIZE
    levels = [float(np.frombuffer(f, np.uint8).mean()) for f in reader]
    assert len(levels) == n
    np.testing.assert_allclose(levels, [10 + 2 * i for i in range(n)], atol=2.5)


def test_a_render_that_fails_midway_leaves_no_mp4(tmp_path: Path) -> None:
    def failing() -> Iterator[np.ndarray]:
        yield from _frames(3)
        raise RuntimeError("engine broke")

    out = tmp_path / "o.mp4"
    with pytest.raises(RuntimeError, match="engine broke"):
        encode_preview(failing(), _utterance(3), out)
    assert list(tmp_path.iterdir()) == []
