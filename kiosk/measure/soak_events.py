"""What the soak does to a running kiosk: a curator's edits on fast-forward (`ExhibitChurn`)
and the camera stepped through its faults (`FaultScheduler`), with recovery times recorded."""

from __future__ import annotations

import os
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2

from kiosk.measure.faulty_camera import Fault, FaultyCapture
from kiosk.measure.kiosk_folder import ExhibitFile, face_image

# Healthy phases between the faults, so every fault starts from a live visitor.
FAULT_CYCLE: tuple[Fault, ...] = (
    "none", "unplugged", "none", "frozen", "none", "blocking", "none", "wrong_size", "none",
    "absent",
)  # fmt: skip
MAX_FAULT_RECORDS = 1000

# The exhibits the soak's kiosk starts with; churn removes and restores them.
BASE_EXHIBITS = (
    ExhibitFile("grace-hopper", "grace-hopper", "samples/grace_hopper.jpg", 0),
    ExhibitFile("astronaut", "astronaut", "samples/astronaut.png", 1),
)
BASE_IDS = frozenset(e.id for e in BASE_EXHIBITS)


class ExhibitChurn:
    """Curator activity on fast-forward: good, broken and vanishing exhibit files.

    Uses a fixed set of file names and image variants, so what the kiosk legitimately holds
    stays bounded and any growth over the run is a leak.
    """

    SLOTS = 3

    def __init__(self, root: Path, rng: random.Random) -> None:
        self.exhibits = Path(root) / "exhibits"
        self.content = Path(root) / "content"
        self.rng = rng
        self.counts: Counter[str] = Counter()
        # In the order the seeded choice draws from (a seed replays the same run).
        self.actions: dict[str, Callable[[int, str | None], None]] = {
            "write": self._write, "retitle": self._retitle, "break_yaml": self._break_yaml,
            "schema_error": self._schema_error, "missing_image": self._missing_image,
            "truncated_image": self._truncated_image, "atomic_save": self._atomic_save,
            "swap_files": self._swap_files, "duplicate_id": self._duplicate_id,
            "remove_on_screen": self._remove_on_screen, "fix_all": self._fix_all,
        }  # fmt: skip
        churn = self.content / "churn"
        churn.mkdir(exist_ok=True)
        face = face_image(self.content)
        variants = (face, cv2.flip(face, 1), face[: face.shape[0] * 3 // 4])
        for k, image in enumerate(variants):
            cv2.imwrite(str(churn / f"v{k}.jpg"), image)
        self._jpeg = (churn / "v0.jpg").read_bytes()

    def step(self, on_screen: str | None) -> str:
        action = self.rng.choice(tuple(self.actions))
        self.actions[action](self.rng.randrange(self.SLOTS), on_screen)
        self.counts[action] += 1
        return action

    def restore(self) -> None:
        """Every base exhibit back and valid (the end of a soak, or after removing one)."""
        for exhibit in BASE_EXHIBITS:
            exhibit.write(self.exhibits)

    def _slot_text(self, slot: int, title: str = "", image: str = "") -> str:
        image = image or f"churn/v{self.rng.randrange(3)}.jpg"
        return ExhibitFile(f"churn-{slot}", title or f"Churn {slot}", image, 10 + slot).text()

    def _path(self, slot: int) -> Path:
        return self.exhibits / f"churn-{slot}.yaml"

    def _write(self, slot: int, _on_screen: str | None) -> None:
        self._path(slot).write_text(self._slot_text(slot))

    def _retitle(self, slot: int, _on_screen: str | None) -> None:
        title = f"Churn {slot} take {self.rng.randrange(1000)}"
        self._path(slot).write_text(self._slot_text(slot, title=title))

    def _break_yaml(self, slot: int, _on_screen: str | None) -> None:
        self._path(slot).write_text("id: [unclosed\ntitle: 'oops\n")

    def _schema_error(self, slot: int, _on_screen: str | None) -> None:
        self._path(slot).write_text(self._slot_text(slot) + "bogus_key: 1\n")

    def _missing_image(self, slot: int, _on_screen: str | None) -> None:
        self._path(slot).write_text(self._slot_text(slot, image="churn/nowhere.jpg"))

    def _truncated_image(self, slot: int, _on_screen: str | None) -> None:
        (self.content / "churn" / "cut.jpg").write_bytes(self._jpeg[: len(self._jpeg) // 2])
        self._path(slot).write_text(self._slot_text(slot, image="churn/cut.jpg"))

    def _atomic_save(self, slot: int, _on_screen: str | None) -> None:
        tmp = self.exhibits / f".churn-{slot}.yaml.tmp"
        tmp.write_text(self._slot_text(slot, title=f"Saved {self.rng.randrange(1000)}"))
        os.replace(tmp, self._path(slot))

    def _swap_files(self, slot: int, _on_screen: str | None) -> None:
        names = (f".churn-{slot}.yaml.swp", f"churn-{slot}.yaml~", f"#churn-{slot}.yaml#")
        for name in names:
            (self.exhibits / name).write_text("half-written: [")
        for name in names:
            (self.exhibits / name).unlink(missing_ok=True)

    def _duplicate_id(self, slot: int, _on_screen: str | None) -> None:
        text = self._slot_text(slot).replace(f"id: churn-{slot}", "id: grace-hopper")
        self._path(slot).write_text(text)

    def _remove_on_screen(self, slot: int, on_screen: str | None) -> None:
        target = self.exhibits / f"{on_screen}.yaml" if on_screen else self._path(slot)
        target.unlink(missing_ok=True)
        if on_screen in BASE_IDS:
            self.restore()  # base exhibits come back at once, churn slots later

    def _fix_all(self, _slot: int, _on_screen: str | None) -> None:
        self.restore()
        for slot in range(self.SLOTS):
            self._path(slot).write_text(self._slot_text(slot))


@dataclass
class FaultRecord:
    fault: str
    started_s: float
    was_live: bool  # the director was live when the fault began
    to_attract_s: float | None = None  # from the fault's start to the director's attract
    healed_s: float | None = None
    to_live_s: float | None = None  # from healing to the director's live again


@dataclass
class FaultScheduler:
    """Steps the camera through FAULT_CYCLE, `phase_s` per phase; records recovery times."""

    camera: FaultyCapture
    phase_s: float
    started: float
    records: list[FaultRecord] = field(default_factory=list)
    _phase: int = -1
    _open: FaultRecord | None = None

    def update(self, now: float, live: bool) -> None:
        phase = int((now - self.started) / self.phase_s)
        if phase != self._phase:
            self._phase = phase
            fault = FAULT_CYCLE[phase % len(FAULT_CYCLE)]
            self.camera.set_fault(fault)
            t = round(now - self.started, 3)
            if fault != "none":
                self._open = FaultRecord(fault, t, live)
                if len(self.records) < MAX_FAULT_RECORDS:
                    self.records.append(self._open)
            elif self._open is not None:
                self._open.healed_s = t
        record, t = self._open, now - self.started
        if record is None:
            return
        if record.healed_s is None and not live and record.to_attract_s is None:
            record.to_attract_s = round(t - record.started_s, 3)
        if record.healed_s is not None and live:
            record.to_live_s = round(max(0.0, t - record.healed_s), 3)
            self._open = None
