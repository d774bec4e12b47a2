"""What the render-step cost scripts (lid_cost.py, teeth_cost.py, mouth_transfer_cost.py)
share: a shared-data portrait fitted to a 1920x1080 screen, and a kiosk module as it was at an
earlier git revision, to time beside this tree's in the same run."""

from __future__ import annotations

import subprocess
import sys
import types
from pathlib import Path

import cv2
import numpy as np

from kiosk.renderer.rig_store import fit_image

REPO = Path(__file__).resolve().parents[1]
DATA = REPO / ".." / "shared" / "data"


def fitted_portrait(name: str, screen: tuple[int, int] = (1920, 1080)) -> np.ndarray:
    """Portrait `name` (../shared/data/portraits/NAME.*) at the size it is shown on `screen`."""
    image = cv2.imread(str(next((DATA / "portraits").glob(name + ".*"))))
    h, w = image.shape[:2]
    scale = min(screen[0] / w, screen[1] / h)
    return fit_image(image, (round(w * scale), round(h * scale)))


def module_at(
    revision: str, path: str, name: str, renames: dict[str, str] | None = None
) -> types.ModuleType:
    """The module at `path` as it was at `revision`, importable as `name`; `renames`: imports
    it makes of modules that changed, pointed at their old versions."""
    source = subprocess.run(
        ["git", "show", f"{revision}:{path}"], cwd=REPO, check=True, capture_output=True,
        text=True,
    ).stdout  # fmt: skip
    for new, old in (renames or {}).items():
        source = source.replace(new, old)
    module = types.ModuleType(name)
    module.__file__ = f"{revision}:{path}"
    sys.modules[name] = module
    exec(compile(source, module.__file__, "exec"), module.__dict__)
    return module
