"""Chart text is readable on a phone: every chart text a visitor sees is at least 12 CSS px.

The charts are SVG drawings; shown 100 % wide, a drawing made for 480 units is scaled down on a
phone and its 12–17 unit labels become 8–11 px. In a real Chromium, every public panel with a
chart is opened in every language and, at 320, 360 and 412 px (phones) and 960 and 1280 px
(desktop: at 960 the chart column is narrowest), the rendered size of every visible text in the
figure is measured: an SVG text's font size times the drawing's scale on the screen
(getScreenCTM), an HTML text's computed font size. Text that is not rendered (the hidden version
of the chart, the closed data table) has no client rects and is not counted.
"""

from __future__ import annotations

import pytest

from tests.conftest import STATE_TIMEOUT_MS

pytestmark = pytest.mark.browser

LANGS = ("zh", "en", "fr")
WIDTHS = (320, 360, 412, 960, 1280)
MIN_PX = 12

# After a resize, wait two frames (container queries and layout have run), then measure.
MEASURE = r"""async () => {
  for (let i = 0; i < 2; i += 1) await new Promise(r => requestAnimationFrame(r));
  const texts = [];
  let figures = 0;
  for (const fig of document.querySelectorAll('.chart-figure')) {
    figures += 1;
    const walker = document.createTreeWalker(fig, NodeFilter.SHOW_TEXT);
    for (let node; (node = walker.nextNode());) {
      if (!node.data.trim()) continue;
      const el = node.parentElement;
      if (el.closest('title, desc')) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const rects = [...range.getClientRects()].filter(r => r.width > 0 && r.height > 0);
      if (!rects.length) continue;  // not rendered: display none, or inside a closed <details>
      let size = parseFloat(getComputedStyle(el).fontSize);
      if (el instanceof SVGElement) {
        const m = el.getScreenCTM();
        size *= Math.hypot(m.a, m.b);
      }
      const right = Math.max(...rects.map(r => r.right));
      texts.push({text: node.data.trim().slice(0, 50), size: Math.round(size * 100) / 100,
                  svg: el instanceof SVGElement, right: Math.round(right)});
    }
  }
  return {figures, texts, width: innerWidth,
          overflow: document.documentElement.scrollWidth > innerWidth};
}"""


def chart_slugs(demo) -> list[str]:
    return [panel.slug for panel in demo.panels if panel.figures]


@pytest.mark.parametrize("lang", LANGS)
def test_every_visible_chart_text_is_at_least_12_css_px(browser, live_server, demo, lang):
    slugs = chart_slugs(demo)
    assert len(slugs) >= 5, slugs
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=1,
                                  service_workers="block")
    context.set_default_timeout(STATE_TIMEOUT_MS)
    page = context.new_page()
    problems: list[str] = []
    try:
        for slug in slugs:
            page.set_viewport_size({"width": 360, "height": 740})
            page.goto(f"{live_server}/{lang}/panels/{slug}/", wait_until="load")
            page.wait_for_function("document.fonts.ready.then(() => true)")
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 740})
                state = page.evaluate(MEASURE)
                assert state["width"] == width
                assert state["figures"] >= 1, f"{slug}: no chart"
                assert len(state["texts"]) >= 5, f"{slug} at {width} px: no chart text seen"
                if width <= 412:
                    # On a phone, the phone version: nothing drawn for 480 units, nothing wider
                    # than the screen.
                    assert page.locator(".chart-figure .chart-wide:visible").count() == 0, slug
                    if state["overflow"]:
                        problems.append(f"{lang} {slug} at {width} px: the page scrolls sideways")
                for text in state["texts"]:
                    if text["size"] < MIN_PX:
                        problems.append(f"{lang} {slug} at {width} px: {text['text']!r} is "
                                        f"{text['size']} px")
                    if text["right"] > width + 0.5:
                        problems.append(f"{lang} {slug} at {width} px: {text['text']!r} ends "
                                        f"at {text['right']} px, off the screen")
    finally:
        context.close()
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:60])


@pytest.mark.parametrize("lang", LANGS)
def test_the_timeline_is_a_list_on_a_phone_and_the_data_table_opens(browser, live_server, demo,
                                                                     lang):
    slug = next(p.slug for p in demo.panels if any(f.chart == "timeline" for f in p.figures))
    context = browser.new_context(viewport={"width": 360, "height": 740}, device_scale_factor=1,
                                  service_workers="block")
    context.set_default_timeout(STATE_TIMEOUT_MS)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/{lang}/panels/{slug}/", wait_until="load")
        figure = page.locator(".chart-figure").first
        items = figure.locator(".chart-list li")
        assert items.first.is_visible()
        assert figure.locator("svg.chart:visible").count() == 0
        assert items.count() == len(next(f for p in demo.panels if p.slug == slug
                                         for f in p.figures if f.chart == "timeline").rows)
        # The data table: a labelled control at least 44 px high, that opens on a tap.
        summary = figure.locator(".chart-data summary")
        box = summary.bounding_box()
        assert box["height"] >= 44
        assert not figure.locator(".chart-data table").is_visible()
        summary.click()
        page.wait_for_function("document.querySelector('.chart-figure .chart-data').open")
        assert figure.locator(".chart-data table").is_visible()
        # Wide again (a desktop): the drawing is back, the list is gone.
        page.set_viewport_size({"width": 1280, "height": 800})
        page.wait_for_function("!!document.querySelector('.chart-figure svg.chart-wide')"
                               ".getClientRects().length")
        assert not items.first.is_visible()
    finally:
        context.close()
