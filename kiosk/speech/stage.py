"""The speech stage: texts to say -> utterances, made on a thread of their own.

The display thread only asks (`prepare`, never blocking) and looks (`ready`); the disk cache is
read on the speech thread, and voices are loaded and speech synthesised in a child process
(worker.py) the speech thread waits on, so a label being synthesised costs the display
nothing. Results are kept for a few texts. A text whose voice failed (missing, corrupt) is
tried again once the voice's files change, so a curator's replacement is picked up without a
restart.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

from kiosk.speech.cache import SpeechCache, cache_key, voice_identity
from kiosk.speech.synth import engine_version
from kiosk.speech.utterance import Utterance
from kiosk.speech.voices import VoiceError, VoiceStamp, find_voice, voice_stamp
from kiosk.speech.worker import SynthesisWorker

log = logging.getLogger(__name__)

_KEPT_UTTERANCES = 12  # in memory; each exhibit's languages, a few exhibits
_QUEUE = 16
# When idle, the speech thread looks this often whether a failed voice's files changed (two
# stat calls per failed voice); a replaced voice is tried within two looks of its last write.
RETRY_CHECK_S = 1.0


@dataclass(frozen=True, slots=True)
class SpeechRequest:
    """Say `text` with voice `voice` (a name config.yaml's speech.voices uses) at `rate`."""

    text: str
    voice: str
    rate: float = 1.0


@dataclass(frozen=True, slots=True)
class _Failed:
    """Why a request cannot be said, and its voice's files as they were when it was tried."""

    message: str
    stamp: VoiceStamp


class SpeechStage:
    """Synthesises requests off the display thread; `ready` and `error` report the outcome."""

    def __init__(self, voices_dir: Path, cache: SpeechCache, models_dir: Path) -> None:
        """`models_dir` keeps the voices' patched models (voice_model.py)."""
        self._voices_dir = voices_dir
        self._models_dir = models_dir
        self._cache = cache
        self._engine = engine_version()
        self._queue: queue.Queue[SpeechRequest | None] = queue.Queue(_QUEUE)
        self._lock = threading.Lock()
        self._done: OrderedDict[SpeechRequest, Utterance | _Failed] = OrderedDict()
        self._pending: set[SpeechRequest] = set()
        self._stamps_seen: dict[str, VoiceStamp] = {}  # at the last look (speech thread only)
        self._worker = SynthesisWorker(voices_dir, models_dir)
        # Started now, while the kiosk is being built: starting a process copies the kiosk's
        # page tables while holding the GIL, which in the running loop showed as a stalled
        # frame (the bigger the kiosk, the longer).
        self._worker.start()
        self._thread = threading.Thread(target=self._work, name="speech", daemon=True)
        self._thread.start()

    def prepare(self, request: SpeechRequest) -> None:
        """Make `request` ready soon (no-op when it is ready or on its way)."""
        self._enqueue(request, unless_done=True)

    def _enqueue(self, request: SpeechRequest, unless_done: bool) -> None:
        with self._lock:
            if request in self._pending or (unless_done and request in self._done):
                return
            self._pending.add(request)
        try:
            self._queue.put_nowait(request)
        except queue.Full:  # a burst of reloads: this one is asked for again when needed
            with self._lock:
                self._pending.discard(request)

    def ready(self, request: SpeechRequest) -> Utterance | None:
        with self._lock:
            result = self._done.get(request)
            if result is not None:
                self._done.move_to_end(request)
        return result if isinstance(result, Utterance) else None

    def error(self, request: SpeechRequest) -> str | None:
        """Why `request` cannot be said (a voice problem, unsayable text), or None."""
        with self._lock:
            result = self._done.get(request)
        return result.message if isinstance(result, _Failed) else None

    def pending(self, request: SpeechRequest) -> bool:
        with self._lock:
            return request in self._pending

    def close(self) -> None:
        try:
            self._queue.put_nowait(None)
        except queue.Full:
            pass
        self._worker.close()  # first: a synthesis under way ends at once
        self._thread.join(timeout=5.0)

    # -- the speech thread ----------------------------------------------------------------

    def _work(self) -> None:
        while True:
            try:
                request = self._queue.get(timeout=RETRY_CHECK_S)
            except queue.Empty:
                self._retry_changed_voices()
                continue
            if request is None:
                return
            self._answer(request)

    def _answer(self, request: SpeechRequest) -> None:
        stamp = voice_stamp(request.voice, self._voices_dir)  # before: a change during counts
        try:
            result: Utterance | _Failed = self._make(request)
        except VoiceError as exc:
            result = _Failed(str(exc), stamp)
        except Exception as exc:  # never let one text stop the stage
            log.exception("speech synthesis failed")
            result = _Failed(f"speech synthesis failed ({type(exc).__name__}: {exc})", stamp)
        with self._lock:
            self._pending.discard(request)
            self._done[request] = result
            while len(self._done) > _KEPT_UTTERANCES:
                self._done.popitem(last=False)

    def _retry_changed_voices(self) -> None:
        """Queue again each failed request whose voice's files changed since it was tried and
        have settled (the same at two looks in a row: a file still being copied is not tried
        half-written). Its message stays until the new attempt's outcome replaces it."""
        with self._lock:
            failed = [(r, f) for r, f in self._done.items() if isinstance(f, _Failed)]
        stamps: dict[str, VoiceStamp] = {}
        for request, failure in failed:
            if request.voice not in stamps:
                stamps[request.voice] = voice_stamp(request.voice, self._voices_dir)
            now = stamps[request.voice]
            if now != failure.stamp and now == self._stamps_seen.get(request.voice):
                log.info("voice %s changed: trying it again", request.voice)
                self._enqueue(request, unless_done=False)
        self._stamps_seen = stamps

    def _make(self, request: SpeechRequest) -> Utterance:
        voice = find_voice(request.voice, self._voices_dir)  # a missing file: said at once
        key = cache_key(request.text, voice_identity(voice), self._engine, request.rate)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        data = self._worker.synthesize(request.voice, request.text, request.rate)
        utterance = Utterance.from_bytes(data)
        self._cache.put(key, utterance)
        return utterance
