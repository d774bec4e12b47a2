"""The previous/next chevrons at the screen's left and right edges.

Each is a dark disc with a light rim and arrow, so it shows on a black bar, a dark painting
and a bright one alike. A chevron under a panel is not drawn (its tap zone is inactive then:
see `kiosk.display.layout`)."""

from __future__ import annotations

import pygame

from kiosk.display.gestures import Action
from kiosk.display.widgets.style import Style
from kiosk.display.widgets.touch_targets import chevron_inset, chevron_radius

_CHEVRON_BG = (0, 0, 0, 130)
_CHEVRON_RIM = (255, 255, 255, 150)
_CHEVRON = (255, 255, 255, 235)


class Chevrons:
    """Two discs with an arrow, rendered once; drawn only where their zone is active."""

    def __init__(self, style: Style) -> None:
        r, inset = chevron_radius(style.scale), chevron_inset(style.scale)
        w, h = style.size
        rim = max(2, round(2 * style.scale))
        self._images: list[tuple[Action, pygame.Rect, pygame.Surface]] = []
        for direction, cx, action in ((-1, inset + r, Action.PREVIOUS),
                                      (1, w - inset - r, Action.NEXT)):  # fmt: skip
            image = pygame.Surface((2 * r, 2 * r), pygame.SRCALPHA)
            pygame.draw.circle(image, _CHEVRON_BG, (r, r), r)
            pygame.draw.circle(image, _CHEVRON_RIM, (r, r), r, width=rim)
            arm = r * 0.38
            tip = (r + direction * arm * 0.55, r)
            back = r - direction * arm * 0.45
            points = [(back, r - arm), tip, (back, r + arm)]
            pygame.draw.lines(image, _CHEVRON, False, points, max(3, round(4 * style.scale)))
            self._images.append((action, image.get_rect(center=(cx, h // 2)), image))

    def draw(self, surface: pygame.Surface, active: set[Action]) -> None:
        """Draw the chevrons whose action is in `active`."""
        for action, rect, image in self._images:
            if action in active:
                surface.blit(image, rect)
