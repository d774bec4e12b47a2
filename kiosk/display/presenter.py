"""Putting frames on the screen, pushing only what changed.

A full frame costs the display server a copy of every pixel (measured under Xvfb: a bare
full-frame flip runs at about 110 fps at 1920x1080 and 23 fps at 3840x2160), so the kiosk
presents:

- nothing, when neither the painting nor the overlays changed (between camera frames);
- the changed regions only (`pygame.display.update(rects)`), when only the painted faces
  moved: their pixels are copied onto the canvas, the overlays redrawn clipped to them;
- the whole frame when the overlays, the painting's place or the exhibit changed.

On a rotated screen only the changed regions are rotated, each on its own, so a moving face
costs no full-frame rotation. The counters feed the run report: frames presented and new
painting frames shown per second.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pygame

__all__ = ["EVERYTHING", "NOTHING", "Damage", "Presenter", "physical_to_logical", "rotated_rect"]

Box = tuple[int, int, int, int]  # x, y, w, h


@dataclass(frozen=True, slots=True)
class Damage:
    """Which part of a painting differs from the one handed to the display before: all of it,
    some boxes (x, y, w, h in the painting's pixels), or nothing."""

    everything: bool
    boxes: tuple[Box, ...] = ()

    @property
    def nothing(self) -> bool:
        return not self.everything and not self.boxes


EVERYTHING = Damage(True)
NOTHING = Damage(False)


def physical_to_logical(u: float, v: float, rotation: int) -> tuple[float, float]:
    """Map a normalised physical-screen point to the logical (unrotated) surface.

    The logical surface is shown rotated counter-clockwise by `rotation` degrees
    (pygame.transform.rotate), so this applies the inverse rotation.
    """
    if rotation == 90:
        return 1.0 - v, u
    if rotation == 180:
        return 1.0 - u, 1.0 - v
    if rotation == 270:
        return v, 1.0 - u
    return u, v


def rotated_rect(rect: pygame.Rect, logical: tuple[int, int], rotation: int) -> pygame.Rect:
    """Where a logical-surface rect lands on the physical screen once the surface is rotated
    counter-clockwise by `rotation` degrees (as `pygame.transform.rotate` does)."""
    lw, lh = logical
    x, y, w, h = rect
    if rotation == 90:
        return pygame.Rect(y, lw - x - w, h, w)
    if rotation == 180:
        return pygame.Rect(lw - x - w, lh - y - h, w, h)
    if rotation == 270:
        return pygame.Rect(lh - y - h, x, h, w)
    return pygame.Rect(rect)


DrawOverlays = Callable[[pygame.Surface], None]


class Presenter:
    """Composes painting + wall + overlays on a logical canvas and pushes what changed."""

    def __init__(self, screen: pygame.Surface, rotation: int, framebuffer: str = "") -> None:
        self._screen = screen
        self.rotation = rotation
        pw, ph = screen.get_size()
        self.logical_size = (pw, ph) if rotation in (0, 180) else (ph, pw)
        self.canvas = screen if rotation == 0 else pygame.Surface(self.logical_size)
        self._scene_key: object = None  # what the last full frame was drawn from
        self.presented = 0  # frames pushed to the screen (whole or in part)
        self.full_frames = 0  # ... of them, whole frames
        self.painting_frames = 0  # frames whose painting changed (new animation shown)
        self.path = "window surface, changed regions" + (
            f", each rotated {rotation}°" if rotation else ""
        ) + (f"; framebuffer: {framebuffer}" if framebuffer else "")

    @property
    def counters(self) -> tuple[int, int, int]:
        """(frames presented, of them whole frames, frames with a new painting) so far."""
        return self.presented, self.full_frames, self.painting_frames

    def invalidate(self) -> None:
        """The screen's content was lost (window exposed, mode change): redraw all next time."""
        self._scene_key = None

    def present(
        self,
        painting: pygame.Surface,
        at: tuple[int, int],
        damage: Damage,
        scene_key: object,
        draw_background: DrawOverlays,
        draw_overlays: DrawOverlays,
    ) -> bool:
        """Show `painting` at `at` (logical px) over the background, with the overlays.

        `scene_key` is everything else the frame shows (overlay state, curator access, the
        wall): when it equals the last frame's, only the painting's `damage` is pushed.
        True if anything was pushed.
        """
        canvas = self.canvas
        if scene_key != self._scene_key or damage.everything:
            draw_background(canvas)
            canvas.blit(painting, at)
            draw_overlays(canvas)
            self._scene_key = scene_key
            self._push_all()
            self.full_frames += 1
        elif damage.nothing:
            return False
        else:
            bounds = canvas.get_rect()
            rects = [pygame.Rect(b).move(at).clip(bounds) for b in damage.boxes]
            rects = [r for r in rects if r.w > 0 and r.h > 0]
            for rect in rects:
                canvas.set_clip(rect)
                canvas.blit(painting, rect.topleft, area=rect.move(-at[0], -at[1]))
                draw_overlays(canvas)
            canvas.set_clip(None)
            self._push(rects)
        self.presented += 1
        self.painting_frames += not damage.nothing
        return True

    def _push_all(self) -> None:
        if self.rotation:
            self._screen.blit(pygame.transform.rotate(self.canvas, self.rotation), (0, 0))
        pygame.display.flip()

    def _push(self, rects: list[pygame.Rect]) -> None:
        if self.rotation:
            shown = []
            for rect in rects:
                turned = pygame.transform.rotate(self.canvas.subsurface(rect), self.rotation)
                where = rotated_rect(rect, self.logical_size, self.rotation)
                self._screen.blit(turned, where)
                shown.append(where)
            rects = shown
        pygame.display.update(rects)
