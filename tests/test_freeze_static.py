"""A frozen copy is safe on a plain static host: with no Content-Security-Policy to fall back on,
no text an author wrote can run script or add an element to a page.

The scratch exhibition gets a payload everywhere an author controls text (a figure's CSV file
name, chart labels, titles, notes, alt text, credits, source titles, Markdown with raw HTML and
``javascript:`` links), is approved and frozen with ``exhibit freeze``, and every page of the copy
is opened in Chromium from a bare ``python -m http.server``. Each payload would set
``window.__pwned`` or add an element marked ``pwned``; neither may happen, and the payloads must
still be on the pages as text (so the test sees them escaped, not dropped before they could run).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import make_app, publish
from .scratch import write_exhibition

# What runs when a payload gets out of its text or attribute. No digits: a number in panel text
# wants a citation, and the content must stay valid.
RUN = "window.__pwned='{}'"


def _img(where: str) -> str:
    return f"<img src=x onerror=\"{RUN.format(where)}\" class=pwned>"


# The file name leaves the id and aria-labelledby attributes of the chart's SVG when unescaped.
CSV_NAME = f'"><img src=x onerror="{RUN.format("csv-name")}" class="pwned.csv'
TITLE = _img("title") + "<script>" + RUN.format("title-script") + "</script>"


def _yaml(text: str) -> str:
    """A YAML double-quoted scalar holding ``text``."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _inject(panels: Path) -> None:
    """Put a payload in every text of the scratch exhibition an author writes."""
    exhibition = panels / "exhibition.yaml"
    text = exhibition.read_text(encoding="utf-8")
    text = text.replace("en: Test exhibition", "en: " + _yaml("Expo " + _img("exhibition-title")))
    text = text.replace("en: For tests", "en: " + _yaml(_img("subtitle")))
    text = text.replace("{zh: 基础, en: Basics, fr: Bases}",
                        "{zh: 基础, en: " + _yaml("Basics " + _img("section")) + ", fr: Bases}")
    text = text.replace("en: An introduction", "en: " + _yaml(_img("section-intro")))
    exhibition.write_text(text, encoding="utf-8")

    story = panels / "story" / "panel.yaml"
    text = story.read_text(encoding="utf-8")
    text = text.replace("en: A story,", "en: " + _yaml("A story " + TITLE) + ",")
    text = text.replace("en: A short story,", "en: " + _yaml(_img("summary")) + ",")
    text = text.replace("en: A photo,", "en: " + _yaml('photo" onload="' + RUN.format("alt")
                                                       + '" x="' + _img("alt")) + ",")
    text = text.replace('credit: "Test image, CC0"', "credit: " + _yaml(_img("credit")))
    text = text.replace('title: "UN Treaty Collection, chapter XXVII-17"',
                        "title: " + _yaml("Treaty " + _img("source-title")))
    story.write_text(text, encoding="utf-8")
    (panels / "story" / "text.en.md").write_text(
        "## Start " + _img("markdown-heading") + "\n\n"
        "The convention entered into force in 2017 [@treaty].\n\n"
        "<script>" + RUN.format("markdown-script") + "</script>\n\n"
        "Raw " + _img("markdown-inline") + " and <svg onload=\"" + RUN.format("markdown-svg")
        + "\" class=pwned></svg> in a paragraph.\n\n"
        "A [link](javascript:" + RUN.format("markdown-link") + ") and an autolink "
        "<javascript:" + RUN.format("markdown-autolink") + ">, [another](JaVaScRiPt:void"
        "(" + RUN.format("markdown-case") + ")) and [a data one](data:text/html,"
        + _img("markdown-data") + ").\n", encoding="utf-8")

    output = panels / "output"
    (output / "output.csv").rename(output / CSV_NAME)
    text = (output / "panel.yaml").read_text(encoding="utf-8")
    text = text.replace("data: output.csv", "data: " + _yaml(CSV_NAME))
    text = text.replace("en: Output, fr: Production}\n    unit",
                        "en: " + _yaml("Output " + _img("figure-title"))
                        + ", fr: Production}\n    unit")
    text = text.replace("    unit: {zh: 百万吨, en: Mt, fr: Mt}\n    source: miit",
                        "    unit: {zh: 百万吨, en: " + _yaml(_img("figure-unit"))
                        + ", fr: Mt}\n    source: miit\n    note: {zh: 注, en: "
                        + _yaml(_img("figure-note")) + ", fr: Note}")
    text = text.replace("en: Carbide-route output,",
                        "en: " + _yaml(_img("key-figure")) + ",")
    text = text.replace('title: "MIIT plan, 2010"', "title: " + _yaml("MIIT " + _img("source")))
    (output / "panel.yaml").write_text(text, encoding="utf-8")
    label = _img("chart-label").replace('"', '""')
    (output / CSV_NAME).write_text(
        "label.zh,label.en,label.fr,value\n"
        f'全部,"{label}",Toutes filières,9.15\n'
        f'电石法,"Carbide {label}",Filière carbure,5.80\n', encoding="utf-8")


# Run in every page once it has loaded (and so once every image has loaded or failed, which is
# when an injected onerror runs): what got out of its text, if anything.
INSPECT = """() => {
  const found = [];
  if (window.__pwned !== undefined) found.push('ran: ' + window.__pwned);
  for (const el of document.querySelectorAll('*')) {
    if (el.classList.contains('pwned') || /pwned/i.test(el.getAttribute('class') || ''))
      found.push('element: ' + el.outerHTML.slice(0, 120));
    for (const attr of el.attributes) {
      if (/^on/i.test(attr.name)) found.push('handler: ' + attr.name + ' on ' + el.tagName);
      if (/^\\s*(javascript|data|vbscript):/i.test(attr.value)
          && /^(href|src|xlink:href|action|formaction)$/i.test(attr.name))
        found.push('url: ' + attr.value.slice(0, 80));
    }
    if (el.tagName.toLowerCase() === 'script' && !el.hasAttribute('src')
        && /pwned/.test(el.textContent)) found.push('script: ' + el.textContent.slice(0, 80));
  }
  return found;
}"""


@pytest.fixture()
def frozen_copy(tmp_path, media_cache) -> Path:
    """The injected scratch exhibition, approved by both organisations and frozen."""
    panels = write_exhibition(tmp_path / "content")
    _inject(panels)
    app = make_app(panels, media_cache)
    try:
        assert app.extensions["exhibit.content"].current().panel("output").figures
        assert publish(app) > 0
        out = tmp_path / "site"
        result = app.test_cli_runner().invoke(args=["freeze", "--out", str(out)])
        assert result.exit_code == 0, result.output
    finally:
        app.extensions["exhibit.db"].dispose()
    return out


@pytest.fixture()
def static_host(frozen_copy):
    """The copy served by a bare ``python -m http.server``: no CSP, no header of the app's."""
    server = subprocess.Popen(
        [sys.executable, "-u", "-m", "http.server", "0", "--bind", "127.0.0.1",
         "--directory", str(frozen_copy)],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        # "Serving HTTP on 127.0.0.1 port 40123 (http://127.0.0.1:40123/) ...": it is listening.
        line = server.stdout.readline()
        port = int(line.split(" port ")[1].split()[0])
        yield f"http://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait()
        server.stdout.close()


def test_nothing_an_author_writes_runs_in_the_frozen_copy(browser, frozen_copy, static_host):
    pages = sorted(frozen_copy.rglob("*.html"))
    assert len(pages) >= 8
    text = {}
    context = browser.new_context()
    try:
        page = context.new_page()
        for path in pages:
            relative = path.relative_to(frozen_copy).as_posix()
            url = f"{static_host}/{relative.removesuffix('index.html')}"
            response = page.goto(url, wait_until="load")
            assert response.status == 200, url
            assert "Content-Security-Policy" not in response.headers  # nothing to hide behind
            assert page.evaluate(INSPECT) == [], relative
            text[relative] = page.evaluate("() => document.documentElement.outerHTML")
    finally:
        context.close()
    # The payloads are on the pages, as text: escaped, not lost before they could be tried.
    story, output = text["en/panels/story/index.html"], text["en/panels/output/index.html"]
    assert "&lt;img src=x onerror=" in story and "&lt;script&gt;" in story
    assert "window.__pwned='source-title'" in story and "window.__pwned='credit'" in story
    assert "window.__pwned='markdown-inline'" in story
    for where in ("figure-title", "figure-unit", "figure-note", "chart-label", "key-figure"):
        assert f"window.__pwned='{where}'" in output, where
    assert "window.__pwned='section'" in text["en/index.html"]
