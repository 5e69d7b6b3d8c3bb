"""The exhibition summary report (HTML, PDF) and the whole record (ZIP), from the command line and
the staff area, on SQLite and on a real PostgreSQL server."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import uuid
import zipfile

import pytest
from openpyxl import load_workbook
from PIL import Image
from pypdf import PdfReader

from exhibit.auth.accounts import create_account
from exhibit.record.archive import RecordPart, record_parts, register_record_part, write_record
from exhibit.staff.photos import store_photo
from exhibit.visits import store
from exhibit.visits.report import render_report_html

from .conftest import make_app, publish
from .test_staff import PASSWORD, Staff

NOV20, NOV21, OCT1 = dt.date(2026, 11, 20), dt.date(2026, 11, 21), dt.date(2026, 10, 1)
REPORTED = {"weibo": (1_250_000, "Weibo data centre"), "douyin": (3_400_000, "Douyin creator report")}


def _row(kind, day=NOV20, **values):
    at = dt.datetime.combine(day, dt.time(9, 30), dt.UTC)
    row = {"id": str(uuid.uuid4()), "kind": kind, "surface": "web", "lang": "zh", "panel": None,
           "kiosk_id": None, "session_id": None, "channel": None, "dwell_ms": None,
           "visitor": None, "data": None, "occurred_at": at, "received_at": at, "day": day}
    row.update(values)
    return row


def _kiosk(kind, day=NOV20, **values):
    return _row(kind, day, surface="kiosk", kiosk_id="hall-a", session_id=str(uuid.uuid4()),
                **values)


@pytest.fixture()
def record(visit_app, tmp_path):
    """A small exhibition record: visits over two days (and one in October), channel figures
    reported by two platforms, and one photo. Returns the number of events."""
    engine = visit_app.extensions["exhibit.db"]
    publish(visit_app)  # the report ranks and lists only published panels
    rows = [
        *(_row("page_view", channel="wechat", visitor="v1", panel="story") for _ in range(2)),
        _row("page_view", NOV21, channel="wechat", visitor="v2", lang="fr"),
        _row("page_view", channel="print-qr", visitor="v3", lang="fr", panel="output"),
        _row("page_view", NOV21, channel="direct", visitor="v2"),
        _row("page_view", OCT1, channel="direct", visitor="v9"),  # outside November
        _kiosk("session_start"), _kiosk("session_start", NOV21),
        _kiosk("session_end", data=json.dumps({"duration_ms": 60_000})),
        _kiosk("session_end", NOV21, data=json.dumps({"duration_ms": 120_000})),
        *(_kiosk("panel_view", panel="story", dwell_ms=ms) for ms in (10_000, 20_000, 30_000)),
        _kiosk("panel_view", panel="output", dwell_ms=5_000),
        _row("qr_arrival", panel="story", data=json.dumps({"src": "print-qr"})),
        _row("qr_arrival", panel="story", data=json.dumps({"src": "kiosk-qr"})),
        *(_kiosk("feedback_answer", data=json.dumps({"question": "useful", "answer": a}))
          for a in ("5", "5", "4")),
    ]
    store.record_events(engine, rows)
    store.save_channel_reports(engine, [{"channel": c, "day": NOV20, "reads": n, "source": s}
                                        for c, (n, s) in REPORTED.items()], "ed")
    image = io.BytesIO()
    Image.new("RGB", (900, 600), (40, 120, 70)).save(image, "JPEG")
    photo = store_photo(image.getvalue(), tmp_path / "instance" / "photos",
                        max_bytes=10**7, max_pixels=10**7)
    store.add_photo(engine, id=photo.id, caption="=Opening day, hall A", taken_on=None,
                    width=photo.width, height=photo.height, bytes=photo.bytes,
                    sha256=photo.sha256, uploaded_by="ed")
    return len(rows)


def _plain(text: str) -> str:
    """PDF text as one line, with typographic spaces (French thousands, before a colon) plain."""
    return re.sub(r"\s+", " ", text)


def _pdf_text_and_fonts(data: bytes) -> tuple[str, dict[str, bool]]:
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            holder = font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font
            descriptor = holder["/FontDescriptor"].get_object()
            fonts[str(font["/BaseFont"])] = any(
                key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))
    return _plain(text), fonts


def test_report_html_has_every_figure(visit_app, record):
    with visit_app.app_context():
        html = render_report_html("en")
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Exhibition summary report" in text and "Test exhibition" in text
    assert "October 1, 2026 – November 21, 2026" in text
    assert "hall-a" in text  # where: online and the kiosks by name, no invented venue
    assert "Venue not set" in text and "Opening hours not set" in text
    assert "6 Online page views" in text
    assert "4 Unique online visitors" in text  # v1, v3 on the 20th; v2 on the 21st; v9
    assert "2 Kiosk sessions" in text and "1 min 30 s Median kiosk session" in text
    # Panels ranked by views, with the median time on each.
    assert text.index("A story") < text.index("Output", text.index("Panels by views"))
    assert re.search(r"1 A story 3 20 s", text) and re.search(r"2 Output 1 5 s", text)
    # Channels: what was measured here and what the platforms report, each with its source.
    assert "4,650,006 Total reach across channels: 15.5% of the target" in text
    assert "Douyin 0 3,400,000 3,400,000 Douyin creator report" in text
    assert "WeChat 3 0 3 –" in text
    assert "Total 6 4,650,000 4,650,006" in text
    assert "QR code on a printed panel 1" in text and "QR code on a kiosk 1" in text
    assert "3 answer(s)" in text
    assert "1 photo(s) of the exhibition" in text
    assert html.count('src="data:image/jpeg;base64,') == 1  # self-contained: nothing to fetch
    assert not re.search(r'(src|href)="(https?:)?//', html)


def test_report_html_for_a_date_range(visit_app, record):
    with visit_app.app_context():
        html = render_report_html("en", dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "November 1, 2026 – November 30, 2026" in text
    assert "5 Online page views" in text and "Total 5 4,650,000 4,650,005" in text
    assert "2026-10-01" not in text


def test_report_pdf_in_chinese_from_the_command_line(visit_app, record, tmp_path):
    out = tmp_path / "report.pdf"
    result = visit_app.test_cli_runner().invoke(
        args=["export", "report", "--out", str(out), "--lang", "zh"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "report.pdf.part").exists()
    text, fonts = _pdf_text_and_fonts(out.read_bytes())
    assert "展览总结报告" in text and "测试展览" in text
    assert "故事" in text and "产量" in text  # panel titles in the report's language
    assert "4,650,006" in text and "Weibo data centre" in text
    assert fonts and all(fonts.values()), f"fonts not embedded: {fonts}"
    assert any("CJK-SC" in name for name in fonts), fonts  # a real Chinese font, not a fallback


def test_report_pdf_in_french(visit_app, record):
    with visit_app.app_context():
        from exhibit.visits.report import render_report_pdf

        data = render_report_pdf("fr", dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert data.startswith(b"%PDF-")
    text, fonts = _pdf_text_and_fonts(data)
    assert "rapport de synthèse de l’exposition" in text.lower()  # the kicker is in capitals
    assert "Une histoire" in text and "Production" in text
    assert "4 650 005" in text and "Douyin creator report" in text
    assert "1 min 30 s" in text
    assert all(fonts.values()), fonts


def test_report_command_writes_html_and_refuses_bad_options(visit_app, record, tmp_path):
    runner = visit_app.test_cli_runner()
    out = tmp_path / "report.html"
    result = runner.invoke(args=["export", "report", "--out", str(out), "--lang", "fr",
                                 "--from", "2026-11-20", "--to", "2026-11-21"])
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and 'lang="fr"' in html and "Une histoire" in html
    bad = runner.invoke(args=["export", "report", "--out", str(tmp_path / "r.docx")])
    assert bad.exit_code == 2 and ".pdf or .html" in bad.output
    bad = runner.invoke(args=["export", "report", "--out", str(out), "--from", "2026-11-22",
                              "--to", "2026-11-20"])
    assert bad.exit_code == 2 and "after" in bad.output
    bad = runner.invoke(args=["export", "record", "--out", str(tmp_path / "r.zip"),
                              "--skip", "nothing"])
    assert bad.exit_code == 2 and "no part named nothing" in bad.output


def _present(app, *names) -> list[str]:
    """Those of ``names`` that are parts of the app's record (print: when the app prints)."""
    have = {part.name for part in record_parts(app)}
    return [name for name in names if name in have]


def _manifest_checked(path) -> tuple[dict, zipfile.ZipFile]:
    """The manifest, after checking that it lists every file with its true size and SHA-256."""
    archive = zipfile.ZipFile(path)
    manifest = json.loads(archive.read("MANIFEST.json"))
    listed = {f["path"]: f for f in manifest["files"]}
    assert set(archive.namelist()) == set(listed) | {"MANIFEST.json"}
    for name, entry in listed.items():
        data = archive.read(name)
        assert len(data) == entry["bytes"], name
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], name
    return manifest, archive


def test_record_command_writes_the_whole_record(visit_app, record, tmp_path):
    out = tmp_path / "record.zip"
    skip = [a for name in _present(visit_app, "print") for a in ("--skip", name)]
    result = visit_app.test_cli_runner().invoke(
        args=["export", "record", "--out", str(out), "--lang", "en", *skip])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "record.zip.part").exists()
    manifest, archive = _manifest_checked(out)
    assert manifest["made_by"].startswith("exhibit ") and manifest["language"] == "en"
    assert dt.datetime.fromisoformat(manifest["made_at"]).tzinfo is not None
    assert [p["name"] for p in manifest["parts"]] == ["report", "visits", "channel-figures",
                                                      "photos", "report-texts", "review"]
    assert manifest["skipped"] == _present(visit_app, "print") and manifest["warnings"] == []

    assert archive.read("report.pdf").startswith(b"%PDF-")
    assert "Test exhibition" in archive.read("report.html").decode()
    visits = list(csv.DictReader(io.StringIO(archive.read("visits.csv").decode("utf-8-sig"))))
    assert len(visits) == record
    sheet = load_workbook(io.BytesIO(archive.read("visits.xlsx")), read_only=True).active
    assert len(list(sheet.iter_rows(values_only=True))) == record + 1

    figures = list(csv.DictReader(io.StringIO(
        archive.read("channel-figures.csv").decode("utf-8-sig"))))
    assert {(f["channel"], int(f["reads"]), f["source"]) for f in figures} == {
        (c, n, s) for c, (n, s) in REPORTED.items()}

    photos = list(csv.DictReader(io.StringIO(
        archive.read("photos/photos.csv").decode("utf-8-sig"))))
    assert len(photos) == 1
    assert photos[0]["caption"] == "'=Opening day, hall A"  # a formula is shown, never run
    jpeg = archive.read(f"photos/{photos[0]['file']}")
    assert hashlib.sha256(jpeg).hexdigest() == photos[0]["sha256"]


def test_record_parts_are_a_registry_and_the_zip_is_atomic(visit_app, record, tmp_path):
    def notes(archive, ctx):
        archive.add_bytes("approvals/notes.txt", f"approved, in {ctx.lang}".encode())

    def broken(archive, ctx):
        raise RuntimeError("the disk is full")

    register_record_part(visit_app, RecordPart("approvals", "the approval record", notes))
    with pytest.raises(ValueError, match="already has a part"):
        register_record_part(visit_app, RecordPart("approvals", "twice", notes))
    out = tmp_path / "record.zip"
    heavy = _present(visit_app, "report", "visits", "print", "review")
    with visit_app.app_context():
        written = write_record(out, "fr", skip=heavy)
    manifest, archive = _manifest_checked(out)
    assert archive.read("approvals/notes.txt") == b"approved, in fr"
    assert {f["part"] for f in manifest["files"]} == {"channel-figures", "photos", "report-texts",
                                                      "approvals"}
    assert [f["path"] for f in written.files] == [f["path"] for f in manifest["files"]]

    register_record_part(visit_app, RecordPart("broken", "fails", broken))
    before = out.read_bytes()
    with visit_app.app_context(), pytest.raises(RuntimeError, match="disk is full"):
        write_record(out, "fr", skip=heavy)
    assert out.read_bytes() == before  # the last good record is untouched
    assert not (tmp_path / "record.zip.part").exists()
    with visit_app.app_context(), pytest.raises(ValueError, match="unknown record part"):
        write_record(out, "fr", skip=["approval"])


@pytest.fixture()
def accounts(visit_app):
    engine = visit_app.extensions["exhibit.db"]
    for name, role, org in (("vera", "viewer", None), ("ed", "editor", None),
                            ("rita", "reviewer", "unido")):
        create_account(engine, name, PASSWORD, role, org)


@pytest.mark.parametrize("path", ["/staff/report", "/staff/report.pdf", "/staff/record.zip"])
def test_downloads_need_a_login(visit_app, path):
    response = Staff(visit_app).get(path)
    assert response.status_code == 302
    assert response.location.startswith("/staff/login?next=")


def test_downloads_need_the_export_role(visit_app, accounts):
    viewer = Staff(visit_app)
    viewer.login("vera")
    assert viewer.get("/staff/report.pdf").status_code == 403
    assert viewer.get("/staff/record.zip").status_code == 403
    page = viewer.get("/staff/report?lang=zh")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert "展览总结报告" in html and "report.pdf" not in html  # no link the viewer cannot use
    reviewer = Staff(visit_app)
    reviewer.login("rita")
    assert reviewer.get("/staff/record.zip").status_code == 403


def test_editor_downloads_the_report_pdf(visit_app, accounts, record):
    editor = Staff(visit_app)
    editor.login("ed")
    assert 'href="/staff/report.pdf?lang=en' in editor.get("/staff/report?lang=en").get_data(
        as_text=True)
    assert "/staff/record.zip" in editor.get("/staff/exports").get_data(as_text=True)
    response = editor.get("/staff/report.pdf?lang=fr&from=2026-11-01&to=2026-11-30")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert re.fullmatch(r'attachment; filename="exhibit-report-2026-11-01_2026-11-30-fr-'
                        r'\d{4}-\d\d-\d\d\.pdf"', response.headers["Content-Disposition"])
    assert "Une histoire" in _pdf_text_and_fonts(response.data)[0]
    assert editor.get("/staff/report.pdf?from=2026-11-30&to=2026-11-01").status_code == 400


def test_editor_downloads_the_whole_record(visit_app, accounts, record):
    editor = Staff(visit_app)
    editor.login("ed")
    with editor.get("/staff/record.zip?lang=fr") as response:
        assert response.status_code == 200 and response.mimetype == "application/zip"
        assert re.fullmatch(r'attachment; filename="?exhibit-record-fr-\d{4}-\d\d-\d\d\.zip"?',
                            response.headers["Content-Disposition"])
        data = response.data
    manifest, archive = _manifest_checked(io.BytesIO(data))
    assert manifest["language"] == "fr" and manifest["skipped"] == _present(visit_app, "print")
    assert "report.pdf" in archive.namelist()


def test_record_with_print_files(scratch, media_cache, tmp_path):
    """The print part: every panel as a print-ready PDF (a small page keeps the test quick)."""
    pytest.importorskip("exhibit.printing")
    app = make_app(scratch, media_cache, PRINT_SIZE="300x400")
    app.instance_path = str(tmp_path / "instance")
    publish(app)  # the print part holds the published versions
    out = tmp_path / "record.zip"
    with app.app_context():
        write_record(out, "zh", skip=["report", "visits"])
    app.extensions["exhibit.db"].dispose()
    manifest, archive = _manifest_checked(out)
    assert manifest["skipped"] == ["report", "visits"]
    names = set(archive.namelist())
    for number, slug in ((1, "story"), (2, "output")):
        pdf = f"{number:02d}-{slug}-zh-300x400mm.pdf"
        if f"print/{pdf}" in names:
            assert archive.read(f"print/{pdf}").startswith(b"%PDF-")
        else:  # the print check refused it: the record keeps the reason, and warns
            assert pdf in archive.read("print/PRINT-PROBLEMS.txt").decode()
            assert "print error" in manifest["warnings"][0]


def test_dashboard_links_to_the_report_for_its_period(visit_app, accounts):
    viewer = Staff(visit_app)
    viewer.login("vera")
    html = viewer.get("/staff/?from=2026-11-01&to=2026-11-30&lang=en").get_data(as_text=True)
    assert 'href="/staff/report?lang=en&amp;from=2026-11-01&amp;to=2026-11-30"' in html
    assert 'href="/staff/report?lang=en"' in viewer.get("/staff/?lang=en").get_data(as_text=True)
