"""The privacy notice: a pill at the bottom centre, shown whenever a camera is fitted, whose
words say what the camera is doing now (`notice_text`)."""

from __future__ import annotations

import pygame

from kiosk.display.widgets.style import NOTICE_BG, NOTICE_TEXT, Style

PRIVACY_NOTICE = "This painting is animated live by a computer. The camera image is never stored."
# While no camera is driving the painting, "live" would not be true.
CAMERA_STARTING_NOTICE = (
    "This painting is animated by a computer. The camera is starting; its image is never stored."
)
CAMERA_OFF_NOTICE = "This painting is animated by a computer. The camera is not in use now."

_NOTICE_DOT = (222, 84, 70)
_IDLE_DOT = (150, 146, 140)


def notice_text(camera_state: str) -> str:
    """The notice for a camera in `camera_state` (a `SourceStatus` state: "running" means
    frames are arriving and drive the painting; "opening", "stale", "failed", "closed", or
    "off" for a kiosk with no camera)."""
    if camera_state == "running":
        return PRIVACY_NOTICE
    if camera_state == "opening":
        return CAMERA_STARTING_NOTICE
    return CAMERA_OFF_NOTICE


class PrivacyNotice:
    def __init__(self, style: Style) -> None:
        self._style = style

    def draw(self, surface: pygame.Surface, text: str, bottom: int) -> pygame.Rect:
        """Draw the notice `text` centred with its bottom at `bottom`; where it was drawn."""
        notice = self._style.cached(("notice", text), lambda: self._pill(text))
        rect = notice.get_rect(midbottom=(self._style.size[0] // 2, bottom))
        surface.blit(notice, rect)
        return rect

    def height(self) -> int:
        """The tallest the notice is on this screen (the layout keeps room for it)."""
        texts = (PRIVACY_NOTICE, CAMERA_STARTING_NOTICE, CAMERA_OFF_NOTICE)
        return max(
            self._style.cached(("notice", t), lambda t=t: self._pill(t)).get_height()
            for t in texts
        )

    def _pill(self, words: str) -> pygame.Surface:
        st = self._style
        s = st.scale
        text = st.text("sans", 22, words, NOTICE_TEXT)
        if text.get_width() > st.size[0] - 2 * st.gap:  # narrow portrait screens
            text = self._two_lines(words)
        dot_r = max(4, round(7 * s))
        pad_x, pad_y = round(20 * s), round(10 * s)
        w = pad_x + 2 * dot_r + round(12 * s) + text.get_width() + pad_x
        h = text.get_height() + 2 * pad_y
        pill = pygame.Surface((w, h), pygame.SRCALPHA)
        pygame.draw.rect(pill, NOTICE_BG, pill.get_rect(), border_radius=h // 2)
        centre = (pad_x + dot_r, h // 2)
        dot = _NOTICE_DOT if words == PRIVACY_NOTICE else _IDLE_DOT  # red: camera in use
        pygame.draw.circle(pill, dot, centre, dot_r, width=max(1, round(2 * s)))
        pygame.draw.circle(pill, dot, centre, max(2, dot_r // 2))
        pill.blit(text, (pad_x + 2 * dot_r + round(12 * s), pad_y))
        return pill

    def _two_lines(self, words: str) -> pygame.Surface:
        first, second = words.split(". ", 1)
        a = self._style.text("sans", 22, first + ".", NOTICE_TEXT)
        b = self._style.text("sans", 22, second, NOTICE_TEXT)
        surface = pygame.Surface(
            (max(a.get_width(), b.get_width()), a.get_height() + b.get_height()), pygame.SRCALPHA
        )
        surface.blit(a, (0, 0))
        surface.blit(b, (0, a.get_height()))
        return surface
