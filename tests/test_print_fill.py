"""A printed panel is filled, and its small text is big enough, read back from the real PDFs.

- The empty band between the end of the panel (its last line: the sources) and the footer is at
  most FILL_BOUND_MM on A0: type, then figures and images, grow to fill the page.
- Every chart text is at least 3/4 of the body size (the body size is the page's: 28 pt at A0
  times the page's scale and the type scale the layout chose).
- Sources are at least 14 pt at A1.

The text positions and sizes are read back from the PDF by poppler (pdftohtml -xml), with every
transformation applied, as a print shop's preflight would measure them.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET

import pypdf
import pytest

from exhibit.charts import render_chart
from exhibit.printing import layout
from exhibit.printing.render import PrintOptions
from exhibit.printing.runner import Job, print_panels
from exhibit.printing.sizes import parse_size

PT_PER_MM = 72 / 25.4
FILL_BOUND_MM = 150
# A0 zh: a text panel with a photo, a timeline with many sources, two charts; A1: the timeline
# again (the most sources of all: the tightest page).
A0_PANELS = ("mercury-hazards", "policy-timeline", "measuring-reduction")
A1_PANEL = "policy-timeline"


@pytest.fixture(scope="module")
def filled(demo_app, tmp_path_factory):
    out = tmp_path_factory.mktemp("fill")
    a0, a1 = PrintOptions(size=parse_size("A0")), PrintOptions(size=parse_size("A1"))
    jobs = [Job(slug, "zh", a0, out / f"{slug}-zh-A0.pdf") for slug in A0_PANELS]
    jobs.append(Job(A1_PANEL, "zh", a1, out / f"{A1_PANEL}-zh-A1.pdf"))
    report = print_panels(demo_app, jobs)
    assert not report.errors, report.text()
    return {(r.job.slug, r.job.options.size.name): r for r in report.results}


ZOOM = 1.5  # pdftohtml's default: sizes and positions in whole pixels of 2/3 pt
ROUNDING = 1 / ZOOM / 2  # a size read back may be this much under the one set


def spans(path) -> list[tuple[str, float, float]]:
    """(text, size in pt, bottom edge in pt above the trim's bottom) of every text run on page 1,
    as poppler lays it out (sizes include every transformation: an SVG's scale too)."""
    if not shutil.which("pdftohtml"):
        pytest.fail("pdftohtml is missing: run scripts/setup test (poppler-utils)")
    xml = subprocess.run(["pdftohtml", "-xml", "-i", "-q", "-stdout", "-f", "1", "-l", "1",
                          "-zoom", str(ZOOM), str(path)], capture_output=True, check=True).stdout
    root = ET.fromstring(xml)
    page = root.find("page")
    sizes = {f.get("id"): float(f.get("size")) / ZOOM for f in page.iter("fontspec")}
    pdf_page = pypdf.PdfReader(path).pages[0]
    media_top = float(pdf_page.mediabox.top)
    trim_bottom = float(pdf_page.trimbox.bottom)
    found = []
    for text in page.iter("text"):
        content = "".join(text.itertext()).strip()
        if content:
            bottom = (int(text.get("top")) + int(text.get("height"))) / ZOOM
            found.append((content, sizes[text.get("font")], media_top - bottom - trim_bottom))
    return found


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def geometry_of(result, panel):
    return layout.geometry(result.job.options.size, result.job.options.bleed_mm, kind=panel.kind,
                           type_scale=result.type_scale, charts=bool(panel.figures))


def chart_strings(panel, lang) -> set[str]:
    strings = set()
    for figure in panel.figures:
        for narrow in (False, True):
            svg = ET.fromstring(render_chart(figure, panel, lang, narrow=narrow))
            strings |= {squeeze(t.text) for t in svg.iter("{http://www.w3.org/2000/svg}text")
                        if t.text and t.text.strip()}
    return strings


@pytest.mark.parametrize("slug", A0_PANELS)
def test_no_wide_empty_band_above_the_footer_on_a0(filled, demo, slug):
    result = filled[(slug, "A0")]
    g = geometry_of(result, demo.panel(slug))
    footer_top_pt = (g.foot + g.safe_bottom) * PT_PER_MM
    above = [y for _text, _size, y in spans(result.path) if y > footer_top_pt + 1]
    assert above, "no text above the footer"
    band_mm = (min(above) - footer_top_pt) / PT_PER_MM
    assert band_mm <= FILL_BOUND_MM, (
        f"{slug}: {band_mm:.0f} mm empty above the footer (type scale {result.type_scale})")


@pytest.mark.parametrize("key", [(s, "A0") for s in A0_PANELS if s != "mercury-hazards"]
                         + [(A1_PANEL, "A1")])
def test_chart_text_is_at_least_three_quarters_of_the_body(filled, demo, key):
    result = filled[key]
    panel = demo.panel(key[0])
    body_pt = geometry_of(result, panel).body_pt
    body_text = squeeze(re.sub(r"<[^>]+>", "", panel.body["zh"]))
    charts = chart_strings(panel, "zh")
    # The chart's source line repeats the sources: text found in both is not counted (the
    # chart's smallest texts, the illustrative mark and the axis labels, are).
    titles = [squeeze(s.title_in("zh")) for s in panel.sources]
    measured = [(text, size) for text, size, _y in spans(result.path)
                if len(squeeze(text)) >= 2 and any(squeeze(text) in s for s in charts)
                and squeeze(text) not in body_text and not any(squeeze(text) in t for t in titles)]
    assert len(measured) >= 5, measured
    small = [(text, round(size, 1)) for text, size in measured if size < 0.75 * body_pt - ROUNDING]
    assert not small, f"body {body_pt} pt; chart text under {0.75 * body_pt:.1f} pt: {small[:10]}"


def test_sources_are_at_least_14_pt_at_a1(filled, demo):
    result = filled[(A1_PANEL, "A1")]
    panel = demo.panel(A1_PANEL)
    titles = [squeeze(s.title_in("zh")) for s in panel.sources]
    charts = chart_strings(panel, "zh")
    measured = []
    for text, size, _y in spans(result.path):
        key = re.sub(r"^\d+\.", "", squeeze(text))[:8]  # a line's start, without "1."
        if (len(key) >= 4 and any(key in t for t in titles)
                and not any(squeeze(text) in s for s in charts)):
            measured.append((text, size))
    assert measured, "no source text found"
    small = [(text, round(size, 1)) for text, size in measured if size < 14 - ROUNDING]
    assert not small, small
