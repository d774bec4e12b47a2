"""Language codes ("en", "de", "pt-BR"): the one check, shared by config.yaml's speech section
and the exhibit files below both. Imports nothing of the kiosk."""

from __future__ import annotations

import re

# ISO 639 codes with an optional region or script: "en", "de", "pt-BR", "zh-Hant", "en_US".
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}([-_][A-Za-z0-9]{2,8})?")


def check_language_code(code: str) -> str:
    """A language code such as 'en' or 'pt-BR'; raises ValueError otherwise."""
    if not LANGUAGE_CODE.fullmatch(code):
        raise ValueError(f"{code!r} is not a language code; write e.g. 'en', 'de' or 'pt-BR'")
    return code
