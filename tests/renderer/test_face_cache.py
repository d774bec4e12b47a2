"""The disk cache of detected faces: keys, round trip, bad entries (never blocking, never
followed out of the cache), the size bound; and the rig thread that reads it."""

from __future__ import annotations

import os
import socket
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import cv2
import matplotlib
import numpy as np
import pytest

from kiosk.renderer import face_cache, rig_store
from kiosk.renderer.face_cache import cache_key, load_faces, prune, save_faces
from kiosk.renderer.rig_store import RigRequest, RigStore, fit_image
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
    monkeypatch.setattr(face_cache, "ENGINE_VERSION", "geometric-999")
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
    path = tmp_path / f"{face_cache.PREFIX}{key}{face_cache.SUFFIX}"
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
        path = tmp_path / f"{face_cache.PREFIX}{key}{face_cache.SUFFIX}"
        os.utime(path, ns=(i * 10**9, i * 10**9))
    (tmp_path / "unrelated.npz").write_bytes(b"x")
    assert load_faces(tmp_path, keys[0]) is not None  # a hit makes it the newest
    assert prune(tmp_path, max_entries=3) == 2
    assert load_faces(tmp_path, keys[0]) is not None
    assert load_faces(tmp_path, keys[1]) is None
    assert load_faces(tmp_path, keys[2]) is None
    assert (tmp_path / "unrelated.npz").exists()


def test_save_trims_to_the_bound(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(face_cache, "MAX_ENTRIES", 2)
    for v in range(4):
        save_faces(tmp_path, cache_key(_image(v), "largest", 0), [])
    assert len(list(tmp_path.glob("faces-*.npz"))) <= 2


# -- entries that are not what the cache writes ---------------------------------------------


def _entry(cache_dir: Path, key: str) -> Path:
    return cache_dir / f"{face_cache.PREFIX}{key}{face_cache.SUFFIX}"


@pytest.fixture
def fifos() -> Iterator[list[Path]]:
    """Named pipes a test makes; at teardown a reader still blocked on one is let go (by
    opening its other end), so a failing test fails instead of leaving a thread hanging."""
    made: list[Path] = []
    yield made
    _release(made)


def _release(fifos: list[Path]) -> None:
    for path in fifos:
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:  # gone, or nobody is reading it
            pass


def _load_promptly(
    cache_dir: Path, key: str, size: tuple[int, int] | None = None
) -> list[DetectedFace] | None:
    """load_faces, run on another thread so that an entry it blocks on fails the test."""
    results: list[list[DetectedFace] | None] = []
    worker = threading.Thread(
        target=lambda: results.append(load_faces(cache_dir, key, *([size] if size else []))),
        daemon=True,
    )
    worker.start()
    worker.join(timeout=5)
    assert not worker.is_alive(), "load_faces blocked on the entry"
    return results[0]


def _zero_device(folder: Path) -> Path:
    """A device that reads as endless zeros: a private node like /dev/zero, or /dev/zero."""
    node = folder / "zero"
    try:
        os.mknod(node, stat.S_IFCHR | 0o600, os.makedev(1, 5))
    except (PermissionError, AttributeError):
        return Path("/dev/zero")
    return node


def _make_fifo(path: Path, fifos: list[Path]) -> Path:
    os.mkfifo(path)
    fifos.append(path)
    return path


def _make_socket(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(path.parent)  # a relative name: the full path is over the 108-byte limit
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(path.name)  # the socket file stays after the socket is closed


def _make_device(path: Path) -> None:
    try:
        os.mknod(path, stat.S_IFCHR | 0o600, os.makedev(1, 5))
    except PermissionError:
        pytest.skip("making a device node needs root")


# Each makes something at the entry's path; returns what must survive it (outside the cache).
MAKERS = {
    "named pipe": lambda path, outside, fifos, mp: _make_fifo(path, fifos) and None,
    "empty folder": lambda path, outside, fifos, mp: path.mkdir(),
    "socket": lambda path, outside, fifos, mp: _make_socket(path, mp),
    "device": lambda path, outside, fifos, mp: _make_device(path),
    "link to a pipe": lambda path, outside, fifos, mp: path.symlink_to(
        _make_fifo(outside / "pipe", fifos)
    ),
    "link to a zero device": lambda path, outside, fifos, mp: path.symlink_to(
        _zero_device(outside)
    ),
    "link to a folder": lambda path, outside, fifos, mp: path.symlink_to(outside),
    "dangling link": lambda path, outside, fifos, mp: path.symlink_to(outside / "missing"),
}


@pytest.mark.parametrize("kind", MAKERS)
def test_an_entry_that_is_not_a_file_is_a_miss_and_removed(
    tmp_path: Path, kind: str, fifos: list[Path], monkeypatch, caplog
) -> None:
    cache, outside = tmp_path / "cache", tmp_path / "outside"
    cache.mkdir()
    outside.mkdir()
    (outside / "keep.txt").write_text("not the cache's")
    key = cache_key(_image(), "largest", 0)
    path = _entry(cache, key)
    MAKERS[kind](path, outside, fifos, monkeypatch)
    target = Path(os.readlink(path)) if path.is_symlink() else None

    assert _load_promptly(cache, key) is None
    assert not os.path.lexists(path)  # the link itself is removed, never its target
    if target is not None and target.name != "missing":
        assert os.path.lexists(target)
    assert (outside / "keep.txt").read_text() == "not the cache's"
    warnings = [r for r in caplog.records if path.name in r.getMessage()]
    assert len(warnings) == 1 and "removed" in warnings[0].getMessage()

    save_faces(cache, key, [_face(1)])  # the rebuilt entry takes its place
    loaded = load_faces(cache, key)
    assert loaded is not None and len(loaded) == 1


def test_a_link_to_a_good_entry_elsewhere_is_not_followed(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    key = cache_key(_image(), "largest", 0)
    save_faces(elsewhere, key, [_face(1)])
    (tmp_path / "cache").mkdir()
    link = _entry(tmp_path / "cache", key)
    link.symlink_to(_entry(elsewhere, key))
    assert _load_promptly(tmp_path / "cache", key) is None
    assert not os.path.lexists(link)
    assert load_faces(elsewhere, key) is not None


def test_a_folder_with_files_in_it_is_left_alone_and_reported_once(tmp_path: Path, caplog) -> None:
    key = cache_key(_image(), "largest", 0)
    path = _entry(tmp_path, key)
    path.mkdir()
    (path / "someone's.txt").write_text("kept")
    assert _load_promptly(tmp_path, key) is None
    save_faces(tmp_path, key, [_face(1)])  # cannot replace a folder: logged, not raised
    assert _load_promptly(tmp_path, key) is None
    assert (path / "someone's.txt").read_text() == "kept"
    warnings = [r for r in caplog.records if path.name in r.getMessage()]
    assert len(warnings) == 1 and "delete it" in warnings[0].getMessage()
    assert prune(tmp_path, max_entries=0) == 0  # nor does the bound trip over it


@pytest.mark.parametrize("compressed", [False, True], ids=["file", "expanded"])
def test_an_oversize_entry_is_a_miss_and_removed(tmp_path: Path, compressed: bool) -> None:
    key = cache_key(_image(), "largest", 0)
    path = _entry(tmp_path, key)
    if compressed:  # tiny on disk, over the bound once read
        many = face_cache.MAX_ENTRY_BYTES // (478 * 3 * 4) + 1
        with path.open("wb") as out:
            np.savez_compressed(
                out, landmarks=np.zeros((many, 478, 3), np.float32), boxes=np.zeros((many, 4))
            )
        assert path.stat().st_size < face_cache.MAX_ENTRY_BYTES
    else:
        path.write_bytes(b"\0" * (face_cache.MAX_ENTRY_BYTES + 1))
    assert _load_promptly(tmp_path, key) is None
    assert not path.exists()


def _write_entry(path: Path, faces: list[DetectedFace]) -> None:
    with path.open("wb") as out:
        np.savez(
            out,
            landmarks=np.array([f.landmarks for f in faces], np.float32),
            boxes=np.array([f.box for f in faces], np.float64),
        )


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf, 1e30, -1e30])
@pytest.mark.parametrize("field", ["landmarks", "boxes"])
def test_non_finite_or_absurd_values_are_a_miss_and_removed(
    tmp_path: Path, field: str, value: float, caplog
) -> None:
    good, bad = _face(1), _face(2)
    if field == "landmarks":
        bad.landmarks[100, 1] = value
    else:
        bad = DetectedFace(bad.landmarks, (bad.box[0], bad.box[1], value, bad.box[3]))
    key = cache_key(_image(), "largest", 0)
    path = _entry(tmp_path, key)
    _write_entry(path, [good, bad])
    assert load_faces(tmp_path, key) is None
    assert not path.exists()
    assert any("not finite" in r.getMessage() or "far outside" in r.getMessage()
               for r in caplog.records)  # fmt: skip


def test_faces_far_outside_the_image_are_a_miss_when_its_size_is_known(tmp_path: Path) -> None:
    key = cache_key(_image(), "largest", 0)
    path = _entry(tmp_path, key)
    face = _face(1)  # within 0..100
    face.landmarks[5, 0] = 350  # a whole image side beyond the right edge of a 100 x 100 image
    _write_entry(path, [face])
    assert load_faces(tmp_path, key) is not None  # plausible for some image
    assert load_faces(tmp_path, key, size=(100, 100)) is None
    assert not path.exists()


def test_a_face_cut_by_the_edge_is_kept(tmp_path: Path) -> None:
    key = cache_key(_image(), "largest", 0)
    face = _face(1)
    face.landmarks[5, :2] = (-20, 130)  # landmarks a little outside a 100 x 100 image
    _write_entry(_entry(tmp_path, key), [face])
    loaded = load_faces(tmp_path, key, size=(100, 100))
    assert loaded is not None
    np.testing.assert_array_equal(loaded[0].landmarks, face.landmarks)


def test_a_box_with_its_corners_swapped_is_a_miss(tmp_path: Path) -> None:
    key = cache_key(_image(), "largest", 0)
    face = _face(1)
    x0, y0, x1, y1 = face.box
    _write_entry(_entry(tmp_path, key), [DetectedFace(face.landmarks, (x1, y0, x0, y1))])
    assert load_faces(tmp_path, key) is None


def test_a_valid_entry_still_hits_with_the_image_size(tmp_path: Path) -> None:
    key = cache_key(_image(), "largest", 0)
    save_faces(tmp_path, key, [_face(1), _face(2)])
    loaded = _load_promptly(tmp_path, key, size=(100, 100))
    assert loaded is not None and len(loaded) == 2


# -- the rig thread ------------------------------------------------------------------------

SAMPLE = Path(matplotlib.get_data_path()) / "sample_data" / "grace_hopper.jpg"
SHOWN = (461, 540)  # (w, h): the sample fitted to a 540-pixel-high screen


def test_a_pipe_at_the_entry_still_gives_an_animated_painting(
    tmp_path: Path, fifos: list[Path]
) -> None:
    image = cv2.imread(str(SAMPLE))
    assert image is not None, SAMPLE
    path = _entry(tmp_path, cache_key(fit_image(image, SHOWN), "largest", 0))
    _make_fifo(path, fifos)
    store = RigStore(cache_dir=tmp_path)
    try:
        request = RigRequest("grace", SHOWN)
        store.get(request, image)
        store.wait(timeout=30)
        result = store.get(request, image)
    finally:
        _release(fifos)  # so that close() cannot hang on it either
        store.close()
    assert result is not None and result.rig is not None, result and result.error
    assert result.rig.faces
    assert stat.S_ISREG(path.lstat().st_mode)  # the rebuilt entry replaced the pipe


def _rig_thread() -> threading.Thread:
    (thread,) = [t for t in threading.enumerate() if t.name == "rig-builder"]
    return thread


def test_close_does_not_wait_for_a_stuck_build(tmp_path: Path, monkeypatch) -> None:
    entered, release = threading.Event(), threading.Event()

    def stuck(cache_dir: Path, key: str, size=None) -> list[DetectedFace]:
        entered.set()
        release.wait(timeout=30)
        return []

    monkeypatch.setattr(face_cache, "load_faces", stuck)
    monkeypatch.setattr(rig_store, "CLOSE_TIMEOUT_S", 0.1)
    store = RigStore(cache_dir=tmp_path)
    try:
        store.get(RigRequest("stuck", (10, 12)), _image())
        assert entered.wait(timeout=5)
        thread = _rig_thread()
        assert thread.daemon  # never keeps the process alive
        store.close()
        assert not release.is_set() and thread.is_alive()  # close() returned all the same
    finally:
        release.set()
    thread.join(timeout=5)  # once free, it finishes and closes the engine itself
    assert not thread.is_alive()


def test_a_build_that_fails_for_another_reason_does_not_blame_the_image(
    tmp_path: Path, monkeypatch
) -> None:
    def broken(cache_dir: Path, key: str, size=None) -> list[DetectedFace]:
        raise OSError("Input/output error")

    monkeypatch.setattr(face_cache, "load_faces", broken)
    store = RigStore(cache_dir=tmp_path)
    try:
        request = RigRequest("broken", (10, 12))
        store.get(request, _image())
        store.wait(timeout=30)
        result = store.get(request, _image())
    finally:
        store.close()
    assert result is not None and result.rig is None
    assert "not a fault of the image" in result.error
    assert "OSError: Input/output error" in result.error
