"""Kiosk configuration (config.yaml): one validated, frozen options object for the whole app.

The messages it gives (file, dotted key, what to do) come from kiosk.problems, shared with
every other file a curator or operator edits; the file is read by kiosk.safe_yaml.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
)

from kiosk.opening_hours import OpeningHours

# The vocabulary of every file a person edits lives below this module; Problem, ContentError,
# display_path and validation_problems are re-exported for the modules that import them here.
from kiosk.problems import ContentError, Problem, display_path, validation_problems  # noqa: F401
from kiosk.problems import show_value as _show
from kiosk.safe_yaml import read_yaml_mapping

log = logging.getLogger(__name__)

CONFIG_SCHEMA_VERSION = 1


class ConfigError(ContentError):
    """config.yaml is unreadable or invalid."""


# --------------------------------------------------------------------------- the config


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# The largest side of a window or camera image: 8K UHD. A 30000 x 30000 window stalled the
# kiosk at start-up instead of failing.
MAX_SIDE = 7680


def _check_size(v: tuple[int, int]) -> tuple[int, int]:
    if v[0] <= 0 or v[1] <= 0:
        raise ValueError("width and height must both be positive, e.g. [1920, 1080]")
    if v[0] > MAX_SIDE or v[1] > MAX_SIDE:
        raise ValueError(
            f"width and height must each be at most {MAX_SIDE} (8K), e.g. [1920, 1080]"
        )
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


# Older config files have one key, timeouts.camera_stale_s, for two things: it still sets each
# of the two keys that replace it which the file does not give (load_config notes it in the log).
OLD_CAMERA_STALE_KEY = "camera_stale_s"
CAMERA_STALE_REPLACED_BY = ("camera_reopen_s", "visitor_gone_s")


def _or_old_camera_stale(key: str) -> AliasChoices:
    return AliasChoices(key, OLD_CAMERA_STALE_KEY)


class TimeoutsConfig(_Section):
    """Seconds. The director's, the live motion's and the idle clips' settings come from here."""

    visitor_enter_s: float = Field(0.3, ge=0)
    visitor_leave_s: float = Field(2.0, ge=0)
    # The newest tracked camera frame older than this (a frozen or vanished camera): nobody
    # is seen, so the director counts the visitor as gone.
    visitor_gone_s: float = Field(
        2.0, gt=0, validation_alias=_or_old_camera_stale("visitor_gone_s")
    )
    # Unseen this long: the next face is a new visitor, whose own neutral face is measured. Not
    # below half a second: a tracker's brief dropout must not make the visitor a stranger.
    visitor_forget_s: float = Field(1.5, ge=0.5, le=60)
    attract_exhibit_s: float = Field(40.0, gt=0)
    browse_hold_s: float = Field(60.0, ge=0, le=3600)  # after a swipe or tap, no auto-advance
    label_hide_s: float = Field(20.0, gt=0)
    crossfade_s: float = Field(0.8, ge=0)
    clip_min_play_s: float = Field(6.0, ge=0, le=600)  # short idle clips repeat to this length
    # No new camera frame this long: the camera is reopened.
    camera_reopen_s: float = Field(
        2.0, gt=0, validation_alias=_or_old_camera_stale("camera_reopen_s")
    )

    @property
    def camera_stale_s(self) -> float:
        """Deprecated, for code not yet reading camera_reopen_s or visitor_gone_s."""
        return self.camera_reopen_s


class EngineConfig(_Section):
    name: Literal["geometric"] = "geometric"
    max_yaw_deg: float = Field(20, ge=0, le=45)
    max_pitch_deg: float = Field(20, ge=0, le=45)
    max_roll_deg: float = Field(15, ge=0, le=45)
    one_euro_min_cutoff: float = Field(2.0, gt=0)
    one_euro_beta: float = Field(100.0, ge=0)
    one_euro_d_cutoff: float = Field(1.0, gt=0)
    mouth_interior: bool = True
    # Keep the face's finest texture (craquelure, grain) sharp as it moves (renderer/detail.py):
    # costs about 1 ms a frame, and the texture steps by whole pixels, which shimmers faintly
    # under a visitor standing still (stillness 0.36 px against 0.25 px). Off: it softens a
    # little when the face moves.
    sharp_texture: bool = False
    # The largest animated area (the faces' head-and-neck regions, in screen pixels) rendered
    # at full screen resolution; a bigger close-up is rendered smaller and scaled up, so it
    # stays in the frame budget on a 2-core PC. 0: no limit (for a faster machine).
    max_face_pixels: int = Field(600_000, ge=0)


class CuratorConfig(_Section):
    exit_keys: str = "ctrl+shift+q"
    overlay_keys: str = "ctrl+shift+c"
    # How long a press in the top-left corner of the touch screen is held to ask for the PIN;
    # at least a second, so that a visitor's tap there is never taken for it.
    long_press_s: float = Field(3.0, ge=1.0, le=10.0)

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
        # Key names are pygame's: checked here, so that a typo is a config error at start-up
        # and not a crash when the window opens.
        from kiosk.display.keys import normalise_key_combo

        return normalise_key_combo(v)  # ValueError names the part that is wrong


class LimitsConfig(_Section):
    """What curators' files may cost. Content is read off the display thread within these."""

    max_image_pixels: int = Field(40_000_000, gt=0)
    max_image_bytes: int = Field(100_000_000, gt=0)
    # All exhibits' decoded images together (3 bytes a pixel: 150 MP is 450 MB); an exhibit
    # that would pass it is refused with a message and the others keep running.
    max_total_image_pixels: int = Field(150_000_000, gt=0)
    max_text_file_bytes: int = Field(256_000, ge=1_000, le=10_000_000)  # one exhibit or clip file
    max_file_load_s: float = Field(2.0, gt=0, le=60)  # reading one YAML file


# Metrics are served to this machine only (kiosk.ops.metrics); the check lives here so that
# config.yaml is validated without importing the operations stage.
DEFAULT_METRICS_ADDRESS = "127.0.0.1"
DEFAULT_METRICS_PORT = 9108


def check_loopback(address: str, error: type[ValueError] = ValueError) -> str:
    """The address if it is a loopback IP (or "localhost", read as 127.0.0.1); else `error`."""
    if address == "localhost":
        return DEFAULT_METRICS_ADDRESS
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        ip = None
    if ip is None or not ip.is_loopback:
        raise error(
            f"metrics address {address!r} is not a loopback address; metrics are served only "
            f"to this machine, use {DEFAULT_METRICS_ADDRESS} (read them remotely through an "
            "SSH tunnel)"
        )
    return address


class OpsConfig(_Section):
    """Operations: local metrics, status file, logs."""

    metrics_enabled: bool = True
    metrics_address: str = DEFAULT_METRICS_ADDRESS
    metrics_port: int = Field(DEFAULT_METRICS_PORT, ge=1, le=65535)
    status_file: Path = Path("var/status.json")
    status_interval_s: float = Field(5.0, gt=0)
    log_dir: Path | None = Path("var/log")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_max_bytes: int = Field(5_000_000, ge=10_000)
    log_backups: int = Field(5, ge=0, le=50)

    @field_validator("metrics_address")
    @classmethod
    def _loopback(cls, v: str) -> str:
        return check_loopback(v)


class OpeningHoursConfig(_Section):
    """When the kiosk is awake; outside these hours the screen is black and the CPU idles."""

    days: dict[str, Any] | None = None  # None = always open; {"mon": "10:00-18:00", ...}
    wake_on_touch_s: float = Field(300.0, ge=0)
    sleep_poll_s: float = Field(1.0, gt=0, le=4.0)  # stays below the watchdog ping interval

    @field_validator("days")
    @classmethod
    def _days(cls, v: dict[str, Any] | None) -> dict[str, Any] | None:
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
    _read_old_keys(raw, path)
    try:
        config = KioskConfig.model_validate(raw)
    except ValidationError as exc:
        # dict.fromkeys: an old key that sets two fields is one problem, not two.
        problems = list(dict.fromkeys(validation_problems(exc, KioskConfig, display_path(path))))
        raise ConfigError(path, problems=problems) from exc
    config = config.resolved(path.absolute().parent)
    problems = _written_folder_problems(config, display_path(path))
    if problems:
        raise ConfigError(path, problems=problems)
    return config


def _read_old_keys(raw: dict[str, Any], path: Path) -> None:
    """A key that has been replaced is still read: say once per load what replaces it."""
    timeouts = raw.get("timeouts")
    if not isinstance(timeouts, dict) or OLD_CAMERA_STALE_KEY not in timeouts:
        return
    old = f"timeouts.{OLD_CAMERA_STALE_KEY}"
    taken = [f"timeouts.{key}" for key in CAMERA_STALE_REPLACED_BY if key not in timeouts]
    if not taken:
        raise ConfigError(path, old, "replaced by camera_reopen_s and visitor_gone_s, which are "
                          "both given here; remove it")  # fmt: skip
    log.warning("%s: %s is deprecated: it meant two things, and now sets %s; write %s instead",
                display_path(path), old, " and ".join(taken), " and ".join(taken))  # fmt: skip


def _written_folder_problems(config: KioskConfig, file: str) -> list[Problem]:
    """The places the kiosk writes must stay apart from the folders the curator fills.

    The cache, the logs and the status file may not be in (or be) paths.exhibits or
    paths.content: the content watcher would reload at every write (38 reloads in 10 s were
    seen) and the kiosk's files would land among the curator's. Nor may the curator's folders
    lie inside the cache or the log folder, which an operator may empty at any time (the status
    file's folder may hold them: the kiosk writes that one file there). Compared with symlinks
    resolved, on the paths made absolute by resolved().
    """
    ops = config.ops
    status = ops.status_file.parent.resolve() / ops.status_file.name  # replaced, not followed
    written = [  # key, the place written (resolved), may it hold the curator's folders, default
        ("paths.cache", config.paths.cache.resolve(), False, "cache"),
        ("ops.log_dir", ops.log_dir.resolve() if ops.log_dir else None, False, "var/log"),
        ("ops.status_file", status, True, "var/status.json"),
    ]
    curated = {"paths.exhibits": config.paths.exhibits, "paths.content": config.paths.content}
    problems = []
    for key, mine, may_hold, default in written:
        if mine is None:
            continue
        fix = f"e.g. {key.split('.')[-1]}: {default}"
        for curated_key, curated_folder in curated.items():
            theirs = curated_folder.resolve()
            shown = f"{curated_key} ({display_path(curated_folder)})"
            if mine.is_relative_to(theirs):
                where = "is" if mine == theirs else "is inside"
                problems.append(Problem(file, key, (
                    f"{where} {shown}: the kiosk writes there, so the content watcher would "
                    "reload at every write and the kiosk's files would mix with the curator's; "
                    f"choose a place outside the exhibit and content folders, {fix}"
                )))  # fmt: skip
            elif not may_hold and theirs.is_relative_to(mine):
                problems.append(Problem(file, key, (
                    f"holds {shown}, but this folder is the kiosk's own and may be emptied at "
                    f"any time; choose a folder apart from the exhibit and content folders, {fix}"
                )))  # fmt: skip
    return problems
