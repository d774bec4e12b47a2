"""YAML syntax errors name the line a person must fix: for a quote left open, the line where
it opens, not the line where PyYAML finally stumbles."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.problems import ContentError
from kiosk.safe_yaml import read_yaml_mapping


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ('a: 1\nb: 2\ntitle: "Unclosed\nartist: x\nlabel: "hello"\n', "line 3, column 8"),
        ("a: 1\nb: 2\ntitle: 'Unclosed\nartist: x\nlabel: 'it'\n", "line 3, column 8"),
        ('a: 1\nb: 2\ntitle: "Unclosed\nartist: x\nimage: foo.jpg\n', "line 3, column 8"),
        ("a: 1\nb: [1, 2\nc: 3\n", "line 3, column 2"),
        ('a: "a quoted text\n  that goes on"\nb: : x\n', "line 3, column 4"),
    ],
)
def test_yaml_errors_name_the_line_to_fix(tmp_path: Path, text: str, where: str) -> None:
    path = tmp_path / "e.yaml"
    path.write_text(text)
    with pytest.raises(ContentError) as caught:
        read_yaml_mapping(path)
    assert where in caught.value.message


def test_a_quoted_text_over_several_lines_is_still_fine(tmp_path: Path) -> None:
    path = tmp_path / "ok.yaml"
    path.write_text('label: "a long label\n  over two lines"\ntitle: T\n')
    assert read_yaml_mapping(path) == {"label": "a long label over two lines", "title": "T"}
