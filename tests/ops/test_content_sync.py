"""Content sync without a running kiosk: what a hostile or unreachable repository does, and
rollback's edges. (The whole story against a running kiosk: tests/system/test_content_sync.py.)"""

from __future__ import annotations

import fcntl
import os
import shutil
from pathlib import Path

import pytest

from kiosk.config import load_config
from kiosk.ops.content_state import read_state
from kiosk.ops.content_sync import ContentSync, SyncError
from tests.system.test_content_sync import commit_exhibit, git

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")


def make_sync(tmp_path: Path, repository: Path | str, **settings: object) -> ContentSync:
    extra = "".join(f", {k}: {v}" for k, v in settings.items())
    (tmp_path / "config.yaml").write_text(
        f"content_sync: {{repository: '{repository}', root: sync{extra}}}\n"
        "paths: {exhibits: sync/current/exhibits, content: sync/current/content}\n"
    )
    return ContentSync(load_config(tmp_path / "config.yaml"))


@pytest.fixture
def museum(tmp_path: Path) -> Path:
    repo = tmp_path / "museum"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    return repo


def test_an_unreachable_repository_is_recorded_and_nothing_changes(tmp_path: Path) -> None:
    sync = make_sync(tmp_path, tmp_path / "no-such-repository")
    result = sync.sync()
    assert not result.ok
    assert result.message.startswith("fetch failed, still showing nothing: git: ")
    state = read_state(sync.layout.state_file)
    assert state.last_fetch_ok is False and "no-such-repository" in state.last_fetch_error
    assert not sync.layout.current.exists()


def test_a_link_out_of_the_repository_is_refused(tmp_path: Path, museum: Path) -> None:
    commit_exhibit(museum, "hopper", "grace_hopper.jpg")
    (museum / "content" / "secrets").symlink_to("/etc")
    git(museum, "add", "-A")
    git(museum, "commit", "-q", "-m", "a link out")
    sync = make_sync(tmp_path, museum)
    result = sync.sync()
    assert not result.ok
    assert "refused" in result.message and "secrets" in result.message
    assert not sync.layout.current.exists()
    assert not sync.layout.staging.exists()


def test_a_revision_over_the_size_bound_is_refused(tmp_path: Path, museum: Path) -> None:
    commit_exhibit(museum, "hopper", "grace_hopper.jpg")  # about 60 KB
    result = make_sync(tmp_path, museum, max_bytes=10000).sync()
    assert not result.ok and "larger than content_sync.max_bytes" in result.message


def test_a_repository_without_exhibits_is_refused(tmp_path: Path, museum: Path) -> None:
    (museum / "README").write_text("not a content repository\n")
    git(museum, "add", "-A")
    git(museum, "commit", "-q", "-m", "readme")
    result = make_sync(tmp_path, museum).sync()
    assert not result.ok and "has no exhibits/ folder" in result.message


def test_rollback_with_nothing_earlier_says_so(tmp_path: Path, museum: Path) -> None:
    with pytest.raises(SyncError, match="no earlier revision"):
        make_sync(tmp_path, museum).rollback()
    with pytest.raises(SyncError, match="'abcd' is not kept; kept: none"):
        make_sync(tmp_path, museum).rollback("abcd")


def test_a_folder_left_where_the_link_goes_is_moved_aside(tmp_path: Path, museum: Path) -> None:
    revision = commit_exhibit(museum, "hopper", "grace_hopper.jpg")
    sync = make_sync(tmp_path, museum)
    (sync.layout.current / "content" / "samples").mkdir(parents=True)  # a kiosk started early
    assert sync.sync().ok
    assert os.readlink(sync.layout.current) == f"revisions/{revision}"
    assert [p.name.split("-")[0] for p in sync.layout.root.glob("unsynced-*")] == ["unsynced"]


def test_one_sync_at_a_time(tmp_path: Path, museum: Path) -> None:
    sync = make_sync(tmp_path, museum)
    sync.layout.root.mkdir(parents=True)
    with open(sync.layout.lock_file, "w") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        with pytest.raises(SyncError, match="another content sync is running"):
            sync.sync()
