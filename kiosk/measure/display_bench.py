"""`kiosk bench --display-path`: the real display path under whatever SDL_VIDEODRIVER is set
(x11 under Xvfb, a real X server, KMS), at the screen sizes museums use, each beside a bare
loop that only flips a full frame at the same size, in the same run.

A benchmark, never a test: the figures go in README's Performance section, and what holds is
the ratio to the bare flip (a display server's speed differs between machines).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pygame
import yaml

from kiosk.config import load_config
from kiosk.display.framebuffer import FRAMEBUFFER_HINT
from kiosk.display.pacing import FramePacer
from kiosk.exhibits.samples import ensure_sample_content
from kiosk.measure.kiosk_folder import CAMERA_FPS, write_kiosk_folder
from kiosk.runtime.options import RunOptions
from kiosk.runtime.wiring import build_kiosk


@dataclass(frozen=True, slots=True)
class Screen:
    """A physical screen size and the rotation the kiosk is set to on it."""

    size: tuple[int, int]
    rotation: int = 0

    @property
    def name(self) -> str:
        w, h = self.size
        return f"{w}x{h}" + (f" rotation {self.rotation}" if self.rotation else "")


SCREENS = (
    Screen((1920, 1080)),
    Screen((1920, 1080), 90),
    Screen((1080, 1920)),
    Screen((3840, 2160)),
)


def bare_flip_fps(size: tuple[int, int], seconds: float, framebuffer: str | None) -> float:
    """A window that only fills and flips a full frame, flat out: the display server's own
    cost of a whole frame (what every tick paid before only changes were presented).
    `framebuffer`: SDL_FRAMEBUFFER_ACCELERATION for this window ("1" SDL's OpenGL texture,
    "0" the driver's framebuffer, None SDL's own choice, as a plain pygame program gets)."""
    before = os.environ.pop(FRAMEBUFFER_HINT, None)
    if framebuffer is not None:
        os.environ[FRAMEBUFFER_HINT] = framebuffer
    pygame.display.init()
    try:
        screen = pygame.display.set_mode(size)
        frames, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            screen.fill((frames % 200, 40, 60))  # a different frame each time
            pygame.display.flip()
            pygame.event.pump()
            frames += 1
        return frames / (time.perf_counter() - start)
    finally:
        pygame.display.quit()
        os.environ.pop(FRAMEBUFFER_HINT, None)
        if before is not None:
            os.environ[FRAMEBUFFER_HINT] = before


def renderer_fps(size: tuple[int, int], rotation: int, seconds: float) -> dict[str, Any]:
    """SDL's renderer (`pygame._sdl2.video`), as the alternative to the window surface: the
    painting as one streaming texture whose face region (a quarter of the screen) is updated
    each frame, drawn rotated by the renderer, presented. Frames a second, and which renderer
    SDL picked (under Xvfb "opengl" is Mesa's llvmpipe: the CPU again)."""
    from pygame._sdl2 import video

    pygame.display.init()
    try:
        w, h = size
        logical = (w, h) if rotation in (0, 180) else (h, w)
        window = video.Window("renderer probe", size)
        renderer = video.Renderer(window)
        texture = video.Texture(renderer, logical, streaming=True)
        face = pygame.Rect(0, 0, logical[0] // 2, logical[1] // 2)
        patch = pygame.Surface(face.size)
        centre = pygame.Rect((0, 0), logical)
        centre.center = (w // 2, h // 2)
        frames, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            patch.fill((frames % 200, 80, 40))
            texture.update(patch, face)
            renderer.clear()
            texture.draw(dstrect=centre, angle=-rotation)  # SDL turns clockwise
            renderer.present()
            pygame.event.pump()
            frames += 1
        fps = frames / (time.perf_counter() - start)
        name = next((d.name for d in video.get_drivers()), "?")
        window.destroy()
        return {"fps": round(fps, 1), "first_driver": name}
    finally:
        pygame.display.quit()


def kiosk_path(
    root: Path, screen: Screen, driver_video: Path | None, warmup_s: float, seconds: float
) -> dict[str, Any]:
    """The kiosk in a window of the screen's size, driven by `driver_video` at 30 fps, paced
    as `kiosk run` paces it: ticks, frames presented and new painting frames a second."""
    samples = ensure_sample_content(root / "samples")
    config_path = write_kiosk_folder(root / "kiosk", screen.size, [samples[0]], 1)
    data = yaml.safe_load(config_path.read_text())
    data["display"]["rotation"] = screen.rotation
    config_path.write_text(yaml.safe_dump(data))
    config = load_config(config_path)
    # headless: no metrics port and no kiosk mode; the window still opens under the
    # environment's SDL_VIDEODRIVER (set by `measure_display_paths`).
    options = RunOptions(windowed=True, headless=True, driver_video=driver_video)
    kiosk = build_kiosk(config, options)
    try:
        kiosk.start(time.monotonic())
        pacer = FramePacer(config.display.fps)

        def run(for_s: float) -> tuple[int, float]:
            ticks, start = 0, time.perf_counter()
            while time.perf_counter() - start < for_s:
                kiosk.tick(time.monotonic())
                ticks += 1
                pacer.wait(kiosk.new_results)
            return ticks, time.perf_counter() - start

        run(warmup_s)
        before = kiosk.display.counters
        ticks, elapsed = run(seconds)
        presented, whole, new = (a - b for a, b in zip(kiosk.display.counters, before,
                                                       strict=True))  # fmt: skip
        return {
            "loop_fps": round(ticks / elapsed, 1),
            "presented_fps": round(presented / elapsed, 1),
            "whole_frames_fps": round(whole / elapsed, 1),
            "new_frames_fps": round(new / elapsed, 1),
            "camera_frames_fps": round(kiosk.live.camera_frames / (elapsed + warmup_s), 1),
            "present_path": kiosk.display.present_path,
            "mode": kiosk.director.mode.value,
            "stage_median_ms": {name: stats.get("median_ms")
                                for name, stats in kiosk.stage_summary().items()},  # fmt: skip
        }
    finally:
        kiosk.close()


def measure_display_paths(
    root: Path, driver_video: Path | None, seconds: float, screens=SCREENS
) -> dict[str, Any]:
    """Each screen: the bare flip, then the kiosk, then the bare flip again (so drift shows)."""
    if "SDL_VIDEODRIVER" not in os.environ:  # keep SDL's own choice for every window here
        pygame.display.init()
        os.environ["SDL_VIDEODRIVER"] = pygame.display.get_driver()
        pygame.display.quit()
    results: dict[str, Any] = {"video_driver": os.environ["SDL_VIDEODRIVER"],
                               "camera_fps": CAMERA_FPS, "screens": {}}  # fmt: skip
    for i, screen in enumerate(screens):
        bare_s = min(3.0, seconds / 2)
        bare = [bare_flip_fps(screen.size, bare_s, None)]
        kiosk = kiosk_path(root / f"kiosk{i}", screen, driver_video, 4.0, seconds)
        renderer = renderer_fps(screen.size, screen.rotation, bare_s)
        bare.append(bare_flip_fps(screen.size, bare_s, None))
        native = bare_flip_fps(screen.size, bare_s, "0")
        base = min(bare)
        target = 0.9 * min(CAMERA_FPS, base)
        results["screens"][screen.name] = {
            **kiosk,
            "bare_flip_fps": [round(b, 1) for b in bare],  # SDL's own choice, before and after
            "bare_flip_driver_framebuffer_fps": round(native, 1),
            "sdl_renderer_fps": renderer["fps"],
            "sdl_renderer": renderer["first_driver"],
            "new_frames_target": round(target, 1),
            "new_frames_met": kiosk["new_frames_fps"] >= target,
        }
    return results


def format_display_report(result: dict[str, Any]) -> str:
    lines = [
        f"display path under SDL_VIDEODRIVER={result['video_driver']}, camera "
        f"{result['camera_fps']} fps",
        f"{'screen':<22}{'bare flip':>14}{'loop':>8}{'presented':>11}{'whole':>8}"
        f"{'new frames':>12}{'target':>8}{'renderer':>10}{'bare native':>13}",
    ]
    for name, r in result["screens"].items():
        bare = "/".join(f"{b:.0f}" for b in r["bare_flip_fps"])
        lines.append(
            f"{name:<22}{bare:>14}{r['loop_fps']:>8.1f}{r['presented_fps']:>11.1f}"
            f"{r['whole_frames_fps']:>8.1f}{r['new_frames_fps']:>12.1f}"
            f"{r['new_frames_target']:>7.1f}{' ok' if r['new_frames_met'] else ' NO'}"
            f"{r['sdl_renderer_fps']:>8.1f}{r['bare_flip_driver_framebuffer_fps']:>13.1f}"
        )
    lines.append("(frames a second; bare flip before/after the kiosk; presented = frames that "
                 "changed the screen, whole or in part; target = 90% of the lower of 30 and the "
                 "bare flip; renderer = SDL's renderer updating a quarter-screen region of a "
                 "streaming texture and presenting, flat out; bare native = the bare flip on "
                 "the video driver's framebuffer, SDL_FRAMEBUFFER_ACCELERATION=0)")  # fmt: skip
    return "\n".join(lines)
