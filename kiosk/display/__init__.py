"""display stage: the pygame-ce window, overlays (label, notice, curator panel) and input."""

from kiosk.display.fit import fit_rect
from kiosk.display.gestures import Action, GestureRecognizer, Hotspot
from kiosk.display.keys import KeyCombo, parse_key_combo
from kiosk.display.layout import LabelPlacement, ScreenLayout
from kiosk.display.overlay import OverlayRenderer, OverlayState, SpeechView
from kiosk.display.presenter import EVERYTHING, NOTHING, Damage
from kiosk.display.widgets.privacy_notice import PRIVACY_NOTICE
from kiosk.display.window import Display, physical_to_logical

__all__ = [
    "EVERYTHING",
    "NOTHING",
    "PRIVACY_NOTICE",
    "SpeechView",
    "Action",
    "Damage",
    "Display",
    "GestureRecognizer",
    "Hotspot",
    "KeyCombo",
    "LabelPlacement",
    "OverlayRenderer",
    "OverlayState",
    "ScreenLayout",
    "fit_rect",
    "parse_key_combo",
    "physical_to_logical",
]
