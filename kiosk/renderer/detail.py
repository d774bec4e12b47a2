"""The face's fine texture (craquelure, film grain, brush marks) kept sharp through the warp.

A bilinear warp averages neighbouring pixels wherever it samples between them, which is almost
everywhere once the face moves: at a small head turn the Pearl Earring kept 40 % of its fine
texture's energy. Cubic or Lanczos resampling keep more but cost two to ten times the remap,
which the frame budget cannot pay. Instead the face is split once, when the rig is built, into
a smooth layer (warped bilinearly as before: it has nothing fine to lose) and its fine texture
(moved with the nearest pixel, which keeps every stroke at full strength). Smooth plus texture
is the painting exactly, so a face that does not move is the still painting to the level.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from kiosk.renderer.warp import Region

TEXTURE_SIGMA = 1.0  # px: what a Gaussian of this sigma removes is the texture
# The texture layer fades out over this many inter-ocular distances beyond the face outline,
# so nothing shows where it ends.
FADE_IOD = 0.12
TEXTURE_ZERO = 128  # the texture is held as bytes around this level (no change)


@dataclass(frozen=True, slots=True)
class TextureSplit:
    """One face's region, split into a smooth layer and the fine texture over the face."""

    smooth: np.ndarray  # region-sized uint8 BGR: the painting without the face's texture
    # Region-sized uint8 BGR, TEXTURE_ZERO = none: the painting minus `smooth`. Region-sized
    # (not box-sized) so the warp's map indexes both layers alike.
    texture: np.ndarray
    box: tuple[slice, slice]  # rows and columns of the region where there is texture


def split_texture(
    image: np.ndarray, region: Region, outline: np.ndarray, iod: float
) -> TextureSplit:
    """Split `region` of `image`; `outline`: the face's outline (image pixels), where the
    texture is kept (fading out beyond it)."""
    crop = image[region.slices]
    h, w = crop.shape[:2]
    local = outline[:, :2] - (region.x0, region.y0)
    fade = max(1.0, FADE_IOD * iod)
    pad = int(np.ceil(3.0 * fade)) + 1
    x0, y0 = np.maximum(np.floor(local.min(axis=0)).astype(int) - pad, 0)
    x1, y1 = np.minimum(np.ceil(local.max(axis=0)).astype(int) + pad + 1, (w, h))
    box = (slice(int(y0), int(y1)), slice(int(x0), int(x1)))
    mask = np.zeros((h, w), np.uint8)
    cv2.fillPoly(mask, [np.round(local).astype(np.int32)], 255)
    weight = cv2.GaussianBlur(mask[box].astype(np.float32) * (1 / 255), (0, 0), fade)
    painted = crop[box].astype(np.float32)
    fine = (painted - cv2.GaussianBlur(painted, (0, 0), TEXTURE_SIGMA)) * weight[..., None]
    fine = np.clip(np.round(fine), 1 - TEXTURE_ZERO, 255 - TEXTURE_ZERO)
    # Smooth is the painting minus the texture, so that the two add up to it exactly.
    smooth = crop.copy()
    smooth[box] = np.clip(painted - fine, 0, 255).astype(np.uint8)
    texture = np.full_like(crop, TEXTURE_ZERO)
    texture[box] = (painted - smooth[box] + TEXTURE_ZERO).astype(np.uint8)
    return TextureSplit(smooth=smooth, texture=texture, box=box)


def warp_textured(split: TextureSplit, local_map: np.ndarray) -> np.ndarray:
    """The region warped by `local_map` ((H, W, 2) float32, in region pixels): the smooth
    layer bilinearly, the texture by the nearest pixel, added."""
    warped = cv2.remap(
        split.smooth, local_map, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    box = split.box
    texture = cv2.remap(
        split.texture, local_map[box], None, cv2.INTER_NEAREST,
        borderMode=cv2.BORDER_CONSTANT, borderValue=(TEXTURE_ZERO,) * 3,
    )  # fmt: skip
    warped[box] = cv2.addWeighted(warped[box], 1.0, texture, 1.0, -float(TEXTURE_ZERO))
    return warped
