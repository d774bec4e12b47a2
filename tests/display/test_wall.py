"""The wall round the painting: a colour, or the painting blurred and darkened, and a frame;
config.yaml's for every exhibit, an exhibit file's own for one."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import numpy as np  # noqa: E402
import pygame  # noqa: E402
import pytest  # noqa: E402
from pydantic import ValidationError  # noqa: E402

from kiosk.config import DisplayConfig  # noqa: E402
from kiosk.display import OverlayState  # noqa: E402
from kiosk.display.wall import WallMaker, make_wall  # noqa: E402
from kiosk.exhibits.schema import Exhibit  # noqa: E402
from kiosk.wall_style import WallStyle  # noqa: E402
from tests.display.support import open_display  # noqa: E402


def _painting() -> np.ndarray:
    painting = np.zeros((300, 200, 3), np.uint8)
    painting[:, :100] = (40, 160, 230)  # BGR: orange on the left
    painting[:, 100:] = (200, 120, 30)  # blue on the right
    return painting


def test_a_colour_wall_and_frame_surround_the_painting():
    style = WallStyle(colour="#204060", frame_width=20)
    with open_display((640, 360)) as d:
        d.set_wall(make_wall(style, None, d.logical_size))
        painting = np.full((300, 200, 3), 255, np.uint8)
        d.present(painting, OverlayState())
        screen = pygame.display.get_surface()
        x = (640 - 200) // 2
        frame_px = round(20 * 360 / 1080)
        assert tuple(screen.get_at((x - frame_px - 5, 180)))[:3] == (0x20, 0x40, 0x60)
        assert tuple(screen.get_at((x - frame_px // 2, 180)))[:3] == (0x3B, 0x2A, 0x1C)
        assert tuple(screen.get_at((x + 10, 180)))[:3] == (255, 255, 255)


def test_a_blurred_wall_is_the_paintings_colours_darkened():
    maker = WallMaker()
    try:
        maker.request("p", _painting(), (640, 360), 0.5)
        assert maker.ready("other") is None
        maker.wait(timeout=30)  # made on the maker's thread
        blurred = maker.ready("p")
    finally:
        maker.close()
    assert blurred is not None and blurred.shape == (360, 640, 3)
    wall = make_wall(WallStyle(fill="blur", darken=0.5), blurred, (640, 360), "p")
    pixels = pygame.surfarray.array3d(wall.image)  # (w, h, 3) RGB
    assert wall.backdrop((640, 360)).shape == (360, 640, 3)
    left, right = pixels[40, 180], pixels[600, 180]
    assert left[0] > left[2] and right[2] > right[0]  # orange stays left, blue right
    assert pixels.max() <= 0.5 * 230 + 2  # darkened to half the brightest channel
    # smooth: no edge survives the blur
    assert np.abs(np.diff(pixels.astype(int), axis=0)).max() < 12


def test_wall_styles_in_config_and_exhibits_are_checked():
    assert DisplayConfig().wall == WallStyle()
    with pytest.raises(ValidationError):
        WallStyle(colour="black")
    with pytest.raises(ValidationError):
        WallStyle(fill="wallpaper")
    exhibit = Exhibit(id="a", title="A", image="a.jpg", wall={"fill": "blur", "darken": 0.2})
    assert exhibit.wall == WallStyle(fill="blur", darken=0.2)
    assert Exhibit(id="b", title="B", image="b.jpg").wall is None


def test_a_blur_style_without_its_pixels_yet_is_the_plain_colour():
    wall = make_wall(WallStyle(fill="blur", colour="#102030"), None, (64, 48))
    assert wall.image is None and wall.colour == (0x10, 0x20, 0x30)
