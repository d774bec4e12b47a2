"""Content sync end to end: a local git repository is the museum's source, a real kiosk process
(SDL dummy driver, no camera) shows its content, and `kiosk content sync|rollback`, `kiosk
status` and the kiosk's metrics endpoint are used as an operator would.

A good commit reaches the running kiosk; a broken one is refused, the kiosk keeps the last good
content and the state file, `kiosk status` and the metrics say so; a rollback brings back the
previous revision. The metrics endpoint answers the allowlisted scraper (127.0.0.2), refuses
another (127.0.0.3), and the kiosk listens on nothing but the address and port config names.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from kiosk.exhibits.samples import SAMPLE_SOURCES
from tests.ops.test_metrics_fleet import samples, scrape_from

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

WAIT_S = 120.0  # a deadline for conditions polled below, never a sleep for timing
EXHIBIT = """schema_version: 1
id: {id}
title: {title}
image: portraits/{image}
"""


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "Curator", "GIT_AUTHOR_EMAIL": "c@museum.test",
           "GIT_COMMITTER_NAME": "Curator", "GIT_COMMITTER_EMAIL": "c@museum.test"}  # fmt: skip
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                          env=env, check=True, timeout=60)  # fmt: skip
    return done.stdout.strip()


def commit_exhibit(repo: Path, exhibit_id: str, sample: str, text: str | None = None) -> str:
    """Add (or replace) one exhibit and its image in the museum repository; the commit id."""
    image = repo / "content" / "portraits" / sample
    image.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(SAMPLE_SOURCES[sample](), image)
    (repo / "exhibits").mkdir(exist_ok=True)
    yaml_text = text or EXHIBIT.format(id=exhibit_id, title=exhibit_id.title(), image=sample)
    (repo / "exhibits" / f"{exhibit_id}.yaml").write_text(yaml_text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", f"exhibit {exhibit_id}")
    return git(repo, "rev-parse", "HEAD")


def kiosk_cli(kiosk_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "--config", str(kiosk_dir / "config.yaml"), *args],
        capture_output=True, text=True, timeout=300, env=_env(), check=False,
    )  # fmt: skip


def _env() -> dict[str, str]:
    return {**os.environ, "SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(condition: Callable[[], object], what: str) -> object:
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"not within {WAIT_S:g} s: {what}")


@pytest.fixture
def museum(tmp_path: Path) -> Path:
    repo = tmp_path / "museum-content"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    return repo


@pytest.fixture
def kiosk_dir(tmp_path: Path, museum: Path) -> Path:
    folder = tmp_path / "kiosk"
    folder.mkdir()
    port = free_port()
    (folder / "config.yaml").write_text(f"""schema_version: 1
paths: {{exhibits: sync/current/exhibits, content: sync/current/content}}
display: {{fullscreen: false, size: [320, 240], fps: 30}}
camera: {{enabled: false}}
ops:
  metrics_port: {port}
  metrics_allow: [127.0.0.2]
  status_interval_s: 0.2
  log_dir: null
content_sync: {{repository: {museum}, branch: main, root: sync, keep_revisions: 3}}
""")
    return folder


def kiosk_exhibits(kiosk_dir: Path) -> list[str] | None:
    try:
        return json.loads((kiosk_dir / "var" / "status.json").read_text())["exhibits"]
    except (OSError, ValueError, KeyError):
        return None


@pytest.fixture
def start_kiosk(kiosk_dir: Path) -> Iterator[Callable[[], subprocess.Popen]]:
    """Starts the kiosk (after the first sync, as deploy/fleet does); stopped with SIGTERM."""
    started: list[subprocess.Popen] = []

    def start() -> subprocess.Popen:
        proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk.cli", "--config", str(kiosk_dir / "config.yaml"),
             "run", "--windowed", "--no-camera"],
            env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        try:
            assert proc.wait(timeout=30) == 0  # a clean stop
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise


def metric_values(port: int) -> dict:
    status, body = scrape_from("127.0.0.2", port)
    assert status == 200
    return samples(body)


def test_a_commit_reaches_the_kiosk_a_broken_one_is_refused_and_rollback_restores(
    museum: Path, kiosk_dir: Path, start_kiosk: Callable[[], subprocess.Popen]
) -> None:
    # The first sync puts the first revision live; then the kiosk starts on it.
    first = commit_exhibit(museum, "hopper", "grace_hopper.jpg")
    done = kiosk_cli(kiosk_dir, "content", "sync")
    assert done.returncode == 0, done.stderr
    assert f"now showing {first[:10]}" in done.stdout
    running_kiosk = start_kiosk()
    wait_for(lambda: kiosk_exhibits(kiosk_dir) == ["hopper"], "the kiosk shows hopper")

    # A good commit reaches the running kiosk.
    second = commit_exhibit(museum, "astronaut", "astronaut.png")
    done = kiosk_cli(kiosk_dir, "content", "sync")
    assert done.returncode == 0, done.stderr
    wanted = ["astronaut", "hopper"]
    wait_for(lambda: sorted(kiosk_exhibits(kiosk_dir) or []) == wanted, "both exhibits shown")
    assert kiosk_cli(kiosk_dir, "content", "sync").stdout.startswith("up to date")

    # A broken commit is refused; the kiosk keeps the last good content.
    bad_key = EXHIBIT.format(id="hopper", title="Hopper", image="grace_hopper.jpg")
    commit_exhibit(museum, "hopper", "grace_hopper.jpg", text=bad_key + "frame_colour: gold\n")
    broken = git(museum, "rev-parse", "HEAD")
    done = kiosk_cli(kiosk_dir, "content", "sync")
    assert done.returncode == 1
    assert f"{broken[:10]} refused by kiosk check, still showing {second[:10]}" in done.stderr
    assert "\n  exhibits/hopper.yaml: " in done.stderr and "frame_colour" in done.stderr
    assert os.readlink(kiosk_dir / "sync" / "current") == f"revisions/{second}"
    assert not (kiosk_dir / "sync" / "staging").exists()

    # ... and status and metrics say so.
    status = kiosk_cli(kiosk_dir, "status", "--json")
    report = json.loads(status.stdout)
    assert status.returncode == 1 and report["healthy"] is False
    assert report["kiosk"]["running"] is True
    assert sorted(report["kiosk"]["exhibits"]) == wanted
    assert report["content"]["current"] == second
    assert report["content"]["last_check"]["revision"] == broken
    assert report["content"]["last_check"]["ok"] is False
    assert any("refused by kiosk check" in issue for issue in report["issues"])
    port = report["metrics"]["url"].rsplit(":", 1)[1].split("/")[0]
    got = metric_values(int(port))
    assert got[("kiosk_content_revision_info", (("revision", second),))] == 1
    assert got[("kiosk_content_check_ok", ())] == 0
    assert got[("kiosk_exhibits_loaded", ())] == 2
    assert "REFUSED" in kiosk_cli(kiosk_dir, "content", "status").stdout

    # A rollback restores the previous revision, on screen too, and holds it.
    done = kiosk_cli(kiosk_dir, "content", "rollback")
    assert done.returncode == 0, done.stderr
    assert f"to {first[:10]}" in done.stdout
    wait_for(lambda: kiosk_exhibits(kiosk_dir) == ["hopper"], "back to hopper alone")
    assert kiosk_cli(kiosk_dir, "content", "sync").returncode == 1  # the head is still broken
    state = json.loads(kiosk_cli(kiosk_dir, "content", "status", "--json").stdout)
    assert state["current"] == first

    # The curator fixes it: the new commit goes live.
    fixed = commit_exhibit(museum, "hopper", "grace_hopper.jpg")
    done = kiosk_cli(kiosk_dir, "content", "sync")
    assert done.returncode == 0, done.stderr
    wait_for(lambda: sorted(kiosk_exhibits(kiosk_dir) or []) == wanted, "the fix is shown")
    assert metric_values(int(port))[("kiosk_content_check_ok", ())] == 1

    # A rollback is held while the branch stays where it was.
    assert kiosk_cli(kiosk_dir, "content", "rollback").returncode == 0
    done = kiosk_cli(kiosk_dir, "content", "sync")
    assert done.returncode == 0 and f"still at {fixed[:10]}, which stays off" in done.stdout
    assert os.readlink(kiosk_dir / "sync" / "current") == f"revisions/{first}"
    assert running_kiosk.poll() is None  # it ran through all of it


def test_the_kiosk_serves_metrics_only_where_config_says_and_only_to_the_allowlist(
    museum: Path, kiosk_dir: Path, start_kiosk: Callable[[], subprocess.Popen]
) -> None:
    commit_exhibit(museum, "hopper", "grace_hopper.jpg")
    assert kiosk_cli(kiosk_dir, "content", "sync").returncode == 0
    running_kiosk = start_kiosk()
    port = int(json.loads(kiosk_cli(kiosk_dir, "status", "--json").stdout)["metrics"]["url"]
               .rsplit(":", 1)[1].split("/")[0])  # fmt: skip
    wait_for(lambda: listeners_of(running_kiosk.pid), "the kiosk listens")
    assert listeners_of(running_kiosk.pid) == {("127.0.0.1", port)}
    assert scrape_from("127.0.0.2", port)[0] == 200
    status, body = scrape_from("127.0.0.3", port)
    assert status == 403 and "kiosk_" not in body


def listeners_of(pid: int) -> set[tuple[str, int]]:
    """(address, port) of each TCP or UDP socket process `pid` listens on (or is bound with,
    for UDP), IPv4 and IPv6."""
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith("socket:["):
            inodes.add(target[8:-1])
    found = set()
    for table, listening in (("tcp", "0A"), ("tcp6", "0A"), ("udp", "07"), ("udp6", "07")):
        path = Path(f"/proc/{pid}/net/{table}")
        for line in path.read_text().splitlines()[1:] if path.exists() else []:
            fields = line.split()
            if fields[9] in inodes and fields[3] == listening:
                hex_ip, hex_port = fields[1].split(":")
                raw = bytes.fromhex(hex_ip)
                if len(raw) == 4:
                    address = socket.inet_ntoa(raw[::-1])
                else:  # /proc prints IPv6 as four little-endian 32-bit words
                    words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
                    address = socket.inet_ntop(socket.AF_INET6, words)
                found.add((address, int(hex_port, 16)))
    return found
