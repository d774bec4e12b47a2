"""The face's fine texture (craquelure, film grain, brush marks) kept sharp through the warp.

A bilinear warp averages neighbouring pixels wherever it samples between them, which is almost
everywhere once the face moves: at a small head turn the Pearl Earring kept 40 % of its fine
texture's energy. Cubic or Lanczos resampling keep more but cost two to ten times the remap,
which the frame budget cannot pay. Instead the face is split once, when the rig is built, into
a smooth layer (warped bilinearly as before: it has little fine to lose) and its fine texture,
the luma's detail (laid into each channel in the face's own proportion, so a sepia print stays
sepia), which is resampled so that it keeps its strength:

- each pixel samples the texture with its sub-pixel fraction pushed towards the nearer texture
  pixel (`SNAP`), so most pixels take one texture pixel whole and only those within a sixth of
  a pixel of half way blend two; unlike the nearest pixel this is continuous, so a face moving
  by a hundredth of a pixel moves its texture by a few hundredths, never by a whole pixel (a
  whole-pixel step made the tracked output jitter 0.36 px on a still visitor);
- what blending still loses is given back by a gain per fraction: the energy two averaged
  texture pixels keep, from the texture's own correlation between neighbours (`_sampling`).

Round the lips the texture is resampled as plainly as the rest of the warp (`LIPS_PAD`,
fading in again over `LIPS_RAMP`). Snapped, the texture of a lip's edge holds still through
most of each pixel and then moves across the rest, so a mouth opening by fractions of a pixel
(a visitor talking quietly) moves in small steps; the tracker of kiosk eval read the mouth's
opening less well for it (cross-reenactment mouth 0.920 snapped everywhere, 0.923 with the
lips plain, against 0.924 without the sharp texture; 98 pairs).

Both are tables over OpenCV's fixed-point fractions (1/32 pixel), one row per strength of the
snapping (`_SNAPPING`): the texture's resampling is two look-ups in them, one remap of a single
channel and one more table that tones it into the three channels, about 2 ms a frame for the
1080p sample's face on a 2-core PC (why `engine.sharp_texture` is off by default). Smooth plus
texture is the painting exactly, so a face that does not move is the still painting to the
level.

Where the warp stretches the lower face (the lips and the skin between them and the chin as
the jaw drops, the corners of a wide-open mouth), the texture fades out (`STRETCH_FULL`,
`STRETCH_NONE`), with the sharp texture and in the plain bilinear warp alike
(`smooth_where_stretched`): stretched skin loses its fine folds, and a wrinkle or crack pulled
to twice its length is a streak, not the painting's texture. The tracker saw it so too: under
the old woman's stretched wrinkles her open mouth read as closed. Elsewhere a stretch is a head
turn bringing a cheek round, or a lid the lid drawing covers: the texture stays.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from kiosk.renderer.warp import Region

Box = tuple[int, int, int, int]  # x0, y0, x1, y1
Bounds = tuple[float, float, float, float]  # x0, y0, x1, y1

TEXTURE_SIGMA = 1.5  # px: what a Gaussian of this sigma removes is the texture
# The texture layer fades out over this many inter-ocular distances beyond the face outline,
# so nothing shows where it ends.
FADE_IOD = 0.12
# A sub-pixel fraction f samples the texture at 0.5 + SNAP * (f - 0.5), clipped to 0..1: the
# blend of two texture pixels is confined to the middle 1/SNAP of a pixel.
SNAP = 3.0
# The snapping's strengths, from none (row 0 of the tables) to SNAP (the last row): the lips'
# surroundings take the ones between.
SNAP_LEVELS = 8
# Round the lips' box the texture is resampled plainly this far (in mouth widths), and snaps
# fully again this much further out.
LIPS_PAD = 0.1
LIPS_RAMP = 0.2
# How far the warp stretches the face at a pixel: the smallest singular value of the map's
# Jacobian (source pixels per output pixel, the least in any direction; 1: not stretched).
# The texture is kept whole down to STRETCH_FULL and fades out to none at STRETCH_NONE
# (stretched by 1.7x). Over the lower face, kiosk eval's small motions (a 3 degree turn, a 2
# degree nod or tilt, a faint smile) reach 0.86 at the least on its 14 portraits, none fades;
# a 3 degree turn the other way takes a tenth of the Pearl Earring's texture at the top edge of
# her lower face, a 15 degree turn reaches 0.80 in the median portrait.
STRETCH_FULL = 0.85
STRETCH_NONE = 0.6
_STRETCH_STEP = 6  # px between the points the stretch is measured at (the warp's grid step)
_EDGE_CELLS = 3  # cells over which the fade ends at the lower face's edges
_TAB = 32  # OpenCV's fixed-point remap: fractions in 1/32 pixel (INTER_TAB_SIZE)
_GAIN_ONE = 256  # the gains are held as int16 in 1/256
TEXTURE_ZERO = 128  # the texture is held as bytes around this level (no change)


@dataclass(frozen=True, slots=True)
class TextureSplit:
    """One face's region, split into a smooth layer and the fine texture over the face."""

    smooth: np.ndarray  # region-sized uint8 BGR: the painting without the face's texture
    # Region-sized uint8, one channel, TEXTURE_ZERO = none: the painting minus `smooth` (in
    # every channel alike). Region-sized (not box-sized) so the warp's map indexes both layers
    # alike; bytes, because OpenCV remaps them fastest.
    texture: np.ndarray
    box: tuple[slice, slice]  # rows and columns of the region where there is texture
    # cv2.LUT's table laying the texture into each channel in the face's own proportion.
    toned: np.ndarray  # (256, 1, 3) uint8
    # Row k, column c: the texture's gain in 1/256 at OpenCV's fixed-point fraction code c
    # (32 * row fraction + column fraction) once snapped at strength k (`_SNAPPING`).
    gain: np.ndarray  # (SNAP_LEVELS, 1024) int16


def split_texture(
    image: np.ndarray, region: Region, outline: np.ndarray, iod: float
) -> TextureSplit:
    """Split `region` of `image`; `outline`: the face's outline (image pixels), where the
    texture is kept (fading out beyond it)."""
    crop = image[region.slices]
    h, w = crop.shape[:2]
    box, weight = _texture_box(outline[:, :2] - (region.x0, region.y0), (w, h), iod)
    painted = crop[box].astype(np.int16)
    luma = cv2.cvtColor(crop[box], cv2.COLOR_BGR2GRAY).astype(np.float32)
    fine = (luma - cv2.GaussianBlur(luma, (0, 0), TEXTURE_SIGMA)) * weight
    tone = _tone(painted, luma, weight)
    # Within what every channel can give up and take back (a level to spare for rounding),
    # so that smooth (the painting minus the toned texture) needs no clipping and the two add
    # up to the painting.
    low = ((painted - 254) / tone).max(axis=2)
    high = ((painted - 1) / tone).min(axis=2)
    fine = np.clip(np.round(np.clip(fine, low, high)), -TEXTURE_ZERO, 255 - TEXTURE_ZERO)
    texture = np.full((h, w), TEXTURE_ZERO, np.uint8)
    texture[box] = (fine + TEXTURE_ZERO).astype(np.uint8)
    toned = _toning_table(tone)
    smooth = crop.copy()
    smooth[box] = painted - cv2.LUT(cv2.merge([texture[box]] * 3), toned) + TEXTURE_ZERO
    return TextureSplit(smooth=smooth, texture=texture, box=box, toned=toned, gain=_sampling(fine))


def _texture_box(
    local: np.ndarray, size: tuple[int, int], iod: float
) -> tuple[tuple[slice, slice], np.ndarray]:
    """The rows and columns around the outline `local` (region pixels) that get a texture, and
    its weight there: 1 inside the outline, fading to 0 beyond it."""
    w, h = size
    fade = max(1.0, FADE_IOD * iod)
    pad = int(np.ceil(3.0 * fade)) + 1
    x0, y0 = np.maximum(np.floor(local.min(axis=0)).astype(int) - pad, 0)
    x1, y1 = np.minimum(np.ceil(local.max(axis=0)).astype(int) + pad + 1, (w, h))
    box = (slice(int(y0), int(y1)), slice(int(x0), int(x1)))
    mask = np.zeros((h, w), np.uint8)
    cv2.fillPoly(mask, [np.round(local).astype(np.int32)], 255)
    return box, cv2.GaussianBlur(mask[box].astype(np.float32) * (1 / 255), (0, 0), fade)


def _tone(painted: np.ndarray, luma: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Each channel's share of the face's brightness, (3,): the texture (of the luma) is laid
    into each channel in this proportion, so a sepia face keeps its brown and a grayscale one
    its grey (1, 1, 1)."""
    total = max(float(np.sum(luma * weight)), 1e-6)
    tone = np.array([float(np.sum(painted[..., c] * weight)) / total for c in range(3)])
    if np.allclose(tone, tone.mean(), atol=1 / 256):  # grey: exactly alike in every channel
        tone[:] = 1.0
    return np.clip(tone, 1 / 16, 4.0)


def _toning_table(tone: np.ndarray) -> np.ndarray:
    """cv2.LUT's (256, 1, 3) table that scales a texture byte about TEXTURE_ZERO by `tone`."""
    level = np.arange(256, dtype=np.float64)[:, None] - TEXTURE_ZERO
    table = np.clip(np.round(level * tone[None, :]) + TEXTURE_ZERO, 0, 255)
    return table.astype(np.uint8)[:, None, :]


def _snapped_fractions(level: int) -> np.ndarray:
    """(_TAB,) the fraction (in 1/_TAB pixel) each fixed-point fraction samples the texture at,
    snapping at strength `level` (0: none, SNAP_LEVELS - 1: SNAP)."""
    snap = 1.0 + (SNAP - 1.0) * level / (SNAP_LEVELS - 1)
    steps = np.arange(_TAB)
    return np.clip(np.round((steps / _TAB - 0.5) * snap * _TAB + _TAB / 2), 0, _TAB - 1)


def _snapping_table() -> np.ndarray:
    """(SNAP_LEVELS, _TAB * _TAB) uint16: row k holds, for each fixed-point fraction code, the
    code to sample the texture at, snapping at strength k (row 0: the code itself)."""
    rows = [_snapped_fractions(k) for k in range(SNAP_LEVELS)]
    return np.array([(to[:, None] * _TAB + to[None, :]).reshape(-1) for to in rows], np.uint16)


_SNAPPING = _snapping_table()


def _sampling(fine: np.ndarray) -> np.ndarray:
    """The gain table (`TextureSplit.gain`) that gives a blend of two texture pixels the energy
    of one, fully at the full snapping, none (1) where the texture is resampled plainly. Two
    pixels of variance 1 and correlation rho, mixed (1 - f) : f, keep
    (1 - f)^2 + f^2 + 2 f (1 - f) rho of it."""
    t = fine.astype(np.float64)
    power = max(float(np.mean(t * t)), 1e-9)
    rho_x = float(np.mean(t[:, 1:] * t[:, :-1])) / power if t.shape[1] > 1 else 1.0
    rho_y = float(np.mean(t[1:] * t[:-1])) / power if t.shape[0] > 1 else 1.0
    rows = []
    for level in range(SNAP_LEVELS):
        f = _snapped_fractions(level) / _TAB

        def kept(rho: float, f: np.ndarray = f) -> np.ndarray:
            return (1 - f) ** 2 + f**2 + 2 * f * (1 - f) * np.clip(rho, -1.0, 1.0)

        gain = 1.0 / np.sqrt(np.maximum(np.outer(kept(rho_y), kept(rho_x)), 0.25))
        share = level / (SNAP_LEVELS - 1)
        rows.append(np.round((1.0 + (gain - 1.0) * share) * _GAIN_ONE).reshape(-1))
    return np.array(rows, np.int16)


def _snap_levels(box: tuple[slice, slice], lips: Bounds | None) -> np.ndarray:
    """How strongly each pixel of `box` snaps (int16 rows of the tables): fully, except round
    `lips` (region pixels; module docstring)."""
    rows, cols = box
    levels = np.full((rows.stop - rows.start, cols.stop - cols.start), SNAP_LEVELS - 1, np.int16)
    if lips is None:
        return levels
    x0, y0, x1, y1 = lips
    width = max(float(x1 - x0), 1.0)
    pad, ramp = LIPS_PAD * width, LIPS_RAMP * width
    part, ramps = [], []
    for lo, hi, span in ((y0, y1, rows), (x0, x1, cols)):
        a = max(int(np.floor(lo - pad - ramp)), span.start)
        b = min(int(np.ceil(hi + pad + ramp)) + 1, span.stop)
        if b <= a:
            return levels
        at = np.arange(a, b, dtype=np.float32)
        ramp_to = np.clip(np.maximum(lo - pad - at, at - hi - pad) / ramp, 0.0, 1.0)
        ramps.append(np.round(ramp_to * (SNAP_LEVELS - 1)).astype(np.int16))
        part.append(slice(a - span.start, b - span.start))
    # (Rounded before the outer maximum: the same levels, a tenth of the time.)
    levels[part[0], part[1]] = np.maximum.outer(ramps[0], ramps[1])
    return levels


def warp_textured(
    split: TextureSplit,
    local_map: np.ndarray,
    lower_face: Box | None = None,
    lips: Bounds | None = None,
) -> np.ndarray:
    """The region warped by `local_map` ((H, W, 2) float32, in region pixels): the smooth
    layer bilinearly, the texture snapped and given back its strength (module docstring),
    added to each channel; within `lower_face` (region pixels), faded where it is stretched;
    round `lips` (the lips' box, region pixels), resampled plainly."""
    warped = cv2.remap(
        split.smooth, local_map, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    box = split.box
    whole, fraction = cv2.convertMaps(local_map[box], None, cv2.CV_16SC2)
    # Both tables looked up by a nearest-pixel remap of them (x: the fraction code, y: the
    # strength): OpenCV's look-up tables take bytes only, and numpy's indexing is slower.
    at = cv2.merge([fraction.view(np.int16), _snap_levels(box, lips)])
    codes = cv2.remap(_SNAPPING, at, None, cv2.INTER_NEAREST)
    gain = cv2.remap(split.gain, at, None, cv2.INTER_NEAREST)
    texture = cv2.remap(split.texture, whole, codes, cv2.INTER_LINEAR,
                        borderMode=cv2.BORDER_CONSTANT, borderValue=TEXTURE_ZERO)  # fmt: skip
    # Gained about TEXTURE_ZERO in int16, back to bytes, and added to each channel: OpenCV's
    # byte arithmetic is three times faster than adding int16 to bytes.
    texture = cv2.subtract(texture, TEXTURE_ZERO, dtype=cv2.CV_16S)
    stretched = _stretched(local_map[box], box, lower_face)
    if stretched is not None:
        part, kept = stretched
        gain[part] = cv2.multiply(gain[part], kept, dtype=cv2.CV_16S)
    texture = _toned(cv2.multiply(texture, gain, scale=1 / _GAIN_ONE), split)
    warped[box] = cv2.addWeighted(warped[box], 1.0, texture, 1.0, -float(TEXTURE_ZERO))
    return warped


def _toned(texture: np.ndarray, split: TextureSplit) -> np.ndarray:
    """A texture in levels (int16, 0 = no change) as uint8 BGR about TEXTURE_ZERO, laid into
    each channel in the face's own proportion."""
    return cv2.LUT(cv2.merge([cv2.add(texture, TEXTURE_ZERO, dtype=cv2.CV_8U)] * 3), split.toned)


def smooth_where_stretched(
    warped: np.ndarray,
    split: TextureSplit,
    source_map: np.ndarray,
    origin: tuple[int, int],
    lower_face: Box | None,
) -> None:
    """The bilinear warp's counterpart of the fade in `warp_textured`: where `source_map`
    (image pixels, region-sized) stretches the face within `lower_face` (region pixels), the
    texture it carried into `warped` (the region warped from the painting) is taken out again,
    leaving the smooth layer: the texture is remapped over the stretched part only."""
    box = split.box
    in_box = source_map[box]
    stretched = _stretched(in_box, box, lower_face)
    if stretched is None:
        return
    part, kept = stretched
    # (OpenCV's subtract: numpy's broadcasting over this strided view takes 15 times longer.)
    local = cv2.subtract(in_box[part], (float(origin[0]), float(origin[1]), 0.0, 0.0))
    texture = cv2.remap(split.texture, local, None, cv2.INTER_LINEAR,
                        borderMode=cv2.BORDER_CONSTANT, borderValue=TEXTURE_ZERO)  # fmt: skip
    gone = cv2.multiply(cv2.subtract(texture, TEXTURE_ZERO, dtype=cv2.CV_16S),
                        1.0 - kept, dtype=cv2.CV_16S)  # fmt: skip
    toned = _toned(gone, split)
    region = warped[box][part]
    region[...] = cv2.addWeighted(region, 1.0, toned, -1.0, float(TEXTURE_ZERO))


def _stretched(
    in_box: np.ndarray, box: tuple[slice, slice], within: Box | None
) -> tuple[tuple[slice, slice], np.ndarray] | None:
    """Where the map `in_box` (the map over `box`) stretches the face inside `within` (region
    pixels): the part of the box (rows, columns of it) around the stretched cells, a cell more
    all round, and how much of the texture to keep over it (float32, 0..1); None if nothing
    there is stretched enough to fade."""
    if within is None:
        return None
    rows, cols = box
    x0, y0 = max(within[0] - cols.start, 0), max(within[1] - rows.start, 0)
    x1, y1 = (
        min(within[2] - cols.start, in_box.shape[1]),
        min(within[3] - rows.start, in_box.shape[0]),
    )
    if x1 <= x0 or y1 <= y0:
        return None
    coarse = _kept_coarse(in_box[y0:y1, x0:x1])
    if coarse is None:
        return None
    # The fade ends softly at the edges of `within`, falling to none over its outer cells: the
    # skin just outside is often stretched as much, and cut off there it showed as a straight
    # edge of smoothed skin beside the mouth's corners.
    coarse = 1.0 - (1.0 - coarse) * _edge_window(coarse.shape)
    cell_rows, cell_cols = np.nonzero(coarse < 1.0)
    if cell_rows.size == 0:  # a fade too faint to survive rounding
        return None
    step = _STRETCH_STEP
    r0, c0 = max(int(cell_rows.min()) - 1, 0), max(int(cell_cols.min()) - 1, 0)
    r1, c1 = int(cell_rows.max()) + 2, int(cell_cols.max()) + 2
    part = (slice(y0 + r0 * step, min(y1, y0 + r1 * step)),
            slice(x0 + c0 * step, min(x1, x0 + c1 * step)))  # fmt: skip
    size = (part[1].stop - part[1].start, part[0].stop - part[0].start)
    return part, cv2.resize(coarse[r0:r1, c0:c1], size, interpolation=cv2.INTER_LINEAR)


def _edge_window(shape: tuple[int, ...]) -> np.ndarray:
    """(rows, cols) float32 weights, 1 inside and falling to 1 / (n + 1) in the outermost cells
    (n: up to `_EDGE_CELLS`, a quarter of the cells across at most)."""
    ramps = []
    for count in shape[:2]:
        n = max(1, min(_EDGE_CELLS, count // 4))
        index = np.arange(count)
        from_edge = np.minimum(index, count - 1 - index) + 1  # 1 in the outermost cell
        ramps.append(np.minimum(from_edge / (n + 1), 1.0).astype(np.float32))
    return np.minimum.outer(ramps[0], ramps[1])


def _kept_coarse(local_map: np.ndarray) -> np.ndarray | None:
    """How much of the texture to keep (float32, 0..1, from how far the map stretches there)
    over the cells between every `_STRETCH_STEP`th pixel of `local_map` (the map is smooth
    between the warp's grid cells); None where nothing is stretched enough to fade it."""
    h, w = local_map.shape[:2]
    step = _STRETCH_STEP
    if h < 2 * step or w < 2 * step:
        return None
    # Differences between neighbouring points, each cell's (between four points) the mean of
    # its two edges': the map's Jacobian [[a, b], [c, d]] over the cell.
    coarse = local_map[::step, ::step]
    across = (coarse[:, 1:] - coarse[:, :-1]) * np.float32(1 / step)
    down = (coarse[1:] - coarse[:-1]) * np.float32(1 / step)
    dx = across[1:] + across[:-1]
    dy = down[:, 1:] + down[:, :-1]
    a, c, b, d = (v * np.float32(0.5) for v in (dx[..., 0], dx[..., 1], dy[..., 0], dy[..., 1]))
    # The smaller singular value of the Jacobian.
    total = a * a + b * b + c * c + d * d
    det = a * d - b * c
    least = np.sqrt(np.maximum(total - np.sqrt(np.maximum(total**2 - 4 * det**2, 0)), 0) / 2)
    kept = np.clip((least - STRETCH_NONE) / (STRETCH_FULL - STRETCH_NONE), 0.0, 1.0)
    return kept.astype(np.float32) if (kept < 1.0).any() else None
