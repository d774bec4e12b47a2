"""Key combinations from config strings such as "ctrl+shift+q"."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import pygame

_MODIFIERS = {
    "ctrl": pygame.KMOD_CTRL,
    "control": pygame.KMOD_CTRL,
    "shift": pygame.KMOD_SHIFT,
    "alt": pygame.KMOD_ALT,
    "meta": pygame.KMOD_META,
    "super": pygame.KMOD_GUI,
}
_GROUPS = (pygame.KMOD_CTRL, pygame.KMOD_SHIFT, pygame.KMOD_ALT, pygame.KMOD_META, pygame.KMOD_GUI)


def parse_key_combo(text: str) -> tuple[int, int]:
    """ "ctrl+shift+q" -> (modifier mask, key code). ValueError names what is wrong."""
    parts = [p.strip().lower() for p in str(text).split("+")]
    if not text or any(not p for p in parts):
        raise ValueError(f"bad key combination {text!r}: expected e.g. 'ctrl+shift+q'")
    *mods, key_name = parts
    mask = 0
    for mod in mods:
        if mod not in _MODIFIERS:
            raise ValueError(
                f"bad key combination {text!r}: unknown modifier {mod!r} "
                f"(use {', '.join(sorted(_MODIFIERS))})"
            )
        mask |= _MODIFIERS[mod]
    if key_name in _MODIFIERS:
        raise ValueError(f"bad key combination {text!r}: it must end with a key, not {key_name!r}")
    try:
        with warnings.catch_warnings():  # key_code warns before pygame.init; names are static
            warnings.simplefilter("ignore")
            key = pygame.key.key_code(key_name)
    except ValueError:
        raise ValueError(f"bad key combination {text!r}: unknown key {key_name!r}") from None
    return mask, key


@dataclass(frozen=True, slots=True)
class KeyCombo:
    """A parsed combination; `matches` accepts either left or right modifier keys."""

    mask: int
    key: int

    @classmethod
    def parse(cls, text: str) -> KeyCombo:
        return cls(*parse_key_combo(text))

    def matches(self, key: int, mod: int) -> bool:
        if key != self.key:
            return False
        return all(bool(mod & group) == bool(self.mask & group) for group in _GROUPS)
