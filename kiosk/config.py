"""Kiosk configuration (config.yaml): one validated, frozen options object for the whole app.

The messages it gives (file, dotted key, what to do) come from kiosk.problems, shared with
every other file a curator or operator edits; the file is read by kiosk.safe_yaml.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from kiosk.config_sections import (  # noqa: F401 (the sections are imported from here too)
    CAMERA_STALE_REPLACED_BY,
    MAX_SIDE,
    OLD_CAMERA_STALE_KEY,
    AttentionConfig,
    CameraConfig,
    ContentSyncConfig,
    CuratorConfig,
    DisplayConfig,
    EngineConfig,
    LimitsConfig,
    OpeningHoursConfig,
    OpsConfig,
    PathsConfig,
    Section,
    SpeechConfig,
    TimeoutsConfig,
    muted_schedule,
)

# Where metrics may be served (loopback, or a LAN address with an allowlist of scrapers); the
# checks live below config so that config.yaml is validated without the operations stage.
from kiosk.metrics_address import (  # noqa: F401 (check_loopback re-exported)
    DEFAULT_METRICS_ADDRESS,
    DEFAULT_METRICS_PORT,
    check_loopback,
    check_metrics_address,
    metrics_networks,
)

# The vocabulary of every file a person edits lives below this module; Problem, ContentError,
# display_path and validation_problems are re-exported for the modules that import them here.
from kiosk.problems import ContentError, Problem, display_path, validation_problems  # noqa: F401
from kiosk.problems import show_value as _show
from kiosk.safe_yaml import read_yaml_mapping

log = logging.getLogger(__name__)

CONFIG_SCHEMA_VERSION = 1


class ConfigError(ContentError):
    """config.yaml is unreadable or invalid."""


class KioskConfig(Section):
    """Every setting of the kiosk. Build with load_config(); frozen once built."""

    schema_version: Literal[1] = 1
    paths: PathsConfig = PathsConfig()
    display: DisplayConfig = DisplayConfig()
    camera: CameraConfig = CameraConfig()
    timeouts: TimeoutsConfig = TimeoutsConfig()
    engine: EngineConfig = EngineConfig()
    attention: AttentionConfig = AttentionConfig()
    curator: CuratorConfig = CuratorConfig()
    limits: LimitsConfig = LimitsConfig()
    ops: OpsConfig = OpsConfig()
    opening_hours: OpeningHoursConfig = OpeningHoursConfig()
    content_sync: ContentSyncConfig = ContentSyncConfig()
    speech: SpeechConfig = SpeechConfig()

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
        content_sync = self.content_sync.model_copy(update={"root": fix(self.content_sync.root)})
        speech = self.speech.model_copy(update={"voices_dir": fix(self.speech.voices_dir)})
        return self.model_copy(
            update={
                "paths": paths, "camera": camera, "ops": ops, "content_sync": content_sync,
                "speech": speech,
            }
        )


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
