"""`kiosk eval`: render and measure. Self-reenactment, cross-reenactment, stillness, untouched
background, and contact sheets of the face controls, written as JSON and PNG."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from kiosk.config import EngineConfig
from kiosk.evaluation import looks
from kiosk.evaluation import metrics as m
from kiosk.motion.controls import motion_from_controls
from kiosk.motion.motion import Motion
from kiosk.offline import driver_frames
from kiosk.renderer.engine import Animation, Engine, make_engine
from kiosk.renderer.face_rig import NoFaceError, PaintingRig
from kiosk.tracking.face_mesh import FaceMeshDetector
from kiosk.tracking.mouth_patch import MouthPatch, cut_mouth_patch

log = logging.getLogger(__name__)

# Drivers whose fitted head roll varies less than this (standard deviation) are left out of
# the roll figure: a correlation with a head that hardly tilts measures noise.
ROLL_MIN_STD_DEG = 1.5
SELF_DRIVERS = ("d3", "d10", "d14", "d19", "talking_man")
SHEET_PORTRAITS = ("mona_lisa", "girl_with_a_pearl_earring", "painted_old_woman")
SHEET_POSES: tuple[tuple[str, dict[str, float]], ...] = (
    ("neutral", {}),
    ("smile", {"smile": 0.9}),
    ("open mouth", {"jaw_open": 0.9, "smile": 0.15}),
    ("blink", {"blink": 1.0}),
    ("wink", {"blink_left": 1.0}),
    ("look left", {"gaze_x": -1.0}),
    ("look right", {"gaze_x": 1.0}),
    ("turn left", {"yaw": 15.0}),
    ("turn right", {"yaw": -15.0}),
    ("tilt", {"roll": 10.0}),
)


# Every part of the evaluation, in the order it runs; `kiosk eval --parts` picks some.
PARTS = ("self", "cross", "stillness", "sheets", "looks")


@dataclass
class EvalOptions:
    portraits: Path
    drivers: Path
    out: Path
    max_frames: int | None = None  # per video, to shorten a run
    skip_cross: bool = False
    parts: tuple[str, ...] = PARTS  # which measurements to run (all by default)
    # "visitor": the driver frames stand in for the camera, so each frame's own inner mouth
    # is laid into the painting as a visitor's is in live mode; "drawn": never.
    mouth_interior_source: str = EngineConfig().mouth_interior_source


@dataclass
class EvalReport:
    self_reenactment: dict = field(default_factory=dict)
    cross_reenactment: dict = field(default_factory=dict)
    stillness: dict = field(default_factory=dict)
    background: dict = field(default_factory=dict)
    looks: dict = field(default_factory=dict)
    sheets: list = field(default_factory=list)
    seconds: float = 0.0


def _detect_all(detector: FaceMeshDetector, images: list[np.ndarray]) -> list[np.ndarray | None]:
    out = []
    for image in images:
        faces = detector.detect(image)
        out.append(faces[0].landmarks if faces else None)
    return out


def _rig_masks(rig: PaintingRig) -> np.ndarray:
    mask = np.zeros(rig.image.shape[:2], np.uint8)
    for face in rig.faces:
        mask |= face.region_mask(rig.image.shape)
    return mask


def _driver_mouth(frame, visitor_mouth: bool) -> list[MouthPatch | None] | None:
    """The driver frame's inner mouth, as the tracker cuts a visitor's (None: not used)."""
    if not visitor_mouth or frame.landmarks is None:
        return None
    return [cut_mouth_patch(frame.image, frame.landmarks)]


def self_reenactment(
    engine: Engine, video: Path, max_frames: int | None, visitor_mouth: bool = False
) -> dict:
    """Frame 0 animated by its own video, compared with the real frames; `visitor_mouth`: each
    frame's own inner mouth is transferred (the driver stands in for a visitor)."""
    frames = list(driver_frames(video, max_frames))
    source = frames[0].image
    rig = engine.build_rig(source)
    last = Motion()
    outputs = []
    animation = Animation(visitor_mouth=visitor_mouth)
    for frame in frames:
        last = frame.motion or last
        mouths = _driver_mouth(frame, visitor_mouth)
        outputs.append(engine.render(rig, [last], animation, mouths=mouths))
    with FaceMeshDetector(static_image=False, max_faces=1) as det_out:
        out_lms = _detect_all(det_out, outputs)
    gt_lms = [f.landmarks for f in frames]
    src_lm = gt_lms[0]
    rows = {"l1": [], "psnr": [], "ssim": [], "lmd": []}
    base = {"l1": [], "psnr": [], "ssim": [], "lmd": []}
    for frame, out, out_lm, gt_lm in zip(
        frames[1:], outputs[1:], out_lms[1:], gt_lms[1:], strict=True
    ):
        gt = frame.image
        rows["l1"].append(m.l1(out, gt))
        base["l1"].append(m.l1(source, gt))
        rows["psnr"].append(m.psnr(out, gt))
        base["psnr"].append(m.psnr(source, gt))
        rows["ssim"].append(m.ssim(out, gt))
        base["ssim"].append(m.ssim(source, gt))
        if gt_lm is not None and out_lm is not None and src_lm is not None:
            rows["lmd"].append(m.landmark_distance(out_lm, gt_lm))
            base["lmd"].append(m.landmark_distance(src_lm, gt_lm))
    result = {"frames": len(frames)}
    for key in rows:
        ours = float(np.mean(rows[key])) if rows[key] else float("nan")
        static = float(np.mean(base[key])) if base[key] else float("nan")
        result[key] = {"ours": round(ours, 5), "static": round(static, 5)}
    return result


def cross_reenactment(
    engine: Engine,
    rig: PaintingRig,
    video: Path,
    max_frames: int | None,
    visitor_mouth: bool = False,
) -> dict:
    """A portrait driven by a video: do mouth, eyes and roll follow the driver? `visitor_mouth`:
    with the driver's own inner mouth transferred."""
    driver_sig = []
    driver_lms = []
    outputs = []
    last = Motion()
    changed = 0.0
    mask = _rig_masks(rig)
    animation = Animation(visitor_mouth=visitor_mouth)
    for i, frame in enumerate(driver_frames(video, max_frames)):
        last = frame.motion or last
        out = engine.render(rig, [last], animation, mouths=_driver_mouth(frame, visitor_mouth))
        if i % 10 == 0:
            changed = max(changed, m.changed_outside(rig.image, out, mask))
        outputs.append(out)
        driver_sig.append(m.face_signals(frame.landmarks))
        driver_lms.append(frame.landmarks)
    with FaceMeshDetector(static_image=False, max_faces=1) as det:
        out_lms = _detect_all(det, outputs)
    out_sig = np.array([m.face_signals(x) for x in out_lms])
    drv = np.array(driver_sig)
    return {
        "frames": len(outputs),
        "mouth": m.pearson(drv[:, 0], out_sig[:, 0]),
        "eyes": m.pearson(drv[:, 1], out_sig[:, 1]),
        "roll": m.pearson(drv[:, 2], out_sig[:, 2]),
        # The same, on the whole head's fitted roll rather than the eye line (see
        # metrics.head_roll_agreement): does the painting tilt its head as the driver does?
        "head_roll": m.pearson(m.fitted_head_roll(driver_lms), m.fitted_head_roll(out_lms)),
        # Only drivers whose head really tilts count for the roll figure (see ROLL_MIN_STD_DEG).
        "driver_roll_std_deg": float(np.degrees(np.nanstd(m.fitted_head_roll(driver_lms)))),
        "amplitude_ratio": m.amplitude_ratios(driver_lms, out_lms),
        # What the roll measure can give at best: the driver's eye line against its own head
        # roll (the same for every portrait this driver drives).
        "driver_roll_reference": m.head_roll_agreement(driver_lms),
        "no_face_rate": float(np.mean([x is None for x in out_lms])),
        "changed_outside_region": changed,
    }


def stillness(engine: Engine, portrait: np.ndarray, still_frame: np.ndarray) -> dict:
    """A still visitor (one frame + sensor noise, 150 frames): how much does the output move?"""
    from kiosk.motion.estimator import MotionEstimator

    rig = engine.build_rig(portrait)
    rng = np.random.default_rng(7)
    estimator = MotionEstimator()
    outputs, targets = [], []
    from kiosk.renderer.retarget import target_landmarks

    with FaceMeshDetector(static_image=False, max_faces=1) as det:
        for i in range(150):
            noise = rng.normal(0.0, 2.0, still_frame.shape)
            noisy = np.clip(still_frame.astype(np.float64) + noise, 0, 255).astype(np.uint8)
            faces = det.detect(noisy)
            if not faces:
                continue
            motion = estimator.update(faces[0].landmarks, i / 30.0)
            outputs.append(engine.render(rig, [motion]))
            targets.append(target_landmarks(rig.faces[0], motion))
    # Static mode re-detects every frame from scratch, so identical frames give identical
    # landmarks; video mode jitters by itself (about half a pixel) even on a repeated image.
    with FaceMeshDetector(static_image=True, max_faces=1) as det_out:
        out_lms = _detect_all(det_out, outputs)
    with FaceMeshDetector(static_image=False, max_faces=1) as det_video:
        floor = _detect_all(det_video, [rig.image] * 30)
    return {
        "frames": len(outputs),
        "output_landmark_jitter_px": round(m.mean_jitter(out_lms), 4),
        "engine_landmark_jitter_px": round(m.mean_jitter(targets), 4),
        "video_mode_detector_floor_px": round(m.mean_jitter(floor), 4),
        "portrait_size": [int(portrait.shape[1]), int(portrait.shape[0])],
    }


def contact_sheet(engine: Engine, rig: PaintingRig, title: str) -> np.ndarray:
    """The painting's face in each of the standard expressions, labelled, one row."""
    face = rig.faces[0]
    centre = face.landmarks[:, :2].mean(axis=0)
    half = int(face.frame.iod * 1.6)
    h, w = rig.image.shape[:2]
    x0, y0 = max(0, int(centre[0]) - half), max(0, int(centre[1]) - half)
    x1, y1 = min(w, int(centre[0]) + half), min(h, int(centre[1]) + half)
    tiles = []
    for name, controls in SHEET_POSES:
        out = engine.render(rig, [motion_from_controls(controls)])[y0:y1, x0:x1]
        tile = cv2.resize(out, (240, int(240 * (y1 - y0) / max(x1 - x0, 1))))
        cv2.rectangle(tile, (0, 0), (tile.shape[1], 22), (0, 0, 0), -1)
        cv2.putText(tile, name, (6, 16), cv2.FONT_HERSHEY_SIMPLEX, 0.5, (255, 255, 255), 1)
        tiles.append(tile)
    row = np.hstack(tiles)
    banner = np.zeros((28, row.shape[1], 3), np.uint8)
    cv2.putText(banner, title, (6, 20), cv2.FONT_HERSHEY_SIMPLEX, 0.6, (255, 255, 255), 1)
    return np.vstack([banner, row])


def _summary(values: list[float]) -> float:
    arr = np.array([v for v in values if not np.isnan(v)])
    return round(float(arr.mean()), 4) if len(arr) else float("nan")


def run_eval(options: EvalOptions, progress=print) -> EvalReport:
    started = time.monotonic()
    options.out.mkdir(parents=True, exist_ok=True)
    report = EvalReport()
    engine = make_engine(EngineConfig())  # the engine config.yaml names by default
    steps = {
        "self": _run_self,
        "cross": _run_cross,
        "stillness": _run_stillness,
        "sheets": _run_sheets,
        "looks": _run_looks,
    }
    try:
        for part in PARTS:
            if part in options.parts:
                steps[part](engine, options, report, progress)
    finally:
        engine.close()
    report.seconds = round(time.monotonic() - started, 1)
    return report


def _run_self(engine, options: EvalOptions, report: EvalReport, progress) -> None:
    per_clip = {}
    for name in SELF_DRIVERS:
        video = options.drivers / f"{name}.mp4"
        if not video.exists():
            continue
        progress(f"self-reenactment: {name}")
        per_clip[name] = self_reenactment(
            engine, video, options.max_frames, options.mouth_interior_source == "visitor"
        )
    if per_clip:
        mean = {}
        for key in ("l1", "psnr", "ssim", "lmd"):
            ours = np.mean([c[key]["ours"] for c in per_clip.values()])
            static = np.mean([c[key]["static"] for c in per_clip.values()])
            mean[key] = {
                "ours": round(float(ours), 5),
                "static": round(float(static), 5),
                "ratio": round(float(ours / static), 4) if static else None,
            }
        report.self_reenactment = {
            "clips": per_clip, "mean": mean, "mouth_interior": options.mouth_interior_source,
        }  # fmt: skip


def _portraits(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in (".jpg", ".jpeg", ".png"))


def _run_cross(engine, options: EvalOptions, report: EvalReport, progress) -> None:
    if options.skip_cross:
        return
    videos = sorted(options.drivers.glob("*.mp4"))
    pairs = {}
    no_face = []
    changed = []
    for path in _portraits(options.portraits):
        image = cv2.imread(str(path))
        try:
            rig = engine.build_rig(image)
        except NoFaceError as exc:
            no_face.append({"portrait": path.name, "message": str(exc)})
            progress(f"cross-reenactment: {path.name}: reported: {exc}")
            continue
        for video in videos:
            progress(f"cross-reenactment: {path.stem} x {video.stem}")
            result = cross_reenactment(
                engine, rig, video, options.max_frames,
                options.mouth_interior_source == "visitor",
            )  # fmt: skip
            pairs[f"{path.stem}/{video.stem}"] = result
            changed.append(result["changed_outside_region"])
    # Each driver drives every portrait, so the mean over drivers of what exact head roll
    # would score is its mean over the pairs too.
    reference = {name.split("/")[1]: pair["driver_roll_reference"] for name, pair in pairs.items()}
    tilting = [p for p in pairs.values() if p["driver_roll_std_deg"] >= ROLL_MIN_STD_DEG]
    report.cross_reenactment = {
        "pairs": pairs,
        "no_face_reported": no_face,
        "mean": {
            k: _summary([p[k] for p in pairs.values()])
            for k in ("mouth", "eyes", "roll", "head_roll", "no_face_rate")
        },
        # The roll figure: the whole head's fitted roll, over drivers whose head really tilts.
        "roll_fitted": {
            "mean": _summary([p["head_roll"] for p in tilting]),
            "pairs_counted": len(tilting),
            "drivers_counted": sorted({n.split("/")[1] for n, p in pairs.items()
                                       if p in tilting}),
        },  # fmt: skip
        "amplitude_ratio_median": {
            k: _median([p["amplitude_ratio"][k] for p in pairs.values()])
            for k in ("mouth_opening", "smile_spread", "head_turn_deg")
        },
        "roll_if_head_roll_copied_exactly": {
            "drivers": {k: round(v, 4) for k, v in reference.items()},
            "mean": _summary(list(reference.values())),
        },
    }
    report.background = {"max_changed_fraction_outside_region": max(changed, default=0.0)}


def _run_stillness(engine, options: EvalOptions, report: EvalReport, progress) -> None:
    portrait = options.portraits / "mona_lisa.jpg"
    video = options.drivers / "d19.mp4"
    if not portrait.exists() or not video.exists():
        return
    progress("stillness: mona_lisa, still frame of d19 with sensor noise")
    cap = cv2.VideoCapture(str(video))
    ok, still = cap.read()
    cap.release()
    if ok:
        report.stillness = stillness(engine, cv2.imread(str(portrait)), still)


def _run_sheets(engine, options: EvalOptions, report: EvalReport, progress) -> None:
    rows = []
    for name in SHEET_PORTRAITS:
        matches = [p for p in _portraits(options.portraits) if p.stem == name]
        if not matches:
            continue
        progress(f"contact sheet: {name}")
        rig = engine.build_rig(cv2.imread(str(matches[0])))
        rows.append(contact_sheet(engine, rig, name))
    if rows:
        width = max(r.shape[1] for r in rows)
        rows = [np.pad(r, ((0, 0), (0, width - r.shape[1]), (0, 0))) for r in rows]
        path = options.out / "contact_sheet.png"
        cv2.imwrite(str(path), np.vstack(rows))
        report.sheets.append(str(path))


def _looks_portraits(options: EvalOptions) -> dict[str, Path]:
    """Every portrait in the folder and the built-in samples, by name."""
    found = {p.stem: p for p in _portraits(options.portraits)}
    found.update(looks.sample_portraits())
    return found


def _run_looks(engine, options: EvalOptions, report: EvalReport, progress) -> None:
    """Colour fidelity (grayscale copies), detail under small motion, and the gallery sheet."""
    spread, detail, sharp, rows = {}, {}, {}, []
    sharp_texture = Animation(sharp_texture=True)
    gallery = (*looks.GALLERY_PORTRAITS, "grace_hopper")
    for name, path in _looks_portraits(options).items():
        image = cv2.imread(str(path))
        try:
            rig = engine.build_rig(image)
            grey_rig = engine.build_rig(looks.grayscale(image))
        except NoFaceError:
            continue
        progress(f"looks: {name}")
        spread[name] = looks.colour_fidelity(engine, grey_rig)
        detail[name] = round(looks.detail_ratio(engine, rig), 4)
        sharp[name] = round(looks.detail_ratio(engine, rig, sharp_texture), 4)
        if name in gallery:
            rows.append(looks.gallery_row(engine, rig, name))
        if name == "grace_hopper":
            rows.append(looks.gallery_row(engine, grey_rig, f"{name}, grayscale copy"))
    report.looks = {
        "colour_fidelity_max_channel_spread": {
            "max": max(spread.values(), default=0),
            "portraits": spread,
        },
        "detail_ratio": {"median": _median(list(detail.values())), "portraits": detail},
        # The same with config.yaml's engine.sharp_texture on.
        "detail_ratio_sharp_texture": {
            "median": _median(list(sharp.values())),
            "portraits": sharp,
        },
    }
    if rows:
        path = options.out / "gallery.png"
        cv2.imwrite(str(path), looks.stack_rows(rows))
        report.sheets.append(str(path))


def _median(values: list[float]) -> float:
    arr = np.array([v for v in values if not np.isnan(v)])
    return round(float(np.median(arr)), 4) if len(arr) else float("nan")
