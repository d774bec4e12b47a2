"""Disk cache of a painting's detected faces, so a warm start skips MediaPipe detection.

Keyed by the content of the image the rig is built from (the painting at its shown size), the
engine version and the exhibit's face choice. One `.npz` file per entry under the config's
`paths.cache` folder (never under exhibits/), written atomically, at most `MAX_ENTRIES` kept
(the least recently used are deleted). A missing, corrupt or foreign file is a cache miss.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from pathlib import Path

import numpy as np

from kiosk.renderer.rig import ENGINE_VERSION
from kiosk.tracking.face_mesh import DetectedFace

log = logging.getLogger(__name__)

MAX_ENTRIES = 256
PREFIX = "faces-"
SUFFIX = ".npz"
_LANDMARKS = 478


def cache_key(image: np.ndarray, choose: str, index: int) -> str:
    """sha256 of the decoded image (shape, dtype and pixels), engine version and face choice."""
    digest = hashlib.sha256()
    header = f"{ENGINE_VERSION}|{image.shape}|{image.dtype.str}|{choose}|{index}|"
    digest.update(header.encode())
    digest.update(memoryview(np.ascontiguousarray(image)).cast("B"))
    return digest.hexdigest()


def _path(cache_dir: Path, key: str) -> Path:
    if not key or not all(c in "0123456789abcdef" for c in key):
        raise ValueError(f"not a cache key: {key!r}")
    return Path(cache_dir) / f"{PREFIX}{key}{SUFFIX}"


def load_faces(cache_dir: Path, key: str) -> list[DetectedFace] | None:
    """The faces stored under `key` (possibly none), or None on a miss."""
    path = _path(cache_dir, key)
    try:
        with np.load(path, allow_pickle=False) as data:
            landmarks = np.asarray(data["landmarks"], dtype=np.float32)
            boxes = np.asarray(data["boxes"], dtype=np.float64)
    except FileNotFoundError:
        return None
    except Exception as exc:  # corrupt or foreign file: rebuild rather than fail
        log.warning("ignoring unreadable rig cache entry %s: %s", path.name, exc)
        return None
    shapes_ok = landmarks.ndim == 3 and landmarks.shape[1:] == (_LANDMARKS, 3)
    if not shapes_ok or boxes.shape != (len(landmarks), 4):
        log.warning("ignoring rig cache entry %s with unexpected shapes", path.name)
        return None
    try:
        os.utime(path)  # mark as recently used for the eviction order
    except OSError:
        pass
    return [
        DetectedFace(landmarks[i].copy(), tuple(float(v) for v in boxes[i]))
        for i in range(len(landmarks))
    ]


def save_faces(cache_dir: Path, key: str, faces: list[DetectedFace]) -> None:
    """Store `faces` under `key` (temp file + os.replace), then trim the cache to MAX_ENTRIES.

    A cache that cannot be written is logged and skipped: it only costs start-up time.
    """
    path = _path(cache_dir, key)
    landmarks = np.zeros((len(faces), _LANDMARKS, 3), np.float32)
    boxes = np.zeros((len(faces), 4), np.float64)
    for i, face in enumerate(faces):
        landmarks[i] = face.landmarks
        boxes[i] = face.box
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=".tmp", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as out:
                np.savez(out, landmarks=landmarks, boxes=boxes)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        log.warning("could not write rig cache entry in %s: %s", path.parent, exc)
        return
    prune(cache_dir)


def prune(cache_dir: Path, max_entries: int | None = None) -> int:
    """Delete the least recently used entries beyond `max_entries` (default MAX_ENTRIES);
    returns how many were deleted."""
    limit = MAX_ENTRIES if max_entries is None else max_entries
    entries = []
    for path in Path(cache_dir).glob(f"{PREFIX}*{SUFFIX}"):
        try:
            entries.append((path.stat().st_mtime_ns, path.name, path))
        except FileNotFoundError:  # removed by another process meanwhile
            continue
    excess = len(entries) - limit
    if excess <= 0:
        return 0
    entries.sort()
    for _, _, path in entries[:excess]:
        path.unlink(missing_ok=True)
    return excess
