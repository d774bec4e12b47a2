"""The kiosk loop: start, one tick per displayed frame, stop; sleep outside opening hours.

Each tick: input (an action table), content reloads finished off the display thread, the
visitor's newest motion, the director's scene, the scene renderer, the display. The stages
are built by `kiosk.runtime.wiring.build_kiosk`; this file only runs them.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from kiosk.clips.clip import Clip
from kiosk.config import KioskConfig
from kiosk.director.director import Director, Mode, Scene
from kiosk.display import Action, Display, OverlayState
from kiosk.display.pacing import FramePacer
from kiosk.display.recorder import ScreenRecorder
from kiosk.display.wall import Wall, WallMaker, make_wall
from kiosk.exhibits.library import ExhibitLibrary, ReloadReport
from kiosk.exhibits.loader import ContentLoader
from kiosk.exhibits.watcher import ContentWatcher
from kiosk.ops import Health
from kiosk.ops.operations import Operations
from kiosk.renderer.engine import Engine
from kiosk.renderer.rig_store import RigStore
from kiosk.runtime.live import LiveInput
from kiosk.runtime.options import RunOptions, RunReport
from kiosk.runtime.panel import CuratorPanel, ProblemList
from kiosk.runtime.scene import SceneRenderer
from kiosk.runtime.speech import KioskSpeech, SpeechTick
from kiosk.stats import StageTimes

log = logging.getLogger(__name__)


@dataclass
class Stages:
    """Everything a kiosk is made of, as `build_kiosk` wires it."""

    config: KioskConfig
    options: RunOptions
    times: StageTimes
    library: ExhibitLibrary
    content: ContentLoader
    clips: dict[str, Clip]
    clip_problems: list[str]
    director: Director
    rigs: RigStore
    engine: Engine
    display: Display
    live: LiveInput
    scene: SceneRenderer
    problems: ProblemList
    panel: CuratorPanel
    watcher: ContentWatcher
    ops: Operations
    speech: KioskSpeech | None = None  # None: the kiosk does not speak (speech.enabled false)
    recorder: ScreenRecorder | None = None  # `kiosk run --record`


class Kiosk:
    """The running kiosk. `run()` is the whole life; `start()`, `tick()` and `close()` are its
    parts, for callers that drive the frames themselves (bench, soak, tests)."""

    def __init__(self, stages: Stages) -> None:
        s = stages
        self.stages = s
        self.config, self.options, self.times = s.config, s.options, s.times
        self.library, self.content, self.director = s.library, s.content, s.director
        self.rigs, self.engine, self.display = s.rigs, s.engine, s.display
        self.live, self.scene, self.panel, self.watcher, self.ops = (
            s.live, s.scene, s.panel, s.watcher, s.ops,
        )  # fmt: skip
        self.speech = s.speech
        self.last_touch: float | None = None
        self._wall_key: tuple | None = None  # the style and painting of the wall asked for
        self._wall_done = False  # ... and it hangs (a blurred one, once made)
        self.walls = WallMaker()  # blurred walls, made on their own thread
        self.asleep = False
        self.quit_reason = ""
        self._actions: dict[Action, Callable[[float], None]] = {
            Action.NEXT: lambda now: self.director.step(+1, now),
            Action.PREVIOUS: lambda now: self.director.step(-1, now),
            Action.TOGGLE_LABEL: self.director.toggle_label,
            Action.TOGGLE_CURATOR: lambda now: self.panel.toggle(),
            Action.RELOAD: lambda now: self.content.request(),
            Action.ACTIVITY: self.director.touched,
            Action.QUIT: lambda now: self.request_stop("curator quit"),
            Action.SPEECH: self._speech_tapped,
        }
        # The first frames only draw. The workers' threads start now: started by the first rig
        # or reload a frame asked for, that frame waited until the new thread was scheduled
        # (60 ms on a quiet 2-core PC, 275 ms on a busy one). And the configured wall hangs
        # now: made in the first frame, its screen-sized backdrop held that frame up.
        self.rigs.start()
        self.content.start()
        self._hang_wall(None)

    # -- what callers read ----------------------------------------------------------------

    @property
    def new_results(self) -> threading.Event | None:
        return self.live.new_results

    @property
    def curator_visible(self) -> bool:
        return self.panel.visible

    @curator_visible.setter
    def curator_visible(self, visible: bool) -> None:
        self.panel.visible = visible

    def problems(self) -> list[str]:
        return self.stages.problems.lines()

    def stage_summary(self) -> dict:
        return self.times.summary()

    # -- life -----------------------------------------------------------------------------

    def request_stop(self, reason: str) -> None:
        """Ask the loop to end after the current frame (safe from a signal handler)."""
        self.quit_reason = reason

    def start(self, now: float) -> None:
        """Load the content (on this thread: before the loop shows anything), then start the
        camera, the tracker, the watcher and the operations side."""
        self.reload_now(now)
        self.live.start()
        self.watcher.start()
        self.ops.start(len(self.library.exhibits))

    def run(self) -> RunReport:
        clock_start = time.monotonic()
        self.start(clock_start)
        pacer = FramePacer(self.config.display.fps)
        frames = 0
        first_frame: float | None = None  # when the first frame was shown (recordings start)
        try:
            while self.quit_reason == "":
                started = time.monotonic()
                decision = self.ops.decide_sleep(started, self.last_touch)
                if decision.asleep:
                    self.sleep_step(started, decision.poll_interval_s)
                    continue
                if self.asleep:
                    self.wake()
                self.tick(started)
                first_frame = started if first_frame is None else first_frame
                frames += 1
                if self.options.max_frames is not None and frames >= self.options.max_frames:
                    self.quit_reason = "frame limit reached"
                    break
                pacer.wait(self.new_results)
        except KeyboardInterrupt:
            self.quit_reason = "interrupted"
        finally:
            report = self._report(frames, clock_start, first_frame)
            self.ops.stop(self.quit_reason or "closed")
            self.close()
        if self.options.report is not None:
            self.options.report.write_text(json.dumps(report.to_json(), indent=2))
        return report

    def _report(
        self, frames: int, clock_start: float, first_frame: float | None = None
    ) -> RunReport:
        return RunReport(
            frames=frames,
            elapsed_s=time.monotonic() - clock_start,
            first_frame_s=None if first_frame is None else first_frame - clock_start,
            camera_frames=self.live.camera_frames,
            frames_with_visitor=self.live.frames_with_visitor,
            stages=self.stage_summary(),
            transitions=[
                {
                    "at_s": round(t.at - clock_start, 3),
                    "from": t.before,
                    "to": t.after,
                    "reason": t.reason,
                }
                for t in self.director.transitions
            ],  # fmt: skip
            exhibits=[e.id for e in self.library.exhibits],
            problems=self.problems(),
            exit_reason=self.quit_reason,
            presented=self.display.counters,
            present_path=self.display.present_path,
        )

    def close(self) -> None:
        self.live.stop()
        self.watcher.close()
        self.content.close()
        self.rigs.close()
        if self.speech is not None:
            self.speech.close()
        self.engine.close()
        if self.stages.recorder is not None:
            self.stages.recorder.close()
        self.display.close()
        self.walls.close()
        # Drop references to rendered paintings and the last camera-derived motion.
        self.scene.clear()
        self.live.forget()

    # -- one frame ------------------------------------------------------------------------

    def tick(self, now: float) -> None:
        """One displayed frame."""
        self._handle_input(now)
        if self.watcher.poll(now):
            self.content.request()
        report = self.content.take_report()
        if report is not None:
            self._apply_reload(report, now)
        latency_from = self.live.update()
        speech = self._speech_step(now)
        scene = self.director.update(now, self.live.visitor_present, self.live.people_in_view)
        with self.times.measure("render"):
            image = self.scene.render(
                scene, now, self.live.motion, self.live.gaze, speech.mouth, self.live.mouth
            )
        self._hang_wall(scene.exhibit_id)
        with self.times.measure("display"):
            self.display.present(image, self._overlay(scene), self.scene.damage)
        if self.stages.recorder is not None:
            self.stages.recorder.add(self.display.screen_pixels(), now)
        if latency_from is not None:
            self.times.add("end_to_end", (time.monotonic() - latency_from) * 1000.0)
        self.times.add("frame", (time.monotonic() - now) * 1000.0)
        self.ops.tick(now, scene.mode.value, lambda fps: self._health(scene, fps), scene.exhibit_id)

    def _hang_wall(self, exhibit_id: str | None) -> None:
        """Give the display the wall of the exhibit on screen when it changes (its own, or
        config's). A blurred wall is made off this thread; the plain wall hangs meanwhile."""
        exhibit = self.library.get(exhibit_id) if exhibit_id else None
        style = self.config.display.wall
        if exhibit is not None and exhibit.spec.wall is not None:
            style = exhibit.spec.wall
        blur = exhibit is not None and style.fill == "blur"
        key = (style, exhibit.image_digest if blur else None)
        size = self.display.logical_size
        if key != self._wall_key:
            self._wall_key, self._wall_done = key, not blur
            if blur:
                self.walls.request(key, self.scene.still_and_rig(exhibit)[0], size, style.darken)
            self._set_wall(make_wall(style, None, size))
            return
        blurred = None if self._wall_done else self.walls.ready(key)
        if blurred is not None:
            self._set_wall(make_wall(style, blurred, size, str(key[1])))
            self._wall_done = True

    def _set_wall(self, wall: Wall) -> None:
        self.display.set_wall(wall)
        self.scene.backdrop = wall.backdrop(self.display.logical_size)

    def _handle_input(self, now: float) -> None:
        for action in self.display.poll_actions():
            self.last_touch = now
            self._actions[action](now)

    def _speech_step(self, now: float) -> SpeechTick:
        """Speech's part of the frame: what it says for the painting shown, the mouth."""
        if self.speech is None:
            return SpeechTick(None, False)
        exhibit = self.library.get(self.director.current) if self.director.current else None
        tick = self.speech.update(now, exhibit, self.director.mode is Mode.LIVE)
        self.director.speaking(tick.speaking, now)
        return tick

    def _speech_tapped(self, now: float) -> None:
        if self.speech is not None:
            self.director.touched(now)
            self.speech.tap(self.display.speech_tapped, now)

    def _overlay(self, scene: Scene) -> OverlayState:
        camera = self.live.camera_state if self.live.source is not None else None
        return self.panel.overlay(
            scene,
            camera,
            lambda: self.stage_summary().get("frame", {}).get("median_ms", 0),
            self.scene.face_box(scene.exhibit_id),
            self.speech.view() if self.speech is not None else None,
        )

    def _health(self, scene: Scene | None, fps: float, asleep: bool = False) -> Health:
        return Health(
            mode="sleep" if asleep or scene is None else scene.mode.value,
            fps=round(fps, 2),
            camera_state=self.live.camera_state,
            exhibit_ids=tuple(e.id for e in self.library.exhibits),
            current_exhibit=scene.exhibit_id if scene is not None else None,
            problems=len(self.problems()),
            stages=self.stage_summary(),
            last_reload=self.ops.last_reload_wall,
            asleep=asleep,
        )

    # -- content --------------------------------------------------------------------------

    def reload_now(self, now: float) -> None:
        """Reload the content now, on this thread (start-up, tests)."""
        self._apply_reload(self.content.reload_now(), now)

    def _apply_reload(self, report: ReloadReport, now: float) -> None:
        """Tell the display side what a finished reload changed (the library logs problems)."""
        self.ops.reloaded(len(report.problems))
        self.director.set_exhibits([e.id for e in self.library.exhibits], now)
        self.scene.forget_removed()

    # -- opening hours --------------------------------------------------------------------

    def sleep_step(self, now: float, poll_s: float) -> None:
        """Closed: black screen, camera off, near-idle CPU; a touch wakes the kiosk."""
        if not self.asleep:
            log.info("outside opening hours: sleeping")
            self.asleep = True
            self.live.stop()
            if self.speech is not None:
                self.speech.stop()
            w, h = self.display.logical_size
            self.display.present(np.zeros((h, w, 3), np.uint8), OverlayState())
        for action in self.display.poll_actions():
            if action is Action.QUIT:
                self.request_stop("curator quit")
            else:
                self.last_touch = now
        self.ops.tick(now, "sleep", lambda fps: self._health(None, fps, asleep=True))
        time.sleep(poll_s)  # idle until the next look at the clock and the screen

    def wake(self) -> None:
        log.info("waking up")
        self.asleep = False
        self.live.open()
        self.live.start()
