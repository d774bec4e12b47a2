from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.exhibits.schema import Exhibit, ExhibitError, parse_exhibit_file

GOOD = """\
schema_version: 1
id: mona-lisa
title: Mona Lisa
artist: Leonardo da Vinci
year: 1503
image: paintings/mona.jpg
face: {choose: index, index: 1}
animation: {gains: {mouth: 0.5}, limits: {yaw_deg: 10}}
idle: {playlist: [{clip: breathing, weight: 2}]}
order: 5
"""


def write(tmp_path: Path, text: str, name: str = "mona.yaml") -> Path:
    folder = tmp_path / "exhibits"
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(tmp_path: Path, text: str) -> ExhibitError:
    with pytest.raises(ExhibitError) as info:
        parse_exhibit_file(write(tmp_path, text))
    return info.value


def test_good_file(tmp_path):
    ex = parse_exhibit_file(write(tmp_path, GOOD))
    assert ex.id == "mona-lisa" and ex.year == "1503" and ex.order == 5
    assert ex.face.choose == "index" and ex.face.index == 1
    assert ex.animation.gains.mouth == 0.5 and ex.animation.gains.head == 1.0
    assert ex.animation.limits.yaw_deg == 10 and ex.animation.limits.pitch_deg == 15
    assert [c.clip for c in ex.idle.playlist] == ["breathing"]
    assert ex.enabled


def test_defaults_of_a_minimal_file(tmp_path):
    ex = parse_exhibit_file(write(tmp_path, "id: a\ntitle: A\nimage: a.png\n"))
    assert [c.clip for c in ex.idle.playlist] == ["breathing", "look_around", "gentle_smile"]
    assert ex.order == 100 and ex.face.choose == "largest" and ex.label == ""


def test_unknown_key_lists_allowed_keys(tmp_path):
    err = error_of(tmp_path, GOOD + "colour: red\n")
    assert str(err).startswith(
        "exhibits/mona.yaml: colour: unknown key (allowed: schema_version, id, title,")


def test_bad_gain_says_the_range(tmp_path):
    err = error_of(tmp_path, GOOD.replace("mouth: 0.5", "mouth: 5"))
    assert str(err) == "exhibits/mona.yaml: animation.gains.mouth: must be between 0 and 3 (got 5)"


def test_missing_title(tmp_path):
    err = error_of(tmp_path, "id: a\nimage: a.png\n")
    assert (err.key, err.message) == ("title", "required key is missing; add a 'title:' line")


def test_blank_title_and_several_problems_at_once(tmp_path):
    err = error_of(tmp_path, "id: A B\ntitle: '  '\nimage: a.png\n"
                             "idle: {playlist: [{clip: x, weight: 0}]}\n")
    keys = {p.key for p in err.problems}
    assert keys == {"id", "title", "idle.playlist[0].weight"}


@pytest.mark.parametrize("bad_id", ["Mona", "mona lisa", "mona_lisa", "", "a" * 65, "../x"])
def test_bad_id(tmp_path, bad_id):
    err = error_of(tmp_path, GOOD.replace("id: mona-lisa", f"id: '{bad_id}'"))
    assert err.key == "id" and "lowercase letters" in err.message


@pytest.mark.parametrize("image", ["../x.jpg", "a/../../x.jpg", "/etc/passwd", "C:/x.jpg",
                                   "a\\\\b.jpg", "~/x.jpg", "''"])
def test_image_must_stay_inside_content_root(tmp_path, image):
    err = error_of(tmp_path, GOOD.replace("paintings/mona.jpg", image))
    assert err.key == "image" and "content folder" in err.message


def test_yaml_syntax_error_names_the_line(tmp_path):
    err = error_of(tmp_path, "id: a\ntitle: A\nimage: [a.png\norder: 1\n")
    assert err.file == "exhibits/mona.yaml"
    assert "YAML syntax error at line 4" in err.message


def test_bad_schema_version_and_not_utf8(tmp_path):
    assert error_of(tmp_path, GOOD.replace("schema_version: 1", "schema_version: 2")).key == \
        "schema_version"
    path = tmp_path / "exhibits" / "latin1.yaml"
    path.write_bytes("title: Ça\n".encode("latin-1"))
    with pytest.raises(ExhibitError, match="UTF-8"):
        parse_exhibit_file(path)


def test_exhibit_is_frozen():
    ex = Exhibit(id="a", title="A", image="a.png")
    with pytest.raises(ValueError):
        ex.title = "B"  # type: ignore[misc]


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.one_of(st.text(), st.binary().map(lambda b: b.decode("latin-1")),
                 st.lists(st.sampled_from(["id:", " a", "\n", "- ", "{", "[", ":", "image:", "&x",
                                           "*x", "!!python/object:os.system", "title: 1", "'"]))
                 .map("".join)))
def test_garbage_only_ever_raises_exhibit_error(tmp_path, text):
    path = tmp_path / "garbage.yaml"
    path.write_text(text, encoding="utf-8", errors="surrogatepass")
    try:
        parse_exhibit_file(path)
    except ExhibitError as exc:
        assert exc.problems and all(p.file.endswith("garbage.yaml") for p in exc.problems)
