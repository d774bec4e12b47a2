"""Exhibit text in several languages, and what the painting says aloud.

`title`, `label` and `credit` are each a string (one language) or a mapping of language codes
to text (`{en: "The Milkmaid", de: "Die Milchmagd"}`); the optional `speech` block says, per
language, what to say if not the label, in which voice and how fast.
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from kiosk.language_codes import check_language_code

MAX_LANGUAGES = 32
MAX_SPOKEN_CHARS = 3_000  # about three minutes of speech: a wall label, not a book

LanguageCode = Annotated[str, AfterValidator(check_language_code)]


def _check_languages(value: str | dict[str, str]) -> str | dict[str, str]:
    if isinstance(value, dict):
        if not value:
            raise ValueError("write the text, or at least one language: e.g. {en: 'text'}")
        if len(value) > MAX_LANGUAGES:
            raise ValueError(f"at most {MAX_LANGUAGES} languages")
    return value


def localized(max_chars: int) -> object:
    """The type of a text field given as a string or a mapping of language codes to text."""
    text = Annotated[str, Field(max_length=max_chars)]
    return Annotated[text | dict[LanguageCode, text], AfterValidator(_check_languages)]


def text_in(value: str | dict[str, str], language: str | None) -> str:
    """The text in `language`, or in its base language ('pt' for 'pt-BR'), or the first
    language given (the exhibit's own default); a plain string is every language's."""
    if isinstance(value, str):
        return value
    if language is not None:
        if language in value:
            return value[language]
        base = re.split(r"[-_]", language)[0]
        if base in value:
            return value[base]
    return next(iter(value.values()))


def languages_of(value: str | dict[str, str]) -> set[str]:
    """The languages a text field is written in (none for a plain string: it is any)."""
    return set(value) if isinstance(value, dict) else set()


class SpokenText(BaseModel):
    """How one language of an exhibit is spoken."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = Field("", max_length=MAX_SPOKEN_CHARS)  # "" = say the title and the label
    voice: str | None = Field(None, max_length=200)  # None = the configured voice for the language
    rate: float = Field(1.0, ge=0.5, le=2.0)  # 1 = the voice's own pace; 1.2 = a fifth faster
