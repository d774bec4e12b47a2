"""The wall the painting hangs on: what fills the screen around it (a colour, or the painting
itself blurred and darkened, as if lit on a wall) and an optional frame around it."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
import pygame

from kiosk.wall_style import WallStyle, rgb

__all__ = ["Wall", "WallMaker", "blurred_wall", "make_wall"]

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Wall:
    """What `draw` puts behind the painting. `image` (logical size, already darkened) replaces
    the colour when given; `frame_px` > 0 draws a frame of `frame_colour` round the painting."""

    colour: RGB = (0, 0, 0)
    frame_colour: RGB = (0, 0, 0)
    frame_px: int = 0
    image: pygame.Surface | None = None
    pixels: np.ndarray | None = None  # `image` as BGR (the cross-fades are mixed over it)
    name: str = ""  # what the image was made from (part of `key`)

    def backdrop(self, size: tuple[int, int]) -> np.ndarray:
        """The wall (without the frame) as a BGR image of `size` (w, h)."""
        if self.pixels is not None and self.pixels.shape[:2] == (size[1], size[0]):
            return self.pixels
        r, g, b = self.colour
        return _plain_backdrop(size, (b, g, r))

    @property
    def key(self) -> tuple:
        """Equal for walls that draw the same (frames compare it to know what changed)."""
        return (self.colour, self.frame_colour, self.frame_px, self.name)

    def draw(self, canvas: pygame.Surface, painting: pygame.Rect) -> None:
        if self.image is not None:
            canvas.blit(self.image, (0, 0))
        else:
            canvas.fill(self.colour)
        if self.frame_px > 0:
            frame = painting.inflate(2 * self.frame_px, 2 * self.frame_px)
            pygame.draw.rect(canvas, self.frame_colour, frame, width=self.frame_px)


@lru_cache(maxsize=4)
def _plain_backdrop(size: tuple[int, int], bgr: RGB) -> np.ndarray:
    """A plain wall as a BGR image of `size` (w, h), made once per size and colour and shared
    read-only: a fresh screen-sized array at every change of exhibit is megabytes of new pages,
    which took the display thread 40-380 ms on a busy machine (its first frame in
    tests/system/test_hostile_content.py)."""
    pixels = np.full((size[1], size[0], 3), bgr, np.uint8)
    pixels.setflags(write=False)
    return pixels


def blurred_wall(painting_bgr: np.ndarray, size: tuple[int, int], darken: float) -> np.ndarray:
    """The painting scaled to cover `size` (w, h), blurred beyond recognition and darkened to
    `darken` (0..1) of its brightness: a wall in the painting's own colours.

    Blurred at 1/16 of the size (a few milliseconds even at 4K) and scaled up smoothly.
    """
    w, h = size
    small_w, small_h = max(8, w // 16), max(8, h // 16)
    ih, iw = painting_bgr.shape[:2]
    cover = max(small_w / iw, small_h / ih)
    tiny = cv2.resize(painting_bgr, (max(1, round(iw * cover)), max(1, round(ih * cover))),
                      interpolation=cv2.INTER_AREA)  # fmt: skip
    ty, tx = (tiny.shape[0] - small_h) // 2, (tiny.shape[1] - small_w) // 2
    tiny = tiny[ty : ty + small_h, tx : tx + small_w]
    sigma = max(small_w, small_h) / 12
    tiny = cv2.GaussianBlur(tiny, (0, 0), sigma, borderType=cv2.BORDER_REFLECT)
    tiny = cv2.convertScaleAbs(tiny, alpha=max(0.0, min(1.0, darken)))
    return cv2.resize(tiny, (w, h), interpolation=cv2.INTER_LINEAR)


def _surface(bgr: np.ndarray) -> pygame.Surface:
    """A copy of a BGR image as a surface, in the screen's pixel format when there is a screen
    (each blit of the wall is then a plain copy)."""
    h, w = bgr.shape[:2]
    surface = pygame.image.frombuffer(np.ascontiguousarray(bgr), (w, h), "BGR")
    return surface.convert() if pygame.display.get_surface() is not None else surface.copy()


def make_wall(
    style: WallStyle, blurred: np.ndarray | None, size: tuple[int, int], name: str = ""
) -> Wall:
    """The `Wall` a style asks for on a logical screen of `size`. A blurred wall needs its
    pixels (`blurred_wall` of the painting, made by a `WallMaker`); without them it is a plain
    one in the style's colour meanwhile. `name` tells walls of different paintings apart."""
    frame_px = round(style.frame_width * min(size) / 1080) if style.frame_width else 0
    pixels = blurred if style.fill == "blur" else None
    return Wall(
        colour=rgb(style.colour),
        frame_colour=rgb(style.frame_colour),
        frame_px=frame_px,
        image=_surface(pixels) if pixels is not None else None,
        pixels=pixels,
        name=f"{name} blurred {style.darken}" if pixels is not None else "",
    )


class WallMaker:
    """Blurs walls on a thread of its own: 9 ms at 1080p but 91 ms at 4K (measured on the
    loaded 2-core machine), too long for the display thread. One job at a time; a request for
    another painting replaces the one before."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="wall")
        # Its thread starts now: started by the first blurred wall, it held that frame up until
        # the new thread was scheduled.
        self._pool.submit(int)
        self._job: tuple[object, Future[np.ndarray]] | None = None

    def request(self, key: object, painting_bgr: np.ndarray, size: tuple[int, int],
                darken: float) -> None:  # fmt: skip
        """Start blurring `painting_bgr` for `key` (unless it is already under way)."""
        if self._job is not None and self._job[0] == key:
            return
        if self._job is not None:
            self._job[1].cancel()
        self._job = (key, self._pool.submit(blurred_wall, painting_bgr, size, darken))

    def ready(self, key: object) -> np.ndarray | None:
        """The blurred wall for `key` once it is made (None before, or for another key)."""
        if self._job is None or self._job[0] != key or not self._job[1].done():
            return None
        return self._job[1].result()

    def wait(self, timeout: float | None = None) -> None:
        """Block until the job under way is done (tests and offline tools)."""
        if self._job is not None:
            self._job[1].exception(timeout)

    def close(self) -> None:
        self._job = None
        self._pool.shutdown(wait=True, cancel_futures=True)
