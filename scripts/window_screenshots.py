"""Screenshots of the kiosk in a real X window (run under Xvfb): label shut, label open, curator
panel open, at one screen size, with the keys sent by xdotool and the screen grabbed by
ImageMagick's `import`, as a visitor and a curator would see it.

    Xvfb :99 -screen 0 3840x2160x24 &
    DISPLAY=:99 SDL_VIDEODRIVER=x11 .venv/bin/python scripts/window_screenshots.py \
        --size 1080x1920 --driver-video ../shared/data/drivers/d3.mp4 --out shots/

Needs `apt-get install xvfb xdotool imagemagick`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from pathlib import Path

import yaml

from kiosk.commands.bench import parse_size
from kiosk.config import load_config
from kiosk.display.pacing import FramePacer
from kiosk.exhibits.samples import ensure_sample_content
from kiosk.measure.kiosk_folder import write_kiosk_folder
from kiosk.runtime.options import RunOptions
from kiosk.runtime.wiring import build_kiosk


def _run(kiosk, pacer: FramePacer, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        kiosk.tick(time.monotonic())
        pacer.wait(kiosk.new_results)


def _keys(*keys: str) -> None:
    found = subprocess.run(["xdotool", "search", "--pid", str(os.getpid())],
                           capture_output=True, text=True, check=True)  # fmt: skip
    window = found.stdout.split()[-1]
    subprocess.run(["xdotool", "windowfocus", "--sync", window], check=True)
    subprocess.run(["xdotool", "key", "--window", window, *keys], check=True)


def _grab(size: tuple[int, int], path: Path) -> None:
    w, h = size
    subprocess.run(["import", "-window", "root", "-crop", f"{w}x{h}+0+0", str(path)], check=True)
    print(f"wrote {path}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=parse_size, default=(1920, 1080), help="window WxH")
    parser.add_argument("--rotation", type=int, default=0, help="display.rotation")
    parser.add_argument("--driver-video", help="drives the painting (default: no camera)")
    parser.add_argument("--painting", help="the painting (default: the Grace Hopper sample)")
    parser.add_argument("--wall", choices=["colour", "blur"], default="colour", help="wall fill")
    parser.add_argument("--frame", type=int, default=0, help="frame width (px at 1080)")
    parser.add_argument("--text-from", default="exhibits/grace-hopper.yaml",
                        help="an exhibit file whose title, artist, year, label and credit the "
                        "painting is shown with")  # fmt: skip
    parser.add_argument("--out", default="shots", help="folder for the PNGs")
    args = parser.parse_args()
    os.environ.setdefault("SDL_VIDEO_WINDOW_POS", "0,0")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kiosk-shots-") as tmp:
        samples = ensure_sample_content(Path(tmp) / "samples")
        painting = Path(args.painting) if args.painting else samples[0]
        config_path = write_kiosk_folder(Path(tmp) / "kiosk", args.size, [painting], 1)
        data = yaml.safe_load(config_path.read_text())
        data["display"]["rotation"] = args.rotation
        data["display"]["wall"] = {"fill": args.wall, "frame_width": args.frame}
        data["camera"]["enabled"] = args.driver_video is not None
        config_path.write_text(yaml.safe_dump(data))
        text = yaml.safe_load(Path(args.text_from).read_text())
        (exhibit_path,) = (Path(tmp) / "kiosk" / "exhibits").glob("*.yaml")
        exhibit = yaml.safe_load(exhibit_path.read_text())
        exhibit.update({k: text[k] for k in ("title", "artist", "year", "label", "credit")
                        if k in text})  # fmt: skip
        exhibit_path.write_text(yaml.safe_dump(exhibit))
        config = load_config(config_path)
        video = Path(args.driver_video) if args.driver_video else None
        kiosk = build_kiosk(config, RunOptions(windowed=True, headless=True, driver_video=video))
        name = f"{args.size[0]}x{args.size[1]}" + (f"-rot{args.rotation}" if args.rotation else "")
        name += f"-{args.wall}" + (f"-frame{args.frame}" if args.frame else "")
        try:
            kiosk.start(time.monotonic())
            pacer = FramePacer(config.display.fps)
            _run(kiosk, pacer, 5.0)
            _grab(kiosk.display.size, out / f"{name}-label-shut.png")
            _keys("space")
            _run(kiosk, pacer, 1.5)
            _grab(kiosk.display.size, out / f"{name}-label-open.png")
            _keys("space", "ctrl+shift+c")
            _run(kiosk, pacer, 1.0)
            _grab(kiosk.display.size, out / f"{name}-curator.png")
        finally:
            kiosk.close()


if __name__ == "__main__":
    main()
