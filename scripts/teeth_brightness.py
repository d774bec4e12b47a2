"""How bright an open mouth's teeth are beside the face: the brightest tenth of the pixels inside
the inner lips over the cheeks' median brightness. For the driver videos (filmed mouths, frames
whose mouth is open by at least 0.12 of its width) and for the drawn interior on portraits (jaw
open 0.3 and 0.5), so the two can be compared.

    .venv/bin/python scripts/teeth_brightness.py --portraits mona_lisa.jpg einstein_colourised.jpg
"""

from __future__ import annotations

import argparse
from pathlib import Path

import cv2
import numpy as np

from kiosk.exhibits.samples import SAMPLE_SOURCES
from kiosk.motion.controls import motion_from_controls
from kiosk.offline import driver_frames
from kiosk.renderer.engine import GeometricEngine
from kiosk.renderer.retarget import target_mesh
from kiosk.renderer.tone import LUMA_BGR
from kiosk.tracking import landmarks as lm

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DRIVERS = ("d3", "d10", "d12", "d14", "d19", "d20", "talking_man")
OPEN_FROM = 0.12


def mouth_over_cheeks(image: np.ndarray, mouth: np.ndarray, face: np.ndarray) -> float | None:
    """The brightest tenth inside `mouth`'s inner lips over the median of `face`'s cheeks (both
    (478, 3) landmarks in `image`); None for a mouth too small to measure."""
    inner = np.zeros(image.shape[:2], np.uint8)
    cv2.fillPoly(inner, [np.round(mouth[lm.as_index(lm.LIPS_INNER), :2]).astype(np.int32)], 255)
    cheeks = np.zeros_like(inner)
    for cheek in (lm.RIGHT_CHEEK, lm.LEFT_CHEEK):
        cv2.fillPoly(cheeks, [np.round(face[lm.as_index(cheek), :2]).astype(np.int32)], 255)
    mouth_luma = image[inner > 0].astype(np.float64) @ LUMA_BGR
    if len(mouth_luma) < 30:
        return None
    cheek_luma = image[cheeks > 0].astype(np.float64) @ LUMA_BGR
    return float(np.percentile(mouth_luma, 90) / max(np.median(cheek_luma), 1.0))


def filmed(name: str, frames: int) -> list[float]:
    ratios = []
    for frame in driver_frames(DATA / "drivers" / f"{name}.mp4", frames):
        points = frame.landmarks
        if points is not None and lm.mouth_open_ratio(points) >= OPEN_FROM:
            ratio = mouth_over_cheeks(frame.image, points, points)
            if ratio is not None:
                ratios.append(ratio)
    return ratios


def drawn(engine: GeometricEngine, image: np.ndarray) -> list[float]:
    rig = engine.build_rig(image)
    face = rig.faces[0]
    ratios = []
    for jaw in (0.3, 0.5):
        motion = motion_from_controls({"jaw_open": jaw})
        out = engine.render(rig, [motion])
        ratio = mouth_over_cheeks(out, target_mesh(face, motion).landmarks, face.landmarks)
        ratios.append(float("nan") if ratio is None else ratio)
    return ratios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portraits", nargs="*", default=[], help="names in shared/data")
    parser.add_argument("--frames", type=int, default=300)
    args = parser.parse_args()
    for name in DRIVERS:
        ratios = filmed(name, args.frames)
        if ratios:
            q1, q2, q3 = np.percentile(ratios, [25, 50, 75])
            spread = f"quartiles {q1:.2f}-{q3:.2f}"
            print(f"{name}: {len(ratios)} open frames, median {q2:.2f} ({spread})")
    engine = GeometricEngine()
    images = {"grace_hopper (sample)": cv2.imread(str(SAMPLE_SOURCES["grace_hopper.jpg"]()))}
    for name in args.portraits:
        images[name] = cv2.imread(str(DATA / "portraits" / name))
    for name, image in images.items():
        ratios = ", ".join(f"{r:.2f}" for r in drawn(engine, image))
        print(f"{name}: drawn at jaw open 0.3, 0.5: {ratios}")
    engine.close()


if __name__ == "__main__":
    main()
