"""The app in a real browser: Debian's chromium driven by Playwright, against the demo exhibition.

For every page a visitor can reach (topic page, panel pages, kiosk home and panels) these tests
check what only a browser can tell: no horizontal scroll, no console or page error, no request to
another host, no axe-core violation; then that every panel is reachable on each surface in each
language, and that the kiosk behaves as a public touch screen must.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.conftest import STATE_TIMEOUT_MS

pytestmark = pytest.mark.browser

LANGS = ("zh", "en", "fr")
HTML_LANG = {"zh": "zh-Hans"}
WEB_VIEWPORTS = {"phone": {"width": 390, "height": 844}, "pc": {"width": 1440, "height": 900}}
KIOSK_VIEWPORTS = {"landscape": {"width": 1920, "height": 1080},
                   "portrait": {"width": 1080, "height": 1920}}
PUBLIC_BASE_URL = "https://expo.example.org"  # tests/conftest.py
MIN_TARGET = 64  # CSS px: the smallest kiosk touch target
VIDEO_SLUG = "project-video"

# axe's "meta-viewport" rule (zooming must not be disabled) is set aside on the kiosk only. The
# kiosk is a closed, single-purpose screen: it forbids zoom on purpose (user-scalable=no, plus the
# gesture lock in lockdown.js), so that one visitor's pinch is not left for the next, and its text
# is already sized for reading standing up (at least 22 CSS px at 1080 px). Every other rule runs.
KIOSK_AXE_OPTIONS = {"resultTypes": ["violations"], "rules": {"meta-viewport": {"enabled": False}}}

AXE = Axe()


def html_lang(lang: str) -> str:
    return HTML_LANG.get(lang, lang)


# ---------------------------------------------------------------------------------------------
# Fixtures and helpers




@pytest.fixture(scope="session")
def api(live_server):
    """The published panels per language, as the kiosk receives them (fetched over HTTP)."""
    manifests = {}
    for lang in LANGS:
        url = f"{live_server}/api/v1/panels?lang={lang}"
        try:
            with urllib.request.urlopen(url, timeout=30) as response:
                manifests[lang] = json.load(response)
        except urllib.error.HTTPError as error:
            with error:
                pytest.fail(f"{url}: HTTP {error.code}: {error.read()[:500]!r}")
    return manifests


@dataclass
class Watch:
    """Everything a page did that a test may object to."""

    origin: str
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def attach(self, page) -> None:
        page.on("request", lambda request: self.requests.append(request.url))
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        page.on("response", self._response)

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"console error: {message.text} ({message.location.get('url')})")

    def _response(self, response) -> None:
        if response.status >= 400:
            self.errors.append(f"HTTP {response.status}: {response.url}")

    def external(self) -> list[str]:
        """Requests to any other host than the live server (data: and blob: URLs are local)."""
        return [url for url in self.requests
                if urlsplit(url).scheme not in ("data", "blob")
                and f"{urlsplit(url).scheme}://{urlsplit(url).netloc}" != self.origin]


@pytest.fixture()
def open_page(browser, live_server):
    """open_page(path, viewport, touch=False) → (page, watch); one browser context per test."""
    contexts = []

    def opener(path: str, viewport: dict, touch: bool = False):
        context = browser.new_context(viewport=viewport, device_scale_factor=1, has_touch=touch,
                                      service_workers="block")
        contexts.append(context)
        page = context.new_page()
        watch = Watch(live_server)
        watch.attach(page)
        page.goto(live_server + path, wait_until="load")
        return page, watch

    yield opener
    for context in contexts:
        context.close()


def open_kiosk(open_page, viewport: dict):
    page, watch = open_page("/kiosk/", viewport, touch=True)
    page.wait_for_selector("#kiosk-app[data-ready]")
    settle(page)
    return page, watch


def settle(page) -> None:
    """Wait until every image has loaded (or failed) and the fonts are ready."""
    page.wait_for_function("""async () => { await document.fonts.ready;
        return [...document.images].every(img => img.complete); }""")


def scroll_through(page) -> None:
    """Scroll to the bottom and back, so lazy images load (and may fail) before the checks."""
    page.evaluate("""async () => {
        for (let y = 0; y < document.documentElement.scrollHeight; y += 500) {
            window.scrollTo({top: y, behavior: 'instant'});
            await new Promise(r => requestAnimationFrame(r));
        }
        window.scrollTo({top: 0, behavior: 'instant'});
    }""")
    settle(page)


def horizontal_overflow(page) -> dict | None:
    """The widths if the page scrolls sideways (also inside the kiosk's scrolling view)."""
    widths = page.evaluate("""() => {
        const view = document.getElementById('k-view');
        return {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth,
                viewScrollWidth: view ? view.scrollWidth : 0,
                viewClientWidth: view ? view.clientWidth : 0};
    }""")
    if widths["scrollWidth"] > widths["innerWidth"] or \
            widths["viewScrollWidth"] > widths["viewClientWidth"]:
        widths["widest"] = page.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
            .slice(0, 8).map(e => `${e.tagName.toLowerCase()}.${e.className}`
                                  + ` right=${Math.round(e.getBoundingClientRect().right)}`)""")
        return widths
    return None


def assert_clean(page, watch: Watch, where: str, axe_options: dict | None = None) -> None:
    overflow = horizontal_overflow(page)
    assert overflow is None, f"{where}: scrolls sideways: {overflow}"
    assert not watch.errors, f"{where}: " + "\n".join(watch.errors)
    assert not watch.external(), f"{where}: requests to other hosts: {watch.external()}"
    results = AXE.run(page, options=axe_options) if axe_options else AXE.run(page)
    assert results.violations_count == 0, f"{where}: {results.generate_report()}"


def card_slugs(page, lang: str) -> list[str]:
    hrefs = page.eval_on_selector_all(".card h3 a[href]", "links => links.map(a => a.href)")
    pattern = re.compile(rf"/{lang}/panels/([^/]+)/$")
    slugs = []
    for href in hrefs:
        match = pattern.search(href)
        assert match, f"card link {href} is not a {lang} panel page"
        slugs.append(match.group(1))
    return slugs


def shown_slug(page) -> str | None:
    return page.evaluate(
        "() => document.querySelector('#k-view article[data-slug]')?.dataset.slug ?? null")


def wait_for_slug(page, slug: str) -> None:
    page.wait_for_function(
        "slug => document.querySelector('#k-view article[data-slug]')?.dataset.slug === slug",
        arg=slug)


def kiosk_show(page, slug: str | None) -> None:
    page.evaluate("slug => window.exhibitKiosk.show(slug)", slug)
    if slug:
        wait_for_slug(page, slug)


def kiosk_language(page, lang: str) -> None:
    page.locator(f".k-lang[data-lang='{lang}']").tap()
    page.wait_for_function("lang => document.documentElement.lang === lang", arg=html_lang(lang))
    page.wait_for_function("lang => window.exhibitKiosk.state.lang === lang", arg=lang)


def one_panel_per_kind(manifest: dict) -> list[str]:
    chosen: dict[str, str] = {}
    for panel in manifest["panels"]:
        chosen.setdefault(panel["kind"], panel["slug"])
    return list(chosen.values())


# ---------------------------------------------------------------------------------------------
# 1. The topic page and the panel pages, on a phone and a PC


@pytest.mark.parametrize("viewport", WEB_VIEWPORTS, ids=str)
@pytest.mark.parametrize("lang", LANGS)
def test_topic_page_is_clean(open_page, lang, viewport):
    page, watch = open_page(f"/{lang}/", WEB_VIEWPORTS[viewport])
    assert page.evaluate("document.documentElement.lang") == html_lang(lang)
    scroll_through(page)
    assert_clean(page, watch, f"/{lang}/ at {viewport}")


@pytest.mark.parametrize("viewport", WEB_VIEWPORTS, ids=str)
@pytest.mark.parametrize("lang", LANGS)
def test_panel_pages_are_clean(open_page, api, lang, viewport):
    """One panel of each kind (story, figures, timeline, case study, video, posters)."""
    slugs = one_panel_per_kind(api[lang])
    assert VIDEO_SLUG in slugs
    page = None
    for slug in slugs:
        if page is not None:
            page.close()
        page, watch = open_page(f"/{lang}/panels/{slug}/", WEB_VIEWPORTS[viewport])
        assert page.locator(f"article[aria-labelledby='t-{slug}']").count() == 1
        scroll_through(page)
        assert_clean(page, watch, f"/{lang}/panels/{slug}/ at {viewport}")


# ---------------------------------------------------------------------------------------------
# 2. The kiosk, landscape and portrait


def assert_targets_large_enough(page, where: str) -> None:
    # The layout box (offsetWidth/offsetHeight), not the painted one: a button just tapped is
    # drawn at 97 % while :active (kiosk.css), and a bounding box measured then is 62 px.
    sizes = page.evaluate("""() => [...document.querySelectorAll('.k-app button, .k-app summary')]
        .filter(e => e.offsetParent !== null && getComputedStyle(e).visibility !== 'hidden')
        .map(e => ({what: e.outerHTML.slice(0, 90), width: e.offsetWidth,
                    height: e.offsetHeight}))""")
    assert sizes, f"{where}: no buttons"
    small = [s for s in sizes if s["width"] < MIN_TARGET or s["height"] < MIN_TARGET]
    assert not small, f"{where}: touch targets under {MIN_TARGET}×{MIN_TARGET} px: {small}"


@pytest.mark.parametrize("viewport", KIOSK_VIEWPORTS)
def test_kiosk_home_is_clean(open_page, viewport):
    page, watch = open_kiosk(open_page, KIOSK_VIEWPORTS[viewport])
    assert page.locator(".k-section").count() > 0
    assert_clean(page, watch, f"kiosk home at {viewport}", KIOSK_AXE_OPTIONS)
    assert_targets_large_enough(page, f"kiosk home at {viewport}")


@pytest.mark.parametrize("viewport", KIOSK_VIEWPORTS)
def test_kiosk_panels_are_clean(open_page, api, viewport):
    """Every panel in the kiosk's default language, and one of each kind in the others."""
    page, watch = open_kiosk(open_page, KIOSK_VIEWPORTS[viewport])
    for lang in LANGS:
        if lang != page.evaluate("window.exhibitKiosk.state.lang"):
            kiosk_language(page, lang)
        default = lang == page.evaluate("window.exhibitKiosk.settings.defaultLanguage")
        slugs = ([p["slug"] for p in api[lang]["panels"]] if default
                 else one_panel_per_kind(api[lang]))
        for slug in slugs:
            kiosk_show(page, slug)
            settle(page)
            where = f"kiosk {lang} panel {slug} at {viewport}"
            assert_clean(page, watch, where, KIOSK_AXE_OPTIONS)
            assert_targets_large_enough(page, where)


@pytest.mark.parametrize("viewport", KIOSK_VIEWPORTS)
def test_kiosk_feedback_is_clean(open_page, api, viewport):
    """The questionnaire screen, opened from the home screen, in every language."""
    assert api["zh"].get("questionnaire_html"), "the demo exhibition has a questionnaire"
    page, watch = open_kiosk(open_page, KIOSK_VIEWPORTS[viewport])
    for lang in LANGS:
        if lang != page.evaluate("window.exhibitKiosk.state.lang"):
            kiosk_language(page, lang)
        page.locator(".k-feedback-open").tap()
        page.wait_for_selector("#kiosk-app[data-view='feedback'] #k-view [data-questionnaire]")
        where = f"kiosk {lang} questionnaire at {viewport}"
        assert_clean(page, watch, where, KIOSK_AXE_OPTIONS)
        assert_targets_large_enough(page, where)
        page.locator("[data-action='home']").tap()
        page.wait_for_selector("#kiosk-app[data-view='home'] .k-feedback-open")


@pytest.mark.parametrize("viewport", WEB_VIEWPORTS, ids=str)
def test_feedback_pages_are_clean(open_page, api, viewport):
    assert api["zh"].get("questionnaire_html"), "the demo exhibition has a questionnaire"
    for lang in LANGS:
        page, watch = open_page(f"/{lang}/feedback/", WEB_VIEWPORTS[viewport])
        assert page.locator("[data-questionnaire]").count() == 1
        assert_clean(page, watch, f"/{lang}/feedback/ at {viewport}")
        page.close()
        # Where the form leads without script: the thank-you page.
        page, watch = open_page(f"/{lang}/feedback/thanks/", WEB_VIEWPORTS[viewport])
        assert page.locator(f"main a[href='/{lang}/']").count() == 1
        assert_clean(page, watch, f"/{lang}/feedback/thanks/ at {viewport}")
        page.close()


# ---------------------------------------------------------------------------------------------
# 3. Every panel is reachable, in every language, on the web and in the kiosk


@pytest.mark.parametrize("lang", LANGS)
def test_topic_page_links_every_panel(open_page, api, lang):
    page, watch = open_page(f"/{lang}/", WEB_VIEWPORTS["pc"])
    slugs = card_slugs(page, lang)
    expected = [p["slug"] for p in api[lang]["panels"]]
    assert len(slugs) == len(set(slugs)), f"a panel has two cards: {slugs}"
    assert set(slugs) == set(expected)
    assert slugs == expected, "the cards are not in the exhibition's order"


def test_kiosk_reaches_every_panel_in_every_language(open_page, api):
    page, watch = open_kiosk(open_page, KIOSK_VIEWPORTS["landscape"])
    for lang in LANGS:
        if shown_slug(page):
            page.locator("[data-action='home']").tap()
        page.wait_for_selector(".k-home-screen")
        kiosk_language(page, lang)
        expected = [p["slug"] for p in api[lang]["panels"]]

        # Each tile opens the first panel of its section.
        tiles = page.eval_on_selector_all(".k-section", "tiles => tiles.map(t => t.dataset.slug)")
        firsts = [next(p["slug"] for p in api[lang]["panels"] if p["section"] == s["id"])
                  for s in api[lang]["sections"]
                  if any(p["section"] == s["id"] for p in api[lang]["panels"])]
        assert tiles == firsts, f"{lang}: section tiles {tiles}"

        page.locator(".k-section").first.tap()
        wait_for_slug(page, expected[0])
        seen = [shown_slug(page)]
        next_button = page.locator(".k-next")
        while next_button.is_enabled():
            next_button.tap()
            page.wait_for_function(
                "n => window.exhibitKiosk.state.slug !== n "
                "&& document.querySelector('#k-view article[data-slug]')?.dataset.slug"
                " === window.exhibitKiosk.state.slug", arg=seen[-1])
            seen.append(shown_slug(page))
            assert len(seen) <= len(expected), f"{lang}: Next goes on past the end: {seen}"
        assert seen == expected, f"{lang}: the kiosk shows {seen}"
        assert page.locator(f"#k-view article[lang='{html_lang(lang)}']").count() == 1
    assert not watch.errors, "\n".join(watch.errors)


# ---------------------------------------------------------------------------------------------
# 4. The kiosk as a public touch screen


def test_kiosk_language_switch_keeps_the_panel(open_page, api):
    page, watch = open_kiosk(open_page, KIOSK_VIEWPORTS["landscape"])
    slug = api["zh"]["panels"][3]["slug"]
    kiosk_show(page, slug)
    events = page.evaluate_handle("""() => { const seen = [];
        document.addEventListener('kiosk:language', e => seen.push(e.detail)); return seen; }""")
    for lang in ("en", "fr", "zh", "fr"):
        kiosk_language(page, lang)
        wait_for_slug(page, slug)
        assert page.evaluate("window.exhibitKiosk.state.slug") == slug
        title = page.locator("#k-view .k-panel-title").inner_text()
        wanted = next(p["title"] for p in api[lang]["panels"] if p["slug"] == slug)
        assert title == wanted
        assert page.locator(f"#k-view article[lang='{html_lang(lang)}']").count() == 1
        pressed = page.eval_on_selector_all(
            ".k-lang[aria-pressed='true']", "bs => bs.map(b => b.dataset.lang)")
        assert pressed == [lang]
    assert [e["slug"] for e in events.json_value()] == [slug] * 4
    assert not watch.errors, "\n".join(watch.errors)


def test_kiosk_swipe_moves_between_panels(open_page, api):
    page, watch = open_kiosk(open_page, KIOSK_VIEWPORTS["landscape"])
    panels = [p["slug"] for p in api["zh"]["panels"]]
    kiosk_show(page, panels[1])
    box = page.locator("#k-view").bounding_box()
    y = box["y"] + box["height"] / 2

    def drag(x0: float, x1: float) -> None:
        page.mouse.move(x0, y)
        page.mouse.down()
        page.mouse.move((x0 + x1) / 2, y, steps=5)
        page.mouse.move(x1, y, steps=5)
        page.mouse.up()

    centre = box["x"] + box["width"] / 2
    drag(centre + 150, centre - 150)  # to the left: the next panel
    wait_for_slug(page, panels[2])
    drag(centre - 150, centre + 150)  # to the right: back
    wait_for_slug(page, panels[1])
    page.mouse.move(centre, y)  # a short drag is not a swipe
    page.mouse.down()
    page.mouse.move(centre - 30, y, steps=3)
    page.mouse.up()
    page.wait_for_timeout(200)
    assert shown_slug(page) == panels[1]
    assert not watch.errors, "\n".join(watch.errors)


def test_kiosk_blocks_menus_selection_and_links_out(open_page, api):
    page, watch = open_kiosk(open_page, KIOSK_VIEWPORTS["portrait"])
    kiosk_show(page, api["zh"]["panels"][0]["slug"])
    prevented = page.evaluate("""() => {
        const target = document.querySelector('#k-view .prose p') || document.body;
        const menu = new MouseEvent('contextmenu', {bubbles: true, cancelable: true, button: 2});
        target.dispatchEvent(menu);
        const select = new Event('selectstart', {bubbles: true, cancelable: true});
        target.dispatchEvent(select);
        const drag = new DragEvent('dragstart', {bubbles: true, cancelable: true});
        (document.querySelector('#k-view img') || target).dispatchEvent(drag);
        return {menu: menu.defaultPrevented, select: select.defaultPrevented,
                drag: drag.defaultPrevented};
    }""")
    assert prevented == {"menu": True, "select": True, "drag": True}
    live_origin = page.evaluate("location.origin")
    assert page.evaluate("getComputedStyle(document.body).userSelect") == "none"

    # No link out of the kiosk, in any panel, in any language.
    for lang in LANGS:
        if lang != page.evaluate("window.exhibitKiosk.state.lang"):
            kiosk_language(page, lang)
        for panel in api[lang]["panels"]:
            kiosk_show(page, panel["slug"])
            links = page.eval_on_selector_all(
                "#kiosk-app a[href]", """links => links.map(a => ({raw: a.getAttribute('href'),
                    origin: new URL(a.href).origin}))""")
            outbound = [link["raw"] for link in links
                        if link["origin"] != live_origin or re.match(r"(?i)https?:", link["raw"])]
            assert not outbound, f"{lang} {panel['slug']}: links out of the kiosk: {outbound}"
    assert not watch.errors, "\n".join(watch.errors)


def test_kiosk_video_has_captions_and_plays(open_page):
    page, watch = open_kiosk(open_page, KIOSK_VIEWPORTS["landscape"])
    kiosk_show(page, VIDEO_SLUG)
    for lang in ("en", "fr", "zh"):
        kiosk_language(page, lang)
        wait_for_slug(page, VIDEO_SLUG)
        tracks = page.eval_on_selector_all(
            "#k-view video track",
            """ts => ts.map(t => ({kind: t.kind, srclang: t.srclang, src: t.src,
                                   default: t.default}))""")
        assert sorted(t["srclang"] for t in tracks) == sorted(html_lang(x) for x in LANGS), tracks
        assert all(t["kind"] == "captions" and t["src"] for t in tracks), tracks
        assert [t["srclang"] for t in tracks if t["default"]] == [html_lang(lang)], tracks

    page.evaluate("""() => { const video = document.querySelector('#k-view video');
        video.muted = true;
        video.play().catch(error => { window.__playError = String(error); }); }""")
    page.wait_for_function("""() => window.__playError
        || document.querySelector('#k-view video').currentTime > 0.5""", timeout=STATE_TIMEOUT_MS)
    assert page.evaluate("window.__playError ?? null") is None
    # The current language's captions are the ones showing.
    page.wait_for_function("""lang => [...document.querySelector('#k-view video').textTracks]
        .some(t => t.language === lang && t.mode === 'showing')""", arg=html_lang("zh"))
    assert not watch.errors, "\n".join(watch.errors)
    assert not watch.external(), watch.external()


# ---------------------------------------------------------------------------------------------
# 5. The web panel page in the other languages


@pytest.mark.parametrize("lang", LANGS)
def test_panel_page_links_to_itself_in_other_languages(open_page, api, lang):
    slug = api[lang]["panels"][2]["slug"]
    path = f"/{lang}/panels/{slug}/"
    page, watch = open_page(path, WEB_VIEWPORTS["phone"])

    switch = page.eval_on_selector_all(
        ".lang-switch a", """links => links.map(a => ({href: new URL(a.href).pathname,
            hreflang: a.hreflang, lang: a.lang, current: a.getAttribute('aria-current')}))""")
    assert [s["href"] for s in switch] == [f"/{x}/panels/{slug}/" for x in LANGS]
    assert [s["hreflang"] for s in switch] == [html_lang(x) for x in LANGS]
    assert [s["lang"] for s in switch] == [html_lang(x) for x in LANGS]
    assert [s["current"] for s in switch] == [("true" if x == lang else None) for x in LANGS]

    alternates = dict(page.eval_on_selector_all(
        "head link[rel='alternate'][hreflang]", "ls => ls.map(l => [l.hreflang, l.href])"))
    expected = {html_lang(x): f"{PUBLIC_BASE_URL}/{x}/panels/{slug}/" for x in LANGS}
    expected["x-default"] = f"{PUBLIC_BASE_URL}/{LANGS[0]}/panels/{slug}/"
    assert alternates == expected
    canonical = page.get_attribute("head link[rel='canonical']", "href")
    assert canonical == f"{PUBLIC_BASE_URL}{path}"

    # Following the switch lands on the same panel, in the other language.
    for other in LANGS:
        if other == lang:
            continue
        page.locator(f".lang-switch a[hreflang='{html_lang(other)}']").click()
        page.wait_for_url(f"**/{other}/panels/{slug}/")
        assert page.evaluate("document.documentElement.lang") == html_lang(other)
        title = next(p["title"] for p in api[other]["panels"] if p["slug"] == slug)
        assert page.locator(f"#t-{slug}").inner_text() == title
        page.go_back()
        page.wait_for_url(f"**{path}")
    assert not watch.errors, "\n".join(watch.errors)
    assert not watch.external(), watch.external()
