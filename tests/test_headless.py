"""The SDL dummy drivers, set in one place before pygame starts."""

from __future__ import annotations

import subprocess
import sys

from kiosk.headless import use_headless_sdl


def test_a_driver_already_chosen_is_kept_unless_overridden() -> None:
    environ = {"SDL_VIDEODRIVER": "offscreen", "HOME": "/home/kiosk"}
    assert use_headless_sdl(environ) is environ
    assert environ == {
        "SDL_VIDEODRIVER": "offscreen", "SDL_AUDIODRIVER": "dummy", "HOME": "/home/kiosk"
    }  # fmt: skip
    use_headless_sdl(environ, override=True)
    assert (environ["SDL_VIDEODRIVER"], environ["SDL_AUDIODRIVER"]) == ("dummy", "dummy")


def test_it_can_run_before_pygame_is_imported() -> None:
    script = "import sys, kiosk.headless; print('pygame' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True)  # fmt: skip
    assert result.stdout.strip() == "False"
