"""The topic page's section bar on a phone (390 CSS px wide), in a real Chromium.

The bar is sticky under the header and scrolls sideways. A keyboard user tabbing through it must
see each link whole, focus ring included, inside the bar and the viewport (Chromium by itself
leaves a half-visible link where it is: exhibit/static/js/site/section-nav.js brings it in), and
focus moving into the stuck bar must not scroll the page. A link followed must leave its
section's heading below the sticky header and bar (the page's scroll-padding-top), not under them.
"""

from __future__ import annotations

import pytest

from tests.conftest import STATE_TIMEOUT_MS

from .conftest import CHROMIUM_ARGS  # noqa: F401  (the browser fixture launches with them)

pytestmark = pytest.mark.browser

LANGS = ("zh", "en", "fr")
PHONE = {"width": 390, "height": 844}

# Wait until nothing moves (a smooth scroll of the bar or the page has ended), then describe the
# focused element: its box grown by its focus ring, the bar's visible box, the viewport.
FOCUSED = r"""async () => {
  const bar = document.querySelector('.section-nav ol');
  const where = () => { const r = document.activeElement.getBoundingClientRect();
    return `${r.x},${r.y},${scrollY},${bar.scrollLeft}`; };
  for (let still = 0, at = where(), frames = 0; still < 5 && frames < 300; frames += 1) {
    await new Promise(r => requestAnimationFrame(r));
    still = where() === at ? still + 1 : 0;
    at = where();
  }
  const el = document.activeElement;
  const cs = getComputedStyle(el);
  const ring = cs.outlineStyle === 'none' ? 0 : parseFloat(cs.outlineWidth) + parseFloat(cs.outlineOffset);
  const r = el.getBoundingClientRect(), b = bar.getBoundingClientRect();
  const box = o => ({left: Math.round(o.left * 10) / 10, right: Math.round(o.right * 10) / 10,
                     top: Math.round(o.top * 10) / 10, bottom: Math.round(o.bottom * 10) / 10});
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  return {inBar: bar.contains(el), text: el.textContent.trim(), scrollY,
          link: box({left: r.left - ring, right: r.right + ring, top: r.top - ring, bottom: r.bottom + ring}),
          bar: box(b), viewport: {left: 0, right: innerWidth, top: 0, bottom: innerHeight},
          shown: Boolean(hit && (hit === el || el.contains(hit)))};
}"""


def outside(inner: dict, outer: dict) -> bool:
    return (inner["left"] < outer["left"] - 0.5 or inner["right"] > outer["right"] + 0.5
            or inner["top"] < outer["top"] - 0.5 or inner["bottom"] > outer["bottom"] + 0.5)


def problems_of(state: dict) -> list[str]:
    found = []
    if outside(state["link"], state["bar"]):
        found.append(f"{state['text']!r} (ring included) {state['link']} not inside the bar {state['bar']}")
    if outside(state["link"], state["viewport"]):
        found.append(f"{state['text']!r} (ring included) {state['link']} not inside the viewport")
    if not state["shown"]:
        found.append(f"{state['text']!r}: something covers its centre")
    return found


@pytest.fixture()
def phone_page(browser, live_server, request):
    # A test that reads where a link scrolled to asks for reduced motion (indirect parameter
    # "reduce"): the page then jumps instead of scrolling smoothly, so the end position can be
    # read as soon as the hash changed. Smooth scrolling may not even have started when a test
    # looks, on a loaded machine; where it ends is the same either way (scroll-padding).
    motion = getattr(request, "param", "no-preference")
    context = browser.new_context(viewport=PHONE, device_scale_factor=1, service_workers="block",
                                  reduced_motion=motion)
    context.set_default_timeout(STATE_TIMEOUT_MS)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

    def opener(lang: str):
        page.goto(f"{live_server}/{lang}/", wait_until="load")
        page.wait_for_function("document.fonts.ready.then(() => true)")
        return page

    yield opener, errors
    context.close()


@pytest.mark.parametrize("lang", LANGS)
def test_tabbing_brings_each_section_link_fully_into_the_bar(phone_page, lang):
    opener, errors = phone_page
    page = opener(lang)
    count = page.locator(".section-nav a").count()
    assert count > 3
    assert page.evaluate("(b => b.scrollWidth > b.clientWidth)(document.querySelector('.section-nav ol'))"), \
        "the bar should scroll sideways at 390 px, or this test proves nothing"
    # The bar shows that it scrolls: its edges fade.
    assert page.evaluate("getComputedStyle(document.querySelector('.section-nav ol')).maskImage") != "none"

    # Forwards from the top of the page, where the bar is still in its place below the hero.
    for _ in range(40):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('.section-nav a')"):
            break
    else:
        pytest.fail("Tab never reached the section bar")
    problems, seen = [], []
    for index in range(count):
        if index:
            page.keyboard.press("Tab")
        state = page.evaluate(FOCUSED)
        assert state["inBar"], f"Tab left the bar after {seen}"
        seen.append(state["text"])
        problems += problems_of(state)
    assert len(set(seen)) == count

    # Backwards, with the bar stuck under the header in the middle of the page: each link whole,
    # and the page stays where it is (focus in the stuck bar must not scroll it).
    page.evaluate("""() => { const s = document.querySelectorAll('.topic-section');
        scrollTo({top: s[Math.floor(s.length / 2)].offsetTop, behavior: 'instant'});
        document.querySelector('.topic-section .card a').focus({preventScroll: true}); }""")
    page.evaluate(FOCUSED)
    y = page.evaluate("scrollY")
    for _ in range(count):
        page.keyboard.press("Shift+Tab")
        state = page.evaluate(FOCUSED)
        assert state["inBar"], state
        problems += problems_of(state)
        if abs(state["scrollY"] - y) > 1:
            problems.append(f"{state['text']!r}: focus scrolled the page from {y} to {state['scrollY']}")
    assert not problems, "\n".join(dict.fromkeys(problems))
    assert not errors, errors


@pytest.mark.parametrize("phone_page", ["reduce"], indirect=True)
@pytest.mark.parametrize("lang", LANGS)
def test_a_section_link_leaves_its_heading_below_the_bar(phone_page, lang):
    opener, errors = phone_page
    page = opener(lang)
    hrefs = page.eval_on_selector_all(".section-nav a", "links => links.map(a => a.getAttribute('href'))")
    problems = []
    for href in hrefs:
        link = page.locator(f".section-nav a[href='{href}']")
        link.focus()
        page.keyboard.press("Enter")
        page.wait_for_function("h => location.hash === h", arg=href)
        state = page.evaluate("""async (href) => {
            let at = '', still = 0;
            for (let frames = 0; still < 5 && frames < 300; frames += 1) {
              await new Promise(r => requestAnimationFrame(r));
              still = String(scrollY) === at ? still + 1 : 0; at = String(scrollY);
            }
            const h = document.querySelector(href + ' h2'), r = h.getBoundingClientRect();
            const bar = document.querySelector('.section-nav').getBoundingClientRect();
            const header = document.querySelector('.site-header').getBoundingClientRect();
            // The heading's first line, at its start, its middle and its end: nothing over it.
            const y = r.top + 4;
            const covered = [r.left + 2, r.left + r.width / 2, r.right - 2]
              .map(x => document.elementFromPoint(x, y))
              .filter(hit => !(hit && h.contains(hit)))
              .map(hit => hit ? hit.tagName.toLowerCase() + '.' + hit.className : 'nothing');
            return {top: r.top, bottom: r.bottom, barBottom: bar.bottom, headerBottom: header.bottom,
                    innerHeight, covered};
        }""", href)
        if state["top"] < state["barBottom"] or state["covered"]:
            problems.append(f"{href}: heading top {state['top']:.0f}, bar bottom "
                            f"{state['barBottom']:.0f}, covered by {state['covered']}")
        if state["bottom"] > state["innerHeight"]:
            problems.append(f"{href}: heading below the viewport ({state['bottom']:.0f})")
    assert not problems, "\n".join(problems)
    assert not errors, errors
