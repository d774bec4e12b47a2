"""config.yaml's sections, one validated, frozen model per stage that reads it (paths, display,
camera, timeouts, engine, attention, curator, limits, ops, opening hours, content sync, speech).

Each default is declared here once; kiosk.config assembles them into KioskConfig and loads the
file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from kiosk.language_codes import check_language_code

# Where metrics may be served (loopback, or a LAN address with an allowlist of scrapers).
from kiosk.metrics_address import (
    DEFAULT_METRICS_ADDRESS,
    DEFAULT_METRICS_PORT,
    check_metrics_address,
    metrics_networks,
)
from kiosk.opening_hours import DAYS, OpeningHours
from kiosk.wall_style import WallStyle


class Section(BaseModel):
    """A config.yaml section: unknown keys refused, frozen once built."""

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


class PathsConfig(Section):
    """Folders, relative to config.yaml's folder; load_config makes them absolute."""

    exhibits: Path = Path("exhibits")
    content: Path = Path("content")
    cache: Path = Path("cache")


class DisplayConfig(Section):
    fullscreen: bool = True
    size: Size = (1920, 1080)
    rotation: Literal[0, 90, 180, 270] = 0
    fps: int = Field(60, ge=10, le=240)
    show_notice: bool = True
    wall: WallStyle = WallStyle()  # round every painting; an exhibit's own `wall` wins


class CameraConfig(Section):
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


class TimeoutsConfig(Section):
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
    speech_blend_s: float = Field(0.2, ge=0, le=10)  # speech takes the mouth over this fast
    clip_min_play_s: float = Field(6.0, ge=0, le=600)  # short idle clips repeat to this length
    # No new camera frame this long: the camera is reopened.
    camera_reopen_s: float = Field(
        2.0, gt=0, validation_alias=_or_old_camera_stale("camera_reopen_s")
    )

    @property
    def camera_stale_s(self) -> float:
        """Deprecated, for code not yet reading camera_reopen_s or visitor_gone_s."""
        return self.camera_reopen_s


class EngineConfig(Section):
    name: Literal["geometric"] = "geometric"
    max_yaw_deg: float = Field(20, ge=0, le=45)
    max_pitch_deg: float = Field(20, ge=0, le=45)
    max_roll_deg: float = Field(15, ge=0, le=45)
    one_euro_min_cutoff: float = Field(2.0, gt=0)
    one_euro_beta: float = Field(100.0, ge=0)
    one_euro_d_cutoff: float = Field(1.0, gt=0)
    mouth_interior: bool = True
    # What shows inside an opening mouth while a visitor is followed: "visitor", their own
    # inner mouth cut from the camera frame (in memory only) and matched to the painting;
    # "drawn", the interior drawn from the painting's palette (always, without a visitor).
    mouth_interior_source: Literal["visitor", "drawn"] = "drawn"
    # Keep the face's finest texture (craquelure, grain) sharp as it moves (renderer/detail.py:
    # kiosk eval's detail 0.90 against 0.76). Off by default for its cost: about 2 ms a frame
    # for the 1080p sample's face on a 2-core PC, which the frame budget does not have there.
    sharp_texture: bool = False
    # The largest animated area (the faces' head-and-neck regions, in screen pixels) rendered
    # at full screen resolution; a bigger close-up is rendered smaller and scaled up, so it
    # stays in the frame budget on a 2-core PC. 0: no limit (for a faster machine).
    max_face_pixels: int = Field(600_000, ge=0)


class AttentionConfig(Section):
    """Eye contact: who is in view, when a visitor counts as engaged, and where the camera sits
    relative to the screen (the live gaze correction). Lengths in metres; x to the visitor's
    right as they face the screen, y down."""

    # The camera's lens relative to the screen's centre (default: on the top edge, centred).
    camera_offset_m: tuple[float, float] = (0.0, -0.36)
    screen_size_m: tuple[float, float] = (1.21, 0.68)  # the visible picture, width x height
    camera_hfov_deg: float = Field(60.0, ge=20, le=170)  # horizontal field of view
    # Engaged: a face this close, turned at most this far from the camera, moving slower than
    # this (face heights a second), for timeouts.visitor_enter_s. Passers-by are only noticed.
    engage_distance_m: float = Field(1.0, gt=0, le=10)
    engage_max_yaw_deg: float = Field(25.0, ge=0, le=90)
    engage_max_speed: float = Field(0.6, gt=0, le=20)
    # The full-range face finder (faces too small or too many for the face mesh) runs on one
    # camera frame in this many: its cost is spread, and a newcomer is seen within 0.2 s.
    people_every_frames: int = Field(6, ge=1, le=120)
    # While a visitor is engaged the others only matter once they leave (the painting notices
    # whoever is still there): the finder runs on one frame in this many (a second at 30 fps).
    people_every_frames_engaged: int = Field(30, ge=1, le=600)
    # Noticed: now and then the eyes glance away and come back.
    glance_every_s: tuple[float, float] = (4.0, 9.0)  # a random pause between glances
    glance_hold_s: float = Field(0.6, ge=0, le=10)
    # The reactions, from the clip library: the first seconds of a clip, one after another.
    greeting_clips: tuple[str, ...] = ("nod", "surprise", "gentle_smile")
    greeting_s: float = Field(2.5, ge=0, le=30)
    farewell_clips: tuple[str, ...] = ("nod",)
    farewell_s: float = Field(2.0, ge=0, le=30)

    @field_validator("glance_every_s")
    @classmethod
    def _interval(cls, v: tuple[float, float]) -> tuple[float, float]:
        if not 0 < v[0] <= v[1]:
            raise ValueError("give [shortest, longest] seconds, 0 < shortest <= longest")
        return v


class CuratorConfig(Section):
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


class LimitsConfig(Section):
    """What curators' files may cost. Content is read off the display thread within these."""

    max_image_pixels: int = Field(40_000_000, gt=0)
    max_image_bytes: int = Field(100_000_000, gt=0)
    # All exhibits' decoded images together (3 bytes a pixel: 150 MP is 450 MB); an exhibit
    # that would pass it is refused with a message and the others keep running.
    max_total_image_pixels: int = Field(150_000_000, gt=0)
    max_text_file_bytes: int = Field(256_000, ge=1_000, le=10_000_000)  # one exhibit or clip file
    max_file_load_s: float = Field(2.0, gt=0, le=60)  # reading one YAML file


class OpsConfig(Section):
    """Operations: local metrics, status file, logs."""

    metrics_enabled: bool = True
    # Fleet (deploy/fleet): the scrapers allowed to read the metrics, as addresses or networks
    # (10.20.0.5, 10.20.0.0/28), checked for every connection. Empty = anyone who can reach
    # metrics_address, which must then be loopback; a LAN metrics_address needs this list.
    # (Declared before metrics_address, whose check reads it.)
    metrics_allow: tuple[str, ...] = ()
    metrics_address: str = DEFAULT_METRICS_ADDRESS
    metrics_port: int = Field(DEFAULT_METRICS_PORT, ge=1, le=65535)
    status_file: Path = Path("var/status.json")
    status_interval_s: float = Field(5.0, gt=0)
    log_dir: Path | None = Path("var/log")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_max_bytes: int = Field(5_000_000, ge=10_000)
    log_backups: int = Field(5, ge=0, le=50)

    @field_validator("metrics_allow")
    @classmethod
    def _allow(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        metrics_networks(v)  # ValueError names the entry
        return v

    @field_validator("metrics_address")
    @classmethod
    def _address(cls, v: str, info: ValidationInfo) -> str:
        # Loopback, or a named LAN address together with metrics_allow.
        return check_metrics_address(v, info.data.get("metrics_allow", ()))


class OpeningHoursConfig(Section):
    """When the kiosk is awake; outside these hours the screen is black and the CPU idles."""

    days: dict[str, Any] | None = None  # None = always open; {"mon": "10:00-18:00", ...}
    wake_on_touch_s: float = Field(300.0, ge=0)
    sleep_poll_s: float = Field(1.0, gt=0, le=4.0)  # stays below the watchdog ping interval

    @field_validator("days")
    @classmethod
    def _days(cls, v: dict[str, Any] | None) -> dict[str, Any] | None:
        OpeningHours.from_mapping(v)  # raises HoursError (a ValueError) naming the day
        return v


class ContentSyncConfig(Section):
    """Fleet: exhibits and content pulled from the museum's git repository (`kiosk content
    sync`, run by a systemd timer from deploy/fleet). Each revision is checked before it is
    shown; paths.exhibits and paths.content then point into root/current/ (a symlink)."""

    repository: str | None = None  # git URL or local path; None = no sync
    branch: str = Field("main", pattern=r"^[A-Za-z0-9._/-]{1,100}$")
    root: Path = Path("var/content-sync")  # revisions/, the current symlink, state.json
    keep_revisions: int = Field(5, ge=2, le=50)  # checked revisions kept for rollback
    check_timeout_s: float = Field(900.0, gt=0, le=7200)  # `kiosk check` of one revision
    max_bytes: int = Field(4_000_000_000, gt=0)  # one revision's files, unpacked


class SpeechConfig(Section):
    """The painting speaks its label (kiosk.speech): languages, voices, volume, when."""

    enabled: bool = True
    # Languages offered on the label panel, in button order; the first shown is `default`.
    languages: tuple[str, ...] = Field(("en",), min_length=1, max_length=8)
    default: str = "en"
    # Language -> voice: "bundled" (the English voice installed with the kiosk) or the file
    # name of a Piper voice in voices_dir (e.g. de_DE-thorsten-medium.onnx, with its
    # .onnx.json beside it). A language without a voice shows captions only.
    voices: dict[str, str] = Field(default_factory=lambda: {"en": "bundled"}, max_length=32)
    voices_dir: Path = Path("models/voices")
    volume: float = Field(0.8, ge=0, le=1)
    # Days and hours with no sound (captions still shown), e.g. {"mon": "10:00-11:00"};
    # days not listed are not muted. Same format as opening_hours.days.
    muted_hours: dict[str, str] | None = None
    greet: bool = False  # true: the label is spoken when a visitor arrives; false: on Listen
    mouth_lead_s: float = Field(0.04, ge=-0.1, le=0.2)  # the mouth moves this much before sound
    cache_max_mb: int = Field(200, ge=1, le=10_000)  # synthesised speech kept under cache/speech

    @field_validator("languages")
    @classmethod
    def _languages(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        for code in v:
            check_language_code(code)
        if len(set(v)) != len(v):
            raise ValueError("a language is listed twice; list each once")
        return v

    @field_validator("muted_hours")
    @classmethod
    def _muted(cls, v: dict[str, str] | None) -> dict[str, str] | None:
        muted_schedule(v)  # raises HoursError (a ValueError) naming the day
        return v

    @model_validator(mode="after")
    def _default_offered(self) -> SpeechConfig:
        if self.default not in self.languages:
            raise ValueError(
                f"default {self.default!r} is not in languages {list(self.languages)}; "
                "add it there or choose one of them"
            )
        return self


def muted_schedule(days: dict[str, str] | None) -> OpeningHours:
    """speech.muted_hours as a schedule whose "open" hours are the muted ones."""
    if not days:
        return OpeningHours.from_mapping({d: "closed" for d in DAYS})
    return OpeningHours.from_mapping({**{d: "closed" for d in DAYS}, **days})
