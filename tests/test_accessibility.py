"""Accessibility to WCAG 2.2 AA, proved in a real browser (Debian's chromium through Playwright).

tests/test_browser.py already runs axe-core on the topic page, a panel of each kind, the
questionnaire and the kiosk (home, panels, questionnaire) in every language, on a phone and a PC,
landscape and portrait. This file runs axe on every other page type in every language: the 404
page, the root of a frozen copy, the kiosk's operator screen and the whole staff area (sign-in,
dashboard, exports, channel figures, photos, report, review, in each staff language, signed in as
an admin and as a reviewer). Then what axe cannot see:

- keyboard-only use: the skip link comes first and moves focus to the content, every link and
  button is reached in reading order, focus is always visible (with contrast) and never hidden
  under the sticky header, no focus trap; signing in, exporting and approving with keys alone;
- captions on every video, in every exhibition language, that load and parse;
- prefers-reduced-motion: no animation, transition or smooth scrolling, no autoplay, and the
  kiosk's attract loop changes its slides without motion (see test_attract_loop_...).

Every test here shares one server (a copy of the demo, published, then one panel edited so a new
version waits for review) and the session's browser.
"""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import re
import shutil
import threading
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from exhibit.auth.accounts import create_account
from exhibit.visits import store
from tests.conftest import STATE_TIMEOUT_MS

from .conftest import ROOT, make_app, publish
from .live import serve
from .test_browser import (
    KIOSK_AXE_OPTIONS,
    KIOSK_VIEWPORTS,
    LANGS,
    WEB_VIEWPORTS,
    Watch,
    assert_clean,
    html_lang,
    kiosk_language,
    kiosk_show,
    one_panel_per_kind,
    settle,
)
from .test_staff import PASSWORD

pytestmark = pytest.mark.browser

EDITED = "mercury-flows"  # the panel whose new version waits for review (a figure panel)
EDITED_FILE = "04-mercury-flows/text.en.md"
ADDED = "A sentence added after publication, waiting for review."
ADMIN, REVIEWER, KEYBOARD_REVIEWER = "ada", "una", "fei"
OPERATOR_PIN = "2468"  # tests/kiosks.yaml, kiosk "operator-test"
ATTRACT_KIOSK = "attract-test"
SLIDE_MS = 6000  # exhibit/static/js/kiosk/attract.js
PC = WEB_VIEWPORTS["pc"]


# ---------------------------------------------------------------------------------------------
# The server, and helpers


@dataclass
class Site:
    url: str
    app: object
    folder: Path
    manifests: dict = field(default_factory=dict)


def _seed_visits(app) -> None:
    """Some visits, channel reads and answers, so the dashboard and report show charts and tables."""
    day = dt.date.today()
    at = dt.datetime.combine(day, dt.time(9), tzinfo=dt.UTC)

    def row(**values):
        base = {"id": str(uuid.uuid4()), "kind": "page_view", "surface": "web", "lang": "zh",
                "panel": EDITED, "kiosk_id": None, "session_id": None, "channel": "wechat",
                "dwell_ms": None, "visitor": "v1", "data": None, "occurred_at": at,
                "received_at": at, "day": day}
        return base | values

    rows = [row(lang=lang, visitor=f"v{i}") for i, lang in enumerate(LANGS * 3)]
    session = str(uuid.uuid4())
    rows += [row(kind="session_start", surface="kiosk", channel=None, kiosk_id="hall-1",
                 session_id=session, visitor=None),
             row(kind="panel_view", surface="kiosk", channel=None, kiosk_id="hall-1",
                 session_id=session, visitor=None, dwell_ms=12_000),
             row(kind="feedback_answer", surface="kiosk", channel=None, kiosk_id="hall-1",
                 session_id=session, visitor=None, data='{"question": "useful", "answer": "4"}')]
    store.record_events(app.extensions["exhibit.db"], rows)


@pytest.fixture(scope="module")
def site(tmp_path_factory, media_cache):
    """A copy of the demo on a live server: published, then one panel edited (a new version waits
    for both organisations), with an admin, two reviewers and some visits on record."""
    folder = tmp_path_factory.mktemp("a11y")
    shutil.copytree(ROOT / "panels", folder / "panels")
    (folder / "media").symlink_to(ROOT / "media")
    # The suite's kiosks, and one with the attract loop on (and no idle reset in its way).
    kiosks = folder / "kiosks.yaml"
    kiosks.write_text((Path(__file__).parent / "kiosks.yaml").read_text(encoding="utf-8")
                      + f"  {ATTRACT_KIOSK}:\n    attract: true\n", encoding="utf-8")
    # Several sign-ins from one address: more than a person would make in 15 minutes.
    app = make_app(folder / "panels", media_cache, KIOSK_CONFIG=str(kiosks),
                   LOGIN_RATE_LIMIT="1000 per minute")
    app.instance_path = str(folder / "instance")
    publish(app)
    text = folder / "panels" / EDITED_FILE
    text.write_text(text.read_text(encoding="utf-8") + f"\n{ADDED}\n", encoding="utf-8")
    assert app.extensions["exhibit.content"].refresh()
    engine = app.extensions["exhibit.db"]
    create_account(engine, ADMIN, PASSWORD, "admin", None)
    create_account(engine, REVIEWER, PASSWORD, "reviewer", "unido")
    create_account(engine, KEYBOARD_REVIEWER, PASSWORD, "reviewer", "feco")
    _seed_visits(app)
    client = app.test_client()
    manifests = {lang: client.get(f"/api/v1/panels?lang={lang}").get_json() for lang in LANGS}
    with serve(app) as url:
        yield Site(url, app, folder, manifests)
    engine.dispose()


class Findings(list):
    """Problems from many pages, reported together (one failing page must not hide the next)."""

    def check(self, page, watch: Watch, where: str, axe_options: dict | None = None) -> None:
        try:
            assert_clean(page, watch, where, axe_options)
        except AssertionError as error:
            self.append(str(error))
        watch.errors.clear()

    def assert_none(self) -> None:
        assert not self, f"{len(self)} page(s) with problems:\n\n" + "\n\n".join(self)


def expect_status(watch: Watch, status: int) -> None:
    """The page was meant to answer with this status (a 404, a refused sign-in): not an error."""
    expected = (f"HTTP {status}: ", f"console error: Failed to load resource: the server responded "
                                  f"with a status of {status} ")
    watch.errors[:] = [e for e in watch.errors if not e.startswith(expected)]


@pytest.fixture()
def new_page(browser, site):
    """new_page(viewport=PC, **context_options) → (page, watch); contexts closed after the test."""
    contexts = []

    def opener(viewport: dict = PC, **options):
        context = browser.new_context(viewport=viewport, device_scale_factor=1,
                                      service_workers="block", **options)
        # A loaded 2-core CI machine once took over 30 s for one step: wait longer, not forever.
        context.set_default_timeout(STATE_TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        watch = Watch(site.url)
        watch.attach(page)
        return page, watch

    yield opener
    for context in contexts:
        context.close()


def sign_in(page, site: Site, name: str, lang: str = "en") -> None:
    page.goto(f"{site.url}/staff/login?lang={lang}")
    page.fill("#name", name)
    page.fill("#password", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(re.compile(r".*/staff/(\?.*)?$"))


def staff_language(page, lang: str) -> None:
    """The staff area follows the browser's language (exhibit.auth.args.set_staff_language)."""
    page.context.set_extra_http_headers({"Accept-Language": f"{lang},en;q=0.5"})


def check_with_frames(findings: Findings, page, watch: Watch, where: str, new_page) -> None:
    """axe on the page, then on every preview it frames.

    The previews are frames with `sandbox=""`: no script runs in them, not even axe's timers (a
    `Frame.evaluate` of axe.run there never settles), and the page cannot look into them. So each
    framed document is opened on its own, signed in as the same person, with the preview's CSP
    `sandbox` set aside (`bypass_csp`) so that axe can run in it: the same HTML the frame shows.
    """
    sources = page.eval_on_selector_all("iframe[src]", "frames => frames.map(f => f.src)")
    findings.check(page, watch, where)
    if not sources:
        return
    preview, preview_watch = new_page(page.viewport_size, bypass_csp=True)
    preview.context.add_cookies(page.context.cookies())
    for index, source in enumerate(sources):
        response = preview.goto(source)
        assert response.status == 200, source
        findings.check(preview, preview_watch, f"{where}, frame {index + 1} ({source})",
                       KIOSK_AXE_OPTIONS if "/kiosk/" in source else None)


# ---------------------------------------------------------------------------------------------
# 1. axe-core on the page types tests/test_browser.py does not open


@pytest.mark.parametrize("lang", LANGS)
def test_the_404_page_is_clean(new_page, site, lang):
    findings = Findings()
    for name, viewport in WEB_VIEWPORTS.items():
        page, watch = new_page(viewport)
        response = page.goto(f"{site.url}/{lang}/panels/no-such-panel/")
        assert response.status == 404
        assert page.evaluate("document.documentElement.lang") == html_lang(lang)
        expect_status(watch, 404)
        findings.check(page, watch, f"/{lang}/ 404 at {name}")
    findings.assert_none()


@pytest.fixture(scope="module")
def frozen(site, tmp_path_factory):
    """The site frozen by `exhibit freeze`, served as static files (as a CDN would)."""
    from exhibit.web.freeze import freeze

    out = tmp_path_factory.mktemp("frozen") / "site"
    freeze(site.app, out)
    handler = functools.partial(_QuietFiles, directory=str(out))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join()


class _QuietFiles(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, ".vtt": "text/vtt"}

    def log_message(self, *args) -> None:  # the test output is not a server log
        pass


def test_the_root_of_a_frozen_copy_is_clean(browser, frozen):
    """The language choice, in each language's browser; its script then sends each visitor to
    their own topic page. (axe runs on the choice as it shows without the script: a page with
    script turned off cannot be inspected by axe, which is a script.)"""
    findings = Findings()
    for lang in LANGS:
        context = browser.new_context(viewport=WEB_VIEWPORTS["phone"], locale=html_lang(lang))
        page = context.new_page()
        watch = Watch(frozen)
        watch.attach(page)
        page.route("**/choose-language.js", lambda route: route.fulfill(
            body="", content_type="text/javascript"))
        page.goto(frozen + "/")
        findings.check(page, watch, f"frozen root ({lang} browser)")
        page.unroute("**/choose-language.js")
        page.goto(frozen + "/")
        page.wait_for_url(f"{frozen}/{lang}/")
        context.close()
    findings.assert_none()


def test_the_kiosk_operator_screen_is_clean(new_page, site):
    page, watch = new_page(KIOSK_VIEWPORTS["landscape"], has_touch=True)
    page.goto(f"{site.url}/kiosk/?kiosk=operator-test")
    page.wait_for_selector("#kiosk-app[data-ready]")
    findings = Findings()
    for lang in LANGS:
        if lang != page.evaluate("window.exhibitKiosk.state.lang"):
            kiosk_language(page, lang)
        for _ in range(5):
            page.mouse.click(20, 20)
        page.wait_for_selector("#k-pin:not([hidden])")
        findings.check(page, watch, f"kiosk {lang} PIN pad", KIOSK_AXE_OPTIONS)
        for key in OPERATOR_PIN:
            page.click(f"#k-pin button[data-key='{key}']")
        page.click("#k-pin button[data-key=ok]")
        page.wait_for_selector("#k-operator:not([hidden]) [data-status] dt")
        findings.check(page, watch, f"kiosk {lang} operator screen", KIOSK_AXE_OPTIONS)
        page.click("#k-operator button[data-op=close]")
        page.wait_for_selector("#k-operator", state="hidden")
    findings.assert_none()


def _staff_nav_pages(page, site: Site) -> list[str]:
    """Every page the staff menu offers (so a page added later is checked too)."""
    hrefs = page.eval_on_selector_all(".staff-nav a[href]", "as => as.map(a => a.href)")
    return [h.removeprefix(site.url) for h in hrefs if h.startswith(site.url + "/staff/")]


@pytest.mark.parametrize("lang", LANGS)
def test_the_staff_area_is_clean(new_page, site, lang):
    """Signed out (sign-in page, with and without an error), then every page an admin reaches,
    then the review screens of a reviewer who has a version to decide on."""
    findings = Findings()
    page, watch = new_page(extra_http_headers={"Accept-Language": lang})
    response = page.goto(f"{site.url}/staff/login")
    assert page.evaluate("document.documentElement.lang") == html_lang(lang)
    findings.check(page, watch, f"staff {lang}: sign-in")
    page.fill("#name", ADMIN)
    page.fill("#password", "not the password")
    with page.expect_navigation():
        page.click("form.stack button[type=submit]")
    assert page.locator(".form-error").count() == 1
    expect_status(watch, 401)
    findings.check(page, watch, f"staff {lang}: sign-in with an error")

    sign_in(page, site, ADMIN, lang)
    staff_language(page, lang)
    _upload_a_photo(page, site)
    pages = ["/staff/", "/staff/exports", "/staff/channels", "/staff/photos", "/staff/report",
             "/staff/review/"]
    pages += [p for p in _staff_nav_pages(page, site) if p not in pages]
    for path in pages:
        response = page.goto(site.url + path)
        assert response.status == 200, path
        assert page.evaluate("document.documentElement.lang") == html_lang(lang), path
        settle(page)
        findings.check(page, watch, f"staff {lang} (admin): {path}")
    page.goto(f"{site.url}/staff/channels")
    page.fill("#reads", "10000000000000")  # more than any platform: the server refuses it
    page.fill("#date", "2026-11-20")
    page.fill("#source", "WeChat back office")
    with page.expect_navigation():
        page.click("form.stack button[type=submit] >> nth=0")
    assert page.locator(".form-error").count() == 1
    expect_status(watch, 400)
    findings.check(page, watch, f"staff {lang} (admin): channel figures with an error")

    page, watch = new_page()
    sign_in(page, site, REVIEWER, lang)
    staff_language(page, lang)
    page.goto(f"{site.url}/staff/review/")
    findings.check(page, watch, f"staff {lang} (reviewer): review list")
    page.goto(f"{site.url}/staff/review/{EDITED}/")
    assert page.locator("button[name=action][value=approve]").count() == 1
    assert page.locator("details.diff ins", has_text=ADDED).count() == 1
    check_with_frames(findings, page, watch, f"staff {lang} (reviewer): review of {EDITED}",
                      new_page)
    response = page.goto(f"{site.url}/staff/exports")  # not for a reviewer: the 403 page
    assert response.status == 403
    expect_status(watch, 403)
    findings.check(page, watch, f"staff {lang} (reviewer): 403 page")
    findings.assert_none()


_PHOTO_LOCK = threading.Lock()


def _upload_a_photo(page, site: Site) -> None:
    """One photo on record (uploaded through the page), so the photo list is not empty."""
    from io import BytesIO

    from PIL import Image

    with _PHOTO_LOCK:
        page.goto(f"{site.url}/staff/photos")
        if page.locator(".photo-grid img").count():
            return
        image = BytesIO()
        Image.new("RGB", (640, 480), (46, 157, 91)).save(image, "JPEG")
        page.set_input_files("#photo", files=[{"name": "hall.jpg", "mimeType": "image/jpeg",
                                               "buffer": image.getvalue()}])
        page.fill("#caption", "The exhibition hall on the opening day")
        with page.expect_navigation():
            page.click("form.stack button[type=submit]")
        assert page.locator(".photo-grid img").count() == 1


# ---------------------------------------------------------------------------------------------
# 2. Keyboard only

# What the focused element is, where its focus indicator is drawn and how it contrasts with what
# it is drawn on, and whether anything covers it (WCAG 2.4.7 Focus Visible, 1.4.11 Non-text
# Contrast, 2.4.11 Focus Not Obscured). Looks into same-origin frames.
FOCUS_STATE = r"""async () => {
  // Focus scrolls the page and the boxes round the element (smoothly, unless reduced motion is
  // asked for): wait until the element stops moving.
  const deepest = () => { let e = document.activeElement;
    while (e && e.tagName === 'IFRAME' && e.contentDocument) e = e.contentDocument.activeElement;
    return e; };
  const where = () => { const r = deepest()?.getBoundingClientRect(); return r ? `${r.x},${r.y}` : ''; };
  // On a busy machine the compositor can stall a smooth scroll for a few frames: "still" alone is
  // not the state to wait for. Wait until the element is still AND inside the window (where the
  // browser scrolls a focused element to), or, for one that never gets there, until a deadline far
  // beyond any scroll (then the checks below report where it is).
  const inView = () => { const e = deepest();
    if (!e || e.ownerDocument !== document) return true;
    const r = e.getBoundingClientRect();
    return r.bottom > 0 && r.top < window.innerHeight; };
  const deadline = performance.now() + 15000;
  for (let still = 0, at = where(); (still < 3 || !inView()) && performance.now() < deadline;) {
    await new Promise(r => requestAnimationFrame(r));
    still = where() === at ? still + 1 : 0;
    at = where();
  }
  let doc = document, el = document.activeElement, frames = [];
  while (el && el.tagName === 'IFRAME' && el.contentDocument) {
    frames.push(el); doc = el.contentDocument; el = doc.activeElement;
  }
  if (!el || el === doc.body || el === doc.documentElement) return null;
  if (el.tagName === 'IFRAME') {
    // A sandboxed preview (an opaque origin): focus is on a link inside it, which this page
    // cannot see; the frame's document draws its own ring.
    return {key: 'sandboxed:' + [...doc.querySelectorAll('*')].indexOf(el),
            what: `(in the sandboxed frame "${el.title}")`, frame: true, tag: 'iframe',
            id: el.id, href: null, indicator: 'inside the sandboxed frame', contrast: 3};
  }
  const view = doc.defaultView;
  const parse = text => [...(text || '').matchAll(/rgba?\(([^)]+)\)/g)].map(m => {
    const [r, g, b, a = 1] = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return [r, g, b, a];
  });
  const over = ([r, g, b, a], [R, G, B]) =>
    [r * a + R * (1 - a), g * a + G * (1 - a), b * a + B * (1 - a)];
  const linear = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
  const lum = c => c.slice(0, 3).map(linear)
                     .reduce((s, v, i) => s + v * [0.2126, 0.7152, 0.0722][i], 0);
  const ratio = (a, b) => {
    const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
    return (x + 0.05) / (y + 0.05);
  };
  // The element drawing the indicator: the focused one, or an ancestor ringed by :focus-within.
  let drawer = null, node = el;
  for (let up = 0; node && up < 4 && !drawer; up += 1, node = node.parentElement) {
    const cs = view.getComputedStyle(node);
    // 'auto' is the browser's own ring (two colours in Chromium, made to show on any background).
    const outline = cs.outlineStyle === 'auto'
      || (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2);
    if (outline || (node === el && cs.boxShadow !== 'none')) drawer = node;
  }
  const describe = e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    (e.className && typeof e.className === 'string' ? '.' + e.className.trim().split(/\s+/).join('.') : '') +
    (e.getAttribute('href') ? `[href="${e.getAttribute('href')}"]` : '') +
    ` "${(e.innerText || e.value || e.getAttribute('aria-label') || '').trim().slice(0, 40)}"`;
  const all = [...doc.querySelectorAll('*')];
  const state = {key: frames.map(f => all.indexOf(f)).join('/') + ':' + all.indexOf(el),
                 what: (frames.length ? '(in a frame) ' : '') + describe(el), frame: frames.length > 0,
                 tag: el.tagName.toLowerCase(), id: el.id, href: el.getAttribute('href')};
  const rect = el.getBoundingClientRect();
  if (!frames.length) {
    // 2.4.11 (AA): not entirely hidden. Its centre and four corners, one of them must show it.
    // (Chromium does not scroll a half-visible link into a sideways-scrolling bar: AA allows it.)
    const points = [[.5, .5], [.1, .1], [.9, .1], [.1, .9], [.9, .9]].map(
      ([u, v]) => [rect.left + rect.width * u, rect.top + rect.height * v]);
    const hits = points.map(([x, y]) => doc.elementFromPoint(x, y));
    const shows = hits.some(hit => hit && (hit === el || el.contains(hit) || hit.contains(el)));
    const [[x, y]] = points;
    state.covered = shows ? null : hits[0] ? describe(hits[0])
      : `outside the viewport (${Math.round(x)}, ${Math.round(y)} in ${innerWidth}×${innerHeight})`;
  }
  if (!drawer) { state.indicator = null; return state; }
  const cs = view.getComputedStyle(drawer);
  if (cs.outlineStyle === 'auto') {
    state.indicator = 'the browser default'; state.contrast = 3; return state;
  }
  const marks = [...(cs.outlineStyle !== 'none' ? parse(cs.outlineColor) : []), ...parse(cs.boxShadow)]
    .filter(c => c[3] > 0);
  // What the ring is drawn on: behind the drawer (inside it when the offset is negative).
  let layers = [], base = null;
  const start = parseFloat(cs.outlineOffset) < 0 ? drawer : drawer.parentElement;
  for (let n = start; n && !base; n = n.parentElement) {
    const ns = view.getComputedStyle(n);
    const stops = ns.backgroundImage.includes('gradient') ? parse(ns.backgroundImage) : [];
    const [colour] = parse(ns.backgroundColor);
    if (stops.length) base = stops;
    else if (colour && colour[3] >= 1) base = [colour];
    else if (colour && colour[3] > 0) layers.push(colour);
  }
  const backgrounds = (base || [[255, 255, 255, 1]]).map(
    c => layers.reduceRight((acc, l) => over(l, acc), over(c, [255, 255, 255])));
  // The indicator is visible when one of its colours stands out (3:1) against every background.
  state.contrast = Math.max(0, ...marks.map(
    m => Math.min(...backgrounds.map(b => ratio(over(m, b), b)))));
  state.indicator = describe(drawer) + ` outline ${cs.outlineStyle} ${cs.outlineWidth} `
    + `${cs.outlineColor}; box-shadow ${cs.boxShadow}; `
    + `on ${JSON.stringify(backgrounds.map(b => b.map(Math.round)))}`;
  return state;
}"""

FOCUSABLE = r"""() => [...document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, iframe, [tabindex]')]
  .filter(e => e.tabIndex >= 0 && !e.disabled && e.getClientRects().length
               && getComputedStyle(e).visibility !== 'hidden')
  .map(e => [...document.querySelectorAll('*')].indexOf(e))"""


def focus_problems(state: dict | None) -> list[str]:
    """What is wrong with how the focused element shows its focus."""
    if state is None:
        return []
    problems = []
    if state.get("indicator") is None:
        problems.append(f"{state['what']}: no visible focus indicator")
    elif state["contrast"] < 3:
        problems.append(f"{state['what']}: focus indicator contrast {state['contrast']:.2f} < 3 "
                        f"({state['indicator']})")
    if state.get("covered"):
        problems.append(f"{state['what']}: hidden by {state['covered']} when focused")
    return problems


def tab_through(page, *, backwards: bool = False, limit: int = 400) -> tuple[list[dict], list[str]]:
    """Press Tab (or Shift+Tab) until focus comes round again; every stop and its problems.
    Fails if focus never comes round: a trap (or a page with more than `limit` stops)."""
    key = "Shift+Tab" if backwards else "Tab"
    stops: list[dict] = []
    problems: list[str] = []
    seen: set[str] = set()
    for _ in range(limit):
        page.keyboard.press(key)
        state = page.evaluate(FOCUS_STATE)
        if state is None:  # on the document itself: past the last stop
            if stops:
                return stops, problems
            continue
        if stops and state["key"] == stops[-1]["key"]:
            continue  # the next part of the same control (a date field's day, month, year)
        if state["key"] in seen:
            if state["key"] == stops[0]["key"]:
                return stops, problems
            pytest.fail(f"focus trap: {state['what']} again after "
                        + " → ".join(s["what"] for s in stops))
        seen.add(state["key"])
        stops.append(state)
        problems += focus_problems(state)
    pytest.fail(f"focus did not come round in {limit} presses of {key}: "
                + " → ".join(s["what"] for s in stops[-8:]))


def tab_to(page, selector: str, limit: int = 300) -> None:
    """Press Tab until the element matching `selector` (in the page, not a frame) has focus."""
    visited = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            return
        state = page.evaluate(FOCUS_STATE)
        visited.append(state["what"] if state else "(the document)")
    pytest.fail(f"{selector} not reached by Tab: " + " → ".join(visited[-12:]))


@pytest.mark.parametrize("viewport", WEB_VIEWPORTS, ids=str)
def test_the_topic_page_by_keyboard(new_page, site, viewport):
    page, watch = new_page(WEB_VIEWPORTS[viewport])
    page.goto(f"{site.url}/en/")
    settle(page)
    # The skip link comes first, shows itself, and takes focus to the content.
    page.keyboard.press("Tab")
    first = page.evaluate(FOCUS_STATE)
    assert first and "skip-link" in first["what"], first
    assert not focus_problems(first), focus_problems(first)
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    page.keyboard.press("Tab")
    inside = page.evaluate("document.activeElement.closest('main') !== null")
    assert inside, page.evaluate(FOCUS_STATE)

    # From the top, every link and button in reading (document) order, each visibly focused and
    # not under the sticky header; backwards too (where a sticky header hides what it scrolls to).
    page.goto(f"{site.url}/en/")
    settle(page)
    focusable = page.evaluate(FOCUSABLE)
    stops, problems = tab_through(page)
    assert [int(s["key"].split(":")[1]) for s in stops] == focusable, [s["what"] for s in stops]
    back, back_problems = tab_through(page, backwards=True)
    assert sorted(s["key"] for s in back) == sorted(s["key"] for s in stops)
    problems = list(dict.fromkeys(problems + back_problems))
    assert not problems, "\n".join(problems)
    assert not watch.errors, watch.errors


@pytest.mark.parametrize("lang", LANGS)
def test_the_language_switch_works_by_keyboard(new_page, site, lang):
    other = LANGS[(LANGS.index(lang) + 1) % len(LANGS)]
    page, watch = new_page()
    page.goto(f"{site.url}/{lang}/")
    tab_to(page, f".lang-switch a[hreflang='{html_lang(other)}']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site.url}/{other}/")
    assert page.evaluate("document.documentElement.lang") == html_lang(other)
    # On a panel page the switch keeps the panel.
    slug = site.manifests[lang]["panels"][0]["slug"]
    page.goto(f"{site.url}/{lang}/panels/{slug}/")
    tab_to(page, f".lang-switch a[hreflang='{html_lang(other)}']")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{site.url}/{other}/panels/{slug}/")
    assert not watch.errors, watch.errors


def keyboard_sign_in(page, site: Site, name: str) -> None:
    """Sign in with keys alone: the name field has focus when the page opens."""
    page.goto(f"{site.url}/staff/login")
    assert page.evaluate("document.activeElement.id") == "name"
    page.keyboard.type(name)
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "password"
    page.keyboard.type(PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_the_staff_area_by_keyboard(new_page, site):
    """Sign in, open the dashboard, download the visit log; then, as a reviewer, open the panel
    waiting for review and approve it: keys only, focus visible and never trapped on the way."""
    page, watch = new_page()
    keyboard_sign_in(page, site, ADMIN)
    page.wait_for_url(f"{site.url}/staff/")
    stops, problems = tab_through(page)
    assert not problems, "\n".join(problems)
    page.keyboard.press("Tab")  # the skip link again
    tab_to(page, ".staff-nav a[href$='/staff/exports']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{site.url}/staff/exports"
    stops, problems = tab_through(page)
    assert not problems, "\n".join(problems)
    tab_to(page, "form[action$='/staff/exports/visits'] button[type=submit]")
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename.endswith(".csv")

    page, watch = new_page()
    keyboard_sign_in(page, site, KEYBOARD_REVIEWER)
    tab_to(page, ".staff-nav a[href$='/staff/review/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, f"#h-waiting ~ table a[href$='/staff/review/{EDITED}/'],"
                 f" table a[href$='/staff/review/{EDITED}/']")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{site.url}/staff/review/{EDITED}/"
    page.locator("iframe").last.scroll_into_view_if_needed()  # the previews load lazily
    for frame in page.frames[1:]:  # sandboxed: the page cannot see into them, Playwright can
        frame.wait_for_load_state("load")
    # 'instant': the staff pages scroll smoothly, and a Tab pressed mid-scroll left the skip
    # link focused above the viewport (flaky in CI).
    page.evaluate("window.scrollTo({top: 0, behavior: 'instant'}); document.activeElement.blur()")
    stops, problems = tab_through(page)
    assert any(s["frame"] for s in stops) or not page.frames[1:], "the previews' links are skipped"
    assert not problems, "\n".join(problems)
    tab_to(page, "#comment")
    page.keyboard.type("Read with the keyboard only.")
    tab_to(page, "button[name=action][value=approve]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{site.url}/staff/review/"
    assert f"feco: {EDITED}" in page.locator(".notice").inner_text()
    assert not watch.errors, watch.errors


# ---------------------------------------------------------------------------------------------
# 3. Captions on every video, in every language

CAPTIONS = r"""async () => {
  const videos = [...document.querySelectorAll('video')];
  const result = [];
  for (const video of videos) {
    const tracks = [...video.querySelectorAll('track')];
    for (const t of tracks) if (t.track.mode === 'disabled') t.track.mode = 'hidden';
    await Promise.all(tracks.map(t => t.readyState >= 2 ? null : new Promise(done => {
      t.addEventListener('load', done); t.addEventListener('error', done);
      setTimeout(done, 10000);
    })));
    result.push({autoplay: video.autoplay, paused: video.paused,
                 tracks: tracks.map(t => ({kind: t.kind, srclang: t.srclang, src: t.src,
                                           state: t.readyState,
                                           cues: t.track.cues ? t.track.cues.length : 0}))});
  }
  return result;
}"""


def video_slugs(site: Site, lang: str) -> list[str]:
    return [p["slug"] for p in site.manifests[lang]["panels"] if "<video" in p["kiosk_html"]]


def caption_problems(page, where: str) -> list[str]:
    problems = []
    videos = page.evaluate(CAPTIONS)
    if not videos:
        return [f"{where}: no video"]
    for video in videos:
        tracks = video["tracks"]
        captions = sorted(t["srclang"] for t in tracks if t["kind"] == "captions")
        if captions != sorted(html_lang(lang) for lang in LANGS):
            problems.append(f"{where}: captions in {captions}, not in every language")
        if video["autoplay"] or not video["paused"]:
            problems.append(f"{where}: the video plays by itself")
        for track in tracks:
            if track["state"] != 2 or track["cues"] < 1:
                problems.append(f"{where}: {track['src']} did not load as captions with a cue "
                                f"(readyState {track['state']}, {track['cues']} cues)")
            response = page.request.get(track["src"])
            if response.status != 200 or not response.headers.get(
                    "content-type", "").startswith("text/vtt") or \
                    not response.text().startswith(("WEBVTT", "\ufeffWEBVTT")):
                problems.append(f"{where}: {track['src']}: HTTP {response.status}, "
                                f"{response.headers.get('content-type')}, not WebVTT")
    return problems


def test_every_video_has_captions_in_every_language(new_page, site):
    with site.app.app_context():
        expected = sorted(p.slug for p in site.app.extensions["exhibit.content"].exhibition.panels
                          if p.video)
    assert expected, "the demo has a video"
    problems = []
    page, watch = new_page()
    for lang in LANGS:
        assert sorted(video_slugs(site, lang)) == expected
        for slug in expected:
            page.goto(f"{site.url}/{lang}/panels/{slug}/")
            problems += caption_problems(page, f"/{lang}/panels/{slug}/")
    kiosk, kiosk_watch = new_page(KIOSK_VIEWPORTS["landscape"], has_touch=True)
    kiosk.goto(f"{site.url}/kiosk/")
    kiosk.wait_for_selector("#kiosk-app[data-ready]")
    for lang in LANGS:
        if lang != kiosk.evaluate("window.exhibitKiosk.state.lang"):
            kiosk_language(kiosk, lang)
        for slug in expected:
            kiosk_show(kiosk, slug)
            problems += caption_problems(kiosk, f"kiosk {lang} {slug}")
    assert not problems, "\n".join(problems)
    assert not watch.errors + kiosk_watch.errors, watch.errors + kiosk_watch.errors


# ---------------------------------------------------------------------------------------------
# 4. prefers-reduced-motion

# Every element with a CSS animation or transition that would run (a duration above zero).
MOVING = r"""() => [...document.querySelectorAll('*')].flatMap(e => {
  const cs = getComputedStyle(e);
  const long = v => v.split(',').some(d => parseFloat(d) > 0);
  const what = e.tagName.toLowerCase()
    + (typeof e.className === 'string' && e.className ? '.' + e.className.trim().replace(/\s+/g, '.') : '');
  const found = [];
  if (cs.animationName !== 'none' && long(cs.animationDuration)) {
    found.push(`${what}: animation ${cs.animationName}`);
  }
  if (cs.transitionProperty !== 'none' && long(cs.transitionDuration)) {
    found.push(`${what}: transition ${cs.transitionProperty} ${cs.transitionDuration}`);
  }
  return found;
})"""
# Animations (CSS animations and transitions, Web Animations) playing now.
RUNNING = """() => document.getAnimations().filter(a => a.playState === 'running')
  .map(a => String(a.animationName || a.transitionProperty || a.id || a.constructor.name))"""


def motion_on_topic_page(page, site: Site) -> dict:
    page.goto(f"{site.url}/en/")
    settle(page)
    card = page.locator(".card").first
    card.hover()
    page.keyboard.press("Tab")
    moving = page.evaluate(MOVING) + page.evaluate(RUNNING)
    behaviour = page.evaluate("getComputedStyle(document.documentElement).scrollBehavior")
    # A jump to a section: instant, or still travelling two frames later.
    link = page.locator(".section-nav a").last
    link.click()
    travelled = page.evaluate("""async () => { const y = scrollY;
        await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
        return scrollY !== y; }""")
    return {"moving": moving, "scroll_behavior": behaviour, "smooth_jump": travelled}


def test_reduced_motion_on_the_topic_page(new_page, site):
    page, watch = new_page(reduced_motion="reduce")
    found = motion_on_topic_page(page, site)
    assert found == {"moving": [], "scroll_behavior": "auto", "smooth_jump": False}, found
    # The same checks see motion when the visitor has not asked for less (they can fail).
    page, watch = new_page(reduced_motion="no-preference")
    found = motion_on_topic_page(page, site)
    assert found["moving"] and found["scroll_behavior"] == "smooth", found


def test_reduced_motion_in_the_kiosk(new_page, site):
    page, watch = new_page(KIOSK_VIEWPORTS["landscape"], has_touch=True, reduced_motion="reduce")
    page.goto(f"{site.url}/kiosk/")
    page.wait_for_selector("#kiosk-app[data-ready]")
    moving = page.evaluate(MOVING)
    for slug in one_panel_per_kind(site.manifests["zh"]):
        kiosk_show(page, slug)
        page.locator(".k-next").hover()
        moving += [f"{slug}: {m}" for m in page.evaluate(MOVING) + page.evaluate(RUNNING)]
    assert not moving, moving
    assert page.evaluate("[document.documentElement, document.getElementById('k-view')]"
                         ".map(e => getComputedStyle(e).scrollBehavior)") == ["auto", "auto"]
    for slug in video_slugs(site, "zh"):
        kiosk_show(page, slug)
        videos = page.evaluate(CAPTIONS)
        assert videos and not any(v["autoplay"] or not v["paused"] for v in videos), videos
    assert not watch.errors, watch.errors


def open_attract_loop(new_page, site: Site, motion: str):
    page, watch = new_page(KIOSK_VIEWPORTS["landscape"], has_touch=True, reduced_motion=motion)
    page.clock.install()
    page.goto(f"{site.url}/kiosk/?kiosk={ATTRACT_KIOSK}")
    page.wait_for_selector("#k-attract:not([hidden]) .k-attract-title")
    return page, watch


def test_the_attract_loop_changes_without_motion_and_stops(new_page, site):
    """With reduced motion nothing on the attract screen moves: the slides change by a cut (the
    choice documented in attract.js) and the pulse of "touch to start" is still; any key (or
    touch) stops and hides the loop, without pressing what lies under it."""
    page, watch = open_attract_loop(new_page, site, "reduce")
    slides = [page.inner_text(".k-attract-title")]
    for _ in range(2):
        assert page.evaluate(RUNNING) == [] and page.evaluate(MOVING) == []
        page.clock.run_for(SLIDE_MS + 100)
        page.wait_for_function("t => document.querySelector('.k-attract-title').textContent !== t",
                               arg=slides[-1])
        slides.append(page.inner_text(".k-attract-title"))
    assert page.evaluate(RUNNING) == [] and page.evaluate(MOVING) == []
    assert len(set(slides)) == 3, slides

    page.evaluate("document.querySelector('.k-lang:not([aria-pressed=true])').focus()")
    page.keyboard.press("Enter")
    assert page.is_hidden("#k-attract")
    assert page.evaluate("window.exhibitKiosk.state.lang") == "zh", "the key also pressed a button"
    page.clock.run_for(3 * SLIDE_MS)
    assert page.is_hidden("#k-attract")  # stopped, not paused for a moment
    assert not watch.errors, watch.errors

    # Without the preference the prompt pulses (so the checks above can see motion).
    page, watch = open_attract_loop(new_page, site, "no-preference")
    assert page.evaluate(RUNNING), "the pulse of 'touch to start'"
