"""The previous/next chevrons at the screen's left and right edges (drawn every frame)."""

from __future__ import annotations

import pygame

from kiosk.display.widgets.style import Style
from kiosk.display.widgets.touch_targets import chevron_inset, chevron_radius

_CHEVRON_BG = (0, 0, 0, 80)
_CHEVRON = (255, 255, 255, 170)


class Chevrons:
    """Two translucent discs with an arrow, rendered once."""

    def __init__(self, style: Style) -> None:
        r, inset = chevron_radius(style.scale), chevron_inset(style.scale)
        w, h = style.size
        self._images: list[tuple[pygame.Rect, pygame.Surface]] = []
        for direction, cx in ((-1, inset + r), (1, w - inset - r)):
            image = pygame.Surface((2 * r, 2 * r), pygame.SRCALPHA)
            pygame.draw.circle(image, _CHEVRON_BG, (r, r), r)
            arm = r * 0.38
            tip = (r + direction * arm * 0.55, r)
            back = r - direction * arm * 0.45
            points = [(back, r - arm), tip, (back, r + arm)]
            pygame.draw.lines(image, _CHEVRON, False, points, max(2, round(3 * style.scale)))
            self._images.append((image.get_rect(center=(cx, h // 2)), image))

    def draw(self, surface: pygame.Surface) -> None:
        for rect, image in self._images:
            surface.blit(image, rect)
