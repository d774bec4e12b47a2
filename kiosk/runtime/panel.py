"""What the overlays show this frame: the exhibit's label, the hint, the privacy notice, and the
curator panel with the problem list."""

from __future__ import annotations

from collections.abc import Callable

from kiosk.config import display_path
from kiosk.director.director import Mode, Scene
from kiosk.display import OverlayState, SpeechView
from kiosk.display.widgets.privacy_notice import notice_text
from kiosk.exhibits.library import ExhibitLibrary

ATTRACT_HINT = "Swipe to see another painting"


class ProblemList:
    """Everything a curator must fix, as one line each: the exhibit library's problems, the
    clips', and the paintings shown without animation because their rig failed."""

    def __init__(
        self,
        library: ExhibitLibrary,
        clip_problems: list[str],
        rig_errors: Callable[[], dict],
        speech_problems: Callable[[], list[str]] | None = None,
    ) -> None:
        self._library = library
        self._clip_problems = clip_problems
        self._rig_errors = rig_errors
        self._speech_problems = speech_problems  # no sound, a voice that fails, ...

    def lines(self) -> list[str]:
        problems = [str(p) for p in self._library.problems] + list(self._clip_problems)
        errors = self._rig_errors()
        for exhibit in self._library.exhibits:
            if errors.get(exhibit.id):
                problems.append(
                    f"{display_path(exhibit.source_file)}: image: "
                    f"{errors[exhibit.id]} (shown without animation)"
                )
        if self._speech_problems is not None:
            problems += self._speech_problems()
        return problems


class CuratorPanel:
    """Builds each frame's `OverlayState`; the curator panel's lines only while it is open."""

    def __init__(self, library: ExhibitLibrary, problems: ProblemList) -> None:
        self._library = library
        self._problems = problems
        self.visible = False

    def toggle(self) -> None:
        self.visible = not self.visible

    def overlay(
        self,
        scene: Scene,
        camera_state: str | None,
        frame_median_ms: Callable[[], float],
        face_box: tuple[int, int, int, int] | None = None,
        speech: SpeechView | None = None,
    ) -> OverlayState:
        """`camera_state` is None when the kiosk has no camera (the notice is then not shown);
        otherwise the notice says what the camera does now. `face_box`: the painted faces'
        bounds in the shown painting (the overlays keep clear of them). `speech` adds the
        speech buttons and captions, and the label in its language."""
        exhibit = self._library.get(scene.exhibit_id) if scene.exhibit_id else None
        spec = exhibit.spec if exhibit else None
        language = speech.language if speech is not None else None
        curator: list[str] = []
        if self.visible:
            curator = [
                f"Mode: {scene.mode.value}    camera: {camera_state or 'off'}    "
                f"exhibits: {len(self._library.exhibits)}",
                f"Frame time: {frame_median_ms():.1f} ms median",
                *(self._problems.lines() or ["No problems found."]),
            ]
        return OverlayState(
            title=spec.title_in(language) if spec else "",
            artist=spec.artist if spec else "",
            year=spec.year if spec else "",
            label=spec.label_in(language) if spec else "",
            credit=spec.credit_in(language) if spec else "",
            show_label=scene.show_label,
            show_title=scene.mode is Mode.ATTRACT,
            camera_on=camera_state is not None,
            notice=notice_text(camera_state) if camera_state is not None else "",
            face_box=face_box,
            curator_visible=self.visible,
            curator_lines=curator,
            status_hint=ATTRACT_HINT if scene.mode is Mode.ATTRACT else "",
            speech=speech,
        )
