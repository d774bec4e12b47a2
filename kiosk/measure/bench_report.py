"""The bench's figures: the written targets, per-tick rows turned into stage times, the
headline numbers the targets are checked against, and the table `kiosk bench` prints."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kiosk.measure.kiosk_folder import DISPLAY_FPS
from kiosk.stats import summarize

MEMORY_EXHIBITS = 20

# (key in the result, label, unit, comparison, limit). Reported against, never asserted.
TARGETS = (
    ("pipeline_ms", "tracking+motion+render+composite medians + attract tracker per frame", "ms",
     "<=", 12.0),
    ("end_to_end_p95_ms", "end-to-end latency p95 (30 fps source)", "ms", "<=", 50.0),
    ("display_fps", "sustained display loop (paced to 60; 1% pacing slack)", "fps", ">=", 59.4),
    ("startup_warm_s", "start-up to first animated frame, warm rig cache", "s", "<=", 3.0),
    ("rig_build_max_s", "slowest rig build of a new painting (off the display thread)", "s",
     "<=", 1.5),
    ("peak_rss_mb", f"peak RSS with {MEMORY_EXHIBITS} exhibits", "MB", "<=", 600.0),
)  # fmt: skip

# Per-tick stages derived from the kiosk's StageTimes, in table order.
STAGE_ROWS = (
    ("capture", "capture/decode (camera thread)"),
    ("camera_age", "camera frame age when tracked"),
    ("tracking", "tracking (face mesh, video mode)"),
    ("motion", "motion (pose, expression, filter)"),
    ("people", "attract tracker (full-range face finder), per run"),
    ("warp", "render: warp (engine.render)"),
    ("composite", "render: composite + overlays"),
    ("display", "display conversion/blit/flip"),
    ("pipeline_camera", "tracking+motion+render+composite, ticks with a camera frame"),
    ("pipeline_all", "tracking+motion+render+composite, all ticks"),
    ("frame", "whole tick (excluding pacing sleep)"),
    ("end_to_end", "end-to-end: capture -> handed to display"),
)


def derive_stages(rows: Sequence[dict[str, float]]) -> dict[str, list[float]]:
    """Per-tick stage times from per-tick StageTimes rows.

    A row holds the milliseconds the kiosk added during one tick:
    tracking/motion/camera_age/end_to_end only on ticks that processed a new camera frame;
    `warp` is engine.render inside the loop's `render` (the scene renderer records it);
    `overlays` is overlay drawing inside the loop's `display` (the display records it).
    `composite` is the rest of render plus overlays, `display` the rest.
    """
    out: dict[str, list[float]] = {name: [] for name, _ in STAGE_ROWS if name != "capture"}
    for row in rows:
        warp = row.get("warp", 0.0)
        overlays = row.get("overlays", 0.0)
        # A tick that re-shows the last frame renders nothing: counting its zero would halve
        # the warp median. Render stages count only the ticks that rendered anew.
        if "warp" in row:
            out["warp"].append(warp)
            out["composite"].append(max(0.0, row.get("render", 0.0) - warp) + overlays)
        out["display"].append(max(0.0, row.get("display", 0.0) - overlays))
        pipeline = row.get("tracking", 0.0) + row.get("motion", 0.0)
        pipeline += row.get("render", 0.0) + overlays
        out["pipeline_all"].append(pipeline)
        if "frame" in row:
            out["frame"].append(row["frame"])
        if "tracking" in row:
            out["pipeline_camera"].append(pipeline)
        # Tracking runs on its own thread: its stages land in whichever tick was running, and
        # a frame's end-to-end latency in the tick that showed it.
        for name in ("camera_age", "tracking", "motion", "people", "end_to_end"):
            if name in row:
                out[name].append(row[name])
    return out


def evaluate_targets(headline: dict[str, float | None]) -> list[dict[str, Any]]:
    """Each target with the measured value and whether it is met (None: not measured)."""
    rows = []
    for key, label, unit, op, limit in TARGETS:
        value = headline.get(key)
        ok = None if value is None else (value <= limit if op == "<=" else value >= limit)
        rows.append({"key": key, "label": label, "unit": unit, "target": f"{op} {limit:g}",
                     "value": value, "ok": ok})  # fmt: skip
    return rows


def pipeline_result(pipeline: dict, baseline: dict, capture: list[float], breakdown: dict,
                    background: dict) -> dict[str, Any]:  # fmt: skip
    """The in-process phases' part of the result: stage rows as ratios to the baseline."""
    base_ms = baseline["present"]["median_ms"]
    paced = pipeline["paced"]
    stages = derive_stages(paced.pop("rows"))
    stages["capture"] = capture
    ordered = {name: summarize(stages[name], base_ms) for name, _ in STAGE_ROWS}
    # The attract tracker runs on one camera frame in several: its median per run says what a
    # run costs, and its total over the camera frames what it adds to each.
    attract = {
        "runs": len(stages["people"]),
        "camera_frames": len(stages["tracking"]),
        "per_camera_frame_ms": round(sum(stages["people"]) / len(stages["tracking"]), 3)
        if stages["tracking"] else None,
    }  # fmt: skip
    paced["x_baseline_fps"] = round(paced["fps"] / baseline["fps"], 3) if baseline["fps"] else None
    paced["new_fraction"] = round(paced["new_frames"] / max(1, paced["displayed_frames"]), 3)
    return {
        "baseline": baseline,
        "warmup": {"seconds": pipeline["warmup_s"], "live": pipeline["live"]},
        "stages_ms": ordered,
        "attract_tracker": attract,
        "display_loop": {"paced": paced, "unpaced": pipeline["unpaced"]},
        "render_breakdown_ms": breakdown,
        "background_rig_build": background,
    }


def _sum_of_medians(stages: dict[str, dict[str, float]], extra_ms: float = 0.0) -> float | None:
    """tracking + motion + warp + composite medians (+ `extra_ms`); None if any of them was
    not measured."""
    keys = ("tracking", "motion", "warp", "composite")
    parts = [stages.get(k, {}).get("median_ms") for k in keys]
    return round(sum(parts) + extra_ms, 2) if all(p is not None for p in parts) else None


def headline(result: dict[str, Any]) -> dict[str, float | None]:
    """The figures the targets are checked against."""
    stages = result["stages_ms"]
    startup = result.get("startup", {})
    rigs = result.get("memory", {}).get("rigs", [])
    builds = [r["cold_s"] for r in rigs] + [result["background_rig_build"].get("build_s")]
    builds = [b for b in builds if b is not None]
    # Tracking runs on its own thread and a frame is re-shown when nothing moved, so per-tick
    # sums mislead: the work one camera frame costs is the sum of the stages' medians. The
    # serial run has no composite stage of its own; it takes the loop's.
    serial = {**result.get("serial_ms", {}), "composite": stages.get("composite", {})}
    # The attract tracker's share of every camera frame (it runs on one in several).
    attract_ms = result.get("attract_tracker", {}).get("per_camera_frame_ms") or 0.0
    return {
        "pipeline_ms": _sum_of_medians(stages, attract_ms),
        "attract_tracker_ms_per_frame": attract_ms,
        "pipeline_serial_ms": _sum_of_medians(serial, attract_ms),
        "end_to_end_p95_ms": stages["end_to_end"].get("p95_ms"),
        "display_fps": result["display_loop"]["paced"]["fps"],
        "startup_warm_s": startup.get("warm", {}).get("first_animated_s"),
        "rig_build_max_s": max(builds) if builds else None,
        "peak_rss_mb": result.get("memory", {}).get("peak_rss_mb"),
    }


# ----------------------------------------------------------------------------- the table


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "-"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def format_report(result: dict[str, Any]) -> str:
    w, h = result["size"]
    base = result["baseline"]
    load = result.get("load_average", {})
    lines = [
        f"kiosk bench: {w}x{h}, painting {result.get('painting', '?')}, driver "
        f"{result['driver']}, {result['cpus']} CPUs, load average "
        f"{_fmt(load.get('start'))} at start, {_fmt(load.get('end'))} at end",
        f"baseline (present the still painting): {_fmt(base['present'].get('median_ms'))} ms "
        f"median, {_fmt(base['fps'], 1)} fps",
        "",
        f"{'stage':<62}{'median ms':>10}{'p95 ms':>9}{'x base':>8}{'n':>6}",
    ]
    for name, label in STAGE_ROWS:
        s = result["stages_ms"].get(name, {})
        lines.append(f"{label:<62}{_fmt(s.get('median_ms')):>10}{_fmt(s.get('p95_ms')):>9}"
                     f"{_fmt(s.get('x_baseline')):>8}{_fmt(s.get('samples')):>6}")  # fmt: skip
    attract = result.get("attract_tracker", {})
    if attract:
        lines.append(
            f"attract tracker: {attract['runs']} runs over {attract['camera_frames']} camera "
            f"frames, {_fmt(attract['per_camera_frame_ms'], 3)} ms per camera frame (in the "
            "pipeline target)"
        )
    lines += _loop_lines(result)
    lines += _breakdown_lines(result)
    lines += _serial_lines(result)
    lines += _startup_memory_lines(result)
    lines += ["", f"{'target':<66}{'measured':>10}  {'limit':<10}"]
    for t in result["targets"]:
        mark = {True: "ok", False: "MISSED", None: "not measured"}[t["ok"]]
        lines.append(f"{t['label']:<66}{_fmt(t['value']):>10}  {t['target'] + ' ' + t['unit']:<10}"
                     f"  {mark}")  # fmt: skip
    return "\n".join(lines)


def _loop_lines(result: dict[str, Any]) -> list[str]:
    loop = result["display_loop"]
    paced = loop["paced"]
    return [
        "",
        f"display loop (paced to {DISPLAY_FPS}): {_fmt(paced['fps'], 1)} fps, camera "
        f"{_fmt(paced['camera_fps'], 1)} fps, new frames shown {paced['new_frames']}/"
        f"{paced['displayed_frames']} ({100 * paced['new_fraction']:.0f}%); CPU "
        f"{_fmt(paced.get('cpu_percent'), 0)}% of one core; flat out "
        f"{_fmt(loop['unpaced']['fps'], 1)} fps",
    ]


def _serial_lines(result: dict[str, Any]) -> list[str]:
    serial = result.get("serial_ms", {})
    if not serial:
        return []
    parts = ", ".join(f"{k} {_fmt(v.get('median_ms'))}" for k, v in serial.items())
    return [
        f"the same frames one after another, kiosk threads stopped (median ms): {parts}; "
        f"with the loop's composite, {_fmt(result['headline'].get('pipeline_serial_ms'))} ms "
        "(for comparison; the target row below is the loop's)"
    ]


def _breakdown_lines(result: dict[str, Any]) -> list[str]:
    steps = result.get("render_breakdown_ms", {})
    region = steps.get("face_region_px")
    head = "render breakdown (median ms)"
    if region:
        head += f", face region {region['width']}x{region['height']} px"
    reduced = steps.get("rendered_px")
    if reduced:
        head += (f" (rendered at {reduced['width']}x{reduced['height']}, scaled up to "
                 f"{reduced['shown_width']}x{reduced['shown_height']})")  # fmt: skip
    sizes = ("face_region_px", "rendered_px")
    parts = [f"{k} {_fmt(v.get('median_ms'))}" for k, v in steps.items() if k not in sizes]
    bg = result["background_rig_build"]
    frame = bg["frame_during_build"]
    return [
        f"{head}: " + ", ".join(parts),
        f"new painting's rig ({bg['painting']}) built on the rig thread in "
        f"{_fmt(bg['build_s'])} s ({bg['faces']} face(s){', ' + bg['error'] if bg['error'] else ''}"
        f"); {bg['frames']} display frames meanwhile: {_fmt(frame.get('median_ms'))} ms median, "
        f"{_fmt(frame.get('p95_ms'))} ms p95",
    ]


def _startup_memory_lines(result: dict[str, Any]) -> list[str]:
    lines = []
    startup = result.get("startup")
    if startup:
        for kind in ("cold", "warm"):
            s = startup[kind]
            lines.append(f"start-up, {kind} rig cache: first frame {_fmt(s['first_frame_s'])} s, "
                         f"first animated frame {_fmt(s['first_animated_s'])} s "
                         f"(median of {startup['runs']})")  # fmt: skip
    memory = result.get("memory")
    if memory:
        lines.append(
            f"memory, {memory['exhibits']} exhibits loaded and shown: peak RSS "
            f"{_fmt(memory['peak_rss_mb'], 1)} MB (now {_fmt(memory['rss_mb'], 1)} MB)"
        )
        lines.append(
            "  RSS at checkpoints: "
            + ", ".join(f"{k} {_fmt(v, 1)} MB" for k, v in memory["rss_checkpoints_mb"].items())
        )
        lines.append(f"{'rig build per painting':<44}{'cold s':>8}{'warm s':>8}{'faces':>7}")
        for r in memory["rigs"]:
            lines.append(f"  {Path(r['image']).name:<42}{_fmt(r['cold_s']):>8}"
                         f"{_fmt(r.get('warm_s')):>8}{r['faces']:>7}")  # fmt: skip
    return [""] + lines if lines else []
