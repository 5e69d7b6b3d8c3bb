"""Every panel renders on every surface in every language; the pages around them hang together."""

from __future__ import annotations

import html as htmllib
import json
import re
import xml.etree.ElementTree as ET

import pytest
from flask import g

from exhibit.surfaces import SURFACES, render_panel

LANGS = ["zh", "en", "fr"]


@pytest.mark.parametrize("surface", sorted(SURFACES))
@pytest.mark.parametrize("lang", LANGS)
def test_every_panel_renders_on_every_surface(demo_app, demo, surface, lang):
    with demo_app.test_request_context(f"/{lang}/"):
        g.lang = lang
        for panel in demo.panels:
            html = str(render_panel(panel, lang, surface))
            assert panel.title[lang] in html.replace("&#39;", "'").replace("&amp;", "&")
            assert f'lang="{"zh-Hans" if lang == "zh" else lang}"' in html
            for figure in panel.figures:
                assert f'id="fig-{panel.slug}-{figure.id}-title"' in html
            for number in range(1, len(panel.sources) + 1):
                assert f'id="src-{panel.slug}-{number}"' in html
            if not SURFACES[surface].outbound_links:
                assert not re.search(r'<a [^>]*href="https?:', html), (surface, panel.slug)


@pytest.mark.parametrize("lang", LANGS)
def test_topic_page_links_every_panel(client, demo, lang):
    response = client.get(f"/{lang}/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for panel in demo.panels:
        assert f'href="/{lang}/panels/{panel.slug}/"' in html
    for section in demo.sections:
        assert f'id="s-{section.id}"' in html
    assert f'<html lang="{"zh-Hans" if lang == "zh" else lang}">' in html


@pytest.mark.parametrize("lang", LANGS)
def test_panel_pages_in_every_language(client, demo, lang):
    for panel in demo.panels:
        response = client.get(f"/{lang}/panels/{panel.slug}/")
        assert response.status_code == 200, panel.slug
        html = response.get_data(as_text=True)
        # The language switch keeps the panel, and search engines see the alternates.
        for other in LANGS:
            assert f'href="/{other}/panels/{panel.slug}/" hreflang=' in html
            assert (f'hreflang="{"zh-Hans" if other == "zh" else other}" '
                    f'href="https://expo.example.org/{other}/panels/{panel.slug}/"') in html
        assert '<meta property="og:title"' in html
        assert f'<meta property="og:url" content="https://expo.example.org/{lang}/panels/' \
               f'{panel.slug}/">' in html


@pytest.mark.parametrize("lang", LANGS)
def test_api_lists_the_same_panels_as_the_topic_page(client, demo, lang):
    data = client.get(f"/api/v1/panels?lang={lang}").get_json()
    assert [p["slug"] for p in data["panels"]] == [p.slug for p in demo.panels]
    assert data["version"] == demo.fingerprint
    for item in data["panels"]:
        assert item["url"] == f"/{lang}/panels/{item['slug']}/"
        assert item["kiosk_html"].startswith("<article")
        for url in item["media"]:
            assert url.startswith("/media/")
            with client.get(url) as response:
                assert response.status_code == 200, url


def test_api_refuses_an_unknown_language(client):
    response = client.get("/api/v1/panels?lang=de")
    assert response.status_code == 400


def test_kiosk_page_carries_the_interface_in_every_language(client):
    html = client.get("/kiosk/?kiosk=hall-a").get_data(as_text=True)
    raw = re.search(r'<script type="application/json" id="kiosk-settings">(.*?)</script>', html,
                    re.S).group(1)
    settings = json.loads(raw)
    assert settings["kioskId"] == "hall-a"
    assert settings["strings"]["zh"]["touch_to_start"] == "触摸屏幕开始"
    assert settings["strings"]["fr"]["touch_to_start"] == "Touchez l’écran pour commencer"
    assert "user-scalable=no" in html


def test_root_redirects_by_accept_language(client):
    assert client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9"}).location == "/fr/"
    assert client.get("/", headers={"Accept-Language": "en-US,en;q=0.8"}).location == "/en/"
    assert client.get("/", headers={"Accept-Language": "de"}).location == "/zh/"  # the default
    assert client.get("/").headers["Vary"] == "Accept-Language"


def test_unknown_language_and_panel_are_404(client):
    assert client.get("/de/").status_code == 404
    assert client.get("/en/panels/no-such-panel/").status_code == 404


def test_sitemap_lists_every_page_in_every_language(client, demo, demo_app):
    public = demo
    files = demo_app.extensions["exhibit.content"].exhibition
    assert len(public.panels) == len(files.panels) - 1  # the pending pvc-results is not public
    response = client.get("/sitemap.xml")
    assert response.mimetype == "application/xml"
    root = ET.fromstring(response.data)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
    locs = {loc.text for loc in root.findall("s:url/s:loc", ns)}
    assert len(locs) == len(LANGS) * (1 + len(public.panels))
    assert not any("pvc-results" in loc for loc in locs)
    assert "https://expo.example.org/fr/panels/carbide-route/" in locs


def test_interface_is_translated(client):
    assert "跳到正文" in client.get("/zh/").get_data(as_text=True)
    assert "Aller au contenu" in client.get("/fr/").get_data(as_text=True)
    assert "Skip to content" in client.get("/en/").get_data(as_text=True)


def test_no_page_refers_to_another_host(client, demo):
    """Every src/href on our pages is local, except the cited sources' own links."""
    pages = ["/zh/", "/en/", "/kiosk/"] + [f"/fr/panels/{p.slug}/" for p in demo.panels]
    source_urls = {s.url for p in demo.panels for s in p.sources if s.url}
    for page in pages:
        html = client.get(page).get_data(as_text=True)
        for attr, url in re.findall(r'\b(src|srcset|href|poster)="([^"]+)"', html):
            url = htmllib.unescape(url)
            if url.startswith(("http://", "https://", "//")):
                assert attr == "href" and (url in source_urls or url.startswith(
                    "https://expo.example.org/")), (page, url)


def test_static_and_media_are_cached_forever(client, demo):
    html = client.get("/en/").get_data(as_text=True)
    css = re.search(r'href="(/static/[^"]+/css/site.css)"', html).group(1)
    with client.get(css, headers={"Accept-Encoding": "br"}) as response:
        assert response.status_code == 200
        assert "immutable" in response.headers["Cache-Control"]
        assert response.headers.get("Content-Encoding") == "br"
    image = re.search(r'src="(/media/[^"]+\.jpg)"', html).group(1)
    with client.get(image) as response:
        assert "immutable" in response.headers["Cache-Control"]


def test_not_found_page_speaks_the_visitors_language(client):
    response = client.get("/fr/panels/no-such-panel/")
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Cette page n’existe pas." in html and 'href="/fr/"' in html
    assert client.get("/api/v1/nothing").get_json() == {"error": "not found"}


@pytest.mark.parametrize("lang", LANGS)
def test_feedback_page_and_kiosk_questionnaire(client, demo, lang):
    q = demo.questionnaire
    html = client.get(f"/{lang}/feedback/").get_data(as_text=True)
    assert q.title[lang] in html.replace("&#39;", "'")
    for question in q.questions:
        assert f'data-question="{question.id}"' in html
        for choice in question.choices:
            assert f'data-answer="{choice.id}"' in html
    assert f'href="/{lang}/feedback/"' in client.get(f"/{lang}/").get_data(as_text=True)
    manifest = client.get(f"/api/v1/panels?lang={lang}").get_json()
    assert 'data-questionnaire' in manifest["questionnaire_html"]


def test_every_web_page_says_where_events_go(client):
    html = client.get("/en/panels/carbide-route/").get_data(as_text=True)
    assert '<meta name="exhibit-events" content="/api/v1/events">' in html
    assert 'data-panel="carbide-route"' in html and "js/site/track.js" in html


def test_captions_are_served_as_webvtt(client, demo):
    video = next(p for p in demo.panels if p.video).video
    from exhibit.media_serving import media_library
    with client.application.test_request_context():
        url = media_library().url(video.captions["fr"])
    with client.get(url) as response:
        assert response.mimetype == "text/vtt"
        assert response.get_data(as_text=True).startswith("WEBVTT")


def test_kiosk_panels_carry_a_qr_code_to_the_panel_online(demo_app, demo, tmp_path):
    """The QR code on the kiosk decodes (zbarimg, a real decoder) to the panel, tagged kiosk-qr."""
    import subprocess

    from exhibit.qr import panel_url, qr_svg

    url = panel_url("https://expo.example.org", "fr", "carbide-route", "kiosk-qr")
    assert url == "https://expo.example.org/fr/panels/carbide-route/?src=kiosk-qr"
    with demo_app.test_request_context("/fr/"):
        g.lang = "fr"
        html = str(render_panel(demo.panel("carbide-route"), "fr", "kiosk"))
    assert qr_svg(url) in html
    # Rasterise the SVG's own path (one rectangle per run of dark modules) and decode it.
    import re as _re

    from PIL import Image, ImageDraw

    svg = qr_svg(url)
    size = int(_re.search(r'viewBox="0 0 (\d+) ', svg).group(1))
    scale = 8
    image = Image.new("L", (size * scale, size * scale), 255)
    draw = ImageDraw.Draw(image)
    for x, y, w in _re.findall(r"M(\d+) (\d+)h(\d+)v1", svg):
        x, y, w = int(x), int(y), int(w)
        draw.rectangle([x * scale, y * scale, (x + w) * scale - 1, (y + 1) * scale - 1], fill=0)
    image.save(tmp_path / "qr.png")
    out = subprocess.run(["zbarimg", "--raw", "-q", str(tmp_path / "qr.png")],
                         capture_output=True, text=True, check=True).stdout.strip()
    assert out == url


@pytest.mark.parametrize("value, lang, shown", [
    ("5.80", "fr", "5,80"), ("5.80", "en", "5.80"), ("5.80", "zh", "5.80"),
    ("2017", "en", "2017"), ("2017", "fr", "2017"), ("−50 %", "fr", "−50 %"), ("1,050", "en", "1,050"),
])
def test_key_figures_keep_their_digits_and_use_the_decimal_mark(value, lang, shown):
    from exhibit.views import format_value

    assert format_value(value, lang) == shown


@pytest.mark.parametrize("lang, shown", [("zh", "10%～12%"), ("en", "10–12%"),
                                         ("fr", "10 à 12\u00a0%")])
def test_a_key_figure_is_written_as_its_language_writes_it(client, lang, shown):
    """Panel 04's range: "10%～12%" in Chinese, one value per language in panel.yaml."""
    page = htmllib.unescape(client.get(f"/{lang}/panels/mercury-flows/").get_data(as_text=True))
    values = re.findall(r'<span class="kf-value">(.*?)</span>\s*<span class="kf-label">', page,
                        re.S)
    assert shown in values, values
    others = {"10%～12%", "10–12%", "10 à 12\u00a0%", "10–12"} - {shown}
    assert not others & set(values), values
