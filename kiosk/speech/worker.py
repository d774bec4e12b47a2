"""Synthesis in a child process of its own, so that none of it can hold up the display.

In a thread, Piper's Python parts (phonemising, ONNX Runtime's session set-up, reading the
model) hold the interpreter's GIL in stretches of tens to hundreds of milliseconds, and the
kiosk's frames stalled for up to 0.4 s while a label was being made. The child process has its
own interpreter: the speech thread only waits on a pipe. The child loads each voice once
(a few kept; again when its files change), and dies with the kiosk.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections import OrderedDict
from pathlib import Path

from kiosk.speech.voices import VoiceError, VoiceStamp

_KEPT_VOICES = 3  # loaded voices in the child (about 60-120 MB each)
REPLY_TIMEOUT_S = 120.0  # the child answers a text within this, or it is restarted


class SynthesisWorker:
    """A child process that turns (voice, text, rate) into an utterance's bytes."""

    def __init__(self, voices_dir: Path, models_dir: Path) -> None:
        self._args = (str(voices_dir), str(models_dir))
        self._process: multiprocessing.process.BaseProcess | None = None
        self._conn = None
        self._lock = threading.Lock()  # the speech thread and the kiosk's close() both stop it
        self._closed = False

    def synthesize(self, voice: str, text: str, rate: float) -> bytes:
        """Utterance.to_bytes() of the speech; raises VoiceError when it cannot be said."""
        with self._lock:
            if self._closed:
                raise VoiceError("speech is stopping")
            if self._process is None or not self._process.is_alive():
                self._start_locked()
            conn = self._conn
        try:
            conn.send((voice, text, rate))
            if not conn.poll(REPLY_TIMEOUT_S):
                raise TimeoutError(f"no answer in {REPLY_TIMEOUT_S:g} s")
            status, payload = conn.recv()
        except (EOFError, OSError, TimeoutError) as exc:  # the child died or hangs: a new one
            self._stop(restartable=True)
            raise VoiceError(f"the speech process stopped ({exc}); it is restarted") from exc
        if status != "ok":
            raise VoiceError(payload)
        return payload

    def start(self) -> None:
        """Start the child process."""
        with self._lock:
            self._start_locked()

    def _start_locked(self) -> None:
        context = multiprocessing.get_context("spawn")  # a fresh interpreter, no copied state
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(child, *self._args), name="kiosk-speech", daemon=True
        )
        self._process.start()
        child.close()

    def close(self) -> None:
        """Stop the child for good (a synthesis waiting on it ends with a VoiceError)."""
        self._stop(restartable=False)

    def _stop(self, restartable: bool) -> None:
        with self._lock:
            self._closed = self._closed or not restartable
            process, conn, self._process, self._conn = self._process, self._conn, None, None
        if process is None:
            return
        try:
            conn.send(None)
        except OSError:
            pass
        # Its work is disposable: a child busy with a long label is not waited for, so the
        # kiosk stops at once (operators and systemd expect it within seconds).
        process.join(timeout=0.2)
        if process.is_alive():
            process.kill()
            process.join(timeout=1.0)
        conn.close()


def _serve(conn, voices_dir: str, models_dir: str) -> None:
    """(In the child.) Answer requests until told to stop or the kiosk goes away."""
    from kiosk.speech.synth import PiperSynthesizer
    from kiosk.speech.voices import find_voice, voice_stamp

    # Signals the kiosk logs and ignores (or turns into its own clean stop) must not kill the
    # child: it stops when the kiosk tells it to or goes away (SIGTERM still ends it).
    for name in ("SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGALRM"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_IGN)
    if hasattr(os, "nice"):
        os.nice(19)  # background work: the kiosk's own process always comes first
    # Loaded voices (or why one did not load) by name and the stamp of its files: a voice
    # whose files were replaced (a broken one mended, a new version) is loaded again, while a
    # broken one is not reloaded per request.
    voices: OrderedDict[tuple[str, VoiceStamp], PiperSynthesizer | str] = OrderedDict()
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        voice, text, rate = request
        try:
            key = (voice, voice_stamp(voice, Path(voices_dir)))
            if key not in voices:
                try:
                    voices[key] = PiperSynthesizer(
                        find_voice(voice, Path(voices_dir)), Path(models_dir)
                    )
                except VoiceError as exc:
                    voices[key] = str(exc)
                while len(voices) > _KEPT_VOICES:
                    voices.popitem(last=False)
            voices.move_to_end(key)
            synth = voices[key]
            if isinstance(synth, str):
                raise VoiceError(synth)
            reply = ("ok", synth.synthesize(text, rate).to_bytes())
        except VoiceError as exc:
            reply = ("error", str(exc))
        except Exception as exc:  # one bad text never stops the process
            reply = ("error", f"speech synthesis failed ({type(exc).__name__}: {exc})")
        conn.send(reply)
