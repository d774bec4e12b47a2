"""Reading the YAML files people edit, as untrusted input: bounded in size, nodes, depth and time.

`yaml.safe_load` alone is not safe against hostile files: ten anchors each aliasing the one
before ten times expand a 426-byte file into ten billion nodes (the "billion laughs"), a
10,000-deep nesting overflows the recursive composer, and a 5000-digit number costs seconds to
convert. Here every document is composed under a `YamlLimits` budget counted as it is built
(aliases count with the full size of what they point to), so any such file fails fast with a
message instead of taking memory or time.
"""

from __future__ import annotations

import os
import re
import stat
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import ComposerError
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node

from kiosk.problems import ContentError, display_path, show_value


@dataclass(frozen=True, slots=True)
class YamlLimits:
    """How much one YAML file a person wrote may cost. The defaults fit any real exhibit, clip
    or config many times over (the longest sample exhibit is 3 KB, the longest clip 400 nodes)."""

    max_bytes: int = 256_000
    max_nodes: int = 100_000  # after alias expansion
    max_depth: int = 64
    max_seconds: float = 2.0  # parse time; checked as nodes are composed
    max_number_digits: int = 40  # longer integers are refused before conversion


DEFAULT_LIMITS = YamlLimits()


class YamlBudgetError(yaml.YAMLError):
    """The document is over one of its YamlLimits; the message says which and what to do."""


class _BoundedLoader(yaml.SafeLoader):
    """SafeLoader that counts what it composes, and refuses keys written twice."""

    def __init__(self, stream: str, limits: YamlLimits) -> None:
        super().__init__(stream)
        self._limits = limits
        self._nodes = 0
        self._depth = 0
        self._weights: dict[str, int] = {}  # anchor name -> nodes its node expands to
        self._deadline = time.monotonic() + limits.max_seconds

    def compose_node(self, parent: Node | None, index: Any) -> Node:
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            node = super().compose_node(parent, index)
            self._count(self._weights.get(event.anchor, 1))  # what the alias repeats
            return node
        self._depth += 1
        if self._depth > self._limits.max_depth:
            raise YamlBudgetError(
                f"nested more than {self._limits.max_depth} levels deep; "
                "check the indentation and brackets"
            )
        before = self._nodes
        try:
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        self._count(1)
        if event.anchor is not None:
            self._weights[event.anchor] = self._nodes - before
        return node

    def _count(self, n: int) -> None:
        self._nodes += n
        if self._nodes > self._limits.max_nodes:
            raise YamlBudgetError(
                f"holds more than {self._limits.max_nodes:,} values (counting what its "
                "aliases (*name) repeat); write the values out once, without aliases"
            )
        if self._nodes % 512 == 0 and time.monotonic() > self._deadline:
            raise YamlBudgetError(
                f"took more than {self._limits.max_seconds:g} s to read; make the file smaller"
            )

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict:
        seen: set = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in seen
            except TypeError:  # unhashable key; let SafeLoader report it
                break
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {show_value(key)} appears twice; keep only one",
                    key_node.start_mark,
                )  # fmt: skip
            seen.add(key)
        return super().construct_mapping(node, deep=deep)

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        digits = sum(c.isalnum() for c in str(node.value))
        if digits > self._limits.max_number_digits:
            raise yaml.constructor.ConstructorError(
                None, None,
                f"a number with {digits} digits; write a number of at most "
                f"{self._limits.max_number_digits} digits",
                node.start_mark,
            )  # fmt: skip
        return super().construct_yaml_int(node)


_BoundedLoader.add_constructor("tag:yaml.org,2002:int", _BoundedLoader.construct_yaml_int)


def load_bounded(text: str, limits: YamlLimits = DEFAULT_LIMITS) -> Any:
    """Parse one YAML document within `limits`; raises yaml.YAMLError (YamlBudgetError when
    over budget), never RecursionError, MemoryError or a slow conversion."""
    loader = _BoundedLoader(text, limits)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def read_bounded_bytes(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file of at most max_bytes, read without ever blocking: a FIFO,
    device or socket put where a file should be is refused, not opened for reading and waited
    on. Raises OSError (with a message a person can act on) or ValueError for a bad name."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(f"{display_path(path)} is not a regular file; put a file there")
        if info.st_size > max_bytes:
            raise FileTooBigError(info.st_size, max_bytes)
        chunks, total = [], 0
        while True:
            chunk = os.read(fd, min(1 << 20, max_bytes + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > max_bytes:  # grew while being read
                raise FileTooBigError(total, max_bytes)
        return b"".join(chunks)
    finally:
        os.close(fd)


class FileTooBigError(OSError):
    """A file over its size limit."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"the file is {size:,} bytes, over the limit of {limit:,}")
        self.size, self.limit = size, limit


def read_yaml_mapping(
    path: Path,
    error: type[ContentError] = ContentError,
    limits: YamlLimits = DEFAULT_LIMITS,
) -> dict[str, Any]:
    """Read a YAML file that must hold a mapping (an empty file is an empty mapping); every
    failure is `error` naming the file and what to do."""
    name = display_path(path)
    try:
        data = read_bounded_bytes(Path(path), limits.max_bytes)
    except FileTooBigError as exc:
        raise error(name, "", f"{exc}; shorten it (long texts belong in fewer words)") from exc
    except (OSError, ValueError) as exc:
        why = getattr(exc, "strerror", None) or str(exc)
        raise error(name, "", f"cannot read the file ({why})") from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error(name, "", "is not UTF-8 text; save it as UTF-8") from exc
    try:
        doc = load_bounded(text, limits)
    except YamlBudgetError as exc:
        raise error(name, "", f"{exc}") from exc
    except yaml.MarkedYAMLError as exc:
        raise error(name, "", yaml_error_text(exc)) from exc
    except (yaml.YAMLError, RecursionError, ValueError, OverflowError, TypeError) as exc:
        raise error(name, "", f"YAML syntax error: {show_value(str(exc))}; fix the YAML") from exc
    if doc is None:
        return {}
    if not isinstance(doc, dict):
        raise error(name, "", f"must be a mapping of 'key: value' lines (got {type(doc).__name__})")
    bad = [k for k in doc if not isinstance(k, str)]
    if bad:
        raise error(name, show_value(bad[0]), "keys must be text; check the indentation")
    return doc


_KEY_LINE = re.compile(r"\n[ \t]*[A-Za-z_][\w-]*:[ \t]")


def _runaway_quote(exc: yaml.MarkedYAMLError) -> str | None:
    """'line L, column C: ...' for a quote left open before the error: PyYAML then reads on to
    the next quote mark, lines later, and reports the error there. A quoted text that runs
    over a line that looks like a new key ("title: ...") is taken to be one left open."""
    mark = exc.problem_mark
    text = getattr(mark, "buffer", None)
    if mark is None or not isinstance(text, str):
        return None
    found = None
    try:
        for token in yaml.scan(text[: mark.index], Loader=yaml.SafeLoader):
            if (
                isinstance(token, yaml.ScalarToken)
                and token.style in ('"', "'")
                and token.end_mark.line > token.start_mark.line
                and _KEY_LINE.search(text, token.start_mark.index, token.end_mark.index)
            ):
                found = token
    except yaml.YAMLError:
        pass  # the scan stops where the file breaks; what was found before it stands
    if found is None:
        return None
    start = found.start_mark
    return (
        f"line {start.line + 1}, column {start.column + 1}: the quote {found.style} opened here "
        f"is not closed on its line (it runs on to line {found.end_mark.line + 1}); "
        f"close it on line {start.line + 1}"
    )


def yaml_error_text(exc: yaml.MarkedYAMLError) -> str:
    """'YAML syntax error at line L, column C: what; fix the YAML there'. PyYAML reports where
    it noticed the problem; for an unclosed quote that is where the quote began."""
    runaway = _runaway_quote(exc)
    if runaway is not None:
        return f"YAML syntax error at {runaway}"
    mark = exc.problem_mark or exc.context_mark
    if isinstance(exc, yaml.scanner.ScannerError) and exc.context_mark is not None:
        if "quoted scalar" in (exc.context or ""):
            mark = exc.context_mark
    where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
    what = exc.problem or exc.context or "invalid YAML"
    if isinstance(exc, ComposerError) and "undefined alias" in (exc.problem or ""):
        what = f"{what} (an alias *name needs an anchor &name before it)"
    return f"YAML syntax error at {where}{what}; fix the YAML there"


__all__ = [
    "DEFAULT_LIMITS",
    "FileTooBigError",
    "YamlBudgetError",
    "YamlLimits",
    "load_bounded",
    "read_bounded_bytes",
    "read_yaml_mapping",
    "yaml_error_text",
]
