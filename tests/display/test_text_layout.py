"""Label text layout: lines fit, nothing is lost, and the work stays linear for any script."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("SDL_AUDIODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

import pygame  # noqa: E402
import pytest  # noqa: E402
import yaml  # noqa: E402

from kiosk.display.overlay import OverlayRenderer, OverlayState  # noqa: E402
from kiosk.display.widgets.text_layout import wrap_text  # noqa: E402

EXHIBITS = Path(__file__).resolve().parents[2] / "exhibits"
WIDTH = 584  # the label body's line at 1920 x 1080: a 640 px panel less its padding
ENGLISH = (
    "Grace Hopper was an American computer scientist and U.S. Navy rear admiral. She worked "
    "on the Harvard Mark I computer, led the team that built one of the first compilers."
)
JAPANESE = "吾輩は猫である。名前はまだ無い。どこで生れたかとんと見当がつかぬ。"
NFD_FRENCH = unicodedata.normalize("NFD", "Éléonore d’Autriche, reine de France, vers 1530. ")


class CountingFont:
    """A font that counts what it is asked to measure and remembers what it renders."""

    def __init__(self, font: pygame.font.Font) -> None:
        self.inner = font
        self.calls = 0
        self.chars = 0
        self.rendered: list[str] = []

    def size(self, text: str) -> tuple[int, int]:
        self.calls += 1
        self.chars += len(text)
        return self.inner.size(text)

    def render(self, text: str, *args: object) -> pygame.Surface:
        self.rendered.append(text)
        return self.inner.render(text, *args)

    def __getattr__(self, name: str) -> object:
        return getattr(self.inner, name)


@pytest.fixture(scope="module")
def kiosk_font() -> pygame.font.Font:
    """The label body's font, as the kiosk picks it at 1920 x 1080."""
    pygame.font.init()
    return OverlayRenderer((1920, 1080)).font("sans", 25)


@pytest.fixture
def font(kiosk_font: pygame.font.Font) -> CountingFont:
    return CountingFont(kiosk_font)


@pytest.fixture
def counted_fonts(monkeypatch: pytest.MonkeyPatch) -> dict[int, CountingFont]:
    """The fonts the newest OverlayRenderer made, counting, by pixel size (body: 25)."""
    pygame.font.init()
    made: dict[int, CountingFont] = {}
    sys_font = pygame.font.SysFont

    def counting_sys_font(names: str, size: int, *args: object) -> CountingFont:
        made[size] = CountingFont(sys_font(names, size, *args))
        return made[size]

    monkeypatch.setattr(pygame.font, "SysFont", counting_sys_font)
    return made


def assert_laid_out(font: CountingFont, text: str, lines: list[str], width: int = WIDTH) -> None:
    """Every line fits, and the lines are the text in order with only break spaces dropped."""
    assert all(font.size(line)[0] <= width for line in lines)
    collapsed = "\n".join(" ".join(p.split()) for p in text.splitlines())
    pos = 0
    for line in lines:
        while pos < len(collapsed) and collapsed[pos] in " \n":
            pos += 1
        assert collapsed.startswith(line, pos), (line, collapsed[pos : pos + len(line) + 10])
        pos += len(line)
    assert not collapsed[pos:].strip()


def greedy_word_wrap(font: pygame.font.Font, text: str, width: int) -> list[str]:
    """The plain greedy wrap (one measurement per word), for texts whose words fit a line."""
    lines: list[str] = []
    for paragraph in text.splitlines():
        line = ""
        for word in paragraph.split():
            candidate = f"{line} {word}" if line else word
            if line and font.size(candidate)[0] > width:
                lines.append(line)
                candidate = word
            line = candidate
        lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def sample_texts() -> list[str]:
    texts = []
    for path in sorted(EXHIBITS.glob("*.yaml")):
        exhibit = yaml.safe_load(path.read_text(encoding="utf-8"))
        texts += [exhibit[key] for key in ("title", "label", "credit") if exhibit.get(key)]
    return texts


# -- what the lines are ----------------------------------------------------------------------


@pytest.mark.parametrize("width", [584, 440, 300, 195])
def test_english_labels_wrap_as_the_greedy_word_wrap(kiosk_font, width):
    texts = [*sample_texts(), ENGLISH, "A long label " * 20, "First.\n\nSecond   paragraph.\n"]
    assert len(texts) >= 7
    for text in texts:
        assert wrap_text(kiosk_font, text, width) == greedy_word_wrap(kiosk_font, text, width)


@pytest.mark.parametrize(
    "text",
    [
        ENGLISH,
        JAPANESE * 40,
        "東京国立博物館 (Tokyo National Museum) 所蔵。" * 20 + "Ελληνικά και русский текст. " * 10,
        NFD_FRENCH * 30,
        "see https://collections.example.org/" + "objects/1962-114-portrait" * 40 + " for more",
        "Title\n\n\nFirst paragraph. " + ENGLISH + "\n  \nLast.\n\n",
        "👩‍👩‍👧‍👦" * 200,
    ],
    ids=["english", "japanese", "mixed", "combining", "url", "paragraphs", "zwj-emoji"],
)
def test_lines_fit_and_keep_every_character(font, text):
    lines = wrap_text(font, text, WIDTH)
    assert len(lines) > 1
    assert_laid_out(font, text, lines)


def test_japanese_without_spaces_fills_each_line(font):
    lines = wrap_text(font, JAPANESE * 100, WIDTH)
    assert_laid_out(font, JAPANESE * 100, lines)
    for line, after in zip(lines, lines[1:], strict=False):
        assert font.size(line + after[0])[0] > WIDTH  # the next character would not have fit


def test_a_single_huge_word_is_cut_into_full_lines(font):
    word = "a" * 40_000
    lines = wrap_text(font, word, WIDTH)
    assert "".join(lines) == word
    assert len({len(line) for line in lines[:-1]}) == 1  # every line but the last is full
    assert font.size(lines[0] + "a")[0] > WIDTH >= font.size(lines[0])[0]


def test_combining_marks_stay_with_their_letter(font):
    word = unicodedata.normalize("NFD", "é") * 2_000
    lines = wrap_text(font, word, WIDTH)
    assert "".join(lines) == word
    assert not any(unicodedata.combining(line[0]) for line in lines)


@pytest.mark.parametrize("text", ["", " ", "   \t  ", "\n", "\n\n  \n\t\n", " \u3000 "])
def test_empty_or_blank_text_has_no_lines(font, text):
    assert wrap_text(font, text, WIDTH) == []


def test_blank_lines_inside_are_kept_and_trailing_ones_dropped(font):
    assert wrap_text(font, "\nOne\n\n\nTwo\n\n \n", WIDTH) == ["", "One", "", "", "Two"]


def test_a_character_wider_than_the_line_gets_a_line_of_its_own(font):
    assert wrap_text(font, "a W b", font.size("W")[0] - 1) == ["a", "W", "b"]


@pytest.mark.parametrize("text", [ENGLISH * 30, JAPANESE * 100, "a" * 40_000, "a\n\n\n\nb " * 50])
@pytest.mark.parametrize("max_lines", [1, 2, 13])
def test_max_lines_gives_the_first_lines(font, text, max_lines):
    assert wrap_text(font, text, WIDTH, max_lines) == wrap_text(font, text, WIDTH)[:max_lines]


# -- how much measuring it takes -------------------------------------------------------------


def _measuring(kiosk_font: pygame.font.Font, text: str, max_lines: int | None = None) -> int:
    counting = CountingFont(kiosk_font)
    wrap_text(counting, text, WIDTH, max_lines)
    return counting.chars


@pytest.mark.parametrize(
    "unit",
    ["a", "吾", JAPANESE, "word ", ENGLISH + " ", NFD_FRENCH],
    ids=["latin-word", "one-kanji", "japanese", "short-words", "english", "combining"],
)
def test_measuring_grows_linearly_with_the_text(kiosk_font, unit):
    """Characters measured per character of text stay flat from 1,000 to 40,000 characters."""
    per_char = {}
    for n in (1_000, 10_000, 40_000):
        text = (unit * (n // len(unit) + 1))[:n]
        per_char[n] = _measuring(kiosk_font, text) / n
    assert per_char[40_000] <= 1.25 * per_char[1_000], per_char
    assert per_char[10_000] <= 1.25 * per_char[1_000], per_char
    assert max(per_char.values()) < 8  # a few prefixes per line, each about a line long


def test_measuring_calls_per_line_stay_few(font):
    lines = wrap_text(font, "a" * 40_000, WIDTH)
    assert font.calls <= 4 * len(lines)  # a few probes per line, not one per character


def test_max_lines_bounds_the_work_whatever_the_length(kiosk_font):
    for text in ("a", "吾", "word "):
        work = [_measuring(kiosk_font, text * n, max_lines=13) for n in (10_000, 40_000)]
        assert work[0] == work[1]


# -- the label panel -------------------------------------------------------------------------


def _draw_label(label: str, title: str = "Title") -> pygame.Rect:
    renderer = OverlayRenderer((1920, 1080))
    surface = pygame.Surface(renderer.size)
    renderer.draw(surface, OverlayState(title=title, label=label, show_label=True))
    return renderer.rects["label"]


@pytest.mark.parametrize("label", ["a" * 40_000, JAPANESE * 100, ENGLISH * 40])
def test_a_long_label_is_cut_with_an_ellipsis_that_fits(counted_fonts, label):
    _draw_label(label)
    body = counted_fonts[25]
    assert 2 <= len(body.rendered) <= 12
    assert body.rendered[-1].endswith(" …")
    assert all(body.size(line)[0] <= WIDTH for line in body.rendered)


def test_a_label_that_fits_is_drawn_whole(counted_fonts):
    label = sample_texts()[1]
    _draw_label(label)
    body = counted_fonts[25]
    assert " ".join(body.rendered) == " ".join(label.split())


def test_the_panel_lays_out_a_bounded_amount_of_any_label(counted_fonts):
    rects = []
    measured = []
    for n in (40_000, 400_000):
        rects.append(_draw_label("a" * n, title="t" * n))
        measured.append(sum(f.chars for f in counted_fonts.values()))
    assert rects[0].size == rects[1].size
    assert measured[0] == measured[1]


def test_text_past_the_cap_still_shows_the_ellipsis(counted_fonts):
    _draw_label("\u200b" * 10_000 + " more")  # zero-width characters fill no line
    assert counted_fonts[25].rendered[-1].endswith(" …")
