"""The renderer interface (`Engine`), the one factory that makes the configured engine
(`make_engine`), and the default CPU engine (geometric mesh warp, no learned weights).

Every engine takes the same inputs (a painting, the faces to animate, a `Motion` per face) and
returns a BGR image the size of the painting, so the rest of the kiosk never branches on it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

import cv2
import numpy as np

from kiosk.config import EngineConfig
from kiosk.exhibits.corrections import Corrections
from kiosk.motion.motion import Motion
from kiosk.renderer import face_cache
from kiosk.renderer.detail import smooth_where_stretched, warp_textured
from kiosk.renderer.face_rig import PaintingRig, correct_faces, rig_from_faces
from kiosk.renderer.gaze import draw_gaze
from kiosk.renderer.lids import draw_lids, eye_closure
from kiosk.renderer.mouth import (
    draw_mouth_interior,
    lips_bounds,
    lower_face_box,
    pressed_lips_box,
)
from kiosk.renderer.mouth_transfer import visitor_interior
from kiosk.renderer.retarget import Gains, PoseLimits, target_mesh
from kiosk.stats import StageTimes
from kiosk.tracking.face_finder import FaceBoxDetector, find_faces
from kiosk.tracking.face_mesh import FaceMeshDetector
from kiosk.tracking.mouth_patch import MouthPatch

# The visitor's inner mouth for each face (cycling like the motions); None: the drawn interior.
Mouths = Sequence[MouthPatch | None]


@dataclass(frozen=True, slots=True)
class Animation:
    """Per-exhibit animation settings."""

    gains: Gains = field(default_factory=Gains)
    limits: PoseLimits = field(default_factory=PoseLimits)
    mouth_interior: bool = True
    # Keep the face's fine texture at its strength through the warp (kiosk.renderer.detail);
    # off, it is resampled bilinearly with the rest (config.yaml's engine.sharp_texture).
    sharp_texture: bool = False
    # Lay the visitor's own inner mouth (a `MouthPatch` given to `render`) into the lips
    # rather than the drawn interior (config.yaml's engine.mouth_interior_source).
    visitor_mouth: bool = False


def animation_for(exhibit_animation, engine_config) -> Animation:
    """An exhibit's `animation` settings, capped by the config's `engine` limits (duck-typed:
    kiosk.exhibits.schema.Animation and kiosk.config.EngineConfig)."""
    a, e = exhibit_animation, engine_config
    return Animation(
        gains=Gains(a.gains.head, a.gains.mouth, a.gains.eyes, a.gains.brows, a.gains.gaze),
        limits=PoseLimits(
            min(a.limits.yaw_deg, e.max_yaw_deg),
            min(a.limits.pitch_deg, e.max_pitch_deg),
            min(a.limits.roll_deg, e.max_roll_deg),
        ),
        mouth_interior=e.mouth_interior,
        sharp_texture=e.sharp_texture,
        visitor_mouth=e.mouth_interior_source == "visitor",
    )


@runtime_checkable
class Engine(Protocol):
    """What every engine does, and all the kiosk may use of one: `make_engine` chooses the
    engine once, from `engine.name`, and nobody branches on it afterwards.

    `render` returns a BGR uint8 image the size the painting is shown at, equal to the still
    painting outside the rig's animated regions (`FaceRig.region_mask`); the same inputs give
    the same pixels (tests/renderer/test_engine_conformance.py checks every engine).
    """

    name: str  # the value of `engine.name` in config.yaml that makes this engine
    # Set from outside (`kiosk bench`) to record each rendering step's milliseconds; None: not.
    steps: StageTimes | None

    def build_rig(
        self,
        image: np.ndarray,
        choose: str = "largest",
        index: int = 0,
        box: tuple[float, float, float, float] | None = None,
        corrections: Corrections | None = None,
    ) -> PaintingRig:
        """Find the faces in `image` (the painting at the size it is rendered) and rig the
        chosen ones; NoFaceError if there is none."""
        ...

    def render(
        self,
        rig: PaintingRig,
        motions: list[Motion],
        animation: Animation = Animation(),
        out: np.ndarray | None = None,
        mouths: Mouths | None = None,
    ) -> np.ndarray:
        """The painting with its faces moved (motion i for face i, cycling); `out`: a frame of
        this rig to render over in place; `mouths`: the visitor's inner mouth per face (used
        when `animation.visitor_mouth`)."""
        ...

    def close(self) -> None:
        """Release the engine's detectors (idempotent)."""
        ...


class GeometricEngine:
    """Landmark-driven piecewise-affine warp with a painted mouth interior."""

    name = "geometric"

    def __init__(self, cache_dir: Path | None = None) -> None:
        self._detector: FaceMeshDetector | None = None
        self._boxes: FaceBoxDetector | None = None
        self._cache_dir = cache_dir  # detected faces on disk (face_cache); None = no cache
        # Set by `kiosk bench`: the duration of each rendering step, from the real frames.
        self.steps: StageTimes | None = None
        # A rig rendered below its shown size, and the frame it is rendered into in place.
        self._reduced: tuple[PaintingRig, np.ndarray] | None = None

    def _step(self, name: str) -> AbstractContextManager[None]:
        return self.steps.measure(name) if self.steps is not None else nullcontext()

    def build_rig(
        self,
        image: np.ndarray,
        choose: str = "largest",
        index: int = 0,
        box: tuple[float, float, float, float] | None = None,
        corrections: Corrections | None = None,
    ) -> PaintingRig:
        """Find the faces (once per painting; cached on disk) and rig the chosen ones.

        `box`: the curator's hint where the face is, as fractions of width and height.
        `corrections`: the curator's landmark corrections, applied to the detected face
        (the disk cache holds the faces as detected, so editing them never re-detects).
        """
        hint = f"{choose}|box={box}" if box is not None else choose
        key = face_cache.cache_key(image, hint, index) if self._cache_dir else ""
        size = (image.shape[1], image.shape[0])  # entries far outside the image are misses
        faces = face_cache.load_faces(self._cache_dir, key, size=size) if key else None
        if faces is None:
            if self._detector is None:
                self._detector = FaceMeshDetector(static_image=True, max_faces=6)
            if self._boxes is None:
                self._boxes = FaceBoxDetector()
            faces = find_faces(self._detector, image, box, self._boxes)
            if key:
                face_cache.save_faces(self._cache_dir, key, faces)
        h, w = image.shape[:2]
        faces = correct_faces(faces, (w, h), corrections, choose, index)
        return rig_from_faces(image, faces, choose, index)

    def render(
        self,
        rig: PaintingRig,
        motions: list[Motion],
        animation: Animation = Animation(),
        out: np.ndarray | None = None,
        mouths: Mouths | None = None,
    ) -> np.ndarray:
        """The painting with its faces moved, at its shown size. `out`: a frame of this rig to
        render over in place (a copy of its painting, or any frame rendered from it before: each
        render rewrites all the pixels any render may change), instead of a fresh copy of the
        painting."""
        if rig.shown_size is not None:
            return self._render_reduced(rig, motions, animation, out, mouths)
        if out is None:
            with self._step("copy painting"):
                out = rig.image.copy()
        self.render_into(out, rig, motions, animation, mouths)
        return out

    def _render_reduced(
        self,
        rig: PaintingRig,
        motions: list[Motion],
        animation: Animation,
        out: np.ndarray | None,
        mouths: Mouths | None = None,
    ) -> np.ndarray:
        """Render at the rig's own size, then scale the whole frame up to its shown size (the
        still painting was scaled up the same way, so nothing outside the faces changes)."""
        assert rig.shown_size is not None
        if self._reduced is None or self._reduced[0] is not rig:
            self._reduced = (rig, rig.image.copy())
        frame = self._reduced[1]
        self.render_into(frame, rig, motions, animation, mouths)
        w, h = rig.shown_size
        if out is None or out.shape != (h, w, 3):
            out = np.empty((h, w, 3), np.uint8)
        with self._step("upscale"):
            cv2.resize(frame, (w, h), dst=out, interpolation=cv2.INTER_CUBIC)
        return out

    def render_into(
        self,
        out: np.ndarray,
        rig: PaintingRig,
        motions: list[Motion],
        animation: Animation,
        mouths: Mouths | None = None,
    ) -> None:
        """Render onto `out`: a copy of the painting, or any earlier frame of this rig (only
        head regions are written, and each render rewrites all of them)."""
        step = self._step
        for i, face in enumerate(rig.faces):
            motion = motions[i % len(motions)] if motions else Motion()
            with step("retarget"):
                mesh, targets, expressed = target_mesh(
                    face, motion, animation.gains, animation.limits
                )
            region = face.region
            origin = (region.x0, region.y0)
            textured = face.texture is not None and animation.sharp_texture
            with step("mesh map"):
                source_map = face.warp.source_map(mesh, in_region=textured)
                pressed = pressed_lips_box(
                    face.landmarks, targets, origin, (region.width, region.height),
                    pad=2 * face.warp.step,
                )  # fmt: skip
                if pressed is not None:
                    face.warp.sharpen(source_map, mesh, pressed, in_region=textured)
            with step("remap"):
                # Where the jaw's drop stretches the skin, its fine texture fades (detail.py).
                lower = lower_face_box(targets, origin, (region.width, region.height))
                if textured:
                    assert face.texture is not None
                    lips = lips_bounds(targets, origin)
                    warped = warp_textured(face.texture, source_map, lower, lips)
                else:
                    warped = face.warp.remap(rig.image, source_map)
                    if face.texture is not None:
                        smooth_where_stretched(warped, face.texture, source_map, origin, lower)
            map_origin = origin if textured else (0, 0)
            with step("eyes (gaze, lids)"):
                for eye in face.eyes:
                    closure = eye_closure(eye, face.landmarks, expressed)
                    draw_gaze(warped, source_map, eye, targets, origin, closure, map_origin)
                    draw_lids(
                        warped, eye, face.landmarks, targets, origin, face.palette.skin,
                        closure=closure,
                    )  # fmt: skip
            patch = mouths[i % len(mouths)] if mouths and animation.visitor_mouth else None
            if animation.mouth_interior:
                with step("mouth interior"):
                    interior = visitor_interior(patch) if patch is not None else None
                    draw_mouth_interior(
                        warped, targets, face.palette, origin, face.own_teeth, interior
                    )
            rows, cols = region.slices
            with step("paste"):
                cv2.copyTo(warped, face.region_pixels, out[rows, cols])

    def close(self) -> None:
        if self._boxes is not None:
            self._boxes.close()
            self._boxes = None
        if self._detector is not None:
            self._detector.close()
            self._detector = None


# Every engine `engine.name` can name (kiosk.config.EngineConfig), by that name.
_ENGINES: dict[str, Callable[..., Engine]] = {GeometricEngine.name: GeometricEngine}


def make_engine(engine_config: EngineConfig, *, cache_dir: Path | None = None) -> Engine:
    """The engine config.yaml's `engine.name` names; `cache_dir`: where it keeps the faces it
    detected (None: no disk cache)."""
    make = _ENGINES.get(engine_config.name)
    if make is None:
        known = ", ".join(sorted(_ENGINES))
        raise ValueError(
            f"engine.name: no engine is called {engine_config.name!r}; use one of: {known}"
        )
    return make(cache_dir=cache_dir)
