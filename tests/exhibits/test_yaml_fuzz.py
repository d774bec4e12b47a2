"""Generated YAML documents, hostile ones included (anchors and aliases, deep nesting, huge
numbers, odd scalars, binary junk), thrown at every loader of curators' files: none may raise
anything but its own error type, and none may take long (each document is bounded)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.clips.clip import ClipError, load_clip
from kiosk.config import ConfigError, load_config
from kiosk.exhibits.corrections import CorrectionsError, parse_corrections_file
from kiosk.exhibits.schema import ExhibitError, parse_exhibit_file

KEYS = ["id", "title", "image", "label", "face", "idle", "tracks", "duration", "name", "blink",
        "animation", "gains", "playlist", "clip", "keys", "easing", "display", "size", "limits",
        "schema_version", "order", "choose", "box", "points", "x"]  # fmt: skip
SCALARS = st.one_of(
    st.sampled_from(["0", "-1", "1e400", ".nan", "-.inf", "0x1F", "0o17", "1_000", "~", "null",
                     "yes", "no", "on", "2024-01-01", "12:30:00", "'q'", '"\\0"', '"\\x00"',
                     "!!binary aGVsbG8=", "!!python/object:os.system", "!!set {a, b}",
                     "!!omap [a: 1]", "<<: {a: 1}", "=", "9" * 60, "9" * 5000, "''", "|\n  x",
                     "mona-lisa", "samples/astronaut.png", "../x", "/etc/passwd"]),
    st.integers(-(10**30), 10**30).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.text(max_size=30).map(lambda t: '"' + t.replace("\\", "\\\\").replace('"', '\\"') + '"'),
)  # fmt: skip


@st.composite
def documents(draw) -> str:
    """A YAML text: block mappings, flow collections, anchors, aliases, nesting, merges."""
    anchors: list[str] = []

    def value(depth: int) -> str:
        kind = draw(st.integers(0, 6 if depth < 6 else 1))
        if kind <= 1:
            text = draw(SCALARS)
        elif kind == 2 and anchors:
            return "*" + draw(st.sampled_from(anchors))
        elif kind == 3:
            items = [value(depth + 1) for _ in range(draw(st.integers(0, 4)))]
            text = "[" + ", ".join(items) + "]"
        elif kind == 4:
            pairs = [f"{draw(st.sampled_from(KEYS))}: {value(depth + 1)}"
                     for _ in range(draw(st.integers(0, 4)))]  # fmt: skip
            text = "{" + ", ".join(pairs) + "}"
        elif kind == 5:
            n = draw(st.integers(1, 3000))
            return "[" * n + "]" * n
        else:
            text = draw(SCALARS)
        if draw(st.booleans()) and draw(st.booleans()):
            name = f"a{len(anchors)}"
            anchors.append(name)
            return f"&{name} {text}"
        return text

    lines = [f"{draw(st.sampled_from(KEYS))}: {value(0)}" for _ in range(draw(st.integers(0, 8)))]
    if anchors and draw(st.booleans()):  # an alias bomb of the drawn width and depth
        width = draw(st.integers(2, 12))
        lines.append(f"b0: &b0 [{', '.join(['x'] * width)}]")
        for i in range(1, draw(st.integers(2, 10))):
            lines.append(f"b{i}: &b{i} [{', '.join([f'*b{i - 1}'] * width)}]")
            last = i
        lines.append(f"label: *b{last}")
    text = "\n".join(lines) + "\n"
    if draw(st.integers(0, 9)) == 0:  # junk: cut mid-document, or a stray byte
        text = text[: draw(st.integers(0, len(text)))] + draw(
            st.sampled_from(["", "\t", "\x00", "\ufeff", "'"])
        )
    return text


FUZZ = settings(
    max_examples=150,
    deadline=None,  # the bound is the loaders' own (YamlLimits.max_seconds)
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("loader", ["exhibit", "clip", "corrections", "config"])
@FUZZ
@given(text=documents(), raw=st.binary(max_size=64))
def test_loaders_raise_only_their_own_errors(tmp_path: Path, loader: str, text: str,
                                             raw: bytes) -> None:  # fmt: skip
    path = tmp_path / "fuzz.yaml"
    path.write_text(text, encoding="utf-8")
    for data in (text.encode("utf-8"), raw):
        path.write_bytes(data)
        try:
            if loader == "exhibit":
                parse_exhibit_file(path)
            elif loader == "clip":
                load_clip(path)
            elif loader == "corrections":
                parse_corrections_file(path)
            else:
                load_config(path)
        except (ExhibitError, ClipError, CorrectionsError, ConfigError) as exc:
            assert len(str(exc)) < 5000, "a message quotes the whole input"
