"""Label text layout: greedy word wrap to a pixel width, linear in the text for any script."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterator

import pygame

_FIRST_GUESS = 16  # characters tried first for a paragraph's first line; later lines start
# from the length of the line before, which is usually within a few characters
_ZWJ = "\u200d"  # zero-width joiner: emoji sequences built with it are not split


def wrap_text(
    font: pygame.font.Font, text: str, max_width: int, max_lines: int | None = None
) -> list[str]:
    """Greedy word wrap to `max_width` pixels; words wider than a line are split.

    Runs of whitespace become one space, each line of `text` starts a new line and trailing
    blank lines are dropped. `max_lines` stops early, with the first that many lines of the
    full wrap. Each line is found by a search over measured prefixes (a few measurements about a
    line long), so the work grows linearly with the text, for words without spaces (CJK, a
    pasted URL) as for English.
    """
    lines: list[str] = []
    blanks = 0  # blank lines seen and not yet kept: they are kept only if text follows them
    for line in _wrapped_lines(font, text, max_width):
        if not line:
            blanks += 1
            continue
        lines.extend([""] * (blanks if max_lines is None else min(blanks, max_lines)))
        lines.append(line)
        blanks = 0
        if max_lines is not None and len(lines) >= max_lines:
            return lines[:max_lines]
    return lines


def with_ellipsis(font: pygame.font.Font, line: str, max_width: int) -> str:
    """`line` ending in " …" to say the text goes on, shortened if need be to fit `max_width`."""
    marked = line.rstrip(" .,;:") + " …"
    if font.size(marked)[0] <= max_width:
        return marked
    keep = _longest(lambda n: font.size(line[:n] + " …")[0] <= max_width, len(line), len(line))
    space = line.rfind(" ", 0, keep + 1)
    if space > keep // 2:  # end on a whole word unless that leaves a short line (CJK has none)
        keep = space
    keep = _cluster_boundary(line, keep, 0)
    return line[:keep].rstrip(" .,;:") + " …"


def _wrapped_lines(font: pygame.font.Font, text: str, max_width: int) -> Iterator[str]:
    """The lines of `wrap_text`, one at a time, blank ones included."""
    for paragraph in text.splitlines() or [""]:
        words = " ".join(paragraph.split())
        if not words:
            yield ""
            continue
        start, guess = 0, _FIRST_GUESS
        while start < len(words):
            fit = _fitting_chars(font, words, start, max_width, guess)
            end = start + fit
            if end == len(words):
                yield words[start:]
                break
            space = words.rfind(" ", start, end + 1)
            if space > start:  # the line ends at the last space that fits
                yield words[start:space]
                start = space + 1
            else:  # one word wider than the line: as much of it as fits
                cut = _cluster_boundary(words, end, start)
                if cut == start:  # its first character alone is too wide: it goes anyway
                    cut = max(end, start + 1)
                yield words[start:cut]
                start = cut + words.startswith(" ", cut)  # a one-letter word may end there
            guess = max(1, fit)


def _fitting_chars(
    font: pygame.font.Font, text: str, start: int, max_width: int, guess: int
) -> int:
    """How many characters of `text` from `start` fit in `max_width` pixels."""
    return _longest(
        lambda n: font.size(text[start : start + n])[0] <= max_width, len(text) - start, guess
    )


def _longest(fits: Callable[[int], bool], limit: int, guess: int) -> int:
    """The largest n in 0..limit with fits(n), for `fits` true up to some n and false beyond.

    Steps away from `guess` by 1, 2, 4, ... until the answer is bracketed, then bisects: a
    good guess costs two or three calls, any guess O(log n).
    """
    lo, hi = 0, limit + 1  # fits(lo) holds (nothing fits in any width); fits(hi) does not
    probe, step = min(max(guess, 1), limit), 1
    if fits(probe):
        lo = probe
        while lo < limit:
            probe = min(lo + step, limit)
            if not fits(probe):
                hi = probe
                break
            lo, step = probe, 2 * step
    else:
        hi = probe
        while hi - step > lo:
            probe = hi - step
            if fits(probe):
                lo = probe
                break
            hi, step = probe, 2 * step
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if fits(mid):
            lo = mid
        else:
            hi = mid
    return lo


def _cluster_boundary(text: str, i: int, low: int) -> int:
    """The last index at or before `i`, and above `low`, that does not part a character from
    its combining marks or break a ZWJ sequence; `low` if there is none."""
    while low < i < len(text) and (
        unicodedata.category(text[i]).startswith("M") or _ZWJ in (text[i], text[i - 1])
    ):
        i -= 1
    return i
