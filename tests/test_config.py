import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from kiosk.config import ConfigError, KioskConfig, load_config

REPO = Path(__file__).resolve().parents[1]


def test_none_gives_defaults_relative_to_cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = load_config(None)
    assert config.display.rotation == 0
    assert config.limits.max_image_pixels == 40_000_000
    assert config.paths.exhibits == tmp_path / "exhibits"
    assert config.camera.video is None


def test_missing_and_empty_files_give_defaults(tmp_path):
    assert load_config(tmp_path / "nope.yaml").paths.content == tmp_path / "content"
    empty = tmp_path / "config.yaml"
    empty.write_text("")
    assert load_config(empty) == KioskConfig().resolved(tmp_path)


def test_full_file_paths_resolved_against_config_folder(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text(
        "schema_version: 1\n"
        "paths: {exhibits: ex, content: ../shared/content, cache: /var/cache/kiosk}\n"
        "display: {fullscreen: false, size: [800, 600], rotation: 90, fps: 30}\n"
        "camera: {device: 2, video: clips/me.mp4}\n"
        "timeouts: {visitor_leave_s: 5}\n"
        "engine: {name: geometric, max_yaw_deg: 25, mouth_interior: false}\n"
        "curator: {exit_keys: Ctrl+Alt+X}\n"
        "limits: {max_image_pixels: 1000}\n")
    c = load_config(path)
    assert c.paths.exhibits == tmp_path / "ex"
    assert c.paths.content == tmp_path.parent / "shared" / "content"
    assert c.paths.cache == Path("/var/cache/kiosk")
    assert c.camera.video == tmp_path / "clips" / "me.mp4"
    assert c.display.size == (800, 600) and c.display.rotation == 90
    assert c.timeouts.visitor_leave_s == 5.0 and c.engine.max_yaw_deg == 25
    assert c.curator.exit_keys == "ctrl+alt+x"


def test_shipped_config_sets_every_key_to_its_default():
    config = load_config(REPO / "config.yaml")
    assert config == KioskConfig().resolved(REPO)
    text = (REPO / "config.yaml").read_text()
    for section in KioskConfig.model_fields:
        assert f"{section}:" in text
        sub = getattr(KioskConfig(), section)
        for key in getattr(type(sub), "model_fields", {}):
            assert f"  {key}:" in text, f"config.yaml lacks {section}.{key}"


@pytest.mark.parametrize("text, key, words", [
    ("display: {rotation: 45}\n", "display.rotation", "Input should be 0, 90, 180 or 270"),
    ("display: {fps: 1000}\n", "display.fps", "must be between 10 and 240 (got 1000)"),
    ("colour: red\n", "colour", "unknown key (allowed: schema_version, paths"),
    ("display: {fulscreen: false}\n", "display.fulscreen", "unknown key (allowed: fullscreen"),
    ("camera: {size: [0, 480]}\n", "camera.size", "must both be positive"),
    ("engine: {name: neural}\n", "engine.name", "Input should be 'geometric'"),
    ("curator: {exit_keys: q+ctrl}\n", "curator.exit_keys", "ctrl+shift+q"),
    ("curator: {exit_keys: ctrl+shift+notakey}\n", "curator.exit_keys",
     "'notakey' is not a key name"),
    ("curator: {overlay_keys: ctrl+}\n", "curator.overlay_keys", "ctrl+shift+q"),
    ("display: {size: [30000, 30000]}\n", "display.size", "each be at most 7680"),
    ("camera: {size: [640, 100000]}\n", "camera.size", "each be at most 7680"),
    ("schema_version: 2\n", "schema_version", "reads version 1 (got 2)"),
    ("ops: {metrics_address: 0.0.0.0}\n", "ops.metrics_address",
     "'0.0.0.0' is not a loopback address; use 127.0.0.1 (this machine only; read them "
     "remotely through an SSH tunnel), or give ops.metrics_allow"),
    ("opening_hours: {days: {mon: closed}}\n", "opening_hours.days",
     "tue: missing; give every day a range like '10:00-18:00' or 'closed'"),
    ("opening_hours: {days: {monday: closed}}\n", "opening_hours.days", "'monday' is not a day"),
    ("timeouts: {visitor_forget_s: 0.1}\n", "timeouts.visitor_forget_s",
     "must be between 0.5 and 60 (got 0.1)"),
    ("timeouts: {browse_hold_s: -1}\n", "timeouts.browse_hold_s", "between 0 and 3600 (got -1)"),
    ("timeouts: {clip_min_play_s: 1000}\n", "timeouts.clip_min_play_s", "between 0 and 600"),
    ("timeouts: {camera_reopen_s: 0}\n", "timeouts.camera_reopen_s", "greater than 0 (got 0)"),
    ("timeouts: {visitor_gone_s: 0}\n", "timeouts.visitor_gone_s", "greater than 0 (got 0)"),
    ("curator: {long_press_s: 0.2}\n", "curator.long_press_s", "between 1.0 and 10.0 (got 0.2)"),
])
def test_bad_values_name_file_and_key(tmp_path, text, key, words):
    path = tmp_path / "config.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.key == key
    assert str(info.value).startswith(f"{info.value.file}: {key}: ")
    assert info.value.file.endswith("config.yaml")
    assert words in info.value.message


def test_config_validates_without_the_stages_above_it(tmp_path):
    """Config is the vocabulary the stages read: checking the metrics address and the opening
    hours must not import the operations stage."""
    path = tmp_path / "config.yaml"
    path.write_text(
        "ops: {metrics_address: localhost}\n"
        "opening_hours: {days: {mon: closed, tue: closed, wed: closed, thu: closed,"
        " fri: closed, sat: closed, sun: '10:00-18:00'}}\n"
    )
    script = (
        "import sys; from pathlib import Path; from kiosk.config import load_config; "
        f"config = load_config(Path({str(path)!r})); "
        "print(config.ops.metrics_address, sorted(m for m in sys.modules "
        "if m.startswith('kiosk.ops')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert result.stdout.split() == ["127.0.0.1", "[]"]


def test_yaml_syntax_error_and_non_mapping(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("display:\n  fps: 30\n  size: [1, 2\n")
    with pytest.raises(ConfigError, match=r"config.yaml: YAML syntax error at line \d"):
        load_config(path)
    path.write_text("- a\n- b\n")
    with pytest.raises(ConfigError, match="must be a mapping"):
        load_config(path)
    path.write_text("display: {}\ndisplay: {}\n")
    with pytest.raises(ConfigError, match="appears twice"):
        load_config(path)


def test_config_is_frozen():
    config = KioskConfig()
    with pytest.raises(ValidationError):
        config.display.fps = 5  # type: ignore[misc]


def test_key_chords_are_kept_in_one_spelling(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("curator: {exit_keys: 'Ctrl + Shift + F12', overlay_keys: alt+page up}\n")
    curator = load_config(path).curator
    assert (curator.exit_keys, curator.overlay_keys) == ("ctrl+shift+f12", "alt+page up")


def test_the_largest_screen_side_is_accepted(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("display: {size: [7680, 4320]}\n")
    assert load_config(path).display.size == (7680, 4320)


# -- the folders the kiosk writes stay apart from the curator's ---------------------------


@pytest.mark.parametrize("text, key, words", [
    ("ops: {status_file: exhibits/status.json}", "ops.status_file", "is inside paths.exhibits"),
    ("ops: {status_file: content/var/s.json}", "ops.status_file", "is inside paths.content"),
    ("ops: {log_dir: exhibits}", "ops.log_dir", "is paths.exhibits"),
    ("ops: {log_dir: content/log}", "ops.log_dir", "is inside paths.content"),
    ("paths: {cache: exhibits/.cache}", "paths.cache", "is inside paths.exhibits"),
    ("paths: {cache: content}", "paths.cache", "is paths.content"),
    ("paths: {cache: .}", "paths.cache", "holds paths.exhibits"),
    ("paths: {exhibits: var/log/ex}", "ops.log_dir", "holds paths.exhibits"),
])
def test_a_written_folder_among_the_curators_is_refused(tmp_path, text, key, words):
    path = tmp_path / "config.yaml"
    path.write_text(text + "\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert info.value.key == key
    assert words in info.value.message
    assert "outside the exhibit and content folders" in info.value.message or (
        "apart from the exhibit and content folders" in info.value.message
    )


def test_written_folders_are_compared_with_symlinks_resolved(tmp_path):
    (tmp_path / "exhibits" / "cache").mkdir(parents=True)
    (tmp_path / "rigs").symlink_to(tmp_path / "exhibits" / "cache")
    path = tmp_path / "config.yaml"
    path.write_text("paths: {cache: rigs}\n")
    with pytest.raises(ConfigError, match="paths.cache: is inside paths.exhibits"):
        load_config(path)


def test_the_status_file_may_sit_beside_the_curators_folders(tmp_path):
    """Its folder may hold exhibits/: the kiosk writes that one file there, nothing else."""
    path = tmp_path / "config.yaml"
    path.write_text("ops: {status_file: status.json, log_dir: null}\n")
    config = load_config(path)
    assert config.ops.status_file == tmp_path / "status.json" and config.ops.log_dir is None


# -- keys of older files ----------------------------------------------------------------------


def test_the_old_camera_stale_key_sets_both_of_its_meanings(tmp_path, caplog):
    path = tmp_path / "config.yaml"
    path.write_text("timeouts: {camera_stale_s: 1.0}\n")
    timeouts = load_config(path).timeouts
    assert (timeouts.camera_reopen_s, timeouts.visitor_gone_s) == (1.0, 1.0)
    [record] = [r for r in caplog.records if "camera_stale_s" in r.getMessage()]
    assert record.levelname == "WARNING"
    assert record.getMessage().endswith(
        "config.yaml: timeouts.camera_stale_s is deprecated: it meant two things, and now sets "
        "timeouts.camera_reopen_s and timeouts.visitor_gone_s; write timeouts.camera_reopen_s "
        "and timeouts.visitor_gone_s instead"
    )


def test_a_new_key_given_beside_the_old_one_wins_over_it(tmp_path, caplog):
    path = tmp_path / "config.yaml"
    path.write_text("timeouts: {camera_stale_s: 1.0, visitor_gone_s: 3.0}\n")
    timeouts = load_config(path).timeouts
    assert (timeouts.camera_reopen_s, timeouts.visitor_gone_s) == (1.0, 3.0)
    assert "now sets timeouts.camera_reopen_s; write" in caplog.text
    path.write_text("timeouts: {camera_stale_s: 1.0, visitor_gone_s: 3.0, camera_reopen_s: 4}\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value).endswith(
        "config.yaml: timeouts.camera_stale_s: replaced by camera_reopen_s and visitor_gone_s, "
        "which are both given here; remove it"
    )


def test_a_bad_old_key_is_one_problem_under_its_own_name(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_text("timeouts: {camera_stale_s: -1}\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert [(p.key, p.message) for p in info.value.problems] == [
        ("timeouts.camera_stale_s", "Input should be greater than 0 (got -1)")
    ]


def test_the_shipped_config_has_no_old_keys(caplog):
    load_config(REPO / "config.yaml")
    assert "deprecated" not in caplog.text and "camera_stale_s" not in caplog.text
