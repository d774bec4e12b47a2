"""What is drawn over the painting: label panel, privacy notice, chevrons, hint, curator panel
with its touch buttons, and the curator's PIN pad.

This module composes the widgets of `kiosk.display.widgets` (one module each) in their drawing
order. Everything is laid out from the logical screen size and rendered into cached surfaces
that are rebuilt only when their text changes, so drawing a frame is a handful of blits.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pygame

from kiosk.display.curator_access import AccessView
from kiosk.display.gestures import Action
from kiosk.display.widgets.captions import Captions
from kiosk.display.widgets.chevrons import Chevrons
from kiosk.display.widgets.curator_panel import CuratorPanel
from kiosk.display.widgets.hold_ring import RING_FROM, HoldRing
from kiosk.display.widgets.label_panel import LabelPanel, LabelText
from kiosk.display.widgets.listen_controls import ListenControls, SpeechView
from kiosk.display.widgets.pin_pad import PinPadPanel
from kiosk.display.widgets.privacy_notice import PrivacyNotice
from kiosk.display.widgets.speech_fonts import SpeechFonts
from kiosk.display.widgets.speech_layout import speech_layout
from kiosk.display.widgets.status_hint import StatusHint
from kiosk.display.widgets.style import Style
from kiosk.display.widgets.touch_targets import layout_touch_targets

__all__ = ["OverlayRenderer", "OverlayState", "SpeechView"]


@dataclass
class OverlayState:
    """Everything the overlays show this frame (built by the app from exhibit + director)."""

    title: str = ""
    artist: str = ""
    year: str = ""
    label: str = ""
    credit: str = ""
    show_label: bool = False
    camera_on: bool = False  # True: the privacy notice is always drawn
    curator_visible: bool = False
    curator_lines: list[str] = field(default_factory=list)
    status_hint: str = ""  # e.g. "Swipe to see another painting" in attract mode
    fade: float = 1.0  # label panel opacity, 0..1
    speech: SpeechView | None = None  # Listen/Stop/language buttons and captions; None = off


class OverlayRenderer:
    """Draws an `OverlayState` onto a logical-size surface. Sizes scale with the screen."""

    def __init__(self, size: tuple[int, int]) -> None:
        self._style = style = Style(size)
        self.size, self.scale, self.margin, self.gap = (
            style.size,
            style.scale,
            style.margin,
            style.gap,
        )
        self.rects: dict[str, pygame.Rect] = {}  # where things were last drawn (tests, hit areas)
        self._targets = targets = layout_touch_targets(style)
        self._chevrons = Chevrons(style)
        self._notice = PrivacyNotice(style)
        self._label = LabelPanel(style)
        self._hint = StatusHint(style)
        self._curator = CuratorPanel(style, targets.panel_buttons)
        self._ring = HoldRing(style, targets.access_zone)
        self._pad = PinPadPanel(style, targets.pin_pad)
        fonts = SpeechFonts()
        self._listen = ListenControls(style, fonts)
        self._captions = Captions(style, fonts)
        self.speech_targets: list[tuple[pygame.Rect, str]] = []  # as last drawn

    def draw(
        self,
        surface: pygame.Surface,
        state: OverlayState,
        painting: pygame.Rect | None = None,
        access: AccessView | None = None,
    ) -> None:
        """Draw all visible overlays for `state` onto `surface` (logical size).

        With the painting's rect given, the label panel moves into the left letterbox bar
        when that bar is wide enough, so the painting itself stays uncovered. `access` adds
        what the Display knows about curator access: the long-press ring, the panel's quit
        confirmation and the PIN pad (drawn last, over everything).
        """
        self.rects = {}
        self._chevrons.draw(surface)
        bottom = self.size[1] - self.gap
        if state.camera_on:
            self.rects["notice"] = self._notice.draw(surface, bottom)
            bottom = self.rects["notice"].top
        bottom -= self.gap
        if state.show_label and state.fade > 0 and (state.title or state.label):
            text = LabelText(state.title, state.artist, state.year, state.label, state.credit)
            self.rects["label"] = self._label.draw(surface, text, state.fade, painting, bottom)
        self._draw_speech(surface, state, bottom)
        if state.status_hint and "captions" not in self.rects:  # a caption says enough
            label = self.rects.get("label")
            self.rects["hint"] = self._hint.draw(surface, state.status_hint, bottom, label)
        access = access or AccessView()
        if state.curator_visible:
            lines = tuple(state.curator_lines)
            buttons, panel = self._curator.draw(surface, lines, access.quit_armed)
            self.rects["panel_buttons"], self.rects["curator"] = buttons, panel
        if access.hold_progress >= RING_FROM and not access.pad_open:
            self.rects["hold_ring"] = self._ring.draw(surface, access.hold_progress)
        if access.pad_open:
            self.rects["pin_pad"] = self._pad.draw(surface, access)

    def _draw_speech(self, surface: pygame.Surface, state: OverlayState, bottom: int) -> None:
        """The speech buttons (with the label panel, or while speaking) and the caption."""
        self.speech_targets = []
        view = state.speech
        if view is None:
            return
        layout = speech_layout(self._style, self.rects.get("label"), bottom)
        if "label" in self.rects or view.speaking:
            self.speech_targets = self._listen.draw(surface, view, layout.controls, layout.button_h)
            self.rects["speech_controls"] = self.speech_targets[0][0].unionall(
                [rect for rect, _ in self.speech_targets]
            )
        if view.caption_words:
            self.rects["captions"] = self._captions.draw(surface, view, layout.captions)

    def speech_button_at(self, point: tuple[float, float]) -> str | None:
        """The speech button ("listen", "stop", "lang:CODE") at `point` as last drawn."""
        return next((name for rect, name in self.speech_targets if rect.collidepoint(point)), None)

    def access_zone(self) -> pygame.Rect:
        """The top-left corner where a curator's long press starts (120 px, at least 48)."""
        return pygame.Rect(self._targets.access_zone)

    def panel_buttons(self) -> list[tuple[pygame.Rect, Action]]:
        """Touch targets of the curator panel's buttons (at least 64 px tall)."""
        return list(self._targets.panel_buttons)

    def pin_pad_keys(self) -> dict[str, pygame.Rect]:
        """Touch targets of the PIN pad's keys (at least 72 px square), by key name."""
        return dict(self._targets.pin_pad.keys)

    def hotspots(self) -> list[tuple[pygame.Rect, Action]]:
        """Touch targets of the chevrons (generous, well over 48 px) in logical pixels."""
        return [(pygame.Rect(rect), action) for rect, action in self._targets.chevrons]

    def font(self, kind: str, px: int) -> pygame.font.Font:
        """The overlays' "serif", "sans" or "mono" font at `px` (scaled with the screen)."""
        return self._style.font(kind, px)
