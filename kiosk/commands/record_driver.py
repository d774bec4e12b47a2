"""`kiosk record-driver`: perform in front of the camera, save the motion as a driver clip.

A countdown (3-2-1) on screen, then the painting follows the performer live while the motion
is recorded; at the end the motion (never an image) is written as an ordinary clip file.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from kiosk.commands import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, config_path, face_args

COUNTDOWN_S = 3
HEADLESS_SIZE = (960, 540)


def add_parser(sub: argparse._SubParsersAction) -> None:
    rec = sub.add_parser(
        "record-driver", help="record a performance from the camera as a driver clip (YAML)"
    )
    rec.add_argument("--out", required=True, help="the clip file, e.g. content/drivers/wave.yaml")
    source = rec.add_mutually_exclusive_group()
    source.add_argument("--camera", type=int, help="camera index (default: config camera.device)")
    source.add_argument("--video", help="use a video file as the camera (every frame, in order)")
    rec.add_argument("--seconds", type=float, help="recording length (default 10; video: all)")
    rec.add_argument("--exhibit", help="exhibit id of the painting shown as preview")
    rec.add_argument("--name", help="clip name shown to curators (default: from the file name)")
    rec.add_argument("--overwrite", action="store_true", help="replace an existing clip file")
    screen = rec.add_mutually_exclusive_group()
    screen.add_argument("--windowed", action="store_true", help="a window instead of fullscreen")
    screen.add_argument("--headless", action="store_true", help="no screen, no countdown")
    rec.set_defaults(func=cmd_record_driver)


def cmd_record_driver(args: argparse.Namespace) -> int:
    from kiosk.config import load_config

    out = Path(args.out)
    if out.suffix != ".yaml":
        print(f"--out must be a .yaml file (got {out})", file=sys.stderr)
        return EXIT_USAGE
    if out.exists() and not args.overwrite:
        print(f"{out} already exists; choose another name or add --overwrite", file=sys.stderr)
        return EXIT_USAGE
    if args.seconds is not None and args.seconds <= 0:
        print("--seconds must be positive", file=sys.stderr)
        return EXIT_USAGE
    if args.video and not Path(args.video).is_file():
        print(f"video not found: {args.video}", file=sys.stderr)
        return EXIT_PROBLEMS
    config = load_config(config_path(args.config))
    preview = _preview_painting(config, args.exhibit)
    if preview is None:
        return EXIT_PROBLEMS
    session = _Session(config, preview, args)
    try:
        motions, times, fps = session.run()
    finally:
        session.close()
    return _save(out, motions, times, fps, args)


def _save(
    out: Path, motions: list, times: list[float] | None, fps: float, args: argparse.Namespace
) -> int:
    from kiosk.curator.recording import face_span, record_clip, write_clip

    name = args.name or out.stem.replace("_", " ").replace("-", " ").capitalize()
    try:
        first, last = face_span(motions)
        data = record_clip(motions, fps, name, times=times)
        write_clip(out, data, overwrite=args.overwrite)
    except (ValueError, FileExistsError) as exc:
        print(f"nothing saved: {exc}", file=sys.stderr)
        return EXIT_PROBLEMS
    keys = len(next(iter(data["tracks"].values()))["keys"])
    print(
        f"wrote {out}: {data['duration']:g} s, {keys} keyframes x {len(data['tracks'])} tracks "
        f"({first} leading and {len(motions) - 1 - last} trailing frames without a face "
        "trimmed). Only motion was stored, no image."
    )
    return EXIT_OK


def _preview_painting(config, exhibit_id: str | None):
    """The exhibit to show while recording (the first one when none is named)."""
    from kiosk.exhibits.library import ExhibitLibrary
    from kiosk.exhibits.samples import ensure_sample_content

    ensure_sample_content(config.paths.content)
    library = ExhibitLibrary(config.paths.exhibits, config.paths.content, config.limits)
    library.reload()
    exhibits = library.exhibits
    if exhibit_id is not None:
        exhibit = library.get(exhibit_id)
        if exhibit is None:
            known = ", ".join(e.id for e in exhibits) or "none"
            print(f"no exhibit with id '{exhibit_id}' (known: {known})", file=sys.stderr)
        return exhibit
    if not exhibits:
        print(f"no exhibits in {config.paths.exhibits} to preview on", file=sys.stderr)
        return None
    return exhibits[0]


class _Session:
    """The camera (or video), the tracker, the preview painting and the window."""

    def __init__(self, config, exhibit, args: argparse.Namespace) -> None:
        from kiosk.display import Display
        from kiosk.renderer.engine import make_engine
        from kiosk.renderer.face_rig import NoFaceError
        from kiosk.renderer.rig_store import fit_image

        self.args = args
        self.mirror = config.camera.mirror
        self.camera_cfg = config.camera
        self.display = Display(
            size=HEADLESS_SIZE if args.headless else config.display.size,
            fullscreen=not (args.windowed or args.headless),
            rotation=0 if args.headless else config.display.rotation,
            kiosk_mode=False,
            exit_keys=config.curator.exit_keys,
            overlay_keys=config.curator.overlay_keys,
            show_notice=config.display.show_notice,
            curator_pin=None,  # the recorder has no curator panel to unlock
            headless=args.headless,
        )
        _, _, w, h = self.display.fit((exhibit.image.shape[1], exhibit.image.shape[0]))
        self.painting = fit_image(exhibit.image, (w, h))
        self.engine = make_engine(config.engine)
        try:
            self.rig = self.engine.build_rig(self.painting, *face_args(exhibit))
        except NoFaceError:
            self.rig = None  # the preview stays still; the recording still works
        self.title = exhibit.spec.title
        self.source = None

    def run(self) -> tuple[list, list[float] | None, float]:
        from kiosk.camera.sources import iter_video_frames
        from kiosk.curator.recording import performance_motions
        from kiosk.offline import video_fps

        if self.args.video:
            fps = video_fps(Path(self.args.video))
            self._countdown(None)
            limit = None if self.args.seconds is None else round(self.args.seconds * fps)
            frames = _take(iter_video_frames(self.args.video), limit)
        else:
            fps = float(self.camera_cfg.fps)
            frames = self._camera_frames()
        motions: list = []
        times: list[float] = []
        for motion, stamp in performance_motions(frames, self.mirror):
            motions.append(motion)
            times.append(stamp)
            self._show(motion, f"Recording  {stamp - times[0]:.1f} s  (Escape stops)")
            if self._stop_requested():
                break
        if self.args.video:
            return motions, None, fps  # every frame, evenly spaced
        if len(times) > 1:
            fps = (len(times) - 1) / max(times[-1] - times[0], 1e-6)
        return motions, times, fps  # a live camera drops frames: keep the real times

    def _camera_frames(self) -> Iterator:
        from kiosk.camera.sources import DeviceSource
        from kiosk.curator.recording import performance_motions

        cfg = self.camera_cfg
        index = cfg.device if self.args.camera is None else self.args.camera
        self.source = DeviceSource(index, cfg.size, cfg.fps).start()
        seconds = 10.0 if self.args.seconds is None else self.args.seconds
        # Countdown with a live preview, so the performer can find their place.
        warmup = performance_motions(self._frames_for(COUNTDOWN_S), self.mirror)
        try:
            self._countdown(warmup)
        finally:
            warmup.close()
        yield from self._frames_for(seconds)

    def _frames_for(self, seconds: float) -> Iterator:
        assert self.source is not None
        end = time.monotonic() + seconds
        sequence = -1
        while time.monotonic() < end:
            frame = self.source.wait_next(sequence, timeout=1.0)
            if frame is None:
                status = self.source.status()
                print(f"waiting for the camera ({status.last_error or status.state})")
                continue
            sequence = frame.sequence
            yield frame

    def _countdown(self, live) -> None:
        if self.args.headless:
            return
        start = time.monotonic()
        motion = None
        while (left := COUNTDOWN_S - (time.monotonic() - start)) > 0:
            if live is not None:
                motion = next(live, (None, 0.0))[0]
            else:
                time.sleep(1 / 30)
            self._show(motion, f"Recording starts in {int(left) + 1}")
            if self._stop_requested():
                return

    def _show(self, motion, hint: str) -> None:
        from kiosk.display import OverlayState
        from kiosk.motion.motion import Motion

        image = self.painting
        if self.rig is not None:
            image = self.engine.render(self.rig, [motion or Motion()])
        state = OverlayState(title=self.title, camera_on=True, status_hint=hint)
        self.display.present(image, state)

    def _stop_requested(self) -> bool:
        from kiosk.display import Action

        return Action.QUIT in self.display.poll_actions()

    def close(self) -> None:
        if self.source is not None:
            self.source.close()
        self.engine.close()
        self.display.close()


def _take(frames: Iterator, limit: int | None) -> Iterator:
    for i, frame in enumerate(frames):
        if limit is not None and i >= limit:
            return
        yield frame
