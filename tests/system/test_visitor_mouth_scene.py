"""The scene renderer shows the visitor's own mouth only while the visitor owns the mouth: not
in an idle loop (live weight below a half) and not while speech owns it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np

from kiosk.motion.controls import motion_from_controls
from kiosk.tracking.mouth_patch import PATCH_H, PATCH_W, MouthPatch
from tests.system.kiosks import headless_kiosk, show_with_rig


def test_the_visitor_mouth_shows_only_where_the_visitor_owns_the_mouth(tmp_path: Path) -> None:
    app = headless_kiosk(
        tmp_path,
        "display: {fullscreen: false, size: [480, 360]}\n"
        "engine: {mouth_interior_source: visitor}\n",
    )
    pixels = np.zeros((PATCH_H, PATCH_W, 3), np.uint8)
    pixels[:, ::4] = 255  # stripes: nothing the drawn interior would draw
    patch = MouthPatch(pixels, np.full(3, 150.0))
    open_mouth = motion_from_controls({"jaw_open": 0.9})
    try:
        show_with_rig(app)
        live = dataclasses.replace(app.director.update(3.0, False), live_weight=1.0)
        idle = dataclasses.replace(live, live_weight=0.45)  # the mouth is open, the idle loop leads
        speaking = dataclasses.replace(live, speech_weight=1.0)
        speech_mouth = {"jaw_open": 0.9}

        def render(scene, mouth=None, visitor_mouth=None) -> np.ndarray:
            return app.scene.render(scene, 3.0, open_mouth, None, mouth, visitor_mouth).copy()

        assert not np.array_equal(render(live, visitor_mouth=patch), render(live))
        assert np.array_equal(render(idle, visitor_mouth=patch), render(idle))
        assert np.array_equal(
            render(speaking, speech_mouth, visitor_mouth=patch), render(speaking, speech_mouth)
        )
    finally:
        app.close()
