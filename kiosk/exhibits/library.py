"""The exhibit library: every exhibit file and its image, with last-good semantics.

A curator's broken edit never takes a painting off the wall: the previous good version of that
file keeps running and the problem is reported. The library only reads; it never writes.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kiosk.config import LimitsConfig, Problem, display_path
from kiosk.exhibits.corrections import (
    SIDECAR_SUFFIX,
    Corrections,
    CorrectionsError,
    StaleCorrectionsError,
    is_sidecar_file,
    load_corrections,
)
from kiosk.exhibits.images import (
    StatKey,
    image_digest,
    over_total_pixels,
    read_image_file,
    resolve_image_path,
)
from kiosk.exhibits.schema import Exhibit, ExhibitError, parse_exhibit_file
from kiosk.safe_yaml import YamlLimits

log = logging.getLogger(__name__)

EXHIBIT_SUFFIXES = (".yaml", ".yml")
MAX_EXHIBIT_FILES = 200  # a wall of 200 paintings is already far more than a kiosk shows


@dataclass(frozen=True, eq=False)
class LoadedExhibit:
    """A valid exhibit with its decoded image, ready for the renderer."""

    spec: Exhibit
    image: np.ndarray  # H x W x 3, uint8, BGR; treat as read-only
    image_digest: str  # sha256 of the image file; key caches by this
    source_file: Path
    loaded_at: float  # time.monotonic() when this version was loaded
    corrections: Corrections | None = None  # from <stem>.face.yaml, for this image only

    @property
    def id(self) -> str:
        return self.spec.id


@dataclass(frozen=True)
class ReloadReport:
    """What one reload changed, by exhibit id."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = ()

    @property
    def any_change(self) -> bool:
        return bool(self.added or self.changed or self.removed)


@dataclass
class _CachedImage:
    stat: StatKey
    image: np.ndarray
    digest: str


@dataclass
class _Outcome:
    """One file's result in one reload."""

    new: LoadedExhibit | None = None  # valid and enabled now
    disabled: bool = False  # valid now, but enabled: false
    problems: list[Problem] = field(default_factory=list)


def is_exhibit_file(path: Path) -> bool:
    """True for exhibit YAML files; False for hidden files, editor swap/backup files and
    face corrections (`<exhibit>.face.yaml`, see kiosk.exhibits.corrections)."""
    name = path.name
    return (
        path.suffix.lower() in EXHIBIT_SUFFIXES
        and not name.startswith((".", "#", "~"))
        and not name.endswith("~")
        and not is_sidecar_file(path)
    )


class ExhibitLibrary:
    """Loads exhibits from exhibits_dir; images come from content_root."""

    def __init__(self, exhibits_dir: Path, content_root: Path, limits: LimitsConfig) -> None:
        self._dir = Path(exhibits_dir)
        self._content_root = Path(content_root)
        self._limits = limits
        self._yaml_limits = YamlLimits(
            max_bytes=limits.max_text_file_bytes, max_seconds=limits.max_file_load_s
        )
        self._last_good: dict[Path, LoadedExhibit] = {}  # per file
        self._images: dict[Path, _CachedImage] = {}  # per resolved image path
        # What the display reads (published) and what the last reload found (staged): a
        # reload on another thread stages its result, and the display thread publishes it
        # when it is ready to tell the director, so both always agree on the exhibit set.
        self._exhibits: dict[str, LoadedExhibit] = {}
        self._problems: list[Problem] = []
        self._staged: dict[str, LoadedExhibit] = {}
        self._pending: tuple[dict[str, LoadedExhibit], list[Problem], bool] | None = None
        self._pending_lock = threading.Lock()
        self._generation = 0
        self._pixels_left = limits.max_total_image_pixels  # reset at each reload

    @property
    def exhibits(self) -> list[LoadedExhibit]:
        """Current exhibits, in display order (order, then id)."""
        return sorted(self._exhibits.values(), key=lambda e: (e.spec.order, e.spec.id))

    @property
    def problems(self) -> list[Problem]:
        return list(self._problems)

    @property
    def generation(self) -> int:
        """Increases whenever a reload changes the exhibit set or any exhibit's content."""
        return self._generation

    @property
    def staged(self) -> list[LoadedExhibit]:
        """What the last reload found, published or not (for the loader's preparation)."""
        return list(self._staged.values())

    def get(self, exhibit_id: str) -> LoadedExhibit | None:
        return self._exhibits.get(exhibit_id)

    def reload(self, publish: bool = True) -> ReloadReport:
        """Re-scan the exhibits folder; keep last good versions of files that broke.
        publish=False (a reload off the display thread): exhibits, get() and problems keep
        showing the previous result until publish_staged() is called."""
        problems: list[Problem] = []
        files = self._scan(problems)
        used_images: set[Path] = set()
        self._pixels_left = self._limits.max_total_image_pixels
        chosen: dict[str, LoadedExhibit] = {}
        owner: dict[str, Path] = {}
        last_good: dict[Path, LoadedExhibit] = {}
        # Files that held an id last time keep it: a new copy cannot take over the wall.
        for path in sorted(files, key=lambda p: p not in self._last_good):
            outcome = self._load_file(path, used_images)
            problems.extend(outcome.problems)
            candidates = [outcome.new] if outcome.new else []
            if not outcome.new and not outcome.disabled and path in self._last_good:
                candidates.append(self._last_good[path])
                if outcome.problems:
                    problems.append(
                        Problem(
                            display_path(path),
                            "",
                            "still showing the last good version of this file",
                        )
                    )
            for candidate in candidates:
                if candidate.id in owner:
                    other = display_path(owner[candidate.id])
                    problems.append(
                        Problem(
                            display_path(path),
                            "id",
                            f"id '{candidate.id}' is already used by {other}; "
                            "give each exhibit its own id",
                        )
                    )
                    continue
                chosen[candidate.id] = candidate
                owner[candidate.id] = path
                last_good[path] = candidate
                break
        self._last_good = last_good
        # Keep cached images of exhibits still showing, so a later fix back is cheap too.
        used_images |= {
            p
            for p, c in self._images.items()
            if any(c.digest == e.image_digest for e in chosen.values())
        }
        self._images = {p: c for p, c in self._images.items() if p in used_images}
        report = self._diff(chosen, problems)
        self._staged = chosen
        for problem in problems:
            log.warning("%s", problem)
        with self._pending_lock:
            changed = report.any_change or (self._pending is not None and self._pending[2])
            self._pending = (chosen, problems, changed)
        if publish:
            self.publish_staged()
        return report

    def publish_staged(self) -> bool:
        """Make the last reload's result what exhibits, get() and problems show; True if
        there was one to publish. Cheap: swaps references."""
        with self._pending_lock:
            pending, self._pending = self._pending, None
        if pending is None:
            return False
        self._exhibits, self._problems, changed = pending
        if changed:
            self._generation += 1
        return True

    def _scan(self, problems: list[Problem]) -> list[Path]:
        if not self._dir.is_dir():
            problems.append(
                Problem(
                    display_path(self._dir),
                    "",
                    "exhibits folder not found; create it or fix paths.exhibits",
                )
            )
            return []
        names = {p.name for p in self._dir.iterdir()}
        for sidecar in sorted(n for n in names if is_sidecar_file(Path(n))):
            stem = sidecar[: -len(SIDECAR_SUFFIX)]
            if not any(stem + suffix in names for suffix in EXHIBIT_SUFFIXES):
                problems.append(
                    Problem(
                        display_path(self._dir / sidecar),
                        "",
                        f"face corrections without an exhibit file {stem}.yaml next to them; "
                        "rename them to match their exhibit file (<name>.yaml -> "
                        "<name>.face.yaml), or delete them",
                    )
                )
        files = sorted(
            (p for p in self._dir.iterdir() if is_exhibit_file(p) and p.is_file()),
            key=lambda p: p.name,
        )
        if len(files) > MAX_EXHIBIT_FILES:
            problems.append(
                Problem(
                    display_path(self._dir),
                    "",
                    f"holds {len(files)} exhibit files; the kiosk reads the first "
                    f"{MAX_EXHIBIT_FILES} by name: move the others out of the folder",
                )
            )
        return files[:MAX_EXHIBIT_FILES]

    def _load_file(self, path: Path, used_images: set[Path]) -> _Outcome:
        try:
            return self._load_checked(path, used_images)
        except Exception:  # a file must never stop the others loading, whatever is in it
            log.exception("unexpected error loading %s", display_path(path))
            return _Outcome(
                problems=[
                    Problem(
                        display_path(path),
                        "",
                        "could not be loaded (an error in the kiosk, logged in full); "
                        "check the file with 'kiosk check' and report it",
                    )
                ]
            )

    def _load_checked(self, path: Path, used_images: set[Path]) -> _Outcome:
        try:
            spec = parse_exhibit_file(path, self._yaml_limits)
        except ExhibitError as exc:
            return _Outcome(problems=exc.problems)
        if not spec.enabled:
            return _Outcome(disabled=True)
        try:
            image_path = resolve_image_path(self._content_root, spec.image)
            cached = self._image(image_path, counted=image_path in used_images)
            used_images.add(image_path)
        except ExhibitError as exc:
            return _Outcome(problems=[Problem(display_path(path), "image", str(exc))])
        except OSError as exc:
            return _Outcome(
                problems=[Problem(display_path(path), "image", f"cannot read the image: {exc}")]
            )
        old = self._last_good.get(path)
        corrections, problems = self._corrections(path, cached.digest, old)
        if (
            old is not None
            and old.spec == spec
            and old.image_digest == cached.digest
            and old.corrections == corrections
        ):
            return _Outcome(new=old, problems=problems)  # unchanged: same object, loaded_at
        new = LoadedExhibit(spec, cached.image, cached.digest, path, time.monotonic(), corrections)
        return _Outcome(new=new, problems=problems)

    @staticmethod
    def _corrections(
        path: Path, digest: str, old: LoadedExhibit | None
    ) -> tuple[Corrections | None, list[Problem]]:
        """The exhibit's face corrections; a broken file keeps the last good ones for the
        same image, corrections made for another image are ignored. Both are reported."""
        try:
            return load_corrections(path, digest), []
        except StaleCorrectionsError as exc:
            return None, exc.problems
        except CorrectionsError as exc:
            if old is not None and old.image_digest == digest and old.corrections is not None:
                kept = Problem(exc.file, "", "still using the last good face corrections")
                return old.corrections, [*exc.problems, kept]
            return None, exc.problems

    def _image(self, image_path: Path, counted: bool) -> _CachedImage:
        """Decode an image only when its file changed since the last read; each image counts
        once against limits.max_total_image_pixels (counted: already counted this reload)."""
        stat = StatKey.of(image_path)
        cached = self._images.get(image_path)
        if cached is None or cached.stat != stat:
            image, data = read_image_file(image_path, self._limits, self._pixels_left)
            image.setflags(write=False)
            cached = _CachedImage(stat, image, image_digest(data))
            self._images[image_path] = cached
        if not counted:
            pixels = cached.image.shape[0] * cached.image.shape[1]
            if pixels > self._pixels_left:
                raise ExhibitError(display_path(image_path), "", over_total_pixels(self._limits))
            self._pixels_left -= pixels
        return cached

    def _diff(self, chosen: dict[str, LoadedExhibit], problems: list[Problem]) -> ReloadReport:
        before, after = set(self._staged), set(chosen)
        changed = sorted(i for i in before & after if chosen[i] is not self._staged[i])
        return ReloadReport(
            tuple(sorted(after - before)),
            tuple(changed),
            tuple(sorted(before - after)),
            tuple(problems),
        )
