"""Contact sheets for curators: one PNG per exhibit showing what the kiosk will do with it.

The sheet shows the painting as the kiosk sizes it for the configured screen, every face the
detector found (outlined; the animated one highlighted), and labelled close-ups of the main
expressions and head turns rendered exactly as the kiosk renders them. Problems a curator can
fix (no face, face too small, a strongly turned face, an unsure detection) are listed in
plain words with what to do, on the sheet and in the returned result.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from kiosk.config import KioskConfig, display_path
from kiosk.display.fit import fit_rect
from kiosk.exhibits.library import ExhibitLibrary, LoadedExhibit
from kiosk.motion.controls import motion_from_controls
from kiosk.renderer.engine import Animation, Engine, make_engine
from kiosk.renderer.engine import animation_for as exhibit_animation
from kiosk.renderer.face_rig import NoFaceError, PaintingRig
from kiosk.renderer.rig_store import fit_image, render_size
from kiosk.tracking import landmarks as lm
from kiosk.tracking.face_mesh import DetectedFace, FaceMeshDetector

# What each close-up shows, as control values. Left and right are the viewer's.
VIEWS: tuple[tuple[str, dict[str, float]], ...] = (
    ("neutral", {}),
    ("smile", {"smile": 0.8}),
    ("open mouth", {"jaw_open": 0.6}),
    ("blink", {"blink": 1.0}),
    ("look left", {"gaze_x": -0.8}),
    ("look right", {"gaze_x": 0.8}),
    ("turn left", {"yaw": 15.0}),
    ("turn right", {"yaw": -15.0}),
)
MIN_FACE_FRACTION = 0.12  # face height / shown painting height
MAX_PAINTED_TURN_DEG = 30.0
SURE_DETECTION = 0.8  # a face only found below this detector confidence is "unsure"

SHEET_HEIGHT = 1000
TILE = 300
MARGIN = 20
HEADER = 90
FONT = cv2.FONT_HERSHEY_SIMPLEX
WHITE, GREY, GREEN, AMBER, RED = (
    (255, 255, 255), (170, 170, 170), (80, 220, 80), (40, 190, 255), (80, 80, 255),
)  # fmt: skip
BACKGROUND = (38, 34, 32)


@dataclass
class SheetResult:
    exhibit_id: str
    path: Path
    faces: int
    problems: list[str] = field(default_factory=list)  # the painting cannot be animated
    warnings: list[str] = field(default_factory=list)  # it can, but may not look good
    notes: list[str] = field(default_factory=list)  # information, nothing to fix


def screen_size(config: KioskConfig) -> tuple[int, int]:
    """The logical screen a painting is fitted to (width and height swap for 90/270)."""
    w, h = config.display.size
    return (h, w) if config.display.rotation in (90, 270) else (w, h)


def animation_for(exhibit: LoadedExhibit, config: KioskConfig) -> Animation:
    """The exhibit's animation settings, capped by the engine's (as the kiosk does)."""
    return exhibit_animation(exhibit.spec.animation, config.engine)


def painted_pose_deg(face_landmarks: np.ndarray) -> tuple[float, float, float]:
    """(yaw, pitch, roll) of a painted face itself, from its own face frame (degrees)."""
    from kiosk.motion.geometry import face_frame

    axes = face_frame(face_landmarks.astype(np.float64)).axes
    forward = axes[:, 2]  # the face's z axis in image space (away from the viewer)
    yaw = np.degrees(np.arctan2(forward[0], forward[2]))
    pitch = np.degrees(np.arctan2(-forward[1], np.hypot(forward[0], forward[2])))
    roll = np.degrees(lm.head_roll(face_landmarks))
    return float(yaw), float(pitch), float(roll)


def face_checks(
    rig: PaintingRig,
    shown_height: int,
    sure: bool,
    screen_h: int,
    max_face_pixels: int | None = None,
) -> tuple[list[str], list[str]]:
    """(warnings, notes) about the animated face(s) of a rig built at the shown size;
    `max_face_pixels`: the engine's limit for rendering faces at that size."""
    warnings: list[str] = []
    notes: list[str] = []
    for face in rig.faces:
        pts = face.landmarks
        height = float(pts[:, 1].max() - pts[:, 1].min())
        if height < MIN_FACE_FRACTION * shown_height:
            warnings.append(
                f"the face is small on screen ({height:.0f} px high, "
                f"{100 * height / shown_height:.0f}% of the painting; at least "
                f"{100 * MIN_FACE_FRACTION:.0f}% looks good): crop the image closer to the face"
            )
        yaw, pitch, _ = painted_pose_deg(pts)
        if abs(yaw) > MAX_PAINTED_TURN_DEG or abs(pitch) > MAX_PAINTED_TURN_DEG:
            which = "sideways" if abs(yaw) >= abs(pitch) else "up or down"
            warnings.append(
                f"the painted face is turned far {which} (about {max(abs(yaw), abs(pitch)):.0f}"
                " degrees): head turns may tear at the cheek; lower animation.limits or "
                "animation.gains.head, or choose a more frontal painting"
            )
    if not sure:
        warnings.append(
            "the face was found with low confidence: check that the outline on the sheet "
            "sits on the face; if not, use a clearer, more frontal image"
        )
    if len(rig.all_faces) > 1:
        notes.append(
            f"{len(rig.all_faces)} faces found; the highlighted one is animated "
            "(face.choose and face.index pick another)"
        )
    notes.append(f"shown at {rig.image.shape[1]}x{rig.image.shape[0]} on a {screen_h} px screen")
    shown = (rig.image.shape[1], rig.image.shape[0])
    reduced = render_size(shown, rig.face_pixels, max_face_pixels)
    if reduced is not None:
        notes.append(
            f"a close-up: the animated head covers {rig.face_pixels:,} screen pixels, over "
            f"engine.max_face_pixels ({max_face_pixels:,}), so the kiosk renders the painting at "
            f"{reduced[0]}x{reduced[1]} and scales it up; fine detail may look a little softer"
        )
    return warnings, notes


# -- drawing ------------------------------------------------------------------------------


def _text(img: np.ndarray, text: str, org: tuple[int, int], scale: float, colour) -> None:
    """Readable text on any background: a dark outline under the coloured letters."""
    thick = max(1, round(scale * 2))
    cv2.putText(img, text, org, FONT, scale, (0, 0, 0), thick + 3, cv2.LINE_AA)
    cv2.putText(img, text, org, FONT, scale, colour, thick, cv2.LINE_AA)


def _wrap(text: str, width_px: int, scale: float) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if cv2.getTextSize(trial, FONT, scale, 1)[0][0] > width_px and line:
            lines.append(line)
            line = word
        else:
            line = trial
    return [*lines, line] if line else lines


def _outline(img: np.ndarray, face: DetectedFace, colour, thickness: int) -> None:
    oval = np.round(face.landmarks[lm.as_index(lm.FACE_OVAL), :2]).astype(np.int32)
    cv2.polylines(img, [oval], True, (0, 0, 0), thickness + 2, cv2.LINE_AA)
    cv2.polylines(img, [oval], True, colour, thickness, cv2.LINE_AA)


def _is_chosen(face: DetectedFace, rig: PaintingRig) -> bool:
    return any(np.allclose(face.landmarks[:, :2], f.landmarks[:, :2], atol=2.0) for f in rig.faces)


def _painting_panel(image: np.ndarray, rig: PaintingRig | None) -> np.ndarray:
    panel = image.copy()
    if rig is not None:
        thick = max(2, round(max(image.shape[:2]) / 400))
        for face in rig.all_faces:
            chosen = _is_chosen(face, rig)
            _outline(panel, face, GREEN if chosen else GREY, thick * (2 if chosen else 1))
    s = (SHEET_HEIGHT - HEADER - MARGIN) / panel.shape[0]
    s = min(s, 900 / panel.shape[1])
    return cv2.resize(panel, None, fx=s, fy=s, interpolation=cv2.INTER_AREA)


def _crop_box(rig: PaintingRig) -> tuple[int, int, int, int]:
    """A square around the animated face(s), with room for hair and a head turn."""
    pts = np.concatenate([f.landmarks[:, :2] for f in rig.faces])
    (x0, y0), (x1, y1) = pts.min(axis=0), pts.max(axis=0)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    half = 0.7 * max(x1 - x0, y1 - y0)
    h, w = rig.image.shape[:2]
    half = min(half, w / 2, h / 2)
    cx, cy = np.clip(cx, half, w - half), np.clip(cy, half, h - half)
    return int(cx - half), int(cy - half), int(cx + half), int(cy + half)


def _tiles(engine: Engine, rig: PaintingRig, animation: Animation) -> list[np.ndarray]:
    x0, y0, x1, y1 = _crop_box(rig)
    tiles = []
    for label, controls in VIEWS:
        motion = motion_from_controls(controls)
        out = engine.render(rig, [motion] * len(rig.faces), animation)
        tile = cv2.resize(out[y0:y1, x0:x1], (TILE, TILE), interpolation=cv2.INTER_AREA)
        cv2.rectangle(tile, (0, TILE - 34), (TILE, TILE), (0, 0, 0), -1)
        _text(tile, label, (10, TILE - 10), 0.7, WHITE)
        tiles.append(tile)
    return tiles


def compose_sheet(
    exhibit_id: str,
    title: str,
    image: np.ndarray,
    rig: PaintingRig | None,
    tiles: list[np.ndarray],
    result: SheetResult,
) -> np.ndarray:
    """The sheet image: header, painting with outlines, close-ups, then the problem list."""
    panel = _painting_panel(image, rig)
    grid_w = 4 * TILE + 3 * 8
    width = MARGIN * 3 + max(panel.shape[1], 300) + grid_w
    messages = (
        [("PROBLEM: " + p, RED) for p in result.problems]
        + [("Check: " + w, AMBER) for w in result.warnings]
        + [(n, GREY) for n in result.notes]
    )
    text_w = width - 2 * MARGIN
    lines = [(line, c) for msg, c in messages for line in _wrap(msg, text_w, 0.6)]
    height = max(SHEET_HEIGHT, HEADER + 2 * (TILE + 8) + MARGIN) + 30 * len(lines) + MARGIN
    sheet = np.full((height, width, 3), BACKGROUND, np.uint8)
    _text(sheet, exhibit_id, (MARGIN, 42), 1.1, WHITE)
    _text(sheet, title[:90], (MARGIN, 76), 0.65, GREY)
    ph, pw = panel.shape[:2]
    sheet[HEADER : HEADER + ph, MARGIN : MARGIN + pw] = panel
    gx = MARGIN * 2 + max(pw, 300)
    if tiles:
        for i, tile in enumerate(tiles):
            r, c = divmod(i, 4)
            y, x = HEADER + r * (TILE + 8), gx + c * (TILE + 8)
            sheet[y : y + TILE, x : x + TILE] = tile
    else:
        _text(sheet, "No face to animate", (gx, HEADER + 60), 1.0, RED)
    y = max(HEADER + ph, HEADER + 2 * (TILE + 8)) + 36
    for line, colour in lines:
        _text(sheet, line, (MARGIN, y), 0.6, colour)
        y += 30
    return sheet


# -- the whole library --------------------------------------------------------------------


def exhibit_sheet(
    exhibit: LoadedExhibit,
    config: KioskConfig,
    engine: Engine,
    sure_detector: FaceMeshDetector,
    out_dir: Path,
) -> SheetResult:
    """Build, check and write one exhibit's sheet (`<out_dir>/<id>.png`)."""
    sw, sh = screen_size(config)
    _, _, w, h = fit_rect((exhibit.image.shape[1], exhibit.image.shape[0]), (sw, sh))
    image = fit_image(exhibit.image, (w, h))
    result = SheetResult(exhibit.id, Path(out_dir) / f"{exhibit.id}.png", faces=0)
    rig: PaintingRig | None = None
    tiles: list[np.ndarray] = []
    try:
        face = exhibit.spec.face
        rig = engine.build_rig(image, face.choose, face.index, face.box, exhibit.corrections)
    except NoFaceError:
        result.problems.append(
            f"{display_path(exhibit.source_file)}: no face found in the painting: use a "
            "clearer, more frontal image, or crop it closer to the face; the kiosk shows "
            "this painting without animation"
        )
    if rig is not None:
        result.faces = len(rig.all_faces)
        sure = bool(sure_detector.detect(image))
        result.warnings, result.notes = face_checks(rig, h, sure, sh, config.engine.max_face_pixels)
        tiles = _tiles(engine, rig, animation_for(exhibit, config))
    sheet = compose_sheet(exhibit.id, exhibit.spec.title, image, rig, tiles, result)
    result.path.parent.mkdir(parents=True, exist_ok=True)
    if not cv2.imwrite(str(result.path), sheet):
        raise OSError(f"cannot write {result.path}")
    return result


def make_sheets(
    config: KioskConfig, out_dir: Path, progress: Callable[[str], None] = print
) -> list[SheetResult]:
    """A sheet for every exhibit in the configured exhibits folder, with progress lines."""
    library = ExhibitLibrary(config.paths.exhibits, config.paths.content, config.limits)
    library.reload()
    exhibits = library.exhibits
    results = []
    engine = make_engine(config.engine)
    sure = FaceMeshDetector(static_image=True, max_faces=1, min_detection_confidence=SURE_DETECTION)
    try:
        for i, exhibit in enumerate(exhibits, 1):
            progress(f"[{i}/{len(exhibits)}] {exhibit.id} ...")
            results.append(exhibit_sheet(exhibit, config, engine, sure, Path(out_dir)))
    finally:
        sure.close()
        engine.close()
    return results
