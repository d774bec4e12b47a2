"""Language codes, the vocabulary config.yaml (speech.languages) and the exhibits' texts share;
below both, so config imports nothing above it."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator

# "en", "de", "pt-BR", "zh-Hant", "en_US": ISO 639 codes with an optional region or script.
LANGUAGE_CODE = re.compile(r"[a-z]{2,3}([-_][A-Za-z0-9]{2,8})?")


def check_language_code(code: str) -> str:
    """A language code such as 'en' or 'pt-BR'; raises ValueError otherwise."""
    if not LANGUAGE_CODE.fullmatch(code):
        raise ValueError(f"{code!r} is not a language code; write e.g. 'en', 'de' or 'pt-BR'")
    return code


LanguageCode = Annotated[str, AfterValidator(check_language_code)]
