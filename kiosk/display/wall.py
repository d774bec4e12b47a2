"""The wall the painting hangs on: what fills the screen around it (a colour, or the painting
itself blurred and darkened, as if lit on a wall) and an optional frame around it."""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
import pygame

__all__ = ["Wall", "blurred_wall"]

RGB = tuple[int, int, int]


@dataclass(frozen=True)
class Wall:
    """What `draw` puts behind the painting. `image` (logical size, already darkened) replaces
    the colour when given; `frame_px` > 0 draws a frame of `frame_colour` round the painting."""

    colour: RGB = (0, 0, 0)
    frame_colour: RGB = (0, 0, 0)
    frame_px: int = 0
    image: pygame.Surface | None = None
    name: str = ""  # what the image was made from (part of `key`)

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


def blurred_wall(painting_bgr: np.ndarray, size: tuple[int, int], darken: float) -> pygame.Surface:
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
    full = cv2.resize(tiny, (w, h), interpolation=cv2.INTER_LINEAR)
    # convert() copies into the screen's pixel format, so `full` need not outlive the call.
    return pygame.image.frombuffer(full, (w, h), "BGR").convert()
