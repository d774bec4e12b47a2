"""`kiosk speak`: the painting saying its label, as an MP4 with sound a browser plays
(H.264 + AAC, through the ffmpeg in the imageio-ffmpeg wheel), and beside it a JSON file of
the phonemes the face was animated with, on the video's clock.

The frames are made as the kiosk makes them: the exhibit's idle clips move the head and eyes,
speech owns the mouth (blended in and out), the same engine renders.
"""

from __future__ import annotations

import json
import wave
from collections.abc import Generator, Iterable
from dataclasses import dataclass
from pathlib import Path
from tempfile import TemporaryDirectory

import cv2
import numpy as np

from kiosk.clips.library import load_clip_library
from kiosk.clips.playlist import PlaylistEntry, PlaylistPlayer
from kiosk.config import KioskConfig
from kiosk.exhibits.library import LoadedExhibit
from kiosk.renderer.engine import animation_for, make_engine
from kiosk.renderer.rig_store import fit_image
from kiosk.speech.cache import SpeechCache, cache_key, voice_identity
from kiosk.speech.mouth import blend_weight, own_mouth
from kiosk.speech.requests import speech_request
from kiosk.speech.synth import PiperSynthesizer, engine_version
from kiosk.speech.utterance import Utterance
from kiosk.speech.visemes import mouth_track
from kiosk.speech.voices import VoiceError, find_voice

PREVIEW_FPS = 30
LEAD_IN_S = 0.6  # idle motion before the first word, and after the last
BLEND_S = 0.2  # speech takes the mouth over (and gives it back) this fast
MAX_PREVIEW_SIDE = 1280  # larger paintings are previewed at this size


@dataclass(frozen=True, slots=True)
class PreviewSummary:
    frames: int
    size: tuple[int, int]
    speech_s: float
    synthesis_s: float  # 0 when the cache had it
    phonemes: int


def synthesize_for(
    exhibit: LoadedExhibit, language: str, config: KioskConfig
) -> tuple[Utterance, float]:
    """The exhibit's speech in `language` (from the cache when it has it) and the seconds
    synthesis took; raises VoiceError when it cannot be said."""
    import time

    request = speech_request(exhibit.spec, language, config.speech)
    if isinstance(request, str):
        raise VoiceError(request)
    voice = find_voice(request.voice, config.speech.voices_dir)
    cache = SpeechCache(config.paths.cache / "speech", config.speech.cache_max_mb * 1_000_000)
    key = cache_key(request.text, voice_identity(voice), engine_version(), request.rate)
    cached = cache.get(key)
    if cached is not None:
        return cached, 0.0
    started = time.perf_counter()
    synth = PiperSynthesizer(voice, config.paths.cache / "speech-voices")
    utterance = synth.synthesize(request.text, request.rate)
    took = time.perf_counter() - started
    cache.put(key, utterance)
    return utterance, took


def write_speaking_preview(
    exhibit: LoadedExhibit, language: str, config: KioskConfig, out: Path
) -> PreviewSummary:
    """Write OUT.mp4 and OUT.json (phonemes on the video's clock)."""
    utterance, synthesis_s = synthesize_for(exhibit, language, config)
    clips, _ = load_clip_library(config.paths.content / "drivers")
    entries = [PlaylistEntry(c.clip, c.weight) for c in exhibit.spec.idle.playlist]
    idle = PlaylistPlayer(entries, clips, config.timeouts.crossfade_s)
    image = _preview_image(exhibit.image)
    engine = make_engine(config.engine)
    face = exhibit.spec.face
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        rig = engine.build_rig(image, face.choose, face.index, face.box, exhibit.corrections)
        animation = animation_for(exhibit.spec.animation, config.engine)
        track = mouth_track(utterance.phonemes, config.speech.mouth_lead_s)
        speech_end = LEAD_IN_S + utterance.duration_s
        n_frames = int(np.ceil((speech_end + LEAD_IN_S) * PREVIEW_FPS))

        def render(t: float) -> np.ndarray:
            weight = blend_weight(t, LEAD_IN_S - BLEND_S, speech_end, BLEND_S)
            motion = own_mouth(idle.motion_at(t), track.controls_at(t - LEAD_IN_S), weight)
            return engine.render(rig, [motion] * len(rig.faces), animation)

        # Streamed: each frame goes to the encoder before the next is rendered, so memory
        # stays a few frames whatever the label's length (a list of them was gigabytes).
        frames = (render(i / PREVIEW_FPS) for i in range(n_frames))
        written = encode_preview(frames, utterance, out)
    finally:
        engine.close()
    _write_phonemes(utterance, out.with_suffix(".json"))
    h, w = image.shape[:2]
    return PreviewSummary(
        written, (w, h), utterance.duration_s, synthesis_s, len(utterance.phonemes)
    )


def _preview_image(image: np.ndarray) -> np.ndarray:
    """The painting at most MAX_PREVIEW_SIDE, with even sides (H.264's 4:2:0 needs them)."""
    h, w = image.shape[:2]
    scale = min(1.0, MAX_PREVIEW_SIDE / max(h, w))
    w2, h2 = int(w * scale) // 2 * 2, int(h * scale) // 2 * 2
    return fit_image(image, (w2, h2)) if (w2, h2) != (w, h) else image


def encode_preview(frames: Iterable[np.ndarray], utterance: Utterance, out: Path) -> int:
    """Encode BGR `frames` (all one size) with the utterance's audio, padded by the lead-in,
    as H.264 (yuv420p, faststart) with AAC: what browsers play. Each frame is sent to ffmpeg
    as soon as it is taken from `frames`, so a generator is rendered one frame at a time.
    Written to a partial file renamed onto `out` when complete, so a render that fails midway
    leaves no truncated MP4. Returns the number of frames written."""
    pad = np.zeros(int(LEAD_IN_S * utterance.sample_rate), np.int16)
    audio = np.concatenate([pad, utterance.audio, pad])
    partial = out.with_name(f"{out.stem}.partial{out.suffix}")
    written = 0
    with TemporaryDirectory() as tmp:
        wav_path = Path(tmp) / "speech.wav"
        with wave.open(str(wav_path), "wb") as wav:
            wav.setnchannels(1)
            wav.setsampwidth(2)
            wav.setframerate(utterance.sample_rate)
            wav.writeframes(audio.tobytes())
        writer = None
        try:
            for frame in frames:
                if writer is None:  # the first frame gives the video's size
                    writer = _open_writer(partial, frame.shape[1], frame.shape[0], wav_path)
                writer.send(np.ascontiguousarray(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)))
                written += 1
        except BaseException:
            if writer is not None:
                writer.close()
            partial.unlink(missing_ok=True)
            raise
        if writer is not None:
            writer.close()
    if written == 0:
        raise ValueError("no frames to encode")
    partial.replace(out)
    return written


def _open_writer(path: Path, w: int, h: int, wav_path: Path) -> Generator:
    import imageio_ffmpeg

    writer = imageio_ffmpeg.write_frames(
        str(path), (w, h), fps=PREVIEW_FPS, codec="libx264", pix_fmt_out="yuv420p",
        macro_block_size=2, audio_path=str(wav_path), audio_codec="aac",
        ffmpeg_log_level="error", output_params=["-movflags", "+faststart", "-shortest"],
    )  # fmt: skip
    writer.send(None)  # start ffmpeg
    return writer


def _write_phonemes(utterance: Utterance, path: Path) -> None:
    phonemes = [
        [p.text, round(p.start_s + LEAD_IN_S, 4), round(p.end_s + LEAD_IN_S, 4)]
        for p in utterance.phonemes
    ]
    path.write_text(json.dumps({"phonemes": phonemes}, ensure_ascii=False, indent=0))
