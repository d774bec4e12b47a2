"""The kiosk loop's link to its operators: systemd notify/watchdog, local metrics, the status
file, and opening hours. The app calls `start`, `tick` every frame and `stop`; nothing here
ever sees an image or a face."""

from __future__ import annotations

import logging
import time
from datetime import datetime
from pathlib import Path

from kiosk.config import KioskConfig
from kiosk.opening_hours import OpeningHours
from kiosk.ops import Health
from kiosk.ops.content_state import STATE_FILE
from kiosk.ops.hours import SleepDecision, SleepPolicy
from kiosk.ops.metrics import KioskMetrics
from kiosk.ops.sdnotify import Notifier
from kiosk.ops.status import StatusThread, StatusWriter

log = logging.getLogger(__name__)

HEALTH_INTERVAL_S = 1.0


class Operations:
    def __init__(self, config: KioskConfig, metrics: bool = True) -> None:
        ops = config.ops
        self.notifier = Notifier()
        self.metrics = (
            KioskMetrics(
                ops.metrics_port,
                ops.metrics_address,
                ops.metrics_allow,
                content_state=_content_state(config),
            )  # fmt: skip
            if metrics and ops.metrics_enabled
            else None
        )
        paths = config.paths
        self.status = StatusThread(
            StatusWriter(
                ops.status_file, ops.status_interval_s,
                forbidden_dirs=[paths.exhibits, paths.content],
            )  # fmt: skip
        )
        hours = config.opening_hours
        watchdog = self.notifier.watchdog_interval()
        poll = min(hours.sleep_poll_s, watchdog) if watchdog else hours.sleep_poll_s
        self.sleep = SleepPolicy(OpeningHours.from_mapping(hours.days), hours.wake_on_touch_s, poll)
        self.last_reload_wall: float | None = None
        self._next_health = 0.0
        self._frames = 0
        self._frames_since = time.monotonic()
        self._last_health: Health | None = None

    def start(self, exhibits: int) -> None:
        if self.metrics is not None:
            self.metrics.start()
        self.notifier.ready(f"{exhibits} exhibits")

    def decide_sleep(self, now: float, last_touch: float | None) -> SleepDecision:
        return self.sleep.decide(datetime.now(), now, last_touch)

    def reloaded(self, problems: int) -> None:
        self.last_reload_wall = time.time()
        if self.metrics is not None:
            self.metrics.reloaded(problems)

    def tick(self, now: float, mode: str, health: callable, exhibit: str | None = None) -> None:
        """Every loop iteration: watchdog ping, mode metric; about once a second, health.

        `health(fps)` builds the `Health` snapshot only when it is due (it summarises stats);
        `exhibit` is the one shown (visitors engaged per exhibit).
        """
        self.notifier.tick(now)
        self._frames += 1
        if self.metrics is not None:
            self.metrics.set_mode(mode, exhibit, now)
        if now < self._next_health:
            return
        fps = self._frames / max(now - self._frames_since, 1e-6)
        self._frames, self._frames_since = 0, now
        self._next_health = now + HEALTH_INTERVAL_S
        snapshot: Health = health(fps)
        self._last_health = snapshot
        if self.metrics is not None:
            self.metrics.publish(snapshot)
        self.status.offer(snapshot, now)
        self.notifier.status(
            f"{snapshot.mode}; camera {snapshot.camera_state}; "
            f"{len(snapshot.exhibit_ids)} exhibits; {snapshot.problems} problems"
        )

    def stop(self, reason: str) -> None:
        self.notifier.stopping(f"stopping: {reason}")
        self.status.close(final=self._last_health)
        if self.metrics is not None:
            self.metrics.close()
        self.notifier.close()


def _content_state(config: KioskConfig) -> Path | None:
    """The content sync's state file, when this kiosk's content comes from a repository."""
    sync = config.content_sync
    return sync.root / STATE_FILE if sync.repository is not None else None
