"""Painting rigs built off the display thread, cached by image content and display size."""

from __future__ import annotations

import dataclasses
import logging
import math
import queue
import threading
from collections import OrderedDict
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from kiosk.config import EngineConfig
from kiosk.exhibits.corrections import Corrections
from kiosk.renderer.engine import Engine, make_engine
from kiosk.renderer.face_rig import ENGINE_VERSION, NoFaceError, PaintingRig

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RigRequest:
    image_digest: str
    size: tuple[int, int]  # the painting's shown size (w, h)
    choose: str = "largest"
    index: int = 0
    box: tuple[float, float, float, float] | None = None  # curator's face hint
    corrections: Corrections | None = None  # curator's landmark corrections

    @property
    def key(self) -> tuple:
        fixes = self.corrections.digest() if self.corrections is not None else ""
        return (
            ENGINE_VERSION,
            self.image_digest,
            self.size,
            self.choose,
            self.index,
            self.box,
            fixes,
        )


@dataclass(frozen=True, slots=True)
class RigResult:
    """A built rig, or why there is none (the painting is then shown still)."""

    image: np.ndarray  # the painting at its shown size, as its animated frames show it
    rig: PaintingRig | None
    error: str = ""


def fit_image(image: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    w, h = size
    if image.shape[1] == w and image.shape[0] == h:
        return image
    shrinking = w * h < image.shape[0] * image.shape[1]
    interp = cv2.INTER_AREA if shrinking else cv2.INTER_CUBIC
    return cv2.resize(image, (w, h), interpolation=interp)


# A painting whose faces are too big to render at full size is rendered so that they cover
# this share of the limit: scaling each frame up to the screen costs 1.0-1.5 ms in the kiosk
# loop for a screen-high painting, which only a large cut in rendered pixels pays for (d3,
# `kiosk bench --painting`, two close-ups: 11.3-12.3 ms a frame at two thirds, 10.9-11.2 at half).
REDUCED_SHARE = 1 / 2


def render_size(
    shown: tuple[int, int], face_pixels: int, max_face_pixels: int | None
) -> tuple[int, int] | None:
    """The (w, h) to render a painting at whose animated faces cover `face_pixels` at its shown
    size; None to render it at the shown size.

    Rendering costs about 6 ns per face pixel on top of a fixed 2-3 ms (`kiosk bench`), so a
    close-up face filling a 1080-pixel-high screen (about a million pixels) took 8-11 ms alone.
    Above `max_face_pixels` (None or 0: no limit) the painting is rendered smaller and each frame
    is scaled up to the screen. An image no bigger than the render size loses nothing; a sharper
    one loses some fine detail in the face (the whole painting is scaled up alike, so no seam
    shows), the price of keeping the frame budget on a 2-core PC.
    """
    if not max_face_pixels or face_pixels <= max_face_pixels:
        return None
    scale = math.sqrt(face_pixels / (max_face_pixels * REDUCED_SHARE))
    w, h = shown
    return max(1, round(w / scale)), max(1, round(h / scale))


# How long `close()` waits for a build in progress before leaving it behind. A build takes up to
# a few seconds (MediaPipe detection of a large painting); one stuck in the operating system
# must not keep a stopping kiosk alive: the worker is a daemon thread, so it ends with the process.
CLOSE_TIMEOUT_S = 5.0


# A failure other than "no face found" is the kiosk's (a library, memory, the disk), not the
# image's: say so, so that nobody replaces a good painting over it.
_BUILD_FAILED = (
    "the kiosk could not prepare the face ({exc}); this is not a fault of the image: see the "
    "kiosk log, and restart the kiosk or report the error if it recurs"
)


class RigStore:
    """Builds rigs on one worker thread (MediaPipe graphs are not shared across threads; a daemon,
    so a stuck build never keeps the process alive) and keeps the most recent `capacity` of them.

    `max_face_pixels`: the largest animated area rendered at the painting's shown size (see
    `render_size`); None: no limit. `engine_config`: the engine to build with (`make_engine`, on
    the worker thread; None: config's default engine), keeping detected faces in `cache_dir`.
    """

    def __init__(
        self,
        capacity: int = 24,
        cache_dir: Path | None = None,
        max_face_pixels: int | None = None,
        engine_config: EngineConfig | None = None,
    ) -> None:
        self.capacity = capacity
        self.max_face_pixels = max_face_pixels
        self._cache_dir = cache_dir
        self._engine_config = engine_config if engine_config is not None else EngineConfig()
        self._jobs: queue.SimpleQueue[tuple[RigRequest, np.ndarray, Future[RigResult]] | None] = (
            queue.SimpleQueue()
        )
        self._worker: threading.Thread | None = None  # `start()`, or the first request
        self._closing = threading.Event()
        self._engine: Engine | None = None
        self._done: OrderedDict[tuple, RigResult] = OrderedDict()
        self._pending: dict[tuple, Future[RigResult]] = {}
        self._lock = threading.Lock()

    def get(self, request: RigRequest, image: np.ndarray) -> RigResult | None:
        """The finished result, or None while it is being built (the build starts here)."""
        key = request.key
        with self._lock:
            if key in self._done:
                self._done.move_to_end(key)
                return self._done[key]
            future = self._pending.get(key)
            if future is None:
                self._pending[key] = self._submit(request, image)
                return None
            if not future.done():
                return None
            del self._pending[key]
            result = future.result()
            self._done[key] = result
            while len(self._done) > self.capacity:
                self._done.popitem(last=False)
            return result

    def wait(self, timeout: float | None = None) -> None:
        """Block until every requested build has finished (tests and offline tools)."""
        with self._lock:
            pending = list(self._pending.values())
        for future in pending:
            future.result(timeout=timeout)

    def start(self) -> RigStore:
        """Start the worker thread now (idempotent; else the first request starts it)."""
        if self._worker is None and not self._closing.is_set():
            self._worker = threading.Thread(target=self._work, name="rig-builder", daemon=True)
            self._worker.start()
        return self

    def _submit(self, request: RigRequest, image: np.ndarray) -> Future[RigResult]:
        if self._closing.is_set():
            raise RuntimeError("RigStore is closed")
        self.start()
        future: Future[RigResult] = Future()
        self._jobs.put((request, image, future))
        return future

    def _work(self) -> None:
        """The worker thread: builds requests in order until `close()`, then closes the engine
        (on the thread that made it)."""
        while (job := self._jobs.get()) is not None:
            request, image, future = job
            if self._closing.is_set():
                future.cancel()
            elif future.set_running_or_notify_cancel():
                future.set_result(self._build(request, image))
        self._close_engine()

    def _rig_of(self, image: np.ndarray, request: RigRequest) -> PaintingRig:
        """The request's face(s) rigged on `image` (the painting at the size it is rendered)."""
        if self._engine is None:
            self._engine = make_engine(self._engine_config, cache_dir=self._cache_dir)
        return self._engine.build_rig(
            image, request.choose, request.index, request.box, request.corrections
        )

    def _build(self, request: RigRequest, image: np.ndarray) -> RigResult:
        fitted = fit_image(image, request.size)
        try:
            rig = self._rig_of(fitted, request)
            reduced = render_size(request.size, rig.face_pixels, self.max_face_pixels)
            if reduced is not None:
                return self._build_reduced(request, image, reduced, RigResult(fitted, rig))
        except NoFaceError as exc:  # the one failure that is the image's
            return RigResult(fitted, None, str(exc))
        except Exception as exc:  # a failed build must never take the kiosk down
            log.exception("rig build failed")
            return RigResult(fitted, None, _BUILD_FAILED.format(exc=f"{type(exc).__name__}: {exc}"))
        return RigResult(fitted, rig)

    def _build_reduced(
        self, request: RigRequest, image: np.ndarray, size: tuple[int, int], full: RigResult
    ) -> RigResult:
        """The rig at the reduced `size`, shown scaled up; `full` if the face is lost there."""
        small = fit_image(image, size)
        try:
            rig = self._rig_of(small, request)
        except NoFaceError:
            return full
        # The still painting is scaled up exactly as its animated frames will be, so the picture
        # does not change when the animation starts or stops.
        shown = cv2.resize(small, request.size, interpolation=cv2.INTER_CUBIC)
        return RigResult(shown, dataclasses.replace(rig, shown_size=request.size))

    def close(self) -> None:
        """Drop the builds not started and stop the worker, waiting at most CLOSE_TIMEOUT_S for
        the one in progress (a worker left behind closes the engine when it finishes)."""
        self._closing.set()
        if self._worker is None:
            return  # never built anything, so there is no engine
        self._jobs.put(None)
        self._worker.join(CLOSE_TIMEOUT_S)
        if self._worker.is_alive():
            log.warning(
                "a rig build was still running %.0f s after the kiosk was told to stop; "
                "stopping without it",
                CLOSE_TIMEOUT_S,
            )

    def _close_engine(self) -> None:
        if self._engine is not None:
            try:
                self._engine.close()
            except Exception:
                log.exception("closing the rig engine failed")
            self._engine = None
