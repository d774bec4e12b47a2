"""The face's fine texture survives the warp: smooth layer warped bilinearly, the texture snapped
towards the nearer pixel and given back its strength, continuously, and the two add up to the
still painting exactly."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from kiosk.config import EngineConfig
from kiosk.evaluation.looks import detail_ratio
from kiosk.exhibits.samples import ensure_sample_content
from kiosk.exhibits.schema import Animation as ExhibitAnimation
from kiosk.renderer.detail import (
    TEXTURE_ZERO,
    smooth_where_stretched,
    split_texture,
    warp_textured,
)
from kiosk.renderer.engine import Animation, GeometricEngine, animation_for
from kiosk.renderer.warp import Region


def grain(h: int = 120, w: int = 160) -> np.ndarray:
    rng = np.random.default_rng(5)
    noise = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    base = cv2.GaussianBlur(noise, (0, 0), 6.0)
    return cv2.addWeighted(base, 1.0, noise, 0.25, -32.0)


OUTLINE = np.array([[50.0, 30.0], [120.0, 30.0], [120.0, 100.0], [50.0, 100.0]])
REGION = Region(20, 10, 150, 115)


def identity(region: Region) -> np.ndarray:
    xx, yy = np.meshgrid(np.arange(region.width), np.arange(region.height))
    return np.stack([xx, yy], axis=-1).astype(np.float32)


def energy(image: np.ndarray) -> float:
    grey = cv2.cvtColor(image, cv2.COLOR_BGR2GRAY).astype(np.float32)
    return float(np.mean((grey - cv2.GaussianBlur(grey, (0, 0), 1.0))[25:85, 40:90] ** 2))


def test_smooth_and_texture_add_up_to_the_painting_and_unmoved_it_is_the_painting() -> None:
    image = (grain() * np.array([0.55, 0.8, 1.0])).astype(np.uint8)  # a warm, brown face
    split = split_texture(image, REGION, OUTLINE, iod=40.0)
    toned = cv2.LUT(cv2.merge([split.texture] * 3), split.toned).astype(np.int16) - TEXTURE_ZERO
    assert np.array_equal(split.smooth.astype(np.int16) + toned, image[REGION.slices])
    assert np.array_equal(warp_textured(split, identity(REGION)), image[REGION.slices])
    # The texture is laid into blue, green and red in the face's proportion, not alike.
    spread = np.abs(toned[..., 2]).sum() / max(np.abs(toned[..., 0]).sum(), 1)
    assert 1.6 < spread < 2.0
    # Away from the face there is no texture layer: the smooth layer is the painting there.
    assert np.array_equal(split.smooth[:5], image[REGION.slices][:5])


def test_a_half_pixel_shift_keeps_the_texture_a_bilinear_warp_loses() -> None:
    image = grain()
    split = split_texture(image, REGION, OUTLINE, iod=40.0)
    shifted = identity(REGION) + np.float32(0.5)
    plain = cv2.remap(image[REGION.slices], shifted, None, cv2.INTER_LINEAR)
    kept = warp_textured(split, shifted)
    still = energy(image[REGION.slices])
    # White noise is the hardest case: part of its finest energy lies in the smooth layer (and
    # in its colour, which the luma texture does not hold), which the bilinear warp still
    # halves. The bilinear warp alone keeps a seventh.
    assert energy(plain) < 0.2 * still
    assert energy(kept) > 0.4 * still


def test_the_texture_moves_continuously_never_by_a_whole_pixel_at_once() -> None:
    """A face creeping sideways by 1/32 pixel a frame changes its pixels a little at each
    frame; the nearest pixel would hold them and then jump (a shimmer on a still visitor)."""
    image = grain()
    split = split_texture(image, REGION, OUTLINE, iod=40.0)
    frames = [
        warp_textured(split, identity(REGION) + np.float32(k / 32)).astype(np.int16)
        for k in range(33)
    ]
    whole_pixel = np.abs(frames[32] - frames[0]).mean()
    steps = [np.abs(b - a).mean() for a, b in zip(frames, frames[1:], strict=False)]
    assert max(steps) < 0.1 * whole_pixel  # the nearest pixel: two jumps of 0.18 of it
    assert min(steps) >= 0.0 and sum(steps) >= 0.9 * whole_pixel


def test_round_the_lips_the_texture_moves_with_every_fraction_of_a_pixel() -> None:
    """Snapped, a texture holds still through most of each pixel (then moves across the rest):
    a mouth opening by fractions of a pixel would move in small steps. Round the lips it is
    resampled plainly, so a tenth of a pixel moves it there as it moves the smooth layer;
    elsewhere on the face it holds."""
    image = grain()
    split = split_texture(image, REGION, OUTLINE, iod=40.0)
    lips = (55.0, 60.0, 75.0, 68.0)  # region pixels
    still = warp_textured(split, identity(REGION), lips=lips)
    assert np.array_equal(still, image[REGION.slices])  # unmoved, it is the painting
    nudged = identity(REGION) + np.float32(3 / 32)
    smooth = cv2.remap(split.smooth, nudged, None, cv2.INTER_LINEAR).astype(np.int16)
    plain = cv2.remap(image[REGION.slices], nudged, None, cv2.INTER_LINEAR).astype(np.int16)
    out = warp_textured(split, nudged, lips=lips).astype(np.int16)
    on_lips, cheek = (slice(60, 68), slice(56, 74)), (slice(25, 45), slice(40, 90))
    # On the lips: the plain bilinear warp's texture, to rounding.
    assert np.abs(out - plain)[on_lips].max() <= 2
    # On the cheek the snapped texture has not moved: the still texture on the moved smooth.
    texture = image[REGION.slices].astype(np.int16) - split.smooth
    assert np.abs(out - (smooth + texture))[cheek].max() <= 2
    # Without the lips, their texture holds still too.
    held = warp_textured(split, nudged).astype(np.int16)
    assert np.abs(held - (smooth + texture))[on_lips].max() <= 2
    assert np.abs(held - plain)[on_lips].mean() > 0.5


def test_where_the_warp_stretches_the_face_its_texture_fades_out() -> None:
    """Skin stretched to twice its length (below a jaw that drops) loses its fine folds: there
    the face is its smooth layer alone; unstretched above, the texture is all there. So with
    the plain bilinear warp too."""
    image = grain()
    split = split_texture(image, REGION, OUTLINE, iod=40.0)
    stretched = identity(REGION)
    seam = 50  # region rows: rows below it sample the rows below the seam at half the pace
    stretched[seam:, :, 1] = seam + (stretched[seam:, :, 1] - seam) / 2
    whole = (0, 0, REGION.width, REGION.height)  # the lower face: all of it here
    out = warp_textured(split, stretched, whole).astype(np.int16)
    smooth = cv2.remap(split.smooth, stretched, None, cv2.INTER_LINEAR).astype(np.int16)
    texture = np.abs(out - smooth)
    face = np.zeros(texture.shape[:2], bool)
    face[25:78, 45:85] = True  # inside the outline, away from where its texture fades out
    below, above = face.copy(), face.copy()
    below[: seam + 10] = False
    above[seam - 10 :] = False
    assert texture[above].mean() > 5.0
    assert texture[below].max() <= 1
    # The bilinear warp of the painting (engine.sharp_texture off) has its texture taken out
    # there too, down to the smooth layer.
    in_image = stretched + np.array([REGION.x0, REGION.y0], np.float32)
    plain = cv2.remap(image, in_image, None, cv2.INTER_LINEAR)
    before = plain.copy()
    smooth_where_stretched(plain, split, in_image, (REGION.x0, REGION.y0), whole)
    assert np.abs(plain.astype(np.int16) - smooth)[below].max() <= 2
    assert np.array_equal(plain[above], before[above])
    # Only the lower face fades (the lips, and the skin the jaw's drop stretches): a lid or a
    # cheek stretched by a turn keeps its texture.
    above_the_seam = (0, 0, REGION.width, seam - 20)
    out = warp_textured(split, stretched, above_the_seam).astype(np.int16)
    assert np.abs(out - smooth)[below].mean() > 5.0
    # The same stretch by a fifth keeps the texture (a smile stretches the cheeks that much).
    gentle = identity(REGION)
    gentle[seam:, :, 1] = seam + (gentle[seam:, :, 1] - seam) / 1.2
    out = warp_textured(split, gentle, whole).astype(np.int16)
    smooth = cv2.remap(split.smooth, gentle, None, cv2.INTER_LINEAR).astype(np.int16)
    assert np.abs(out - smooth)[below].mean() > 5.0


def test_the_fade_ends_softly_at_the_edge_of_the_lower_face() -> None:
    """The skin just beyond the lower face is often stretched as much as the skin inside it:
    the texture taken out falls away towards the box's edge, not in one straight step."""
    image = grain()
    split = split_texture(image, REGION, OUTLINE, iod=40.0)
    stretched = identity(REGION)
    seam = 50
    stretched[seam:, :, 1] = seam + (stretched[seam:, :, 1] - seam) / 2
    in_image = stretched + np.array([REGION.x0, REGION.y0], np.float32)
    plain = cv2.remap(image, in_image, None, cv2.INTER_LINEAR)
    before = plain.copy()
    edge = 85  # the lower face ends at this column of the region
    smooth_where_stretched(plain, split, in_image, (REGION.x0, REGION.y0), (0, 0, edge, 115))
    taken = np.abs(plain.astype(np.int16) - before).mean(axis=2)[seam + 10 : 78]
    per_column = taken.mean(axis=0)
    deep, at_edge = per_column[edge - 35 : edge - 25].mean(), per_column[edge - 3 : edge].mean()
    assert deep > 3.0
    assert at_edge < 0.5 * deep, (at_edge, deep)
    assert per_column[edge:].max() == 0


def test_a_grayscale_face_stays_grayscale_when_its_texture_moves() -> None:
    grey = cv2.cvtColor(cv2.cvtColor(grain(), cv2.COLOR_BGR2GRAY), cv2.COLOR_GRAY2BGR)
    split = split_texture(grey, REGION, OUTLINE, iod=40.0)
    moved = warp_textured(split, identity(REGION) + np.float32(0.4))
    assert int((moved.max(axis=2).astype(np.int16) - moved.min(axis=2)).max()) == 0


def test_a_portrait_keeps_its_texture_under_small_motions(tmp_path: Path) -> None:
    ensure_sample_content(tmp_path)
    image = cv2.imread(str(tmp_path / "samples" / "grace_hopper.jpg"))
    engine = GeometricEngine()
    try:
        rig = engine.build_rig(image)
        assert detail_ratio(engine, rig) < 0.8  # the bilinear warp alone (the default)
        assert detail_ratio(engine, rig, Animation(sharp_texture=True)) >= 0.9
    finally:
        engine.close()


def test_config_turns_the_sharp_texture_on_and_it_is_off_by_default() -> None:
    exhibit = ExhibitAnimation()
    assert animation_for(exhibit, EngineConfig()).sharp_texture is False
    assert animation_for(exhibit, EngineConfig(sharp_texture=True)).sharp_texture is True
