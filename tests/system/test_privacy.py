"""Privacy: camera frames live in memory only.

During a headless run of the real loop with a live (synthetic) camera: no file the process
writes holds image data, no socket reaches beyond this machine, and the privacy notice is on
screen on every frame while the camera is on. A control test proves the checks can fail.
"""

from __future__ import annotations

import hashlib
import ipaddress
import os
import socket
import sys
import tempfile
import time
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.camera.sources import SyntheticSource
from kiosk.config import load_config
from kiosk.director.director import Mode
from kiosk.exhibits.samples import ensure_sample_content
from kiosk.measure.kiosk_folder import face_image
from kiosk.runtime.options import RunOptions
from kiosk.runtime.wiring import build_kiosk
from tests.conftest import REPO_ROOT

MAX_READ = 256 * 1024 * 1024


# --------------------------------------------------------------------------- the audit


class Audit:
    """Records, while active, every Python-level file write and socket address use.

    `sys.addaudithook` cannot be undone, so one hook is installed for the session and does
    nothing unless a test has switched recording on.
    """

    installed = False
    active = False
    writes: set[str] = set()
    sockets: list[tuple[str, int, object]] = []  # (event, family, address)

    @classmethod
    def start(cls) -> None:
        if not cls.installed:
            sys.addaudithook(cls._hook)
            cls.installed = True
        cls.writes, cls.sockets = set(), []
        cls.active = True

    @classmethod
    def stop(cls) -> None:
        cls.active = False

    @classmethod
    def _hook(cls, event: str, args: tuple) -> None:
        if not cls.active:
            return
        if event == "open" and _opens_for_write(args) and isinstance(args[0], (str, bytes)):
            cls.writes.add(os.path.abspath(os.fsdecode(args[0])))
        elif event in ("os.rename", "shutil.copyfile", "shutil.move"):
            if isinstance(args[1], (str, bytes, os.PathLike)):
                cls.writes.add(os.path.abspath(os.fsdecode(args[1])))
        elif event == "socket.__new__":
            cls.sockets.append((event, int(args[1]), None))
        elif event in ("socket.connect", "socket.bind", "socket.sendto", "socket.sendmsg"):
            sock, address = args[0], args[1]
            cls.sockets.append((event, int(getattr(sock, "family", -1)), address))


_WRITE_FLAGS = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_TRUNC | os.O_APPEND


def _opens_for_write(args: tuple) -> bool:
    _, mode, flags = args
    if isinstance(mode, str):
        return any(c in mode for c in "wax+")
    return isinstance(flags, int) and bool(flags & _WRITE_FLAGS)


def _loopback(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
    except ValueError:
        return False


def remote_socket_uses(events: list[tuple[str, int, object]]) -> list[str]:
    """Socket events whose address is not loopback (AF_UNIX is always local)."""
    bad = []
    for event, family, address in events:
        if event == "socket.__new__" or family == socket.AF_UNIX:
            continue
        host = address[0] if isinstance(address, tuple) and address else address
        if not _loopback(host):
            bad.append(f"{event} {address!r}")
    return bad


def native_inet_sockets() -> list[str]:
    """This process's TCP/UDP sockets (whoever opened them, Python or C++) that are bound or
    connected beyond loopback; read from /proc, so native libraries are covered too."""
    mine = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        if target.startswith("socket:["):
            mine.add(target[8:-1])
    bad = []
    for table in ("tcp", "tcp6", "udp", "udp6"):
        try:
            lines = Path(f"/proc/self/net/{table}").read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            if cols[9] not in mine:
                continue
            local, remote = _proc_addr(cols[1]), _proc_addr(cols[2])
            if not local.is_loopback and not local.is_unspecified:
                bad.append(f"{table} bound to {local}")
            elif local.is_unspecified and cols[3] == "0A":  # a listener on every interface
                bad.append(f"{table} listening on all interfaces")
            if not remote.is_unspecified and not remote.is_loopback:
                bad.append(f"{table} connected to {remote}")
    return bad


def _proc_addr(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    host = bytes.fromhex(text.split(":")[0])
    # /proc prints each 32-bit word in host (little-endian) order.
    words = b"".join(host[i : i + 4][::-1] for i in range(0, len(host), 4))
    return ipaddress.ip_address(words)


# --------------------------------------------------------------------------- the files


def file_hashes(folder: Path) -> set[str]:
    """SHA-256 of every file under `folder` (the images a kiosk may legitimately write
    copies of)."""
    return {hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()}


def private_tempdir(tmp_path: Path, monkeypatch) -> Path:
    """A temp folder of this test's own, made the process's temp dir, so nothing else writes
    into it."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    return temp


def snapshot(roots: list[Path]) -> dict[str, tuple[int, int]]:
    out = {}
    for root in roots:
        for dirpath, _, names in os.walk(root):
            for name in names:
                path = os.path.join(dirpath, name)
                try:
                    st = os.lstat(path)
                except OSError:
                    continue
                out[os.path.abspath(path)] = (st.st_mtime_ns, st.st_size)
    return out


def frame_needles(frames: list[np.ndarray]) -> list[bytes]:
    """Short runs of raw frame bytes from the face region, as the app may hold them: BGR,
    RGB, mirrored (the tracker flips), so that any stored copy contains one of them."""
    needles = []
    for frame in frames:
        h, w = frame.shape[:2]
        for y in (int(h * 0.35), int(h * 0.5), int(h * 0.65)):
            for image in (frame, frame[:, ::-1], frame[..., ::-1], frame[:, ::-1, ::-1]):
                run = np.ascontiguousarray(image[y, w // 2 - 16 : w // 2 + 16]).tobytes()
                assert len(set(run)) > 8, "a needle from flat background proves nothing"
                needles.append(run)
    return needles


def image_leaks(paths: set[str], needles: list[bytes], allowed: set[str]) -> list[str]:
    """Files that hold camera-frame bytes, or decode as an image other than an exhibit's."""
    leaks = []
    for path in sorted(paths):
        if path.startswith(("/proc/", "/dev/", "/sys/")) or not os.path.isfile(path):
            continue
        with open(path, "rb") as f:
            data = f.read(MAX_READ)
        if any(needle in data for needle in needles):
            leaks.append(f"{path}: contains raw camera-frame bytes")
        digest = hashlib.sha256(data).hexdigest()
        if data and digest not in allowed:
            if cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_UNCHANGED) is not None:
                leaks.append(f"{path}: is an image that is not an exhibit image")
    return leaks


# --------------------------------------------------------------------------- tests


def kiosk_folder(root: Path, extra_config: str = "") -> Path:
    """`root` as a kiosk folder for the privacy runs: the shipped exhibits, the samples in
    content/ (prepared before the audit starts), a small screen and short timeouts, and
    `extra_config` (config.yaml lines) after them."""
    import shutil

    shutil.copytree(REPO_ROOT / "exhibits", root / "exhibits")
    ensure_sample_content(root / "content")
    (root / "config.yaml").write_text(
        "display: {fullscreen: false, size: [480, 360], fps: 60}\n"
        "timeouts: {visitor_enter_s: 0.2, visitor_leave_s: 0.5, crossfade_s: 0.3}\n"
        + extra_config
    )
    return root


@pytest.fixture
def kiosk_dir(tmp_path: Path) -> Path:
    return kiosk_folder(tmp_path / "kiosk")


def test_the_checks_catch_a_stored_frame_and_a_remote_socket(tmp_path: Path) -> None:
    """Control: each detector fires on the leak it exists for."""
    face = face_image(_samples(tmp_path))
    frame = SyntheticSource(face, size=(640, 480)).render(1.0)
    raw, png = tmp_path / "frame.npy", tmp_path / "frame.png"
    np.save(raw, cv2.flip(frame, 1))  # what a careless debug dump of the tracker input does
    cv2.imwrite(str(png), frame)
    leaks = image_leaks({str(raw), str(png)}, frame_needles([frame]), allowed=set())
    assert len(leaks) == 2 and "raw camera-frame bytes" in leaks[0] and "image" in leaks[1]

    Audit.start()
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                s.connect(("192.0.2.1", 9))  # TEST-NET-1: UDP connect sends no packet
            except OSError:
                pass  # no route on this machine; the attempt is what counts
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
    finally:
        Audit.stop()
    assert remote_socket_uses(Audit.sockets) == ["socket.connect ('192.0.2.1', 9)"]


def _samples(tmp_path: Path) -> Path:
    content = tmp_path / "content"
    ensure_sample_content(content)
    return content


def test_camera_frames_never_leave_memory(kiosk_dir: Path, tmp_path: Path, monkeypatch) -> None:
    temp = private_tempdir(tmp_path, monkeypatch)
    config = load_config(kiosk_dir / "config.yaml")
    roots = [kiosk_dir, temp, config.paths.cache]
    exhibit_images = file_hashes(kiosk_dir / "content")
    before = snapshot(roots)
    face = face_image(kiosk_dir / "content")
    app = build_kiosk(
        config,
        RunOptions(headless=True),
        source_factory=lambda: SyntheticSource(
            face, size=(640, 480), fps=30, stale_after_s=config.timeouts.camera_stale_s
        ),
    )
    notices: list[tuple[bool, bool]] = []  # per frame: (camera_on, notice drawn)
    present = app.display.present

    def recording_present(painting: np.ndarray, overlay, *damage) -> None:
        present(painting, overlay, *damage)
        notices.append((overlay.camera_on, "notice" in app.display.overlay.rects))

    app.display.present = recording_present  # type: ignore[method-assign]
    frames: list[np.ndarray] = []
    socket_findings: list[str] = []
    Audit.start()
    try:
        app.start(time.monotonic())
        live_frames = ticks = 0
        deadline = time.monotonic() + 60.0
        while live_frames < 120:
            assert time.monotonic() < deadline, "the synthetic visitor never took the kiosk live"
            app.tick(time.monotonic())
            ticks += 1
            live_frames += app.director.mode is Mode.LIVE
            if ticks % 15 == 0:
                latest = app.live.source.latest()
                if latest is not None and len(frames) < 8:
                    frames.append(latest.image.copy())
                socket_findings += native_inet_sockets()
            time.sleep(1 / 120)  # pacing the display loop
    finally:
        app.close()
        Audit.stop()
    after = snapshot(roots)

    assert app.live.camera_frames > 20 and len(frames) >= 4, "the camera was not really used"
    # (a) no file written holds camera image data
    changed = {p for p, stamp in after.items() if before.get(p) != stamp}
    leaks = image_leaks(changed | Audit.writes, frame_needles(frames), exhibit_images)
    assert leaks == []
    # (b) sockets: loopback or AF_UNIX only, from Python and from native code
    assert remote_socket_uses(Audit.sockets) == []
    assert socket_findings == []
    # (c) the privacy notice on every frame while the camera was on
    assert len(notices) == ticks
    assert all(camera_on and drawn for camera_on, drawn in notices)
