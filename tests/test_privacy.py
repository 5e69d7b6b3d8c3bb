"""The privacy notice says exactly what the visit log keeps (issue 18): its list of fields is made
from the validator's own FIELDS and the columns the server adds, so a new field or column that is
not on the page fails here; and the questionnaire does not claim that nothing is recorded."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from exhibit.visits.events import FIELDS
from exhibit.visits.schema import events
from exhibit.web.privacy import COLUMN_OF, FIELD_LABELS, SERVER_FIELDS

ROOT = Path(__file__).resolve().parent.parent
LANGS = ("zh", "en", "fr")
TITLE = {"zh": "隐私声明", "en": "Privacy notice", "fr": "Avis de confidentialité"}


def test_every_column_of_the_visit_log_is_an_event_field_or_a_server_field():
    """The page lists FIELDS and SERVER_FIELDS: together they must cover every stored column
    (``data`` holds the event fields without a column of their own)."""
    covered = {COLUMN_OF.get(name, name) for name in FIELDS} | set(SERVER_FIELDS) | {"data"}
    missing = {column.name for column in events.columns} - covered
    assert not missing, f"columns of the events table not on the privacy notice: {missing}"


def test_every_event_field_has_plain_words():
    assert set(FIELD_LABELS) == set(FIELDS), "add plain words for it in exhibit/web/privacy.py"


@pytest.mark.parametrize("lang", LANGS)
def test_the_notice_names_every_stored_field(client, lang):
    response = client.get(f"/{lang}/privacy/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert f"<h1>{TITLE[lang]}</h1>" in html
    named = set(re.findall(r"<th scope=\"row\"><code>([a-z_]+)</code></th>", html))
    assert named == set(FIELDS) | set(SERVER_FIELDS)
    # What is not kept, and how the visitor code is made, in so many words.
    expected = {"zh": ("IP地址和用户代理本身不写入访问记录", "SHA-256", "不设置Cookie"),
                "en": ("are not written to the visit log", "SHA-256", "set no cookies"),
                "fr": ("ne sont pas écrits dans le journal des visites", "SHA-256",
                       "aucun cookie")}[lang]
    for words in expected:
        assert words in html, words


def test_the_field_words_are_translated(client):
    zh = client.get("/zh/privacy/").get_data(as_text=True)
    assert "浏览器或触摸屏为每条事件生成的随机编号" in zh
    assert "a random number made by your browser" not in zh


@pytest.mark.parametrize("lang", LANGS)
def test_the_questionnaire_links_the_notice_and_makes_no_false_promise(client, lang):
    html = client.get(f"/{lang}/feedback/").get_data(as_text=True)
    main = html[html.index("<main"):html.index("</main>")]
    assert f'href="/{lang}/privacy/"' in main


def test_no_text_claims_that_nothing_about_the_visitor_is_recorded():
    """Answers are stored with the language, time and (online) the day's visitor code: a promise
    that nothing is recorded would be false, in any language."""
    false_claims = re.compile(r"不记录任何个人信息|nothing about you is recorded|no personal "
                              r"information is recorded|rien sur vous n’est enregistré|aucune "
                              r"donnée personnelle n’est enregistrée", re.IGNORECASE)
    questionnaire = yaml.safe_load((ROOT / "panels" / "questionnaire.yaml").read_text("utf-8"))
    for lang, text in questionnaire["intro"].items():
        assert not false_claims.search(text), (lang, text)
    for po in (ROOT / "exhibit" / "translations").glob("*/LC_MESSAGES/messages.po"):
        assert not false_claims.search(po.read_text("utf-8")), po
    for template in (ROOT / "exhibit").rglob("*.html"):
        assert not false_claims.search(template.read_text("utf-8")), template


def _site_scripts() -> list[Path]:
    """The scripts the public pages load, and the shared modules they import."""
    site = ROOT / "exhibit" / "static" / "js" / "site"
    found, todo = set(), list(site.glob("*.js"))
    while todo:
        path = todo.pop()
        if path in found:
            continue
        found.add(path)
        for target in re.findall(r"from\s+\"(\.[^\"]+)\"", path.read_text("utf-8")):
            todo.append((path.parent / target).resolve())
    return sorted(found)


def test_the_public_pages_store_nothing_in_the_browser_as_the_notice_says():
    """The notice says: no cookies, no local storage. A script that starts storing something must
    come with a new notice (exhibit/web/templates/web/privacy.html)."""
    storage = re.compile(r"localStorage|sessionStorage|indexedDB|document\.cookie|caches\.open")
    scripts = _site_scripts()
    assert any(p.name == "track.js" for p in scripts)
    # The one thing a public page keeps in the browser: the large-text switch (access.js), which
    # the notice names with its key. Any other script that stores something needs its own words.
    notice = (Path(__file__).parent.parent / "exhibit/web/templates/web/privacy.html").read_text()
    named = {"access.js": "exhibit-access"}
    for path in scripts:
        code = re.sub(r"//.*", "", path.read_text("utf-8"))
        if path.name in named:
            assert named[path.name] in code and named[path.name] in notice, path.name
            assert not re.search(r"sessionStorage|indexedDB|document\.cookie|caches\.open", code)
            continue
        assert not storage.search(code), f"{path.name} stores data in the browser"


def test_public_pages_set_no_cookie(client):
    for path in ("/zh/", "/en/privacy/", "/fr/feedback/", "/zh/panels/mercury-flows/"):
        assert "Set-Cookie" not in client.get(path).headers, path
