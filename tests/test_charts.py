"""Charts are valid, accessible SVG with their units, sources and illustrative marks."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from exhibit.charts import element_id, render_chart, table_rows, wrap
from exhibit.content import load_exhibition

SVG = "{http://www.w3.org/2000/svg}"


def figures(exhibition):
    for panel in exhibition.panels:
        for figure in panel.figures:
            yield panel, figure


@pytest.mark.parametrize("lang", ["zh", "en", "fr"])
def test_every_demo_chart_is_accessible_svg(demo, lang):
    charts = list(figures(demo))
    assert {f.chart for _, f in charts} >= {"bar", "share", "timeline", "line"}
    for panel, figure in charts:
        svg = ET.fromstring(render_chart(figure, panel, lang))
        assert svg.get("role") == "img"
        assert svg.find(f"{SVG}title").text == figure.title[lang]
        desc = svg.find(f"{SVG}desc").text
        for row in figure.rows:
            assert row.label[lang] in desc
        text = " ".join(t.text or "" for t in svg.iter(f"{SVG}text"))
        for source_id in figure.row_sources():
            assert f"[{panel.source_number(source_id)}]" in text
        if figure.illustrative:
            assert {"zh": "示意数据", "en": "Illustrative", "fr": "Valeur indicative"}[lang] in text


def test_french_numbers_use_a_decimal_comma(scratch):
    ex = load_exhibition(scratch)
    panel = ex.panel("output")
    svg = render_chart(panel.figures[0], panel, "fr")
    assert ">9,15<" in svg and ">5,8<" in svg
    assert "Unité\u202f: Mt" in svg
    assert table_rows(panel.figures[0], "en") == [("All routes", "9.15"), ("Carbide route", "5.8")]


def test_wrap_breaks_chinese_anywhere_and_latin_at_spaces():
    assert all(len(line) <= 10 for line in wrap("中" * 25, 16, 160))
    lines = wrap("the quick brown fox jumps over the lazy dog", 16, 120)
    assert len(lines) > 1 and all(" " not in (line[0], line[-1]) for line in lines)
    assert " ".join(lines) == "the quick brown fox jumps over the lazy dog"


def test_content_in_a_chart_cannot_leave_its_attribute_or_text(scratch):
    # The figure id is the CSV file's name, which the author chooses.
    folder = scratch / "output"
    (folder / "output.csv").rename(folder / 'x" onload="alert(1)"><script>x.csv')
    yaml = (folder / "panel.yaml").read_text(encoding="utf-8")
    yaml = yaml.replace("data: output.csv", """data: 'x" onload="alert(1)"><script>x.csv'""")
    yaml = yaml.replace("title: {zh: 产量, en: Output, fr: Production}\n    unit",
                        "title: {zh: 产量, en: '<b>Output</b> & \"more\"', fr: Production}\n    unit")
    (folder / "panel.yaml").write_text(yaml, encoding="utf-8")
    panel = load_exhibition(scratch).panel("output")
    figure = panel.figures[0]
    assert "<script>" in figure.id
    svg = render_chart(figure, panel, "en")
    root = ET.fromstring(svg)  # well-formed: nothing broke out of an attribute
    assert not list(root.iter(f"{SVG}script")) and "<script" not in svg and "<b>" not in svg
    uid = root.get("aria-labelledby").split()[0].removesuffix("-title")
    assert re.fullmatch(r"fig-[A-Za-z0-9_-]+", uid)
    assert root.find(f"{SVG}title").get("id") == f"{uid}-title"
    assert root.find(f"{SVG}title").text == '<b>Output</b> & "more"'
    # Two names that sanitise alike still get two ids.
    assert element_id("output", "a<b") != element_id("output", "a>b")
    assert element_id("output", "carbide-route") == "output-carbide-route"
