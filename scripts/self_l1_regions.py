"""Where self-reenactment's L1 error lies: frame 0 of a driver animated by its own video (as
`kiosk eval` does), its per-pixel error against the real frames summed by region, beside frame
0 repeated (the static baseline). Regions: outside the animated head-and-neck region, the
region outside the face outline, the face without eyes and mouth, the mouth, the eyes.

    .venv/bin/python scripts/self_l1_regions.py d3 d10 d19 --frames 120

Each region's figure is its error over the whole static error (ours, static): the two columns'
sums are the L1 ratio and 1.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

from kiosk.motion.motion import Motion
from kiosk.offline import driver_frames
from kiosk.renderer.engine import GeometricEngine
from kiosk.tracking import landmarks as lm

DRIVERS = Path(__file__).resolve().parents[2] / "shared" / "data" / "drivers"


def _hull_mask(shape: tuple[int, ...], points: np.ndarray, grow: int = 0) -> np.ndarray:
    mask = np.zeros(shape[:2], np.uint8)
    cv2.fillPoly(mask, [cv2.convexHull(np.round(points[:, :2]).astype(np.int32))], 255)
    if grow:
        mask = cv2.dilate(mask, np.ones((grow, grow), np.uint8))
    return mask > 0


def regions(rig, shape: tuple[int, ...]) -> dict[str, np.ndarray]:
    face = rig.faces[0]
    animated = face.region_mask(shape) > 0
    outline = np.zeros(shape[:2], np.uint8)
    oval = np.round(face.landmarks[lm.as_index(lm.FACE_OVAL), :2]).astype(np.int32)
    cv2.fillPoly(outline, [oval], 255)
    inside = outline > 0
    mouth = _hull_mask(shape, face.landmarks[lm.as_index(lm.LIPS_OUTER)], grow=15)
    eyes = _hull_mask(shape, face.landmarks[lm.as_index(lm.RIGHT_EYE_CONTOUR)], grow=15)
    eyes |= _hull_mask(shape, face.landmarks[lm.as_index(lm.LEFT_EYE_CONTOUR)], grow=15)
    return {
        "outside region": ~animated,
        "region, outside the face": animated & ~inside,
        "face (no eyes, mouth)": inside & ~mouth & ~eyes,
        "mouth": mouth,
        "eyes": eyes & ~mouth,
    }


def measure(engine: GeometricEngine, video: Path, frames: int) -> dict[str, tuple[float, float]]:
    clip = list(driver_frames(video, frames))
    source = clip[0].image
    rig = engine.build_rig(source)
    parts = regions(rig, source.shape)
    ours = dict.fromkeys(parts, 0.0)
    static = dict.fromkeys(parts, 0.0)
    last = Motion()
    for frame in clip[1:]:
        last = frame.motion or last
        truth = frame.image.astype(np.float64)
        rendered = np.abs(engine.render(rig, [last]) - truth).mean(axis=2)
        still = np.abs(source - truth).mean(axis=2)
        for name, mask in parts.items():
            ours[name] += float(rendered[mask].sum())
            static[name] += float(still[mask].sum())
    total = sum(static.values())
    return {name: (ours[name] / total, static[name] / total) for name in parts}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("drivers", nargs="+", help="driver names (e.g. d3) in ../shared/data")
    parser.add_argument("--frames", type=int, default=120)
    args = parser.parse_args()
    engine = GeometricEngine()
    try:
        for name in args.drivers:
            result = measure(engine, DRIVERS / f"{name}.mp4", args.frames)
            ratio = sum(ours for ours, _ in result.values())
            cells = ", ".join(f"{k} {o:.3f}/{s:.3f}" for k, (o, s) in result.items())
            print(f"{name}: L1 ratio {ratio:.3f}; ours/static by region: {cells}")
    finally:
        engine.close()


if __name__ == "__main__":
    main()
