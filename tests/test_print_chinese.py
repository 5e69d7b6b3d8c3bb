"""Chinese typesetting on paper, read back from the PDF: no line starts with closing punctuation
or a citation mark (kinsoku), no slanted Chinese face, a quarter em between Han and Latin."""

from __future__ import annotations

import re
import shutil
import subprocess

import pikepdf
import pytest

from exhibit.printing.render import PrintOptions
from exhibit.printing.runner import plan, print_panels
from exhibit.printing.sizes import parse_size
from exhibit.printing.typeset import CLOSING, QUARTER_EM, space_han_latin

from .conftest import make_app, publish

# Sentences of every length, so that citations and commas fall at every place of a line.
ZH_TEXT = "## 减汞进展\n\n" + "\n\n".join(
    "".join(f"第{n}{m}项措施{'使排放' * ((n + m) % 5)}明显减少 [@treaty]，"
            f"{'电石法' * ((n * m) % 4)}企业*必须*执行 [@treaty]。" for m in range(6))
    for n in range(5)) + "\n"


@pytest.fixture()
def zh_pdf(scratch, media_cache, tmp_path):
    (scratch / "story" / "text.zh.md").write_text(ZH_TEXT, encoding="utf-8")
    app = make_app(scratch, media_cache)
    app.instance_path = str(tmp_path / "instance")
    publish(app)
    try:
        exhibition = app.extensions["exhibit.content"].exhibition
        jobs = plan(exhibition, ["story"], ["zh"], PrintOptions(size=parse_size("A1")),
                    tmp_path / "out")
        report = print_panels(app, jobs)
    finally:
        app.extensions["exhibit.db"].dispose()
    assert not report.errors, report.text()
    return report.files[0]


def _lines(pdf, *options: str) -> list[str]:
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext is missing: run scripts/setup test (poppler-utils)")
    text = subprocess.run(["pdftotext", *options, str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return [line.strip() for line in text.splitlines() if line.strip()]


def test_no_line_starts_with_closing_punctuation_or_a_citation(zh_pdf):
    lines = _lines(zh_pdf)
    body = [line for line in lines if "措施" in line or "企业" in line or "执行" in line]
    assert len(body) > 20, lines  # the text runs over many lines: breaks fall everywhere
    bad = [line for line in lines if line[0] in CLOSING or line.startswith("[")]
    if bad and all(re.fullmatch(r"(\[\d+\])+", line) for line in bad):
        # pdftotext's reading order can put a line's superscripts on a row of their own when
        # the line ends level with something in the next column (an image caption): then
        # the word boxes say whether a citation really starts one: each must touch the
        # word before it on its line.
        bad = _citations_starting_a_line(zh_pdf)
    assert not bad, bad


def _citations_starting_a_line(pdf) -> list[str]:
    import xml.etree.ElementTree as ET

    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    words = [(w.text or "", *(float(w.get(k)) for k in ("xMin", "yMin", "xMax", "yMax")))
             for w in ET.fromstring(html.replace("<!DOCTYPE", "<!--").replace("dtd\">", "-->")
                                    ).iter("{http://www.w3.org/1999/xhtml}word")]
    found = []
    for text, x0, y0, _x1, y1 in words:
        if not re.fullmatch(r"\[\d+\]", text):
            continue
        height = y1 - y0
        if not any(abs(wx1 - x0) < height and wy0 - height < y1 and wy1 > y0 - height
                   for t, _wx0, wy0, wx1, wy1 in words if t is not text):
            found.append(f"{text} at {x0:.0f},{y0:.0f}")
    return found


def test_no_slanted_chinese_face(zh_pdf):
    """Emphasis (*必须*) is not an oblique: no text matrix is skewed, no font is italic."""
    with pikepdf.open(zh_pdf) as pdf:
        page = pdf.pages[0]
        for operands, operator in pikepdf.parse_content_stream(page.obj):
            if str(operator) == "Tm":
                a, b, c, d = (float(v) for v in operands[:4])
                assert b == 0 and c == 0, list(operands)
        for font in page.obj.Resources.Font.values():
            assert "Italic" not in str(font.BaseFont) and "Oblique" not in str(font.BaseFont)


def test_latin_and_digits_are_spaced_from_han():
    assert space_han_latin("<p>公约于2017年生效，PVC企业</p>") == (
        f"<p>公约于{QUARTER_EM}2017{QUARTER_EM}年生效，PVC{QUARTER_EM}企业</p>")
    # Never inside a tag or a style.
    html = '<style>p{content:"汞a"}</style><img alt="汞a">'
    assert space_han_latin(html) == html
