"""Shared fixtures. Keep small: a fixture belongs here only if several test files use it."""

from __future__ import annotations

import shutil
import textwrap
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.headless import use_headless_sdl

# Tests never need a screen or a sound card; CI has neither.
use_headless_sdl()

REPO_ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


def shared_data(relative: str) -> Path:
    """A file from ../shared/data, or skip the test (with the reason) when it is absent."""
    path = SHARED_DATA / relative
    if not path.exists():
        pytest.skip(f"needs {path} (the shared test data is not on this machine)")
    return path


@dataclass
class ContentDirs:
    """A throwaway kiosk folder: exhibits/ and content/ under one root."""

    root: Path
    exhibits: Path
    content: Path

    def write_image(self, relative: str, shape: tuple[int, ...] = (48, 40, 3)) -> Path:
        path = self.content / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        rng = np.random.default_rng(len(relative))
        ok, data = cv2.imencode(path.suffix, rng.integers(0, 255, shape, dtype=np.uint8))
        assert ok
        path.write_bytes(data.tobytes())
        return path

    def write_exhibit(self, name: str, text: str) -> Path:
        path = self.exhibits / name
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path


@pytest.fixture
def dirs(tmp_path: Path) -> ContentDirs:
    d = ContentDirs(tmp_path, tmp_path / "exhibits", tmp_path / "content")
    d.exhibits.mkdir()
    d.content.mkdir()
    return d


@pytest.fixture
def kiosk_dir(tmp_path: Path) -> Path:
    """A copy of the shipped kiosk folder (config.yaml and exhibits/; content/ fills itself)."""
    shutil.copytree(REPO_ROOT / "exhibits", tmp_path / "exhibits")
    (tmp_path / "content").mkdir()
    shutil.copy(REPO_ROOT / "config.yaml", tmp_path / "config.yaml")
    return tmp_path
