"""Wires the stages together and runs the kiosk loop: camera -> tracker -> motion -> director ->
renderer -> display, with the exhibit library hot-reloading beside it."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np

from kiosk.camera.sources import FrameSource, SyntheticSource, open_source
from kiosk.clips.library import load_clip_library
from kiosk.clips.playlist import PlaylistEntry, PlaylistPlayer
from kiosk.config import KioskConfig, display_path
from kiosk.director.director import Director, DirectorTimings, Mode, Scene
from kiosk.display import Action, Display, OverlayState
from kiosk.display.pacing import FramePacer
from kiosk.exhibits.library import ExhibitLibrary, LoadedExhibit, ReloadReport
from kiosk.exhibits.loader import ContentLoader
from kiosk.exhibits.samples import ensure_sample_content
from kiosk.exhibits.watcher import ContentWatcher
from kiosk.motion.estimator import FilterSettings
from kiosk.motion.live import LiveMotion
from kiosk.runtime.tracking import TrackingWorker
from kiosk.motion.motion import Motion, blend
from kiosk.ops import Health
from kiosk.ops.operations import Operations
from kiosk.renderer.engine import Animation, GeometricEngine, animation_for
from kiosk.renderer.face_rig import PaintingRig
from kiosk.renderer.rig_store import RigRequest, RigResult, RigStore, fit_image
from kiosk.stats import StageTimes

log = logging.getLogger(__name__)

FACE_TIME_OFFSET_S = 1.3  # idle-loop delay between the faces of a multi-face painting


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


@dataclass
class RunReport:
    frames: int = 0
    elapsed_s: float = 0.0
    camera_frames: int = 0
    frames_with_visitor: int = 0
    stages: dict = field(default_factory=dict)
    transitions: list = field(default_factory=list)
    exhibits: list = field(default_factory=list)
    problems: list = field(default_factory=list)
    exit_reason: str = ""

    def to_json(self) -> dict:
        fps = self.frames / self.elapsed_s if self.elapsed_s > 0 else 0.0
        return {
            "frames": self.frames,
            "elapsed_s": round(self.elapsed_s, 3),
            "fps": round(fps, 2),
            "camera_frames_processed": self.camera_frames,
            "frames_with_visitor": self.frames_with_visitor,
            "stages_ms": self.stages,
            "transitions": self.transitions,
            "exhibits": self.exhibits,
            "problems": self.problems,
            "exit_reason": self.exit_reason,
        }


def _same_motions(a: list[Motion], b: list[Motion]) -> bool:
    return len(a) == len(b) and all(x.same_as(y) for x, y in zip(a, b, strict=True))


def _place(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """A painting centred on a black canvas of the screen's logical size (for cross-fades)."""
    w, h = size
    canvas = np.zeros((h, w, 3), np.uint8)
    ih, iw = image.shape[:2]
    x, y = (w - iw) // 2, (h - ih) // 2
    canvas[y : y + ih, x : x + iw] = image
    return canvas


class KioskApp:
    def __init__(
        self,
        config: KioskConfig,
        options: RunOptions = RunOptions(),
        source_factory: Callable[[], FrameSource | None] | None = None,
    ) -> None:
        """`source_factory` replaces the configured camera (fault injection, soak tests)."""
        self.config = config
        self.options = options
        self._source_factory = source_factory or self._open_camera
        paths = config.paths
        ensure_sample_content(paths.content)
        self.library = ExhibitLibrary(paths.exhibits, paths.content, config.limits)
        # Reloads off the display thread; big images are fitted to the screen there too.
        self.content = ContentLoader(self.library, self._fit_to_screen)
        self.clips, clip_problems = load_clip_library(paths.content / "drivers")
        self.clip_problems = clip_problems
        t = config.timeouts
        self.director = Director(
            DirectorTimings(
                visitor_enter_s=t.visitor_enter_s,
                visitor_leave_s=t.visitor_leave_s,
                attract_exhibit_s=t.attract_exhibit_s,
                crossfade_s=t.crossfade_s,
                label_hide_s=t.label_hide_s,
            )
        )
        self.times = StageTimes()
        self.rigs = RigStore(
            cache_dir=paths.cache / "rigs", max_face_pixels=self.config.engine.max_face_pixels
        )
        self.engine = GeometricEngine()
        self.display = Display(
            size=tuple(config.display.size),
            fullscreen=config.display.fullscreen and not options.windowed and not options.headless,
            rotation=config.display.rotation,
            kiosk_mode=not options.windowed and not options.headless,
            exit_keys=config.curator.exit_keys,
            overlay_keys=config.curator.overlay_keys,
            curator_pin=config.curator.pin,
            show_notice=config.display.show_notice,
            headless=options.headless,
        )
        self.source = self._source_factory()
        self.tracking = self._start_tracking(self.source)
        self.watcher = ContentWatcher([paths.exhibits, paths.content])
        # Headless runs (tests, benchmarks) never claim the metrics port.
        self.ops = Operations(config, metrics=not options.headless)
        self._last_touch: float | None = None
        self._asleep = False
        self._players: dict[str, tuple[object, PlaylistPlayer]] = {}
        self._fitted: dict[str, tuple[str, np.ndarray]] = {}
        self._last_frames: dict[str, np.ndarray] = {}
        self._last_render: tuple | None = None  # (rig and settings, motions, image)
        self._frame: tuple[str, PaintingRig, np.ndarray] | None = None  # see _frame_of
        self._live_motion = Motion()
        self._last_sequence = -1
        self._visitor_present = False
        self._curator_visible = False
        self._camera_frames = 0
        self._frames_with_visitor = 0
        self._quit_reason = ""
        self._stale_s = config.timeouts.camera_stale_s
        self._rig_errors: dict[str, str] = {}  # exhibit id -> why it is shown still

    # -- set-up ---------------------------------------------------------------------------

    def _start_tracking(self, source: FrameSource | None) -> TrackingWorker | None:
        if source is None:
            return None
        e = self.config.engine
        settings = FilterSettings(
            pose_min_cutoff=e.one_euro_min_cutoff,
            pose_beta=e.one_euro_beta,
            d_cutoff=e.one_euro_d_cutoff,
        )
        return TrackingWorker(source, LiveMotion(settings, mirror=self.config.camera.mirror))

    def _open_camera(self) -> FrameSource | None:
        cam = self.config.camera
        opts = self.options
        stale = self.config.timeouts.camera_stale_s
        if opts.no_camera or (
            not cam.enabled and opts.driver_video is None and opts.camera is None
        ):
            return None
        if opts.synthetic_camera:
            sample = self.config.paths.content / "samples" / "grace_hopper.jpg"
            image = cv2.imread(str(sample))
            return SyntheticSource(image, size=tuple(cam.size), fps=cam.fps, stale_after_s=stale)
        overrides = {}
        if opts.driver_video is not None:
            overrides["video"] = opts.driver_video
        if opts.camera is not None:
            overrides["device"] = opts.camera
            overrides["video"] = None
        overrides["enabled"] = True
        return open_source(cam.model_copy(update=overrides), stale_after_s=stale)

    # -- the loop -------------------------------------------------------------------------

    @property
    def new_results(self) -> threading.Event | None:
        """Set by the tracker at each new result (the display loop wakes on it); None without
        a camera. The tracker is replaced when the camera restarts, so ask at every frame."""
        return self.tracking.results if self.tracking is not None else None

    def request_stop(self, reason: str) -> None:
        """Ask the loop to end after the current frame (safe from a signal handler)."""
        self._quit_reason = reason

    def run(self) -> RunReport:
        report = RunReport()
        self._reload_library(time.monotonic())
        if self.source is not None:
            self.source.start()
        if self.tracking is not None:
            self.tracking.start()
        self.watcher.start()
        self.ops.start(len(self.library.exhibits))
        clock_start = time.monotonic()
        pacer = FramePacer(self.config.display.fps)
        frames = 0
        try:
            while self._quit_reason == "":
                started = time.monotonic()
                decision = self.ops.decide_sleep(started, self._last_touch)
                if decision.asleep:
                    self._sleep_step(started, decision.poll_interval_s)
                    continue
                if self._asleep:
                    self._wake()
                self.tick(started)
                frames += 1
                if self.options.max_frames is not None and frames >= self.options.max_frames:
                    self._quit_reason = "frame limit reached"
                    break
                pacer.wait(self.new_results)
        except KeyboardInterrupt:
            self._quit_reason = "interrupted"
        finally:
            report.frames = frames
            report.elapsed_s = time.monotonic() - clock_start
            report.camera_frames = self._camera_frames
            report.frames_with_visitor = self._frames_with_visitor
            report.stages = self._stage_summary()
            report.transitions = [
                {"at_s": round(t.at - clock_start, 3), "from": t.before, "to": t.after,
                 "reason": t.reason}
                for t in self.director.transitions
            ]  # fmt: skip
            report.exhibits = [e.id for e in self.library.exhibits]
            report.problems = [str(p) for p in self._problems()]
            report.exit_reason = self._quit_reason
            self.ops.stop(self._quit_reason or "closed")
            self.close()
        if self.options.report is not None:
            self.options.report.write_text(json.dumps(report.to_json(), indent=2))
        return report

    # -- opening hours --------------------------------------------------------------------

    def _sleep_step(self, now: float, poll_s: float) -> None:
        """Closed: black screen, camera off, near-idle CPU; a touch wakes the kiosk."""
        if not self._asleep:
            log.info("outside opening hours: sleeping")
            self._asleep = True
            self._stop_camera()
            w, h = self.display.logical_size
            self.display.present(np.zeros((h, w, 3), np.uint8), OverlayState())
        for action in self.display.poll_actions():
            if action is Action.QUIT:
                self._quit_reason = "curator quit"
            else:
                self._last_touch = now
        self.ops.tick(now, "sleep", lambda fps: self._health(None, fps, asleep=True))
        time.sleep(poll_s)  # idle until the next look at the clock and the screen

    def _wake(self) -> None:
        log.info("waking up")
        self._asleep = False
        self.source = self._source_factory()
        self.tracking = self._start_tracking(self.source)
        if self.source is not None:
            self.source.start()
        if self.tracking is not None:
            self.tracking.start()

    def _stop_camera(self) -> None:
        if self.tracking is not None:
            self.tracking.close()
            self.tracking = None
        if self.source is not None:
            self.source.close()
            self.source = None
        self._visitor_present = False

    def _health(self, scene: Scene | None, fps: float, asleep: bool = False) -> Health:
        return Health(
            mode="sleep" if asleep or scene is None else scene.mode.value,
            fps=round(fps, 2),
            camera_state=self.source.status().state if self.source is not None else "off",
            exhibit_ids=tuple(e.id for e in self.library.exhibits),
            current_exhibit=scene.exhibit_id if scene is not None else None,
            problems=len(self._problems()),
            stages=self._stage_summary(),
            last_reload=self.ops.last_reload_wall,
            asleep=asleep,
        )

    def tick(self, now: float) -> None:
        """One displayed frame."""
        self._handle_input(now)
        if self.watcher.poll(now):
            self.content.request()
        report = self.content.take_report()
        if report is not None:
            self._apply_reload(report, now)
        latency_from = self._update_live()
        scene = self.director.update(now, self._visitor_present)
        with self.times.measure("render"):
            image = self._render_scene(scene, now)
        with self.times.measure("display"):
            self.display.present(image, self._overlay(scene))
        if latency_from is not None:
            self.times.add("end_to_end", (time.monotonic() - latency_from) * 1000.0)
        self.times.add("frame", (time.monotonic() - now) * 1000.0)
        self.ops.tick(now, scene.mode.value, lambda fps: self._health(scene, fps))

    def _handle_input(self, now: float) -> None:
        for action in self.display.poll_actions():
            self._last_touch = now
            if action is Action.NEXT:
                self.director.step(+1, now)
            elif action is Action.PREVIOUS:
                self.director.step(-1, now)
            elif action is Action.TOGGLE_LABEL:
                self.director.toggle_label(now)
            elif action is Action.TOGGLE_CURATOR:
                self._curator_visible = not self._curator_visible
            elif action is Action.RELOAD:
                self.content.request()
            elif action is Action.ACTIVITY:
                self.director.touched(now)
            elif action is Action.QUIT:
                self._quit_reason = "curator quit"

    def _update_live(self) -> float | None:
        """Take the tracker's newest result, if new; returns its frame's capture time."""
        if self.tracking is None:
            self._visitor_present = False
            return None
        result = self.tracking.latest()
        now = time.monotonic()
        fresh = result is not None and now - result.frame_timestamp < self._stale_s
        # A frozen or vanished camera stops producing results: the visitor is then "gone".
        self._visitor_present = fresh and result.motion is not None
        if result is None or result.frame_sequence == self._last_sequence:
            return None
        self._last_sequence = result.frame_sequence
        self._camera_frames += 1
        if result.motion is not None:
            self._live_motion = result.motion
            self._frames_with_visitor += 1
        return result.frame_timestamp

    def _stage_summary(self) -> dict:
        summary = self.times.summary()
        if self.tracking is not None:
            summary.update(self.tracking.times.summary())
        return summary

    # -- content --------------------------------------------------------------------------

    def _reload_library(self, now: float) -> None:
        """Reload now, on this thread: at start-up, before the loop shows anything."""
        self._apply_reload(self.content.reload_now(), now)

    def _apply_reload(self, report: ReloadReport, now: float) -> None:
        """Tell the display side what a finished reload changed (the library logs problems)."""
        self.ops.reloaded(len(report.problems))
        self.director.set_exhibits([e.id for e in self.library.exhibits], now)
        self._rig_errors = {i: e for i, e in self._rig_errors.items() if self.library.get(i)}

    def _problems(self) -> list[str]:
        problems = [str(p) for p in self.library.problems] + list(self.clip_problems)
        for exhibit in self.library.exhibits:
            if self._rig_errors.get(exhibit.id):
                problems.append(
                    f"{display_path(exhibit.source_file)}: image: "
                    f"{self._rig_errors[exhibit.id]} (shown without animation)"
                )
        return problems

    def _player(self, exhibit: LoadedExhibit) -> PlaylistPlayer:
        spec = exhibit.spec.idle
        cached = self._players.get(exhibit.id)
        if cached is None or cached[0] != spec:
            entries = [PlaylistEntry(c.clip, c.weight) for c in spec.playlist]
            player = PlaylistPlayer(entries, self.clips, self.config.timeouts.crossfade_s)
            self._players[exhibit.id] = (spec, player)
            return player
        return cached[1]

    def _rig(self, exhibit: LoadedExhibit) -> tuple[np.ndarray, RigResult | None]:
        """The painting at its shown size and its rig (None while the rig is being built)."""
        h, w = exhibit.image.shape[:2]
        _, _, fw, fh = self.display.fit((w, h))
        face = exhibit.spec.face
        request = RigRequest(
            exhibit.image_digest, (fw, fh), face.choose, face.index, face.box, exhibit.corrections
        )
        result = self.rigs.get(request, exhibit.image)
        if result is not None:
            self._rig_errors[exhibit.id] = "" if result.rig is not None else result.error
            return result.image, result  # already fitted by the rig builder
        # Still building: show the painting unanimated, fitted here once.
        cached = self._fitted.get(exhibit.id)
        if cached is None or cached[0] != exhibit.image_digest or cached[1].shape[:2] != (fh, fw):
            still = self.content.fitted_still(exhibit, (fw, fh))
            if still is None:  # a small image: fitting it costs a few milliseconds
                still = fit_image(exhibit.image, (fw, fh))
            cached = (exhibit.image_digest, still)
            self._fitted[exhibit.id] = cached
        return cached[1], None

    def _fit_to_screen(self, image: np.ndarray) -> np.ndarray:
        """An exhibit image at the size it is shown (the content loader's thread calls it)."""
        _, _, fw, fh = self.display.fit((image.shape[1], image.shape[0]))
        return fit_image(image, (fw, fh))

    def _animation(self, exhibit: LoadedExhibit) -> Animation:
        return animation_for(exhibit.spec.animation, self.config.engine)

    # -- drawing --------------------------------------------------------------------------

    def _render_scene(self, scene: Scene, now: float) -> np.ndarray:
        exhibit = self.library.get(scene.exhibit_id) if scene.exhibit_id else None
        if exhibit is None:
            w, h = self.display.logical_size
            return np.zeros((h, w, 3), np.uint8)
        still, result = self._rig(exhibit)
        image = still
        if result is not None and result.rig is not None:
            player = self._player(exhibit)
            # Several animated faces each run a little behind the last, never in lockstep.
            motions = [
                blend(player.motion_at(now - i * FACE_TIME_OFFSET_S), self._live_motion,
                      scene.live_weight)
                for i in range(len(result.rig.faces))
            ]  # fmt: skip
            animation = self._animation(exhibit)
            key = (id(result.rig), animation)
            last = self._last_render
            if last is not None and last[0] == key and _same_motions(last[1], motions):
                image = last[2]  # nothing moved since the last frame (e.g. between camera frames)
            else:
                frame = self._frame_of(exhibit.id, result.rig, still)
                image = self.engine.render(result.rig, motions, animation, frame)
                self._last_render = (key, motions, image)
        self._last_frames[exhibit.id] = image
        previous = self._last_frames.get(scene.previous_exhibit_id or "")
        self._forget_all_but({exhibit.id, scene.previous_exhibit_id})
        if previous is not None and scene.exhibit_fade < 1.0:
            size = self.display.logical_size
            return cv2.addWeighted(
                _place(previous, size), 1.0 - scene.exhibit_fade, _place(image, size),
                scene.exhibit_fade, 0.0,
            )  # fmt: skip
        return image

    def _frame_of(self, exhibit_id: str, rig: PaintingRig, still: np.ndarray) -> np.ndarray:
        """The frame the exhibit on screen renders into, in place, frame after frame: only its
        head regions change, so the whole painting is not copied every frame (0.2 ms at 1080p).
        Another exhibit (even one sharing this rig) or a new rig gets a new frame, so the last
        frame of the one before stays intact for the cross-fade."""
        if self._frame is None or self._frame[0] != exhibit_id or self._frame[1] is not rig:
            self._frame = (exhibit_id, rig, still.copy())
        return self._frame[2]

    def _forget_all_but(self, keep: set[str | None]) -> None:
        """Only the paintings on screen keep their frames: twenty exhibits must not cost twenty
        screen-sized images each."""
        for cache in (self._last_frames, self._fitted):
            for key in [k for k in cache if k not in keep]:
                del cache[key]
        if self._frame is not None and self._frame[0] not in keep:
            self._frame = None

    def _overlay(self, scene: Scene) -> OverlayState:
        exhibit = self.library.get(scene.exhibit_id) if scene.exhibit_id else None
        spec = exhibit.spec if exhibit else None
        curator: list[str] = []
        if self._curator_visible:
            summary = self._stage_summary().get("frame", {})
            camera = self.source.status().state if self.source is not None else "off"
            curator = [
                f"Mode: {scene.mode.value}    camera: {camera}    "
                f"exhibits: {len(self.library.exhibits)}",
                f"Frame time: {summary.get('median_ms', 0):.1f} ms median",
                *(self._problems() or ["No problems found."]),
            ]
        return OverlayState(
            title=spec.title if spec else "",
            artist=spec.artist if spec else "",
            year=spec.year if spec else "",
            label=spec.label if spec else "",
            credit=spec.credit if spec else "",
            show_label=scene.show_label,
            camera_on=self.source is not None,
            curator_visible=self._curator_visible,
            curator_lines=curator,
            status_hint="Swipe to see another painting" if scene.mode is Mode.ATTRACT else "",
        )

    def close(self) -> None:
        if self.tracking is not None:
            self.tracking.close()
        if self.source is not None:
            self.source.close()
        self.watcher.close()
        self.content.close()
        self.rigs.close()
        self.engine.close()
        self.display.close()
        # Drop references to rendered paintings and the last camera-derived motion.
        self._last_frames.clear()
        self._last_render = None
        self._frame = None
        self._live_motion = Motion()
