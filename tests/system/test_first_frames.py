"""The display loop's first frames only draw: the worker threads run before the loop does, and
a plain wall is made once, not at every change of exhibit. Starting a thread from a frame held
that frame until the new thread was scheduled (60 ms on a quiet 2-core PC, 275 ms on a busy
one); a fresh screen-sized wall cost 40-380 ms of new pages on a busy machine."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from kiosk.display.wall import make_wall
from kiosk.wall_style import WallStyle
from tests.system.kiosks import headless_kiosk

CONFIG = "display: {fullscreen: false, size: [480, 360], wall: {fill: blur}}\n"


def test_no_frame_starts_a_thread(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first frames show a painting, ask for its rig, its blurred wall and a reload of the
    content: each is work for a thread that is already running."""
    app = headless_kiosk(tmp_path, CONFIG)
    try:
        app.reload_now(time.monotonic())
        started: list[str] = []
        start = threading.Thread.start

        def recorded(thread: threading.Thread) -> None:
            started.append(thread.name)
            start(thread)

        monkeypatch.setattr(threading.Thread, "start", recorded)
        app.content.request()
        for _ in range(5):
            app.tick(time.monotonic())
        assert app.director.current is not None
        assert started == [], f"frames started threads: {started}"
    finally:
        app.close()


def test_a_plain_wall_is_made_once_per_size_and_colour() -> None:
    style = WallStyle(fill="colour", colour="#203040")
    first = make_wall(style, None, (640, 360)).backdrop((640, 360))
    again = make_wall(style, None, (640, 360)).backdrop((640, 360))
    assert again is first and not first.flags.writeable
    assert tuple(first[0, 0]) == (0x40, 0x30, 0x20)  # BGR
