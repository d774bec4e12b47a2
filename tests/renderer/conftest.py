"""Fixtures the renderer tests share: the engine, and the Grace Hopper sample as the kiosk
copies it into its content folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import pytest

from kiosk.exhibits.samples import ensure_sample_content
from kiosk.renderer.engine import GeometricEngine


@pytest.fixture(scope="module")
def engine() -> Iterator[GeometricEngine]:
    engine = GeometricEngine()
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def hopper(tmp_path_factory: pytest.TempPathFactory) -> np.ndarray:
    """The Grace Hopper sample image (BGR)."""
    content = tmp_path_factory.mktemp("content")
    ensure_sample_content(Path(content))
    image = cv2.imread(str(content / "samples" / "grace_hopper.jpg"))
    assert image is not None
    return image
