"""The staff area: sign-in, roles, CSRF, throttling, cookies, exports, channel figures, photos."""

from __future__ import annotations

import csv
import io
import re
import uuid

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select

from exhibit.auth.accounts import AccountError, create_account
from exhibit.visits import store
from exhibit.visits.schema import channel_reports, photos

HTTPS = "https://localhost"
PASSWORD = "correct horse battery staple"


class Staff:
    """A browser-like session in the staff area over HTTPS, with the CSRF token handled."""

    def __init__(self, app):
        self.app = app
        self.client = app.test_client()

    def get(self, path, **kw):
        return self.client.get(path, base_url=HTTPS, **kw)

    def token(self, path="/staff/login"):
        html = self.get(path).get_data(as_text=True)
        return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)

    def post(self, path, data=None, token=True, **kw):
        data = dict(data or {})
        if token:
            data["csrf_token"] = self.token(path if path != "/staff/logout" else "/staff/")
        # Browsers send the Referer on same-origin posts; Flask-WTF requires it over HTTPS.
        headers = {"Referer": HTTPS + path, **kw.pop("headers", {})}
        return self.client.post(path, data=data, base_url=HTTPS, headers=headers, **kw)

    def login(self, name, password=PASSWORD):
        return self.post("/staff/login", {"name": name, "password": password})


@pytest.fixture()
def accounts(visit_app):
    engine = visit_app.extensions["exhibit.db"]
    for name, role, org in (("vera", "viewer", None), ("ed", "editor", None),
                            ("rita", "reviewer", "unido"), ("ada", "admin", None)):
        create_account(engine, name, PASSWORD, role, org)
    return engine


@pytest.fixture()
def staff(visit_app, accounts):
    visit_app.config["WTF_CSRF_ENABLED"] = True
    return Staff(visit_app)


def test_password_rules(visit_app):
    engine = visit_app.extensions["exhibit.db"]
    with pytest.raises(AccountError, match="at least 12 characters"):
        create_account(engine, "short", "abc", "viewer", None)
    with pytest.raises(AccountError, match="too common"):
        create_account(engine, "common", "password1234", "viewer", None)
    with pytest.raises(AccountError, match="belongs to an organisation"):
        create_account(engine, "rev", PASSWORD, "reviewer", None)


@pytest.mark.parametrize("path", ["/staff/", "/staff/exports", "/staff/exports/visits",
                                  "/staff/channels", "/staff/photos"])
def test_every_staff_page_needs_a_login(staff, path):
    response = staff.get(path)
    assert response.status_code == 302
    assert response.location.startswith("/staff/login?next=")


@pytest.mark.parametrize("name, path, status", [
    ("vera", "/staff/", 200), ("vera", "/staff/exports/visits", 403),
    ("vera", "/staff/channels", 403), ("vera", "/staff/photos", 403),
    ("rita", "/staff/exports", 403), ("ed", "/staff/exports/visits", 200),
    ("ed", "/staff/photos", 200), ("ada", "/staff/channels", 200),
])
def test_roles_decide_what_a_user_may_do(staff, name, path, status):
    assert staff.login(name).status_code == 302
    assert staff.get(path).status_code == status


def test_login_sets_a_safe_cookie_and_logout_ends_the_session(staff):
    response = staff.login("vera")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("__Host-exhibit-session=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Path=/" in cookie and "Domain" not in cookie
    assert staff.get("/staff/").status_code == 200
    assert staff.post("/staff/logout").status_code == 302
    assert staff.get("/staff/").status_code == 302


def test_wrong_name_and_wrong_password_look_the_same(staff):
    bad_name = staff.login("nobody")
    bad_password = staff.login("vera", "wrong password here")
    assert bad_name.status_code == bad_password.status_code == 401
    message = "The name or the password is wrong."
    assert message in bad_name.get_data(as_text=True)
    assert message in bad_password.get_data(as_text=True)


def test_forms_need_the_csrf_token(staff):
    response = staff.post("/staff/login", {"name": "vera", "password": PASSWORD}, token=False)
    assert response.status_code == 400
    staff.login("ed")
    response = staff.post("/staff/channels", {"channel": "weibo", "date": "2026-11-01",
                                              "reads": "10", "source": "Weibo"}, token=False)
    assert response.status_code == 400


def test_login_attempts_are_throttled(visit_app, accounts):
    visit_app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    staff = Staff(visit_app)
    visit_app.config["WTF_CSRF_ENABLED"] = False
    codes = [staff.login("vera", "wrong password here").status_code for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    limited = staff.login("vera")  # even the right password waits
    assert limited.status_code == 429 and "Retry-After" in limited.headers


def test_open_redirect_after_login_is_refused(staff):
    response = staff.post("/staff/login?next=//evil.example/", {"name": "vera",
                                                                "password": PASSWORD})
    assert response.location == "/staff/"


def _events(visit_app, rows):
    store.record_events(visit_app.extensions["exhibit.db"], rows)


def _row(**values):
    import datetime as dt
    base = {"id": str(uuid.uuid4()), "kind": "page_view", "surface": "web", "lang": "zh",
            "panel": "story", "kiosk_id": None, "session_id": None, "channel": "wechat",
            "dwell_ms": None, "visitor": "v1", "data": None,
            "occurred_at": dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC),
            "received_at": dt.datetime(2026, 11, 20, 9, tzinfo=dt.UTC),
            "day": dt.date(2026, 11, 20)}
    base.update(values)
    return base


def test_csv_export_escapes_formulas_and_filters_by_date(staff, visit_app):
    import datetime as dt
    _events(visit_app, [_row(), _row(data='{"path": "=HYPERLINK(\\"http://x\\")"}'),
                        _row(panel="output", visitor="=1+1"),
                        _row(day=dt.date(2026, 10, 1))])
    staff.login("ed")
    response = staff.get("/staff/exports/visits?format=csv&from=2026-11-01&to=2026-11-30")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith(
        'attachment; filename="exhibit-visits-')
    text = response.get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 3
    assert {r["visitor"] for r in rows} == {"v1", "'=1+1"}
    assert all(not r["visitor"].startswith("=") for r in rows)


def test_xlsx_export_opens_in_a_spreadsheet(staff, visit_app):
    _events(visit_app, [_row(), _row(visitor="@SUM(A1)")])
    staff.login("ed")
    with staff.get("/staff/exports/visits?format=xlsx") as response:
        assert response.status_code == 200
        data = response.data
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("id", "kind", "time (Asia/Shanghai)")
    assert {r[11] for r in rows[1:]} == {"v1", "'@SUM(A1)"}


def test_channel_figures_entered_and_imported(staff, visit_app):
    staff.login("ed")
    response = staff.post("/staff/channels", {"channel": "weibo", "date": "2026-11-01",
                                              "reads": "12,500", "source": "Weibo data centre"})
    assert response.status_code == 302
    good = "channel,date,reads,source\ndouyin,2026-11-02,900000,Douyin creator report\n"
    response = staff.post("/staff/channels", {"csv": (io.BytesIO(good.encode()), "r.csv")},
                          content_type="multipart/form-data")
    assert response.status_code == 302
    bad = "channel,date,reads,source\nmyspace,2026-11-02,5,x\ndouyin,2026-13-01,5,x\n"
    response = staff.post("/staff/channels", {"csv": (io.BytesIO(bad.encode()), "r.csv")},
                          content_type="multipart/form-data")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "line 2: unknown channel &#39;myspace&#39;" in html and "line 3:" in html
    with visit_app.extensions["exhibit.db"].connect() as conn:
        rows = {r.channel: (r.reads, r.source, r.entered_by)
                for r in conn.execute(select(channel_reports))}
    assert rows == {"weibo": (12500, "Weibo data centre", "ed"),
                    "douyin": (900000, "Douyin creator report", "ed")}
    dashboard = staff.get("/staff/").get_data(as_text=True)
    assert "912,500" in dashboard  # total reach: reported reads count towards it


def _image_bytes(fmt="JPEG", size=(800, 600)):
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 60)).save(out, fmt)
    return out.getvalue()


def test_photo_upload_is_validated_and_reencoded(staff, visit_app, tmp_path):
    staff.login("ed")
    response = staff.post("/staff/photos", {"photo": (io.BytesIO(_image_bytes()), "../../evil.php"),
                                            "caption": "Opening day"},
                          content_type="multipart/form-data")
    assert response.status_code == 302
    with visit_app.extensions["exhibit.db"].connect() as conn:
        row = conn.execute(select(photos)).one()
    stored = list((tmp_path / "instance" / "photos").iterdir())
    assert [p.name for p in stored] == [f"{row.id}.jpg"]  # never the uploaded name
    with staff.get(f"/staff/photos/{row.id}.jpg") as response:
        assert response.status_code == 200 and response.mimetype == "image/jpeg"

    not_image = staff.post("/staff/photos", {"photo": (io.BytesIO(b"<?php system($_GET[c]);"),
                                                       "x.jpg"), "caption": "x"},
                           content_type="multipart/form-data")
    assert not_image.status_code == 400
    assert "not a readable image" in not_image.get_data(as_text=True)
    visit_app.config["MAX_UPLOAD_PIXELS"] = 1_000_000
    bomb = staff.post("/staff/photos", {"photo": (io.BytesIO(_image_bytes("PNG", (4000, 4000))),
                                                  "big.png"), "caption": "x"},
                      content_type="multipart/form-data")
    assert bomb.status_code == 400 and "pixels" in bomb.get_data(as_text=True)
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    refused = staff.post("/staff/photos", {"photo": (io.BytesIO(gif.getvalue()), "a.gif"),
                                           "caption": "x"}, content_type="multipart/form-data")
    assert refused.status_code == 400 and "not accepted" in refused.get_data(as_text=True)
    assert len(list((tmp_path / "instance" / "photos").iterdir())) == 1
