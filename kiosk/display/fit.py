"""Fitting a painting to the screen: aspect preserved, letterboxed, centred."""

from __future__ import annotations


def fit_rect(image_wh: tuple[int, int], screen_wh: tuple[int, int]) -> tuple[int, int, int, int]:
    """(x, y, w, h) of `image_wh` scaled to fit inside `screen_wh`, centred."""
    iw, ih = image_wh
    sw, sh = screen_wh
    if iw <= 0 or ih <= 0 or sw <= 0 or sh <= 0:
        raise ValueError(f"sizes must be positive, got image {image_wh} and screen {screen_wh}")
    scale = min(sw / iw, sh / ih)
    w = min(sw, max(1, round(iw * scale)))
    h = min(sh, max(1, round(ih * scale)))
    return (sw - w) // 2, (sh - h) // 2, w, h
