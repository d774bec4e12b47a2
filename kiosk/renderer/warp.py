"""Piecewise-affine image warp of one region, driven by moving mesh vertices.

Built once per rig: a Delaunay triangulation of the source vertices and, for a coarse grid over
the region, each grid point's triangle and barycentric weights. Per frame: vertex displacements
give a forward displacement field on that grid (one gather), which is inverted by a damped
fixed-point iteration, upsampled to full resolution and applied with one `cv2.remap`. Vertices on
the region's outer ring never move, so the warp is exactly zero at the region's border and every
pixel outside the region is left untouched.
"""

from __future__ import annotations

from dataclasses import dataclass

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


class MeshWarp:
    """Warps `region` of an image so that `source_points` move to given target points."""

    def __init__(
        self,
        source_points: np.ndarray,
        region: Region,
        grid_long_side: int = 192,
        iterations: int = 10,
        damping: float = 0.7,
    ) -> None:
        self.source = source_points.astype(np.float32)
        self.region = region
        self.iterations = iterations
        self.damping = damping
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
        pts = self.grid.reshape(-1, 2).astype(np.float64)
        simplex = self.triangulation.find_simplex(pts)
        inside = simplex >= 0
        simplex = np.where(inside, simplex, 0)
        tr = self.triangulation.transform[simplex]
        b = np.einsum("nij,nj->ni", tr[:, :2], pts - tr[:, 2])
        weights = np.concatenate([b, 1.0 - b.sum(axis=1, keepdims=True)], axis=1)
        weights[~inside] = 0.0
        self._vertex_index = self.triangulation.simplices[simplex]  # (G, 3)
        self._weights = weights.astype(np.float32)  # (G, 3)
        self.inside_mask = inside.reshape(self.grid_h, self.grid_w)

    def source_map(self, target_points: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Full-resolution (map_x, map_y) over the region: where each output pixel samples."""
        disp = (target_points - self.source).astype(np.float32)
        forward = np.einsum("gk,gkc->gc", self._weights, disp[self._vertex_index])
        forward = forward.reshape(self.grid_h, self.grid_w, 2)
        y = self.grid
        x = y - forward
        origin = np.array([self.region.x0, self.region.y0], dtype=np.float32)
        half = 0.5 * self._scale - 0.5
        for _ in range(self.iterations):
            grid_pos = (x - origin - half) / self._scale  # source position -> grid coordinates
            f_at_x = cv2.remap(
                forward, grid_pos[..., 0], grid_pos[..., 1], cv2.INTER_LINEAR,
                borderMode=cv2.BORDER_CONSTANT, borderValue=0,
            )  # fmt: skip
            x = x + self.damping * (y - x - f_at_x)
        # Exactly the identity outside the mesh, whatever the iteration did there.
        x = np.where(self.inside_mask[..., None], x, y)
        full = cv2.resize(x, (self.region.width, self.region.height), interpolation=cv2.INTER_LINEAR)
        return full[..., 0], full[..., 1]

    def apply(self, image: np.ndarray, target_points: np.ndarray) -> np.ndarray:
        """The warped region (region-sized BGR array) of `image`."""
        map_x, map_y = self.source_map(target_points)
        return cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
