"""The exhibition summary report: the figures of :func:`~exhibit.visits.stats.summarise` with the
exhibition's own titles and the charts of :mod:`exhibit.charts`, as printable HTML and as a PDF.

The report is rendered in any interface language with ``force_locale`` (a Chinese report from an
English session). Everything it needs is inline — CSS, SVG charts, photo thumbnails as ``data:``
URLs — so the HTML file in the record ZIP opens anywhere and WeasyPrint fetches nothing.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel.dates import format_date, format_datetime, format_interval
from flask import Flask, current_app
from flask_babel import force_locale, gettext
from markupsafe import Markup
from PIL import Image
from sqlalchemy import Engine, func, select

from .. import charts
from ..content import Exhibition, Figure, FigureRow, Localized, Panel
from ..content.markdown import RenderEnv, render_markdown, shift_headings
from ..contentstore import get_store
from ..i18n import LANGUAGE_NAMES
from ..version import __version__
from .channels import CHANNEL_KINDS, KIND_NAMES, MIN_CHANNEL_KINDS, channel_names
from .db import get_engine
from .engagement import EngagementView, engagement, engagement_view
from .schema import channel_reports, photos, report_texts
from .stats import Summary, summarise
from .timezone import zone

REPORT_LANGUAGES = ("zh", "en", "fr")
# The archival PDF standard of the report (WeasyPrint's name for it).
PDF_VARIANT = "pdf/a-3b"
# The report shows a selection of the photo records; the record ZIP holds every one of them.
MAX_PHOTOS_SHOWN = 6
# Thumbnail side (px): sharp at the ~85 mm a photo takes on A4, and ~60 KB each inline.
THUMB_SIDE = 640
# Bars in the "panels by views" chart; the table below it lists every panel.
TOP_PANELS_CHARTED = 10
# Points on the visits chart, whose labels must not collide on a 480-unit line chart: a day's
# label is its number ("17"), a week's its Monday ("11-16"). Longer periods go by week, then by
# month; the per-day table at the end of the report keeps every day.
MAX_DAILY_POINTS = 16
MAX_WEEKLY_POINTS = 9


def N_(message: str) -> str:
    """Mark a string for translation where it is defined; it is translated where it is shown."""
    return message


# The channel names of channels.py in the report's language. Brand names are written as each
# language writes them (微信, not WeChat, in a Chinese report).
CHANNEL_LABELS = {
    "wechat": N_("WeChat"), "weibo": N_("Weibo"), "douyin": N_("Douyin"),
    "kuaishou": N_("Kuaishou"), "bilibili": N_("Bilibili"), "xiaohongshu": N_("Xiaohongshu"),
    "toutiao": N_("Toutiao"), "x": N_("X"), "facebook": N_("Facebook"),
    "youtube": N_("YouTube"), "linkedin": N_("LinkedIn"), "news": N_("News sites"),
    "email": N_("E-mail"), "print-qr": N_("QR code on a printed panel"),
    "kiosk-qr": N_("QR code on a kiosk"), "search": N_("Search engines"),
    "referral": N_("Other websites"), "direct": N_("Direct"), "internal": N_("Within the site"),
    "wechat-channels": N_("WeChat Channels"),
}
# The kinds of media channel of channels.CHANNEL_KINDS, as the report names them.
KIND_LABELS = {
    "news": N_("News sites and apps"), "weibo": N_("Weibo"), "wechat": N_("WeChat"),
    "wechat-channels": N_("WeChat Channels"), "douyin": N_("Douyin"), "kuaishou": N_("Kuaishou"),
    "overseas": N_("Overseas social media"),
}
# The texts staff write for the report (staff/report_texts.py), in the order the report shows them.
TEXT_SECTIONS = {"background": N_("Project background"), "experience": N_("Experience summary")}
# The kinds of product the terms of reference list, by panel kind (a gallery holds the posters).
PRODUCT_KINDS = {"video": N_("Video"), "gallery": N_("Posters")}


@dataclass(frozen=True)
class Approval:
    """One organisation's approval of a published version (from the review record)."""

    organisation: str
    reviewer: str
    decided_at: dt.datetime


@dataclass(frozen=True)
class PublishedPanel:
    """A panel as the public sees it, with what the record says of its approval."""

    panel: Panel
    sha256: str | None  # of the approved version as frozen at its approval; None without review
    approvals: tuple[Approval, ...]


PublicationSource = Callable[[Flask], list[PublishedPanel]]


def register_publication(app: Flask, source: PublicationSource) -> None:
    """Tell the report what is published and who approved it (``exhibit.publication`` calls
    this: the report sits below it and never imports it)."""
    app.extensions["exhibit.report.publication"] = source


def published_panels(app: Flask | None = None) -> list[PublishedPanel]:
    """The published panels in display order; without a registered source (no review in this
    app) every panel of the files, without approvals."""
    app = app or current_app._get_current_object()
    source: PublicationSource | None = app.extensions.get("exhibit.report.publication")
    if source is None:
        return [PublishedPanel(p, None, ()) for p in get_store(app).current().panels]
    return source(app)


def load_report_texts(engine: Engine) -> dict[tuple[str, str], Any]:
    """Every staff-written text of the report, by (section, language)."""
    with engine.connect() as conn:
        return {(r.section, r.lang): r for r in conn.execute(select(report_texts))}


def report_text_html(body: str, lang: str) -> Markup:
    """A staff-written text as safe HTML: the panels' Markdown (raw HTML escaped, then cleaned),
    its headings moved below the report's section headings."""
    html = render_markdown(body, RenderEnv(lang=lang, anchor_prefix="report-text-",
                                           source_numbers={}))
    return Markup(shift_headings(html, 1))  # sanitised by render_markdown: safe to inline


def channel_label(channel: str) -> str:
    """A channel's name in the current locale (the id itself for a channel we do not know)."""
    if channel in CHANNEL_LABELS:
        return gettext(CHANNEL_LABELS[channel])
    return channel_names().get(channel, channel)


@dataclass(frozen=True)
class PanelRow:
    rank: int
    slug: str
    title: str
    views: int
    median_dwell_s: float | None


@dataclass(frozen=True)
class ChannelRow:
    channel: str
    name: str
    measured: int  # page views logged here
    reported: int  # reads reported by the platform
    sources: tuple[str, ...]  # where each reported figure comes from

    @property
    def total(self) -> int:
        return self.measured + self.reported


@dataclass(frozen=True)
class KindRow:
    """One kind of media channel the terms of reference name, and its reach."""

    kind: str
    name: str
    channels: tuple[str, ...]  # names of the channels of this kind that have reads
    total: int


@dataclass(frozen=True)
class ProductRow:
    """A published panel, video or poster set: what was made and who approved it when."""

    kind: str  # shown: "Panel", "Video", "Posters"
    slug: str
    title: str
    version: str
    sha256: str | None
    approvals: tuple[tuple[str, str], ...]  # (organisation's name, date approved)
    media: tuple[tuple[str, str], ...]  # (file, SHA-256) of the video or the posters


@dataclass(frozen=True)
class FeedbackQuestion:
    id: str
    text: str
    answers: tuple[tuple[str, int], ...]  # (answer shown, count), in the questionnaire's order
    total: int


@dataclass(frozen=True)
class PhotoShown:
    caption: str
    data_url: str
    width: int
    height: int


@dataclass
class Report:
    """Everything the report shows, already in its language; the template only lays it out."""

    lang: str
    title: str
    subtitle: str
    organisations: list[str]
    summary: Summary
    first_day: dt.date | None
    last_day: dt.date | None
    range_asked: bool
    kiosks: list[tuple[str, int]]
    panels: list[PanelRow]
    languages: list[tuple[str, str, int]]  # code, name, count
    channels: list[ChannelRow]
    qr_arrivals: list[tuple[str, str, int]]  # src, name, count
    feedback: list[FeedbackQuestion]
    photo_count: int
    photos: list[PhotoShown]
    reach_target: int
    per_day: list[tuple[dt.date, dict[str, int]]]
    made_at: dt.datetime
    version: str
    content_version: str
    # The physical exhibition (None: not set in exhibition.yaml, and the report says so).
    venue: str | None = None
    opens: dt.date | None = None
    closes: dt.date | None = None
    opening_hours: str | None = None
    hall_layout: str | None = None
    texts: dict[str, Markup | None] = field(default_factory=dict)  # TEXT_SECTIONS → HTML
    products: list[ProductRow] = field(default_factory=list)
    print_size: str = ""
    kinds: list[KindRow] = field(default_factory=list)
    min_kinds: int = MIN_CHANNEL_KINDS
    unranked_views: int = 0  # panel views of panels not (or no longer) published
    charts: dict[str, Markup] = field(default_factory=dict)
    engagement: EngagementView | None = None  # attract-loop passers-by and visitors

    @property
    def reach_share(self) -> float:
        """The total reach as a percentage of the target."""
        return 100 * self.summary.total_reach / self.reach_target if self.reach_target else 0.0

    @property
    def channels_with_reads(self) -> int:
        return sum(1 for row in self.channels if row.total)

    @property
    def kinds_reached(self) -> int:
        """How many of the named kinds of media channel have any reads."""
        return sum(1 for row in self.kinds if row.total)

    @property
    def kinds_met(self) -> bool:
        return self.kinds_reached >= self.min_kinds

    @property
    def reach_met(self) -> bool:
        return self.summary.total_reach >= self.reach_target

    def date(self, day: dt.date | None) -> str:
        return format_date(day, format="long", locale=self.lang) if day else "–"

    def number(self, value: float) -> str:
        return charts.number(value, self.lang)

    def labelled(self, label: str, text: str) -> str:
        """"Label: text" with the language's colon (full-width in Chinese, spaced in French)."""
        return charts.labelled(label, text, self.lang)

    def percent(self, value: float) -> str:
        return charts.percent(round(value, 1), self.lang)

    def seconds(self, value: float | None) -> str:
        """A duration as people read it: "48 s", "2 min 05 s" (in the report's language)."""
        if value is None:
            return "–"
        whole = round(value)
        if whole < 60:
            return gettext("%(s)s s", s=charts.number(value, self.lang))
        return gettext("%(m)d min %(s)02d s", m=whole // 60, s=whole % 60)


def log_figure(figure_id: str, title: str, unit: str, rows: list[tuple[str, float]], lang: str,
               chart: str = "bar") -> Figure:
    """A chart of figures from the visit log (no source, not illustrative), for render_chart."""
    return Figure(id=figure_id, chart=chart, title=Localized({lang: title}),
                  unit=Localized({lang: unit}) if unit else None, source=None,
                  illustrative=False, note=None,
                  rows=tuple(FigureRow(Localized({lang: label}), float(value), None, None)
                             for label, value in rows),
                  data_path="")


def _visits_over_time(per_day: dict[dt.date, dict[str, int]],
                      lang: str) -> tuple[str, list[tuple[str, int]]]:
    """(title, points) of page views and kiosk sessions by day, week or month, from the first
    to the last day with records — periods without any count as zero, so the line never skips.

    The labels are kept short so that they never collide on a line chart: the day of the month
    (the period is in the title), the Monday of a week, the month's short name.
    """
    if not per_day:
        return "", []
    first, last = min(per_day), max(per_day)
    totals: dict[dt.date, int] = {}
    day = first
    while day <= last:
        counts = per_day.get(day, {})
        totals[day] = counts.get("page_view", 0) + counts.get("session_start", 0)
        day += dt.timedelta(days=1)
    if len(totals) <= MAX_DAILY_POINTS:
        period = format_interval(first, last, "yMMMd", locale=lang)
        return (gettext("Visits per day, %(period)s", period=period),
                [(str(d.day), n) for d, n in totals.items()])
    if len(totals) <= 7 * MAX_WEEKLY_POINTS:
        weeks: dict[dt.date, int] = {}
        for d, n in totals.items():
            monday = d - dt.timedelta(days=d.weekday())
            weeks[monday] = weeks.get(monday, 0) + n
        return (gettext("Visits per week (from Monday)"),
                [(w.strftime("%m-%d"), n) for w, n in weeks.items()])
    months: dict[dt.date, int] = {}
    for d, n in totals.items():
        months[d.replace(day=1)] = months.get(d.replace(day=1), 0) + n
    period = format_interval(first, last, "yMMM", locale=lang)
    return (gettext("Visits per month, %(period)s", period=period),
            [(format_date(m, "MMM", locale=lang), n) for m, n in months.items()])


def _feedback(summary: Summary, exhibition: Exhibition, lang: str) -> list[FeedbackQuestion]:
    """Answers per question, with the question and choices in words when the content has them."""
    # getattr: the questionnaire is an optional part of the content.
    questionnaire = getattr(exhibition, "questionnaire", None)
    result = []
    for question_id, answers in sorted(summary.feedback.items()):
        question = questionnaire.question(question_id) if questionnaire else None
        if question is None:
            shown = tuple(answers.most_common())
            text = question_id
        else:
            qlang = lang if lang in question.text else exhibition.default_language
            text = question.text[qlang]
            known = {c.id for c in question.choices}
            shown = tuple(
                (c.id if question.kind == "rating" and c.label[qlang] == c.id else
                 f"{c.id} – {c.label[qlang]}" if question.kind == "rating" else c.label[qlang],
                 answers[c.id]) for c in question.choices) + tuple(
                (a, n) for a, n in answers.most_common() if a not in known)
        result.append(FeedbackQuestion(question_id, text, shown, sum(answers.values())))
    return result


def photo_folder(app=None) -> Path:
    """Where the staff area stores the photo records (re-encoded JPEGs named by their id)."""
    return Path((app or current_app).instance_path) / "photos"


def photo_rows(engine: Engine) -> list[Any]:
    with engine.connect() as conn:
        return conn.execute(select(photos).order_by(photos.c.uploaded_at, photos.c.id)).all()


def _thumbnail(path: Path) -> tuple[str, int, int] | None:
    try:
        with Image.open(path) as image:
            image.thumbnail((THUMB_SIDE, THUMB_SIDE))
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=80)
            size = image.size
    except OSError:
        return None  # a photo file gone missing must not stop the report
    return ("data:image/jpeg;base64," + base64.b64encode(out.getvalue()).decode("ascii"),
            *size)


def build_report(lang: str, date_from: dt.date | None = None, date_to: dt.date | None = None,
                 *, engine: Engine | None = None) -> Report:
    """Gather the report's figures in ``lang``; call inside ``force_locale(lang)``."""
    engine = engine or get_engine()
    exhibition = get_store().current()
    ex_lang = lang if lang in exhibition.languages else exhibition.default_language
    summary = summarise(engine, date_from, date_to)
    # The period: the days asked for, else from the first to the last day with a record.
    days = sorted(summary.per_day) or _report_days(engine, date_from, date_to)

    views_by_panel = summary.panels
    published = published_panels()
    panels = []
    # Only what is published is ranked: a draft, or a panel since removed, is no product of the
    # exhibition (its views are counted in a note).
    for item in published:
        row = views_by_panel.get(item.panel.slug, {})
        panels.append((item.panel.slug, _localized(item.panel.title, ex_lang),
                       int(row.get("views", 0)), row.get("median_dwell_s")))
    public_slugs = {item.panel.slug for item in published}
    unranked = sum(int(row.get("views", 0)) for slug, row in views_by_panel.items()
                   if slug not in public_slugs)
    panels.sort(key=lambda r: -r[2])  # stable: panels with equal views keep the show's order
    panel_rows = [PanelRow(i, *r) for i, r in enumerate(panels, start=1)]

    channel_ids = sorted(set(summary.channels) | set(summary.reported_reads),
                         key=lambda c: -(summary.channels[c] + summary.reported_reads[c]))
    channel_rows = [ChannelRow(c, channel_label(c), summary.channels[c], summary.reported_reads[c],
                               tuple(summary.reported_sources.get(c, ()))) for c in channel_ids]

    photo_list = photo_rows(engine)
    shown = []
    for row in photo_list[:MAX_PHOTOS_SHOWN]:
        thumb = _thumbnail(photo_folder() / f"{row.id}.jpg")
        if thumb:
            shown.append(PhotoShown(row.caption, *thumb))

    report = Report(
        lang=lang,
        title=exhibition.title[ex_lang],
        subtitle=exhibition.subtitle[ex_lang],
        organisations=[o.name[ex_lang] for o in exhibition.organisations],
        summary=summary,
        first_day=date_from or (days[0] if days else None),
        last_day=date_to or (days[-1] if days else None),
        range_asked=bool(date_from or date_to),
        kiosks=sorted(summary.kiosks.items()),
        panels=panel_rows,
        languages=[(code, LANGUAGE_NAMES.get(code, code), n)
                   for code, n in summary.languages.most_common()],
        channels=channel_rows,
        qr_arrivals=[(src, channel_label(src), n) for src, n in summary.qr_arrivals.most_common()],
        feedback=_feedback(summary, exhibition, ex_lang),
        photo_count=len(photo_list),
        photos=shown,
        reach_target=current_app.config["REACH_TARGET"],
        per_day=sorted(summary.per_day.items()),
        made_at=dt.datetime.now(dt.UTC),
        version=__version__,
        content_version=exhibition.fingerprint,
        venue=_localized(exhibition.venue, ex_lang),
        opens=exhibition.opens,
        closes=exhibition.closes,
        opening_hours=_localized(exhibition.opening_hours, ex_lang),
        hall_layout=_localized(exhibition.hall_layout, ex_lang),
        texts=_texts(engine, lang),
        products=_products(published, exhibition, ex_lang),
        print_size=str(current_app.config.get("PRINT_SIZE", "")),
        kinds=_kinds(channel_rows),
        unranked_views=unranked,
    )
    report.charts = _charts(report)
    report.engagement = engagement_view(engagement(engine, date_from, date_to, zone()), lang)
    return report


def _localized(value: Localized | None, lang: str) -> str | None:
    """A text in ``lang``, else in the first language it has; None when there is none."""
    if not value:
        return None
    return value[lang] if lang in value else next(iter(value.values()))


def _texts(engine: Engine, lang: str) -> dict[str, Markup | None]:
    """The staff-written texts in the report's language (None: not written yet)."""
    texts = load_report_texts(engine)
    return {section: report_text_html(texts[(section, lang)].body, lang)
            if (section, lang) in texts else None for section in TEXT_SECTIONS}


def _products(published: list[PublishedPanel], exhibition: Exhibition,
              lang: str) -> list[ProductRow]:
    """Every published panel with its approvals, and the media file of a video or poster set."""
    rows = []
    for item in published:
        panel = item.panel
        media: list[tuple[str, str]] = []
        if panel.video:
            media.append((panel.video.media.path, panel.video.media.sha256))
        if panel.kind == "gallery":
            media += [(image.media.path, image.media.sha256) for image in panel.images]
        approvals = []
        for approval in sorted(item.approvals, key=lambda a: a.decided_at):
            org = exhibition.organisation(approval.organisation)
            name = _localized(org.name, lang) if org else approval.organisation
            approvals.append((name or approval.organisation,
                              format_date(approval.decided_at.date(), format="medium",
                                          locale=lang)))
        kind = PRODUCT_KINDS.get(panel.kind)
        rows.append(ProductRow(gettext(kind) if kind else gettext("Panel"), panel.slug,
                               _localized(panel.title, lang) or panel.slug, panel.version,
                               item.sha256, tuple(approvals), tuple(media)))
    return rows


def _kinds(channels: list[ChannelRow]) -> list[KindRow]:
    """The reach of each kind of media channel the terms of reference name."""
    by_channel = {row.channel: row for row in channels}
    rows = []
    for kind, members in CHANNEL_KINDS.items():
        present = [by_channel[c] for c in members if c in by_channel and by_channel[c].total]
        label = KIND_LABELS.get(kind)
        rows.append(KindRow(kind, gettext(label) if label else KIND_NAMES[kind],
                            tuple(r.name for r in present), sum(r.total for r in present)))
    return rows


def _report_days(engine: Engine, date_from, date_to) -> list[dt.date]:
    """The first and last day of the channel reports (a period with reads but no visits)."""
    query = select(func.min(channel_reports.c.day), func.max(channel_reports.c.day))
    if date_from:
        query = query.where(channel_reports.c.day >= date_from)
    if date_to:
        query = query.where(channel_reports.c.day <= date_to)
    with engine.connect() as conn:
        first, last = conn.execute(query).one()
    return [d for d in (first, last) if d]


def _charts(report: Report) -> dict[str, Markup]:
    lang = report.lang
    figures: dict[str, Figure] = {}
    per_day = dict(report.per_day)
    if per_day:
        title, points = _visits_over_time(per_day, lang)
        figures["visits"] = log_figure("visits", title, gettext("page views and kiosk sessions"),
                                       points, lang, chart="line" if len(points) > 1 else "bar")
    viewed = [p for p in report.panels if p.views][:TOP_PANELS_CHARTED]
    if viewed:
        figures["panels"] = log_figure("panels", gettext("Most viewed panels"),
                                       gettext("panel views"),
                                       [(p.title, p.views) for p in viewed], lang)
    total = sum(n for _code, _name, n in report.languages)
    if total:
        # A share chart draws percentages: the counts are in the table beside it.
        figures["languages"] = log_figure(
            "languages", gettext("Languages"), "",
            [(name, round(100 * n / total, 1)) for _code, name, n in report.languages], lang,
            chart="share")
    reach = [(row.name, row.total) for row in report.channels if row.total][:12]
    if reach:
        figures["channels"] = log_figure("channels", gettext("Reach by channel"),
                                         gettext("page views and reported reads"), reach, lang)
    # render_chart escapes every text it draws, so its SVG is safe to inline.
    return {key: Markup(charts.render_chart(figure, None, lang)) for key, figure in figures.items()}


def render_report_html(lang: str, date_from: dt.date | None = None,
                       date_to: dt.date | None = None, *, toolbar: dict | None = None) -> str:
    """The report as one self-contained HTML document in ``lang``.

    ``toolbar`` (links for the staff view: languages, PDF) is shown on screen only; files leave
    it out.
    """
    with force_locale(lang):
        report = build_report(lang, date_from, date_to)
        # A document, not a page: rendered without the request's context processors, so the
        # command line (no request) makes exactly what the staff area serves.
        template = current_app.jinja_env.get_template("staff/report.html")
        return template.render(report=report, lang=lang, toolbar=toolbar,
                               made_at=format_datetime(report.made_at, format="medium",
                                                       locale=lang) + " UTC")


def html_to_pdf(html: str) -> bytes:
    """Lay the report out on A4 with WeasyPrint; fonts are embedded (CJK too)."""
    from importlib.resources import as_file, files

    from weasyprint import CSS, HTML  # imported when a PDF is asked for: it loads pango

    # Everything is inline, so there is nothing to fetch; the base URL only anchors relative
    # links should a future template use one. PDF/A-3b: the archivable form FECO and UNIDO keep
    # (fonts embedded, an sRGB output intent, XMP metadata), tagged as well for screen readers.
    # The output intent is WeasyPrint's own sRGB profile named in a stylesheet: its built-in
    # "srgb" intent opens that file and never closes it (a ResourceWarning on every report).
    profiles: dict = {}
    with as_file(files("weasyprint.pdf") / "sRGB2014.icc") as profile:
        intent = CSS(string=f'@color-profile --srgb {{ src: url("{profile.as_uri()}"); '
                            f'components: r, g, b }}', color_profiles=profiles)
        return HTML(string=html, base_url=str(Path(current_app.root_path))).write_pdf(
            pdf_variant=PDF_VARIANT, pdf_tags=True, output_intent="--srgb", stylesheets=[intent],
            color_profiles=profiles)


def render_report_pdf(lang: str, date_from: dt.date | None = None,
                      date_to: dt.date | None = None) -> bytes:
    """The report as a PDF in ``lang``."""
    return html_to_pdf(render_report_html(lang, date_from, date_to))


def default_language() -> str:
    """The exhibition's first language when it is one the report speaks, else English."""
    lang = get_store().current().default_language
    return lang if lang in REPORT_LANGUAGES else "en"
