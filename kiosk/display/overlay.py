"""What is drawn over the painting: label panel (or the title in attract mode), privacy notice,
chevrons, hint, curator panel with its touch buttons, and the curator's PIN pad.

This module composes the widgets of `kiosk.display.widgets` (one module each) in their drawing
order, in the places `kiosk.display.layout` gives them for this screen, painting and face (so
the face is never covered). Everything is rendered into cached surfaces that are rebuilt only
when their text or place changes, so drawing a frame is a handful of blits.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial

import pygame

from kiosk.display.curator_access import AccessView
from kiosk.display.gestures import Action
from kiosk.display.layout import (
    LabelPlacement,
    ScreenLayout,
    caption_area,
    face_keep_clear,
    panel_buttons,
    panel_status_area,
    screen_layout,
    speech_row,
)
from kiosk.display.widgets.captions import Captions
from kiosk.display.widgets.chevrons import Chevrons
from kiosk.display.widgets.curator_panel import CuratorPanel
from kiosk.display.widgets.hold_ring import RING_FROM, HoldRing
from kiosk.display.widgets.label_panel import LabelPanel, LabelText
from kiosk.display.widgets.listen_controls import ListenControls, SpeechView
from kiosk.display.widgets.pin_pad import PinPadPanel
from kiosk.display.widgets.privacy_notice import PRIVACY_NOTICE, PrivacyNotice
from kiosk.display.widgets.speech_fonts import SpeechFonts
from kiosk.display.widgets.status_hint import StatusHint
from kiosk.display.widgets.style import Style
from kiosk.display.widgets.touch_targets import layout_touch_targets

__all__ = ["OverlayRenderer", "OverlayState", "SpeechView"]

Box = tuple[int, int, int, int]  # x, y, w, h


@dataclass
class OverlayState:
    """Everything the overlays show this frame (built by the app from exhibit + director)."""

    title: str = ""
    artist: str = ""
    year: str = ""
    label: str = ""
    credit: str = ""
    show_label: bool = False
    show_title: bool = False  # the title alone, small (attract mode), when the label is shut
    camera_on: bool = False  # True: a camera is fitted, and the privacy notice is always drawn
    notice: str = ""  # the notice's words for the camera's state ("" : PRIVACY_NOTICE)
    curator_visible: bool = False
    curator_lines: list[str] = field(default_factory=list)
    status_hint: str = ""  # e.g. "Swipe to see another painting" in attract mode
    fade: float = 1.0  # label panel opacity, 0..1
    face_box: Box | None = None  # the painted faces' bounds, in the fitted painting's pixels
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
        self._curator = CuratorPanel(style)
        self._ring = HoldRing(style, targets.access_zone)
        self._pad = PinPadPanel(style, targets.pin_pad)
        self._buttons = targets.panel_buttons
        self._active = {action for _, action in targets.chevrons}
        fonts = SpeechFonts()
        self._listen = ListenControls(style, fonts)
        self._captions = Captions(style, fonts)
        self.speech_targets: list[tuple[pygame.Rect, str]] = []  # as last drawn
        self._layout_key: tuple = ()
        self._caption_place: tuple[tuple, pygame.Rect | None] = ((), None)
        self.layout = self.layout_for(pygame.Rect((0, 0), size), None)

    def layout_for(
        self, painting: pygame.Rect, face_box: Box | None, speech: SpeechView | None = None
    ) -> ScreenLayout:
        """The overlays' places for a painting at `painting` (logical px) whose faces are at
        `face_box` (the painting's own pixels), with the privacy notice's room kept, and room
        by the label for the speech buttons when `speech` is shown."""
        st = self._style
        screen = pygame.Rect((0, 0), self.size)
        keep_clear = None
        if face_box is not None:
            keep_clear = face_keep_clear(pygame.Rect(face_box).move(painting.topleft), painting)
        reserve = self._targets.chevrons[0][0].w
        bottom = self.size[1] - st.gap - self._notice.height() - st.gap
        row_height = partial(self._listen.row_height, speech) if speech is not None else None
        return screen_layout(
            screen, painting, keep_clear, scale=st.scale, margin=st.margin, gap=st.gap,
            side_reserve=reserve, bottom=bottom, row_height=row_height,
        )  # fmt: skip

    def draw(
        self,
        surface: pygame.Surface,
        state: OverlayState,
        painting: pygame.Rect | None = None,
        access: AccessView | None = None,
    ) -> None:
        """Draw all visible overlays for `state` onto `surface` (logical size).

        `painting` is where the painting is (the whole screen if not given); with the state's
        face box the label and curator panel keep clear of the face. `access` adds what the
        Display knows about curator access: the long-press ring, the panel's quit confirmation
        and the PIN pad (drawn last, over everything).
        """
        self.rects = {}
        painting = painting if painting is not None else pygame.Rect((0, 0), self.size)
        layout = self.layout
        # The speech row's size depends on the languages and the status shown beside them.
        speech = (state.speech.languages, state.speech.status) if state.speech else None
        key = (tuple(painting), state.face_box, speech)
        if key != self._layout_key:
            layout = self.layout = self.layout_for(painting, state.face_box, state.speech)
            self._layout_key = key
        panels = self._draw_panels(surface, state, layout, access or AccessView())
        self._active = {a for r, a in self._targets.chevrons if r.collidelist(panels) < 0}
        self._chevrons.draw(surface, self._active)
        self._draw_access(surface, access or AccessView())

    def _draw_panels(
        self, surface: pygame.Surface, state: OverlayState, layout: ScreenLayout,
        access: AccessView,
    ) -> list[pygame.Rect]:  # fmt: skip
        """The notice, label (or title), hint and curator panel; the rects that take touches
        from what is under them."""
        bottom = self.size[1] - self.gap
        if state.camera_on:
            self.rects["notice"] = self._notice.draw(
                surface, state.notice or PRIVACY_NOTICE, bottom
            )
            bottom = self.rects["notice"].top
        bottom -= self.gap
        text = LabelText(state.title, state.artist, state.year, state.label, state.credit)
        if state.show_label and state.fade > 0 and (state.title or state.label):
            self.rects["label"] = self._label.draw(surface, text, state.fade, layout.label)
        elif state.show_title and state.title:
            title_only = LabelText(state.title, state.artist, state.year, "", "")
            self.rects["title"] = self._label.draw(surface, title_only, 1.0, layout.label)
        self._draw_speech(surface, state, layout)
        if state.status_hint and "captions" not in self.rects:  # a caption says enough
            beside = self.rects.get("label") or self.rects.get("title")
            self.rects["hint"] = self._hint.draw(surface, state.status_hint, bottom, beside)
        panels = [self.rects[k] for k in ("label", "title", "speech_controls") if k in self.rects]
        if state.curator_visible:
            row, area = self._curator_places(layout)
            buttons, box = self._curator.draw(
                surface, tuple(state.curator_lines), access.quit_armed, self._buttons, area
            )
            self.rects["panel_buttons"], self.rects["curator"] = buttons, box
            panels += [buttons, box]
        return panels

    def _curator_places(self, layout: ScreenLayout) -> tuple[pygame.Rect, pygame.Rect]:
        """Move the buttons off the face if need be; where they are and the status area."""
        default = self._targets.panel_buttons
        bottom = self.size[1] - 2 * self.gap - self._notice.height() - self.gap
        moved = panel_buttons([r for r, _ in default], layout.screen, layout.keep_clear,
                              self.margin, self.gap, bottom)  # fmt: skip
        self._buttons = tuple((r, a) for r, (_, a) in zip(moved, default, strict=True))
        row = moved[0].unionall(moved)
        return row, panel_status_area(layout.screen, row, layout.keep_clear, self.margin,
                                      self.gap)  # fmt: skip

    def _draw_access(self, surface: pygame.Surface, access: AccessView) -> None:
        if access.hold_progress >= RING_FROM and not access.pad_open:
            self.rects["hold_ring"] = self._ring.draw(surface, access.hold_progress)
        if access.pad_open:
            self.rects["pin_pad"] = self._pad.draw(surface, access)

    @property
    def label_placement(self) -> LabelPlacement:
        """Where the label panel goes on the current layout (speech widgets sit by it)."""
        return self.layout.label

    def _draw_speech(
        self, surface: pygame.Surface, state: OverlayState, layout: ScreenLayout
    ) -> None:
        """The speech buttons (with the label panel, or while speaking) against the label or
        title panel, and the caption, in the places the layout gives."""
        self.speech_targets = []
        view = state.speech
        if view is None:
            return
        panel = self.rects.get("label") or self.rects.get("title")
        row = None
        if ("label" in self.rects or view.speaking) and layout.speech_row_h > 0:
            self.rects["speech_row"] = row = speech_row(layout, panel, self.gap)
            upward = layout.label.anchor == "bottom"  # the row stands above the label
            self.speech_targets = self._listen.draw(surface, view, row, upward)
            if self.speech_targets:
                self.rects["speech_controls"] = self.speech_targets[0][0].unionall(
                    [rect for rect, _ in self.speech_targets]
                )
        if view.caption_words:
            area = self._caption_area(layout, [r for r in (panel, row) if r is not None])
            if area is not None:
                self.rects["captions"] = self._captions.draw(surface, view, area)

    def _caption_area(self, layout: ScreenLayout, beside: list[pygame.Rect]) -> pygame.Rect | None:
        """Where captions go, clear of the face, the panels in `beside` and the chevrons' zones
        (worked out again only when one of them moves)."""
        key = (self._layout_key, *(tuple(r) for r in beside))
        if key != self._caption_place[0]:
            want_h, min_h = self._captions.heights()
            chevrons = [r for r, _ in self._targets.chevrons]
            s = self.scale
            place = caption_area(
                layout, beside + chevrons, want_h=want_h, min_h=min_h, min_w=round(420 * s),
                max_w=round(1200 * s), margin=self.margin, gap=self.gap,
            )  # fmt: skip
            self._caption_place = (key, place)
        return self._caption_place[1]

    def speech_button_at(self, point: tuple[float, float]) -> str | None:
        """The speech button ("listen", "stop", "lang:CODE") at `point` as last drawn."""
        return next((name for rect, name in self.speech_targets if rect.collidepoint(point)), None)

    def access_zone(self) -> pygame.Rect:
        """The top-left corner where a curator's long press starts (120 px, at least 48)."""
        return pygame.Rect(self._targets.access_zone)

    def panel_buttons(self) -> list[tuple[pygame.Rect, Action]]:
        """Touch targets of the curator panel's buttons (at least 64 px tall), where they were
        last drawn (along the top, or the bottom when the top would cover the face)."""
        return [(pygame.Rect(r), a) for r, a in self._buttons]

    def pin_pad_keys(self) -> dict[str, pygame.Rect]:
        """Touch targets of the PIN pad's keys (at least 72 px square), by key name."""
        return dict(self._targets.pin_pad.keys)

    def hotspots(self) -> list[tuple[pygame.Rect, Action]]:
        """The chevrons' touch targets (generous, well over 48 px) in logical pixels: those
        no panel covers (a covered chevron is not drawn and takes no tap)."""
        return [(pygame.Rect(r), a) for r, a in self._targets.chevrons if a in self._active]

    def font(self, kind: str, px: int) -> pygame.font.Font:
        """The overlays' "serif", "sans" or "mono" font at `px` (scaled with the screen)."""
        return self._style.font(kind, px)
