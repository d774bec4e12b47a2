"""What the visitor's mouth costs per frame, beside the drawn interior, in one run: the
renderer's "mouth interior" step (engine.steps, as `kiosk bench` records its render breakdown)
with each source, on a portrait fitted to a 1920x1080 screen, driven by a driver's open-mouth
frames; and the tracker's cut of the patch from the driver (camera) frame.

    .venv/bin/python scripts/mouth_transfer_cost.py --portrait mona_lisa --driver d10
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from cost_support import DATA, fitted_portrait

from kiosk.offline import driver_frames
from kiosk.renderer.engine import Animation, GeometricEngine
from kiosk.stats import StageTimes
from kiosk.tracking.landmarks import lips_parted
from kiosk.tracking.mouth_patch import cut_mouth_patch

STEP = "mouth interior"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--portrait", default="mona_lisa")
    parser.add_argument("--driver", default="d10")
    parser.add_argument("--frames", type=int, default=40, help="open-mouth frames used")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    frames = [f for f in driver_frames(DATA / "drivers" / f"{args.driver}.mp4", 300)
              if f.landmarks is not None]  # fmt: skip
    frames.sort(key=lambda f: lips_parted(f.landmarks), reverse=True)
    frames = frames[: args.frames]
    painting = fitted_portrait(args.portrait)
    engine = GeometricEngine()
    rig = engine.build_rig(painting)
    cut_ms: list[float] = []
    patches = []
    for f in frames:
        start = time.perf_counter()
        patches.append(cut_mouth_patch(f.image, f.landmarks))
        cut_ms.append((time.perf_counter() - start) * 1000.0)
    times = {"drawn": StageTimes(), "visitor": StageTimes()}
    sources = {"drawn": Animation(), "visitor": Animation(visitor_mouth=True)}
    out = rig.image.copy()
    for _ in range(args.repeats):
        for f, patch in zip(frames, patches, strict=True):
            for name, animation in sources.items():  # interleaved: the same machine state
                engine.steps = times[name]
                engine.render(rig, [f.motion], animation, out, mouths=[patch])
    engine.close()
    face = rig.faces[0].region
    camera = frames[0].image.shape
    print(
        f"{args.portrait} at {painting.shape[1]}x{painting.shape[0]}, face region "
        f"{face.width}x{face.height}, driver {args.driver} ({camera[1]}x{camera[0]}), "
        f"{len(frames)} open-mouth frames x {args.repeats}"
    )
    for name, st in times.items():
        s = np.array(st.samples()[STEP])
        print(f"  {STEP} ({name}): median {np.median(s):.3f} ms, p90 {np.percentile(s, 90):.3f}")
    print(f"  cut_mouth_patch (tracking thread): median {np.median(cut_ms):.3f} ms")


if __name__ == "__main__":
    main()
