"""Screenshots of the speaking kiosk, headless (SDL's dummy drivers): for each screen size and
sample exhibit, the label open with Stop and the captions, then the label shut while it still
speaks; the speech buttons and captions should sit by the label and off the face.

    SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy .venv/bin/python scripts/speech_screenshots.py \
        --sizes 1920x1080 3840x2160 1080x1920 --out shots/

Writes OUT/speech-WxH-EXHIBIT-label.png and ...-shut.png.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

from kiosk.commands.bench import parse_size
from kiosk.config import load_config
from kiosk.runtime.options import RunOptions
from kiosk.runtime.wiring import build_kiosk

REPO = Path(__file__).resolve().parents[1]
TEXT = (
    "Grace Hopper made the first compiler. She taught the Navy's computers to read words, "
    "and she kept a clock on her wall that ran backwards."
)


def _tick_until(app, condition, timeout_s: float = 90.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the kiosk did not get there in time")
        app.tick(time.monotonic())
        time.sleep(1 / 60)


def _kiosk_folder(root: Path, size: tuple[int, int]) -> Path:
    shutil.copytree(REPO / "exhibits", root / "exhibits")
    (root / "content").mkdir()
    (root / "config.yaml").write_text(
        f"display: {{fullscreen: false, size: [{size[0]}, {size[1]}], fps: 60}}\n"
        "speech: {languages: [en, de, fr], default: en}\n"
    )
    for name in ("grace-hopper", "astronaut"):
        path = root / "exhibits" / f"{name}.yaml"
        path.write_text(path.read_text() + f'\nspeech:\n  en:\n    text: "{TEXT}"\n')
    return root


def _shoot(app, exhibit: str, out: Path, stem: str) -> None:
    speech = app.speech
    app.director.show(exhibit, time.monotonic())
    _tick_until(app, lambda: app.director.update(time.monotonic(), False).exhibit_fade >= 1)
    if not app.director.update(time.monotonic(), False).show_label:
        app.director.toggle_label(time.monotonic())
    _tick_until(app, lambda: speech.stage.ready(speech.request) is not None)
    speech.tap("listen", time.monotonic())
    # A few words in: the caption shows a sentence with its current word marked.
    _tick_until(app, lambda: speech.frame is not None and speech.frame.word >= 3)
    app.display.screenshot(out / f"{stem}-label.png")
    app.director.toggle_label(time.monotonic())
    _tick_until(app, lambda: "label" not in app.display.overlay.rects)
    _tick_until(app, lambda: speech.frame is not None and speech.frame.word >= 2)
    app.display.screenshot(out / f"{stem}-shut.png")
    speech.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["1920x1080", "3840x2160", "1080x1920"])
    parser.add_argument("--exhibits", nargs="+", default=["grace-hopper", "astronaut"])
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
    args.out.mkdir(parents=True, exist_ok=True)
    for text in args.sizes:
        size = parse_size(text)
        with tempfile.TemporaryDirectory() as tmp:
            config = load_config(_kiosk_folder(Path(tmp), size) / "config.yaml")
            app = build_kiosk(config, RunOptions(headless=True, no_camera=True))
            try:
                app.start(time.monotonic())
                for exhibit in args.exhibits:
                    _shoot(app, exhibit, args.out, f"speech-{text}-{exhibit}")
                    print(f"{text} {exhibit}: {app.display.overlay.rects}")
            finally:
                app.close()


if __name__ == "__main__":
    main()
