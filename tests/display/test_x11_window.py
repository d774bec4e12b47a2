"""In a real X window (Xvfb): what the X server shows after presenting only the changed face
region, rotated or not, is exactly what the kiosk drew. Skips without Xvfb and ImageMagick
(`.ci/run` installs them)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(
    shutil.which("Xvfb") is None or shutil.which("import") is None,
    reason="needs Xvfb and ImageMagick's import (apt-get install xvfb imagemagick)",
)

CHILD = r"""
import sys, numpy as np, pygame
from tests.display.support import open_display
from kiosk.display import OverlayState, Damage
rotation, out = int(sys.argv[1]), sys.argv[2]
with open_display((480, 320), rotation=rotation) as d:
    lw, lh = d.logical_size
    rng = np.random.default_rng(3)
    painting = rng.integers(0, 255, (lh - 20, lw - 40, 3), dtype=np.uint8)
    state = OverlayState(title="T", label="words " * 20, show_label=True, camera_on=True)
    d.present(painting, state)
    painting[40:90, 30:100] = (0, 0, 255)
    d.present(painting, state, Damage(False, ((30, 40, 70, 50),)))
    pygame.event.pump()
    d.screenshot(out + ".drawn.png")
    print(d.present_path, flush=True)
    sys.stdin.readline()  # the parent grabs the X screen, then lets the window close
"""


@pytest.fixture(scope="module")
def x_display():
    """A private Xvfb; -displayfd makes it pick a free display and say which once it is up."""
    server = subprocess.Popen(
        ["Xvfb", "-displayfd", "1", "-screen", "0", "640x480x24", "-nolisten", "tcp"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    number = server.stdout.readline().strip()
    assert number, "Xvfb did not start"
    yield f":{number}"
    server.terminate()
    server.wait(10)


@pytest.mark.parametrize("rotation", [0, 90])
def test_the_x_screen_shows_what_was_drawn(x_display, tmp_path: Path, rotation: int) -> None:
    import pygame

    env = {**os.environ, "DISPLAY": x_display, "SDL_VIDEODRIVER": "x11",
           "SDL_VIDEO_WINDOW_POS": "0,0"}  # fmt: skip
    env.pop("SDL_FRAMEBUFFER_ACCELERATION", None)
    out = str(tmp_path / "shot")
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(rotation), out], env=env,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                             cwd=Path(__file__).resolve().parents[2])  # fmt: skip
    try:
        path = child.stdout.readline()
        assert "changed regions" in path, path
        grab = tmp_path / "x.png"
        subprocess.run(["import", "-display", x_display, "-window", "root", "-crop",
                        "480x320+0+0", str(grab)], check=True, timeout=30)  # fmt: skip
    finally:
        child.communicate("\n", timeout=30)
    shown = pygame.surfarray.array3d(pygame.image.load(str(grab)))
    drawn = pygame.surfarray.array3d(pygame.image.load(out + ".drawn.png"))
    assert shown.shape == drawn.shape
    np.testing.assert_array_equal(shown, drawn)
