"""Disk cache of a painting's detected faces, so a warm start skips MediaPipe detection.

Keyed by the content of the image the rig is built from (the painting at its shown size), the
engine version and the exhibit's face choice. One `.npz` file per entry under the config's
`paths.cache` folder (never under exhibits/), written atomically, at most `MAX_ENTRIES` kept
(the least recently used are deleted).

Anything at an entry's path that is not a small regular file of finite, plausible faces (a
pipe, device, socket, folder or symbolic link; a huge, corrupt or foreign file; NaN or absurd
coordinates) is a cache miss: it is reported once and removed, so the faces are detected from
the image and the rebuilt entry takes its place. Entries are opened without blocking and never
through a symbolic link, so a bad entry can neither hang the rig thread nor delete anything
outside the cache folder.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import stat
import tempfile
from pathlib import Path

import numpy as np

from kiosk.renderer.face_rig import ENGINE_VERSION
from kiosk.tracking.face_mesh import DetectedFace

log = logging.getLogger(__name__)

MAX_ENTRIES = 256
PREFIX = "faces-"
SUFFIX = ".npz"
_LANDMARKS = 478

# An entry is about 5.8 KB a face (478 x 3 float32 landmarks and a box); the engine asks the
# mesh detector for at most six faces, 35 KB. 1 MiB holds some 180 faces, more than any
# painting has; anything bigger is not ours and is never read into memory. The bound applies to
# the file and, separately, to what its arrays expand to (a compressed npz can be tiny).
MAX_ENTRY_BYTES = 1 << 20

# Landmarks and boxes are pixels of the image the faces were detected on (z scaled like x).
# Without that image's size, a coordinate beyond MAX_COORD is absurd: the kiosk detects on the
# painting at its shown size (a screen) and the offline commands on images of at most
# `limits.max_image_pixels` (40 million, 6,300 pixels square). A valid entry wrongly refused
# would only cost one detection.
MAX_COORD = 100_000.0

_OPEN_FLAGS = os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)

# Entries reported but not removable (a folder with files in it, a read-only cache), so their
# problem is logged once, not at every build. Bounded: the kiosk runs for weeks.
_reported: set[str] = set()


class _BadEntry(Exception):
    """Why an entry cannot be used (a sentence fragment for the log)."""


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


def load_faces(
    cache_dir: Path, key: str, size: tuple[int, int] | None = None
) -> list[DetectedFace] | None:
    """The faces stored under `key` (possibly none), or None on a miss.

    `size`: the (w, h) of the image the key was made from, to also refuse faces far outside
    it; None: only absurd coordinates (beyond MAX_COORD) are refused.
    """
    path = _path(cache_dir, key)
    try:
        faces = _faces_from(_read_entry(path), size)
    except FileNotFoundError:
        return None
    except _BadEntry as exc:
        _discard(path, str(exc))
        return None
    try:
        os.utime(path, follow_symlinks=False)  # mark as recently used for the eviction order
    except OSError:
        pass
    return faces


def _read_entry(path: Path) -> bytes:
    """The bytes of the regular file at `path`, read without blocking or following a link."""
    try:
        kind = _kind(os.lstat(path).st_mode)  # refuse pipes and devices before opening them
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise _BadEntry(f"cannot be examined ({exc})") from exc
    if kind:
        raise _BadEntry(f"is {kind}, not a file")
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except FileNotFoundError:
        raise
    except OSError as exc:  # ELOOP: replaced by a link since lstat
        raise _BadEntry(f"cannot be opened ({exc})") from exc
    try:
        info = os.fstat(fd)  # what was opened, should the path have changed since lstat
        kind = _kind(info.st_mode)
        if kind:
            raise _BadEntry(f"is {kind}, not a file")
        if info.st_size > MAX_ENTRY_BYTES:
            raise _BadEntry(f"is {info.st_size:,} bytes, over {MAX_ENTRY_BYTES:,}")
        chunks, total = [], 0
        while chunk := os.read(fd, MAX_ENTRY_BYTES + 1 - total):
            chunks.append(chunk)
            total += len(chunk)
            if total > MAX_ENTRY_BYTES:  # grew since fstat
                raise _BadEntry(f"is over {MAX_ENTRY_BYTES:,} bytes")
        return b"".join(chunks)
    except OSError as exc:
        raise _BadEntry(f"cannot be read ({exc})") from exc
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    """What a file mode is, if not a regular file ('' for one)."""
    if stat.S_ISREG(mode):
        return ""
    kinds = [
        (stat.S_ISLNK, "a symbolic link"),
        (stat.S_ISDIR, "a folder"),
        (stat.S_ISFIFO, "a named pipe"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
    ]
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def _faces_from(data: bytes, size: tuple[int, int] | None) -> list[DetectedFace]:
    """The faces in an entry's bytes; _BadEntry if they are not plausible faces."""
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            expanded = sum(info.file_size for info in npz.zip.infolist())
            if expanded > MAX_ENTRY_BYTES:
                raise _BadEntry(f"expands to {expanded:,} bytes, over {MAX_ENTRY_BYTES:,}")
            landmarks, boxes = npz["landmarks"], npz["boxes"]
    except _BadEntry:
        raise
    except Exception as exc:  # corrupt or foreign file: rebuild rather than fail
        raise _BadEntry(f"is unreadable ({exc})") from exc
    if landmarks.dtype.kind not in "fiu" or boxes.dtype.kind not in "fiu":
        raise _BadEntry(f"holds {landmarks.dtype} and {boxes.dtype}, not numbers")
    shapes_ok = landmarks.ndim == 3 and landmarks.shape[1:] == (_LANDMARKS, 3)
    if not shapes_ok or boxes.shape != (len(landmarks), 4):
        raise _BadEntry(f"has unexpected shapes {landmarks.shape} and {boxes.shape}")
    landmarks = landmarks.astype(np.float64)  # exact for every stored dtype
    boxes = boxes.astype(np.float64)
    why = _implausible(landmarks, boxes, size)
    if why:
        raise _BadEntry(f"holds {why}")
    return [
        DetectedFace(landmarks[i].astype(np.float32), tuple(float(v) for v in boxes[i]))
        for i in range(len(landmarks))
    ]


def _implausible(landmarks: np.ndarray, boxes: np.ndarray, size: tuple[int, int] | None) -> str:
    """Why these cannot be faces detected on an image of `size` (w, h), or ''."""
    if not (np.isfinite(landmarks).all() and np.isfinite(boxes).all()):
        return "landmarks or boxes that are not finite (NaN or infinity)"
    if size is None:
        lo_x = lo_y = -MAX_COORD
        hi_x = hi_y = hi_z = MAX_COORD
    else:
        # A face cut by the image's edge has landmarks a little outside it; a whole image side
        # beyond the edge is far outside.
        w, h = size
        side = float(max(w, h))
        lo_x, lo_y, hi_x, hi_y, hi_z = -side, -side, w + side, h + side, 2 * side
    x, y, z = landmarks[..., 0], landmarks[..., 1], landmarks[..., 2]
    x0, y0, x1, y1 = boxes.T
    inside = (
        ((lo_x <= x) & (x <= hi_x)).all()
        and ((lo_y <= y) & (y <= hi_y)).all()
        and (np.abs(z) <= hi_z).all()
        and ((lo_x <= x0) & (x0 <= x1) & (x1 <= hi_x)).all()
        and ((lo_y <= y0) & (y0 <= y1) & (y1 <= hi_y)).all()
    )
    return "" if inside else "landmarks or boxes far outside the image"


def _discard(path: Path, why: str) -> None:
    """Report a bad entry and remove it where that is safe: a link itself, never its target;
    a folder only if empty, never anything in it."""
    try:
        if stat.S_ISDIR(os.lstat(path).st_mode):
            os.rmdir(path)
        else:
            os.unlink(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        _warn_once(
            path,
            f"ignoring rig cache entry {path}: it {why}, and it cannot be removed ({exc}): "
            "delete it; until then this painting's faces are detected afresh at each build",
        )
        return
    _reported.discard(str(path))
    log.warning(
        "ignoring rig cache entry %s: it %s; removed it, the faces are detected from the image",
        path,
        why,
    )


def _warn_once(path: Path, message: str) -> None:
    if str(path) in _reported:
        return
    if len(_reported) >= MAX_ENTRIES:
        _reported.clear()
    _reported.add(str(path))
    log.warning(message)


def save_faces(cache_dir: Path, key: str, faces: list[DetectedFace]) -> None:
    """Store `faces` under `key` (temp file + os.replace), then trim the cache to MAX_ENTRIES.

    A cache that cannot be written is logged (once per entry) and skipped: it only costs
    start-up time.
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
            os.replace(tmp, path)  # replaces a link or pipe itself, never its target
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        _warn_once(path, f"could not write rig cache entry {path}: {exc}")
        return
    prune(cache_dir)


def prune(cache_dir: Path, max_entries: int | None = None) -> int:
    """Delete the least recently used entries beyond `max_entries` (default MAX_ENTRIES);
    returns how many were deleted."""
    limit = MAX_ENTRIES if max_entries is None else max_entries
    entries = []
    for path in Path(cache_dir).glob(f"{PREFIX}*{SUFFIX}"):
        try:
            entries.append((path.lstat().st_mtime_ns, path.name, path))
        except FileNotFoundError:  # removed by another process meanwhile
            continue
    excess = len(entries) - limit
    if excess <= 0:
        return 0
    entries.sort()
    deleted = 0
    for _, _, path in entries[:excess]:
        try:
            path.unlink(missing_ok=True)  # a link itself, never its target
            deleted += 1
        except OSError as exc:  # a folder, a read-only cache: an entry too many is harmless
            _warn_once(path, f"could not delete rig cache entry {path}: {exc}")
    return deleted
