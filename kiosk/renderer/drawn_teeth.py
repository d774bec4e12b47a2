"""The colour of the teeth the mouth interior draws (kiosk.renderer.mouth), worked out once per
face when its palette is measured (face_rig)."""

from __future__ import annotations

import numpy as np

from kiosk.renderer.tone import LUMA_BGR, Tone

# Drawn teeth are ivory (BGR reflectance, warm: less blue than red) under the painting's own
# light, taken as white moved LIGHT_WARMTH of the way to the skin's colour (the skin is the
# light times its own warmer colour, so all of it would tint the teeth orange), at TEETH_LIFT
# times the palette's teeth brightness: 1.2 times the skin's highlight (the palette keeps its
# teeth at 0.86 of it), since dimmer teeth with the skin's warmth read as grey next to it. In
# the driver videos the brightest tenth of an open mouth showing teeth is 1.10-1.22 times the
# cheeks' median brightness (d10, d14, d19, talking_man); at 1.16 the drawn mouths were
# 0.63-1.01 of it, after the interior's shading.
IVORY = np.array([0.85, 0.95, 1.0])
LIGHT_WARMTH = 0.3
TEETH_LIFT = 1.4
TEETH_MAX = 240.0  # no channel brighter: teeth never glow
TEETH_MAX_SATURATION = 0.2  # (max - min) / max of the teeth's colour at most
_LUMA = LUMA_BGR


def drawn_teeth_colour(skin: np.ndarray, teeth: np.ndarray, tone: Tone | None) -> np.ndarray:
    """The drawn teeth's colour (BGR float, read-only): a warm ivory in the light of a face
    whose skin is `skin`, as bright as TEETH_LIFT times the palette's `teeth`, held to the
    face's own colours (`tone`), so a grayscale painting's teeth stay grey and a sepia print's
    sepia. The palette's teeth, half desaturated highlight pulled into the face's colours, read
    grey next to warm skin (grey-green on the Pearl Earring)."""
    light = skin / max(float(skin @ _LUMA), 1.0)
    colour = IVORY * ((1.0 - LIGHT_WARMTH) + LIGHT_WARMTH * light)
    colour *= TEETH_LIFT * float(teeth @ _LUMA) / max(float(colour @ _LUMA), 1e-6)
    colour = _under_cap(colour)
    # Teeth are never as saturated as skin: warmed by a very orange skin (Grace Hopper's blue
    # is 0.41 of her red) the ivory came out beige, which the mouth's shadow made khaki.
    top = float(colour.max())
    spread = (top - float(colour.min())) / max(top, 1e-6)
    if spread > TEETH_MAX_SATURATION:
        grey = float(colour @ _LUMA)
        colour = grey + (colour - grey) * (TEETH_MAX_SATURATION / spread)
    if tone is not None:
        colour = _under_cap(tone.clamp(colour))  # the clamp may move a channel over the cap
    colour.setflags(write=False)  # shared by every frame of the face
    return colour


def _under_cap(colour: np.ndarray) -> np.ndarray:
    """`colour` scaled as a whole so that no channel is brighter than TEETH_MAX."""
    return colour * min(1.0, TEETH_MAX / max(float(colour.max()), 1e-6))
