"""The topic page on a phone, in a real Chromium (issue 18, "On a phone"): the questionnaire as a
form that works without script and whose 1–5 rating never misaligns, the hero's contrast, forced
colours, media before the long text, posters at full size and as PDF, and sticky chrome that
gives way on a short screen."""

from __future__ import annotations

import io

import pikepdf
import pytest
from PIL import Image as PILImage
from sqlalchemy import select

from exhibit.visits.schema import events

from .conftest import STATE_TIMEOUT_MS

PHONES = ({"width": 360, "height": 740}, {"width": 390, "height": 844})
LANGS = ("zh", "en", "fr")
VIDEO_SLUG = "project-video"
POSTERS_SLUG = "pfos-posters"


@pytest.fixture()
def context_of(browser):
    contexts = []

    def make(**options):
        options.setdefault("device_scale_factor", 1)
        context = browser.new_context(service_workers="block", **options)
        context.set_default_timeout(STATE_TIMEOUT_MS)
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


def feedback_rows(app) -> list[tuple]:
    with app.extensions["exhibit.db"].connect() as conn:
        return conn.execute(select(events.c.id, events.c.lang, events.c.data, events.c.surface)
                            .where(events.c.kind == "feedback_answer")).all()


# -- the questionnaire -----------------------------------------------------------------------------

@pytest.mark.browser
@pytest.mark.parametrize("lang", ("zh", "fr"))
def test_the_questionnaire_works_without_script_and_stores_each_answer_once(
        context_of, live_server, demo_app, lang):
    page = context_of(java_script_enabled=False, viewport=PHONES[0]).new_page()
    before = set(feedback_rows(demo_app))
    page.goto(f"{live_server}/{lang}/feedback/", wait_until="load")
    page.check("input[name=useful][value='4']")
    page.check("input[name=learned][value=a-little]")
    page.check("input[name=visitor][value=public]")
    with page.expect_navigation(wait_until="load"):
        page.click("button[type=submit]")
    assert page.url == f"{live_server}/{lang}/feedback/thanks/"
    thanks = demo_app.extensions["exhibit.content"].exhibition.questionnaire.thanks[lang]
    assert page.locator("h1").inner_text().strip() == thanks
    new = [row for row in feedback_rows(demo_app) if row not in before]
    answers = sorted(row.data for row in new)
    assert len(new) == 3, new
    assert {row.lang for row in new} == {lang} and {row.surface for row in new} == {"web"}
    assert answers == sorted(['{"answer": 4, "question": "useful"}',
                              '{"answer": "a-little", "question": "learned"}',
                              '{"answer": "public", "question": "visitor"}'])
    # A reload of the thank-you page (a GET after the 303) posts nothing again.
    page.reload(wait_until="load")
    assert len([row for row in feedback_rows(demo_app) if row not in before]) == 3
    # The way back is a link to the exhibition.
    assert page.locator(f"main a[href='/{lang}/']").count() == 1


@pytest.mark.browser
def test_with_script_answers_are_sent_as_chosen_and_the_form_is_never_posted(
        context_of, live_server, demo_app):
    page = context_of(viewport=PHONES[1]).new_page()
    before = set(feedback_rows(demo_app))
    posted = []
    page.on("request", lambda r: posted.append(r.url) if r.method == "POST" and "/feedback/" in r.url
            else None)
    page.goto(f"{live_server}/en/feedback/", wait_until="load")
    page.wait_for_function("document.querySelector('[data-questionnaire]') !== null")
    with page.expect_response(lambda r: r.url.endswith("/api/v1/events") and r.ok):
        page.check("input[name=useful][value='2']")
    with page.expect_response(lambda r: r.url.endswith("/api/v1/events") and r.ok):
        page.check("input[name=learned][value=a-lot]")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-thanks]:not([hidden])")
    assert page.url == f"{live_server}/en/feedback/" and not posted
    new = sorted(row.data for row in feedback_rows(demo_app) if row not in before)
    assert new == sorted(['{"answer": 2, "question": "useful"}',
                          '{"answer": "a-lot", "question": "learned"}'])


def test_the_form_is_checked_and_taken_only_from_this_site(demo_app):
    client = demo_app.test_client()
    count = len(feedback_rows(demo_app))
    answer = {"useful": "5"}
    for headers in ({"Sec-Fetch-Site": "cross-site"}, {"Sec-Fetch-Site": "same-site"},
                    {"Origin": "https://elsewhere.example"}, {"Origin": "null"}):
        response = client.post("/en/feedback/", data=answer, headers=headers)
        assert response.status_code == 403, headers
    assert client.post("/en/feedback/", data={"useful": "6"}).status_code == 400
    assert client.post("/en/feedback/", data={"visitor": "robot"}).status_code == 400
    empty = client.post("/fr/feedback/", data={})
    assert empty.status_code == 400 and "au moins une réponse" in empty.get_data(as_text=True)
    assert len(feedback_rows(demo_app)) == count, "a refused form stored something"
    ok = client.post("/en/feedback/", data=answer,
                     headers={"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"})
    assert ok.status_code == 303 and ok.headers["Location"].endswith("/en/feedback/thanks/")
    assert len(feedback_rows(demo_app)) == count + 1


RATING_BOXES = r"""() => [...document.querySelectorAll('.question--rating')].map(q => {
  const box = e => { const r = e.getBoundingClientRect();
    return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; };
  return {
    answers: [...q.querySelectorAll('label.answer')].map(l => ({
      label: box(l), number: box(l.querySelector('.answer-text')), radio: box(l.querySelector('input')),
      value: l.querySelector('input').value})),
    low: box(q.querySelector('.rating-end--low')), high: box(q.querySelector('.rating-end--high')),
    width: document.documentElement.clientWidth};
})"""


@pytest.mark.browser
@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("phone", PHONES, ids=lambda p: f"{p['width']}px")
def test_each_rating_label_sits_over_its_radio_at_phone_widths(context_of, live_server, lang, phone):
    page = context_of(viewport=phone).new_page()
    page.goto(f"{live_server}/{lang}/feedback/", wait_until="load")
    page.wait_for_function("document.fonts.ready.then(() => true)")
    ratings = page.evaluate(RATING_BOXES)
    assert ratings, "the demo questionnaire has a rating"
    for rating in ratings:
        answers = rating["answers"]
        assert [a["value"] for a in answers] == ["1", "2", "3", "4", "5"]
        tops = {round(a["label"]["top"]) for a in answers}
        assert len(tops) == 1, f"the rating wraps at {phone['width']} px: {answers}"
        for a in answers:
            number, radio, label = a["number"], a["radio"], a["label"]
            # the number above its own radio, both inside the answer's own box
            assert number["bottom"] <= radio["top"] + 0.5, a
            centre = (radio["left"] + radio["right"]) / 2
            assert number["left"] - 0.5 <= centre <= number["right"] + 0.5, a
            assert label["left"] <= radio["left"] and radio["right"] <= label["right"], a
            assert label["right"] <= rating["width"], f"{a} leaves the screen"
        for before, after in zip(answers, answers[1:], strict=False):
            assert before["label"]["right"] <= after["label"]["left"], "answers overlap"
        first, last = answers[0]["label"], answers[-1]["label"]
        low, high = rating["low"], rating["high"]
        # the end labels under the row, each at its end: "low" starts under 1, "high" ends under 5
        assert low["top"] >= first["bottom"] and high["top"] >= last["bottom"]
        assert abs(low["left"] - first["left"]) <= 1 and low["right"] > first["left"]
        assert abs(high["right"] - last["right"]) <= 1 and high["left"] < last["right"]
        assert low["right"] <= high["left"] or low["bottom"] <= high["top"], "end labels overlap"


# -- contrast and forced colours ---------------------------------------------------------------------

HERO_TEXT = r"""() => [...document.querySelectorAll('.hero .eyebrow, .hero h1, .hero-sub, .hero-meta')]
  .map(el => { const range = document.createRange(); range.selectNodeContents(el);
    return {what: el.className || el.tagName, color: getComputedStyle(el).color,
            rects: [...range.getClientRects()]
              .map(r => [r.left, r.top + scrollY, r.right, r.bottom + scrollY])}; })"""


def luminance(rgb) -> float:
    def channel(c: float) -> float:
        c /= 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b) -> float:
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@pytest.mark.browser
@pytest.mark.parametrize("lang", LANGS)
def test_hero_text_has_4_5_to_1_on_the_rendered_background_at_360_px(context_of, live_server, lang):
    page = context_of(viewport=PHONES[0]).new_page()
    page.goto(f"{live_server}/{lang}/", wait_until="load")
    page.wait_for_function("document.fonts.ready.then(() => true)")
    texts = page.evaluate(HERO_TEXT)
    assert len(texts) >= 3
    # The background as drawn behind the text: the text made transparent (CSSOM, allowed by the
    # page's policy), the hero photographed, every pixel under every line of text measured.
    page.evaluate("""() => document.querySelectorAll('.hero .eyebrow, .hero h1, .hero-sub, .hero-meta')
        .forEach(el => { el.style.color = 'transparent'; })""")
    shot = PILImage.open(io.BytesIO(page.screenshot(full_page=True))).convert("RGB")
    worst = []
    for text in texts:
        color = tuple(int(float(v)) for v in text["color"][text["color"].index("(") + 1:-1].split(",")[:3])
        lowest = 99.0
        for left, top, right, bottom in text["rects"]:
            box = shot.crop((int(left), int(top), int(right) + 1, int(bottom) + 1))
            for pixel in set(box.get_flattened_data()):
                lowest = min(lowest, contrast(color, pixel))
        worst.append((round(lowest, 2), text["what"]))
    assert all(ratio >= 4.5 for ratio, _ in worst), worst


@pytest.mark.browser
def test_forced_colours_mark_the_chosen_answer_and_hide_the_ring(context_of, live_server):
    context = context_of(viewport=PHONES[0], forced_colors="active")
    page = context.new_page()
    page.goto(f"{live_server}/en/", wait_until="load")
    assert page.evaluate("matchMedia('(forced-colors: active)').matches")
    ring = page.evaluate("getComputedStyle(document.querySelector('.hero'), '::after').display")
    assert ring == "none", "the decorative ring is drawn over the title in forced colours"

    page.goto(f"{live_server}/en/feedback/", wait_until="load")
    page.wait_for_function("document.querySelector('[data-questionnaire]') !== null")
    page.check("input[name=visitor][value=research]")
    looks = page.evaluate("""() => [...document.querySelectorAll('[data-question=visitor] label.answer')]
        .map(l => { const s = getComputedStyle(l);
          return {chosen: l.querySelector('input').checked, bg: s.backgroundColor, fg: s.color,
                  outline: s.outlineStyle + ' ' + s.outlineWidth}; })""")
    chosen = [look for look in looks if look["chosen"]]
    others = [look for look in looks if not look["chosen"]]
    assert len(chosen) == 1 and len(others) == 3
    for other in others:
        assert (chosen[0]["bg"], chosen[0]["fg"], chosen[0]["outline"]) != \
            (other["bg"], other["fg"], other["outline"]), looks
        assert chosen[0]["bg"] != other["bg"], looks


# -- panels: media first, posters --------------------------------------------------------------------

@pytest.mark.browser
@pytest.mark.parametrize("lang", ("zh", "fr"))
@pytest.mark.parametrize("slug,media", [(VIDEO_SLUG, "video"), (POSTERS_SLUG, ".gallery img")])
def test_media_come_before_the_long_text_on_a_phone(context_of, live_server, lang, slug, media):
    page = context_of(viewport=PHONES[0]).new_page()
    page.goto(f"{live_server}/{lang}/panels/{slug}/", wait_until="load")
    top = page.evaluate(f"document.querySelector({media!r}).getBoundingClientRect().top")
    assert top < 740, f"the {media} starts {top} px down, below the first screen"
    # Reading order follows: the media come before the text in the document too.
    assert page.evaluate("""() => { const m = document.querySelector('.panel-media'),
        t = document.querySelector('.panel-text');
        return Boolean(m.compareDocumentPosition(t) & Node.DOCUMENT_POSITION_FOLLOWING); }""")


def fetch(client, url: str) -> tuple[int, str, bytes]:
    """A file served by WhiteNoise, its response closed (it holds the file open)."""
    response = client.get(url)
    try:
        return response.status_code, response.mimetype, response.get_data()
    finally:
        response.close()


def test_every_poster_links_to_its_full_size_and_a_pdf(client, demo):
    import re

    posters = [p for p in demo.panels if p.kind == "gallery"]
    assert posters and sum(len(p.images) for p in posters) >= 2
    for panel in posters:
        for lang in demo.languages:
            html = client.get(f"/{lang}/panels/{panel.slug}/").get_data(as_text=True)
            figures = re.findall(r'<figure class="panel-image poster">(.*?)</figure>', html, re.S)
            assert len(figures) == len(panel.images), (panel.slug, lang)
            for figure, image in zip(figures, panel.images, strict=True):
                links = set(re.findall(r'href="(/media/[^"]+)"', figure))
                jpeg = [u for u in links if u.endswith(".jpg")]
                pdf = [u for u in links if u.endswith(".pdf")]
                assert len(jpeg) == 1 and len(pdf) == 1, figure
                status, mimetype, body = fetch(client, jpeg[0])
                assert status == 200 and mimetype == "image/jpeg"
                with PILImage.open(io.BytesIO(body)) as full:
                    assert full.size == (image.width, image.height), "not the full resolution"
                status, mimetype, body = fetch(client, pdf[0])
                assert status == 200 and mimetype == "application/pdf"
                with pikepdf.open(io.BytesIO(body)) as document:
                    assert len(document.pages) == 1
                    images = list(document.pages[0].get_images().values())
                    assert images and images[0].Width == image.width


# -- sticky chrome on a short screen ------------------------------------------------------------------

STICKY_SHARE = r"""async () => {
  scrollTo({top: 1200, behavior: 'instant'});
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  let covered = 0;
  for (const el of document.querySelectorAll('.site-header, .section-nav')) {
    const r = el.getBoundingClientRect();
    covered += Math.max(0, Math.min(r.bottom, innerHeight) - Math.max(r.top, 0));
  }
  return {covered, height: innerHeight, scrolled: scrollY};
}"""


@pytest.mark.browser
@pytest.mark.parametrize("viewport", [{"width": 740, "height": 360}, {"width": 320, "height": 256}],
                         ids=("landscape-phone", "400pc-zoom"))
@pytest.mark.parametrize("path", ["/fr/", "/zh/panels/project-video/"])
def test_sticky_chrome_gives_way_on_a_short_screen(context_of, live_server, viewport, path):
    page = context_of(viewport=viewport).new_page()
    page.goto(live_server + path, wait_until="load")
    share = page.evaluate(STICKY_SHARE)
    assert share["scrolled"] > 0
    assert share["covered"] <= 0.15 * share["height"], share


@pytest.mark.browser
def test_chrome_stays_sticky_on_an_upright_phone(context_of, live_server):
    page = context_of(viewport=PHONES[1]).new_page()
    page.goto(f"{live_server}/fr/", wait_until="load")
    assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).position") == "sticky"
