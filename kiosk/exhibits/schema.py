"""One exhibit file (exhibits/<name>.yaml): what painting to show and how to animate it."""

from __future__ import annotations

import re
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from kiosk.exhibits.languages import LanguageCode, SpokenText, localized, text_in
from kiosk.problems import ContentError, display_path, validation_problems
from kiosk.safe_yaml import DEFAULT_LIMITS, YamlLimits, read_yaml_mapping
from kiosk.wall_style import WallStyle

EXHIBIT_SCHEMA_VERSION = 1
_SLUG = re.compile(r"[a-z0-9-]{1,64}")
_CLIP = re.compile(r"[a-z0-9_-]{1,64}")
MAX_PATH_CHARS = 1024


class ExhibitError(ContentError):
    """An exhibit file or its image is unusable. Carries one or more Problems."""


class _Section(BaseModel):
    # Curators write `year: 1503` or `title: 1984`: numbers become text rather than errors.
    model_config = ConfigDict(extra="forbid", frozen=True, coerce_numbers_to_str=True)


def _gain() -> float:
    return Field(1.0, ge=0, le=3)  # 1 = as the visitor moves; 0 = still; up to 3x stronger


class FaceChoice(_Section):
    """Which face of the painting to animate when it shows several."""

    choose: Literal["largest", "index", "left", "right", "all"] = "largest"
    index: int = Field(0, ge=0)  # used when choose is "index"; faces counted left to right
    # A hint when the detector misses the face: [left, top, right, bottom] as fractions of the
    # image's width and height, e.g. [0.4, 0.1, 0.6, 0.3].
    box: tuple[float, float, float, float] | None = None

    @field_validator("box")
    @classmethod
    def _box(cls, v: tuple[float, float, float, float] | None):
        if v is None:
            return v
        x0, y0, x1, y1 = v
        if not (0 <= x0 < x1 <= 1 and 0 <= y0 < y1 <= 1):
            raise ValueError(
                "write [left, top, right, bottom] as fractions of the image, each between 0 "
                "and 1, with left < right and top < bottom"
            )
        return v


class Gains(_Section):
    head: float = _gain()
    mouth: float = _gain()
    eyes: float = _gain()
    brows: float = _gain()
    gaze: float = _gain()


class PoseLimits(_Section):
    yaw_deg: float = Field(20, ge=0, le=45)
    pitch_deg: float = Field(15, ge=0, le=45)
    roll_deg: float = Field(15, ge=0, le=45)


class Animation(_Section):
    gains: Gains = Gains()
    limits: PoseLimits = PoseLimits()


class IdleClip(_Section):
    clip: str
    weight: float = Field(1.0, gt=0)

    @field_validator("clip")
    @classmethod
    def _clip_name(cls, v: str) -> str:
        if not _CLIP.fullmatch(v):
            raise ValueError(
                "clip names use lowercase letters, digits, '_' and '-', e.g. 'look_around'"
            )
        return v


DEFAULT_PLAYLIST = (
    IdleClip(clip="breathing"),
    IdleClip(clip="look_around"),
    IdleClip(clip="gentle_smile"),
)


class Idle(_Section):
    """Motion loops played while nobody stands in front of the painting."""

    playlist: tuple[IdleClip, ...] = DEFAULT_PLAYLIST


class Exhibit(_Section):
    """The validated content of one exhibit file."""

    schema_version: int = EXHIBIT_SCHEMA_VERSION
    id: str
    # Bounded so a pasted book cannot cost the screen anything: the label panel shows about
    # 1,500 characters of label, the rest is cut with an ellipsis.
    # title, label and credit: a string, or a mapping of language codes to text (languages.py);
    # read them in a language with title_in/label_in/credit_in, or as .title etc. in the
    # exhibit's first language.
    title_text: localized(300) = Field(alias="title")  # type: ignore[valid-type]
    artist: str = Field("", max_length=300)
    sitter: str = Field("", max_length=300)
    year: str = Field("", max_length=100)
    label_text: localized(20_000) = Field("", alias="label")  # type: ignore[valid-type]
    credit_text: localized(2_000) = Field("", alias="credit")  # type: ignore[valid-type]
    # Per language: what to say if not the title and label, in which voice, how fast.
    speech: dict[LanguageCode, SpokenText] = Field(default_factory=dict, max_length=32)
    image: str
    face: FaceChoice = FaceChoice()
    animation: Animation = Animation()
    idle: Idle = Idle()
    wall: WallStyle | None = None  # this painting's wall; None: config.yaml's display.wall
    order: int = 100
    enabled: bool = True

    @field_validator("schema_version")
    @classmethod
    def _version(cls, v: int) -> int:
        if v != EXHIBIT_SCHEMA_VERSION:
            raise ValueError(
                f"this kiosk reads exhibit files of version {EXHIBIT_SCHEMA_VERSION}; "
                "update the kiosk or write the file for version 1"
            )
        return v

    @field_validator("id")
    @classmethod
    def _slug(cls, v: str) -> str:
        if not _SLUG.fullmatch(v):
            raise ValueError("use 1 to 64 lowercase letters, digits and '-', e.g. 'mona-lisa'")
        return v

    @field_validator("title_text")
    @classmethod
    def _title(cls, v: str | dict[str, str]) -> str | dict[str, str]:
        texts = v if isinstance(v, dict) else {"": v}
        if any(not t.strip() for t in texts.values()):
            raise ValueError("must not be empty; write the painting's title")
        return v.strip() if isinstance(v, str) else {k: t.strip() for k, t in v.items()}

    @property
    def title(self) -> str:
        return text_in(self.title_text, None)

    @property
    def label(self) -> str:
        return text_in(self.label_text, None)

    @property
    def credit(self) -> str:
        return text_in(self.credit_text, None)

    def title_in(self, language: str | None) -> str:
        """The title in `language` (or its nearest: see languages.text_in)."""
        return text_in(self.title_text, language)

    def label_in(self, language: str | None) -> str:
        return text_in(self.label_text, language)

    def credit_in(self, language: str | None) -> str:
        return text_in(self.credit_text, language)

    def spoken_in(self, language: str) -> tuple[str, SpokenText]:
        """What the painting says in `language` (its speech text, else title, artist and
        year, and label) and how."""
        how = self.speech.get(language) or SpokenText()
        if how.text.strip():
            return how.text.strip(), how
        meta = ", ".join(p for p in (self.artist, self.year) if p)
        parts = [self.title_in(language), meta, self.label_in(language)]
        return "\n".join(_sentence(p) for p in parts if p.strip()), how

    @field_validator("image")
    @classmethod
    def _relative_image(cls, v: str) -> str:
        return check_relative_path(v)


def _sentence(text: str) -> str:
    """Text ending in a full stop (unless it ends in punctuation), so it is its own caption."""
    text = text.strip()
    return text if text[-1] in ".!?;:…。" else text + "."


def check_relative_path(value: str) -> str:
    """A path inside the content root, written with '/'; raises ValueError otherwise."""
    hint = "write a path inside the content folder, e.g. 'paintings/mona.jpg'"
    if not value.strip():
        raise ValueError(f"must not be empty; {hint}")
    if len(value) > MAX_PATH_CHARS:
        raise ValueError(f"is {len(value)} characters long, over {MAX_PATH_CHARS}; {hint}")
    if any(ord(c) < 32 or ord(c) == 127 for c in value):  # NUL, newlines: no file has them
        raise ValueError(f"contains a control character (such as NUL or a line break); {hint}")
    if "\\" in value:
        raise ValueError(f"use '/' between folders, not '\\'; {hint}")
    if PurePosixPath(value).is_absolute() or PureWindowsPath(value).drive or value.startswith("~"):
        raise ValueError(f"absolute paths are not allowed; {hint}")
    if ".." in PurePosixPath(value).parts:
        raise ValueError(f"'..' is not allowed; {hint}")
    return value


def parse_exhibit_file(path: Path, limits: YamlLimits = DEFAULT_LIMITS) -> Exhibit:
    """Read and validate one exhibit file; raises ExhibitError naming the file and key."""
    raw = read_yaml_mapping(path, ExhibitError, limits)
    try:
        return Exhibit.model_validate(raw)
    except ValidationError as exc:
        name = display_path(path)
        raise ExhibitError(name, problems=validation_problems(exc, Exhibit, name)) from exc
