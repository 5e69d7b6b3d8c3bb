"""The kiosk's type and layout as a visitor standing at it sees them, in Debian's Chromium.

Every panel of the demo, in portrait (1080×1920) and landscape (1920×1080), in zh, en and fr: the
panel's title is on screen on arrival, the exhibition's name in the header is never cut with "…",
a key figure's unit never breaks inside a word (小时, 百万美元), and citation marks and sources are
large enough to read from 1 m (kiosk.css: ≥ 20 px and ≥ 22 px at 1080 px).
"""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

VIEWPORTS = {"portrait": {"width": 1080, "height": 1920},
             "landscape": {"width": 1920, "height": 1080}}
LANGS = ("zh", "en", "fr")
HTML_LANG = {"zh": "zh-Hans"}
MIN_CITE_PX = 20
MIN_SOURCE_PX = 22

MEASURE = """() => {
  const view = document.querySelector('#k-view');
  const title = document.querySelector('#k-view .k-panel-title');
  const box = title.getBoundingClientRect();
  const brand = document.querySelector('#k-brand');
  const bs = getComputedStyle(brand);
  const brandBox = brand.getBoundingClientRect();
  const bar = document.querySelector('.k-bar').getBoundingClientRect();
  const units = [...document.querySelectorAll('#k-view .kf-unit')].map(u => ({
    text: u.textContent, rects: u.getClientRects().length}));
  // A value kept on one line must still fit in its figure's box.
  const overflowing = [...document.querySelectorAll('#k-view .key-figure')].filter(li => {
    const v = li.querySelector('.kf-value').getBoundingClientRect();
    const box = li.getBoundingClientRect();
    return v.right > box.right + 0.5 || v.left < box.left - 0.5;
  }).map(li => li.querySelector('.kf-value').textContent);
  const size = el => parseFloat(getComputedStyle(el).fontSize);
  const cites = [...document.querySelectorAll('#k-view .cite')].map(size);
  const sources = [...document.querySelectorAll('#k-view .sources li')].map(size);
  const sourceParts = [...document.querySelectorAll('#k-view .sources li *')].map(size);
  return {
    scrollTop: view.scrollTop,
    title: {top: box.top, bottom: box.bottom, left: box.left, right: box.right,
            viewTop: view.getBoundingClientRect().top, viewBottom: view.getBoundingClientRect().bottom},
    width: innerWidth, height: innerHeight,
    brand: {scroll: brand.scrollWidth, client: brand.clientWidth, overflow: bs.textOverflow,
            whiteSpace: bs.whiteSpace, scrollH: brand.scrollHeight, clientH: brand.clientHeight,
            inBar: brandBox.top >= bar.top - 0.5 && brandBox.bottom <= bar.bottom + 0.5},
    units, overflowing, cites, sources: sources.concat(sourceParts),
  };
}"""


@pytest.fixture(scope="module")
def manifests(api_manifests):
    return api_manifests


@pytest.mark.parametrize("orientation", VIEWPORTS)
def test_every_panel_reads_from_a_step_away(browser, live_server, manifests, orientation):
    context = browser.new_context(viewport=VIEWPORTS[orientation], has_touch=True,
                                  service_workers="block")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{live_server}/kiosk/?kiosk=portrait-test")
    page.wait_for_selector("#kiosk-app[data-ready]")
    problems: list[str] = []
    seen_units = 0
    for lang in LANGS:
        if page.evaluate("window.exhibitKiosk.state.lang") != lang:
            page.locator(f".k-lang[data-lang='{lang}']").tap()
            page.wait_for_function("lang => document.documentElement.lang === lang",
                                   arg=HTML_LANG.get(lang, lang))
        for panel in manifests[lang]["panels"]:
            slug = panel["slug"]
            page.evaluate("slug => window.exhibitKiosk.show(slug)", slug)
            page.wait_for_selector(f"#k-view article[data-slug='{slug}']")
            page.wait_for_function("() => document.fonts.status === 'loaded'")
            m = page.evaluate(MEASURE)
            where = f"{orientation} {lang} {slug}"
            t = m["title"]
            on_screen = (t["top"] >= max(0, t["viewTop"]) - 0.5
                         and t["bottom"] <= min(m["height"], t["viewBottom"]) + 0.5
                         and t["left"] >= -0.5 and t["right"] <= m["width"] + 0.5)
            if not on_screen:
                problems.append(f"{where}: title not on screen on arrival {t} (scrollTop {m['scrollTop']})")
            b = m["brand"]
            if b["scroll"] > b["client"] or b["overflow"] == "ellipsis" or b["scrollH"] > b["clientH"] + 1 \
                    or not b["inBar"]:
                problems.append(f"{where}: header title cut {b}")
            for unit in m["units"]:
                seen_units += 1
                if unit["rects"] != 1:
                    problems.append(f"{where}: unit {unit['text']!r} breaks over {unit['rects']} lines")
            if m["overflowing"]:
                problems.append(f"{where}: key figures wider than their box: {m['overflowing']}")
            small_cites = [s for s in m["cites"] if s < MIN_CITE_PX]
            small_sources = [s for s in m["sources"] if s < MIN_SOURCE_PX]
            if small_cites:
                problems.append(f"{where}: citation marks at {sorted(set(small_cites))} px")
            if small_sources:
                problems.append(f"{where}: sources at {sorted(set(small_sources))} px")
    context.close()
    assert seen_units, "the demo has key figures with units"
    assert not problems, "\n".join(problems)
    assert not errors, errors
