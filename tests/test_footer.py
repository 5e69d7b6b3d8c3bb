"""The footer of every public page (issue 18, "For a ministry's outreach page"): organisers in the
page's language, contact, ©, and the Chinese web-filing numbers (ICP备案, 公安备案) linked to their
official pages only when set, checked at start; the contact and © lines are content the checker
reads (exhibition.yaml)."""

from __future__ import annotations

import re
import subprocess
import sys
from html.parser import HTMLParser

import pytest

from exhibit.content import InvalidContent, load_exhibition
from exhibit.settings import SettingsError, footer_settings_problems, psb_filing_url

from .conftest import DEMO_PANELS, make_app, publish

LANGS = ("zh", "en", "fr")
ICP = "京ICP备12345678号-1"
PSB = "京公网安备 11010502000000号"
PSB_URL = "https://beian.mps.gov.cn/#/query/webSearch?code=11010502000000"
# FECO's current official names (content brief, "Corrections and additions").
FECO = {"zh": "生态环境部对外合作与交流中心",
        "en": "Foreign Environmental Cooperation Center, Ministry of Ecology and Environment",
        "fr": "Centre de coopération environnementale avec l’étranger"}


class _Footer(HTMLParser):
    """The text and links inside <footer class="site-footer">."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0
        self.count = 0
        self.text: list[str] = []
        self.links: dict[str, str] = {}  # href -> link text
        self._href: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "footer" and "site-footer" in (attrs.get("class") or ""):
            self.depth += 1
            self.count += 1
        elif self.depth and tag == "a":
            self._href = attrs.get("href")
            self.links[self._href] = ""

    def handle_endtag(self, tag):
        if tag == "footer" and self.depth:
            self.depth -= 1
        elif tag == "a":
            self._href = None

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)
            if self._href is not None:
                self.links[self._href] += data


def footer(html: str) -> _Footer:
    parsed = _Footer()
    parsed.feed(html)
    assert parsed.count == 1, "the page should have exactly one site footer"
    parsed.joined = re.sub(r"\s+", " ", "".join(parsed.text))
    return parsed


def public_pages(lang: str) -> list[tuple[str, int]]:
    return [(f"/{lang}/", 200), (f"/{lang}/panels/mercury-flows/", 200),
            (f"/{lang}/feedback/", 200), (f"/{lang}/privacy/", 200),
            (f"/{lang}/no-such-page/", 404)]


@pytest.fixture(scope="module")
def filed_app(media_cache):
    """The demo with both filing numbers set."""
    app = make_app(DEMO_PANELS, media_cache, ICP_FILING_NUMBER=ICP, PSB_FILING_NUMBER=PSB)
    publish(app)
    return app


@pytest.mark.parametrize("lang", LANGS)
def test_every_public_page_has_the_footer_in_its_language(client, lang):
    for path, status in public_pages(lang):
        response = client.get(path)
        assert response.status_code == status, path
        found = footer(response.get_data(as_text=True))
        assert FECO[lang] in found.joined, f"{path}: FECO's official name missing"
        assert ("联合国工业发展组织" if lang == "zh" else "UNIDO" if lang == "en" else "ONUDI") \
            in found.joined
        assert "mailto:expo@example.org" in found.links, f"{path}: no contact link"
        assert f"/{lang}/privacy/" in found.links, f"{path}: no privacy notice link"
        assert "© 2026 " in found.joined, f"{path}: no © year"
        # The holders, in the page's language (zh lists names with 、).
        holders = "生态环境部对外合作与交流中心、联合国工业发展组织" if lang == "zh" else None
        if holders:
            assert f"© 2026 {holders}" in found.joined
        # Not set by default: no filing line at all.
        assert "beian" not in " ".join(found.links), f"{path}: a filing link though none is set"


def test_the_language_chooser_of_a_frozen_copy_has_the_footer(demo_app):
    from flask import render_template

    from exhibit.publication import public_exhibition

    with demo_app.test_request_context("/"):
        ex = public_exhibition(demo_app)
        html = render_template("web/choose_language.html", lang=ex.default_language)
    assert FECO["zh"] in footer(html).joined


@pytest.mark.parametrize("lang", LANGS)
def test_filing_numbers_are_shown_with_their_official_links_when_set(filed_app, lang):
    client = filed_app.test_client()
    for path, _status in public_pages(lang):
        found = footer(client.get(path).get_data(as_text=True))
        assert found.links.get("https://beian.miit.gov.cn/") == ICP, path
        assert found.links.get(PSB_URL) == PSB, path


def test_the_footer_loads_nothing_from_another_host(filed_app):
    """Plain links: no emblem image or script from beian.* (only <a href> point there)."""
    html = filed_app.test_client().get("/zh/").get_data(as_text=True)
    for match in re.finditer(r"<(\w+)[^>]*\b(src|srcset|href)=\"(https?://[^\"]+)\"", html):
        tag, attribute, url = match.groups()
        if "beian" in url:
            assert (tag, attribute) == ("a", "href"), match.group(0)


@pytest.mark.parametrize(("number", "code"), [
    ("京公网安备 11010502000000号", "11010502000000"),
    ("沪公网安备31011502008888号", "31011502008888"),
])
def test_public_security_numbers_link_to_their_record(number, code):
    assert psb_filing_url(number) == f"https://beian.mps.gov.cn/#/query/webSearch?code={code}"


@pytest.mark.parametrize(("settings", "says"), [
    ({"ICP_FILING_NUMBER": "ICP 12345678"}, "ICP_FILING_NUMBER 'ICP 12345678' is not an ICP"),
    ({"ICP_FILING_NUMBER": "京ICP备12345678"}, "ICP_FILING_NUMBER"),  # no 号
    ({"PSB_FILING_NUMBER": "京公网安备 1101050200号"}, "14 digits"),
    ({"PSB_FILING_NUMBER": "11010502000000"}, "PSB_FILING_NUMBER"),
    ({"WECHAT_APP_ID": "wx0123456789abcdef"}, "set both"),
    ({"WECHAT_SIGNATURE_URL": "/sign"}, "set both"),
    ({"WECHAT_APP_ID": "0123", "WECHAT_SIGNATURE_URL": "/sign"}, "not a WeChat AppID"),
    ({"WECHAT_APP_ID": "wx0123456789abcdef", "WECHAT_SIGNATURE_URL": "http://sign.example"},
     "must be a path on this site"),
    ({"WECHAT_APP_ID": "wx0123456789abcdef", "WECHAT_SIGNATURE_URL": "/sign",
      "WECHAT_JSSDK_URL": "http://res.wx.qq.com/open/js/jweixin-1.6.0.js"}, "WECHAT_JSSDK_URL"),
])
def test_malformed_settings_are_refused_at_start(media_cache, settings, says):
    assert any(says in problem for problem in footer_settings_problems(settings))
    with pytest.raises(SettingsError, match=re.escape(says)):
        make_app(DEMO_PANELS, media_cache, **settings)


@pytest.mark.parametrize("settings", [
    {"ICP_FILING_NUMBER": "京ICP备12345678号"},
    {"ICP_FILING_NUMBER": "京ICP证030173号"},
    {"PSB_FILING_NUMBER": "京公网安备 11010502000000号"},
    {"WECHAT_APP_ID": "wx0123456789abcdef", "WECHAT_SIGNATURE_URL": "https://sign.example.org/s",
     "WECHAT_JSSDK_URL": "https://res.wx.qq.com/open/js/jweixin-1.6.0.js"},
    {},
])
def test_well_formed_settings_pass(settings):
    assert footer_settings_problems(settings) == []


def test_exhibit_run_refuses_a_malformed_filing_number_with_a_clear_message(tmp_path):
    env = {"EXHIBIT_ICP_FILING_NUMBER": "ICP-12345", "EXHIBIT_CONTENT_DIR": str(DEMO_PANELS),
           "EXHIBIT_MEDIA_CACHE_DIR": str(tmp_path / "cache"),
           "EXHIBIT_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "EXHIBIT_SECRET_KEY": "test", "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-m", "exhibit", "routes"], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "not starting: ICP_FILING_NUMBER 'ICP-12345' is not an ICP filing number" \
        in result.stderr
    assert "Traceback" not in result.stderr


# -- the content: contact and © in exhibition.yaml, read by the checker -------------------------

def _with(scratch, text: str):
    path = scratch / "exhibition.yaml"
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")
    return path


def test_contact_and_copyright_are_read_from_the_exhibition(scratch):
    _with(scratch, "contact:\n  email: expo@example.org\n  name: {zh: 办公室, en: Office, fr: "
                   "Bureau}\ncopyright:\n  holders: [feco]\n  year: 2027\n")
    ex = load_exhibition(scratch)
    assert ex.contact.email == "expo@example.org"
    assert ex.contact.name["fr"] == "Bureau"
    assert ex.copyright_holders == ("feco",)
    assert ex.copyright_year == 2027


def test_the_checker_reports_a_bad_contact_and_copyright_with_their_lines(scratch):
    path = _with(scratch, "contact:\n  email: not-an-address\ncopyright:\n  holders: [fecoo]\n"
                          "  year: twenty\n")
    with pytest.raises(InvalidContent) as caught:
        load_exhibition(scratch)
    report = caught.value.report()
    lines = path.read_text(encoding="utf-8").splitlines()
    line_of = {key: lines.index(text) + 1 for key, text in (
        ("email", "  email: not-an-address"), ("holders", "  holders: [fecoo]"),
        ("year", "  year: twenty"))}
    assert f"exhibition.yaml:{line_of['email']}: 'contact: email' is not an e-mail address" \
        in report
    assert f"exhibition.yaml:{line_of['holders']}: unknown organisation 'fecoo'" in report
    assert f"exhibition.yaml:{line_of['year']}: 'copyright: year' must be a year" in report


# -- in a real browser: axe-core on pages with the full footer, at phone width ------------------

PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="module")
def filed_server(filed_app):
    from .live import serve

    with serve(filed_app) as url:
        yield url


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/zh/", "/fr/", "/zh/privacy/", "/fr/privacy/",
                                  "/en/privacy/", "/zh/no-such-page/"])
def test_pages_with_the_full_footer_are_clean(browser, filed_server, path):
    """No axe-core violation, no sideways scroll, no request to another host (the filing links
    are links, nothing is loaded from beian.*), with both filing numbers set, at 360 px."""
    from .test_browser import Watch, assert_clean, settle

    context = browser.new_context(viewport=PHONE, device_scale_factor=1, service_workers="block")
    try:
        page = context.new_page()
        watch = Watch(filed_server)
        watch.attach(page)
        page.goto(filed_server + path, wait_until="load")
        settle(page)
        if path.endswith("no-such-page/"):
            watch.errors = [e for e in watch.errors if "404" not in e or path not in e]
        footer_box = page.locator("footer.site-footer").bounding_box()
        assert footer_box and footer_box["width"] <= PHONE["width"]
        assert page.locator(f"footer a[href='{PSB_URL}']").inner_text() == PSB
        assert_clean(page, watch, f"{path} with filing numbers at 360 px")
    finally:
        context.close()
