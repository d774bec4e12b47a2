"""The face's fine texture survives the warp: smooth layer warped bilinearly, texture moved by
the nearest pixel, and the two add up to the still painting exactly."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from kiosk.config import EngineConfig
from kiosk.evaluation.looks import detail_ratio
from kiosk.exhibits.samples import ensure_sample_content
from kiosk.exhibits.schema import Animation as ExhibitAnimation
from kiosk.renderer.detail import TEXTURE_ZERO, split_texture, warp_textured
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
    image = grain()
    split = split_texture(image, REGION, OUTLINE, iod=40.0)
    total = split.smooth.astype(np.int16) + split.texture - TEXTURE_ZERO
    assert np.array_equal(total, image[REGION.slices])
    assert np.array_equal(warp_textured(split, identity(REGION)), image[REGION.slices])
    # Away from the face there is no texture layer: the smooth layer is the painting there.
    assert np.array_equal(split.smooth[:5], image[REGION.slices][:5])


def test_a_half_pixel_shift_keeps_the_texture_a_bilinear_warp_loses() -> None:
    image = grain()
    split = split_texture(image, REGION, OUTLINE, iod=40.0)
    shifted = identity(REGION) + np.float32(0.5)
    plain = cv2.remap(image[REGION.slices], shifted, None, cv2.INTER_LINEAR)
    kept = warp_textured(split, shifted)
    still = energy(image[REGION.slices])
    # White noise is the hardest case: a third of its finest energy lies in the smooth layer,
    # which the bilinear warp still halves. The bilinear warp alone keeps a seventh.
    assert energy(plain) < 0.2 * still
    assert energy(kept) > 0.4 * still


def test_a_portrait_keeps_its_texture_under_small_motions(tmp_path: Path) -> None:
    ensure_sample_content(tmp_path)
    image = cv2.imread(str(tmp_path / "samples" / "grace_hopper.jpg"))
    engine = GeometricEngine()
    try:
        rig = engine.build_rig(image)
        assert detail_ratio(engine, rig) < 0.8  # the bilinear warp alone (sharp_texture off)
        assert detail_ratio(engine, rig, Animation(sharp_texture=True)) >= 0.9
    finally:
        engine.close()


def test_config_turns_the_sharp_texture_on_and_it_is_off_by_default() -> None:
    exhibit = ExhibitAnimation()
    assert animation_for(exhibit, EngineConfig()).sharp_texture is False
    assert animation_for(exhibit, EngineConfig(sharp_texture=True)).sharp_texture is True
