"""Set-ups the system tests share: a headless kiosk over the shipped exhibits, and an exhibit
shown with its rig built."""

from __future__ import annotations

import shutil
from pathlib import Path

from kiosk.config import load_config
from kiosk.renderer.rig_store import RigResult
from kiosk.runtime.loop import Kiosk
from kiosk.runtime.options import RunOptions
from kiosk.runtime.wiring import build_kiosk
from tests.conftest import REPO_ROOT


def headless_kiosk(root: Path, config_text: str) -> Kiosk:
    """A kiosk without window or camera in `root`: the shipped exhibits, an empty content
    folder (the samples fill it), and `config_text` as its config.yaml."""
    shutil.copytree(REPO_ROOT / "exhibits", root / "exhibits")
    (root / "content").mkdir()
    (root / "config.yaml").write_text(config_text)
    return build_kiosk(load_config(root / "config.yaml"), RunOptions(headless=True, no_camera=True))


def show_with_rig(app: Kiosk, exhibit_id: str = "grace-hopper") -> RigResult:
    """Load the exhibits, show `exhibit_id` and wait for its rig (built on a worker thread);
    returns its rig as the scene has it."""
    app.reload_now(0.0)
    exhibit = app.library.get(exhibit_id)
    app.director.show(exhibit_id, 0.0)
    while (result := app.scene.still_and_rig(exhibit)[1]) is None:
        app.rigs.wait(timeout=60)
    return result
