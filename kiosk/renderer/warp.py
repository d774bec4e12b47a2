"""Piecewise-affine image warp of one region, driven by moving mesh vertices.

Built once per rig: a Delaunay triangulation of the source vertices and a coarse grid over the
region. Per frame the moved triangles are rasterised onto that grid (vectorised, with a depth
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
def _identity_map(region: Region) -> np.ndarray:
    """(H, W, 2) pixel coordinates of a region. Shared and few: only the paintings on screen
    need theirs, and each is megabytes."""
    xs = np.arange(region.x0, region.x1, dtype=np.float32)
    ys = np.arange(region.y0, region.y1, dtype=np.float32)
    ident = np.empty((region.height, region.width, 2), np.float32)
    ident[..., 0] = xs[None, :]
    ident[..., 1] = ys[:, None]
    ident.setflags(write=False)
    return ident


@lru_cache(maxsize=4)
def _map_buffers(size: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
    """Scratch arrays for one region size, reused frame after frame (fresh multi-megabyte
    arrays cost page faults every time) and shared, so twenty rigs do not hold twenty sets."""
    w, h = size
    return np.empty((h, w, 2), np.float32), np.empty((h, w, 2), np.float32)


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
        step = max(1.0, max(region.width, region.height) / grid_long_side)
        self.grid_w = max(2, int(round(region.width / step)))
        self.grid_h = max(2, int(round(region.height / step)))
        # Grid points at the pixel-centre positions cv2.resize assumes when upsampling.
        sx = region.width / self.grid_w
        sy = region.height / self.grid_h
        gx = region.x0 + (np.arange(self.grid_w) + 0.5) * sx - 0.5
        gy = region.y0 + (np.arange(self.grid_h) + 0.5) * sy - 0.5
        self._scale = np.array([sx, sy], dtype=np.float32)
        xx, yy = np.meshgrid(gx, gy)
        self.grid = np.stack([xx, yy], axis=-1).astype(np.float32)  # (gh, gw, 2)

    def source_map(self, target_points: np.ndarray) -> np.ndarray:
        """Full-resolution (H, W, 2) map over the region: where each output pixel samples.

        The returned array is a shared buffer, overwritten by the next call for a region of
        the same size: use it before warping again.

        `target_points` is (V, 2) or (V, 3); with a depth column, where the moved mesh folds
        over itself the nearer surface wins (a turning head hides its far cheek).
        """
        coarse = self._coarse_map(np.asarray(target_points, dtype=np.float64))
        # Upsample the displacement, not the absolute map: cv2.resize holds values flat beyond
        # the outermost grid centres, which is harmless for a displacement that is zero there
        # but would smear the identity map along the region's border.
        size = (self.region.width, self.region.height)
        shift, source_map = _map_buffers(size)
        cv2.resize(coarse - self.grid, size, dst=shift, interpolation=cv2.INTER_LINEAR)
        cv2.add(shift, _identity_map(self.region), dst=source_map)
        return source_map

    def _coarse_map(self, target: np.ndarray) -> np.ndarray:
        """Exact piecewise-affine inverse on the grid, by rasterising the moved triangles."""
        origin = np.array([self.region.x0, self.region.y0], dtype=np.float64)
        half = 0.5 * self._scale - 0.5
        tgt = (target[:, :2] - origin - half) / self._scale  # grid coordinates
        tris = self.triangulation.simplices
        if target.shape[1] > 2:
            # Far triangles first, so the nearer surface overwrites where the mesh folds.
            tris = tris[np.argsort(-target[tris, 2].mean(axis=1), kind="stable")]
        corners = tgt[tris]  # (T, 3, 2)
        lo = np.maximum(np.floor(corners.min(axis=1)), 0)
        hi = np.minimum(np.ceil(corners.max(axis=1)), [self.grid_w - 1, self.grid_h - 1])
        bw = np.maximum(hi[:, 0] - lo[:, 0] + 1, 0).astype(np.int32)
        bh = np.maximum(hi[:, 1] - lo[:, 1] + 1, 0).astype(np.int32)
        e1 = corners[:, 1] - corners[:, 0]
        e2 = corners[:, 2] - corners[:, 0]
        det = e1[:, 0] * e2[:, 1] - e1[:, 1] * e2[:, 0]
        usable = np.abs(det) > 1e-9
        inv = np.where(usable, 1.0 / np.where(usable, det, 1.0), 0.0)
        count = np.where(usable, bw * bh, 0)
        src = self.source[tris].astype(np.float64)  # (T, 3, 2)
        # Per-triangle values, one contiguous row each; np.repeat hands every candidate cell its
        # triangle's values (far cheaper than fancy-index gathers on this hot path).
        params = np.stack(
            [lo[:, 0], lo[:, 1], corners[:, 0, 0], corners[:, 0, 1],
             e2[:, 1] * inv, -e2[:, 0] * inv, -e1[:, 1] * inv, e1[:, 0] * inv,
             src[:, 0, 0], src[:, 1, 0] - src[:, 0, 0], src[:, 2, 0] - src[:, 0, 0],
             src[:, 0, 1], src[:, 1, 1] - src[:, 0, 1], src[:, 2, 1] - src[:, 0, 1]],
        ).astype(np.float32)  # fmt: skip
        first = np.repeat((np.cumsum(count) - count).astype(np.int32), count)
        local = np.arange(len(first), dtype=np.int32) - first
        width = np.repeat(bw, count)
        row = local // width
        cx = np.repeat(params[0], count) + (local - row * width)
        cy = np.repeat(params[1], count) + row
        dx = cx - np.repeat(params[2], count)
        dy = cy - np.repeat(params[3], count)
        b1 = dx * np.repeat(params[4], count) + dy * np.repeat(params[5], count)
        b2 = dx * np.repeat(params[6], count) + dy * np.repeat(params[7], count)
        inside = (b1 >= -1e-4) & (b2 >= -1e-4) & (b1 + b2 <= 1.0001)
        tri_of = np.repeat(np.arange(len(tris), dtype=np.int32), count)[inside]
        b1, b2 = b1[inside], b2[inside]
        cell = cy[inside].astype(np.int64) * self.grid_w + cx[inside].astype(np.int64)
        out = self.grid.reshape(-1, 2).copy()
        sp = np.take(params[8:], tri_of, axis=1)  # (6, K) source affine terms
        out[cell, 0] = sp[0] + sp[1] * b1 + sp[2] * b2
        out[cell, 1] = sp[3] + sp[4] * b1 + sp[5] * b2
        return out.reshape(self.grid_h, self.grid_w, 2)

    def apply(self, image: np.ndarray, target_points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(the warped region of `image`, region-sized BGR; the source map that made it, for
        layers that must follow the same warp, e.g. the eyeballs)."""
        source_map = self.source_map(target_points)
        warped = cv2.remap(
            image, source_map, None, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )
        return warped, source_map
