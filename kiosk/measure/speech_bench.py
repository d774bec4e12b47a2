"""`kiosk speech-bench`: what speech costs the kiosk, measured in one run.

- synthesis: seconds per label, alone (no kiosk running), on one ONNX Runtime thread (what
  the kiosk uses) and on two, as a real-time factor;
- display frames while labels are synthesised on the speech thread, beside frames of the
  same kiosk with nothing synthesised just before and after (the budget: no frame over 25 ms);
- Listen to sound with a warm cache: from the tap's input event to the mixer having played
  its first samples (pygame.mixer.music's position above 0), over several taps.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import pygame
import yaml

from kiosk.config import load_config
from kiosk.measure.kiosk_folder import ExhibitFile, write_kiosk
from kiosk.runtime.options import RunOptions
from kiosk.runtime.wiring import build_kiosk
from kiosk.speech.stage import SpeechRequest
from kiosk.speech.synth import PiperSynthesizer
from kiosk.speech.voices import BUNDLED, find_voice

LABEL = (
    "Grace Hopper was an American computer scientist and U.S. Navy rear admiral. She worked "
    "on the Harvard Mark I computer, led the team that built one of the first compilers, and "
    "helped shape the COBOL programming language. She spent much of her life teaching people "
    "that computers could be programmed in words rather than numbers."
)
FRAME_BUDGET_MS = 25.0
LISTEN_BUDGET_MS = 150.0


def _frames_summary(ms: list[float]) -> dict[str, float]:
    ordered = sorted(ms)
    return {
        "frames": len(ms),
        "median_ms": round(statistics.median(ms), 2),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 2),
        "max_ms": round(max(ms), 2),
        "over_25ms": sum(m > FRAME_BUDGET_MS for m in ms),
    }


def measure_synthesis(models_dir: Path, labels: int) -> dict[str, Any]:
    """Synthesis alone, one thread against two, same texts (a ratio from one run)."""
    out: dict[str, Any] = {}
    voice = find_voice(BUNDLED, models_dir)
    for threads in (1, 2):
        synth = PiperSynthesizer(voice, models_dir, threads=threads)
        synth.synthesize("Warm up.")
        took, spoken = [], []
        for i in range(labels):
            started = time.perf_counter()
            utterance = synth.synthesize(f"{LABEL} Take {i + 1}.")
            took.append(time.perf_counter() - started)
            spoken.append(utterance.duration_s)
        out[f"threads_{threads}"] = {
            "seconds": [round(t, 3) for t in took],
            "speech_s": [round(s, 2) for s in spoken],
            "real_time_factor": round(sum(took) / sum(spoken), 4),
        }
    out["two_threads_vs_one"] = round(
        out["threads_2"]["real_time_factor"] / out["threads_1"]["real_time_factor"], 3
    )
    return out


def _tick_for(app, seconds: float, until=None) -> list[float]:
    """Tick at the display rate for `seconds` (or until `until()`); each tick's milliseconds."""
    period = 1.0 / app.config.display.fps
    times: list[float] = []
    end = time.monotonic() + seconds
    while time.monotonic() < end and not (until is not None and until()):
        started = time.monotonic()
        app.tick(started)
        times.append((time.monotonic() - started) * 1000)
        time.sleep(max(0.0, period - (time.monotonic() - started)))
    return times


def _listen_latency(app, taps: int) -> list[float]:
    speech = app.speech
    out = []
    for _ in range(taps):
        _tick_for(app, 0.3)
        rect = next(r for r, name in app.display.overlay.speech_targets if name == "listen")
        posted = time.perf_counter()
        for kind in (pygame.MOUSEBUTTONDOWN, pygame.MOUSEBUTTONUP):
            pygame.event.post(pygame.event.Event(kind, pos=rect.center, button=1))
        app.tick(time.monotonic())
        while pygame.mixer.music.get_pos() <= 0 and time.perf_counter() - posted < 2.0:
            time.sleep(0.0005)
        out.append(round((time.perf_counter() - posted) * 1000, 2))
        speech.tap("stop", time.monotonic())
    return out


def run_speech_bench(
    size: tuple[int, int] = (1920, 1080), labels: int = 3, taps: int = 10
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="speech-bench-") as tmp:
        root = Path(tmp)
        config_path = write_kiosk(
            root, size, [ExhibitFile("hopper", "Grace Hopper", "samples/grace_hopper.jpg", 1)],
            {},
        )  # fmt: skip
        exhibit = root / "exhibits" / "hopper.yaml"
        spec = yaml.safe_load(exhibit.read_text())
        exhibit.write_text(yaml.safe_dump({**spec, "label": LABEL}, allow_unicode=True))
        result: dict[str, Any] = {
            "synthesis_alone": measure_synthesis(root / "cache" / "speech-voices", labels)
        }
        app = build_kiosk(load_config(config_path), RunOptions(headless=True, no_camera=True))
        try:
            result.update(_in_the_kiosk(app, labels, taps))
        finally:
            app.close()
    return result


def _in_the_kiosk(app, labels: int, taps: int) -> dict[str, Any]:
    app.start(time.monotonic())
    app.director.show("hopper", time.monotonic())
    app.director.toggle_label(time.monotonic())
    speech = app.speech
    _tick_for(app, 60.0, until=lambda: speech.stage.ready(speech.request) is not None)
    before = _tick_for(app, 5.0)
    requests = [SpeechRequest(f"{LABEL} Again {i + 1}.", BUNDLED) for i in range(labels)]
    started = time.monotonic()
    for request in requests:
        speech.stage.prepare(request)
    during = _tick_for(app, 120.0, until=lambda: all(speech.stage.ready(r) for r in requests))
    synth_s = time.monotonic() - started
    after = _tick_for(app, 5.0)
    if not app.director.update(time.monotonic(), False).show_label:
        app.director.toggle_label(time.monotonic())  # the Listen button shows with the label
    latency = _listen_latency(app, taps)
    return {
        "frames_before": _frames_summary(before),
        "frames_while_synthesising": _frames_summary(during),
        "frames_after": _frames_summary(after),
        "synthesis_in_kiosk_s": round(synth_s, 2),
        "labels_synthesised_in_kiosk": labels,
        "listen_to_sound_ms": latency,
        "listen_to_sound_median_ms": statistics.median(latency),
        "listen_to_sound_max_ms": max(latency),
    }


def headline(result: dict[str, Any]) -> list[str]:
    """The figures, one line each, with the budgets."""
    alone = result["synthesis_alone"]
    d, b, a = (result[k] for k in ("frames_while_synthesising", "frames_before", "frames_after"))
    return [
        f"synthesis alone, 1 thread: real-time factor {alone['threads_1']['real_time_factor']} "
        f"({alone['threads_1']['seconds']} s for {alone['threads_1']['speech_s']} s of speech); "
        f"2 threads: {alone['two_threads_vs_one']}x of that",
        f"display frames while synthesising {result['labels_synthesised_in_kiosk']} labels "
        f"({result['synthesis_in_kiosk_s']} s): max {d['max_ms']} ms, p99 {d['p99_ms']}, "
        f"median {d['median_ms']}, {d['over_25ms']} of {d['frames']} over 25 ms; "
        f"before: max {b['max_ms']} ms, {b['over_25ms']} of {b['frames']} over; "
        f"after: max {a['max_ms']} ms, {a['over_25ms']} of {a['frames']} over",
        f"Listen to sound, warm cache: median {result['listen_to_sound_median_ms']} ms, "
        f"max {result['listen_to_sound_max_ms']} ms (budget {LISTEN_BUDGET_MS:g} ms)",
    ]
