"""The disk cache of detected faces: keys, round trip, bad files and the size bound."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from kiosk.renderer import rig_cache
from kiosk.renderer.rig_cache import cache_key, load_faces, prune, save_faces
from kiosk.tracking.face_mesh import DetectedFace


def _face(seed: int) -> DetectedFace:
    points = np.random.default_rng(seed).uniform(0, 100, (478, 3)).astype(np.float32)
    x0, y0 = points[:, :2].min(axis=0)
    x1, y1 = points[:, :2].max(axis=0)
    return DetectedFace(points, (float(x0), float(y0), float(x1), float(y1)))


def _image(value: int = 7) -> np.ndarray:
    return np.full((12, 10, 3), value, np.uint8)


def test_key_depends_on_pixels_shape_choice_and_engine_version(monkeypatch) -> None:
    key = cache_key(_image(), "largest", 0)
    assert key == cache_key(_image().copy(), "largest", 0)
    assert len(key) == 64
    assert key != cache_key(_image(8), "largest", 0)
    assert key != cache_key(_image().reshape(10, 12, 3), "largest", 0)
    assert key != cache_key(_image(), "index", 0)
    assert key != cache_key(_image(), "largest", 1)
    monkeypatch.setattr(rig_cache, "ENGINE_VERSION", "geometric-999")
    assert key != cache_key(_image(), "largest", 0)


def test_key_of_a_non_contiguous_view_matches_its_copy() -> None:
    image = np.arange(20 * 20 * 3, dtype=np.uint8).reshape(20, 20, 3)
    view = image[::2, 1:]
    assert cache_key(view, "all", 0) == cache_key(view.copy(), "all", 0)


def test_round_trip(tmp_path: Path) -> None:
    faces = [_face(1), _face(2)]
    key = cache_key(_image(), "all", 0)
    assert load_faces(tmp_path, key) is None
    save_faces(tmp_path / "new", key, faces)
    loaded = load_faces(tmp_path / "new", key)
    assert loaded is not None and len(loaded) == 2
    for got, want in zip(loaded, faces, strict=True):
        np.testing.assert_array_equal(got.landmarks, want.landmarks)
        assert got.landmarks.dtype == np.float32
        assert got.box == pytest.approx(want.box)
    assert not [p for p in (tmp_path / "new").iterdir() if p.suffix == ".tmp"]


def test_no_face_is_cached_as_an_empty_list(tmp_path: Path) -> None:
    key = cache_key(_image(), "largest", 0)
    save_faces(tmp_path, key, [])
    assert load_faces(tmp_path, key) == []


@pytest.mark.parametrize("content", [b"", b"not a zip file", None])
def test_bad_entries_are_misses(tmp_path: Path, content: bytes | None) -> None:
    key = cache_key(_image(), "largest", 0)
    path = tmp_path / f"{rig_cache.PREFIX}{key}{rig_cache.SUFFIX}"
    if content is None:  # readable, but the wrong shapes
        np.savez(path, landmarks=np.zeros((1, 10, 3), np.float32), boxes=np.zeros((1, 4)))
    else:
        path.write_bytes(content)
    assert load_faces(tmp_path, key) is None


def test_keys_must_be_hex(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        load_faces(tmp_path, "../escape")


def test_prune_keeps_the_most_recently_used(tmp_path: Path) -> None:
    keys = [cache_key(_image(v), "largest", 0) for v in range(5)]
    for i, key in enumerate(keys):
        save_faces(tmp_path, key, [_face(i)])
        path = tmp_path / f"{rig_cache.PREFIX}{key}{rig_cache.SUFFIX}"
        os.utime(path, ns=(i * 10**9, i * 10**9))
    (tmp_path / "unrelated.npz").write_bytes(b"x")
    assert load_faces(tmp_path, keys[0]) is not None  # a hit makes it the newest
    assert prune(tmp_path, max_entries=3) == 2
    assert load_faces(tmp_path, keys[0]) is not None
    assert load_faces(tmp_path, keys[1]) is None
    assert load_faces(tmp_path, keys[2]) is None
    assert (tmp_path / "unrelated.npz").exists()


def test_save_trims_to_the_bound(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(rig_cache, "MAX_ENTRIES", 2)
    for v in range(4):
        save_faces(tmp_path, cache_key(_image(v), "largest", 0), [])
    assert len(list(tmp_path.glob("faces-*.npz"))) <= 2
