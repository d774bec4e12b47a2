"""Before/after sheet of what the engine invents: 2x crops (the gallery's) of the eyes at blink
0, 0.6 and 1.0 and a wink (--part eyes), or of the mouth open 0.6 and 0.9 (--part mouth), one
row per portrait. Run once on the old code with --save to keep its rows, then on the new code
with --before pointing at them: each portrait gets its old row above its new one.

    .venv/bin/python scripts/crops_sheet.py --save /tmp/lids/before
    .venv/bin/python scripts/crops_sheet.py --before /tmp/lids/before --out /tmp/lids/sheet.png
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

import cv2
import numpy as np

from kiosk.evaluation import looks
from kiosk.motion.controls import motion_from_controls
from kiosk.renderer.engine import GeometricEngine

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "portraits"
PORTRAITS = (
    "mona_lisa",
    "girl_with_a_pearl_earring",
    "painted_old_woman",
    "woman_in_black",
    "einstein_colourised",
    "grace_hopper",
)
POSES = {
    "eyes": (
        ("blink 0", {}),
        ("blink 0.6", {"blink": 0.6}),
        ("blink 1.0", {"blink": 1.0}),
        ("wink", {"blink_left": 1.0}),
    ),
    "mouth": (
        ("still", {}),
        ("open 0.6", {"jaw_open": 0.6}),
        ("open 0.9", {"jaw_open": 0.9}),
    ),
}


def _image(name: str) -> np.ndarray:
    if name == "grace_hopper":
        return cv2.imread(str(looks.sample_portraits()["grace_hopper"]))
    return cv2.imread(str(next(DATA.glob(name + ".*"))))


def _row(engine: GeometricEngine, image: np.ndarray, tag: str, part: str) -> np.ndarray:
    """The poses of one portrait, in the gallery's own crops and tiles (kiosk eval)."""
    rig = engine.build_rig(image)
    box = looks.crop_box(rig, part)
    tiles = [
        looks.tile(engine.render(rig, [motion_from_controls(c)]), box, f"{tag} {label}")
        for label, c in POSES[part]
    ]
    return np.hstack(tiles)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--save", type=Path, help="keep each row here (the 'before' run)")
    parser.add_argument("--before", type=Path, help="rows kept by an earlier --save run")
    parser.add_argument(
        "--out", type=Path, default=Path(tempfile.gettempdir()) / "crops_sheet.png"
    )
    parser.add_argument("--grey", action="store_true", help="grayscale copies instead")
    parser.add_argument("--part", choices=sorted(POSES), default="eyes")
    parser.add_argument("--portraits", help="comma-separated names (default: the six above)")
    args = parser.parse_args()
    engine = GeometricEngine()
    rows = []
    for name in args.portraits.split(",") if args.portraits else PORTRAITS:
        image = _image(name)
        if args.grey:
            image = looks.grayscale(image)
        row = _row(engine, image, "after" if args.before else "", args.part)
        if args.save:
            args.save.mkdir(parents=True, exist_ok=True)
            cv2.imwrite(str(args.save / f"{name}.png"), row)
        if args.before and (args.before / f"{name}.png").is_file():
            old = cv2.imread(str(args.before / f"{name}.png"))
            rows.append(old)
        rows.append(row)
    engine.close()
    cv2.imwrite(str(args.out), looks.stack_rows(rows))
    print(args.out)


if __name__ == "__main__":
    main()
