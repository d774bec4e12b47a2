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


_EXAMPLE = "write a chord like 'ctrl+shift+q'"


def parse_key_combo(text: str) -> tuple[int, int]:
    """ "ctrl+shift+q" -> (modifier mask, key code). ValueError says what is wrong and what to
    write; config.yaml's curator.*_keys are checked with it when the config loads."""
    parts = [p.strip().lower() for p in str(text).split("+")]
    bad = f"bad key combination {text!r}"
    if not str(text).strip() or any(not p for p in parts):
        raise ValueError(f"{bad}: {_EXAMPLE} (modifiers, then one key)")
    *mods, key_name = parts
    mask = 0
    for mod in mods:
        if mod not in _MODIFIERS:
            raise ValueError(
                f"{bad}: {mod!r} is not a modifier (use {', '.join(sorted(_MODIFIERS))}); "
                f"{_EXAMPLE}"
            )
        mask |= _MODIFIERS[mod]
    if key_name in _MODIFIERS:
        raise ValueError(f"{bad}: it ends with the modifier {key_name!r}; {_EXAMPLE}")
    try:
        with warnings.catch_warnings():  # key_code warns before pygame.init; names are static
            warnings.simplefilter("ignore")
            key = pygame.key.key_code(key_name)
    except ValueError:
        raise ValueError(
            f"{bad}: {key_name!r} is not a key name; use one such as q, 5, f12, escape, space "
            f"or page up (pygame's key names); {_EXAMPLE}"
        ) from None
    return mask, key


def normalise_key_combo(text: str) -> str:
    """The chord as config.yaml keeps it ("Ctrl + Shift + Q" -> "ctrl+shift+q"), after
    parse_key_combo has checked it (ValueError if it is not a valid chord)."""
    parse_key_combo(text)
    return "+".join(p.strip().lower() for p in text.split("+"))


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
