"""ContentWatcher follows a watched folder that is swapped out from under it.

Real folders, real watchdog observer, real time: each swap must be reported within
SWAP_DEADLINE_S, and afterwards an edit in the new folder must be reported too (the watch
moved to it) while an edit in the old one is not (the old watch is gone).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from kiosk.exhibits.watcher import ContentWatcher
from tests.exhibits.test_hot_reload import wait_for_poll

SWAP_DEADLINE_S = 1.5
# Long enough for any report still pending from the swap to come out (the follower's
# identity check plus the debounce), so the next assertion is about the next change only.
SETTLE_S = 0.75


def settle(watcher: ContentWatcher) -> None:
    """Wait until the watcher has been quiet for SETTLE_S (a swap can report twice)."""
    for _ in range(10):
        if not wait_for_poll(watcher, deadline_s=SETTLE_S):
            return
    pytest.fail("the watcher kept reporting changes with nothing changing")


def folder_with_file(path: Path) -> Path:
    path.mkdir(parents=True)
    (path / "one.yaml").write_text("id: one\n", encoding="utf-8")
    return path


def link(target: Path, at: Path) -> None:
    """Point the symlink `at` at target atomically, replacing whatever link is there."""
    tmp = at.with_name(at.name + ".tmp")
    tmp.symlink_to(target, target_is_directory=True)
    os.replace(tmp, at)


@dataclass(frozen=True)
class Swap:
    """A way to publish content: the starting state, and the change that replaces it."""

    name: str
    before: Callable[[Path], None]
    # Replaces the content at root/"exhibits"; returns (the new folder, the old one if it
    # still exists).
    swap: Callable[[Path], tuple[Path, Path | None]]


def start_with_folder(root: Path) -> None:
    folder_with_file(root / "exhibits")


def start_with_symlink(root: Path) -> None:
    link(folder_with_file(root / "releases" / "v1"), root / "exhibits")


def start_with_nothing(root: Path) -> None:
    pass


def delete_and_recreate(root: Path) -> tuple[Path, Path | None]:
    # On ext4 the new folder usually gets the old one's inode back: only the deletion event
    # tells the watcher its watch is dead.
    shutil.rmtree(root / "exhibits")
    return folder_with_file(root / "exhibits"), None


def rename_swap(root: Path) -> tuple[Path, Path | None]:
    new = folder_with_file(root / "exhibits.new")
    os.rename(root / "exhibits", root / "exhibits.old")
    os.rename(new, root / "exhibits")
    return root / "exhibits", root / "exhibits.old"


def replace_by_symlink(root: Path) -> tuple[Path, Path | None]:
    release = folder_with_file(root / "releases" / "v1")
    shutil.rmtree(root / "exhibits")
    (root / "exhibits").symlink_to(release, target_is_directory=True)
    return release, None


def repoint_symlink(root: Path) -> tuple[Path, Path | None]:
    release = folder_with_file(root / "releases" / "v2")
    link(release, root / "exhibits")
    return release, root / "releases" / "v1"


def create_late(root: Path) -> tuple[Path, Path | None]:
    return folder_with_file(root / "exhibits"), None


SWAPS = [
    Swap("delete and recreate", start_with_folder, delete_and_recreate),
    Swap("rename swap", start_with_folder, rename_swap),
    Swap("replace by symlink", start_with_folder, replace_by_symlink),
    Swap("re-point symlink by rename", start_with_symlink, repoint_symlink),
    Swap("absent at start", start_with_nothing, create_late),
]


@pytest.mark.parametrize("case", SWAPS, ids=[s.name for s in SWAPS])
def test_a_swapped_folder_is_reported_and_then_watched(tmp_path, case):
    case.before(tmp_path)
    with ContentWatcher([tmp_path / "exhibits"], debounce_s=0.05) as watcher:
        assert not wait_for_poll(watcher, deadline_s=0.3)
        new, old = case.swap(tmp_path)
        assert wait_for_poll(watcher, deadline_s=SWAP_DEADLINE_S), "the swap was not reported"
        settle(watcher)

        (new / "two.yaml").write_text("id: two\n", encoding="utf-8")
        assert wait_for_poll(watcher, deadline_s=SWAP_DEADLINE_S), "the new folder is not watched"
        if old is not None:
            settle(watcher)
            (old / "stale.yaml").write_text("id: stale\n", encoding="utf-8")
            assert not wait_for_poll(watcher, deadline_s=SETTLE_S), "the old folder is watched"


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def inotify_watches() -> int:
    """Kernel inotify watches this process holds (one 'inotify wd:' line per watch)."""
    count = 0
    for fd in os.listdir("/proc/self/fdinfo"):
        try:
            text = Path("/proc/self/fdinfo", fd).read_text()
        except OSError:  # the fd closed while listing
            continue
        count += text.count("inotify wd:")
    return count


@pytest.mark.skipif(not Path("/proc/self/fdinfo").is_dir(), reason="needs Linux /proc")
def test_hundreds_of_swaps_do_not_grow_threads_fds_or_watches(tmp_path):
    exhibits = folder_with_file(tmp_path / "exhibits")
    (exhibits / "sub").mkdir()  # recursive: every swap re-adds a watch per subfolder
    spare = tmp_path / "spare"
    shutil.copytree(exhibits, spare)
    parked = tmp_path / "parked"

    def swap() -> None:
        os.rename(exhibits, parked)
        os.rename(spare, exhibits)
        os.rename(parked, spare)

    with ContentWatcher([exhibits], debounce_s=0.01, identity_check_s=0.01) as watcher:
        swap()  # warm-up: anything created lazily on the first swap is counted as baseline
        assert wait_for_poll(watcher, deadline_s=SWAP_DEADLINE_S)
        before = (threading.active_count(), open_fds(), inotify_watches())
        for i in range(200):
            swap()
            assert wait_for_poll(watcher, deadline_s=SWAP_DEADLINE_S), f"swap {i} missed"
        after = (threading.active_count(), open_fds(), inotify_watches())
    assert after[0] <= before[0] + 1, f"threads {before[0]} -> {after[0]}"
    assert after[1] <= before[1] + 2, f"open fds {before[1]} -> {after[1]}"
    assert after[2] <= before[2], f"inotify watches {before[2]} -> {after[2]}"
