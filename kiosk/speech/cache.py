"""Synthesised speech on disk (cache/speech/), by text, voice and engine version; bounded.

A label is synthesised once per text, voice, rate and engine version; after that a Listen tap
reads it back in milliseconds, also after a restart. The folder never grows past its limit
(oldest entries go first) and a damaged entry is dropped and made again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

from kiosk.speech.utterance import Utterance
from kiosk.speech.voices import VoiceFile

log = logging.getLogger(__name__)


def voice_identity(voice: VoiceFile) -> str:
    """What distinguishes one voice file from another without reading 60 MB: its name, its
    size and modification time, and its config's bytes."""
    stat = voice.model.stat()
    config = hashlib.sha256(voice.config.read_bytes()).hexdigest()[:16]
    return f"{voice.name}:{stat.st_size}:{stat.st_mtime_ns}:{config}"


def cache_key(text: str, voice_id: str, engine: str, rate: float) -> str:
    """The entry's name: a hash of everything that changes the audio."""
    blob = json.dumps([text, voice_id, engine, round(rate, 3)], ensure_ascii=False)
    return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:40]


class SpeechCache:
    """Utterances as .npz files in `folder`, at most `max_bytes` in all."""

    def __init__(self, folder: Path, max_bytes: int) -> None:
        self.folder = folder
        self.max_bytes = max_bytes

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.npz"

    def get(self, key: str) -> Utterance | None:
        path = self._path(key)
        try:
            if path.stat().st_size > self.max_bytes:
                raise ValueError("larger than the whole cache may be")
            utterance = Utterance.from_bytes(path.read_bytes())
        except FileNotFoundError:
            return None
        except Exception as exc:  # a damaged or foreign file: make it again
            log.warning("speech cache entry %s unreadable (%s); synthesising again", path, exc)
            path.unlink(missing_ok=True)
            return None
        os.utime(path)  # recently used: evicted last
        return utterance

    def put(self, key: str, utterance: Utterance) -> None:
        """Store (atomically: a half-written file is never read) and trim to the limit."""
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp = self._path(key).with_suffix(".tmp")
            tmp.write_bytes(utterance.to_bytes())
            tmp.replace(self._path(key))
            self._trim()
        except OSError as exc:  # a full or read-only disk costs only the cache
            log.warning("speech cache not written in %s: %s", self.folder, exc)

    def _trim(self) -> None:
        entries = []
        for path in self.folder.glob("*.npz"):
            try:
                stat = path.stat()
            except FileNotFoundError:
                continue
            entries.append((stat.st_mtime, stat.st_size, path))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= self.max_bytes:
                break
            path.unlink(missing_ok=True)
            total -= size
