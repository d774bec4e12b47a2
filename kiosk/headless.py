"""Running without a screen or a sound card: SDL's dummy drivers, chosen before pygame starts.

The one place that names them, for `kiosk run --headless`, the bench, the soak, the display's
headless mode and the tests. Imports nothing (no pygame): call it before pygame is imported or
its display initialised, or hand it a child process's environment.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

HEADLESS_SDL = {"SDL_VIDEODRIVER": "dummy", "SDL_AUDIODRIVER": "dummy"}


def use_headless_sdl(
    environ: MutableMapping[str, str] = os.environ, *, override: bool = False
) -> MutableMapping[str, str]:
    """Set SDL's video and audio drivers to "dummy" in `environ` (returned).

    A driver already chosen there is kept (an operator's SDL_VIDEODRIVER=offscreen, say),
    unless `override`: a child process that must run headless whatever its parent has.
    """
    for name, value in HEADLESS_SDL.items():
        if override:
            environ[name] = value
        else:
            environ.setdefault(name, value)
    return environ
