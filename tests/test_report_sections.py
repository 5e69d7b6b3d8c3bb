"""The summary report answers the terms of reference: venue and dates, the texts staff write,
the products made with their approvals, the kinds of media channel against the targets, only
published panels ranked; and the PDF is PDF/A-3b (checked with pikepdf), in zh, en and fr."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re
import zipfile

import pikepdf
import pytest
from pypdf import PdfReader
from sqlalchemy import select

from exhibit.auth.accounts import create_account
from exhibit.content import Localized
from exhibit.contentstore import get_store
from exhibit.record.archive import record_parts, write_record
from exhibit.review.demo import approve, ensure_accounts
from exhibit.visits import store
from exhibit.visits.report import render_report_html, render_report_pdf
from exhibit.visits.schema import audit_events, review_snapshots

from .conftest import make_app
from .test_report import _kiosk, _row
from .test_staff import PASSWORD, Staff

NOV20 = dt.date(2026, 11, 20)
VENUE = Localized({"zh": "省科技馆一楼", "en": "Provincial Science Museum, ground floor",
                   "fr": "Musée provincial des sciences, rez-de-chaussée"})
HOURS = Localized({"zh": "9:00–17:00，周一闭馆", "en": "9:00–17:00, closed on Mondays",
                   "fr": "9 h – 17 h, fermé le lundi"})
LAYOUT = Localized({"zh": "四个展区", "en": "Four zones", "fr": "Quatre zones"})
TEXTS = {
    ("background", "zh"): "项目**背景**：汞削减。\n\n<script>alert(1)</script>",
    ("background", "en"): "The project **background**: mercury reduction.\n\n"
                          "<script>alert(1)</script>",
    ("background", "fr"): "Le **contexte** du projet : réduire le mercure.\n\n"
                          "<script>alert(1)</script>",
    ("experience", "zh"): "经验：触摸屏很受欢迎。",
    ("experience", "en"): "Lesson: the touch screens drew crowds.",
    ("experience", "fr"): "Leçon : les écrans tactiles ont attiré du monde.",
}
# Per language: section headings, the staff texts and the checks, as the report writes them.
EXPECTED = {
    "zh": ["场馆、日期与布局", "省科技馆一楼", "项目背景", "汞削减", "产出成果", "经验总结",
           "触摸屏很受欢迎", "媒体渠道类型", "海外社交媒体", "照片记录", "反馈", "每日记录"],
    "en": ["Venue, dates and layout", "Provincial Science Museum", "Project background",
           "mercury reduction", "Products made", "Experience summary",
           "the touch screens drew crowds", "Kind of media channel", "Overseas social media",
           "Photo records", "Feedback", "records per day"],
    "fr": ["Lieu, dates et plan", "Musée provincial des sciences", "Contexte du projet",
           "réduire le mercure", "Produits réalisés", "Bilan de l’expérience",
           "les écrans tactiles ont attiré du monde", "Type de canal", "Réseaux sociaux étrangers",
           "Photos", "Avis", "par jour"],
}


def _publish_story_only(app) -> None:
    """Both organisations approve 'story'; 'output' stays a draft."""
    with app.app_context():
        approve(app, ensure_accounts(app, None).reviewers, ["story"])


def _set_venue(app, **values) -> None:
    content = get_store(app)
    content.exhibition = dataclasses.replace(content.exhibition, **values)


def _fill(app) -> None:
    """Visits on both panels, reads on five kinds of channel, the staff texts."""
    engine = app.extensions["exhibit.db"]
    store.record_events(engine, [
        *(_kiosk("panel_view", panel="output", dwell_ms=5_000) for _ in range(5)),
        _kiosk("panel_view", panel="story", dwell_ms=8_000),
        _row("page_view", channel="wechat", visitor="v1", panel="story"),
    ])
    store.save_channel_reports(engine, [
        {"channel": c, "day": NOV20, "reads": n, "source": "platform report"}
        for c, n in (("weibo", 1_000_000), ("douyin", 2_000_000), ("toutiao", 500_000),
                     ("youtube", 40_000), ("bilibili", 7))], "ed")
    store.save_report_texts(engine, TEXTS, "ed")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_report_answers_the_terms_of_reference(visit_app):
    _publish_story_only(visit_app)
    _set_venue(visit_app, venue=VENUE, opens=dt.date(2026, 11, 18), closes=dt.date(2026, 12, 18),
               opening_hours=HOURS, hall_layout=LAYOUT)
    _fill(visit_app)
    with visit_app.app_context():
        html = render_report_html("en")
    text = _text(html)
    assert "Venue Provincial Science Museum, ground floor" in text
    assert "Dates November 18, 2026 – December 18, 2026" in text
    assert "Opening hours 9:00–17:00, closed on Mondays" in text and "Hall layout Four zones" in text
    assert "not set" not in text
    # Staff texts: Markdown rendered, HTML escaped (shown as text, never run).
    assert "The project <strong>background</strong>: mercury reduction." in html
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "the touch screens drew crowds" in text
    # Only the published panel is ranked, and listed as a product with both approvals.
    ranked = text[text.index("Panels by views"):text.index("Languages")]
    assert "A story" in ranked and "Output" not in ranked
    assert "5 view(s) of panels not published are not" in text
    products = text[text.index("Products made"):text.index("Panels by views")]
    assert "1 published product(s)" in products and "Output" not in products
    engine = visit_app.extensions["exhibit.db"]
    with engine.connect() as conn:
        snapshot = conn.execute(select(review_snapshots)).one()
    story = get_store(visit_app).current().panel("story")
    assert snapshot.version == story.version
    assert story.version in products and snapshot.sha256 in products
    day = dt.date.today().strftime("%b %-d, %Y")
    assert f"FECO: {day}" in products and f"UNIDO: {day}" in products
    # Kinds of media channel: WeChat (measured), Weibo, Douyin, news apps (Toutiao), overseas
    # (YouTube); Bilibili counts for the reach but is no kind.
    assert "At least 4 kinds of media channel: met (5 kind(s) with reads)" in text
    assert "Target of 30,000,000 reads: not met (3,540,008, 11.8%)" in text
    assert "News sites and apps Toutiao 500,000" in text
    assert "Overseas social media YouTube 40,000" in text
    assert "Kuaishou – 0" in text and "WeChat Channels – 0" in text


def test_the_report_says_what_is_not_set(visit_app):
    _set_venue(visit_app, venue=VENUE, opens=dt.date(2026, 11, 18))
    store.save_channel_reports(visit_app.extensions["exhibit.db"], [
        {"channel": "weibo", "day": NOV20, "reads": 31_000_000, "source": "Weibo"}], "ed")
    with visit_app.app_context():
        text = _text(render_report_html("en"))
    assert "Dates November 18, 2026 – not set" in text
    assert "Opening hours not set" in text and "Hall layout not set" in text
    assert "missing from exhibition.yaml" in text
    assert text.count("not written yet") == 2  # background and experience
    assert "Nothing is published yet." in text
    assert "Target of 30,000,000 reads: met" in text
    assert "At least 4 kinds of media channel: not met (1 kind(s) with reads)" in text


@pytest.fixture()
def pdf_app(scratch, media_cache, tmp_path):
    app = make_app(scratch, media_cache)
    app.instance_path = str(tmp_path / "instance")
    _publish_story_only(app)
    _set_venue(app, venue=VENUE, opens=dt.date(2026, 11, 18), closes=dt.date(2026, 12, 18),
               opening_hours=HOURS, hall_layout=LAYOUT)
    _fill(app)
    yield app
    app.extensions["exhibit.db"].dispose()


@pytest.mark.parametrize("lang", ["zh", "en", "fr"])
def test_report_pdf_is_pdfa_3b_with_every_section(pdf_app, lang):
    with pdf_app.app_context():
        data = render_report_pdf(lang)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "3" and meta["pdfaid:conformance"] == "B"
        intents = pdf.Root.OutputIntents
        assert len(intents) >= 1 and intents[0].S == "/GTS_PDFA1"
        assert "/DestOutputProfile" in intents[0]
        fonts = {}
        for page in pdf.pages:
            for font in page.Resources.get("/Font", {}).values():
                holder = font.DescendantFonts[0] if "/DescendantFonts" in font else font
                fonts[str(font.BaseFont)] = any(
                    key in holder.FontDescriptor for key in ("/FontFile", "/FontFile2",
                                                             "/FontFile3"))
        assert fonts and all(fonts.values()), f"fonts not embedded: {fonts}"
    text = re.sub(r"\s+", " ", "\n".join(p.extract_text() for p in PdfReader(
        io.BytesIO(data)).pages))
    missing = [words for words in EXPECTED[lang] if words not in text]
    assert not missing, f"not in the {lang} PDF: {missing}"


@pytest.fixture()
def editors(visit_app):
    engine = visit_app.extensions["exhibit.db"]
    for name, role in (("vera", "viewer"), ("ed", "editor")):
        create_account(engine, name, PASSWORD, role, None)
    visit_app.config["WTF_CSRF_ENABLED"] = True
    return engine


def test_staff_write_the_report_texts(visit_app, editors, tmp_path):
    viewer = Staff(visit_app)
    viewer.login("vera")
    assert viewer.get("/staff/report-texts").status_code == 403
    editor = Staff(visit_app)
    editor.login("ed")
    page = editor.get("/staff/report-texts?lang=en").get_data(as_text=True)
    assert 'name="background-zh"' in page and 'name="experience-fr"' in page
    response = editor.post("/staff/report-texts", {
        "background-en": "Why we **did** it.\r\n\r\n<img src=x onerror=alert(1)>",
        "experience-fr": "Ce que l’on retient.", "background-zh": "", "experience-en": "x" * 20_001})
    assert response.status_code == 400  # too long: nothing is saved
    assert "20000" in response.get_data(as_text=True).replace(",", "").replace("\u202f", "")
    response = editor.post("/staff/report-texts", {
        "background-en": "Why we **did** it.\r\n\r\n<img src=x onerror=alert(1)>",
        "experience-fr": "Ce que l’on retient."})
    assert response.status_code == 303
    page = editor.get("/staff/report-texts?lang=en").get_data(as_text=True)
    assert "2 text(s) saved." in page and "last saved by ed" in page
    assert "<img src=x" not in page and "<strong>did</strong>" in page  # the preview is escaped
    with editors.connect() as conn:
        line = conn.execute(select(audit_events).where(
            audit_events.c.action == "report_text_saved")).one()
    assert line.actor == "ed" and line.target == "background-en, experience-fr"
    assert "sha256" in line.detail
    # Saving the same again changes nothing and leaves no line in the audit trail.
    editor.post("/staff/report-texts", {"background-en": "Why we **did** it.\n\n"
                                        "<img src=x onerror=alert(1)>",
                                        "experience-fr": "Ce que l’on retient."})
    with editors.connect() as conn:
        assert len(conn.execute(select(audit_events).where(
            audit_events.c.action == "report_text_saved")).all()) == 1
    with visit_app.app_context():
        html = render_report_html("en")
    assert "Why we <strong>did</strong> it." in html and "<img src=x" not in html
    # The record keeps them as written.
    out = tmp_path / "record.zip"
    with visit_app.app_context():
        write_record(out, "en", skip=[p.name for p in record_parts(visit_app)
                                          if p.name != "report-texts"])
    archive = zipfile.ZipFile(out)
    assert archive.read("report-texts/background-en.md").decode().startswith("Why we **did**")
    assert archive.read("report-texts/experience-fr.md").decode() == "Ce que l’on retient."
    assert "background-zh.md" not in " ".join(archive.namelist())
