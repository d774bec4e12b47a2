"""The window is opened by the faster of SDL's two framebuffer paths, measured at start-up;
an operator's own SDL_FRAMEBUFFER_ACCELERATION is kept."""

from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame  # noqa: E402
import pytest  # noqa: E402

from kiosk.display import framebuffer  # noqa: E402
from kiosk.display.framebuffer import FRAMEBUFFER_HINT, open_fastest  # noqa: E402


@pytest.fixture
def probed(monkeypatch):
    """open_fastest as on a real display server whose update costs `costs` ms by path."""
    costs: dict[str, float] = {}
    opened: list[str] = []
    monkeypatch.delenv(FRAMEBUFFER_HINT, raising=False)
    monkeypatch.setattr(framebuffer, "_chosen", None)
    monkeypatch.setattr(pygame.display, "get_driver", lambda: "x11")
    monkeypatch.setattr(
        framebuffer, "_update_ms", lambda screen: costs[os.environ[FRAMEBUFFER_HINT]]
    )

    def open_window() -> pygame.Surface:
        opened.append(os.environ.get(FRAMEBUFFER_HINT, "SDL's choice"))
        return pygame.display.set_mode((64, 48))

    pygame.display.init()
    yield costs, opened, open_window
    pygame.display.quit()


@pytest.mark.parametrize(("texture", "driver", "best"), [(40.0, 1.5, "0"), (0.8, 3.0, "1")])
def test_the_faster_path_is_kept(probed, texture, driver, best):
    costs, opened, open_window = probed
    costs.update({"1": texture, "0": driver})
    screen, said = open_fastest(open_window)
    assert os.environ[FRAMEBUFFER_HINT] == best and opened[-1] == best
    assert screen.get_size() == (64, 48)
    assert f"{texture:.1f} ms" in said and f"{driver:.1f} ms" in said
    # A second window of the same process is measured again, not taken as the operator's.
    costs.update({"1": driver, "0": texture})
    open_fastest(open_window)
    assert os.environ[FRAMEBUFFER_HINT] != best


def test_an_operators_setting_is_kept_without_probing(probed, monkeypatch):
    costs, opened, open_window = probed
    monkeypatch.setenv(FRAMEBUFFER_HINT, "1")
    _, said = open_fastest(open_window)
    assert opened == ["1"] and "set" in said
