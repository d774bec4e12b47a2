"""What is wrong with a file a person edits, said so they can act on it: which file, which key,
what to do. Shared by config.yaml, exhibit files, face corrections and clips, so every message
reads the same way; lives below every stage that reports problems."""

from __future__ import annotations

import reprlib
import typing
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import annotated_types
from pydantic import BaseModel, ValidationError
from pydantic.fields import FieldInfo

# --------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file a person edits: which file, which key, what to do."""

    file: str  # shown to people, e.g. "exhibits/mona.yaml"
    key: str  # dotted key, e.g. "animation.gains.mouth"; "" when about the whole file
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.key}" if self.key else self.file
        return f"{where}: {self.message}"


class ContentError(Exception):
    """One or more problems in a config or content file."""

    def __init__(
        self,
        file: str | Path,
        key: str = "",
        message: str = "",
        *,
        problems: list[Problem] | None = None,
    ) -> None:
        if problems is None:
            name = file if isinstance(file, str) else display_path(file)
            problems = [Problem(name, key, message)]
        if not problems:
            raise ValueError("ContentError needs at least one problem")
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    @property
    def file(self) -> str:
        return self.problems[0].file

    @property
    def key(self) -> str:
        return self.problems[0].key

    @property
    def message(self) -> str:
        return self.problems[0].message


def display_path(path: Path) -> str:
    """A short path for messages: relative to the working dir if inside it, else folder/name."""
    path = Path(path)
    try:
        return path.absolute().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return f"{path.parent.name}/{path.name}" if path.parent.name else path.name


# --------------------------------------------------------------------------- pydantic errors


def validation_problems(exc: ValidationError, model: type[BaseModel], file: str) -> list[Problem]:
    """Turn a pydantic ValidationError into messages a curator can act on."""
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        problems.append(Problem(file, _dotted(loc), _error_message(err, model, loc)))
    return problems


def _dotted(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _error_message(err: dict, model: type[BaseModel], loc: tuple) -> str:
    kind, value = err["type"], err.get("input")
    if kind == "extra_forbidden":
        parent = _model_at(model, loc[:-1])
        # A field read under another name (an alias, e.g. exhibits' "title") shows that name.
        names = [f.alias or n for n, f in parent.model_fields.items()] if parent else []
        allowed = ", ".join(names) if parent else "see the documentation"
        return f"unknown key (allowed: {allowed}); check the spelling and indentation"
    if kind == "missing":
        return f"required key is missing; add a '{loc[-1]}:' line"
    if kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        field = _field_at(model, loc)
        bounds = _bounds_text(field) if field else None
        if bounds:
            return f"must be {bounds} (got {show_value(value)})"
    msg = err["msg"].removeprefix("Value error, ")
    if kind == "string_type" and isinstance(value, bool):
        msg += "; YAML reads yes/no/on/off as true/false, so put the value in quotes"
    elif kind == "string_type" and isinstance(value, (int, float, date)):
        msg += "; put the value in quotes"
    return f"{msg} (got {show_value(value)})"


def _bounds_text(field: FieldInfo) -> str | None:
    lo = hi = None
    for m in field.metadata:
        if isinstance(m, annotated_types.Ge):
            lo = ("at least", m.ge)
        elif isinstance(m, annotated_types.Gt):
            lo = ("greater than", m.gt)
        elif isinstance(m, annotated_types.Le):
            hi = ("at most", m.le)
        elif isinstance(m, annotated_types.Lt):
            hi = ("less than", m.lt)
    if lo and hi and lo[0] == "at least" and hi[0] == "at most":
        return f"between {lo[1]} and {hi[1]}"
    parts = [f"{bound[0]} {bound[1]}" for bound in (lo, hi) if bound]
    return " and ".join(parts) or None


def _inner_model(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _inner_model(arg)
        if found:
            return found
    return None


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel] | None:
    current: type[BaseModel] | None = model
    for part in loc:
        if isinstance(part, int):
            continue  # list item: _inner_model already stepped into the item type
        field = current.model_fields.get(part) if current else None
        current = _inner_model(field.annotation) if field else None
    return current


def _field_at(model: type[BaseModel], loc: tuple) -> FieldInfo | None:
    names = [p for p in loc if isinstance(p, str)]
    if not names:
        return None
    parent = _model_at(model, loc[: max(i for i, p in enumerate(loc) if isinstance(p, str))])
    return parent.model_fields.get(names[-1]) if parent else None


_SHOWN = reprlib.Repr()  # Python 3.11's Repr takes no keyword arguments
_SHOWN.maxstring = _SHOWN.maxother = 60
_SHOWN.maxlist = _SHOWN.maxtuple = _SHOWN.maxdict = _SHOWN.maxset = 4
_SHOWN.maxlevel = 2


def show_value(value: Any) -> str:
    """A value as a message quotes it: at most about 60 characters, and never the whole of a
    huge or deeply nested value (reprlib stops early instead of stringifying it all)."""
    if isinstance(value, str):
        text = repr(value[:100])  # the first 57 characters are all that is shown
    elif isinstance(value, bool):
        text = str(value)
    elif isinstance(value, int | float):
        text = _short_number(value)
    elif isinstance(value, list | tuple | dict | set | frozenset):
        text = _SHOWN.repr(value)
    else:
        text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _short_number(value: int | float) -> str:
    if isinstance(value, int) and value.bit_length() > 128:  # str() of a huge int is slow
        return f"a number of about {int(value.bit_length() * 0.30103)} digits"
    return str(value)
