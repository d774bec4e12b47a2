"""The visitor's own inner mouth laid into the painting's lips (Averbuch-Elor et al. 2017,
"Bringing Portraits to Life"): the patch the tracker cut from the camera frame
(kiosk.tracking.mouth_patch) is re-lit and re-coloured to the painting, warped into the target
inner-lip outline, softened to the paint's softness and given its grain.

Matching, per patch pixel:
- brightness: relative to the visitor's own skin, carried over to the painting's skin (an
  under-exposed camera mouth on a bright painting is lit as brightly as a well-exposed one),
  deepened (DEPTH_GAMMA: a camera lights the mouth from the front, a painted mouth is a dark
  opening), lifted to the painting's cavity level at black and rolled off under its teeth level
  at the top, so teeth never glow;
- colour: the painting's own interior colours by brightness (its tongue's, its teeth's), plus
  half of how far each pixel departs from the mouth's mean colour, then pulled into the face's
  own range of colours (tone.Tone.clamp): a grayscale painting stays grayscale, a sepia one
  sepia;
- light: the painting's light across the mouth and the shadow under the upper lip, as the drawn
  interior has them.

Only `draw_mouth_interior` calls the painter made here (`visitor_interior`), inside its
feathered outline coverage, so nothing outside the inner lips changes.
"""

from __future__ import annotations

from functools import lru_cache, partial

import cv2
import numpy as np

from kiosk.renderer.face_rig import MouthPalette
from kiosk.renderer.mouth import LIGHT_ACROSS, InteriorPainter, with_grain
from kiosk.renderer.tone import LUMA_BGR, tone_of
from kiosk.tracking.mouth_patch import PATCH_H, PATCH_W, MouthPatch, patch_coordinates

_LUMA = LUMA_BGR.astype(np.float32)
TOP_KNEE = 0.75  # above this fraction of the teeth's level, brightness rolls off towards it
DEPTH_GAMMA = 2.2  # brightness relative to the skin, raised to this power
LIP_SHADOW = 0.5  # how much darker the interior is right under the upper lip
# How much of its departure from the mouth's mean colour a pixel keeps. The mean itself is not
# kept: it carries the camera's colour cast (a cold light made lilac tongues on the Pearl).
CHROMA_KEPT = 0.5


def matched_patch(patch: MouthPatch, palette: MouthPalette) -> np.ndarray:
    """The patch's pixels (float32 BGR) re-lit and re-coloured to the painting."""
    px = patch.pixels.reshape(-1, 3).astype(np.float32)
    luma = px @ _LUMA
    skin_luma = max(float(patch.skin @ _LUMA), 1.0)
    # Relative to the skin, with the mid-tones deepened: a camera lights the mouth from the
    # front, a painted or photographed mouth is a darker opening.
    relative = np.minimum(luma * np.float32(1.0 / skin_luma), np.float32(1.5))
    relit = np.float32(palette.skin @ _LUMA) * relative**DEPTH_GAMMA
    floor = float(palette.cavity @ _LUMA)
    top = max(float(palette.teeth @ _LUMA), floor + 1.0)
    relit = np.float32(floor) + relit * np.float32(1.0 - floor / top)  # black -> the cavity
    knee = TOP_KNEE * top
    over = np.maximum(relit - np.float32(knee), 0.0)
    relit = np.minimum(relit, np.float32(knee)) + np.float32(top - knee) * np.tanh(
        over * np.float32(1.0 / (top - knee))
    )
    # Colour as each channel's share of the sum: the painting's own interior colours by
    # brightness (its tongue's in the dark and mid-tones, its teeth's towards the top), plus
    # part of each pixel's departure from the mouth's mean colour (teeth whiter than tongue),
    # then held within the face's own colours.
    shares = px / np.maximum(px.sum(axis=1, keepdims=True), np.float32(1.0))
    shares -= shares.mean(axis=0)
    shares *= np.float32(CHROMA_KEPT)
    tongue, teeth = float(palette.tongue @ _LUMA), float(palette.teeth @ _LUMA)
    whiteness = np.clip((relit - np.float32(tongue)) / np.float32(max(teeth - tongue, 1.0)), 0, 1)
    # The teeth at half the palette's tint: a visitor's teeth fill a gap the drawn ones only
    # edge, and a tinted band that size reads as green or yellow paint, not teeth.
    tongue_shares = _shares(palette.tongue)
    teeth_shares = 1.0 / 3.0 + 0.5 * (_shares(palette.teeth) - 1.0 / 3.0)
    shares += tongue_shares + whiteness[:, None] * (teeth_shares - tongue_shares)
    np.maximum(shares, np.float32(1e-3), out=shares)
    relit *= _depth_and_light(palette.light).ravel()
    tone = palette.tone if palette.tone is not None else tone_of(palette.skin[None])
    colour = tone.clamp(shares)  # keeps each pixel's sum, not its luma: set that
    colour *= (relit / np.maximum(colour @ _LUMA, 1e-6))[:, None]
    return colour.reshape(patch.pixels.shape).astype(np.float32)


@lru_cache(maxsize=8)
def _depth_and_light(light: float) -> np.ndarray:
    """(PATCH_H, PATCH_W) brightness factors in the painting's light: the shadow the upper lip
    casts, the corners turning away, the lit side (as the drawn interior has them), so a
    camera's flat front light reads as the painting's."""
    t = -1.0 + (2.0 * np.arange(PATCH_W) + 1.0) / PATCH_W
    s = ((np.arange(PATCH_H) + 0.5) / PATCH_H)[:, None]
    under_lip = 1.0 - LIP_SHADOW * np.exp(-s / 0.18)
    corners = 1.0 - 0.4 * np.clip((np.abs(t) - 0.4) / 0.6, 0.0, 1.0) ** 2
    side = np.clip(1.0 + LIGHT_ACROSS * light * t, 0.5, 1.5)
    return (under_lip * (corners * side)).astype(np.float32)


def _shares(colour: np.ndarray) -> np.ndarray:
    colour = np.asarray(colour, dtype=np.float64)
    return colour / max(float(colour.sum()), 1.0)


def paint_visitor_mouth(
    patch: MouthPatch,
    upper: np.ndarray,
    lower: np.ndarray,
    box: tuple[int, int, int, int],
    width: float,
    palette: MouthPalette,
    gap: float,
    teeth: bool = True,
) -> np.ndarray:
    """The visitor's mouth over `box` (uint8 BGR), the lips `upper`/`lower` in the box's
    pixels (an `InteriorPainter`; `width`, `gap` and `teeth` are not needed: the patch has
    the visitor's own teeth, and the painting's own, if any, go over them)."""
    column, row = patch_coordinates(upper, lower, box)
    colour = cv2.remap(
        matched_patch(patch, palette), column, row, cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_REPLICATE,
    )  # fmt: skip
    if palette.softness > 0.3:
        colour = cv2.GaussianBlur(colour, (0, 0), palette.softness)
    return np.clip(with_grain(colour, palette) + 0.5, 0, 255).astype(np.uint8)


def visitor_interior(patch: MouthPatch) -> InteriorPainter:
    """The painter `draw_mouth_interior` takes, laying this patch into the lips."""
    return partial(paint_visitor_mouth, patch)
