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


# -- the text conventions of each language, over every chart's generated text -----------------------

CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")


def chart_texts(panel, figure, lang):
    """Every text a visitor reads in or beside the chart: both drawings, the phone list, the table."""
    from exhibit.charts import render_list

    texts = []
    for narrow in (False, True):
        svg = ET.fromstring(render_chart(figure, panel, lang, narrow=narrow))
        texts += [t.text or "" for t in svg.iter(f"{SVG}text")]
        texts += [svg.find(f"{SVG}title").text, svg.find(f"{SVG}desc").text]
    listed = ET.fromstring(render_list(figure, panel, lang))
    texts += ["".join(el.itertext()) for el in listed.iter() if el.tag in ("p", "li")]
    texts += [cell for row in table_rows(figure, lang) for cell in row]
    return [t for t in texts if t]


def convention_problems(text: str, lang: str, units: list[str]) -> list[str]:
    found = []
    if lang == "zh":
        # Half-width , : ; ? ! ( ) next to a Chinese character: use the full-width forms.
        for m in re.finditer(r"[,:;?!()]", text):
            before, after = text[:m.start()].rstrip()[-1:], text[m.end():].lstrip()[:1]
            if CJK.match(before or "a") or CJK.match(after or "a"):
                around = text[max(0, m.start() - 8):m.end() + 8]
                found.append(f"half-width {m.group()!r} in Chinese: {around!r}")
    if lang == "fr":
        for m in re.finditer(r"[:;?!»]", text):
            if text[m.start() - 1:m.start()] not in ("\u202f", "\u00a0"):
                around = text[max(0, m.start() - 12):m.end() + 4]
                found.append(f"no no-break space before {m.group()!r}: {around!r}")
        for m in re.finditer("«", text):
            if text[m.end():m.end() + 1] not in ("\u202f", "\u00a0"):
                found.append(f"no no-break space after '«': {text[m.start():m.end() + 12]!r}")
    # No doubled unit ("t t", "吨 吨", "吨吨") and no word twice in a row.
    for unit in units:
        for sep in ("", " ", "\u00a0", "\u202f"):
            if unit and f"{unit}{sep}{unit}" in text and (sep or CJK.match(unit)):
                found.append(f"doubled unit {unit!r}: {text!r}")
    for m in re.finditer(r"(?<![\w.])(\w+)[ \u00a0\u202f]+\1(?!\w)", text):
        found.append(f"doubled {m.group(1)!r}: {text!r}")
    return found


@pytest.mark.parametrize("lang", ["zh", "en", "fr"])
def test_chart_text_follows_each_languages_conventions(demo, lang):
    problems = []
    for panel, figure in figures(demo):
        units = [figure.unit[lang]] if figure.unit else []
        for text in chart_texts(panel, figure, lang):
            problems += [f"{panel.slug}/{figure.id}: {p}" for p in convention_problems(text, lang, units)]
    assert not problems, "\n".join(problems)


def test_the_convention_check_catches_what_it_should():
    assert convention_problems("来源：[1] 甲; [2] 乙", "zh", [])
    assert convention_problems("汞排放(吨)", "zh", [])
    assert not convention_problems("来源：[1] 甲；[2] 乙（2010年）", "zh", [])
    assert convention_problems("Unité : t", "fr", [])
    assert convention_problems("« texte\u202f»", "fr", [])
    assert not convention_problems("Unité\u202f: t\u202f; «\u202ftexte\u202f»", "fr", [])
    assert convention_problems("5 t t", "en", ["t"]) and convention_problems("5吨吨", "zh", ["吨"])
    assert convention_problems("5 吨 吨", "zh", ["吨"])
    assert not convention_problems("5 t", "en", ["t"])


def test_chinese_chart_lines_never_start_with_closing_punctuation():
    text = "中国化工报《PVC汞污染防治“十二五”目标敲定》，2010年3月9日：该协会明确“减量化、无汞化”的工作思路"
    for width in range(60, 300, 7):
        lines = wrap(text, 12, width)
        assert "".join(lines) == text
        for line in lines:
            assert line[0] not in "，。、；：）》”", (width, lines)
            assert line[-1] not in "（《“", (width, lines)
