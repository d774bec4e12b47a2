"""A sheet of 2x mouth crops, drawn interior beside the visitor's transferred mouth, to choose
`engine.mouth_interior_source` by eye.

Rows: portraits (and a grayscale copy of one); per driver, the frame (of the first
`--max-frames`) with the widest-open mouth drives every portrait, rendered twice: drawn |
visitor. The top row shows each driver's own mouth at that frame. Driver videos stand in for
the camera; nothing here comes from a camera.

    .venv/bin/python scripts/mouth_transfer_sheet.py --out /tmp/mouth_sheet.png
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

from kiosk.evaluation.looks import grayscale
from kiosk.offline import driver_frames
from kiosk.renderer.engine import Animation, GeometricEngine
from kiosk.renderer.retarget import target_mesh
from kiosk.tracking import landmarks as lm
from kiosk.tracking.landmarks import lips_parted
from kiosk.tracking.mouth_patch import cut_mouth_patch

DATA = Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
PORTRAITS = ("mona_lisa", "girl_with_a_pearl_earring", "painted_old_woman", "einstein_colourised")
DRIVERS = ("d10", "d12", "talking_man")
TILE = (220, 200)  # w, h of one crop after the 2x


def _widest_open(video: Path, max_frames: int, rank: int):
    """The driver frame with the `rank`-th widest mouth (0: widest)."""
    frames = [f for f in driver_frames(video, max_frames) if f.landmarks is not None]
    frames.sort(key=lambda f: lips_parted(f.landmarks), reverse=True)
    return frames[min(rank, len(frames) - 1)]


def _mouth_crop(image: np.ndarray, points: np.ndarray) -> np.ndarray:
    """The mouth of `image` (the face at `points`), from below the nose to the chin,
    at 2x (smaller if it would not fit a TILE), on a grey TILE."""
    lips = points[lm.as_index(lm.LIPS_OUTER), :2]
    x0, x1 = lips[:, 0].min(), lips[:, 0].max()
    pad = 0.3 * (x1 - x0)
    y0 = 0.5 * (points[lm.NOSE_TIP, 1] + lips[:, 1].min())
    y1 = points[lm.CHIN, 1]
    crop = image[int(max(0, y0)) : int(y1) + 1, int(max(0, x0 - pad)) : int(x1 + pad) + 1]
    scale = min(2.0, TILE[0] / crop.shape[1], TILE[1] / crop.shape[0])
    crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_NEAREST)
    tile = np.full((TILE[1], TILE[0], 3), 40, np.uint8)
    tile[: crop.shape[0], : crop.shape[1]] = crop
    return tile


def _label(tile: np.ndarray, text: str) -> np.ndarray:
    cv2.putText(tile, text, (4, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (0, 0, 0), 3, cv2.LINE_AA)
    cv2.putText(tile, text, (4, 14), cv2.FONT_HERSHEY_SIMPLEX, 0.4, (255, 255, 255), 1, cv2.LINE_AA)
    return tile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/mouth_sheet.png"))
    parser.add_argument("--max-frames", type=int, default=200)
    parser.add_argument("--rank", type=int, default=0, help="0 = the widest-open frame")
    args = parser.parse_args()
    drivers = [_widest_open(DATA / "drivers" / f"{d}.mp4", args.max_frames, args.rank)
               for d in DRIVERS]  # fmt: skip
    images = {p: cv2.imread(str(next((DATA / "portraits").glob(p + ".*")))) for p in PORTRAITS}
    images["mona_lisa (gray)"] = grayscale(images["mona_lisa"])
    engine = GeometricEngine()
    drawn, visitor = Animation(), Animation(visitor_mouth=True)
    rows = [
        np.hstack(
            [
                _label(_mouth_crop(f.image, f.landmarks), f"{name} (driver)")
                for name, f in zip(DRIVERS, drivers, strict=True)
                for _ in (0, 1)
            ]
        )
    ]
    for name, image in images.items():
        rig = engine.build_rig(image)
        tiles = []
        for driver in drivers:
            patch = cut_mouth_patch(driver.image, driver.landmarks)
            _, points, _ = target_mesh(rig.faces[0], driver.motion, drawn.gains, drawn.limits)
            for label, animation in (("drawn", drawn), ("visitor", visitor)):
                out = engine.render(rig, [driver.motion], animation, mouths=[patch])
                tiles.append(_label(_mouth_crop(out, points), f"{name[:14]} {label}"))
        rows.append(np.hstack(tiles))
    engine.close()
    cv2.imwrite(str(args.out), np.vstack(rows))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
