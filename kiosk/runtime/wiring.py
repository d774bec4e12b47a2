"""The one place a kiosk is built: config + run options -> every stage, wired together.

`kiosk run`, `kiosk bench`, `kiosk soak` and the tests all call `build_kiosk`, so they run
the same kiosk; each stage's settings are made from config here and nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from kiosk.camera.sources import FrameSource, SyntheticSource, open_source
from kiosk.clips.library import load_clip_library
from kiosk.config import KioskConfig
from kiosk.director.attention import AttentionTimings, missing_reaction_clips
from kiosk.director.director import Director, DirectorTimings
from kiosk.display import Display
from kiosk.display.recorder import ScreenRecorder, check_recording_allowed
from kiosk.exhibits.library import ExhibitLibrary
from kiosk.exhibits.loader import ContentLoader
from kiosk.exhibits.samples import ensure_sample_content
from kiosk.exhibits.watcher import ContentWatcher
from kiosk.motion.eye_contact import CameraGeometry
from kiosk.motion.live import LiveMotion
from kiosk.ops.operations import Operations
from kiosk.renderer.engine import make_engine
from kiosk.renderer.rig_store import RigStore, fit_image
from kiosk.runtime.live import LiveInput, SourceFactory
from kiosk.runtime.loop import Kiosk, Stages
from kiosk.runtime.options import RunOptions
from kiosk.runtime.panel import CuratorPanel, ProblemList
from kiosk.runtime.scene import SceneRenderer
from kiosk.runtime.speech import KioskSpeech
from kiosk.stats import StageTimes


def build_kiosk(
    config: KioskConfig,
    options: RunOptions | None = None,
    *,
    source_factory: SourceFactory | None = None,
    times: StageTimes | None = None,
    rig_cache_dir: Path | None = None,
) -> Kiosk:
    """A kiosk ready to `start()` (or `run()`).

    `source_factory` replaces the configured camera (fault injection, soak); `times` is where
    every stage records its milliseconds (the bench hands in its own); `rig_cache_dir`
    replaces config's cache folder for rigs (the bench's cold and warm starts).
    """
    options = options if options is not None else RunOptions()
    if options.record is not None:
        check_recording_allowed(options.live_camera and source_factory is None)
    paths = config.paths
    times = times if times is not None else StageTimes()
    # The display opens after the content folders are checked, as it always has; the loader
    # only fits images once it runs, by then with the display there.
    library, content = _content(config, lambda size: display.fit(size))
    clips, clip_problems = load_clip_library(paths.content / "drivers")
    attention = AttentionTimings.from_config(config.attention)
    clip_problems += missing_reaction_clips(attention, set(clips))
    rig_dir, max_pixels = rig_cache_dir or paths.cache / "rigs", config.engine.max_face_pixels
    rigs = RigStore(cache_dir=rig_dir, max_face_pixels=max_pixels, engine_config=config.engine)
    engine = make_engine(config.engine)
    display = _display(config, options, times)
    scene = SceneRenderer(
        library, clips, rigs, engine, config.engine, config.timeouts.crossfade_s,
        display.fit, display.logical_size, content.fitted_still, times,
        camera=CameraGeometry.from_config(config.attention),
    )  # fmt: skip
    speech = KioskSpeech.from_config(config) if config.speech.enabled else None
    problems = ProblemList(
        library, clip_problems, lambda: scene.rig_errors,
        speech.problems if speech is not None else None,
    )  # fmt: skip
    live = LiveInput(
        source_factory or (lambda: open_camera(config, options)),
        # The visitor's own mouth is never drawn into a painting that is being recorded.
        lambda: LiveMotion.from_config(config, recording=options.record is not None),
        visitor_gone_s=config.timeouts.visitor_gone_s,
        times=times,
    )
    live.open()
    director = Director(DirectorTimings.from_config(config.timeouts), attention)
    stages = Stages(
        config=config, options=options, times=times, library=library, content=content,
        clips=clips, clip_problems=clip_problems, director=director,
        rigs=rigs, engine=engine, display=display, live=live, scene=scene, problems=problems,
        panel=CuratorPanel(library, problems),
        watcher=ContentWatcher([paths.exhibits, paths.content]),
        # Headless runs (tests, benchmarks) never claim the metrics port.
        ops=Operations(config, metrics=not options.headless),
        speech=speech,
        recorder=ScreenRecorder(options.record, config.display.fps) if options.record else None,
    )  # fmt: skip
    return Kiosk(stages)


def _content(
    config: KioskConfig, fit: Callable[[tuple[int, int]], tuple[int, int, int, int]]
) -> tuple[ExhibitLibrary, ContentLoader]:
    """The exhibit library (sample content prepared on first start) and its loader, which
    reloads off the display thread and fits big images to the screen there too."""
    ensure_sample_content(config.paths.content)
    library = ExhibitLibrary(config.paths.exhibits, config.paths.content, config.limits)

    def fit_to_screen(image: np.ndarray) -> np.ndarray:
        """An exhibit image at the size it is shown (the content loader's thread calls it)."""
        _, _, fw, fh = fit((image.shape[1], image.shape[0]))
        return fit_image(image, (fw, fh))

    return library, ContentLoader(library, fit_to_screen)


def _display(config: KioskConfig, options: RunOptions, times: StageTimes) -> Display:
    on_wall = not options.windowed and not options.headless
    return Display(
        size=tuple(config.display.size),
        fullscreen=config.display.fullscreen and on_wall,
        rotation=config.display.rotation,
        kiosk_mode=on_wall,
        exit_keys=config.curator.exit_keys,
        overlay_keys=config.curator.overlay_keys,
        curator_pin=config.curator.pin,
        show_notice=config.display.show_notice,
        headless=options.headless,
        times=times,
    )


def open_camera(config: KioskConfig, options: RunOptions) -> FrameSource | None:
    """The camera the options and config ask for: none, the synthetic sample, a driver video,
    a device index, or the configured camera."""
    cam = config.camera
    stale = config.timeouts.camera_reopen_s
    if options.no_camera or (
        not cam.enabled and options.driver_video is None and options.camera is None
    ):
        return None
    if options.synthetic_camera:
        sample = config.paths.content / "samples" / "grace_hopper.jpg"
        image = cv2.imread(str(sample))
        return SyntheticSource(image, size=tuple(cam.size), fps=cam.fps, stale_after_s=stale)
    overrides: dict[str, object] = {}
    if options.driver_video is not None:
        overrides["video"] = options.driver_video
    if options.camera is not None:
        overrides["device"] = options.camera
        overrides["video"] = None
    overrides["enabled"] = True
    return open_source(cam.model_copy(update=overrides), stale_after_s=stale)
