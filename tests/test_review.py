"""Review before publication: nothing unapproved reaches a visitor; two organisations approve each
version; an edit waits for new approvals while the old version stays public; the audit trail
records every step and cannot be edited. On SQLite and on a real PostgreSQL server (visit_app).

The scratch exhibition (tests/scratch.py) needs FECO and UNIDO; its panels are `story` (with a
photo) and `output` (a figure). The public surfaces checked are the topic page, panel pages, the API,
the kiosk's manifests and precache list, the sitemap and the final print files; the frozen copy
(`exhibit freeze`) is checked in tests/test_freeze.py.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import pypdf
import pytest
from PIL import Image
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from exhibit.auth.accounts import create_account, load_user
from exhibit.publication import panel_version, public_exhibition
from exhibit.publication.snapshot import decode, encode
from exhibit.record.archive import write_record
from exhibit.review.decisions import ReviewError, decide
from exhibit.surfaces import render_panel

from .conftest import DEMO_PANELS, ROOT, make_app
from .scratch import turn_review_off
from .test_staff import PASSWORD, Staff

SMALL = "300x424"  # a small page: the layout scales, the test stays quick
ADDED = "A sentence added after the approval."


@pytest.fixture()
def people(visit_app):
    """A FECO reviewer, two UNIDO reviewers, an admin and a viewer; name → User."""
    engine = visit_app.extensions["exhibit.db"]
    users = {}
    for name, role, org in (("fiona", "reviewer", "feco"), ("uma", "reviewer", "unido"),
                            ("uli", "reviewer", "unido"), ("ada", "admin", None),
                            ("vera", "viewer", None)):
        users[name] = create_account(engine, name, PASSWORD, role, org)
    return users


def as_user(app, user, slug, action="approve", comment="", version=None):
    """A decision through the same function as the staff screen."""
    with app.app_context():
        files = app.extensions["exhibit.content"].current()
        return decide(app, user, slug, version or files.panel(slug).version, action, comment)


def public_slugs(client, lang="en") -> list[str]:
    return [p["slug"] for p in client.get(f"/api/v1/panels?lang={lang}").get_json()["panels"]]


def edit(scratch: Path, app, slug="story") -> str:
    """Change the panel's English text and reload; returns its new version."""
    path = scratch / slug / "text.en.md"
    path.write_text(path.read_text(encoding="utf-8") + f"\n{ADDED}\n", encoding="utf-8")
    store = app.extensions["exhibit.content"]
    assert store.refresh() is True
    return store.exhibition.panel(slug).version


def everywhere(app, client, slug) -> dict[str, bool]:
    """Is the panel on each public surface? (print: see test_final_print_files_*)"""
    kiosk = client.get("/kiosk/precache.json").get_json()
    with app.app_context():
        panel = app.extensions["exhibit.content"].current().panel(slug)
        media = {url for url in kiosk["urls"] if url.startswith("/media/")}
        from exhibit.api.blueprint import panel_media_urls

        with app.test_request_context():
            own_media = set(panel_media_urls(panel))
    return {
        "topic page": f'href="/en/panels/{slug}/"' in client.get("/en/").get_data(as_text=True),
        "panel page": client.get(f"/fr/panels/{slug}/").status_code == 200,
        "api": slug in public_slugs(client),
        "kiosk manifest": slug in public_slugs(client, "zh"),
        "kiosk precache": bool(own_media) and own_media <= media,
        "sitemap": f"/zh/panels/{slug}/" in client.get("/sitemap.xml").get_data(as_text=True),
    }


# -- nothing unapproved is public ------------------------------------------------------------------

def test_an_unapproved_panel_appears_nowhere_public(visit_app, people, tmp_path):
    client = visit_app.test_client()
    assert everywhere(visit_app, client, "story") == dict.fromkeys(
        ["topic page", "panel page", "api", "kiosk manifest", "kiosk precache", "sitemap"], False)
    assert public_slugs(client) == []
    assert client.get("/kiosk/").status_code == 200  # the kiosk still starts, with nothing to show
    # Final print files: nothing published, nothing printed; asking for it says why.
    runner = visit_app.test_cli_runner()
    result = runner.invoke(args=["print", "story", "--size", SMALL, "--out", str(tmp_path)])
    assert result.exit_code == 2 and "no published version yet" in result.output
    assert "--draft" in result.output

    # One organisation is not enough.
    as_user(visit_app, people["fiona"], "story")
    assert not any(everywhere(visit_app, client, "story").values())
    # Both: public everywhere; the other panel still nowhere.
    as_user(visit_app, people["uma"], "story")
    assert all(everywhere(visit_app, client, "story").values())
    assert not any(everywhere(visit_app, client, "output").values())
    assert public_slugs(client) == ["story"]
    html = client.get("/en/").get_data(as_text=True)
    assert "1 panel in 2 sections" in html and 'id="s-data"' not in html


def test_final_print_files_are_the_published_versions_and_drafts_are_marked(
        visit_app, people, tmp_path):
    as_user(visit_app, people["fiona"], "output")
    as_user(visit_app, people["uma"], "output")
    runner = visit_app.test_cli_runner()
    result = runner.invoke(args=["print", "--size", SMALL, "--lang", "en", "--out",
                                 str(tmp_path / "final")])
    assert result.exit_code == 0, result.output
    assert "Not published yet, so not printed: story" in result.output
    assert [p.name for p in (tmp_path / "final").glob("*.pdf")] == ["01-output-en-300x424mm.pdf"]
    # --draft: the files as they are, every page marked.
    result = runner.invoke(args=["print", "story", "--draft", "--size", SMALL, "--lang", "fr",
                                 "--out", str(tmp_path / "draft")])
    assert result.exit_code == 0, result.output
    [pdf] = (tmp_path / "draft").glob("*.pdf")
    assert "BROUILLON" in pypdf.PdfReader(pdf).pages[0].extract_text()


# -- versions: an edit waits, the approved version stays -----------------------------------------

def test_an_edit_after_approval_waits_while_the_old_version_stays_public(
        visit_app, scratch, people, tmp_path):
    client = visit_app.test_client()
    first = as_user(visit_app, people["fiona"], "story").version
    as_user(visit_app, people["uma"], "story")
    assert ADDED not in client.get("/en/panels/story/").get_data(as_text=True)
    photo = client.get("/en/panels/story/").get_data(as_text=True)
    old_image = re.search(r'src="(/media/[^"]+)"', photo).group(1)

    # The author edits the text and replaces the photo: a new version, not public yet.
    Image.new("RGB", (1200, 800), (200, 40, 40)).save(scratch.parent / "media/images/photo.png")
    second = edit(scratch, visit_app)
    assert second != first
    page = client.get("/en/panels/story/").get_data(as_text=True)
    assert ADDED not in page and old_image in page  # the approved version, its own photo
    with client.get(old_image) as image:
        assert image.status_code == 200  # its derivatives are still served
    [shown] = client.get("/api/v1/panels?lang=en").get_json()["panels"]
    assert shown["version"] == first and ADDED not in shown["kiosk_html"]
    with visit_app.app_context():
        kept = public_exhibition(visit_app).panel("story")
        assert kept.version == first and kept.images[0].media.absolute.is_file()
        assert "published-media" in str(kept.images[0].media.absolute)  # not the edited file

    # Final print: the approved text and photo, from the snapshot.
    from exhibit.printing import render_set

    path = render_set(visit_app, ["story"], ["en"], size=SMALL, out_dir=tmp_path / "print")
    printed = pypdf.PdfReader(path).pages[0].extract_text()
    assert "A paragraph with no numbers." in printed and "added after" not in printed

    # One approval of the new version is not enough either; both make it public.
    as_user(visit_app, people["uli"], "story")
    assert ADDED not in client.get("/en/panels/story/").get_data(as_text=True)
    as_user(visit_app, people["fiona"], "story")
    assert ADDED in client.get("/en/panels/story/").get_data(as_text=True)
    assert client.get("/api/v1/panels?lang=en").get_json()["panels"][0]["version"] == second


def test_a_decision_by_another_process_is_seen(visit_app, scratch, media_cache, people):
    """Another gunicorn worker or server records a decision: this one sees it (it asks the
    database every REVIEW_RECHECK_SECONDS; 0 here)."""
    other = make_app(scratch, media_cache, DATABASE_URL=visit_app.config["DATABASE_URL"])
    visit_app.config["REVIEW_RECHECK_SECONDS"] = 0
    try:
        client = visit_app.test_client()
        assert public_slugs(client) == []
        with other.app_context():
            engine = other.extensions["exhibit.db"]
            for name in ("fiona", "uma"):
                user = load_user(engine, people[name].id)
                decide(other, user, "output", other.extensions["exhibit.content"].current()
                       .panel("output").version, "approve")
        assert public_slugs(client) == ["output"]
    finally:
        other.extensions["exhibit.db"].dispose()


def test_required_organisations_come_from_the_section(visit_app, scratch, people):
    yaml = scratch / "exhibition.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace(
        "    title: {zh: 数据, en: Data, fr: Données}\n",
        "    title: {zh: 数据, en: Data, fr: Données}\n    review_organisations: [feco]\n"),
        encoding="utf-8")
    assert visit_app.extensions["exhibit.content"].refresh() is True
    with pytest.raises(ReviewError, match="unido does not review this panel; it needs: feco"):
        as_user(visit_app, people["uma"], "output")
    as_user(visit_app, people["fiona"], "output")
    assert public_slugs(visit_app.test_client()) == ["output"]  # FECO alone is enough here


# -- who may decide what ----------------------------------------------------------------------------

@pytest.fixture()
def reviewer(visit_app, people):
    def signed_in(name):
        visit_app.config["WTF_CSRF_ENABLED"] = True
        staff = Staff(visit_app)
        assert staff.login(name).status_code == 302
        return staff
    return signed_in


# What Chromium sends with a form posted by a click on a page of this origin (Fetch Metadata).
BY_A_CLICK = {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "navigate",
              "Sec-Fetch-Dest": "document", "Sec-Fetch-User": "?1", "Origin": "https://localhost"}


def decision_form(staff, slug) -> dict[str, str]:
    """The hidden fields of the decision form as the reviewer's panel page has them now."""
    html = staff.get(f"/staff/review/{slug}/").get_data(as_text=True)
    return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', html))


def post_decision(staff, slug, version, action="approve", comment="", headers=BY_A_CLICK,
                  form=None, **extra):
    """Open the panel page and click a decision on it (with ``version`` in the form)."""
    form = form or decision_form(staff, slug)
    return staff.post(f"/staff/review/{slug}/decide", {
        "csrf_token": form["csrf_token"], "confirm": form.get("confirm", ""), "version": version,
        "action": action, "comment": comment, **extra}, token=False, headers=headers)


def test_a_reviewer_cannot_approve_for_another_organisation_or_twice(visit_app, reviewer,
                                                                     people):
    version = visit_app.extensions["exhibit.content"].exhibition.panel("story").version
    uma = reviewer("uma")
    # The organisation is the reviewer's own: a forged form field changes nothing.
    response = post_decision(uma, "story", version, organisation="feco")
    assert response.status_code == 303 and response.location == "/staff/review/"
    with visit_app.app_context():
        from exhibit.publication.state import load_decisions

        [decision] = load_decisions(visit_app.extensions["exhibit.db"])
    assert (decision.organisation, decision.reviewer, decision.action) == ("unido", "uma",
                                                                           "approve")
    # Decided: the page has no decision form any more, and a form sent all the same is refused.
    page = uma.get("/staff/review/story/").get_data(as_text=True)
    assert "has decided on this version." in page and 'name="confirm"' not in page
    assert post_decision(uma, "story", version).status_code == 403
    with pytest.raises(ReviewError, match=r"unido has already decided on this version \(uma,"):
        as_user(visit_app, people["uma"], "story")
    # A colleague of the same organisation cannot approve it once more either.
    uli = reviewer("uli")
    assert 'name="confirm"' not in uli.get("/staff/review/story/").get_data(as_text=True)
    assert post_decision(uli, "story", version).status_code == 403
    with pytest.raises(ReviewError, match="unido has already decided on this version"):
        as_user(visit_app, people["uli"], "story")
    assert public_slugs(visit_app.test_client()) == []  # still waiting for FECO
    # A version other than the one the form was made for, an unknown decision, no CSRF token.
    fiona = reviewer("fiona")
    forged = post_decision(fiona, "story", "0123456789abcdef")
    assert forged.status_code == 403 and "no longer valid" in forged.get_data(as_text=True)
    assert post_decision(fiona, "story", version, action="publish").status_code == 409
    assert fiona.post("/staff/review/story/decide", {"version": version, "action": "approve"},
                      token=False).status_code == 400
    assert post_decision(fiona, "story", version).status_code == 303
    assert public_slugs(visit_app.test_client()) == ["story"]
    with visit_app.app_context():
        assert len(load_decisions(visit_app.extensions["exhibit.db"])) == 2


def test_who_may_see_the_review_screens(visit_app, reviewer):
    assert Staff(visit_app).get("/staff/review/").status_code == 302  # sign in first
    viewer = reviewer("vera")
    for path in ("/staff/review/", "/staff/review/story/", "/staff/review/audit.csv",
                 "/staff/review/story/preview/web/en"):
        assert viewer.get(path).status_code == 403, path
    admin = reviewer("ada")
    page = admin.get("/staff/review/story/").get_data(as_text=True)
    assert 'name="action"' not in page  # an admin without an organisation sees, never decides
    version = visit_app.extensions["exhibit.content"].exhibition.panel("story").version
    refused = post_decision(admin, "story", version)  # no form, so no confirmation either
    assert refused.status_code == 403 and "no longer valid" in refused.get_data(as_text=True)
    with visit_app.app_context():
        from exhibit.publication.state import load_decisions

        assert load_decisions(visit_app.extensions["exhibit.db"]) == []


def test_a_version_that_changed_after_the_page_was_opened_is_refused(visit_app, scratch,
                                                                      reviewer):
    fiona = reviewer("fiona")
    version = visit_app.extensions["exhibit.content"].exhibition.panel("story").version
    form = decision_form(fiona, "story")
    edit(scratch, visit_app)  # the author saves an edit while the reviewer reads
    stale = post_decision(fiona, "story", version, form=form)
    assert stale.status_code == 409 and "has changed since you opened it" in stale.get_data(
        as_text=True)


@pytest.mark.parametrize("headers, why", [
    # A script's fetch() on the page (or in a frame), a form in a frame, a form.submit() with no
    # click, a sandboxed draft or medium (Origin: null), another site, an old browser.
    ({**BY_A_CLICK, "Sec-Fetch-Mode": "cors", "Sec-Fetch-Dest": "empty"}, "clicking Approve"),
    ({**BY_A_CLICK, "Sec-Fetch-Dest": "iframe"}, "clicking Approve"),
    ({k: v for k, v in BY_A_CLICK.items() if k != "Sec-Fetch-User"}, "clicking Approve"),
    ({**BY_A_CLICK, "Origin": "null", "Sec-Fetch-Site": "cross-site"}, "sandboxed page"),
    ({**BY_A_CLICK, "Sec-Fetch-Site": "same-site"}, "clicking Approve"),
    ({"Origin": "https://localhost"}, "clicking Approve"),
])
def test_only_a_click_on_the_review_page_decides(visit_app, reviewer, headers, why):
    """What script in a draft could send, even holding the CSRF token and the confirmation,
    is refused, recorded in the staff audit trail, and changes nothing."""
    fiona = reviewer("fiona")
    version = visit_app.extensions["exhibit.content"].exhibition.panel("story").version
    refused = post_decision(fiona, "story", version, headers=headers)
    assert refused.status_code == 403 and why in refused.get_data(as_text=True)
    engine = visit_app.extensions["exhibit.db"]
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM review_decisions")).scalar() == 0
        assert conn.execute(text("SELECT target FROM audit_events WHERE action = "
                                 "'decision_refused'")).scalars().all() == ["story"]
    # The reviewer's own click still works afterwards.
    assert post_decision(fiona, "story", version).status_code == 303


def test_a_confirmation_decides_once(visit_app, reviewer):
    """The confirmation is bound to the session and spent by a decision: a form opened before
    the reviewer's last decision, or in another session, cannot decide."""
    fiona = reviewer("fiona")
    opened_before = decision_form(fiona, "output")["confirm"]
    other_session = decision_form(reviewer("fiona"), "output")["confirm"]
    story = visit_app.extensions["exhibit.content"].exhibition.panel("story").version
    assert post_decision(fiona, "story", story).status_code == 303
    output = visit_app.extensions["exhibit.content"].exhibition.panel("output").version
    for confirm in (opened_before, other_session):
        form = {**decision_form(fiona, "output"), "confirm": confirm}
        spent = post_decision(fiona, "output", output, form=form)
        assert spent.status_code == 403 and "no longer valid" in spent.get_data(as_text=True)
    assert post_decision(fiona, "output", output).status_code == 303


def test_sending_back_needs_a_comment_and_closes_the_version(visit_app, scratch, reviewer,
                                                             people):
    version = visit_app.extensions["exhibit.content"].exhibition.panel("story").version
    fiona = reviewer("fiona")
    empty = post_decision(fiona, "story", version, action="send_back", comment="  ")
    assert empty.status_code == 409 and "needs a comment" in empty.get_data(as_text=True)
    assert post_decision(fiona, "story", version, action="send_back",
                         comment="Cite the treaty text for 2017.").status_code == 303
    uma = reviewer("uma")
    # Closed: UNIDO's page has no decision form any more, and the decision itself is refused.
    page = uma.get("/staff/review/story/").get_data(as_text=True)
    assert "This version was sent back" in page and 'name="confirm"' not in page
    assert post_decision(uma, "story", version).status_code == 403
    with pytest.raises(ReviewError, match="was sent back by feco"):
        as_user(visit_app, people["uma"], "story")
    queue = uma.get("/staff/review/").get_data(as_text=True)
    assert "Cite the treaty text for 2017." in queue
    assert 'href="/staff/review/story/"' not in queue.split('id="h-all"')[0]  # not waiting
    # The edit is a new version, waiting for both again.
    edit(scratch, visit_app)
    assert 'href="/staff/review/story/"' in uma.get("/staff/review/").get_data(
        as_text=True).split('id="h-all"')[0]


# -- the audit trail -------------------------------------------------------------------------------

def test_the_audit_trail_records_every_step_and_cannot_be_edited(visit_app, scratch, people,
                                                                 reviewer):
    as_user(visit_app, people["fiona"], "story")
    as_user(visit_app, people["uma"], "story", "send_back", "=HYPERLINK(\"http://x\") no")
    edit(scratch, visit_app)
    as_user(visit_app, people["uma"], "story")
    response = reviewer("uli").get("/staff/review/audit.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert re.fullmatch(r'attachment; filename="exhibit-review-audit-\d{4}-\d\d-\d\d\.csv"',
                        response.headers["Content-Disposition"])
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [(r["panel"], r["organisation"], r["reviewer"], r["action"]) for r in rows] == [
        ("story", "feco", "fiona", "approve"), ("story", "unido", "uma", "send_back"),
        ("story", "unido", "uma", "approve")]
    assert rows[1]["comment"].startswith("'=HYPERLINK")  # shown, never run by a spreadsheet
    assert rows[0]["version"] == rows[1]["version"] != rows[2]["version"]
    assert all(r["decided_at"].endswith("Z") for r in rows)

    # The database refuses to change or remove the record, whoever asks.
    engine = visit_app.extensions["exhibit.db"]
    for statement in ("UPDATE review_decisions SET action = 'approve'",
                      "DELETE FROM review_decisions",
                      "UPDATE review_snapshots SET data = '{}'",
                      "DELETE FROM review_snapshots"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM review_decisions")).scalar() == 3

    # And the app has no way to: no UPDATE or DELETE of these tables in its code, and no route
    # of the review but the decision form takes anything other than GET.
    for path in (ROOT / "exhibit").rglob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert not re.search(r"(update|delete)\(\s*review_|review_\w+\.(update|delete)\(",
                             source), path
    writes = {(rule.rule, tuple(sorted(rule.methods - {"HEAD", "OPTIONS", "GET"})))
              for rule in visit_app.url_map.iter_rules() if rule.rule.startswith("/staff/review")}
    assert {w for w in writes if w[1]} == {("/staff/review/<slug>/decide", ("POST",))}


def test_the_record_zip_has_the_review_part(visit_app, people, tmp_path):
    as_user(visit_app, people["fiona"], "story")
    as_user(visit_app, people["uma"], "story")
    as_user(visit_app, people["uma"], "output", "send_back", "Which MIIT plan?")
    out = tmp_path / "record.zip"
    with visit_app.app_context():
        write_record(out, "en", skip=["report", "visits", "print"])
        version = visit_app.extensions["exhibit.content"].exhibition.panel("story").version
        approved = panel_version(visit_app, "story", version)
    archive = zipfile.ZipFile(out)
    manifest = json.loads(archive.read("MANIFEST.json"))
    assert "review" in [p["name"] for p in manifest["parts"]]
    trail = archive.read("review/audit-trail.csv").decode("utf-8-sig")
    assert trail.count("\r\n") == 4 and "Which MIIT plan?" in trail
    status = {r["panel"]: r for r in csv.DictReader(io.StringIO(
        archive.read("review/status.csv").decode("utf-8-sig")))}
    assert status["story"]["files_status"] == "published"
    assert status["story"]["public_version"] == version
    assert status["output"]["files_status"] == "sent_back"
    assert status["output"]["comment"] == "Which MIIT plan?"
    snapshot = archive.read(f"review/versions/story-{version}.json").decode()
    assert encode(decode(snapshot, Path(visit_app.config["PUBLISHED_MEDIA_DIR"]))) == snapshot
    assert encode(approved) == snapshot


# -- snapshots ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("surface", ["web", "kiosk", "print"])
def test_a_snapshot_renders_exactly_like_the_files(demo_app, demo, surface):
    """Every demo panel, frozen and read back, renders the same HTML on every surface (the
    demo app approved them all, so every media file has its published copy)."""
    media_dir = Path(demo_app.config["PUBLISHED_MEDIA_DIR"])
    with demo_app.test_request_context("/en/"):
        for panel in demo.panels:
            frozen = decode(encode(panel), media_dir)
            assert encode(frozen) == encode(panel)
            for lang in demo.languages:
                original = str(render_panel(panel, lang, surface))
                copy = str(render_panel(frozen, lang, surface))
                if surface == "print":  # print embeds the files themselves: their copies here
                    for a, b in zip(panel.media_files(), frozen.media_files(), strict=True):
                        copy = copy.replace(b.absolute.as_uri(), a.absolute.as_uri())
                assert copy == original, (panel.slug, lang)


# -- the screens ------------------------------------------------------------------------------------

def test_the_review_page_shows_the_diff_and_the_draft_on_every_surface(visit_app, scratch,
                                                                       people, reviewer):
    as_user(visit_app, people["fiona"], "story")
    as_user(visit_app, people["uma"], "story")
    csv_path = scratch / "output" / "output.csv"
    csv_path.write_text(csv_path.read_text().replace("5.80", "5.90"), encoding="utf-8")
    edit(scratch, visit_app)
    fiona = reviewer("fiona")
    queue = fiona.get("/staff/review/").get_data(as_text=True)
    assert "Waiting for FECO" in queue and 'href="/staff/review/story/"' in queue
    page = fiona.get("/staff/review/story/?lang=en")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert "DRAFT" in html and "Changes since the published version" in html
    assert f"<ins>{ADDED}</ins>" in html and "text.en" in html
    for lang in ("zh", "en", "fr"):
        assert f"/staff/review/story/print/{lang}.pdf" in html
    assert 'src="/staff/review/story/preview/web/en"' in html
    assert 'src="/staff/review/story/preview/kiosk/en"' in html
    # A figure panel never approved: all of it is new, its data rows included.
    figure = fiona.get("/staff/review/output/?lang=en").get_data(as_text=True)
    assert "No version of this panel is published yet" in figure
    assert "<ins>全部 | All routes | Toutes filières | 9.15</ins>" in figure
    for surface in ("web", "kiosk"):
        preview = fiona.get(f"/staff/review/story/preview/{surface}/fr")
        body = preview.get_data(as_text=True)
        assert preview.status_code == 200 and "BROUILLON" in body and ADDED not in body
        assert "track.js" not in body and "exhibit-events" not in body  # not a visit
        assert '<meta name="robots" content="noindex">' in body
    assert ADDED in fiona.get("/staff/review/story/preview/web/en").get_data(as_text=True)
    assert fiona.get("/staff/review/story/preview/print/en").status_code == 404
    assert fiona.get("/staff/review/nope/").status_code == 404


def test_the_print_proof_is_marked_draft(visit_app, reviewer):
    visit_app.config["PRINT_SIZE"] = SMALL
    with reviewer("fiona").get("/staff/review/output/print/zh.pdf") as response:
        assert response.status_code == 200 and response.mimetype == "application/pdf"
        text_zh = pypdf.PdfReader(io.BytesIO(response.data)).pages[0].extract_text()
    assert "草稿" in text_zh


def test_a_print_proof_is_made_once_per_version_and_older_ones_go(visit_app, scratch, reviewer):
    visit_app.config["PRINT_SIZE"] = SMALL
    fiona = reviewer("fiona")
    proofs = Path(visit_app.instance_path) / "review-previews" / "story" / "en"

    def proof() -> bytes:
        with fiona.get("/staff/review/story/print/en.pdf") as response:  # closes the file
            assert response.status_code == 200
            return response.data

    first = proof()
    assert first.startswith(b"%PDF") and len(list(proofs.iterdir())) == 1
    assert proof() == first  # kept, not made again
    version = edit(scratch, visit_app)
    assert proof() != first
    assert [p.name for p in proofs.iterdir()] == [version]  # the old version's proof is gone


def test_review_status_command(visit_app, scratch, people):
    as_user(visit_app, people["fiona"], "story")
    as_user(visit_app, people["uma"], "story")
    as_user(visit_app, people["uma"], "output", "send_back", "Which MIIT plan?")
    edit(scratch, visit_app)
    result = visit_app.test_cli_runner().invoke(args=["review", "status"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "story" in out and "an older version; the files hold a newer draft" in out
    assert "waiting for feco, unido" in out
    assert "sent back by unido (uma, " in out and "Which MIIT plan?" in out
    assert "1 of 2 panels public; files: 0 published, 1 waiting, 1 sent back" in out


def test_review_off_makes_the_files_public(scratch, media_cache, tmp_path):
    turn_review_off(scratch)
    app = make_app(scratch, media_cache)
    app.instance_path = str(tmp_path / "instance")
    try:
        assert public_slugs(app.test_client()) == ["story", "output"]
        with app.app_context():
            assert public_exhibition(app) is app.extensions["exhibit.content"].current()
        result = app.test_cli_runner().invoke(args=["review", "status"])
        assert "Review is off" in result.output
    finally:
        app.extensions["exhibit.db"].dispose()


def test_the_demo_state_is_made_by_the_demo_command_and_only_once(media_cache, tmp_path):
    app = make_app(DEMO_PANELS, media_cache,
                   DATABASE_URL=f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    app.instance_path = str(tmp_path / "instance")
    runner = app.test_cli_runner()
    try:
        first = runner.invoke(args=["review", "demo", "--password-stdin"],
                              input="exhibit-demo-only\n")
        assert first.exit_code == 0, first.output
        assert "created demo accounts: feco-reviewer, unido-reviewer, worldbank-reviewer, admin" \
            in first.output
        again = runner.invoke(args=["review", "demo", "--password-stdin"],
                              input="exhibit-demo-only\n")
        assert "recorded 0 review decision(s)" in again.output
        client = app.test_client()
        slugs = public_slugs(client)
        assert len(slugs) == 17 and "pfos-posters" not in slugs \
            and "case-gold-catalyst" not in slugs and "pvc-results" not in slugs
        status = runner.invoke(args=["review", "status"]).output
        assert "waiting for worldbank" in status and "sent back by unido" in status
        assert "17 of 20 panels public" in status
        app.config["WTF_CSRF_ENABLED"] = True
        staff = Staff(app)
        assert staff.login("worldbank-reviewer", "exhibit-demo-only").status_code == 302
        queue = staff.get("/staff/review/?lang=en").get_data(as_text=True)
        assert 'href="/staff/review/pfos-posters/"' in queue.split('id="h-all"')[0]
    finally:
        app.extensions["exhibit.db"].dispose()
