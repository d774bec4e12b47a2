"""Curator corrections of a painting's detected face: named landmark groups moved or scaled.

They live next to the exhibit in `exhibits/<exhibit-file-stem>.face.yaml`, written only by the
curator command `kiosk adjust-face`; the running kiosk only reads them. Moves are fractions of
the image's width and height, so they hold at any size the painting is shown at, and the file
names the sha256 of the image it was made for: for another image it is ignored and reported.

A point in several groups (the chin points are in both `chin` and `face_outline`) moves by the
sum of each group's displacement, each computed from the detected positions, so the order of
the groups never matters. Only x and y change; depth (z) stays as detected.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    field_validator,
)

from kiosk.config import ContentError, display_path, read_yaml_mapping, validation_problems
from kiosk.tracking import landmarks as lm

CORRECTIONS_SCHEMA_VERSION = 1
SIDECAR_SUFFIX = ".face.yaml"
BACKUP_INFIX = ".bak-"
MAX_MOVE = 0.1  # of the image's width or height: corrections, not a new face
SCALE_RANGE = (0.5, 2.0)
_DECIMALS = 6  # a millionth of the image: below a pixel for any painting the kiosk accepts
_SHA256 = re.compile(r"[0-9a-f]{64}")

# MediaPipe's FACEMESH_NOSE connections, as points: bridge, tip, wings and nostrils.
NOSE = (1, 2, 4, 5, 6, 19, 45, 48, 64, 94, 97, 98, 115, 168, 195, 197, 220, 275, 278, 294, 326,
        327, 344, 440)  # fmt: skip

# The groups a curator can move, by name; "right"/"left" are the sitter's own (see landmarks).
GROUPS: dict[str, tuple[int, ...]] = {
    "mouth": lm.LIPS_OUTER + lm.LIPS_INNER,
    "right_eye": lm.RIGHT_EYE_CONTOUR + lm.RIGHT_IRIS + lm.RIGHT_EYE_UPPER_RING,
    "left_eye": lm.LEFT_EYE_CONTOUR + lm.LEFT_IRIS + lm.LEFT_EYE_UPPER_RING,
    "right_brow": lm.RIGHT_EYEBROW,
    "left_brow": lm.LEFT_EYEBROW,
    "nose": NOSE,
    "chin": lm.JAW,
    "face_outline": lm.FACE_OVAL,
}


class CorrectionsError(ContentError):
    """A face corrections file is unusable; carries the file, key and what to do."""


class StaleCorrectionsError(CorrectionsError):
    """The corrections were made for another image (the exhibit's image has changed)."""


def _rounded(v: float) -> float:
    return round(v, _DECIMALS) + 0.0  # + 0.0 turns -0.0 into 0.0


_Fraction = Annotated[
    float, Strict(), Field(ge=-MAX_MOVE, le=MAX_MOVE, allow_inf_nan=False), AfterValidator(_rounded)
]
_Move = tuple[_Fraction, _Fraction]
_Scale = Annotated[
    float,
    Strict(),
    Field(ge=SCALE_RANGE[0], le=SCALE_RANGE[1], allow_inf_nan=False),
    AfterValidator(_rounded),
]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GroupMoves(_Section):
    """[dx, dy] per group, as fractions of the image's width and height (+ = right, down)."""

    mouth: _Move | None = None
    right_eye: _Move | None = None
    left_eye: _Move | None = None
    right_brow: _Move | None = None
    left_brow: _Move | None = None
    nose: _Move | None = None
    chin: _Move | None = None
    face_outline: _Move | None = None


class GroupScales(_Section):
    """A factor per group about the group's centre (1 = unchanged)."""

    mouth: _Scale | None = None
    right_eye: _Scale | None = None
    left_eye: _Scale | None = None
    right_brow: _Scale | None = None
    left_brow: _Scale | None = None
    nose: _Scale | None = None
    chin: _Scale | None = None
    face_outline: _Scale | None = None


class Corrections(_Section):
    """The validated content of one `<exhibit>.face.yaml` file."""

    schema_version: int = CORRECTIONS_SCHEMA_VERSION
    image_sha256: str
    moves: GroupMoves = GroupMoves()
    scale: GroupScales = GroupScales()

    @field_validator("schema_version")
    @classmethod
    def _version(cls, v: int) -> int:
        if v != CORRECTIONS_SCHEMA_VERSION:
            raise ValueError(
                f"this kiosk reads face corrections of version {CORRECTIONS_SCHEMA_VERSION}; "
                "update the kiosk or write the file for version 1"
            )
        return v

    @field_validator("image_sha256")
    @classmethod
    def _digest(cls, v: str) -> str:
        if not _SHA256.fullmatch(v):
            raise ValueError(
                "must be the 64-character sha256 of the image; let `kiosk adjust-face` write it"
            )
        return v

    def group_moves(self) -> dict[str, tuple[float, float]]:
        """The groups that move, in GROUPS order."""
        return {g: m for g in GROUPS if (m := getattr(self.moves, g)) is not None and any(m)}

    def group_scales(self) -> dict[str, float]:
        """The groups that are scaled, in GROUPS order."""
        return {g: s for g in GROUPS if (s := getattr(self.scale, g)) is not None and s != 1.0}

    @property
    def is_empty(self) -> bool:
        return not self.group_moves() and not self.group_scales()

    def digest(self) -> str:
        """sha256 of the content: part of every rig cache key built with these corrections."""
        return hashlib.sha256(self.model_dump_json().encode()).hexdigest()


def sidecar_path(exhibit_file: Path) -> Path:
    """exhibits/mona-lisa.yaml -> exhibits/mona-lisa.face.yaml."""
    exhibit_file = Path(exhibit_file)
    return exhibit_file.with_name(exhibit_file.stem + SIDECAR_SUFFIX)


def is_sidecar_file(path: Path) -> bool:
    return Path(path).name.lower().endswith(SIDECAR_SUFFIX)


def parse_corrections_file(path: Path) -> Corrections:
    """Read and validate one corrections file; CorrectionsError names the file and key."""
    raw = read_yaml_mapping(path, CorrectionsError)
    try:
        return Corrections.model_validate(raw)
    except ValidationError as exc:
        name = display_path(path)
        raise CorrectionsError(name, problems=validation_problems(exc, Corrections, name)) from exc


def load_corrections(exhibit_file: Path, image_bytes_digest: str) -> Corrections | None:
    """The corrections next to `exhibit_file`, or None when it has none.

    Raises CorrectionsError for a broken file, StaleCorrectionsError when they were made for
    another image than the one whose file bytes hash to `image_bytes_digest`.
    """
    path = sidecar_path(exhibit_file)
    if not path.is_file():
        return None
    corrections = parse_corrections_file(path)
    if corrections.image_sha256 != image_bytes_digest:
        raise StaleCorrectionsError(
            display_path(path),
            "image_sha256",
            f"made for another image (sha256 {corrections.image_sha256[:12]}..., the exhibit's "
            f"image is now {image_bytes_digest[:12]}...), so the kiosk ignores them; check the "
            f"face with `kiosk adjust-face --exhibit ID --preview face.png` and, if it still "
            f"needs them, redo them with `--reset --move ...` (the old file is kept as a backup)",
        )
    return corrections


def corrections_yaml(corrections: Corrections, exhibit_id: str = "ID") -> str:
    """The file text: a short header, then the keys in a fixed, readable order."""
    lines = [
        "# Face corrections, written by `kiosk adjust-face` (the kiosk only reads this file).",
        "# moves: [dx, dy] as fractions of the image's width and height (+ = right, down);",
        "# scale: a factor about the group's centre. Remove them all (a backup is kept) with:",
        f"#   kiosk adjust-face --exhibit {exhibit_id} --reset",
        f"schema_version: {corrections.schema_version}",
        f"image_sha256: {corrections.image_sha256}",
    ]
    moves = corrections.group_moves()
    if moves:
        lines.append("moves:")
        lines += [f"  {g}: [{_num(dx)}, {_num(dy)}]" for g, (dx, dy) in moves.items()]
    scales = corrections.group_scales()
    if scales:
        lines.append("scale:")
        lines += [f"  {g}: {_num(s)}" for g, s in scales.items()]
    return "\n".join(lines) + "\n"


def _num(v: float) -> str:
    # Fixed point: PyYAML reads exponent forms without a dot ("1e-05") as text.
    text = f"{v:.{_DECIMALS}f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def write_corrections(
    path: Path, corrections: Corrections, overwrite: bool, exhibit_id: str = "ID"
) -> Path | None:
    """Write atomically (temp file + rename); returns the backup made of the file it replaced.

    Refuses (FileExistsError) to replace an existing file unless `overwrite`.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(
            f"{display_path(path)} already exists; pass overwrite=True to replace it "
            "(a backup is kept)"
        )
    backup = backup_file(path) if path.exists() else None
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(corrections_yaml(corrections, exhibit_id))
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return backup


def remove_corrections(path: Path) -> Path | None:
    """Delete the corrections file after backing it up; returns the backup (None: no file)."""
    path = Path(path)
    if not path.exists():
        return None
    backup = backup_file(path)
    path.unlink()
    return backup


def backup_file(path: Path) -> Path:
    """Copy `path` to `<name>.bak-YYYYmmdd-HHMMSS` (then -2, -3, ...); never replaces a file."""
    data = Path(path).read_bytes()
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")  # a name for people: local wall time
    for n in range(1, 1000):
        suffix = "" if n == 1 else f"-{n}"
        backup = path.with_name(f"{path.name}{BACKUP_INFIX}{stamp}{suffix}")
        try:
            with open(backup, "xb") as out:  # "x": fails rather than replace a backup
                out.write(data)
        except FileExistsError:
            continue
        return backup
    raise FileExistsError(f"too many backups of {display_path(path)} this second")
