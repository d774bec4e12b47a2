"""Piecewise-affine image warp of one region, driven by moving mesh vertices.

Built once per rig: a Delaunay triangulation of the source vertices and a coarse grid over the
region. Per frame the moved triangles are rasterised onto that grid (scanline runs, with a depth
order so the nearer surface wins where the mesh folds), each grid point gets its exact
piecewise-affine source position, and the coarse map is upsampled and applied with one
`cv2.remap`. Vertices on
the region's outer ring never move, so the warp is exactly zero at the region's border and every
pixel outside the region is left untouched.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import cv2
import numpy as np
from scipy.spatial import Delaunay

# Slack, in grid cells, for the row and column bounds: a cell on an edge that two triangles
# share belongs to both, so float error never leaves a crack.
_EDGE = 1e-4


@dataclass(frozen=True, slots=True)
class Region:
    x0: int
    y0: int
    x1: int
    y1: int

    @property
    def width(self) -> int:
        return self.x1 - self.x0

    @property
    def height(self) -> int:
        return self.y1 - self.y0

    @property
    def slices(self) -> tuple[slice, slice]:
        return slice(self.y0, self.y1), slice(self.x0, self.x1)


@lru_cache(maxsize=4)
def _map_buffer(size: tuple[int, int]) -> np.ndarray:
    """A scratch map for one grid size, reused frame after frame (fresh multi-megabyte arrays
    cost page faults every time) and shared, so twenty rigs do not hold twenty."""
    w, h = size
    return np.empty((h, w, 2), np.float32)


def _slope(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """dx/dy of each edge a -> b; 0 for a level edge (it spans no row, so it is never used)."""
    dy = b[:, 1] - a[:, 1]
    return np.divide(b[:, 0] - a[:, 0], dy, out=np.zeros_like(dy), where=dy != 0)


@dataclass(frozen=True, slots=True)
class _Grid:
    """Where a map is sampled: cell (i, j) sits at image position origin + step * (i, j)."""

    origin: np.ndarray  # (2,) float64, image position of cell (0, 0)
    step: int
    width: int
    height: int
    cells: np.ndarray  # (height, width, 2) float32: each cell's own position (the identity map)

    @classmethod
    def over(cls, origin: tuple[float, float], step: int, width: int, height: int) -> _Grid:
        at = np.asarray(origin, np.float64)
        cells = np.empty((height, width, 2), np.float32)
        cells[..., 0] = at[0] + step * np.arange(width)
        cells[..., 1] = (at[1] + step * np.arange(height))[:, None]
        return cls(at, step, width, height, cells)


class MeshWarp:
    """Warps `region` of an image so that `source_points` move to given target points."""

    def __init__(
        self,
        source_points: np.ndarray,
        region: Region,
        grid_long_side: int = 128,
    ) -> None:
        self.source = source_points.astype(np.float32)
        self.region = region
        self.triangulation = Delaunay(self.source.astype(np.float64))
        # Each triangle's source corner 0 and its two edges from it, in the triangulation's
        # order: they never change, so frames only pick them in depth order.
        tri_source = self.source[self.triangulation.simplices].astype(np.float64)
        self._tri_source = np.stack(
            [
                tri_source[:, 0],
                tri_source[:, 1] - tri_source[:, 0],
                tri_source[:, 2] - tri_source[:, 0],
            ],
            axis=1,
        )  # (T, 3, 2)
        # Grid cells of a whole number of pixels, so that upsampling by that factor puts every
        # cell centre exactly where cv2.resize expects it; plus one cell of margin all round,
        # so the region lies between the outermost centres and is interpolated everywhere
        # (resize holds values flat beyond them). Margin cells are never inside a triangle and
        # keep their own position: the map upsamples to exactly the identity there.
        step = max(1, int(round(max(region.width, region.height) / grid_long_side)))
        self.step = step
        grid_w = int(np.ceil((region.width - (step + 1) / 2) / step)) + 2
        grid_h = int(np.ceil((region.height - (step + 1) / 2) / step)) + 2
        origin = (region.x0 - step + (step - 1) / 2, region.y0 - step + (step - 1) / 2)
        self._grid = _Grid.over(origin, step, grid_w, grid_h)

    @property
    def grid_w(self) -> int:
        return self._grid.width

    @property
    def grid_h(self) -> int:
        return self._grid.height

    @property
    def grid(self) -> np.ndarray:
        """(grid_h, grid_w, 2): each coarse cell's own position (the identity map)."""
        return self._grid.cells

    def source_map(self, target_points: np.ndarray, in_region: bool = False) -> np.ndarray:
        """Full-resolution (H, W, 2) map over the region: where each output pixel samples, in
        image pixels, or with `in_region` in the region's own (for sampling a region crop).

        The returned array is a view of a shared buffer, overwritten by the next call for a
        grid of the same size: use it before warping again.

        `target_points` is (V, 2) or (V, 3); with a depth column, where the moved mesh folds
        over itself the nearer surface wins (a turning head hides its far cheek).
        """
        grid = self._grid
        coarse = self._map_on(target_points, grid)
        if in_region:  # on the coarse grid: a few thousand cells, not the whole region
            coarse -= (float(self.region.x0), float(self.region.y0))
        s = self.step
        full = _map_buffer((grid.width * s, grid.height * s))
        cv2.resize(
            coarse, (grid.width * s, grid.height * s), dst=full, interpolation=cv2.INTER_LINEAR
        )
        return full[s : s + self.region.height, s : s + self.region.width]

    def _map_on(
        self, target_points: np.ndarray, grid: _Grid, only_near: bool = False
    ) -> np.ndarray:
        """The exact map on `grid`; `only_near`: rasterise only the moved triangles that reach
        the grid (a small box: most of the mesh's 900 triangles are far from it)."""
        target = np.asarray(target_points, dtype=np.float64)
        tris, tri_source = self.triangulation.simplices, self._tri_source
        if only_near:
            a, b, c = (target[tris[:, i], :2] for i in range(3))
            lo, hi = np.minimum(np.minimum(a, b), c), np.maximum(np.maximum(a, b), c)
            first = grid.origin - grid.step
            last = grid.origin + grid.step * np.array([grid.width, grid.height])
            near = np.all((hi >= first) & (lo <= last), axis=1)
            tris, tri_source = tris[near], tri_source[near]
        return _rasterised_map(tris, tri_source, target, grid)

    def sharpen(
        self,
        source_map: np.ndarray,
        target_points: np.ndarray,
        box: tuple[int, int, int, int],
        in_region: bool = False,
    ) -> None:
        """Make `source_map` (as `source_map` returned it, same `in_region`) exact at every
        pixel of `box` (x0, y0, x1, y1 in the region's pixels), in place.

        The coarse map is interpolated between its cells, which smooths over a fold: where
        two parts of the mesh meet from apart (lips pressed shut over a painted open mouth),
        the cells either side of the seam sample the two lips and the pixels between them
        sample what lay between (the teeth), a stripe a cell wide. Exact per pixel, the seam
        is a line.
        """
        x0, y0, x1, y1 = box
        if x1 <= x0 or y1 <= y0:
            return
        r = self.region
        # Cell (0, 0) is the pixel before the box, a margin cell as on the coarse grid.
        grid = _Grid.over((r.x0 + x0 - 1, r.y0 + y0 - 1), 1, x1 - x0 + 2, y1 - y0 + 2)
        exact = self._map_on(target_points, grid, only_near=True)
        if in_region:
            exact -= (float(r.x0), float(r.y0))
        source_map[y0:y1, x0:x1] = exact[1:-1, 1:-1]

    def remap(self, image: np.ndarray, source_map: np.ndarray) -> np.ndarray:
        """The region of `image` warped by `source_map` (region-sized BGR)."""
        return cv2.remap(image, source_map, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)


# A straight numeric kernel (one pass of vectorised rasterising, per-frame hot path): kept in
# one piece over the 60-line guideline, since splitting it would only pass arrays around.
def _rasterised_map(
    tris: np.ndarray, tri_source: np.ndarray, target: np.ndarray, grid: _Grid
) -> np.ndarray:
    """Exact piecewise-affine inverse on the grid, by rasterising the moved triangles.

    Scanline order: each triangle's grid rows span its long edge on one side and its two
    short edges on the other; every cell of a row's run gets its source point by one affine
    step along the row. Only cells inside a triangle are ever touched.
    """
    tgt = (target[:, :2] - grid.origin) / grid.step  # grid coordinates
    if target.shape[1] > 2:
        # Far triangles first, so the nearer surface overwrites where the mesh folds.
        z = target[:, 2]
        depth = z[tris[:, 0]] + z[tris[:, 1]] + z[tris[:, 2]]
        order = np.argsort(-depth, kind="stable")
        tris, tri_source = tris[order], tri_source[order]
    corners = tgt[tris]  # (T, 3, 2)
    e1 = corners[:, 1] - corners[:, 0]
    e2 = corners[:, 2] - corners[:, 0]
    det = e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]
    usable = np.abs(det) > 1e-9  # a collapsed triangle covers nothing
    if not usable.all():
        corners, e1, e2, det, tri_source = (v[usable] for v in (corners, e1, e2, det, tri_source))
    # The source point as an affine function of the grid position: src = s0 + sx*x + sy*y.
    inv = 1.0 / det
    d1, d2 = tri_source[:, 1], tri_source[:, 2]
    sx = d1 * (e2[:, 1] * inv)[:, None] - d2 * (e1[:, 1] * inv)[:, None]
    sy = d2 * (e1[:, 0] * inv)[:, None] - d1 * (e2[:, 0] * inv)[:, None]
    s0 = tri_source[:, 0] - sx * corners[:, 0, :1] - sy * corners[:, 0, 1:]
    # Vertices top to bottom (ties as a stable sort orders them: first lowest on top, last
    # highest at the bottom; a triangle with all three level has collapsed and is gone).
    ys = corners[:, :, 1]
    i_top = ys.argmin(axis=1)
    i_bot = 2 - ys[:, ::-1].argmax(axis=1)
    i_mid = 3 - i_top - i_bot
    n = np.arange(len(corners))
    top, mid, bot = corners[n, i_top], corners[n, i_mid], corners[n, i_bot]
    long_slope = _slope(top, bot)
    upper_slope = _slope(top, mid)
    lower_slope = _slope(mid, bot)
    params = np.stack(
        [top[:, 0], top[:, 1], mid[:, 0], mid[:, 1], bot[:, 1], long_slope, upper_slope,
         lower_slope, s0[:, 0], s0[:, 1], sx[:, 0], sx[:, 1], sy[:, 0], sy[:, 1]],
    )  # fmt: skip

    # Every (triangle, row) pair: the run of cells between its edges.
    y_lo = np.maximum(np.ceil(top[:, 1] - _EDGE), 0).astype(np.int32)
    y_hi = np.minimum(np.floor(bot[:, 1] + _EDGE), grid.height - 1).astype(np.int32)
    rows = np.maximum(y_hi - y_lo + 1, 0)
    tri_of = np.repeat(np.arange(len(corners), dtype=np.int32), rows)
    y = np.arange(len(tri_of), dtype=np.int32) - np.repeat(np.cumsum(rows) - rows, rows)
    y += np.repeat(y_lo, rows)
    xt, yt, xm, ym, yb, sl, su, sd, s0x, s0y, sxx, sxy, syx, syy = np.take(params, tri_of, 1)
    yf = y.astype(np.float64)
    # Each edge is followed only within its own rows: a nearly flat edge has a huge slope,
    # and the slack row beyond its end must not throw its x across the grid.
    x_long = xt + np.clip(yf - yt, 0.0, yb - yt) * sl
    x_short = np.where(
        yf < ym,
        xt + np.clip(yf - yt, 0.0, ym - yt) * su,
        xm + np.clip(yf - ym, 0.0, yb - ym) * sd,
    )
    x_lo = np.maximum(np.ceil(np.minimum(x_long, x_short) - _EDGE), 0)
    x_hi = np.minimum(np.floor(np.maximum(x_long, x_short) + _EDGE), grid.width - 1)
    run = np.maximum(x_hi - x_lo + 1, 0).astype(np.int32)
    at_x = (s0x + sxx * x_lo + syx * yf).astype(np.float32)
    at_y = (s0y + sxy * x_lo + syy * yf).astype(np.float32)

    # Every cell of every run.
    first = (np.cumsum(run) - run).astype(np.int32)
    cell = np.arange(int(run.sum()), dtype=np.int32)
    k = (cell - np.repeat(first, run)).astype(np.float32)  # position along its run
    cell += np.repeat(y * np.int32(grid.width) + x_lo.astype(np.int32) - first, run)
    values = np.empty((len(cell), 2), np.float32)
    values[:, 0] = np.repeat(at_x, run) + np.repeat(sxx.astype(np.float32), run) * k
    values[:, 1] = np.repeat(at_y, run) + np.repeat(sxy.astype(np.float32), run) * k
    out = grid.cells.copy()
    # Each cell's (x, y) pair moved as one 8-byte item: a third of the time of row indexing.
    out.view(np.complex64).reshape(-1)[cell] = values.view(np.complex64).reshape(-1)
    return out
