"""Share images: every public page (sitemap, known routes, every language) names a 1200×630 card
by an absolute URL on PUBLIC_BASE_URL that answers an image, with its description in the page's
language; cards are drawn from the content (a chart panel's chart, a video's poster) and no text
is cut off at the edge."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest
from flask import g
from PIL import Image, ImageChops, ImageStat

from exhibit.publication import public_exhibition
from exhibit.web import sharecards
from exhibit.web.freeze import public_paths
from exhibit.web.share import panel_spec

BASE = "https://expo.example.org"
LOCALES = {"zh": "zh_CN", "en": "en_GB", "fr": "fr_FR"}
HAN = re.compile(r"[\u4e00-\u9fff]")


class _Meta(HTMLParser):
    def __init__(self):
        super().__init__()
        self.meta: dict[str, str] = {}
        self.lang = ""

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang", "")
        if tag == "meta" and (attrs.get("property") or attrs.get("name")):
            key = attrs.get("property") or attrs.get("name")
            self.meta.setdefault(key, attrs.get("content") or "")


def meta_of(html: str) -> _Meta:
    parser = _Meta()
    parser.feed(html)
    return parser


def public_pages(app, client) -> list[str]:
    """Every page the sitemap lists, and every known public route in every language."""
    sitemap = ET.fromstring(client.get("/sitemap.xml").data)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    pages = {loc.text[len(BASE):] for loc in sitemap.findall("s:url/s:loc", ns)}
    pages |= {p for p in public_paths(app) if p.endswith("/")}
    return sorted(pages)


def fetch_image(client, url: str) -> Image.Image:
    assert url.startswith(BASE + "/"), url
    with client.get(url[len(BASE):]) as response:  # a file response: close it
        assert response.status_code == 200, url
        assert response.mimetype in ("image/png", "image/jpeg"), url
        assert "max-age=31536000" in response.headers["Cache-Control"], url
        image = Image.open(io.BytesIO(response.data))
        image.load()
    return image


def test_every_public_page_has_a_share_image(demo_app, client):
    pages = public_pages(demo_app, client)
    with demo_app.app_context():
        ex = public_exhibition(demo_app)
    # Topic page, every public panel and the questionnaire in every language (and any later page).
    assert len(pages) >= len(ex.languages) * (len(ex.panels) + 2)
    seen: dict[str, str] = {}
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        meta = meta_of(response.get_data(as_text=True))
        lang = path.split("/")[1]
        tags = meta.meta
        for key in ("og:image", "og:title", "og:description", "og:url", "og:image:alt",
                    "twitter:image"):
            assert tags.get(key), f"{path}: no {key}"
        assert tags["og:url"] == BASE + path
        assert tags["og:locale"] == LOCALES[lang]
        assert tags["og:image:width"] == "1200" and tags["og:image:height"] == "630", path
        assert tags["twitter:card"] == "summary_large_image"
        assert tags["twitter:image"] == tags["og:image"]
        # The description and the image's description are in the page's language.
        for key in ("og:description", "og:title", "og:image:alt"):
            if lang == "zh":
                assert HAN.search(tags[key]), f"{path}: {key} is not Chinese: {tags[key]!r}"
            else:
                latin = re.sub(r"[^A-Za-zÀ-ÿ]", "", tags[key])
                assert len(latin) > len(tags[key]) / 3, f"{path}: {key}: {tags[key]!r}"
        url = tags["og:image"]
        if url not in seen:
            image = fetch_image(client, url)
            assert image.size == (1200, 630), path
            seen[url] = path
    # One card per page: no two pages share a picture.
    assert len(seen) == len(pages)


def test_the_language_chooser_of_a_frozen_copy_has_a_share_image(demo_app, client):
    from flask import render_template

    from exhibit.web.share import languages_spec

    with demo_app.test_request_context("/"):
        ex = public_exhibition(demo_app)
        html = render_template("web/choose_language.html", lang=ex.default_language)
        _within_canvas(sharecards.render(languages_spec(ex)))
    tags = meta_of(html).meta
    assert tags["og:url"] == BASE + "/"
    image = fetch_image(client, tags["og:image"])
    assert image.size == (1200, 630)
    assert all(ex.title[lang][:6] in tags["og:image:alt"] for lang in ex.languages)


def _card(demo_app, slug: str, lang: str) -> sharecards.Card:
    with demo_app.test_request_context(f"/{lang}/"):
        g.lang = lang
        ex = public_exhibition(demo_app)
        return sharecards.render(panel_spec(ex, ex.panel(slug), lang))


def _within_canvas(card: sharecards.Card) -> None:
    assert card.text_boxes
    for text, (left, top, right, bottom) in card.text_boxes:
        assert left >= 0 and top >= 0, text
        assert right <= sharecards.WIDTH and bottom <= sharecards.HEIGHT, text
        # Text is in the upper part or in the band, never across its edge.
        assert bottom <= card.bottom or top >= card.bottom, text
    # Lines never overlap one another.
    boxes = [box for _t, box in card.text_boxes]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            overlap = min(a[2], b[2]) - max(a[0], b[0]) > 1 and min(a[3], b[3]) - max(a[1], b[1]) > 1
            assert not overlap, (a, b)


@pytest.mark.parametrize("lang", ["zh", "en", "fr"])
def test_a_chart_card_draws_its_chart_and_a_text_card_does_not(demo_app, lang):
    chart = _card(demo_app, "carbide-route", lang)  # a bar chart panel
    text = _card(demo_app, "minamata-convention", lang)
    timeline = _card(demo_app, "policy-timeline", lang)
    # The bar chart's labels, values and source line are on the card, from the figures data.
    with demo_app.app_context():
        ex = public_exhibition(demo_app)
    figure = ex.panel("carbide-route").figures[0]
    drawn = [t for t, _box in chart.text_boxes]
    for row in figure.rows:
        assert any(row.label[lang][:4] in t for t in drawn), row.label[lang]
    assert any(t.startswith(("来源", "Source")) for t in drawn), drawn
    assert not any(t.startswith(("来源", "Source")) for t, _b in text.text_boxes)
    # And the pictures differ: a chart is not a title card.
    diff = ImageChops.difference(chart.image, text.image)
    assert sum(ImageStat.Stat(diff).mean) > 10
    for card in (chart, text, timeline):
        _within_canvas(card)


def test_a_video_card_shows_the_poster(demo_app):
    card = _card(demo_app, "project-video", "fr")
    _within_canvas(card)
    with demo_app.app_context():
        poster = public_exhibition(demo_app).panel("project-video").video.poster.absolute
    # Above the title's shade, the card is the poster scaled to cover it (not a white card).
    region = (0, 0, 800, 80)
    expected = sharecards._open_picture(str(poster), (1200, int(card.bottom))).crop(region)
    shown = card.image.crop(region)
    assert sum(ImageStat.Stat(ImageChops.difference(shown, expected)).mean) < 6
    top = card.image.crop((0, 0, 1200, 200))
    blank = Image.new("RGB", top.size, "white")
    assert sum(ImageStat.Stat(ImageChops.difference(top, blank)).mean) > 60


@pytest.mark.parametrize("lang", ["zh", "en", "fr"])
def test_no_card_text_is_cut_off(demo_app, lang):
    with demo_app.test_request_context(f"/{lang}/"):
        g.lang = lang
        ex = public_exhibition(demo_app)
        for panel in ex.panels:
            card = sharecards.render(panel_spec(ex, panel, lang))
            _within_canvas(card)


def test_chinese_lines_never_start_with_closing_punctuation():
    style = sharecards.Style(40, True)
    text = "减汞与无汞化：中国履行《水俣公约》和《斯德哥尔摩公约》成果展，2009年底PVC产能。"
    for width in range(120, 900, 23):
        lines = sharecards.wrap(text, "zh", style, width)
        assert "".join(lines) == text
        for line in lines:
            assert line[0] not in sharecards.CLOSING, (width, lines)
            assert line[-1] not in sharecards.OPENING, (width, lines)
        # "2009" and "PVC" are never split between lines.
        assert any("2009" in line for line in lines) and any("PVC" in line for line in lines)


def test_french_lines_keep_their_punctuation_with_the_word():
    style = sharecards.Style(40)
    text = "Moins de mercure, puis plus du tout\u202f: la Chine met en œuvre « les conventions »"
    for width in range(340, 900, 31):
        lines = sharecards.wrap(text, "fr", style, width)
        assert " ".join(lines) == text
        for line in lines:
            assert not line.startswith(("\u202f", ":", "»")), (width, lines)


def test_a_broken_picture_still_gives_a_card(tmp_path):
    """A poster that cannot be read (content is untrusted) gives a title card, not a broken page."""
    broken = tmp_path / "poster.jpg"
    broken.write_bytes(b"not a jpeg")
    spec = sharecards.CardSpec(lang="en", layout="video", eyebrow="Project", title="A video",
                               summary="", exhibition="Exhibition", organisers="FECO · UNIDO",
                               picture=str(broken), picture_hash="0" * 16)
    name = sharecards.ensure(spec, "panel-video", tmp_path)
    with Image.open(tmp_path / "share" / name) as image:
        assert image.size == (1200, 630)
    assert sharecards.ensure(spec, "panel-video", tmp_path) == name  # made once
