"""Content is untrusted: a value of the wrong type anywhere, an identifier with a trailing newline,
or a media folder that points out of the content folder is a ``path:line: message``, never a
traceback, in the checker, at server start and on a live reload."""

from __future__ import annotations

import copy
import datetime
import logging
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from exhibit.content import ContentError, InvalidContent, check_exhibition, load_exhibition
from exhibit.content.identifiers import is_ident, is_kiosk_id, is_slug
from exhibit.kiosk.config import load_kiosk_config

from .conftest import DEMO_PANELS, make_app, publish

CLEAN = re.compile(r"[^\n]+:\d+: [^\n]+")


def demo_yaml_files() -> list[Path]:
    """Every YAML file of the demo, relative to panels/."""
    files = [Path("exhibition.yaml"), Path("questionnaire.yaml")]
    files += sorted(p.relative_to(DEMO_PANELS) for p in DEMO_PANELS.glob("*/panel.yaml"))
    return files


def field_paths(value, prefix=()) -> list[tuple]:
    """The path (keys and indexes) to every value inside ``value``, nested ones included."""
    paths = []
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return paths
    for key, child in items:
        paths.append((*prefix, key))
        paths.extend(field_paths(child, (*prefix, key)))
    return paths


DEMO = {name: yaml.safe_load((DEMO_PANELS / name).read_text(encoding="utf-8"))
        for name in demo_yaml_files()}
PATHS = {name: field_paths(data) for name, data in DEMO.items()}
TARGETS = [(name, path) for name, paths in PATHS.items() for path in paths]
# One value of each YAML type, nested ones too: a list of lists, a mapping inside a mapping.
REPLACEMENTS = ["text", ["a", "list"], [["nested"], ["lists"]], {"a": "mapping"},
                {"zh": {"nested": "mapping"}}, 42, 4.2, None, True, [{"id": ["x"]}]]


def kind_of(value) -> str:
    return "bool" if isinstance(value, bool) else "number" if isinstance(value, int | float) \
        else type(value).__name__


def swapped(data, path: tuple, value):
    """A copy of ``data`` with the value at ``path`` replaced."""
    changed = copy.deepcopy(data)
    node = changed
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return changed


def value_at(data, path: tuple):
    for key in path:
        data = data[key]
    return data


def assert_clean(errors: list, root: Path) -> None:
    for error in errors:
        assert isinstance(error, ContentError)
        line = error.format(root)
        assert CLEAN.fullmatch(line), line
        assert "Traceback" not in line and "object has no attribute" not in line, line


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          phases=[Phase.explicit, Phase.generate],  # shrinking 18 swaps takes minutes
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_any_field_of_the_demo_with_another_type_gives_clean_errors(demo_copy, data):
    """One field of every demo YAML file at once gets a value of another type (one check of the
    whole demo is half a second: swapping in every file at once covers 18 times more per run)."""
    changed = {}
    for name, paths in PATHS.items():
        path = data.draw(st.sampled_from(paths), label=str(name))
        original = value_at(DEMO[name], path)
        value = data.draw(st.sampled_from(
            [v for v in REPLACEMENTS if kind_of(v) != kind_of(original)]), label="value")
        changed[name] = swapped(DEMO[name], path, value)
    try:
        for name, content in changed.items():
            # libyaml's emitter: the pure-Python one took half of this test's time.
            (demo_copy / name).write_text(
                yaml.dump(content, Dumper=yaml.CSafeDumper, allow_unicode=True), encoding="utf-8")
        errors = check_exhibition(demo_copy)
        assert_clean(errors, demo_copy.parent)
    finally:
        for name in changed:
            (demo_copy / name).write_text((DEMO_PANELS / name).read_text(encoding="utf-8"),
                                          encoding="utf-8")


def test_the_demo_yaml_is_all_covered():
    names = {name.as_posix() for name, _ in TARGETS}
    assert {"exhibition.yaml", "questionnaire.yaml"} <= names
    assert sum(name.endswith("panel.yaml") for name in names) == 20
    assert any(path[-1] == "poster" for _, path in TARGETS)  # the video panel's nested fields


# -- the defects of issue 20, one by one -------------------------------------------------------

def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def messages(root: Path) -> list[str]:
    errors = check_exhibition(root)
    assert_clean(errors, root)
    return [e.format(root) for e in errors]


def test_a_section_given_as_a_list_is_a_message(scratch):
    edit(scratch / "story" / "panel.yaml", "section: basics", "section: [basics]")
    assert messages(scratch) == ["story/panel.yaml:2: 'section' must be a text, not a list"]


def test_a_source_given_as_a_mapping_is_a_message(scratch):
    edit(scratch / "output" / "panel.yaml", "    source: miit\nfigures",
         "    source: {id: miit}\nfigures")
    assert messages(scratch) == [
        "output/panel.yaml:11: 'source' must be a text (a source id), not a mapping"]


def test_nested_lists_of_organisations_are_a_message(scratch):
    edit(scratch / "exhibition.yaml", "organisations: [feco, unido]",
         "organisations: [[feco], [unido]]")
    assert messages(scratch) == [
        "exhibition.yaml:16: review is enabled but names no organisations; add "
        "'organisations: [...]' or 'enabled: false'",
        "exhibition.yaml:17: organisation must be a text (an id), not a list"]


def test_a_date_the_calendar_lacks_is_a_message_not_a_yaml_crash(scratch):
    (scratch / "exhibition.yaml").write_text(
        (scratch / "exhibition.yaml").read_text(encoding="utf-8")
        + "dates: {opens: 2026-02-30, closes: 2026-03-01}\n", encoding="utf-8")
    assert messages(scratch) == ["exhibition.yaml:24: 'opens' date '2026-02-30' is not a real date"]


@pytest.mark.parametrize(("where", "old", "new", "expected"), [
    ("story/panel.yaml", "slug: story", 'slug: "story\\n"',
     "story/panel.yaml:1: slug 'story\\x0a' must be lowercase letters"),
    ("exhibition.yaml", "  - id: data", '  - id: "data\\n"',
     "exhibition.yaml:22: 'id' must be a lowercase identifier"),
    ("story/panel.yaml", "  - id: treaty", '  - id: "treaty\\n"',
     "story/panel.yaml:12: 'id' must be a lowercase identifier"),
])
def test_a_trailing_newline_in_an_identifier_is_refused(scratch, where, old, new, expected):
    edit(scratch / where, old, new)
    assert any(line.startswith(expected) for line in messages(scratch)), messages(scratch)


def test_a_trailing_newline_in_a_question_id_is_refused(demo_copy):
    edit(demo_copy / "questionnaire.yaml", "  - id: useful", '  - id: "useful\\n"')
    assert any(line.startswith("questionnaire.yaml:16: 'id' must be a lowercase identifier")
               for line in messages(demo_copy)), messages(demo_copy)


def test_a_trailing_newline_in_a_kiosk_id_is_refused(scratch, tmp_path):
    exhibition = load_exhibition(scratch)
    kiosks = tmp_path / "kiosks.yaml"
    kiosks.write_text('kiosks:\n  "hall-a\\n":\n    orientation: portrait\n', encoding="utf-8")
    with pytest.raises(InvalidContent) as caught:
        load_kiosk_config(kiosks, exhibition)
    assert caught.value.report(tmp_path) == (
        "kiosks.yaml:2: kiosk id 'hall-a\\n' may use letters, digits, '-' and '_' (1 to 64 of them)")


def test_kiosk_settings_of_the_wrong_type_are_messages(scratch, tmp_path):
    kiosks = tmp_path / "kiosks.yaml"
    kiosks.write_text("defaults: [attract]\nkiosks:\n  a:\n    start_section: [basics]\n"
                      "    operator_pin_sha256: {pin: 1}\n", encoding="utf-8")
    with pytest.raises(InvalidContent) as caught:
        load_kiosk_config(kiosks, load_exhibition(scratch))
    assert caught.value.report(tmp_path).splitlines() == [
        "kiosks.yaml:1: 'defaults' must be a mapping of settings, not a list",
        "kiosks.yaml:4: 'start_section' must be a text, not a list",
        "kiosks.yaml:5: 'operator_pin_sha256' must be a text, not a mapping"]


def test_one_identifier_rule_everywhere():
    from exhibit.content import identifiers
    from exhibit.visits import events

    # The events API checks with the very patterns the checker uses.
    assert events.SLUG_PATTERN is identifiers.SLUG_PATTERN
    assert events.IDENT_PATTERN is identifiers.KIOSK_ID_PATTERN
    assert events.MAX_SLUG == identifiers.MAX_SLUG
    assert is_slug("story") and not is_slug("story\n") and not is_slug("a--b")
    assert not is_slug("a" * (identifiers.MAX_SLUG + 1)) and is_slug("a" * identifiers.MAX_SLUG)
    assert is_ident("useful") and not is_ident("useful\n") and not is_ident("x" * 65)
    assert is_kiosk_id("hall-a") and not is_kiosk_id("hall-a\n")
    # Every id the checker accepts for a question or a choice, the events API accepts too.
    longest = "a" + "b" * 63
    assert is_ident(longest) and is_kiosk_id(longest)


# -- the media folder stays inside the content folder --------------------------------------

@pytest.mark.parametrize(("media_dir", "expected"), [
    ("..", "'media_dir' contains '..'; media must stay inside the content folder"),
    ("/etc", "'media_dir' is absolute; write it relative to the content folder"),
    ("[media]", "'media_dir' must be a folder path inside the content folder, not a list"),
])
def test_media_dir_cannot_leave_the_content_folder(scratch, media_dir, expected):
    edit(scratch / "exhibition.yaml", "languages:", f"media_dir: {media_dir}\nlanguages:")
    assert messages(scratch) == [f"exhibition.yaml:9: {expected}"]


def test_media_dir_cannot_be_a_symbolic_link_out(scratch):
    (scratch / "media").symlink_to(scratch.parent / "media")
    edit(scratch / "exhibition.yaml", "languages:", "media_dir: media\nlanguages:")
    assert messages(scratch) == ["exhibition.yaml:9: 'media_dir' leads outside the content folder "
                                 "through a symbolic link"]


def test_the_secret_key_is_no_poster(demo_copy):
    """The issue's example: `media_dir: ..` and a poster in instance/ passed `exhibit check`."""
    edit(demo_copy / "exhibition.yaml", "languages:", "media_dir: ..\nlanguages:")
    assert [line for line in messages(demo_copy) if "media_dir" in line] == [
        f"exhibition.yaml:{_line_of(demo_copy / 'exhibition.yaml', 'media_dir')}: 'media_dir' "
        f"contains '..'; media must stay inside the content folder"]


def test_a_poster_must_be_an_image(demo_copy):
    video = next(p for p in demo_copy.glob("*/panel.yaml") if "poster:" in p.read_text())
    text = video.read_text(encoding="utf-8")
    poster = re.search(r"poster: (\S+)", text).group(1)
    video.write_text(text.replace(f"poster: {poster}", "poster: ../instance/secret_key"),
                     encoding="utf-8")
    lines = messages(demo_copy)
    assert any(line.endswith("a poster must be an image (.png, .jpg, .jpeg or .webp)")
               for line in lines), lines


def _line_of(path: Path, word: str) -> int:
    return next(n for n, line in enumerate(path.read_text().splitlines(), 1) if word in line)


# -- the exhibition in the hall -------------------------------------------------------------

def test_the_demo_says_where_and_when_the_exhibition_is(demo):
    assert demo.opens == datetime.date(2026, 11, 2) and demo.closes == datetime.date(2026, 12, 13)
    assert datetime.date(2026, 6, 20) <= demo.opens < demo.closes <= datetime.date(2026, 12, 31)
    assert "演示数据" in demo.venue["zh"] and "demo" in demo.venue["en"]
    assert "9:00" in demo.opening_hours["en"] and "Beijing" in demo.opening_hours["en"]
    assert "landscape" in demo.hall_layout["en"] and "portrait" in demo.hall_layout["en"]
    assert set(demo.hall_layout) == set(demo.languages)


@pytest.mark.parametrize(("fields", "expected"), [
    ("dates: {opens: 2026-12-13, closes: 2026-11-02}",
     "exhibition.yaml:24: the exhibition closes (2026-11-02) before it opens (2026-12-13)"),
    ("dates: {opens: soon, closes: 2026-11-02}",
     "exhibition.yaml:24: 'opens' must be a date written YYYY-MM-DD, not 'soon'"),
    ("dates: {opens: 2026-11-02}", "exhibition.yaml:24: missing field 'closes' in dates"),
    ("venue: {zh: 展厅, en: Hall}", "exhibition.yaml:24: missing translation: 'venue' has no fr text"),
    ("hall_layout: [a, b]", "exhibition.yaml:24: 'hall_layout' must give one text per language "
                            "(zh, en, fr), not a list"),
])
def test_the_hall_fields_are_checked(scratch, fields, expected):
    (scratch / "exhibition.yaml").write_text(
        (scratch / "exhibition.yaml").read_text(encoding="utf-8") + fields + "\n",
        encoding="utf-8")
    assert messages(scratch) == [expected]


def test_without_hall_fields_the_model_has_none(scratch):
    exhibition = load_exhibition(scratch)
    assert (exhibition.venue, exhibition.opens, exhibition.closes, exhibition.opening_hours,
            exhibition.hall_layout) == (None, None, None, None, None)


# -- a live reload that fails for any reason ------------------------------------------------

def test_a_reload_that_crashes_keeps_the_last_good_version(scratch, media_cache, monkeypatch,
                                                            caplog):
    app = make_app(scratch, media_cache)
    publish(app)
    client = app.test_client()
    store = app.extensions["exhibit.content"]
    before = store.exhibition

    def broken(root):
        raise RuntimeError("a fault in the loader")

    monkeypatch.setattr("exhibit.contentstore.load_exhibition", broken)
    edit(scratch / "story" / "panel.yaml", "en: A story", "en: A changed story")
    with caplog.at_level(logging.ERROR, logger="exhibit.contentstore"):
        assert store.refresh() is False
    assert store.exhibition is before
    page = client.get("/en/panels/story/")
    assert page.status_code == 200 and "A story" in page.get_data(as_text=True)
    assert client.get("/healthz").get_json()["content_reload_error"] is True
    assert "RuntimeError: a fault in the loader" in store.last_error
    assert "still serving the last valid version" in caplog.text

    monkeypatch.undo()
    edit(scratch / "story" / "text.en.md", "Start", "Beginning")  # a new change: reloaded
    assert store.refresh() is True
    assert client.get("/healthz").get_json()["content_reload_error"] is False
