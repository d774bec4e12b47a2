"""Reloads the exhibit library on a thread of its own, so the display never waits for content.

Whatever a curator drops in (a huge label, a dozen 40-megapixel images, a file that takes the
full parse budget) costs this thread time, never a frame. A reload here only stages its result;
the display thread learns of it from `take_report()`, called once a frame, which publishes it
in the library (a swap of references) as the display tells the director, so what the library
shows and what the director plays always agree.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable

import numpy as np

from kiosk.exhibits.library import ExhibitLibrary, LoadedExhibit, ReloadReport

log = logging.getLogger(__name__)

# Content work runs at a lower CPU priority than the display loop (Linux: per thread), so on
# a 2-core PC a reload storm slows the reload, not the frames.
LOADER_NICENESS = 10
JOIN_TIMEOUT_S = 5.0
# Above this many pixels, fitting an image to the screen takes longer than a frame may (a
# 40-megapixel painting: 134-175 ms for cv2.resize INTER_AREA to 1000x1080 on 2 cores), so the
# still shown while its rig builds is fitted here, before the display learns of the exhibit.
PREFIT_MIN_PIXELS = 4_000_000

FitToScreen = Callable[[np.ndarray], np.ndarray]  # an exhibit image -> the still shown


class ContentLoader:
    """Runs `library.reload()` on request, one at a time; requests made during a reload
    coalesce into one more reload after it."""

    def __init__(self, library: ExhibitLibrary, fit_to_screen: FitToScreen | None = None) -> None:
        self.library = library
        self._fit_to_screen = fit_to_screen
        self._stills: dict[str, np.ndarray] = {}  # image digest -> big image fitted to screen
        self._wake = threading.Condition()
        self._requested = False
        self._busy = False
        self._closed = False
        self._report: ReloadReport | None = None
        self._reloads = 0
        self._thread: threading.Thread | None = None

    def start(self) -> ContentLoader:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="content-loader", daemon=True)
            self._thread.start()
        return self

    def reload_now(self) -> ReloadReport:
        """Reload on the calling thread (start-up, before the loop runs) and return what it
        changed; not also reported by take_report()."""
        with self._wake:
            while self._busy:
                self._wake.wait()
            self._busy = True
        try:
            report = self.library.reload(publish=True)
            self._prefit(self.library.staged)
        finally:
            with self._wake:
                self._busy = False
                self._wake.notify_all()
        with self._wake:
            self._reloads += 1
        return report

    def request(self) -> None:
        """Ask for a reload soon (cheap; safe to call every frame). Starts the thread at the
        first request."""
        with self._wake:
            if self._closed:
                return
            self._requested = True
            self._wake.notify_all()
        if self._thread is None:
            self.start()

    def take_report(self) -> ReloadReport | None:
        """The report of the reload(s) finished since the last call, or None. Several reloads
        finished in between merge into one report that names every change."""
        with self._wake:
            report, self._report = self._report, None
        if report is not None:
            self.library.publish_staged()
        return report

    @property
    def reloads(self) -> int:
        """Reloads finished so far."""
        return self._reloads

    def wait_idle(self, timeout: float) -> bool:
        """Block until no reload is pending or running (tools, tests, shutdown); False on
        timeout. The display loop never calls this."""
        with self._wake:
            return self._wake.wait_for(
                lambda: self._closed or not (self._requested or self._busy), timeout
            )

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._wake.notify_all()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(JOIN_TIMEOUT_S)  # a daemon: a stuck read never keeps the process alive

    def _run(self) -> None:
        try:
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LOADER_NICENESS)
        except (AttributeError, OSError):  # not Linux, or not permitted: run at normal priority
            pass
        while True:
            with self._wake:
                self._wake.wait_for(lambda: self._closed or (self._requested and not self._busy))
                if self._closed:
                    return
                self._requested = False
                self._busy = True
            try:
                report = self.library.reload(publish=False)
                self._prefit(self.library.staged)
            except Exception:  # the library reports content problems itself; this is a bug
                log.exception("content reload failed; keeping the content shown")
                report = None
            finally:
                with self._wake:
                    self._busy = False
                    self._wake.notify_all()
            if report is not None:
                self._publish(report)

    def fitted_still(self, exhibit: LoadedExhibit, size: tuple[int, int]) -> np.ndarray | None:
        """A big exhibit's image fitted to the screen at `size`, prepared off the display
        thread; None for an image small enough to fit on the display thread."""
        still = self._stills.get(exhibit.image_digest)
        if still is None or still.shape[1::-1] != tuple(size):
            return None
        return still

    def _prefit(self, exhibits: list[LoadedExhibit]) -> None:
        if self._fit_to_screen is None:
            return
        stills: dict[str, np.ndarray] = {}
        for exhibit in exhibits:
            h, w = exhibit.image.shape[:2]
            if h * w < PREFIT_MIN_PIXELS or exhibit.image_digest in stills:
                continue
            old = self._stills.get(exhibit.image_digest)
            fitted = old if old is not None else self._fit_to_screen(exhibit.image)
            stills[exhibit.image_digest] = fitted
        self._stills = stills  # one swap: the display thread reads either set whole

    def _publish(self, report: ReloadReport) -> None:
        with self._wake:
            self._reloads += 1
            self._report = report if self._report is None else _merge(self._report, report)


def _merge(first: ReloadReport, then: ReloadReport) -> ReloadReport:
    """Two reloads seen as one: every id touched by either, the newest problems."""
    touched = set(first.added) | set(first.changed) | set(then.added) | set(then.changed)
    removed = (set(first.removed) | set(then.removed)) - set(then.added) - set(then.changed)
    added = (set(first.added) | set(then.added)) - set(then.removed)
    changed = touched - added - removed
    return ReloadReport(
        tuple(sorted(added)), tuple(sorted(changed)), tuple(sorted(removed)), then.problems
    )
