"""What closing eyes cost per frame, the lids of an earlier revision beside this one's, in one
run: the renderer's "eyes (gaze, lids)" step (engine.steps, as `kiosk bench` records its render
breakdown) on a portrait fitted to a 1920x1080 screen, over a blink from open to shut and a
wink, the two versions' renders interleaved so both see the same machine state; and the eye rigs'
build time (once per painting).

    .venv/bin/python scripts/lid_cost.py --before main --portrait mona_lisa
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import numpy as np
from cost_support import fitted_portrait, module_at

import kiosk.renderer.engine as engine_module
from kiosk.motion.controls import motion_from_controls
from kiosk.renderer.engine import GeometricEngine
from kiosk.renderer.eye_rig import build_eye_rigs
from kiosk.stats import StageTimes

STEP = "eyes (gaze, lids)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--before", default="main", help="git revision of the earlier lids")
    parser.add_argument("--portrait", default="mona_lisa")
    parser.add_argument("--repeats", type=int, default=20)
    args = parser.parse_args()
    old_rig = module_at(args.before, "kiosk/renderer/eye_rig.py", "_before_eye_rig", {})
    old_lids = module_at(args.before, "kiosk/renderer/lids.py", "_before_lids",
                          {"kiosk.renderer.eye_rig": "_before_eye_rig"})  # fmt: skip
    painting = fitted_portrait(args.portrait)
    engine = GeometricEngine()
    rig = engine.build_rig(painting)
    old_faces = tuple(
        dataclasses.replace(f, eyes=old_rig.build_eye_rigs(painting, f.landmarks.astype(float)))
        for f in rig.faces
    )
    versions = {
        "before": (dataclasses.replace(rig, faces=old_faces), old_lids.draw_lids),
        "after": (rig, engine_module.draw_lids),
    }
    poses = [{"blink": b} for b in np.linspace(0.0, 1.0, 11)] + [{"blink_left": 1.0}]
    motions = [motion_from_controls(p) for p in poses]
    times = {name: StageTimes() for name in versions}
    out = rig.image.copy()
    for _ in range(args.repeats):
        for motion in motions:
            for name, (version_rig, draw_lids) in versions.items():  # interleaved
                engine.steps = times[name]
                engine_module.draw_lids = draw_lids
                engine.render(version_rig, [motion], out=out)
    engine.close()
    builds = {"before": old_rig.build_eye_rigs, "after": build_eye_rigs}
    build_ms: dict[str, list[float]] = {name: [] for name in builds}
    points = rig.faces[0].landmarks.astype(float)
    for _ in range(args.repeats):
        for name, build in builds.items():  # interleaved, as the renders
            start = time.perf_counter()
            build(painting, points)
            build_ms[name].append((time.perf_counter() - start) * 1000.0)
    face = rig.faces[0].region
    print(
        f"{args.portrait} at {painting.shape[1]}x{painting.shape[0]}, face region "
        f"{face.width}x{face.height}, {len(motions)} poses (blink 0..1, wink) x {args.repeats}"
    )
    medians = {}
    for name, st in times.items():
        s = np.array(st.samples()[STEP])
        medians[name] = float(np.median(s))
        print(f"  {STEP} ({name} = {args.before if name == 'before' else 'this tree'}): "
              f"median {medians[name]:.3f} ms, p90 {np.percentile(s, 90):.3f}")  # fmt: skip
    print(f"  after / before (medians): {medians['after'] / medians['before']:.3f}")
    before, after = (float(np.median(build_ms[n])) for n in ("before", "after"))
    print(f"  build_eye_rigs, once per painting: median {before:.2f} ms before, {after:.2f} ms "
          f"after ({after / before:.3f})")  # fmt: skip


if __name__ == "__main__":
    main()
