"""Hostile and careless content, each case of the red-team report (issue 14) reproduced twice:
dropped into a running headless kiosk, and checked offline by `kiosk check`.

The running kiosk must keep the last good painting on the wall, report the problem naming the
file, never freeze a frame (each frame is timed) and keep its memory bounded. `kiosk check`
must report the same problem and exit 1, without a traceback.

Where the other cases of the report are tested:
- 4 (folder deleted, recreated, swapped): here, `test_a_swapped_exhibits_folder_*`, and the
  watcher itself in tests/exhibits/test_watcher_swaps.py;
- 7 and 13 (rig cache entries: FIFO, NaN, 1e30): here, and in tests/renderer/test_face_cache.py;
- 8, 9, 10, 12 (signals, exit codes, folders the kiosk writes, display size):
  tests/system/test_signals.py and tests/system/test_exit_codes.py;
- 11 (metrics connections): tests/ops/test_metrics.py.
"""

from __future__ import annotations

import io
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image

from kiosk.cli import main as kiosk_main
from kiosk.config import load_config
from kiosk.display.pacing import FramePacer
from kiosk.runtime.loop import Kiosk as RunningKiosk
from kiosk.runtime.options import RunOptions
from kiosk.runtime.wiring import build_kiosk

# A frame that takes longer than this is a freeze. The requirement is 50 ms a frame; what is
# asserted here is wider, so a busy CI machine cannot fail it, while the report's defects froze
# the screen for seconds. `kiosk soak --hostile` measures the real figure.
FREEZE_S = 0.25
GOOD = "schema_version: 1\nid: good\ntitle: Good\nimage: samples/grace_hopper.jpg\norder: 1\n"


def exhibit(id_: str = "bad", image: str = "samples/astronaut.png", **extra: str) -> str:
    lines = [f"id: {id_}", f"title: {id_.title()}", f"image: {image}", "order: 9"]
    lines += [f"{k}: {v}" for k, v in extra.items()]
    return "\n".join(lines) + "\n"


def alias_bomb(key: str) -> str:
    """426 bytes that expand to ten billion values (ten anchors, each ten aliases deep)."""
    lines = ["l0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, 10):
        lines.append(f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]")
    return "\n".join(lines) + f"\n{key}: *l9\n"


DEEP = "[" * 10_000 + "]" * 10_000
DIGITS = "9" * 5000


def clip(extra: str = "") -> str:
    return "name: x\nduration: 2\ntracks:\n  blink: [[0, 0], [1, 1]]\n" + extra


@dataclass
class Kiosk:
    """A throwaway kiosk folder with one good exhibit; cases drop files into it."""

    root: Path

    @property
    def exhibits(self) -> Path:
        return self.root / "exhibits"

    @property
    def content(self) -> Path:
        return self.root / "content"

    def write(self, relative: str, data: str | bytes) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return path


def _jpeg_bytes() -> bytes:
    image = cv2.imread(str(REPO_SAMPLE)) if REPO_SAMPLE.exists() else None
    if image is None:
        image = np.random.default_rng(0).integers(0, 255, (400, 300, 3), np.uint8)
    ok, data = cv2.imencode(".jpg", image)
    assert ok
    return data.tobytes()


REPO_SAMPLE = Path(__file__).resolve().parents[2] / "content" / "samples" / "grace_hopper.jpg"


def _truncated_with_end_marker(k: Kiosk) -> None:
    data = _jpeg_bytes()
    k.write("content/cut.jpg", data[: len(data) // 2] + b"\xff\xd9")
    k.write("exhibits/bad.yaml", exhibit(image="cut.jpg"))


def _header_claims_6000(k: Kiosk) -> None:
    data = bytearray(_jpeg_bytes())
    sof = data.find(b"\xff\xc0")
    if sof < 0:
        sof = data.find(b"\xff\xc2")
    data[sof + 5 : sof + 9] = (6000).to_bytes(2, "big") * 2  # height, width
    k.write("content/big.jpg", bytes(data))
    k.write("exhibits/bad.yaml", exhibit(image="big.jpg"))


def _animated_gif(k: Kiosk) -> None:
    frames = [Image.new("RGB", (64, 64), (i * 40, 0, 0)) for i in range(4)]
    out = io.BytesIO()
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    k.write("content/moving.gif", out.getvalue())
    k.write("exhibits/bad.yaml", exhibit(image="moving.gif"))


def _symlink_loop(k: Kiosk) -> None:
    (k.content / "loop.jpg").symlink_to(k.content / "loop2.jpg")
    (k.content / "loop2.jpg").symlink_to(k.content / "loop.jpg")
    k.write("exhibits/bad.yaml", exhibit(image="loop.jpg"))


_PIXEL_BOMB: list[bytes] = []


def _pixel_bombs(k: Kiosk) -> None:
    """Twelve small files (about 116 KB) that each decode to 39.9 megapixels."""
    if not _PIXEL_BOMB:
        ok, data = cv2.imencode(".png", np.zeros((6310, 6320, 3), np.uint8))
        assert ok
        _PIXEL_BOMB.append(data.tobytes())
    for i in range(12):
        k.write(f"content/bomb{i}.png", _PIXEL_BOMB[0])
        k.write(f"exhibits/bomb{i}.yaml", exhibit(id_=f"bomb{i}", image=f"bomb{i}.png"))


# name: (drop it into the kiosk folder, what the problem must name)
CASES: dict[str, tuple[Callable[[Kiosk], object], tuple[str, ...]]] = {
    "1 NUL in the image path": (
        lambda k: k.write("exhibits/bad.yaml", exhibit(image='"x\\0.jpg"')),
        ("exhibits/bad.yaml", "image", "control character"),
    ),
    "1 image is a symlink loop": (_symlink_loop, ("exhibits/bad.yaml", "loop.jpg", "itself")),
    "2 alias bomb in the label": (
        lambda k: k.write("exhibits/bad.yaml", exhibit() + alias_bomb("label").replace(
            "l0:", "x0:").replace("\nl", "\nx")),
        ("exhibits/bad.yaml", "aliases"),
    ),
    "2 alias bomb in a clip": (
        lambda k: k.write("content/drivers/bomb.yaml", clip() + alias_bomb("description")),
        ("bomb.yaml", "aliases"),
    ),
    "3 a 10,000-character word": (
        lambda k: k.write("exhibits/bad.yaml", exhibit(label="x" * 10_000 + "y" * 12_000)),
        ("exhibits/bad.yaml", "label", "20000 characters"),
    ),
    "5 a clip nested 10,000 deep": (
        lambda k: k.write("content/drivers/deep.yaml", clip(f"extra: {DEEP}")),
        ("deep.yaml", "nested more than"),
    ),
    "5 a clip with a 5000-digit number": (
        lambda k: k.write("content/drivers/digits.yaml", clip().replace("2", DIGITS, 1)),
        ("digits.yaml", "5000 digits"),
    ),
    "5 an exhibit nested 10,000 deep": (
        lambda k: k.write("exhibits/bad.yaml", exhibit() + f"face: {DEEP}"),
        ("exhibits/bad.yaml", "nested more than"),
    ),
    "5 an exhibit with a 5000-digit number": (
        lambda k: k.write("exhibits/bad.yaml", exhibit().replace("order: 9", f"order: {DIGITS}")),
        ("exhibits/bad.yaml", "5000 digits"),
    ),
    "6 a 50 MB label": (
        lambda k: k.write("exhibits/bad.yaml", exhibit(label="word " * 10_000_000)),
        ("exhibits/bad.yaml", "over the limit"),
    ),
    "6 twelve files that decode to 39.9 megapixels each": (
        _pixel_bombs,
        ("max_total_image_pixels",),
    ),
    "13 a truncated JPEG with an end marker appended": (
        _truncated_with_end_marker,
        ("exhibits/bad.yaml", "cut.jpg", "ends early"),
    ),
    "13 a JPEG whose header claims 6000x6000": (
        _header_claims_6000,
        ("exhibits/bad.yaml", "big.jpg"),
    ),
    "13 an animated GIF": (_animated_gif, ("exhibits/bad.yaml", "animated GIF", "one frame")),
}  # fmt: skip
CLIP_CASES = {name for name in CASES if "clip" in name}  # clips are read at start-up


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@pytest.fixture
def kiosk(kiosk_dir: Path) -> Kiosk:
    k = Kiosk(kiosk_dir)
    for name in os.listdir(k.exhibits):
        if name.endswith(".yaml"):
            (k.exhibits / name).unlink()
    k.write("exhibits/good.yaml", GOOD)
    # One 40-megapixel image fits the test's budget, two do not: the bomb case stays quick
    # while exercising the same refusal as the default 150 MP.
    config = kiosk_dir / "config.yaml"
    text = config.read_text()
    assert "max_total_image_pixels: 150000000" in text
    config.write_text(
        text.replace("max_total_image_pixels: 150000000", "max_total_image_pixels: 45000000")
    )
    return k


class Running:
    """A headless kiosk ticked in real time at the display rate, as `Kiosk.run` paces it, each
    frame timed. Unpaced, the ticks hold the GIL almost all the time and the content loader
    (a lower-priority thread that gives the GIL up at every file system call) crawled: a
    reload of two small files took over 5 s, which the kiosk never does."""

    def __init__(self, app: RunningKiosk) -> None:
        self.app = app
        self.slowest_s = 0.0
        self.pacer = FramePacer(app.config.display.fps)

    def tick(self) -> None:
        started = time.monotonic()
        self.app.tick(started)
        self.slowest_s = max(self.slowest_s, time.monotonic() - started)
        self.pacer.wait()

    def until(self, condition: Callable[[], bool], timeout_s: float, what: str) -> None:
        deadline = time.monotonic() + timeout_s
        while not condition():
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            self.tick()

    def problem_naming(self, *parts: str) -> Callable[[], bool]:
        return lambda: any(all(p in str(q) for p in parts) for q in self.app.problems())


def _start(kiosk: Kiosk) -> Running:
    app = build_kiosk(
        load_config(kiosk.root / "config.yaml"), RunOptions(headless=True, no_camera=True)
    )
    app.reload_now(time.monotonic())
    app.watcher.start()
    running = Running(app)
    running.until(lambda: app.director.current == "good", 10.0, "the good exhibit")
    return running


@pytest.mark.parametrize("case", list(CASES))
def test_the_running_kiosk_keeps_the_good_painting(kiosk: Kiosk, case: str) -> None:
    drop, names = CASES[case]
    if case in CLIP_CASES:
        drop(kiosk)  # clips are read at start-up: it must start, and say what is wrong
    running = _start(kiosk)
    app = running.app
    try:
        good = app.library.get("good")
        rss_before = _rss_mb()
        if case not in CLIP_CASES:
            drop(kiosk)
        running.until(running.problem_naming(*names), 20.0, f"a problem naming {names}")
        app.director.toggle_label(time.monotonic())  # the label panel draws the good text
        for _ in range(30):
            running.tick()
        assert app.director.current == "good"
        assert app.library.get("good") is good, "the good exhibit was reloaded or lost"
        assert "bad" not in app.director.exhibit_ids
        assert running.slowest_s < FREEZE_S, f"a frame took {running.slowest_s * 1000:.0f} ms"
        # At most one 39.9 MP image (120 MB) decoded, with room for the allocator's slack.
        assert _rss_mb() - rss_before < 400, "memory grew without bound"
    finally:
        app.close()


@pytest.mark.parametrize("case", list(CASES))
def test_kiosk_check_reports_it(kiosk: Kiosk, case: str, capsys) -> None:
    drop, names = CASES[case]
    drop(kiosk)
    code = kiosk_main(["--config", str(kiosk.root / "config.yaml"), "check", "--no-faces"])
    out = capsys.readouterr().out
    assert code == 1
    problems = [line for line in out.splitlines() if line.startswith("PROBLEM ")]
    assert any(all(n in line for n in names) for line in problems), out[-2000:]
    assert all(len(line) < 1000 for line in problems), "a problem line quotes the whole input"


def test_a_long_label_in_any_script_draws_without_freezing(kiosk: Kiosk) -> None:
    """Case 3: a 3000-character Japanese label with no spaces is valid content: it is shown."""
    running = _start(kiosk)
    app = running.app
    try:
        label = "美術館の肖像画は静かに来館者を見つめている" * 150  # 3000 characters, no spaces
        kiosk.write("exhibits/good.yaml", GOOD + f"label: {label}\n")
        running.until(lambda: app.library.get("good").spec.label == label, 10.0, "the new label")
        app.director.toggle_label(time.monotonic())
        for _ in range(30):
            running.tick()
        assert running.slowest_s < FREEZE_S, f"a frame took {running.slowest_s * 1000:.0f} ms"
    finally:
        app.close()


@pytest.mark.parametrize("how", ["deleted and recreated", "swapped by rename", "a symlink"])
def test_a_swapped_exhibits_folder_is_picked_up(kiosk: Kiosk, how: str) -> None:
    """Case 4: operators and sync tools publish content by replacing the whole folder."""
    running = _start(kiosk)
    app = running.app
    try:
        new = kiosk.root / "exhibits.new"
        new.mkdir()
        (new / "good.yaml").write_text(GOOD)
        (new / "second.yaml").write_text(exhibit(id_="second"))
        if how == "deleted and recreated":
            shutil.rmtree(kiosk.exhibits)
            running.until(lambda: not app.director.exhibit_ids, 5.0, "the empty wall")
            new.rename(kiosk.exhibits)
        elif how == "swapped by rename":
            kiosk.exhibits.rename(kiosk.root / "exhibits.old")
            new.rename(kiosk.exhibits)
        else:
            kiosk.exhibits.rename(kiosk.root / "exhibits.old")
            kiosk.exhibits.symlink_to(new, target_is_directory=True)
        running.until(lambda: "second" in app.director.exhibit_ids, 5.0, "the new folder")
        # ... and the watch follows the new folder: an edit inside it is seen too.
        (kiosk.exhibits / "third.yaml").write_text(exhibit(id_="third"))
        running.until(lambda: "third" in app.director.exhibit_ids, 5.0, "an edit in it")
        assert running.slowest_s < FREEZE_S
    finally:
        app.close()


def _cache_entries(kiosk: Kiosk) -> list[Path]:
    return sorted((kiosk.root / "cache" / "rigs").glob("faces-*.npz"))


@pytest.mark.parametrize("damage", ["a FIFO", "NaN landmarks", "1e30 landmarks"])
def test_a_damaged_rig_cache_entry_is_rebuilt(kiosk: Kiosk, damage: str) -> None:
    """Cases 7 and 13: the painting still animates, and nothing blames the image."""
    first = _start(kiosk)
    first.until(lambda: bool(_cache_entries(kiosk)), 30.0, "the first rig's cache entry")
    first.app.close()
    entries = _cache_entries(kiosk)
    assert entries, "the first start wrote no rig cache entry"
    for entry in entries:
        if damage == "a FIFO":
            entry.unlink()
            os.mkfifo(entry)
        else:
            with np.load(entry) as data:
                arrays = dict(data)
            value = np.nan if damage.startswith("NaN") else 1e30
            arrays["landmarks"] = np.full_like(arrays["landmarks"], value)
            np.savez(entry, **arrays)
    running = _start(kiosk)
    app = running.app
    try:

        def animated() -> bool:
            exhibit = app.library.get("good")
            return (
                exhibit is not None
                and app.scene.still_and_rig(exhibit)[1] is not None
                and (app.scene.still_and_rig(exhibit)[1].rig is not None)
            )

        running.until(animated, 30.0, "the painting's rig, rebuilt")
        assert not any("image" in p and "good.yaml" in p for p in app.problems())
        assert running.slowest_s < FREEZE_S
    finally:
        app.close()  # returns: no thread is stuck reading the FIFO
