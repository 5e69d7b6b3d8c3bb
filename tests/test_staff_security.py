"""The staff area against OWASP ASVS 5.0 (L1 + L2): passwords, throttled sign-in, sessions that
really end, the audit trail, no account enumeration, body limits, no state change on GET,
downloads as attachments under names chosen by the server, and photo uploads (formats,
polyglots, metadata, bombs, file names). On SQLite and PostgreSQL (visit_app)."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import statistics
import struct
import time
import uuid
import zipfile
import zlib
from pathlib import Path
from types import SimpleNamespace

import pytest
from PIL import Image, ImageFile, PngImagePlugin
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import DBAPIError

from exhibit.auth import accounts as accounts_module
from exhibit.auth.accounts import (
    AccountError,
    check_password_rules,
    common_passwords,
    create_account,
    set_password,
)
from exhibit.auth.audit import STAFF_ACTIONS
from exhibit.staff.blueprint import DOWNLOADS
from exhibit.visits.db import upgrade
from exhibit.visits.schema import MIGRATIONS, audit_events, metadata, photos, schema_version

from .test_staff import HTTPS, PASSWORD, Staff

SMALL = "300x424"  # a small print page: the proof renders quickly


@pytest.fixture()
def accounts(visit_app):
    """A viewer, an editor, a reviewer and an admin (as in test_staff)."""
    engine = visit_app.extensions["exhibit.db"]
    for name, role, org in (("vera", "viewer", None), ("ed", "editor", None),
                            ("rita", "reviewer", "unido"), ("ada", "admin", None)):
        create_account(engine, name, PASSWORD, role, org)
    return engine


@pytest.fixture()
def staff(visit_app, accounts):
    visit_app.config["WTF_CSRF_ENABLED"] = True
    return Staff(visit_app)


def audit_rows(app, action=None):
    with app.extensions["exhibit.db"].connect() as conn:
        query = select(audit_events).order_by(audit_events.c.id)
        if action:
            query = query.where(audit_events.c.action == action)
        return conn.execute(query).all()


def session_cookie(client) -> str:
    return client.get_cookie("__Host-exhibit-session", domain="localhost").value


# -- passwords --------------------------------------------------------------------------------------

def test_the_common_password_list_is_djangos_and_loaded_once():
    words = common_passwords()
    assert isinstance(words, frozenset) and len(words) > 19_000
    assert common_passwords() is words  # read once per process
    assert {"password1234", "qwerty123456", "1q2w3e4r5t6y", "minamata", "worldbank"} <= words
    folder = Path(accounts_module.__file__).parent
    notice = (folder / "common-passwords.NOTICE").read_text()
    assert "Django" in notice and "Redistribution and use" in notice
    assert hashlib.sha256((folder / "common-passwords.txt.gz").read_bytes()).hexdigest() in notice
    started = time.perf_counter()
    for i in range(20_000):
        f"not-in-the-list-{i}" in words  # noqa: B015
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize("password", ["QWERTY123456", "Password1234", "1Q2W3E4R5T6Y",
                                      "PasswordPassword", "Minamata"])
def test_common_passwords_are_refused_whatever_their_case(password):
    with pytest.raises(AccountError):
        check_password_rules(password, "someone")


@pytest.mark.parametrize("password", [PASSWORD, "exhibit-demo-review", "Mercury cut by 2032!"])
def test_good_passwords_pass(password):
    check_password_rules(password, "someone")


# -- throttled sign-in ------------------------------------------------------------------------------

def _login_from(visit_app, name, address, password="wrong password here"):
    client = visit_app.test_client()
    return client.post("/staff/login", data={"name": name, "password": password},
                       base_url=HTTPS, environ_base={"REMOTE_ADDR": address})


def test_sign_in_is_throttled_per_address_and_per_account(visit_app, accounts):
    visit_app.config.update(LOGIN_RATE_LIMIT="3 per minute", WTF_CSRF_ENABLED=False)
    # One address trying many names.
    codes = [_login_from(visit_app, name, "10.0.0.1").status_code
             for name in ("a1", "a2", "a3", "a4")]
    assert codes == [401, 401, 401, 429]
    # One name tried from many addresses.
    codes = [_login_from(visit_app, "vera", f"10.0.1.{i}").status_code for i in range(4)]
    assert codes == [401, 401, 401, 429]
    limited = _login_from(visit_app, "vera", "10.0.2.1", PASSWORD)  # even the right password
    assert limited.status_code == 429
    assert int(limited.headers["Retry-After"]) > 0
    page = limited.get_data(as_text=True)
    assert "Too many attempts" in page and "Try again in" in page
    # Another account from another address is not held up.
    assert _login_from(visit_app, "ed", "10.0.3.1", PASSWORD).status_code == 302
    # The same account in another case or Unicode form is the same account for the limit too.
    codes = [_login_from(visit_app, name, f"10.0.4.{i}").status_code
             for i, name in enumerate(("ed", "ED", "\uff45\uff44", " Ed"))]
    assert codes == [401, 401, 401, 429]


def test_only_failed_sign_ins_count_and_a_throttle_is_audited_once(visit_app, accounts):
    visit_app.config.update(LOGIN_RATE_LIMIT="3 per minute", WTF_CSRF_ENABLED=False)
    # The owner signing in again and again is never locked out.
    codes = [_login_from(visit_app, "ed", "10.1.0.1", PASSWORD).status_code for _ in range(6)]
    assert codes == [302] * 6
    # Failures do count; once throttled, more attempts add no line to the audit trail.
    codes = [_login_from(visit_app, "vera", "10.1.1.1").status_code for _ in range(8)]
    assert codes == [401] * 3 + [429] * 5
    throttled = audit_rows(visit_app, "sign_in_throttled")
    assert len(throttled) == 1
    assert throttled[0].actor == "vera" and throttled[0].address == "10.1.1.1"
    assert throttled[0].detail in ("too many failed sign-ins for this address",
                                   "too many failed sign-ins for this account")


def test_a_refused_request_is_in_the_audit_trail(staff, visit_app):
    staff.login("vera")  # a viewer
    assert staff.get("/staff/audit.csv").status_code == 403
    assert staff.post("/staff/channels", {"channel": "weibo", "date": "2026-11-01",
                                          "reads": "1", "source": "x",
                                          "csrf_token": staff.token("/staff/")},
                      token=False).status_code == 403
    refused = audit_rows(visit_app, "access_refused")
    assert [(r.actor, r.target, r.detail) for r in refused] == [
        ("vera", "/staff/audit.csv", "needs users"), ("vera", "/staff/channels", "needs channels")]
    assert not audit_rows(visit_app, "channel_figures_saved")


def test_a_closed_account_cannot_sign_in_and_its_sessions_end(staff, visit_app):
    runner = visit_app.test_cli_runner()
    staff.login("ed")
    assert staff.get("/staff/").status_code == 200
    result = runner.invoke(args=["users", "deactivate", "ed"])
    assert result.exit_code == 0, result.output
    assert staff.get("/staff/").status_code == 302  # the open session ended
    response = staff.login("ed")
    assert response.status_code == 401
    assert "The name or the password is wrong." in response.get_data(as_text=True)
    listing = runner.invoke(args=["users", "list"]).output
    assert re.search(r"^ed\s+editor  \(closed\)$", listing, re.M), listing
    assert re.search(r"^rita\s+reviewer of unido$", listing, re.M), listing
    assert runner.invoke(args=["users", "activate", "ed"]).exit_code == 0
    assert staff.login("ed").status_code == 302
    assert "nobody" in runner.invoke(args=["users", "deactivate", "nobody"]).output
    rows = [(r.action, r.target) for r in audit_rows(visit_app)
            if r.action in ("user_deactivated", "user_activated")]
    assert rows == [("user_deactivated", "ed"), ("user_activated", "ed")]


def test_exports_and_imports_from_the_command_line_are_audited(visit_app, tmp_path):
    runner = visit_app.test_cli_runner()
    out = tmp_path / "visits.csv"
    result = runner.invoke(args=["export", "visits", "--out", str(out), "--from", "2026-11-01",
                                 "--kind", "page_view"])
    assert result.exit_code == 0, result.output
    log = tmp_path / "visits.jsonl"
    log.write_text('{"not": "an event"}\n', encoding="utf-8")
    assert runner.invoke(args=["import", "visits", str(log)]).exit_code == 0
    exported, imported = audit_rows(visit_app, "export_visits")[-1], \
        audit_rows(visit_app, "import_visits")[-1]
    assert exported.actor.startswith("command line") and exported.address is None
    assert exported.target == str(out.resolve())
    assert exported.detail == "format=csv&from=2026-11-01&kind=page_view"
    assert imported.target == str(log.resolve()) and imported.detail == "1 rejected"
    # A file that is not UTF-8 after a good one: a clear error, and the good one on the record.
    good = tmp_path / "good.jsonl"
    good.write_text('{"not": "an event either"}\n', encoding="utf-8")
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b"\xff\xfe not text")
    result = runner.invoke(args=["import", "visits", str(good), str(bad)])
    assert result.exit_code == 1 and "bad.jsonl: not UTF-8 text" in result.output
    assert "Traceback" not in result.output
    assert audit_rows(visit_app, "import_visits")[-1].detail == "1 rejected"


# -- no account enumeration -------------------------------------------------------------------------

@pytest.mark.full_password_cost
def test_passwords_are_stored_as_scrypt_at_full_cost(visit_app, accounts):
    """The other tests hash cheaply (conftest); here the production cost is checked on real rows."""
    with visit_app.extensions["exhibit.db"].connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM users")).scalars().all()
    assert len(stored) == 4
    assert all(hash_.startswith("scrypt:32768:8:1$") for hash_ in stored), stored


@pytest.mark.full_password_cost  # timings compared at the production cost, as attackers see them
def test_unknown_name_and_wrong_password_look_and_take_the_same(staff, visit_app, monkeypatch):
    engine = visit_app.extensions["exhibit.db"]
    with engine.begin() as conn:
        conn.execute(text("UPDATE users SET active = :off WHERE name = 'ed'"), {"off": False})
    checked = []
    real_check = accounts_module.check_password_hash

    def counting(hash_, password):
        checked.append(hash_.split("$", 1)[0])
        return real_check(hash_, password)

    monkeypatch.setattr(accounts_module, "check_password_hash", counting)
    pages = {}
    for case, (name, password) in {"unknown": ("nobody", PASSWORD),
                                   "wrong password": ("vera", "wrong password here"),
                                   "inactive": ("ed", PASSWORD)}.items():
        checked.clear()
        response = staff.login(name, password)
        # Every case runs exactly one scrypt check of the same cost.
        assert checked == [accounts_module.PASSWORD_METHOD], case
        body = re.sub(r'name="csrf_token" value="[^"]+"', "", response.get_data(as_text=True))
        pages[case] = (response.status_code, body)
    assert len(set(pages.values())) == 1
    assert pages["unknown"][0] == 401

    def timed(name, password):
        started = time.perf_counter()
        accounts_module.authenticate(engine, name, password)
        return time.perf_counter() - started

    unknown = statistics.median(timed("nobody", PASSWORD) for _ in range(5))
    wrong = statistics.median(timed("vera", "wrong password here") for _ in range(5))
    assert 1 / 3 < unknown / wrong < 3, (unknown, wrong)


# -- sessions that end ------------------------------------------------------------------------------

def test_a_copied_cookie_stops_working_at_sign_out(staff, visit_app):
    assert staff.login("vera").status_code == 302
    copied = session_cookie(staff.client)
    thief = visit_app.test_client()
    thief.set_cookie("__Host-exhibit-session", copied, domain="localhost")
    assert thief.get("/staff/", base_url=HTTPS).status_code == 200
    assert staff.post("/staff/logout").status_code == 302
    assert thief.get("/staff/", base_url=HTTPS).status_code == 302  # refused by the server
    # Signing in again makes a new session; the copied one stays dead.
    assert staff.login("vera").status_code == 302
    assert staff.get("/staff/").status_code == 200
    assert thief.get("/staff/", base_url=HTTPS).status_code == 302


def test_setting_the_password_ends_every_session(staff, visit_app, accounts):
    staff.login("vera")
    assert staff.get("/staff/").status_code == 200
    set_password(accounts, "vera", "a new and long passphrase")
    assert staff.get("/staff/").status_code == 302
    assert staff.login("vera").status_code == 401
    assert staff.login("vera", "a new and long passphrase").status_code == 302
    with pytest.raises(AccountError, match="too common"):
        set_password(accounts, "vera", "qwerty123456")
    with pytest.raises(AccountError, match="no account"):
        set_password(accounts, "nobody", "a new and long passphrase")


def test_end_sessions_command_signs_an_account_out_everywhere(staff, visit_app):
    staff.login("ada")
    result = visit_app.test_cli_runner().invoke(args=["users", "end-sessions", "ada"])
    assert result.exit_code == 0, result.output
    assert staff.get("/staff/").status_code == 302
    assert visit_app.test_cli_runner().invoke(
        args=["users", "end-sessions", "nobody"]).exit_code != 0


class Clock:
    def __init__(self):
        self.now = time.time()

    def __call__(self):
        return self.now


def test_sessions_end_when_idle_and_after_their_lifetime(staff, visit_app, monkeypatch):
    import exhibit.auth.sessions as auth

    clock = Clock()
    monkeypatch.setattr(auth, "time", SimpleNamespace(time=clock))  # the sessions' clock only
    visit_app.config.update(SESSION_IDLE_TIMEOUT=1800)
    staff.login("vera")
    for _ in range(4):  # active every 25 minutes: still signed in after 100 minutes
        clock.now += 25 * 60
        assert staff.get("/staff/").status_code == 200
    clock.now += 31 * 60
    assert staff.get("/staff/").status_code == 302  # idle too long

    staff.login("vera")
    lifetime = visit_app.permanent_session_lifetime.total_seconds()
    steps = int(lifetime // (25 * 60)) + 1
    codes = []
    for _ in range(steps):
        clock.now += 25 * 60
        codes.append(staff.get("/staff/").status_code)
    assert codes[0] == 200 and codes[-1] == 302  # never idle, but the working day is over


# -- the audit trail --------------------------------------------------------------------------------

def _jpeg(size=(64, 48), **save):
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 60)).save(out, "JPEG", **save)
    return out.getvalue()


def _upload(staff, data, name="p.jpg", caption="Opening day"):
    return staff.post("/staff/photos", {"photo": (io.BytesIO(data), name), "caption": caption},
                      content_type="multipart/form-data")


def delete_photo(staff, photo_id):
    return staff.post(f"/staff/photos/{photo_id}/delete",
                      {"csrf_token": staff.token("/staff/photos")}, token=False)


def test_every_privileged_action_is_in_the_audit_trail(staff, visit_app, accounts, tmp_path):
    runner = visit_app.test_cli_runner()
    assert runner.invoke(args=["users", "create", "carl", "--role", "editor", "--password-stdin"],
                         input=PASSWORD + "\n").exit_code == 0
    assert runner.invoke(args=["users", "set-role", "carl", "--role", "viewer"]).exit_code == 0
    assert runner.invoke(args=["users", "set-password", "carl", "--password-stdin"],
                         input="another long passphrase\n").exit_code == 0
    staff.login("nobody")
    staff.login("ed", "wrong password here")
    staff.login("ed")
    assert staff.post("/staff/channels", {"channel": "weibo", "date": "2026-11-01",
                                          "reads": "12500", "source": "Weibo"}).status_code == 302
    assert _upload(staff, _jpeg()).status_code == 302
    photo_id = audit_rows(visit_app, "photo_uploaded")[0].target
    assert staff.get("/staff/exports/visits?format=csv&from=2026-11-01").status_code == 200
    assert delete_photo(staff, photo_id).status_code == 303
    assert not (tmp_path / "instance" / "photos" / f"{photo_id}.jpg").exists()
    assert staff.post("/staff/logout").status_code == 302

    rows = audit_rows(visit_app)
    accounts_changed = [(r.action, r.target) for r in rows
                        if r.action in ("user_created", "role_changed", "password_set")]
    assert accounts_changed[-3:] == [("user_created", "carl"), ("role_changed", "carl"),
                                     ("password_set", "carl")]
    assert rows[-11].actor.startswith("command line") and rows[-11].address is None
    actions = [r.action for r in rows[-8:]]
    assert actions == ["sign_in_failed", "sign_in_failed", "sign_in", "channel_figures_saved",
                       "photo_uploaded", "export_visits", "photo_deleted", "sign_out"]
    by_action = {r.action: r for r in rows[-8:]}
    failed = [r for r in rows if r.action == "sign_in_failed"]
    assert [(r.actor, r.detail) for r in failed] == [("nobody", "no such account"),
                                                     ("ed", "wrong password")]
    assert by_action["sign_in"].address == "127.0.0.1"
    assert by_action["channel_figures_saved"].detail == "weibo 2026-11-01: 12500"
    assert by_action["export_visits"].target.startswith("exhibit-visits-")
    assert by_action["export_visits"].detail == "format=csv&from=2026-11-01"
    assert "Opening day" in by_action["photo_deleted"].detail
    assert {r.action for r in rows} <= set(STAFF_ACTIONS)
    assert all(r.at is not None for r in rows)


def test_the_audit_trail_is_for_admins_in_the_record_and_append_only(staff, visit_app):
    staff.login("ed")
    assert staff.get("/staff/audit.csv").status_code == 403
    assert "staff/audit.csv" not in staff.get("/staff/exports").get_data(as_text=True)
    staff.post("/staff/logout")
    staff.login("ada")
    assert "/staff/audit.csv" in staff.get("/staff/exports").get_data(as_text=True)
    response = staff.get("/staff/audit.csv")
    assert response.status_code == 200
    assert re.fullmatch(r'attachment; filename="exhibit-staff-audit-\d{4}-\d\d-\d\d\.csv"',
                        response.headers["Content-Disposition"])
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [(r["actor"], r["action"]) for r in rows if r["action"].startswith("sign")] == [
        ("ed", "sign_in"), ("ed", "sign_out"), ("ada", "sign_in")]
    assert all(r["at"].endswith("Z") for r in rows)
    staff.login("=cmd|' /C calc'!A0", "wrong password here")  # a formula as the name typed
    with staff.get("/staff/record.zip?lang=en") as response:
        assert response.status_code == 200
        archive = zipfile.ZipFile(io.BytesIO(response.data))
    trail = archive.read("review/staff-audit-trail.csv").decode("utf-8-sig")
    assert "download_staff_audit" in trail and "'=cmd|" in trail  # shown, never run

    engine = visit_app.extensions["exhibit.db"]
    for statement in ("UPDATE audit_events SET actor = 'someone else'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    # No code of the app updates or deletes it either.
    root = Path(__file__).resolve().parent.parent / "exhibit"
    for path in root.rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"audit_events\.(update|delete)\(|(update|delete)\(\s*audit_events",
                             source), path


def test_migration_3_upgrades_an_older_database(database_url, tmp_path):
    from exhibit.visits.db import make_engine

    if database_url.startswith("postgresql://"):
        database_url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = make_engine(database_url)
    try:
        schema_version.create(engine)
        import datetime as dt
        for version, _description, step in MIGRATIONS[:2]:
            with engine.begin() as conn:
                step(conn)
                conn.execute(schema_version.insert().values(version=version,
                                                            applied_at=dt.datetime.now(dt.UTC)))
        assert "session_epoch" not in {c["name"] for c in inspect(engine).get_columns("users")}
        with engine.begin() as conn:  # a user made before version 3
            conn.execute(text("INSERT INTO users (name, password_hash, role, active, created_at) "
                              "VALUES ('old', 'x', 'viewer', :on, :now)"),
                         {"on": True, "now": dt.datetime.now(dt.UTC)})
        assert upgrade(engine) == [f"{v}: {description}" for v, description, _ in MIGRATIONS[2:]]
        with engine.connect() as conn:
            assert conn.execute(text("SELECT session_epoch FROM users")).scalar() == 0
        assert upgrade(engine) == []
    finally:
        engine.dispose()


# -- body limits ------------------------------------------------------------------------------------

def test_bodies_over_the_limits_get_a_clear_413(staff, visit_app, tmp_path):
    visit_app.config.update(MAX_UPLOAD_BYTES=200_000, MAX_FORM_BYTES=50_000)
    staff.login("ed")
    big_photo = _jpeg((1200, 1200), quality=100, subsampling=0) + b"\0" * 300_000
    response = _upload(staff, big_photo)
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "too large" in page and "0.2 MB" in page and "Nothing was saved" in page
    assert not (tmp_path / "instance" / "photos").exists() or not list(
        (tmp_path / "instance" / "photos").iterdir())

    big_csv = "channel,date,reads,source\n" + "weibo,2026-11-01,1,x\n" * 5000
    response = staff.post("/staff/channels", {"csv": (io.BytesIO(big_csv.encode()), "r.csv")},
                          content_type="multipart/form-data")
    assert response.status_code == 413 and "0.05 MB" in response.get_data(as_text=True)
    response = staff.post("/staff/login", {"name": "x" * 60_000, "password": "y"})
    assert response.status_code == 413
    # Too many parts in one form.
    fields = {f"f{i}": "x" for i in range(60)}
    response = staff.post("/staff/channels", {**fields, "csv": (io.BytesIO(b"x"), "r.csv")},
                          content_type="multipart/form-data")
    assert response.status_code == 413
    assert not audit_rows(visit_app, "channel_figures_saved")


def test_only_those_who_may_add_photos_may_send_a_photo_sized_body(staff, visit_app):
    """Otherwise anyone could make the server read MAX_UPLOAD_BYTES per request."""
    visit_app.config.update(MAX_UPLOAD_BYTES=200_000, MAX_FORM_BYTES=50_000)
    photo = _jpeg((300, 300)) + b"\0" * 100_000  # over the form limit, under the photo limit

    def upload_with_token_from(client, page):
        return client.post("/staff/photos", {"photo": (io.BytesIO(photo), "p.jpg"),
                                             "caption": "x", "csrf_token": client.token(page)},
                           token=False, content_type="multipart/form-data")

    signed_out = upload_with_token_from(Staff(visit_app), "/staff/login")
    assert signed_out.status_code == 302  # to the sign-in page: signing in is what helps
    assert signed_out.location.startswith("/staff/login?next=")
    staff.login("vera")  # a viewer
    assert upload_with_token_from(staff, "/staff/").status_code == 413
    editor = Staff(visit_app)
    editor.login("ed")
    assert _upload(editor, photo).status_code != 413


# -- no state change on GET -------------------------------------------------------------------------

def _database_state(engine) -> dict[str, str]:
    """A hash of every row of every table, per table."""
    state = {}
    with engine.connect() as conn:
        for table in [*metadata.sorted_tables]:
            rows = conn.execute(select(table)).all()
            state[table.name] = hashlib.sha256(
                repr(sorted(map(repr, rows))).encode()).hexdigest() + f":{len(rows)}"
    return state


def _fill(rule, values) -> str:
    url = rule.rule
    for argument in rule.arguments:
        url = re.sub(rf"<(?:[^:<>]+:)?{argument}>", str(values[argument]), url)
    return url


def test_no_get_route_of_the_staff_area_changes_the_database(staff, visit_app):
    visit_app.config["PRINT_SIZE"] = SMALL
    staff.login("ed")
    staff.post("/staff/channels", {"channel": "weibo", "date": "2026-11-01", "reads": "5",
                                   "source": "Weibo"})
    _upload(staff, _jpeg())
    staff.post("/staff/logout")
    staff.login("ada")
    engine = visit_app.extensions["exhibit.db"]
    with engine.connect() as conn:
        photo_id = conn.execute(select(photos.c.id)).scalar_one()
    values = {"slug": "story", "lang": "en", "surface": "web", "photo_id": photo_id}
    rules = [r for r in visit_app.url_map.iter_rules()
             if r.rule.startswith("/staff") and "GET" in r.methods]
    assert len(rules) >= 15
    before = _database_state(engine)
    trail_before = len(audit_rows(visit_app))
    for rule in rules:
        url = _fill(rule, values)
        with staff.get(url) as response:
            assert response.status_code in (200, 302), (url, response.status_code)
    after = _database_state(engine)
    # The audit trail grows by one line per download; nothing else changes.
    assert {k: v for k, v in after.items() if k != "audit_events"} == {
        k: v for k, v in before.items() if k != "audit_events"}
    added = audit_rows(visit_app)[trail_before:]
    assert {r.action for r in added} == {DOWNLOADS[r.endpoint] for r in rules
                                         if r.endpoint in DOWNLOADS}
    assert all(r.actor == "ada" for r in added)


OPEN_STAFF_ENDPOINTS = {"staff.login", "staff.logout"}  # everything else asks for a capability


def test_every_staff_route_asks_for_sign_in_a_capability_and_a_token(staff, visit_app):
    """Walks the url map, so a route added later without its checks fails here: signed out, a
    route sends to the sign-in page; a role without the route's capability gets 403; a POST
    without its CSRF token gets 400 — for every route and every role."""
    from exhibit.auth.accounts import CAPABILITIES

    rules = [r for r in visit_app.url_map.iter_rules()
             if r.rule.startswith("/staff/") and r.endpoint not in OPEN_STAFF_ENDPOINTS]
    assert len(rules) >= 17
    for rule in rules:
        capability = getattr(visit_app.view_functions[rule.endpoint], "required_capability", None)
        assert capability in CAPABILITIES["admin"], f"{rule.rule} does not use @requires"
    values = {"slug": "story", "lang": "en", "surface": "web", "photo_id": uuid.uuid4()}

    def each_request():
        for rule in rules:
            url = _fill(rule, values)
            for method in sorted(rule.methods & {"GET", "POST"}):
                yield rule, method, url

    def send(client, method, url, token):
        if method == "GET":
            return client.get(url)
        return client.post(url, {"csrf_token": token}, token=False)

    signed_out = Staff(visit_app)
    token = signed_out.token("/staff/login")
    for _rule, method, url in each_request():
        response = send(signed_out, method, url, token)
        assert response.status_code == 302, (method, url, response.status_code)
        assert response.location.startswith("/staff/login"), (method, url)

    for name, role in (("vera", "viewer"), ("ed", "editor"), ("rita", "reviewer")):
        client = Staff(visit_app)
        assert client.login(name).status_code == 302
        token = client.token("/staff/")
        for rule, method, url in each_request():
            capability = visit_app.view_functions[rule.endpoint].required_capability
            if capability in CAPABILITIES[role]:
                continue
            response = send(client, method, url, token)
            assert response.status_code == 403, (role, method, url, response.status_code)

    staff.login("ada")
    for _rule, method, url in each_request():
        if method == "POST":
            response = staff.post(url, {"csrf_token": "not the token"}, token=False)
            assert response.status_code == 400, (url, response.status_code)
            assert "The form has expired" in response.get_data(as_text=True)
    assert staff.post("/staff/logout", {}, token=False).status_code == 400


# -- downloads --------------------------------------------------------------------------------------

HOSTILE = "filename=../../evil.sh&download_name=evil.html&name=x"


def test_every_download_is_an_attachment_under_a_name_the_server_chose(staff, visit_app):
    if visit_app.extensions["exhibit.db"].dialect.name != "sqlite":
        pytest.skip("downloads do not depend on the database (the GET walk runs on both)")
    visit_app.config["PRINT_SIZE"] = SMALL
    staff.login("ada")
    staff.post("/staff/channels", {"channel": "weibo", "date": "2026-11-01", "reads": "5",
                                   "source": "Weibo"})
    _upload(staff, _jpeg())
    with visit_app.extensions["exhibit.db"].connect() as conn:
        photo_id = conn.execute(select(photos.c.id)).scalar_one()
    downloads = {
        "staff.export_visits": "/staff/exports/visits?format=csv",
        "staff.report_pdf": "/staff/report.pdf?lang=en",
        "staff.record_zip": "/staff/record.zip?lang=en",
        "staff.audit_csv": "/staff/audit.csv",
        "review.audit": "/staff/review/audit.csv",
        "review.print_preview": "/staff/review/story/print/en.pdf",
        "staff.photo_file": f"/staff/photos/{photo_id}.jpg",
    }
    assert set(downloads) == set(DOWNLOADS) | {"staff.photo_file"}
    xlsx = "/staff/exports/visits?format=xlsx"
    for url in [*downloads.values(), xlsx]:
        sep = "&" if "?" in url else "?"
        with staff.get(f"{url}{sep}{HOSTILE}") as response:
            assert response.status_code == 200, url
            disposition = response.headers["Content-Disposition"]
        assert re.fullmatch(r'attachment; filename="?(exhibit|DRAFT)-[A-Za-z0-9._-]+"?',
                            disposition), (url, disposition)
        assert "evil" not in disposition
    audited = {r.action for r in audit_rows(visit_app)}
    assert set(DOWNLOADS.values()) <= audited


# -- photo uploads ----------------------------------------------------------------------------------

def _png(size=(40, 30), info=None):
    out = io.BytesIO()
    Image.new("RGB", size, (10, 20, 200)).save(out, "PNG", pnginfo=info)
    return out.getvalue()


def _zip() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("evil.html", "<script>alert(1)</script>")
    return out.getvalue()


def _php_in_png_text():
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "<?php system($_GET['c']); ?>")
    return _png(info=info)


REFUSED = {
    "pdf": (b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n", "doc.jpg",
            "The file is of type PDF"),
    "svg": (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" '
            b'height="10"><script>alert(1)</script></svg>', "image.svg", "The file is of type SVG"),
    "html renamed .jpg": (b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script>",
                          "photo.jpg", "The file is of type HTML"),
    "jpeg + html appended": (_jpeg() + b"<html><script>alert(1)</script></html>", "p.jpg",
                             "something else after the image"),
    "jpeg + zip appended": (_jpeg() + _zip(), "p.jpg", "something else after the image"),
    "png + data after IEND": (_png() + b"<?php echo 1; ?>", "p.png",
                              "something else after the image"),
    "jpeg with a script comment": (_jpeg(comment=b"<script>alert(1)</script>"), "p.jpg",
                                   "web page, script or PDF code"),
    "png with php in a text chunk": (_php_in_png_text(), "p.png", "web page, script or PDF code"),
    "gif": (None, "a.gif", "GIF files are not accepted"),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_uploads_that_are_not_plain_photos_are_refused(staff, visit_app, tmp_path, case):
    data, name, message = REFUSED[case]
    if data is None:
        out = io.BytesIO()
        Image.new("RGB", (10, 10)).save(out, "GIF")
        data = out.getvalue()
    staff.login("ed")
    response = _upload(staff, data, name)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    folder = tmp_path / "instance" / "photos"
    assert not folder.exists() or not list(folder.iterdir())
    assert not audit_rows(visit_app, "photo_uploaded")


def _exif_jpeg() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0xA431] = "SERIAL-4242"  # BodySerialNumber (in the Exif IFD, also accepted here)
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 50.0)})
    out = io.BytesIO()
    Image.new("RGB", (120, 80), (200, 180, 20)).save(out, "JPEG", exif=exif,
                                                     comment=b"taken at home")
    return out.getvalue()


def test_a_photo_is_reencoded_without_its_metadata(staff, visit_app, tmp_path):
    original = _exif_jpeg()
    assert b"SecretCam" in original and b"taken at home" in original
    with Image.open(io.BytesIO(original)) as check:
        assert check.getexif().get_ifd(0x8825)  # the GPS position is there before
    staff.login("ed")
    assert _upload(staff, original).status_code == 302
    (stored,) = (tmp_path / "instance" / "photos").iterdir()
    data = stored.read_bytes()
    assert b"Exif" not in data and b"SecretCam" not in data and b"SERIAL-4242" not in data
    assert b"taken at home" not in data
    with Image.open(stored) as image:
        assert image.format == "JPEG" and image.size == (120, 80)
        assert not image.getexif() and "comment" not in image.info
    with visit_app.extensions["exhibit.db"].connect() as conn:
        row = conn.execute(select(photos)).one()
    assert row.sha256 == hashlib.sha256(data).hexdigest() and row.bytes == len(data)


def _png_bomb(width: int, height: int) -> bytes:
    """A 1-bit PNG of width × height white... zeros, compressed to almost nothing."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return (struct.pack(">I", len(body)) + kind + body
                + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF))
    compressor = zlib.compressobj(9)
    row = bytes(1 + (width + 7) // 8)
    rows_per_chunk = max(1, 1_000_000 // len(row))
    parts = []
    for start in range(0, height, rows_per_chunk):
        parts.append(compressor.compress(row * min(rows_per_chunk, height - start)))
    parts.append(compressor.flush())
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0,
                                                             0, 0, 0))
            + chunk(b"IDAT", b"".join(parts)) + chunk(b"IEND", b""))


@pytest.mark.parametrize("width, height, message", [
    (10_000, 8_000, "the limit is 60,000,000"),  # over MAX_UPLOAD_PIXELS, under Pillow's own
    (30_000, 30_000, "too large to open safely"),  # over Pillow's decompression-bomb limit
])
def test_a_decompression_bomb_is_refused_before_it_is_decoded(staff, monkeypatch, width, height,
                                                              message):
    bomb = _png_bomb(width, height)
    assert len(bomb) < 200_000  # tiny on the wire, gigabytes once decoded

    def never(self, *args, **kwargs):
        raise AssertionError("the bomb was decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", never)
    staff.login("ed")
    response = _upload(staff, bomb, "bomb.png")
    assert response.status_code == 400 and message in response.get_data(as_text=True)


@pytest.mark.parametrize("name", ["../../x.jpg", "a/b.jpg", "..\\..\\win.jpg", "фото 📷 展览.jpg",
                                  "/etc/passwd", ".htaccess", "x.php.jpg", ""])
def test_photos_are_never_stored_under_the_uploaded_name(staff, visit_app, tmp_path, name):
    staff.login("ed")
    response = _upload(staff, _jpeg(), name or "x")
    assert response.status_code == 302
    stored = [p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file()
              and "photos" in p.parts]
    (only,) = stored
    assert only.parent == Path("instance/photos")
    assert re.fullmatch(r"[0-9a-f-]{36}\.jpg", only.name) and uuid.UUID(only.stem)
    leaf = Path(name.replace("\\", "/")).name
    if leaf:
        assert not [p for p in tmp_path.rglob(leaf) if "panels" not in p.parts]


# -- account names, roles and the way back after sign-in ---------------------------------------------

def _users(runner, *args, password=None):
    """`exhibit users ...` as typed, with the password on standard input when given."""
    extra = ["--password-stdin"] if password is not None else []
    return runner.invoke(args=["users", *args, *extra], input=password)


def _accounts_named(app):
    with app.extensions["exhibit.db"].connect() as conn:
        return conn.execute(text("SELECT name, role, organisation FROM users ORDER BY id")).all()


def test_names_that_differ_only_by_case_or_unicode_form_are_one_account(visit_app):
    runner = visit_app.test_cli_runner()
    made = _users(runner, "create", "Ada", "--role", "editor", password=PASSWORD + "\n")
    assert made.exit_code == 0, made.output
    # Another case, full-width letters, a no-break space NFKC turns into a trailing space.
    for twin in ("ada", "ADA", "\uff21\uff44\uff41", "Ada\u00a0", " Ada "):
        result = _users(runner, "create", twin, "--role", "viewer", password=PASSWORD + "\n")
        assert result.exit_code == 1 and "an account named" in result.output, (twin, result.output)
    assert [row.name for row in _accounts_named(visit_app)] == ["Ada"]
    # The case-folded German sharp s: "Straße" and "STRASSE" are one name too.
    assert _users(runner, "create", "Straße", "--role", "viewer",
                  password=PASSWORD + "\n").exit_code == 0
    assert "already exists" in _users(runner, "create", "STRASSE", "--role", "viewer",
                                      password=PASSWORD + "\n").output
    # Full-width input is stored in its normal form; the account answers to any case.
    assert _users(runner, "create", "\uff22\uff4f", "--role", "viewer",
                  password=PASSWORD + "\n").exit_code == 0
    assert _accounts_named(visit_app)[-1].name == "Bo"
    visit_app.config["WTF_CSRF_ENABLED"] = True
    assert Staff(visit_app).login("ADA").status_code == 302
    assert _users(runner, "set-role", "aDa", "--role", "viewer").exit_code == 0
    assert _accounts_named(visit_app)[0].role == "viewer"


@pytest.mark.parametrize("name, message", [
    ("-", "must start with a letter or a digit"),
    ("system", "reserved"), ("Anonymous", "reserved"), ("\uff33\uff39\uff33\uff34\uff25\uff2d",
                                                        "reserved"),
    ("command line (root)", "reserved"), ("nobody", "reserved"),
    ("\x1b[31mred", "U+001B"), ("ad\u200bmin", "U+200B"), ("\u200dada", "U+200D"),
    ("ada\u202eevil", "U+202E"), ("a\u2028b", "U+2028"), ("a\x00b", "U+0000"),
    ("a\tb", "U+0009"), ("a\u3000\u3000b", "two spaces"), ("a  b", "two spaces"),
    ("\u3164", "U+1160"), ("\u2800ada", "U+2800"), ("   ", "1 to 80"), ("x" * 81, "1 to 80"),
    ("=cmd|' /C calc'!A0", "must start with a letter or a digit"),
])
def test_names_that_would_mislead_are_refused(visit_app, name, message):
    result = _users(visit_app.test_cli_runner(), "create", name, "--role", "viewer",
                    password=PASSWORD + "\n")
    assert result.exit_code == 1 and message in result.output, result.output
    assert "Traceback" not in result.output
    assert _accounts_named(visit_app) == []


def test_ordinary_names_and_the_demo_admin_are_accepted(visit_app):
    runner = visit_app.test_cli_runner()
    for name, role in (("admin", "admin"), ("Li Wei", "viewer"), ("王芳", "editor"),
                       ("élodie.martin", "viewer"), ("feco-reviewer", "viewer")):
        result = _users(runner, "create", name, "--role", role, password=PASSWORD + "\n")
        assert result.exit_code == 0, (name, result.output)
    assert [row.name for row in _accounts_named(visit_app)] == [
        "admin", "Li Wei", "王芳", "élodie.martin", "feco-reviewer"]


def test_an_admin_belongs_to_no_organisation(visit_app, accounts):
    runner = visit_app.test_cli_runner()
    refused = _users(runner, "create", "boss", "--role", "admin", "--org", "feco",
                     password=PASSWORD + "\n")
    assert refused.exit_code == 1 and "an admin belongs to no organisation" in refused.output
    with pytest.raises(AccountError, match="no organisation"):
        create_account(accounts, "boss", PASSWORD, "admin", "unido")
    refused = _users(runner, "set-role", "rita", "--role", "admin", "--org", "unido")
    assert refused.exit_code == 1 and "an admin belongs to no organisation" in refused.output
    # Made an admin, the reviewer leaves the organisation she decided for.
    assert _users(runner, "set-role", "rita", "--role", "admin").exit_code == 0
    assert ("rita", "admin", None) in _accounts_named(visit_app)
    # An admin given an organisation before this rule: it is not one of the account's powers.
    with accounts.begin() as conn:
        conn.execute(text("UPDATE users SET organisation = 'feco' WHERE name = 'ada'"))
    assert accounts_module.check_credentials(accounts, "ada", PASSWORD)[0].organisation is None


@pytest.mark.parametrize("ending", ["\n", "\r\n", ""])
def test_password_stdin_takes_the_line_without_its_ending(visit_app, ending):
    runner = visit_app.test_cli_runner()
    made = _users(runner, "create", "carl", "--role", "editor", password=PASSWORD + ending)
    assert made.exit_code == 0, made.output
    assert accounts_module.authenticate(visit_app.extensions["exhibit.db"], "carl", PASSWORD)
    other = "another long passphrase"
    assert _users(runner, "set-password", "carl", password=other + ending).exit_code == 0
    engine = visit_app.extensions["exhibit.db"]
    assert accounts_module.authenticate(engine, "carl", other)
    assert not accounts_module.authenticate(engine, "carl", other + "\r")


@pytest.mark.parametrize("raw_next", [
    "/staff/%0D%0ASet-Cookie:%20x=1", "/staff/%0a", "/staff/x%0d", "/staff/%09tab", "/staff/%00",
    "/staff/%E2%80%A8", "/staff/%C3%A9t%C3%A9", "//evil.example/staff/", "/staff/%5C%5Cevil",
    "/staff/../../evil", "/staff/%2e%2e/%2E%2E/evil", "https://evil.example/staff/",
    "/staff/%20", "",
])
def test_after_sign_in_a_bad_next_goes_to_the_dashboard(staff, raw_next):
    response = staff.post(f"/staff/login?next={raw_next}", {"name": "ed", "password": PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/staff/"
    assert "Set-Cookie: x" not in str(response.headers)


def test_after_sign_in_a_good_next_is_followed(staff):
    response = staff.post("/staff/login?next=/staff/%3Ffrom%3D2026-11-01",
                          {"name": "ed", "password": PASSWORD})
    assert response.headers["Location"] == "/staff/?from=2026-11-01"


def test_what_is_typed_at_sign_in_reaches_the_audit_trail_printable(staff, visit_app):
    staff.login("ed\x1b[2J\u202eevil", password="wrong password here")
    actor = audit_rows(visit_app, "sign_in_failed")[-1].actor
    assert actor == "ed\ufffd[2J\ufffdevil"


def test_migration_4_keys_the_names_of_an_older_database(database_url):
    from exhibit.visits.db import make_engine

    if database_url.startswith("postgresql://"):
        database_url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = make_engine(database_url)
    try:
        schema_version.create(engine)
        import datetime as dt
        for version, _description, step in MIGRATIONS[:3]:
            with engine.begin() as conn:
                step(conn)
                conn.execute(schema_version.insert().values(version=version,
                                                            applied_at=dt.datetime.now(dt.UTC)))
        with engine.begin() as conn:  # look-alikes made before names were compared folded
            for name in ("Ada", "ada", "bob"):
                conn.execute(text("INSERT INTO users (name, password_hash, role, active, "
                                  "created_at) VALUES (:name, 'x', 'viewer', :on, :now)"),
                             {"name": name, "on": True, "now": dt.datetime.now(dt.UTC)})
        assert upgrade(engine)[0] == f"4: {MIGRATIONS[3][1]}"
        with engine.connect() as conn:
            keys = conn.execute(text("SELECT name, name_key FROM users ORDER BY id")).all()
        assert [tuple(row) for row in keys] == [("Ada", "ada"), ("ada", None), ("bob", "bob")]
        with pytest.raises(AccountError, match="already exists"):
            create_account(engine, "BOB", PASSWORD, "viewer", None)
        # The database itself refuses a second key.
        with pytest.raises(DBAPIError), engine.begin() as conn:
            conn.execute(text("UPDATE users SET name_key = 'ada' WHERE name = 'bob'"))
    finally:
        engine.dispose()
