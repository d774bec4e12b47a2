"""The speech stage: texts to say -> utterances, made on a thread of their own.

The display thread only asks (`prepare`, never blocking) and looks (`ready`); the disk cache is
read on the speech thread, and voices are loaded and speech synthesised in a child process
(worker.py) the speech thread waits on, so a label being synthesised costs the display
nothing. Results are kept for a few texts.
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
from kiosk.speech.voices import VoiceError, find_voice
from kiosk.speech.worker import SynthesisWorker

log = logging.getLogger(__name__)

_KEPT_UTTERANCES = 12  # in memory; each exhibit's languages, a few exhibits
_QUEUE = 16


@dataclass(frozen=True, slots=True)
class SpeechRequest:
    """Say `text` with voice `voice` (a name config.yaml's speech.voices uses) at `rate`."""

    text: str
    voice: str
    rate: float = 1.0


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
        self._done: OrderedDict[SpeechRequest, Utterance | str] = OrderedDict()
        self._pending: set[SpeechRequest] = set()
        self._worker = SynthesisWorker(voices_dir, models_dir)
        self._thread = threading.Thread(target=self._work, name="speech", daemon=True)
        self._thread.start()

    def prepare(self, request: SpeechRequest) -> None:
        """Make `request` ready soon (no-op when it is ready or on its way)."""
        with self._lock:
            if request in self._done or request in self._pending:
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
        return result if isinstance(result, str) else None

    def pending(self, request: SpeechRequest) -> bool:
        with self._lock:
            return request in self._pending

    def close(self) -> None:
        try:
            self._queue.put_nowait(None)
        except queue.Full:
            pass
        self._thread.join(timeout=5.0)
        self._worker.close()

    # -- the speech thread ----------------------------------------------------------------

    def _work(self) -> None:
        while True:
            request = self._queue.get()
            if request is None:
                return
            try:
                result: Utterance | str = self._make(request)
            except VoiceError as exc:
                result = str(exc)
            except Exception as exc:  # never let one text stop the stage
                log.exception("speech synthesis failed")
                result = f"speech synthesis failed ({type(exc).__name__}: {exc})"
            with self._lock:
                self._pending.discard(request)
                self._done[request] = result
                while len(self._done) > _KEPT_UTTERANCES:
                    self._done.popitem(last=False)

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
