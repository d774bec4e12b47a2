"""What the drawn mouth interior costs per frame, an earlier revision's mouth.py beside this
tree's, in one run: the renderer's "mouth interior" step (engine.steps) on portraits fitted to a
1920x1080 screen, the mouth opening from 0.2 to 1.0, the two versions' renders interleaved.

    .venv/bin/python scripts/teeth_cost.py --before main mona_lisa girl_with_a_pearl_earring
"""

from __future__ import annotations

import argparse

import numpy as np
from cost_support import fitted_portrait, module_at

import kiosk.renderer.engine as engine_module
from kiosk.motion.controls import motion_from_controls
from kiosk.renderer.engine import GeometricEngine
from kiosk.stats import StageTimes

STEP = "mouth interior"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("portraits", nargs="+")
    parser.add_argument("--before", default="main", help="git revision of the earlier mouth")
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    before = module_at(args.before, "kiosk/renderer/mouth.py", "_before_mouth")
    draw = {"before": before.draw_mouth_interior,
            "after": engine_module.draw_mouth_interior}  # fmt: skip
    motions = [motion_from_controls({"jaw_open": o}) for o in np.linspace(0.2, 1.0, 9)]
    for name in args.portraits:
        painting = fitted_portrait(name)
        engine = GeometricEngine()
        rig = engine.build_rig(painting)
        times = {version: StageTimes() for version in draw}
        out = rig.image.copy()
        for _ in range(args.repeats):
            for motion in motions:
                for version, function in draw.items():  # interleaved
                    engine.steps = times[version]
                    engine_module.draw_mouth_interior = function
                    engine.render(rig, [motion], out=out)
        engine_module.draw_mouth_interior = draw["after"]
        engine.close()
        med = {v: float(np.median(t.samples()[STEP])) for v, t in times.items()}
        print(f"{name} at {painting.shape[1]}x{painting.shape[0]}: {STEP} median "
              f"{med['before']:.3f} ms ({args.before}), {med['after']:.3f} ms (this tree), "
              f"ratio {med['after'] / med['before']:.3f}")  # fmt: skip


if __name__ == "__main__":
    main()
