"""Each animated face's motion for this frame: the director's scene turned into one `Motion`.

The sources, in order, each blended over the ones before by the scene's weights: the idle
loop; a reaction clip (greeting, farewell); attention (owns the gaze, shares the head); the
live visitor, whose gaze is corrected for where the camera sits relative to this face's eyes
on screen.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from kiosk.clips.clip import Clip
from kiosk.clips.playlist import PlaylistPlayer
from kiosk.director.director import Scene
from kiosk.motion.attention import AttentionMotion, attend, with_gaze
from kiosk.motion.eye_contact import CameraGeometry, VisitorGaze, gaze_from_painting
from kiosk.motion.motion import Motion, blend
from kiosk.renderer.face_rig import PaintingRig
from kiosk.tracking import landmarks as lm

Rect = tuple[int, int, int, int]  # x, y, w, h in logical screen pixels


class FaceMotions:
    """Composes the motion sources for the faces of the painting on screen."""

    def __init__(
        self,
        clips: dict[str, Clip],
        camera: CameraGeometry | None,
        screen_size: Callable[[], tuple[int, int]],
    ) -> None:
        self.clips = clips
        self.camera = camera
        self._screen_size = screen_size
        self.attention = AttentionMotion()

    def motion(
        self,
        scene: Scene,
        player: PlaylistPlayer,
        t: float,
        live: Motion,
        gaze: VisitorGaze | None,
        eyes_m: np.ndarray | None,
    ) -> Motion:
        """One face's motion at its own time `t` (faces of a painting run a little apart)."""
        motion = player.motion_at(t)
        reaction = scene.reaction
        clip = self.clips.get(reaction.clip) if reaction is not None else None
        if reaction is not None and clip is not None:
            motion = blend(motion, clip.motion_at(reaction.t), reaction.weight)
        if scene.attention_weight > 0.0:
            looking = self.attention.motion_at(t, scene.gaze_target)
            motion = attend(motion, looking, scene.attention_weight)
        if scene.live_weight > 0.0:
            if gaze is not None and eyes_m is not None:
                live = with_gaze(live, *gaze_from_painting(gaze, eyes_m))
            motion = blend(motion, live, scene.live_weight)
        return motion

    def eyes_m(self, rig: PaintingRig, face: int, shown: Rect) -> np.ndarray | None:
        """Where a face's eyes are on screen, in the room's frame (None without a camera)."""
        if self.camera is None:
            return None
        pts = rig.faces[face].landmarks
        mid = (pts[lm.RIGHT_IRIS_CENTER, :2] + pts[lm.LEFT_IRIS_CENTER, :2]) / 2
        h, w = rig.image.shape[:2]
        x, y, sw, sh = shown
        on_screen = (x + mid[0] / w * sw, y + mid[1] / h * sh)
        return self.camera.screen_point(on_screen, self._screen_size())
