"""Lip sync of a speaking preview, measured on the MP4 itself (frames and sound as a browser
would get them) with MediaPipe and the phonemes' JSON.

Mouth opening = inner-lip gap (landmarks 13-14) over mouth width (61-291). The checks:
- at the centre of each p, b and m the lips are shut (opening < 0.05) for at least 80% of them;
- at the centres of open vowels (a ɑ æ ɐ ʌ ɒ ɔ) the median opening is at least 3x the
  bilabials' median;
- the lag between mouth opening and loudness (the best cross-correlation of the two, each
  smoothed over about 120 ms) lies within ITU-R BT.1359's detectability window: the mouth
  leading by at most 125 ms or trailing by at most 45 ms.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from kiosk.speech.visemes import BILABIALS, OPEN_VOWELS
from kiosk.tracking import landmarks as lm

SHUT = 0.05
SHUT_SHARE = 0.8
OPEN_RATIO = 3.0
LEAD_MAX_MS, TRAIL_MAX_MS = 125.0, 45.0
ENVELOPE_HZ = 100  # both signals are compared at 10 ms steps
SMOOTH_S = 0.12
MAX_LAG_S = 0.3
AUDIO_RATE = 16_000


@dataclass(frozen=True)
class LipSyncResult:
    frames: int
    frames_with_face: int
    bilabials: int
    bilabials_shut_share: float
    bilabial_median_opening: float
    open_vowels: int
    open_vowel_median_opening: float
    open_ratio: float
    mouth_leads_ms: float  # positive: the mouth moves before the sound
    correlation: float
    passed: bool

    def summary(self) -> str:
        verdict = "PASS" if self.passed else "FAIL"
        return (
            f"lip sync {verdict}: bilabials shut {self.bilabials_shut_share:.0%} of "
            f"{self.bilabials} (need {SHUT_SHARE:.0%}); open vowels {self.open_ratio:.1f}x "
            f"the bilabials' opening (median {self.open_vowel_median_opening:.3f} vs "
            f"{self.bilabial_median_opening:.3f}, need {OPEN_RATIO:g}x); mouth "
            f"{'leads' if self.mouth_leads_ms >= 0 else 'trails'} the sound by "
            f"{abs(self.mouth_leads_ms):.0f} ms (window: leads <= {LEAD_MAX_MS:g}, trails <= "
            f"{TRAIL_MAX_MS:g}), correlation {self.correlation:.2f}; face found in "
            f"{self.frames_with_face}/{self.frames} frames"
        )


def mouth_openings(video: Path) -> tuple[np.ndarray, float]:
    """The mouth opening of every frame (NaN where no face is found), and the frame rate."""
    import imageio_ffmpeg

    from kiosk.tracking.face_mesh import FaceMeshDetector

    reader = imageio_ffmpeg.read_frames(str(video), pix_fmt="bgr24")
    meta = next(reader)
    w, h = meta["size"]
    openings = []
    with FaceMeshDetector(static_image=False, max_faces=1) as detector:
        for raw in reader:
            frame = np.frombuffer(raw, np.uint8).reshape(h, w, 3)
            faces = detector.detect(frame)
            if not faces:
                openings.append(np.nan)
                continue
            p = faces[0].landmarks[:, :2]
            gap = np.linalg.norm(p[lm.LIPS_INNER_UPPER[5]] - p[lm.LIPS_INNER_LOWER[4]])
            width = np.linalg.norm(p[lm.MOUTH_RIGHT] - p[lm.MOUTH_LEFT])
            openings.append(gap / max(width, 1e-6))
    return np.array(openings), float(meta["fps"])


def loudness(video: Path) -> np.ndarray:
    """The sound track's RMS in 10 ms steps, decoded from the video by ffmpeg."""
    import imageio_ffmpeg

    pcm = subprocess.run(
        [imageio_ffmpeg.get_ffmpeg_exe(), "-v", "error", "-i", str(video), "-vn", "-ac", "1",
         "-ar", str(AUDIO_RATE), "-f", "s16le", "-"],
        check=True, capture_output=True, timeout=120,
    ).stdout  # fmt: skip
    audio = np.frombuffer(pcm, np.int16).astype(np.float64) / 32768
    step = AUDIO_RATE // ENVELOPE_HZ
    n = len(audio) // step
    return np.sqrt((audio[: n * step].reshape(n, step) ** 2).mean(axis=1))


def _smooth(x: np.ndarray) -> np.ndarray:
    k = max(1, round(SMOOTH_S * ENVELOPE_HZ))
    return np.convolve(x, np.ones(k) / k, mode="same")


def best_lag(mouth: np.ndarray, loud: np.ndarray) -> tuple[float, float]:
    """(seconds the mouth leads the sound, correlation at that lag), both at ENVELOPE_HZ."""
    n = min(len(mouth), len(loud))
    a, b = _smooth(mouth[:n]), _smooth(loud[:n])
    best = (0.0, -2.0)
    for lag in range(-round(MAX_LAG_S * ENVELOPE_HZ), round(MAX_LAG_S * ENVELOPE_HZ) + 1):
        # lag > 0: the mouth at t matches the sound at t + lag (the mouth leads).
        x, y = (a[: n - lag], b[lag:]) if lag >= 0 else (a[-lag:], b[: n + lag])
        if x.std() > 0 and y.std() > 0:
            r = float(np.corrcoef(x, y)[0, 1])
            if r > best[1]:
                best = (lag / ENVELOPE_HZ, r)
    return best


def measure_lip_sync(video: Path, phonemes_json: Path) -> LipSyncResult:
    openings, fps = mouth_openings(video)
    phonemes = json.loads(phonemes_json.read_text(encoding="utf-8"))["phonemes"]
    times = np.arange(len(openings)) / fps
    found = ~np.isnan(openings)
    filled = np.interp(times, times[found], openings[found]) if found.any() else openings

    def at_centres(symbols: frozenset[str]) -> np.ndarray:
        centres = [(a + b) / 2 for p, a, b in phonemes if p in symbols]
        return np.array([filled[min(round(c * fps), len(filled) - 1)] for c in centres])

    bilabial, open_vowel = at_centres(BILABIALS), at_centres(OPEN_VOWELS)
    shut_share = float((bilabial < SHUT).mean()) if len(bilabial) else 0.0
    b_median = float(np.median(bilabial)) if len(bilabial) else float("nan")
    v_median = float(np.median(open_vowel)) if len(open_vowel) else float("nan")
    ratio = v_median / max(b_median, 1e-3)
    loud = loudness(video)
    env_t = np.arange(len(loud)) / ENVELOPE_HZ
    lead_s, r = best_lag(np.interp(env_t, times, filled), loud)
    lead_ms = lead_s * 1000
    passed = (
        shut_share >= SHUT_SHARE and ratio >= OPEN_RATIO and -TRAIL_MAX_MS <= lead_ms <= LEAD_MAX_MS
    )
    return LipSyncResult(
        len(openings), int(found.sum()), len(bilabial), shut_share, b_median, len(open_vowel),
        v_median, float(ratio), lead_ms, r, passed,
    )  # fmt: skip


def write_into(phonemes_json: Path, result: LipSyncResult) -> None:
    """Add the measurement to OUT.json under "lip_sync"."""
    data = json.loads(phonemes_json.read_text(encoding="utf-8"))
    data["lip_sync"] = asdict(result)
    phonemes_json.write_text(json.dumps(data, ensure_ascii=False, indent=0))
