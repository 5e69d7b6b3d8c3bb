"""The topic page on a phone, as a real Chromium loads it: the first view transfers at most 500 KB,
JavaScript at most 50 KB compressed, images below the fold wait until they are scrolled to, and
nothing moves once it is drawn (no layout shift). Bytes are what went over the wire (CDP's
encodedDataLength), with the encodings the server chose."""

from __future__ import annotations

import pytest

from .conftest import CHROMIUM_ARGS  # noqa: F401  (the browser fixture launches with them)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
FIRST_VIEW_BUDGET = 500_000
JS_BUDGET = 50_000

# Layout shifts as the page reports them (buffered: the ones before the observer was made count).
COLLECT_SHIFTS = """() => new Promise((resolve) => {
  let total = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (!entry.hadRecentInput) total += entry.value;
  }).observe({ type: "layout-shift", buffered: true });
  setTimeout(() => resolve(total), 500);
})"""


def load_first_view(browser, url: str) -> dict:
    """Open ``url`` in a fresh phone-sized context (empty cache) and count what it transferred."""
    context = browser.new_context(viewport=PHONE, device_scale_factor=3, is_mobile=True,
                                  has_touch=True)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    kinds: dict[str, str] = {}
    sizes: dict[str, int] = {}
    urls: dict[str, str] = {}
    encodings: dict[str, str] = {}

    def received(event) -> None:
        kinds[event["requestId"]] = event["type"]
        urls[event["requestId"]] = event["response"]["url"]
        headers = {k.lower(): v for k, v in event["response"]["headers"].items()}
        encodings[event["requestId"]] = headers.get("content-encoding", "")

    cdp.on("Network.responseReceived", received)
    cdp.on("Network.loadingFinished",
           lambda event: sizes.__setitem__(event["requestId"], int(event["encodedDataLength"])))
    page.goto(url, wait_until="load")
    page.wait_for_load_state("networkidle")
    shift = page.evaluate(COLLECT_SHIFTS)
    result = {"total": sum(sizes.values()),
              "script": sum(n for r, n in sizes.items() if kinds.get(r) == "Script"),
              "images": sorted(urls[r] for r in sizes if kinds.get(r) == "Image"),
              "uncompressed_text": sorted(urls[r] for r in sizes if kinds.get(r) in (
                  "Document", "Script", "Stylesheet") and encodings.get(r) not in ("br", "gzip")),
              "shift": shift, "page": page, "context": context}
    return result


@pytest.mark.parametrize("lang", ["zh", "en", "fr"])
def test_the_topic_page_first_view_on_a_phone_is_light(browser, live_server, lang):
    view = load_first_view(browser, f"{live_server}/{lang}/")
    page, context = view["page"], view["context"]
    try:
        assert view["total"] <= FIRST_VIEW_BUDGET, view
        assert view["script"] <= JS_BUDGET, view
        assert view["uncompressed_text"] == [], "HTML, CSS and JS are sent compressed"
        assert view["shift"] == 0, f"layout shift {view['shift']}"
        # Far below the fold nothing was fetched: the images of the cards wait for the scroll.
        # (Chromium starts lazy images up to 1,250-2,500 px ahead of the viewport, by network.)
        below = page.evaluate("""() => [...document.images]
            .filter((img) => img.getBoundingClientRect().top > innerHeight + 3000)
            .map((img) => img.currentSrc || img.src)""")
        assert below, "the topic page has images below the fold"
        fetched = set(view["images"])
        assert not fetched & set(below), "images far below the fold were loaded up front"
        # Every image reserves its box before it arrives (width and height), so none shifts.
        unsized = page.evaluate("""() => [...document.images]
            .filter((img) => !img.getAttribute('width') || !img.getAttribute('height'))
            .map((img) => img.src)""")
        assert unsized == []
    finally:
        context.close()


def test_scrolling_the_topic_page_loads_images_without_shifting_the_layout(browser, live_server):
    view = load_first_view(browser, f"{live_server}/en/")
    page, context = view["page"], view["context"]
    try:
        # Each step waits for two rendered frames (a state, not a time): the lazy loader has seen
        # that scroll position, however slow the machine. Then every image must have finished.
        page.evaluate("""async () => {
            const frame = () => new Promise((r) => requestAnimationFrame(() => r()));
            for (let y = 0; y < document.body.scrollHeight; y += innerHeight / 2) {
              scrollTo(0, y); await frame(); await frame();
            }}""")
        page.wait_for_load_state("networkidle")
        page.wait_for_function("() => [...document.images].every((i) => i.complete)")
        assert page.evaluate(COLLECT_SHIFTS) == 0
        broken = page.evaluate("() => [...document.images].filter((i) => !i.naturalWidth).length")
        assert broken == 0
    finally:
        context.close()
