"""Content sync: a kiosk follows the museum's content repository (git), one checked revision
at a time, and can go back to the previous one with one command.

Under root (config content_sync.root):

    repository.git/     a bare mirror of the museum's repository (fetched, never worked in)
    staging/            the revision being checked: `git archive` unpacked, then `kiosk check`
    revisions/<sha>/    revisions that passed the check (the newest keep_revisions)
    current             symlink -> revisions/<sha>; paths.exhibits and paths.content point
                        into it, and the running kiosk's watcher follows it when it is re-pointed
    state.json          what is live, the earlier good revisions, the last check (content_state)

A revision goes live only after `kiosk check` passed on it, by renaming a new symlink over
`current` (atomic: the kiosk sees the old revision or the new one, never a mix). A revision
that fails stays out, and is not checked again until the branch moves on; the kiosk keeps
showing the last good one. A rollback re-points `current` at the previous good revision and
holds it there until a new commit arrives on the branch.

The repository is untrusted content: git runs with a timeout and no prompts, its files are
unpacked with tarfile's "data" filter (no links out of the folder, no devices) within a size
bound, and the check runs in its own process with a timeout.
"""

from __future__ import annotations

import fcntl
import logging
import os
import shutil
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import yaml

from kiosk.config import KioskConfig
from kiosk.ops.content_state import STATE_FILE, SyncState, read_state, write_state

log = logging.getLogger(__name__)

GIT_TIMEOUT_S = 300.0  # one fetch or archive; a hung remote must not hold the timer forever
_MAX_FILES = 100_000  # in one revision
_GIT_ENV = {"GIT_TERMINAL_PROMPT": "0", "GIT_ASKPASS": "true", "LC_ALL": "C"}


class SyncError(RuntimeError):
    """The sync could not do what was asked; the message says why and what to do."""


@dataclass(frozen=True)
class SyncResult:
    """What one command did: `ok` False means a person should look (exit code 1)."""

    ok: bool
    message: str


class SyncLayout:
    """The places under the sync root (see the module docstring)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.mirror = self.root / "repository.git"
        self.staging = self.root / "staging"
        self.revisions = self.root / "revisions"
        self.current = self.root / "current"
        self.state_file = self.root / STATE_FILE
        self.check_config = self.root / "check-config.yaml"
        self.lock_file = self.root / ".lock"

    def revision_dir(self, revision: str) -> Path:
        return self.revisions / revision

    def live_revision(self) -> str | None:
        """The revision `current` points at, or None."""
        if not self.current.is_symlink():
            return None
        return Path(os.readlink(self.current)).name


class ContentSync:
    """`kiosk content sync|rollback|status` for one kiosk's config."""

    def __init__(self, config: KioskConfig) -> None:
        self.config = config
        self.settings = config.content_sync
        self.layout = SyncLayout(self.settings.root)

    # -- the commands -------------------------------------------------------------------

    def sync(self) -> SyncResult:
        """Fetch the branch; check a new revision; switch to it only if the check passes."""
        if self.settings.repository is None:
            raise SyncError(
                "content_sync.repository is not set in config.yaml: name the "
                "museum's content repository (a git URL or path)"
            )
        with self._locked():
            state = read_state(self.layout.state_file) or SyncState()
            try:
                revision = self._fetch()
            except SyncError as exc:
                state.last_fetch_at, state.last_fetch_ok = time.time(), False
                state.last_fetch_error = str(exc)
                write_state(self.layout.state_file, state)
                return SyncResult(
                    False, f"fetch failed, still showing {_short(state.current)}: {exc}"
                )
            state.last_fetch_at, state.last_fetch_ok = time.time(), True
            state.last_fetch_error = None
            result = self._apply(state, revision)
            write_state(self.layout.state_file, state)
            return result

    def rollback(self, to: str | None = None) -> SyncResult:
        """Show the previous good revision (or `to`, a kept revision or its prefix) again."""
        with self._locked():
            state = read_state(self.layout.state_file) or SyncState()
            target = self._rollback_target(state, to)
            old = state.current
            self._switch_to(target)
            state.history = [r for r in state.history if r not in (target, old)]
            if to is not None and old is not None:
                state.history.insert(0, old)  # an explicit pick can be undone the same way
            state.current, state.current_since, state.held_from = target, time.time(), old
            write_state(self.layout.state_file, state)
            return SyncResult(
                True,
                f"rolled back from {_short(old)} to {_short(target)}; "
                "held there until a new commit arrives on the branch",
            )

    def status(self) -> SyncState:
        """The state file as it is (an empty state before the first sync)."""
        return read_state(self.layout.state_file) or SyncState()

    # -- sync steps ---------------------------------------------------------------------

    def _apply(self, state: SyncState, revision: str) -> SyncResult:
        live = self.layout.live_revision()
        if revision == state.current and live == revision:
            return SyncResult(True, f"up to date at {_short(revision)}")
        if revision == state.held_from:
            return SyncResult(
                True,
                f"rolled back to {_short(state.current)}; the branch is "
                f"still at {_short(revision)}, which stays off",
            )
        check = state.last_check
        if check is not None and check.revision == revision and not check.ok:
            return SyncResult(
                False,
                f"{_short(revision)} was refused by kiosk check "
                f"({check.problem_count} problems); still showing "
                f"{_short(state.current)}. Fix the repository and push",
            )
        if not self.layout.revision_dir(revision).is_dir():
            problems = self._stage_and_check(revision)
            state.record_check(revision, problems)
            if problems:
                shutil.rmtree(self.layout.staging, ignore_errors=True)
                shown = "\n".join(f"  {p}" for p in problems[:20])
                return SyncResult(
                    False,
                    f"{_short(revision)} refused by kiosk check, still "
                    f"showing {_short(state.current)}:\n{shown}",
                )
            self.layout.revisions.mkdir(parents=True, exist_ok=True)
            os.replace(self.layout.staging, self.layout.revision_dir(revision))
        else:
            state.record_check(revision, [])  # checked when it was first fetched
        previous = state.current
        self._switch_to(revision)
        if previous is not None and previous != revision:
            state.history = [previous, *(r for r in state.history if r not in (previous, revision))]
        state.current, state.current_since, state.held_from = revision, time.time(), None
        state.history = state.history[: self.settings.keep_revisions - 1]
        self._prune(state)
        return SyncResult(True, f"now showing {_short(revision)} (was {_short(previous)})")

    def _fetch(self) -> str:
        """Fetch the branch into the mirror; its commit id."""
        mirror = self.layout.mirror
        if not (mirror / "HEAD").is_file():
            mirror.mkdir(parents=True, exist_ok=True)
            _git(["init", "--quiet", "--bare", str(mirror)])
        branch = self.settings.branch
        _git(
            [
                "-C",
                str(mirror),
                "fetch",
                "--quiet",
                "--no-tags",
                "--prune",
                "--",
                self.settings.repository,
                f"+refs/heads/{branch}:refs/heads/{branch}",
            ]
        )
        return _git(["-C", str(mirror), "rev-parse", "--verify", f"refs/heads/{branch}^{{commit}}"])

    def _stage_and_check(self, revision: str) -> list[str]:
        """Unpack `revision` into staging/ and run `kiosk check` on it; the problems found."""
        staging = self.layout.staging
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        try:
            self._unpack(revision, staging)
        except (SyncError, tarfile.TarError, OSError) as exc:
            return [f"revision {_short(revision)}: {exc}"]
        if not (staging / "exhibits").is_dir():
            return [
                f"revision {_short(revision)}: the repository has no exhibits/ folder at "
                "its top (museum content repositories hold exhibits/ and content/)"
            ]
        (staging / "content").mkdir(exist_ok=True)
        return self._check(staging)

    def _unpack(self, revision: str, dest: Path) -> None:
        """`git archive` of `revision` into `dest`, within max_bytes and _MAX_FILES."""
        command = ["git", "-C", str(self.layout.mirror), "archive", "--format=tar", revision]
        with subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={**os.environ, **_GIT_ENV},
        ) as proc:
            try:
                _extract_bounded(proc.stdout, dest, self.settings.max_bytes)
            finally:
                proc.kill()  # done or over a bound: either way the archive is no longer read
        if proc.returncode not in (0, -9):
            raise SyncError(f"git archive failed (exit {proc.returncode})")

    def _check(self, staging: Path) -> list[str]:
        """`kiosk check` on the staged revision, in its own process, within check_timeout_s."""
        self._write_check_config(staging)
        command = [
            sys.executable,
            "-m",
            "kiosk.cli",
            "--config",
            str(self.layout.check_config),
            "check",
        ]
        env = {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                text=True,
                env=env,
                timeout=self.settings.check_timeout_s,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return [
                f"kiosk check took longer than content_sync.check_timeout_s "
                f"({self.settings.check_timeout_s:g} s); raise it or split the content"
            ]
        problems = [
            line.removeprefix("PROBLEM ")
            for line in done.stdout.splitlines()
            if line.startswith("PROBLEM ")
        ]
        # Name files as the curator knows them: in the repository, not in staging/.
        for prefix in {f"{staging}{os.sep}", f"{os.path.relpath(staging)}{os.sep}"}:
            problems = [problem.replace(prefix, "") for problem in problems]
        if done.returncode != 0 and not problems:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            problems = [f"kiosk check failed (exit {done.returncode}): {' | '.join(tail)}"]
        return problems

    def _write_check_config(self, staging: Path) -> None:
        """This kiosk's settings with the folders pointed at staging (and the kiosk's own
        written places kept apart from it), so the check judges the revision as it would run."""
        data = self.config.model_dump(mode="json")
        data["paths"].update(
            exhibits=str(staging / "exhibits"),
            content=str(staging / "content"),
            cache=str(self.layout.root / "check-cache"),
        )
        data["ops"].update(status_file=str(self.layout.root / "check-status.json"), log_dir=None)
        data["content_sync"]["repository"] = None
        self.layout.check_config.write_text(yaml.safe_dump(data, sort_keys=False))

    # -- switching ----------------------------------------------------------------------

    def _switch_to(self, revision: str) -> None:
        """Point `current` at revisions/<revision> by renaming a new symlink over it."""
        layout = self.layout
        if not layout.revision_dir(revision).is_dir():
            raise SyncError(f"revision {revision} is not kept in {layout.revisions}")
        if layout.current.exists() and not layout.current.is_symlink():
            # A real folder here was made by a kiosk started before the first sync.
            aside = layout.root / f"unsynced-{int(time.time())}"
            os.rename(layout.current, aside)
            log.warning("%s was a folder, not the sync's link: moved to %s", layout.current, aside)
        link = layout.root / ".current.tmp"
        link.unlink(missing_ok=True)
        os.symlink(Path("revisions") / revision, link)  # relative: the root may be moved
        os.replace(link, layout.current)

    def _rollback_target(self, state: SyncState, to: str | None) -> str:
        if to is None:
            if not state.history:
                raise SyncError(
                    "no earlier revision to roll back to (`kiosk content status` "
                    "lists what is kept)"
                )
            return state.history[0]
        kept = sorted(p.name for p in self.layout.revisions.glob("*") if p.is_dir())
        matches = [r for r in kept if r.startswith(to.lower())] if len(to) >= 4 else []
        if len(matches) != 1:
            raise SyncError(
                f"revision {to!r} {'is ambiguous' if matches else 'is not kept'}; "
                f"kept: {', '.join(_short(r) for r in kept) or 'none'}"
            )
        return matches[0]

    def _prune(self, state: SyncState) -> None:
        """Delete kept revisions beyond the current one and the history."""
        keep = {state.current, *state.history}
        for folder in self.layout.revisions.glob("*"):
            if folder.is_dir() and folder.name not in keep:
                shutil.rmtree(folder, ignore_errors=True)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """One sync or rollback at a time (the timer and an operator may collide)."""
        self.layout.root.mkdir(parents=True, exist_ok=True)
        with open(self.layout.lock_file, "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise SyncError("another content sync is running; try again in a minute") from None
            yield


def _extract_bounded(stream, dest: Path, max_bytes: int) -> None:
    """Unpack a tar stream into `dest` with the "data" filter, within the bounds."""
    total = files = 0
    with tarfile.open(fileobj=stream, mode="r|") as archive:
        for member in archive:
            total += max(member.size, 0)
            files += 1
            if total > max_bytes:
                raise SyncError(
                    f"the revision is larger than content_sync.max_bytes ({max_bytes} bytes)"
                )
            if files > _MAX_FILES:
                raise SyncError(f"the revision has more than {_MAX_FILES} files")
            archive.extract(member, dest, filter="data")


def _git(args: list[str]) -> str:
    """Run git; its output, stripped. SyncError with git's own words when it fails."""
    try:
        done = subprocess.run(
            ["git", *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=GIT_TIMEOUT_S,
            env={**os.environ, **_GIT_ENV},
        )
    except subprocess.TimeoutExpired:
        raise SyncError(
            f"git {args[2] if len(args) > 2 else args[0]} took longer than {GIT_TIMEOUT_S:g} s"
        ) from None
    except FileNotFoundError:
        raise SyncError("git is not installed (apt-get install git)") from None
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines()
        said = [line for line in lines if line.startswith(("fatal:", "error:"))] or lines
        raise SyncError(f"git: {said[0] if said else f'exit {done.returncode}'}")
    return done.stdout.strip()


def _short(revision: str | None) -> str:
    return revision[:10] if revision else "nothing"
