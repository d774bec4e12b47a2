"""The scene renderer tells the display what changed: every pixel that differs from the last
frame lies in the boxes it reports, and a frame where nothing moved reports nothing."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from kiosk.display.presenter import NOTHING
from tests.system.kiosks import headless_kiosk, show_with_rig


def test_the_reported_damage_covers_every_changed_pixel(tmp_path: Path) -> None:
    app = headless_kiosk(tmp_path, "display: {fullscreen: false, size: [480, 360]}\n")
    try:
        show_with_rig(app)
        scene = app.director.update(3.0, False)
        before = app.scene.render(scene, 3.0, app.live.motion).copy()
        checked = 0
        for t in (3.2, 3.4, 3.6, 3.8):
            image = app.scene.render(app.director.update(t, False), t, app.live.motion)
            damage = app.scene.damage
            assert not damage.everything  # the same painting, rendered over in place
            changed = np.abs(image.astype(int) - before.astype(int)).max(axis=2) > 0
            covered = np.zeros_like(changed)
            for x, y, w, h in damage.boxes:
                covered[y : y + h, x : x + w] = True
            assert not (changed & ~covered).any()
            checked += int(changed.any())
            before = image.copy()
            again = app.scene.render(app.director.update(t, False), t, app.live.motion)
            assert again is image and app.scene.damage == NOTHING  # nothing moved
        assert checked >= 2  # the idle loop did move the face
        assert app.scene.face_box("grace-hopper") is not None
    finally:
        app.close()


def test_a_blurred_wall_is_made_off_the_display_thread_and_then_hung(tmp_path: Path) -> None:
    app = headless_kiosk(
        tmp_path,
        "display: {fullscreen: false, size: [480, 360], wall: {fill: blur, colour: '#000000'}}\n",
    )
    try:
        app.start(0.0)
        app.tick(0.1)
        assert app.scene.backdrop is not None and app.scene.backdrop.max() == 0  # plain, black
        app.walls.wait(timeout=30)
        app.tick(0.2)
        wall = app.scene.backdrop
        assert wall is not None and wall.max() > 20  # the painting's colours, darkened
        assert wall.max() <= 0.35 * 255 + 2
    finally:
        app.close()
