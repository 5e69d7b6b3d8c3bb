"""Every error is answered in its surface and the visitor's language (exhibit/errors.py): the
public page with a way back, the staff area's page, JSON under /api/ — never Werkzeug's English
page, and always with the security headers of the surface."""

from __future__ import annotations

import re

import pytest

from exhibit.auth.accounts import create_account

from .conftest import make_app, publish
from .test_staff import PASSWORD, Staff

# What the public page says, per status and language (exhibit/translations).
MESSAGES = {
    404: {"zh": "此页面不存在。", "en": "This page does not exist.", "fr": "Cette page n’existe pas."},
    405: {"zh": "此页面不支持这种操作。", "en": "This page cannot be used that way.",
          "fr": "Cette page ne s’utilise pas de cette façon."},
    500: {"zh": "服务器出现问题，请稍后再试。",
          "en": "Something went wrong on our side. Please try again later.",
          "fr": "Un problème est survenu de notre côté. Veuillez réessayer plus tard."},
}
WERKZEUG = re.compile(r"<title>\d{3} [A-Z]|The method is not allowed|Internal Server Error")


@pytest.fixture()
def app(scratch, media_cache):
    app = make_app(scratch, media_cache, PROPAGATE_EXCEPTIONS=False)  # a bug is a 500 page

    def broken(**_):
        raise RuntimeError("a bug")

    # Routes of each surface that fail as a bug would.
    app.add_url_rule("/<lang>/broken/", "broken", broken)
    app.add_url_rule("/staff/broken", "staff_broken", broken)
    publish(app)
    return app


def expect_public_page(response, status: int, lang: str) -> str:
    html = response.get_data(as_text=True)
    assert response.status_code == status
    assert response.mimetype == "text/html"
    assert re.search(rf'<html lang="{"zh-Hans" if lang == "zh" else lang}"', html)
    assert MESSAGES[status][lang] in html
    assert f'href="/{lang}/"' in html  # the way back to the exhibition
    assert not WERKZEUG.search(html)
    assert "frame-ancestors" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    return html


@pytest.mark.parametrize("lang", ["zh", "en", "fr"])
def test_public_errors_speak_the_visitors_language(app, lang):
    client = app.test_client()
    expect_public_page(client.get(f"/{lang}/panels/no-such-panel/"), 404, lang)
    not_allowed = client.post(f"/{lang}/")
    expect_public_page(not_allowed, 405, lang)
    assert "GET" in not_allowed.headers["Allow"]
    expect_public_page(client.get(f"/{lang}/broken/"), 500, lang)
    # No language in the path: the browser's.
    response = client.get("/no-such-page/", headers={"Accept-Language": f"{lang};q=1"})
    expect_public_page(response, 404, lang)


def test_api_errors_stay_json(app):
    client = app.test_client()
    response = client.delete("/api/v1/events")
    assert response.status_code == 405 and response.is_json
    assert "Method Not Allowed" in response.json["error"] and "POST" in response.headers["Allow"]
    response = client.get("/api/v1/nothing")
    assert response.status_code == 404 and response.is_json


@pytest.mark.parametrize("lang, expired, not_allowed, bad_date", [
    ("en", "The form has expired", "Not allowed", "&#39;from&#39; must be a date like 2026-11-21."),
    ("zh", "表单已过期", "无权操作", "“from”必须是日期，例如 2026-11-21。"),
    ("fr", "Le formulaire a expiré", "Non autorisé",
     "«\u00a0from\u00a0» doit être une date comme 2026-11-21."),  # French spacing: no-break
])
def test_staff_errors_are_pages_of_the_staff_area(app, lang, expired, not_allowed, bad_date):
    app.config["WTF_CSRF_ENABLED"] = True
    create_account(app.extensions["exhibit.db"], "vera", PASSWORD, "viewer", None)
    staff = Staff(app)
    assert staff.login("vera").status_code == 302
    headers = {"Accept-Language": lang}
    # A form without its token (an old tab, another site): nothing saved, a page that says why.
    response = staff.post("/staff/logout", {"csrf_token": "stale"}, token=False, headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and expired in html and not WERKZEUG.search(html)
    assert response.headers["Cache-Control"] == "no-store"
    assert staff.get("/staff/").status_code == 200  # still signed in: the sign-out did not happen
    response = staff.get("/staff/exports", headers=headers)  # not for a viewer
    html = response.get_data(as_text=True)
    assert response.status_code == 403 and not_allowed in html
    assert 'href="/staff/"' in html  # back to the staff area
    response = staff.get("/staff/?from=yesterday", headers=headers)  # what was wrong, said
    assert response.status_code == 400 and bad_date in response.get_data(as_text=True)
    response = staff.get("/staff/broken", headers=headers)
    assert response.status_code == 500 and not WERKZEUG.search(response.get_data(as_text=True))
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_a_broken_error_page_still_answers(app, monkeypatch):
    """If the error page itself fails (the content store is what broke), Werkzeug's plain page
    with the right status, not a dropped connection."""
    import exhibit.errors

    def broken_page(error):
        raise RuntimeError("the error page broke too")

    monkeypatch.setattr(exhibit.errors, "public_error", broken_page)
    response = app.test_client().get("/en/panels/no-such-panel/")
    assert response.status_code == 404
    assert response.headers["X-Content-Type-Options"] == "nosniff"

