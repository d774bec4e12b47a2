"""The scene renderer: what the director says plays now -> the painting's pixels for this frame.

Per exhibit on screen: its idle player, its rig (built off the display thread; the still
painting meanwhile), the idle loop blended with the visitor's motion, the engine's render
(skipped when nothing moved), and the cross-fade from the exhibit before.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import NamedTuple

import cv2
import numpy as np

from kiosk.clips.clip import Clip
from kiosk.clips.playlist import PlaylistEntry, PlaylistPlayer
from kiosk.config import EngineConfig
from kiosk.director.director import Scene
from kiosk.display.presenter import EVERYTHING, NOTHING, Damage
from kiosk.exhibits.library import ExhibitLibrary, LoadedExhibit
from kiosk.motion.eye_contact import CameraGeometry, VisitorGaze
from kiosk.motion.motion import Motion
from kiosk.renderer.engine import Animation, Engine, animation_for
from kiosk.renderer.face_rig import PaintingRig
from kiosk.renderer.rig_store import RigRequest, RigResult, RigStore, fit_image
from kiosk.runtime.face_motion import FaceMotions
from kiosk.speech.mouth import own_mouth
from kiosk.stats import StageTimes
from kiosk.tracking.mouth_patch import MouthPatch

FACE_TIME_OFFSET_S = 1.3  # idle-loop delay between the faces of a multi-face painting

Fit = Callable[[tuple[int, int]], tuple[int, int, int, int]]  # Display.fit
FittedStill = Callable[[LoadedExhibit, tuple[int, int]], np.ndarray | None]


def same_motions(a: list[Motion], b: list[Motion]) -> bool:
    return len(a) == len(b) and all(x.same_as(y) for x, y in zip(a, b, strict=True))


def _face_regions(rig: PaintingRig) -> tuple[tuple[int, int, int, int], ...]:
    """The boxes (x, y, w, h, shown pixels) a render of `rig` may change: each face's
    head-and-neck region, scaled to the shown size when rendered smaller (plus the cubic
    upscale's reach of 2 rendered pixels, rounded out)."""
    if rig.shown_size is None:
        return tuple((f.region.x0, f.region.y0, f.region.width, f.region.height)
                     for f in rig.faces)  # fmt: skip
    sx, sy = rig.shown_size[0] / rig.image.shape[1], rig.shown_size[1] / rig.image.shape[0]
    boxes = []
    for face in rig.faces:
        r = face.region
        x0, y0 = int((r.x0 - 2) * sx) - 1, int((r.y0 - 2) * sy) - 1
        x1, y1 = int((r.x1 + 2) * sx) + 2, int((r.y1 + 2) * sy) + 2
        boxes.append((max(0, x0), max(0, y0), x1 - max(0, x0), y1 - max(0, y0)))
    return tuple(boxes)


def place(
    image: np.ndarray, size: tuple[int, int], backdrop: np.ndarray | None = None
) -> np.ndarray:
    """A painting centred on the wall (`backdrop`, the screen's logical size; black if None),
    for cross-fades."""
    w, h = size
    canvas = backdrop.copy() if backdrop is not None else np.zeros((h, w, 3), np.uint8)
    ih, iw = image.shape[:2]
    x, y = (w - iw) // 2, (h - ih) // 2
    canvas[y : y + ih, x : x + iw] = image
    return canvas


class _FrameInputs(NamedTuple):
    """What one frame is rendered from, besides the scene: the clock, the visitor's motion and
    gaze, speech's mouth controls (None unless speech owns the mouth) and the visitor's inner
    mouth (None unless it is shown)."""

    now: float
    live_motion: Motion
    gaze: VisitorGaze | None
    mouth: dict[str, float] | None
    visitor_mouth: MouthPatch | None


class SceneRenderer:
    """Renders a `Scene` into an image of the screen's logical size (or the painting's)."""

    def __init__(
        self,
        library: ExhibitLibrary,
        clips: dict[str, Clip],
        rigs: RigStore,
        engine: Engine,
        engine_config: EngineConfig,
        crossfade_s: float,
        fit: Fit,
        logical_size: tuple[int, int],
        fitted_still: FittedStill,
        times: StageTimes,
        camera: CameraGeometry | None = None,
    ) -> None:
        self.library = library
        self.clips = clips
        self.rigs = rigs
        self.engine = engine
        self._engine_config = engine_config
        self._crossfade_s = crossfade_s
        self._fit = fit
        self._logical_size = logical_size
        self._fitted_still = fitted_still
        self._times = times
        # The motion sources blended per face; `camera` corrects the visitor's gaze.
        self.face_motions = FaceMotions(clips, camera, lambda: self._logical_size)
        self._players: dict[str, tuple[object, PlaylistPlayer]] = {}
        self._fitted: dict[str, tuple[str, np.ndarray]] = {}
        self._last_frames: dict[str, np.ndarray] = {}
        self._last_render: tuple | None = None  # (rig and settings, motions, image)
        self._frame: tuple[str, PaintingRig, np.ndarray] | None = None  # see _frame_of
        self.rig_errors: dict[str, str] = {}  # exhibit id -> why it is shown still
        # What the engine last rendered (rig, motions, animation) and when it first did: the
        # bench reads them to know the painting is animated and to replay the same render.
        self.last_render: tuple[PaintingRig, list[Motion], Animation] | None = None
        self.first_render_at: float | None = None
        self.damage: Damage = EVERYTHING  # what changed in the last frame rendered
        self._shown: np.ndarray | None = None  # the last frame rendered (compared by identity)
        self._black: np.ndarray | None = None  # the frame shown with no exhibit
        self._rig_shown: tuple[str, PaintingRig] | None = None  # the last rig animated
        # The wall the cross-fades are mixed over (the exhibit's on screen; None: black).
        self.backdrop: np.ndarray | None = None

    @property
    def exhibits_in_memory(self) -> set[str]:
        """The exhibits whose rendered frames are kept (only those on screen)."""
        return set(self._last_frames)

    def last_frame(self, exhibit_id: str) -> np.ndarray | None:
        """The exhibit's last rendered frame, while it is kept (on screen or fading out)."""
        return self._last_frames.get(exhibit_id)

    def render(
        self,
        scene: Scene,
        now: float,
        live_motion: Motion,
        gaze: VisitorGaze | None = None,
        mouth: dict[str, float] | None = None,
        visitor_mouth: MouthPatch | None = None,
    ) -> np.ndarray:
        """This frame's painting; `damage` then says what changed since the last one. `gaze`:
        the visitor's gaze for eye contact; `mouth` = speech's mouth controls, owning the mouth
        by `scene.speech_weight` (head and eyes stay with the idle loop or the visitor);
        `visitor_mouth`: the visitor's inner mouth, shown while the visitor owns the mouth."""
        speaking = mouth is not None and scene.speech_weight > 0
        inputs = _FrameInputs(
            now, live_motion, gaze, mouth if speaking else None,
            # The visitor's mouth only where their motion leads and speech does not own it.
            visitor_mouth if scene.live_weight >= 0.5 and not speaking else None,
        )  # fmt: skip
        image, painted = self._render(scene, inputs)
        # A different array than last time is a different picture, whatever was painted.
        self.damage = painted if image is self._shown else EVERYTHING
        self._shown = image
        return image

    def _render(self, scene: Scene, inputs: _FrameInputs) -> tuple[np.ndarray, Damage]:
        exhibit = self.library.get(scene.exhibit_id) if scene.exhibit_id else None
        if exhibit is None:
            w, h = self._logical_size
            if self._black is None or self._black.shape[:2] != (h, w):
                self._black = np.zeros((h, w, 3), np.uint8)
            return self._black, NOTHING
        image, painted = self._animated(exhibit, scene, inputs)
        self._last_frames[exhibit.id] = image
        previous = self._last_frames.get(scene.previous_exhibit_id or "")
        self._forget_all_but({exhibit.id, scene.previous_exhibit_id})
        if previous is not None and scene.exhibit_fade < 1.0:
            size = self._logical_size
            wall = self.backdrop
            return cv2.addWeighted(
                place(previous, size, wall), 1.0 - scene.exhibit_fade, place(image, size, wall),
                scene.exhibit_fade, 0.0,
            ), EVERYTHING  # fmt: skip
        return image, painted

    def face_box(self, exhibit_id: str | None) -> tuple[int, int, int, int] | None:
        """The bounds (x, y, w, h) of the exhibit's animated faces' landmarks in its shown
        painting's pixels, once its rig is built (the overlays keep clear of it)."""
        if self._rig_shown is None or self._rig_shown[0] != exhibit_id:
            return None
        rig = self._rig_shown[1]
        if not rig.faces:
            return None
        sx = sy = 1.0
        if rig.shown_size is not None:
            sx, sy = rig.shown_size[0] / rig.image.shape[1], rig.shown_size[1] / rig.image.shape[0]
        points = np.concatenate([face.landmarks[:, :2] for face in rig.faces])
        (x0, y0), (x1, y1) = points.min(axis=0), points.max(axis=0)
        return (round(x0 * sx), round(y0 * sy), round((x1 - x0) * sx), round((y1 - y0) * sy))

    def _animated(
        self, exhibit: LoadedExhibit, scene: Scene, inputs: _FrameInputs
    ) -> tuple[np.ndarray, Damage]:
        still, result = self.still_and_rig(exhibit)
        if result is None or result.rig is None:
            return still, NOTHING
        rig = result.rig
        self._rig_shown = (exhibit.id, rig)
        player = self.player(exhibit)
        # Several animated faces each run a little behind the last, never in lockstep.
        shown = self._fit((exhibit.image.shape[1], exhibit.image.shape[0]))
        faces = self.face_motions
        now, live_motion, gaze, mouth, visitor_mouth = inputs
        motions = [
            faces.motion(scene, player, now - i * FACE_TIME_OFFSET_S, live_motion, gaze,
                         faces.eyes_m(rig, i, shown) if gaze is not None else None)
            for i in range(len(rig.faces))
        ]  # fmt: skip
        if mouth is not None:  # speaking
            motions = [own_mouth(m, mouth, scene.speech_weight) for m in motions]
        animation = animation_for(exhibit.spec.animation, self._engine_config)
        # A new mouth patch (a new camera frame) is a new picture even if the motion held.
        key = (id(rig), animation, id(visitor_mouth))
        last = self._last_render
        if last is not None and last[0] == key and same_motions(last[1], motions):
            return last[2], NOTHING  # nothing moved since the last frame (between camera frames)
        frame = self._frame_of(exhibit.id, rig, still)
        mouths = [visitor_mouth] if visitor_mouth is not None else None
        with self._times.measure("warp"):
            image = self.engine.render(rig, motions, animation, frame, mouths)
        self._last_render = (key, motions, image)
        self.last_render = (rig, motions, animation)
        if self.first_render_at is None:
            self.first_render_at = time.monotonic()
        return image, Damage(False, _face_regions(rig))

    def player(self, exhibit: LoadedExhibit) -> PlaylistPlayer:
        """The exhibit's idle-loop player, rebuilt when its playlist changes."""
        spec = exhibit.spec.idle
        cached = self._players.get(exhibit.id)
        if cached is None or cached[0] != spec:
            entries = [PlaylistEntry(c.clip, c.weight) for c in spec.playlist]
            player = PlaylistPlayer(entries, self.clips, self._crossfade_s)
            self._players[exhibit.id] = (spec, player)
            return player
        return cached[1]

    def rig_request(self, exhibit: LoadedExhibit) -> RigRequest:
        """What the rig store builds for this exhibit at the size the screen shows it."""
        h, w = exhibit.image.shape[:2]
        _, _, fw, fh = self._fit((w, h))
        face = exhibit.spec.face
        return RigRequest(
            exhibit.image_digest, (fw, fh), face.choose, face.index, face.box, exhibit.corrections
        )

    def still_and_rig(self, exhibit: LoadedExhibit) -> tuple[np.ndarray, RigResult | None]:
        """The painting at its shown size and its rig (None while the rig is being built)."""
        request = self.rig_request(exhibit)
        result = self.rigs.get(request, exhibit.image)
        if result is not None:
            self.rig_errors[exhibit.id] = "" if result.rig is not None else result.error
            return result.image, result  # already fitted by the rig builder
        # Still building: show the painting unanimated, fitted here once.
        fw, fh = request.size
        cached = self._fitted.get(exhibit.id)
        if cached is None or cached[0] != exhibit.image_digest or cached[1].shape[:2] != (fh, fw):
            still = self._fitted_still(exhibit, (fw, fh))
            if still is None:  # a small image: fitting it costs a few milliseconds
                still = fit_image(exhibit.image, (fw, fh))
            cached = (exhibit.image_digest, still)
            self._fitted[exhibit.id] = cached
        return cached[1], None

    def forget_removed(self) -> None:
        """After a reload: drop what is known about exhibits that are gone."""
        self.rig_errors = {i: e for i, e in self.rig_errors.items() if self.library.get(i)}

    def _frame_of(self, exhibit_id: str, rig: PaintingRig, still: np.ndarray) -> np.ndarray:
        """The frame the exhibit on screen renders into, in place, frame after frame: only its
        head regions change, so the whole painting is not copied every frame (0.2 ms at 1080p).
        Another exhibit (even one sharing this rig) or a new rig gets a new frame, so the last
        frame of the one before stays intact for the cross-fade."""
        if self._frame is None or self._frame[0] != exhibit_id or self._frame[1] is not rig:
            self._frame = (exhibit_id, rig, still.copy())
        return self._frame[2]

    def _forget_all_but(self, keep: set[str | None]) -> None:
        """Only the paintings on screen keep their frames: twenty exhibits must not cost twenty
        screen-sized images each."""
        for cache in (self._last_frames, self._fitted):
            for key in [k for k in cache if k not in keep]:
                del cache[key]
        if self._frame is not None and self._frame[0] not in keep:
            self._frame = None

    def clear(self) -> None:
        """Drop every rendered painting (at close)."""
        self._last_frames.clear()
        self._last_render = None
        self.last_render = None
        self._frame = None
        self._shown = None
        self._rig_shown = None
