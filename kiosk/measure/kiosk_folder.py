"""The throwaway kiosk folder the measurement tools run in: config.yaml, exhibits/, content/
(with the sample portraits) and cache/, written in one place in the formats a curator writes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import yaml

from kiosk.exhibits.samples import ensure_sample_content

CAMERA_SIZE = (640, 480)
CAMERA_FPS = 30
DISPLAY_FPS = 60


@dataclass(frozen=True, slots=True)
class ExhibitFile:
    """One exhibit file (schema 1): the painting `image`, relative to content/."""

    id: str
    title: str
    image: str
    order: int

    def text(self) -> str:
        spec = {"schema_version": 1, "id": self.id, "title": self.title, "image": self.image,
                "order": self.order}  # fmt: skip
        return yaml.safe_dump(spec, sort_keys=False)

    def write(self, exhibits: Path) -> Path:
        path = exhibits / f"{self.id}.yaml"
        path.write_text(self.text())
        return path


def write_kiosk(
    root: Path,
    size: tuple[int, int],
    exhibits: Sequence[ExhibitFile],
    timeouts: Mapping[str, float],
) -> Path:
    """A kiosk folder at `root`: windowed at `size`, a 640x480 camera at 30 fps, `timeouts`,
    the sample portraits in content/samples and one file per exhibit. Returns config.yaml."""
    root = Path(root)
    folders = {name: root / name for name in ("exhibits", "content", "cache")}
    for folder in folders.values():
        folder.mkdir(parents=True, exist_ok=True)
    ensure_sample_content(folders["content"])
    for exhibit in exhibits:
        exhibit.write(folders["exhibits"])
    config = {
        "schema_version": 1,
        "paths": {name: str(folder) for name, folder in folders.items()},
        "display": {"fullscreen": False, "size": list(size), "fps": DISPLAY_FPS},
        "camera": {"enabled": True, "size": list(CAMERA_SIZE), "fps": CAMERA_FPS},
        "timeouts": dict(timeouts),
    }
    path = root / "config.yaml"
    path.write_text(yaml.safe_dump(config))
    return path


def write_kiosk_folder(
    root: Path, size: tuple[int, int], images: Sequence[Path], count: int, crossfade_s: float = 0.8
) -> Path:
    """The bench's kiosk: `count` exhibits over `images` (repeats become distinct variants, so
    every exhibit has its own rig). Returns the config path."""
    bench = Path(root) / "content" / "bench"
    bench.mkdir(parents=True, exist_ok=True)
    exhibits = [painting_variant(bench, images, i) for i in range(count)]
    return write_kiosk(root, size, exhibits, {"crossfade_s": crossfade_s})


def painting_variant(folder: Path, images: Sequence[Path], i: int) -> ExhibitFile:
    """Exhibit `i` over `images` (its image written into `folder`, under content/): the images
    in turn, then each again mirrored or brightened by the round, so no two share a digest."""
    source = images[i % len(images)]
    round_ = i // len(images)
    name = f"{i:02d}-{source.stem}{source.suffix if round_ == 0 else '.png'}"
    target = folder / name
    if round_ == 0:
        target.write_bytes(source.read_bytes())
    else:
        image = cv2.imread(str(source))
        image = cv2.flip(image, 1) if round_ % 2 else image
        cv2.imwrite(str(target), cv2.convertScaleAbs(image, alpha=1.0, beta=round_))
    return ExhibitFile(f"bench-{i:02d}", source.stem, f"{folder.name}/{name}", i)


def face_image(content: Path) -> np.ndarray:
    """The Grace Hopper sample (a frontal face) from a content folder's samples."""
    image = cv2.imread(str(Path(content) / "samples" / "grace_hopper.jpg"))
    if image is None:
        raise FileNotFoundError(f"sample face missing in {content}/samples")
    return image
