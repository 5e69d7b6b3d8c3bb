"""The content parser and validator: good content loads; each kind of bad content is reported with
its file and line, all at once, and nothing unsafe gets through."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from exhibit.content import InvalidContent, Localized, check_exhibition, load_exhibition


def errors_of(panels: Path) -> list[str]:
    """Every problem as 'relative/path:line: message', relative to the exhibition's parent."""
    return [e.format(relative_to=panels.parent) for e in check_exhibition(panels)]


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# -- good content ---------------------------------------------------------------------------------

def test_the_demo_exhibition_is_valid():
    exhibition = load_exhibition(Path(__file__).parent.parent / "panels")
    assert exhibition.languages == ("zh", "en", "fr")
    assert len(exhibition.panels) >= 12
    kinds = {p.kind for p in exhibition.panels}
    assert {"text", "figure", "timeline", "case-study", "video", "gallery"} <= kinds
    assert sum(1 for p in exhibition.panels if p.kind == "figure") >= 3
    assert any(s.id == "pfos" for s in exhibition.sections)


def test_scratch_exhibition_loads_into_frozen_objects(scratch):
    ex = load_exhibition(scratch)
    assert [p.slug for p in ex.panels] == ["story", "output"]  # section order, then panel order
    story = ex.panel("story")
    assert story.title["fr"] == "Une histoire"
    assert isinstance(story.title, Localized)
    with pytest.raises(TypeError):
        story.title["en"] = "changed"  # type: ignore[index]
    with pytest.raises(AttributeError):
        story.slug = "other"  # type: ignore[misc]
    assert story.images[0].width == 1200 and story.images[0].height == 800
    figure = ex.panel("output").figures[0]
    assert [r.value for r in figure.rows] == [9.15, 5.80]
    assert figure.rows[1].label["zh"] == "电石法"


def test_citations_become_numbered_links_to_the_sources(scratch):
    story = load_exhibition(scratch).panel("story")
    html = story.body["en"]
    assert '<a href="#src-story-1" aria-label="Source 1" rel="noopener noreferrer">[1]</a>' in html
    assert "<h2>Start</h2>" in html


def test_version_changes_when_anything_shown_changes(scratch):
    before = load_exhibition(scratch)
    replace(scratch / "story" / "text.fr.md", "Début", "Commencement")
    after = load_exhibition(scratch)
    assert before.panel("story").version != after.panel("story").version
    assert before.panel("output").version == after.panel("output").version
    assert before.fingerprint != after.fingerprint
    # A media file is part of the version too.
    from PIL import Image
    Image.new("RGB", (1200, 800), (0, 0, 0)).save(scratch.parent / "media/images/photo.png")
    assert load_exhibition(scratch).panel("story").version != after.panel("story").version


# -- bad content: each reported at its file and line ---------------------------------------------

def test_yaml_syntax_error_names_file_and_line(scratch):
    replace(scratch / "story" / "panel.yaml", "order: 10", "order: [10")
    errors = errors_of(scratch)
    assert any(e.startswith("panels/story/panel.yaml:") and "YAML syntax error" in e
               for e in errors), errors


def test_unknown_field_suggests_the_right_name(scratch):
    replace(scratch / "story" / "panel.yaml", "summary:", "sumary:")
    errors = errors_of(scratch)
    assert "panels/story/panel.yaml:6: unknown field 'sumary' (did you mean 'summary'?); " \
           "allowed: slug, section, order, kind, title, summary, sources, images, key_figures, " \
           "figures, video, narration" in errors
    assert "panels/story/panel.yaml:1: missing field 'summary'" in errors


def test_missing_language_in_a_field_and_a_missing_text_file(scratch):
    replace(scratch / "story" / "panel.yaml", "title: {zh: 故事, en: A story, fr: Une histoire}",
            "title: {zh: 故事, en: A story}")
    (scratch / "output" / "text.fr.md").unlink()
    errors = errors_of(scratch)
    assert "panels/story/panel.yaml:5: missing translation: 'title' has no fr text" in errors
    assert "panels/output/text.fr.md:1: missing translation: no fr text for this panel" in errors


def test_image_without_alt_text(scratch):
    replace(scratch / "story" / "panel.yaml",
            "    alt: {zh: 一张照片, en: A photo, fr: Une photo}\n", "")
    assert "panels/story/panel.yaml:8: missing field 'alt' in images[1]" in errors_of(scratch)


def test_image_alt_text_missing_one_language(scratch):
    replace(scratch / "story" / "panel.yaml", "alt: {zh: 一张照片, en: A photo, fr: Une photo}",
            "alt: {zh: 一张照片, en: A photo, fr: ''}")
    assert "panels/story/panel.yaml:9: missing translation: alt text has no fr text" \
        in errors_of(scratch)


def test_missing_media_file(scratch):
    (scratch.parent / "media/images/photo.png").unlink()
    errors = errors_of(scratch)
    assert any(e.startswith("panels/story/panel.yaml:8: missing media file images/photo.png")
               for e in errors), errors


def test_figure_value_with_a_decimal_comma(scratch):
    replace(scratch / "output" / "output.csv", "5.80", "5,80 Mt")
    errors = errors_of(scratch)
    # A decimal comma splits the cell: the checker says which line has too many cells.
    assert "panels/output/output.csv:3: expected 4 cells, found 5" in errors


def test_figure_value_with_units_is_refused(scratch):
    replace(scratch / "output" / "output.csv", "5.80", "5.8Mt")
    assert any(e.startswith("panels/output/output.csv:3: value '5.8Mt' is not a number")
               for e in errors_of(scratch))


def test_csv_with_a_missing_cell_and_a_missing_language_column(scratch):
    (scratch / "output" / "output.csv").write_text(
        "label.zh,label.en,value\n全部,All,9.15\n", encoding="utf-8")
    errors = errors_of(scratch)
    assert "panels/output/output.csv:1: missing translation: no 'label.fr' column" in errors


def test_figure_without_a_source(scratch):
    replace(scratch / "output" / "panel.yaml", "    source: miit\nsources:", "sources:")
    errors = errors_of(scratch)
    assert any(e.startswith("panels/output/output.csv:2: figure data without a source")
               for e in errors), errors


def test_key_figure_without_a_source(scratch):
    replace(scratch / "output" / "panel.yaml", "    source: miit\nfigures:", "figures:")
    errors = errors_of(scratch)
    assert any(e.startswith("panels/output/panel.yaml:8: key figure '5.80' has no source")
               for e in errors), errors


def test_illustrative_figures_need_no_source(scratch):
    replace(scratch / "output" / "panel.yaml", "    source: miit\nfigures:",
            "    illustrative: true\nfigures:")
    assert errors_of(scratch) == []


def test_a_number_in_the_text_without_a_citation(scratch):
    (scratch / "story" / "text.en.md").write_text(
        "## Start\n\nNo number here.\n\nIt was ratified in 2016.\n", encoding="utf-8")
    assert "panels/story/text.en.md:5: a number without a source: cite one with [@source-id], " \
           "or mark it [@illustrative]" in errors_of(scratch)


def test_a_citation_of_an_unknown_source(scratch):
    replace(scratch / "story" / "text.en.md", "[@treaty]", "[@treety]")
    assert any(e.startswith("panels/story/text.en.md:3: citation [@treety] names no source")
               for e in errors_of(scratch))


def test_a_number_in_a_summary_is_refused(scratch):
    replace(scratch / "story" / "panel.yaml", "en: A short story", "en: A story of 2017")
    assert any(e.startswith("panels/story/panel.yaml:6: the summary (en) contains a number")
               for e in errors_of(scratch))


def test_duplicate_slugs(scratch):
    replace(scratch / "output" / "panel.yaml", "slug: output", "slug: story")
    errors = errors_of(scratch)
    assert "panels/story/panel.yaml:1: duplicate slug 'story': also used by output/panel.yaml" \
        in errors


def test_unknown_section_and_kind(scratch):
    replace(scratch / "story" / "panel.yaml", "section: basics", "section: basic")
    replace(scratch / "story" / "panel.yaml", "kind: text", "kind: txt")
    errors = errors_of(scratch)
    assert "panels/story/panel.yaml:2: unknown section 'basic' (sections in exhibition.yaml: " \
           "basics, data)" in errors
    assert "panels/story/panel.yaml:4: unknown kind 'txt'; use one of: text, figure, timeline, " \
           "case-study, video, gallery" in errors


def test_every_problem_is_reported_at_once(scratch):
    """The four breakages of the foundation issue, in one run."""
    replace(scratch / "story" / "panel.yaml", "order: 10", "order: [10")  # broken YAML
    (scratch / "output" / "text.zh.md").unlink()  # missing translation
    replace(scratch / "output" / "output.csv", "9.15", "nine")  # bad number
    errors = errors_of(scratch)
    assert any(e.startswith("panels/story/panel.yaml:4: YAML syntax error") for e in errors), errors
    assert "panels/output/text.zh.md:1: missing translation: no zh text for this panel" in errors
    assert any(e.startswith("panels/output/output.csv:2: value 'nine' is not a number")
               for e in errors)


def test_share_values_must_add_up_to_100(scratch):
    replace(scratch / "output" / "panel.yaml", "chart: bar", "chart: share")
    assert "panels/output/output.csv:2: share values add up to 14.95, not 100" in errors_of(scratch)


def test_duplicate_yaml_keys_are_refused(scratch):
    replace(scratch / "story" / "panel.yaml", "order: 10", "order: 10\norder: 20")
    assert any("panel.yaml:4: YAML syntax error: duplicate key 'order'" in e
               for e in errors_of(scratch))


# -- nothing unsafe gets through -------------------------------------------------------------------

def test_html_and_script_in_markdown_are_escaped(scratch):
    (scratch / "story" / "text.en.md").write_text(
        "Hello <script>alert(document.cookie)</script> <img src=x onerror=alert(x)>\n\n"
        "[click](javascript:alert(y)) and [ok](https://example.org)\n", encoding="utf-8")
    html = load_exhibition(scratch).panel("story").body["en"]
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert "href=\"javascript:" not in html  # left as inert text, never a link
    assert 'href="https://example.org"' in html and 'rel="noopener noreferrer"' in html


@pytest.mark.parametrize("reference", ["../../etc/passwd", "/etc/passwd", "images/../../secret.png",
                                       "C:/Windows/win.ini", "images\\photo.png"])
def test_media_paths_may_not_leave_the_media_folder(scratch, reference):
    replace(scratch / "story" / "panel.yaml", "file: images/photo.png", f"file: '{reference}'")
    errors = errors_of(scratch)
    assert any(e.startswith("panels/story/panel.yaml:8: media path") for e in errors), errors


def test_symlinks_out_of_the_media_folder_are_not_followed(scratch, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "secret.png"
    from PIL import Image
    Image.new("RGB", (10, 10)).save(outside)
    os.symlink(outside, scratch.parent / "media/images/link.png")
    replace(scratch / "story" / "panel.yaml", "file: images/photo.png", "file: images/link.png")
    assert "panels/story/panel.yaml:8: media path 'images/link.png' leads outside the media folder " \
           "through a symbolic link; links out are not followed" in errors_of(scratch)


def test_byte_order_mark_and_wrong_encoding(scratch):
    path = scratch / "story" / "text.en.md"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    (scratch / "story" / "text.fr.md").write_bytes("Début\n\nÉté\n".encode("latin-1"))
    errors = errors_of(scratch)
    assert "panels/story/text.en.md:1: file starts with a byte-order mark (BOM); save it as " \
           "UTF-8 without BOM" in errors
    assert any(e.startswith("panels/story/text.fr.md:1: not valid UTF-8") for e in errors)


def test_a_file_that_is_not_an_image(scratch):
    (scratch.parent / "media/images/photo.png").write_text("not an image")
    # Named for what it is (read from its bytes), not for its name.
    assert any("images/photo.png is plain text, not a PNG, JPEG or WebP image" in e
               for e in errors_of(scratch)), errors_of(scratch)


def test_invalid_content_carries_every_error(scratch):
    replace(scratch / "story" / "panel.yaml", "kind: text", "kind: txt")
    replace(scratch / "output" / "output.csv", "9.15", "x")
    with pytest.raises(InvalidContent) as caught:
        load_exhibition(scratch)
    assert len(caught.value.errors) == 2
    assert "panel.yaml:4: unknown kind 'txt'" in caught.value.report()


# -- the questionnaire ------------------------------------------------------------------------------

QUESTIONNAIRE = """\
title: {zh: 意见, en: Your opinion, fr: Votre avis}
thanks: {zh: 谢谢, en: Thanks, fr: Merci}
questions:
  - id: useful
    kind: rating
    text: {zh: 有用吗, en: 'Useful?', fr: 'Utile ?'}
    low: {zh: 不, en: 'No', fr: Non}
    high: {zh: 很, en: Very, fr: Très}
  - id: who
    kind: choice
    text: {zh: 您是, en: You are, fr: Vous êtes}
    choices:
      - id: public
        label: {zh: 公众, en: Public, fr: Public}
      - id: industry
        label: {zh: 企业, en: Industry, fr: Entreprise}
"""


def test_questionnaire_is_loaded(scratch):
    (scratch / "questionnaire.yaml").write_text(QUESTIONNAIRE, encoding="utf-8")
    q = load_exhibition(scratch).questionnaire
    assert [x.id for x in q.questions] == ["useful", "who"]
    assert [c.id for c in q.question("useful").choices] == ["1", "2", "3", "4", "5"]
    assert q.question("useful").choices[0].label["fr"] == "Non"
    assert q.question("who").choices[1].label["zh"] == "企业"


def test_questionnaire_errors_are_located(scratch):
    broken = QUESTIONNAIRE.replace("kind: choice", "kind: essay").replace(
        "    high: {zh: 很, en: Very, fr: Très}\n", "")
    (scratch / "questionnaire.yaml").write_text(broken, encoding="utf-8")
    errors = errors_of(scratch)
    assert "panels/questionnaire.yaml:4: missing field 'high' in questions[1]: a rating labels " \
           "its ends (1 and 5)" in errors
    assert any(e.startswith("panels/questionnaire.yaml:9: unknown question kind 'essay'")
               for e in errors), errors


def test_yaml_booleans_in_texts_get_a_hint(scratch):
    (scratch / "questionnaire.yaml").write_text(
        QUESTIONNAIRE.replace("en: 'No'", "en: No"), encoding="utf-8")
    assert "panels/questionnaire.yaml:7: 'low' (label of 1) in en must be text; YAML reads yes, " \
           "no, on and off as true/false, so put it in quotes" in errors_of(scratch)


# -- key figure values per language ----------------------------------------------------------------

def test_a_key_figure_value_may_be_one_text_or_one_per_language(scratch):
    output = load_exhibition(scratch).panel("output").key_figures[0]
    assert output.value == "5.80" and output.values is None
    assert output.value_in("zh") == output.value_in("fr") == "5.80"
    replace(scratch / "output" / "panel.yaml", '  - value: "5.80"\n',
            '  - value:\n      zh: 10%～12%\n      en: 10–12%\n      fr: "10 à 12\u00a0%"\n')
    kf = load_exhibition(scratch).panel("output").key_figures[0]
    assert kf.values == {"zh": "10%～12%", "en": "10–12%", "fr": "10 à 12\u00a0%"}
    assert kf.value == "10%～12%"  # the first language's, for messages
    assert [kf.value_in(lang) for lang in ("zh", "en", "fr")] == ["10%～12%", "10–12%",
                                                                   "10 à 12\u00a0%"]


def test_a_key_figure_value_of_the_wrong_type_is_located(scratch):
    replace(scratch / "output" / "panel.yaml", '  - value: "5.80"\n', "  - value: [5, 80]\n")
    assert "panels/output/panel.yaml:8: a key figure's value must be a number, a short text like " \
           "'−50 %', or one text per language (zh, en, fr), not a list" in errors_of(scratch)


def test_a_key_figure_value_per_language_needs_every_language_and_a_number(scratch):
    replace(scratch / "output" / "panel.yaml", '  - value: "5.80"\n',
            "  - value:\n      zh: 10%～12%\n      en: [10, 12]\n      de: '10'\n")
    errors = errors_of(scratch)
    assert "panels/output/panel.yaml:11: a key figure's value: 'de' is not a language of this " \
           "exhibition (zh, en, fr)" in errors, errors
    assert "panels/output/panel.yaml:8: missing translation: a key figure's value has no fr text" \
        in errors, errors
    assert "panels/output/panel.yaml:8: a key figure's value in en must be text, not a list" \
        in errors, errors
    replace(scratch / "output" / "panel.yaml", "      en: [10, 12]\n      de: '10'\n",
            "      en: ten\n      fr: '10'\n")
    assert errors_of(scratch) == [
        "panels/output/panel.yaml:10: key figure value 'ten' (en) contains no number"]


def _lines_of(value):
    """A YAML value with the line numbers the checker reports, as plain data to compare."""
    if isinstance(value, dict):
        return {"line": value.line, "keys": dict(value.key_lines),
                "items": {key: _lines_of(child) for key, child in value.items()}}
    if isinstance(value, list):
        return {"line": value.line, "items": value.item_lines,
                "values": [_lines_of(child) for child in value]}
    return value


def test_libyaml_and_pyyaml_read_every_content_file_the_same():
    """Content is read by libyaml (fast) with PyYAML's composer; every YAML file of the demo, the
    bad-content corpus and the tests reads to the same values on the same lines as PyYAML alone."""
    import yaml

    from exhibit.content.yamlsource import _LibyamlLoader, _Loader

    root = Path(__file__).resolve().parent.parent
    files = sorted({*root.glob("panels/**/*.yaml"), *root.glob("tests/**/*.yaml")})
    assert len(files) > 100
    compared = 0
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        try:
            expected = _lines_of(yaml.load(text, Loader=_Loader))  # noqa: S506
        except yaml.YAMLError:
            continue  # refused by PyYAML: load_yaml asks PyYAML again for its message
        assert _lines_of(yaml.load(text, Loader=_LibyamlLoader)) == expected, path  # noqa: S506
        compared += 1
    assert compared > 100
