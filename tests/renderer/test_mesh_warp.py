"""MeshWarp: the piecewise-affine warp of one region, on synthetic meshes (identity, a shift,
and the scanline rasteriser against testing every grid cell against every moved triangle)."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from kiosk.renderer.warp import MeshWarp, Region


def abs_diff(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.abs(a.astype(np.int16) - b.astype(np.int16)).max(axis=2)


def _synthetic_warp() -> tuple[MeshWarp, np.ndarray]:
    rng = np.random.default_rng(5)
    region = Region(10, 20, 310, 220)
    corners = np.array([[10, 20], [309, 20], [10, 219], [309, 219]], float)
    inner = rng.uniform([40, 50], [280, 190], size=(40, 2))
    warp = MeshWarp(np.concatenate([corners, inner]), region, grid_long_side=64)
    image = rng.integers(0, 256, (240, 320, 3), dtype=np.uint8)
    image = cv2.GaussianBlur(image, (0, 0), 3)
    return warp, image


def test_mesh_warp_identity_inside_the_region() -> None:
    warp, image = _synthetic_warp()
    r = warp.region
    source = warp.source_map(warp.source)
    map_x, map_y = source[..., 0], source[..., 1]
    assert map_x.shape == (r.height, r.width)
    yy, xx = np.mgrid[r.y0 : r.y1, r.x0 : r.x1]
    band = int(np.ceil(r.width / warp.grid_w))
    inner = (slice(band, -band), slice(band, -band))
    assert np.abs(map_x - xx)[inner].max() < 1e-3
    assert np.abs(map_y - yy)[inner].max() < 1e-3
    out = warp.remap(image, source)
    assert abs_diff(out, image[r.slices])[inner].max() <= 1


def test_mesh_warp_identity_reaches_the_region_border() -> None:
    warp, _ = _synthetic_warp()
    r = warp.region
    source = warp.source_map(warp.source)
    map_x, map_y = source[..., 0], source[..., 1]
    yy, xx = np.mgrid[r.y0 : r.y1, r.x0 : r.x1]
    assert np.abs(map_x - xx).max() < 0.05
    assert np.abs(map_y - yy).max() < 0.05


def test_mesh_warp_moves_pixels_with_the_vertices() -> None:
    warp, image = _synthetic_warp()
    target = warp.source.copy()
    target[4:] += (3.0, 0.0)  # the inner vertices move 3 px right; the corners stay
    map_x = warp.source_map(target)[..., 0]
    x = warp.region.x0 + 150  # image column of map column 150
    # Deep inside the moved hull, each output pixel samples 3 px to its left.
    assert map_x[100, 150] == pytest.approx(x - 3.0, abs=0.05)


def _inverse_map_by_brute_force(warp: MeshWarp, target: np.ndarray) -> np.ndarray:
    """Every grid cell tested against every moved triangle, later triangles winning."""
    cells = warp.grid.reshape(-1, 2).astype(np.float64)
    out = cells.copy()
    for tri in warp.triangulation.simplices:
        a, b, c = target[tri]
        e1, e2 = b - a, c - a
        det = e1[0] * e2[1] - e1[1] * e2[0]
        if abs(det) < 1e-12:
            continue
        d = cells - a
        b1 = (d[:, 0] * e2[1] - d[:, 1] * e2[0]) / det
        b2 = (d[:, 1] * e1[0] - d[:, 0] * e1[1]) / det
        inside = (b1 >= -1e-9) & (b2 >= -1e-9) & (b1 + b2 <= 1 + 1e-9)
        src = warp.source[tri].astype(np.float64)
        out[inside] = src[0] + np.outer(b1[inside], src[1] - src[0])
        out[inside] += np.outer(b2[inside], src[2] - src[0])
    return out.reshape(warp.grid.shape)


def at_grid_cells(warp: MeshWarp, target: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(what `source_map` gives at the grid cells' centres, what brute force gives there).

    With an odd grid step each cell centre falls on a pixel, where upsampling the grid leaves
    the cell's own value: the map there is the rasteriser's, exactly. The region holds every
    cell but (at most) the margin one all round, which no triangle reaches.
    """
    step = warp.step
    assert step % 2 == 1, step
    first = (step - 1) // 2
    cells = warp.source_map(target)[first::step, first::step]
    rows, cols = cells.shape[:2]
    assert rows >= warp.grid_h - 2 and cols >= warp.grid_w - 2
    expected = _inverse_map_by_brute_force(warp, target)[1 : 1 + rows, 1 : 1 + cols]
    return cells, expected


@pytest.mark.parametrize("sliver", [False, True])
def test_mesh_warp_rasteriser_matches_brute_force(sliver: bool) -> None:
    """The scanline rasteriser gives every grid cell the same source point as testing each
    cell against each moved triangle, also with a nearly flat (sliver) triangle."""
    warp, _ = _synthetic_warp()
    rng = np.random.default_rng(11)
    target = warp.source.astype(np.float64).copy()
    target[4:] += rng.normal(0.0, 2.0, (len(target) - 4, 2))
    if sliver:  # squash one inner vertex onto the line between two neighbours
        tri = next(t for t in warp.triangulation.simplices if min(t) >= 4)
        a, b = target[tri[1]], target[tri[2]]
        target[tri[0]] = a + 0.5 * (b - a) + np.array([0.0, 1e-7])
    cells, expected = at_grid_cells(warp, target)
    assert cells == pytest.approx(expected, abs=1e-3)


def test_mesh_warp_nearly_flat_edge_stays_in_its_triangle() -> None:
    """A moved triangle whose lower edge is almost level and just short of a grid row must not
    spill its (extrapolated) map across that row."""
    # Step 1 px: grid coordinate g is pixel g - 1.
    corners = np.array([[0, 0], [63, 0], [0, 63], [63, 63]], float)
    target_inner = np.array([[10.3, 5.2], [30.0, 19.99994], [12.0, 19.99995]]) - 1.0
    source_inner = target_inner + np.array([[0.0, 0.0], [3.0, 2.0], [-2.0, 4.0]])
    warp = MeshWarp(np.concatenate([corners, source_inner]), Region(0, 0, 64, 64), 64)
    assert any(set(t) == {4, 5, 6} for t in warp.triangulation.simplices)
    target = np.concatenate([corners, target_inner])
    cells, expected = at_grid_cells(warp, target)
    assert cells == pytest.approx(expected, abs=1e-2)


def _pressed_band_warp(x0: int = 0, y0: int = 0) -> tuple[MeshWarp, np.ndarray, np.ndarray]:
    """A 60x40 region at (x0, y0) with an 8 px band between two rows of vertices (an open
    mouth's teeth between two lips), and targets where the rows meet at the band's middle (lips
    pressed)."""
    xs = np.linspace(0.0, 59.0, 7)
    rows = [0.0, 8.0, 16.0, 24.0, 32.0, 39.0]
    source = np.array([[x, y] for y in rows for x in xs])
    target = source.copy()
    top, bottom = source[:, 1] == 16.0, source[:, 1] == 24.0
    target[top, 1] = target[bottom, 1] = 20.0
    shift = np.array([x0, y0], float)
    warp = MeshWarp(source + shift, Region(x0, y0, x0 + 60, y0 + 40), grid_long_side=10)
    return warp, source + shift, target + shift


def test_sharpen_leaves_no_stripe_of_what_the_pressed_band_held() -> None:
    """Interpolated between coarse cells, pixels at the seam where two rows of vertices meet
    sample the collapsed band between them (a stripe of painted teeth between shut lips);
    `sharpen` maps every pixel in its box exactly, so none does."""
    warp, _, target = _pressed_band_warp()
    inside_band = lambda m: (m[..., 1] > 16.5) & (m[..., 1] < 23.5)  # noqa: E731
    coarse = warp.source_map(target).copy()
    assert inside_band(coarse).sum() > 0  # the smear this fixes
    sharp = warp.source_map(target)
    warp.sharpen(sharp, target, (5, 10, 55, 30))
    assert inside_band(sharp[10:30, 5:55]).sum() == 0
    # Outside the box the map is as before; inside, what was exact stays (to float precision).
    outside = np.ones(coarse.shape[:2], bool)
    outside[10:30, 5:55] = False
    assert np.array_equal(sharp[outside], coarse[outside])
    rows_far = (slice(10, 14), slice(5, 55))  # 6+ px from the seam: the coarse map is exact
    assert sharp[rows_far] == pytest.approx(coarse[rows_far], abs=1e-3)


def test_sharpen_in_region_coordinates_matches_image_coordinates() -> None:
    warp, _, target = _pressed_band_warp(10, 20)
    a = warp.source_map(target).copy()
    warp.sharpen(a, target, (5, 10, 55, 30))
    b = warp.source_map(target, in_region=True).copy()
    warp.sharpen(b, target, (5, 10, 55, 30), in_region=True)
    assert np.allclose(a - (warp.region.x0, warp.region.y0), b, atol=1e-4)
