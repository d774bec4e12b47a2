"""Kiosk configuration (config.yaml): one validated, frozen options object for the whole app.

Also home of the small YAML + pydantic helpers that exhibit files share, so that every
file a curator or operator edits gets the same kind of message: file, dotted key, what to do.
"""

from __future__ import annotations

import logging
import os
import re
import typing
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import annotated_types
import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic.fields import FieldInfo

log = logging.getLogger(__name__)

CONFIG_SCHEMA_VERSION = 1


# --------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file a person edits: which file, which key, what to do."""

    file: str  # shown to people, e.g. "exhibits/mona.yaml"
    key: str  # dotted key, e.g. "animation.gains.mouth"; "" when about the whole file
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.key}" if self.key else self.file
        return f"{where}: {self.message}"


class ContentError(Exception):
    """One or more problems in a config or content file."""

    def __init__(
        self,
        file: str | Path,
        key: str = "",
        message: str = "",
        *,
        problems: list[Problem] | None = None,
    ) -> None:
        if problems is None:
            name = file if isinstance(file, str) else display_path(file)
            problems = [Problem(name, key, message)]
        if not problems:
            raise ValueError("ContentError needs at least one problem")
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def file(self) -> str:
        return self.problems[0].file

    @property
    def key(self) -> str:
        return self.problems[0].key

    @property
    def message(self) -> str:
        return self.problems[0].message


class ConfigError(ContentError):
    """config.yaml is unreadable or invalid."""


def display_path(path: Path) -> str:
    """A short path for messages: relative to the working dir if inside it, else folder/name."""
    path = Path(path)
    try:
        return path.absolute().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return f"{path.parent.name}/{path.name}" if path.parent.name else path.name


# --------------------------------------------------------------------------- YAML


class _UniqueKeyLoader(yaml.SafeLoader):
    """safe_load, but a key written twice is an error instead of silently keeping the last."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        seen: set = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
            except TypeError:  # unhashable key; let SafeLoader report it
                break
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} appears twice; keep only one", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def read_yaml_mapping(path: Path, error: type[ContentError] = ContentError) -> dict[str, Any]:
    """Read a YAML file that must hold a mapping (an empty file is an empty mapping)."""
    name = display_path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise error(name, "", f"cannot read the file ({exc.strerror or exc})") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(name, "", "is not UTF-8 text; save it as UTF-8") from exc
    try:
        doc = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        what = exc.problem or exc.context or "invalid YAML"
        raise error(name, "", f"YAML syntax error at {where}{what}; fix the YAML there") from exc
    except (yaml.YAMLError, RecursionError, ValueError, OverflowError) as exc:
        raise error(name, "", f"YAML syntax error: {exc}; fix the YAML") from exc
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise error(name, "", f"must be a mapping of 'key: value' lines (got {type(doc).__name__})")
    bad = [k for k in doc if not isinstance(k, str)]
    if bad:
        raise error(name, _show(bad[0]), "keys must be text; check the indentation")
    return doc


# --------------------------------------------------------------------------- pydantic errors


def validation_problems(exc: ValidationError, model: type[BaseModel], file: str) -> list[Problem]:
    """Turn a pydantic ValidationError into messages a curator can act on."""
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        problems.append(Problem(file, _dotted(loc), _error_message(err, model, loc)))
    return problems


def _dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _error_message(err: dict, model: type[BaseModel], loc: tuple) -> str:
    kind, value = err["type"], err.get("input")
    if kind == "extra_forbidden":
        parent = _model_at(model, loc[:-1])
        allowed = ", ".join(parent.model_fields) if parent else "see the documentation"
        return f"unknown key (allowed: {allowed}); check the spelling and indentation"
    if kind == "missing":
        return f"required key is missing; add a '{loc[-1]}:' line"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        field = _field_at(model, loc)
        bounds = _bounds_text(field) if field else None
        if bounds:
            return f"must be {bounds} (got {_show(value)})"
    msg = err["msg"].removeprefix("Value error, ")
    if kind == "string_type" and isinstance(value, bool):
        msg += "; YAML reads yes/no/on/off as true/false, so put the value in quotes"
    elif kind == "string_type" and isinstance(value, (int, float, date)):
        msg += "; put the value in quotes"
    return f"{msg} (got {_show(value)})"


def _bounds_text(field: FieldInfo) -> str | None:
    lo = hi = None
    for m in field.metadata:
        if isinstance(m, annotated_types.Ge):
            lo = ("at least", m.ge)
        elif isinstance(m, annotated_types.Gt):
            lo = ("greater than", m.gt)
        elif isinstance(m, annotated_types.Le):
            hi = ("at most", m.le)
        elif isinstance(m, annotated_types.Lt):
            hi = ("less than", m.lt)
    if lo and hi and lo[0] == "at least" and hi[0] == "at most":
        return f"between {lo[1]} and {hi[1]}"
    parts = [f"{bound[0]} {bound[1]}" for bound in (lo, hi) if bound]
    return " and ".join(parts) or None


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found:
            return found
    return None


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int):
            continue  # list item: _inner_model already stepped into the item type
        field = current.model_fields.get(part) if current else None
        current = _inner_model(field.annotation) if field else None
    return current


def _field_at(model: type[BaseModel], loc: tuple) -> FieldInfo | None:
    names = [p for p in loc if isinstance(p, str)]
    if not names:
        return None
    parent = _model_at(model, loc[: max(i for i, p in enumerate(loc) if isinstance(p, str))])
    return parent.model_fields.get(names[-1]) if parent else None


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


# --------------------------------------------------------------------------- the config


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _check_size(v: tuple[int, int]) -> tuple[int, int]:
    if v[0] <= 0 or v[1] <= 0:
        raise ValueError("width and height must both be positive, e.g. [1920, 1080]")
    return v


Size = Annotated[tuple[int, int], AfterValidator(_check_size)]


class PathsConfig(_Section):
    """Folders, relative to config.yaml's folder; load_config makes them absolute."""

    exhibits: Path = Path("exhibits")
    content: Path = Path("content")
    cache: Path = Path("cache")


class DisplayConfig(_Section):
    fullscreen: bool = True
    size: Size = (1920, 1080)
    rotation: Literal[0, 90, 180, 270] = 0
    fps: int = Field(60, ge=10, le=240)
    show_notice: bool = True


class CameraConfig(_Section):
    enabled: bool = True
    device: int = Field(0, ge=0)
    video: Path | None = None  # a video file used instead of the device (testing, demos)
    size: Size = (640, 480)
    fps: int = Field(30, ge=1, le=240)
    mirror: bool = True  # flip the camera image so the painting moves like a mirror image


class TimeoutsConfig(_Section):
    visitor_enter_s: float = Field(0.3, ge=0)
    visitor_leave_s: float = Field(2.0, ge=0)
    attract_exhibit_s: float = Field(40.0, gt=0)
    label_hide_s: float = Field(20.0, gt=0)
    crossfade_s: float = Field(0.8, ge=0)
    camera_stale_s: float = Field(2.0, gt=0)


class EngineConfig(_Section):
    name: Literal["geometric"] = "geometric"
    max_yaw_deg: float = Field(20, ge=0, le=45)
    max_pitch_deg: float = Field(20, ge=0, le=45)
    max_roll_deg: float = Field(15, ge=0, le=45)
    one_euro_min_cutoff: float = Field(2.0, gt=0)
    one_euro_beta: float = Field(100.0, ge=0)
    one_euro_d_cutoff: float = Field(1.0, gt=0)
    mouth_interior: bool = True
    # The largest animated area (the faces' head-and-neck regions, in screen pixels) rendered
    # at full screen resolution; a bigger close-up is rendered smaller and scaled up, so it
    # stays in the frame budget on a 2-core PC. 0: no limit (for a faster machine).
    max_face_pixels: int = Field(600_000, ge=0)


_MODIFIERS = {"ctrl", "shift", "alt"}


class CuratorConfig(_Section):
    exit_keys: str = "ctrl+shift+q"
    overlay_keys: str = "ctrl+shift+c"

    # Unlocks the long press in the top-left corner of the touch screen. None = no PIN: the
    # long press opens the curator panel directly (development only).
    pin: str | None = None

    @field_validator("pin", mode="before")
    @classmethod
    def _pin(cls, v: object) -> object:
        if v is None:
            return v
        if not isinstance(v, str):
            raise ValueError(
                'write the PIN in quotes, e.g. pin: "4821" (YAML reads 0123 as a number)'
            )
        if not re.fullmatch(r"[0-9]{4,8}", v):
            raise ValueError("curator PIN must be 4 to 8 digits (0-9), e.g. '4821'")
        return v

    @field_validator("exit_keys", "overlay_keys")
    @classmethod
    def _chord(cls, v: str) -> str:
        parts = v.lower().replace(" ", "").split("+")
        if not parts[-1] or any(p not in _MODIFIERS for p in parts[:-1]) or parts[-1] in _MODIFIERS:
            raise ValueError("write a key chord like 'ctrl+shift+q' (modifiers: ctrl, shift, alt)")
        return "+".join(parts)


class LimitsConfig(_Section):
    max_image_pixels: int = Field(40_000_000, gt=0)
    max_image_bytes: int = Field(100_000_000, gt=0)


class OpsConfig(_Section):
    """Operations: local metrics, status file, logs."""

    metrics_enabled: bool = True
    metrics_address: str = "127.0.0.1"
    metrics_port: int = Field(9108, ge=1, le=65535)
    status_file: Path = Path("var/status.json")
    status_interval_s: float = Field(5.0, gt=0)
    log_dir: Path | None = Path("var/log")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_max_bytes: int = Field(5_000_000, ge=10_000)
    log_backups: int = Field(5, ge=0, le=50)

    @field_validator("metrics_address")
    @classmethod
    def _loopback(cls, v: str) -> str:
        from kiosk.ops.metrics import check_loopback

        return check_loopback(v)


class OpeningHoursConfig(_Section):
    """When the kiosk is awake; outside these hours the screen is black and the CPU idles."""

    days: dict[str, Any] | None = None  # None = always open; {"mon": "10:00-18:00", ...}
    wake_on_touch_s: float = Field(300.0, ge=0)
    sleep_poll_s: float = Field(1.0, gt=0, le=4.0)  # stays below the watchdog ping interval

    @field_validator("days")
    @classmethod
    def _days(cls, v: dict[str, Any] | None) -> dict[str, Any] | None:
        from kiosk.ops.hours import OpeningHours

        OpeningHours.from_mapping(v)  # raises HoursError (a ValueError) naming the day
        return v


class KioskConfig(_Section):
    """Every setting of the kiosk. Build with load_config(); frozen once built."""

    schema_version: Literal[1] = 1
    paths: PathsConfig = PathsConfig()
    display: DisplayConfig = DisplayConfig()
    camera: CameraConfig = CameraConfig()
    timeouts: TimeoutsConfig = TimeoutsConfig()
    engine: EngineConfig = EngineConfig()
    curator: CuratorConfig = CuratorConfig()
    limits: LimitsConfig = LimitsConfig()
    ops: OpsConfig = OpsConfig()
    opening_hours: OpeningHoursConfig = OpeningHoursConfig()

    def resolved(self, base_dir: Path) -> KioskConfig:
        """A copy whose relative paths are made absolute against base_dir."""
        base = Path(base_dir).absolute()

        def fix(p: Path) -> Path:
            return Path(os.path.normpath(base / p.expanduser()))

        paths = self.paths.model_copy(
            update={
                "exhibits": fix(self.paths.exhibits),
                "content": fix(self.paths.content),
                "cache": fix(self.paths.cache),
            }
        )
        video = fix(self.camera.video) if self.camera.video is not None else None
        camera = self.camera.model_copy(update={"video": video})
        log_dir = fix(self.ops.log_dir) if self.ops.log_dir is not None else None
        ops = self.ops.model_copy(
            update={"status_file": fix(self.ops.status_file), "log_dir": log_dir}
        )
        return self.model_copy(update={"paths": paths, "camera": camera, "ops": ops})


def load_config(path: Path | None) -> KioskConfig:
    """Load and validate config.yaml; paths in the result are absolute.

    None means "all defaults", relative to the working directory. A missing file also gives
    the defaults (relative to the folder it was expected in), with a warning.
    """
    if path is None:
        return KioskConfig().resolved(Path.cwd())
    path = Path(path)
    if not path.exists():
        log.warning("%s not found; using the default settings", display_path(path))
        return KioskConfig().resolved(path.absolute().parent)
    raw = read_yaml_mapping(path, ConfigError)
    if "schema_version" in raw and raw["schema_version"] != CONFIG_SCHEMA_VERSION:
        raise ConfigError(
            path,
            "schema_version",
            f"this kiosk reads version {CONFIG_SCHEMA_VERSION} "
            f"(got {_show(raw['schema_version'])}); update the kiosk or the file",
        )
    try:
        config = KioskConfig.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(
            path, problems=validation_problems(exc, KioskConfig, display_path(path))
        ) from exc
    return config.resolved(path.absolute().parent)
