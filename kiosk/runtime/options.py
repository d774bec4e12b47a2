"""What a run is asked to do (`RunOptions`) and what it did (`RunReport`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, slots=True)
class RunOptions:
    windowed: bool = False
    headless: bool = False
    camera: int | None = None  # overrides config.camera.device
    driver_video: Path | None = None  # overrides the camera with a looping video
    synthetic_camera: bool = False  # a moving sample portrait instead of a camera
    no_camera: bool = False
    max_frames: int | None = None
    report: Path | None = None
    record: Path | None = None  # an MP4 of what the screen showed (never with a live camera)

    @property
    def live_camera(self) -> bool:
        """A camera that may film visitors: anything but a video file, the synthetic sample or
        no camera at all."""
        return not (self.driver_video is not None or self.synthetic_camera or self.no_camera)


@dataclass
class RunReport:
    frames: int = 0
    elapsed_s: float = 0.0
    # From the start to the first frame shown (start-up); a recording's time 0 is that frame.
    first_frame_s: float | None = None
    camera_frames: int = 0
    frames_with_visitor: int = 0
    stages: dict = field(default_factory=dict)
    transitions: list = field(default_factory=list)
    exhibits: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    exit_reason: str = ""
    # The display's counters (Display.counters): frames pushed to the screen, of them whole
    # frames, and frames that showed a new painting (animation); and how frames are pushed.
    presented: tuple[int, int, int] = (0, 0, 0)
    present_path: str = ""

    def to_json(self) -> dict:
        def per_s(n: int) -> float:
            return round(n / self.elapsed_s, 2) if self.elapsed_s > 0 else 0.0

        presented, whole, new_paintings = self.presented
        return {
            "frames": self.frames,
            "elapsed_s": round(self.elapsed_s, 3),
            "first_frame_s": None if self.first_frame_s is None else round(self.first_frame_s, 3),
            "fps": per_s(self.frames),  # the loop's rate: ticks a second
            "presented_fps": per_s(presented),  # frames that changed the screen, a second
            "whole_frames_fps": per_s(whole),
            "new_frames_fps": per_s(new_paintings),  # new animation frames shown, a second
            "present_path": self.present_path,
            "camera_frames_processed": self.camera_frames,
            "frames_with_visitor": self.frames_with_visitor,
            "stages_ms": self.stages,
            "transitions": self.transitions,
            "exhibits": self.exhibits,
            "problems": self.problems,
            "exit_reason": self.exit_reason,
        }
