"""The figures of a period, as charts with their data tables: what the staff dashboard shows, and
what the summary report can reuse. Built from a :class:`~.stats.Summary` (and the previous period's,
to compare); drawn by :mod:`exhibit.charts`; in the current locale (``gettext``).

Nothing here reads the database or the request: the caller passes the summaries and the names
(panel titles, channel labels) a person reads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext
from markupsafe import Markup

from .. import charts
from ..content import Figure, FigureRow, Localized
from ..i18n import LANGUAGE_NAMES
from .stats import Summary

# Bars in a chart; the table beside it lists every row.
MAX_BARS = 10


@dataclass(frozen=True)
class Chart:
    """One chart and the table that says the same in numbers (headers, then rows of text)."""

    id: str
    title: str
    svg: Markup  # drawn by exhibit.charts, which escapes every text it draws
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class KeyFigure:
    id: str
    label: str
    value: int | float | None
    previous: int | float | None = None  # the period before, when compared

    @property
    def delta(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        delta = self.value - self.previous
        return round(delta, 1) if isinstance(delta, float) else delta


def _figure(figure_id: str, title: str, unit: str, rows: list[tuple[str, float]], lang: str,
            chart: str = "bar") -> Figure:
    return Figure(id=figure_id, chart=chart, title=Localized({lang: title}),
                  unit=Localized({lang: unit}) if unit else None, source=None,
                  illustrative=False, note=None,
                  rows=tuple(FigureRow(Localized({lang: label}), float(value), None, None)
                             for label, value in rows), data_path="")


def _n(value: float | None, lang: str) -> str:
    return "–" if value is None else charts.number(value, lang)


def _change(value: float, previous: float | None, lang: str) -> str:
    """The change from the previous period: +12 (+8%), or – when there was nothing before."""
    if previous is None:
        return "–"
    delta = value - previous
    sign = "+" if delta > 0 else ""
    if not previous:
        return f"{sign}{charts.number(delta, lang)}"
    return (f"{sign}{charts.number(delta, lang)} "
            f"({sign}{charts.percent(round(100 * delta / previous), lang)})")


def days_of(summary: Summary) -> list[dt.date]:
    """Every day of the period (or of the record, without a period), none skipped."""
    first = summary.date_from or (min(summary.per_day) if summary.per_day else None)
    last = summary.date_to or (max(summary.per_day) if summary.per_day else None)
    if first is None or last is None or last < first:
        return []
    # A period typed by hand may span centuries: the chart shows the days that have records.
    if (last - first).days > 3 * 366:
        return sorted(summary.per_day)
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def key_figures(summary: Summary, previous: Summary | None, target: int) -> list[KeyFigure]:
    """The headline numbers of the period, each with the previous period's when compared."""
    def pair(get: Callable[[Summary], Any]) -> tuple[Any, Any]:
        return get(summary), (get(previous) if previous else None)

    return [
        KeyFigure("page-views", gettext("Online page views"), *pair(lambda s: s.page_views)),
        KeyFigure("visitors", gettext("Unique online visitors (counted per day)"),
                  *pair(lambda s: s.unique_visitors)),
        KeyFigure("sessions", gettext("Kiosk sessions"), *pair(lambda s: s.kiosk_sessions)),
        KeyFigure("median-session", gettext("Median kiosk session (s)"),
                  *pair(lambda s: s.median_session_s)),
        KeyFigure("reach", gettext("Total reach across channels, target %(target)s",
                                   target=f"{target:,}"), *pair(lambda s: s.total_reach)),
    ]


def dashboard_figures(summary: Summary, *, lang: str, panel_titles: Mapping[str, str],
                      channel_label: Callable[[str], str], target: int,
                      questionnaire: Any = None, default_language: str = "zh",
                      previous: Summary | None = None) -> list[Chart]:
    """The charts of a period: visits per day, panels by views and by time on them, reach by
    channel against the target, languages, QR arrivals, questionnaire answers. With
    ``previous``, the tables add the period before and the change."""
    result: list[Chart] = []
    compare = previous is not None
    prev_cols = (gettext("Previous period"), gettext("Change")) if compare else ()

    def compared(value: float, before: float | None) -> tuple[str, ...]:
        return (_n(before, lang), _change(value, before, lang)) if compare else ()

    days = days_of(summary)
    if days:
        sessions = [summary.per_day.get(d, {}).get("session_start", 0) for d in days]
        reads = [summary.per_day.get(d, {}).get("page_view", 0) for d in days]
        labels = [d.strftime("%m-%d") for d in days]
        title = gettext("Visits per day")
        svg = charts.render_series("per-day", title, gettext("kiosk sessions and online reads"),
                                   labels, [(gettext("Online reads"), reads),
                                            (gettext("Kiosk sessions"), sessions)], lang)
        result.append(Chart("per-day", title, Markup(svg),
                            (gettext("Day"), gettext("Kiosk sessions"), gettext("Online reads")),
                            tuple((d.isoformat(), _n(s, lang), _n(r, lang))
                                  for d, s, r in zip(days, sessions, reads, strict=True))))

    ranked = sorted(summary.panels.items(), key=lambda item: (-item[1]["views"], item[0]))
    if ranked:
        def title_of(slug: str) -> str:
            return panel_titles.get(slug, slug)  # a panel of an old version: its slug

        before = previous.panels if previous else {}
        title = gettext("Panels by views")
        figure = _figure("panels", title, gettext("panel views on the kiosks and online"),
                         [(title_of(s), r["views"]) for s, r in ranked[:MAX_BARS]], lang)
        result.append(Chart("panels", title, Markup(charts.render_chart(figure, None, lang)),
                            (gettext("Panel"), gettext("Views"),
                             gettext("Median time on panel (s)")) + prev_cols,
                            tuple((title_of(s), _n(r["views"], lang),
                                   _n(r["median_dwell_s"], lang))
                                  + compared(r["views"], before.get(s, {}).get("views"))
                                  for s, r in ranked)))
        by_time = sorted(ranked, key=lambda item: (-item[1]["median_dwell_s"], item[0]))
        title = gettext("Median time on panel")
        figure = _figure("dwell", title, gettext("seconds"),
                         [(title_of(s), r["median_dwell_s"]) for s, r in by_time[:MAX_BARS]],
                         lang)
        result.append(Chart("dwell", title, Markup(charts.render_chart(figure, None, lang)),
                            (gettext("Panel"), gettext("Median time on panel (s)"),
                             gettext("Views")),
                            tuple((title_of(s), _n(r["median_dwell_s"], lang),
                                   _n(r["views"], lang)) for s, r in by_time)))

    reach = summary.channels + summary.reported_reads
    if reach:
        before_reach = (previous.channels + previous.reported_reads) if previous else None
        ranked_reach = sorted(reach.items(), key=lambda item: (-item[1], item[0]))
        total = sum(reach.values())
        title = gettext("Reach by channel: %(total)s of the %(target)s target (%(share)s)",
                        total=charts.number(total, lang), target=charts.number(target, lang),
                        share=charts.percent(round(100 * total / target, 1), lang)
                        if target else "–")
        figure = _figure("reach", title, gettext("page views and reported reads"),
                         [(channel_label(c), n) for c, n in ranked_reach[:MAX_BARS]], lang)
        result.append(Chart("reach", title, Markup(charts.render_chart(figure, None, lang)),
                            (gettext("Channel"), gettext("Page views measured here"),
                             gettext("Reads reported by the platform"),
                             gettext("Source of the reported figure")) + prev_cols,
                            tuple((channel_label(c), _n(summary.channels[c], lang),
                                   _n(summary.reported_reads[c], lang),
                                   "; ".join(summary.reported_sources.get(c, [])))
                                  + compared(n, before_reach[c] if before_reach is not None
                                             else None)
                                  for c, n in ranked_reach)))

    if summary.languages:
        total = sum(summary.languages.values())
        ranked_langs = sorted(summary.languages.items(), key=lambda item: (-item[1], item[0]))
        title = gettext("Languages")
        figure = _figure("languages", title, "",
                         [(LANGUAGE_NAMES.get(code, code), round(100 * n / total, 1))
                          for code, n in ranked_langs[:6]],
                         lang, chart="share")
        result.append(Chart("languages", title, Markup(charts.render_chart(figure, None, lang)),
                            (gettext("Language"), gettext("Page views and kiosk sessions"))
                            + prev_cols,
                            tuple((LANGUAGE_NAMES.get(code, code), _n(n, lang)) + compared(
                                n, previous.languages[code] if previous else None)
                                  for code, n in ranked_langs)))

    if summary.qr_arrivals:
        names = {"print-qr": gettext("Printed panel → phone"),
                 "kiosk-qr": gettext("Kiosk → phone")}
        ranked_qr = sorted(summary.qr_arrivals.items(), key=lambda item: (-item[1], item[0]))
        title = gettext("QR arrivals")
        figure = _figure("qr", title, gettext("phones arriving by QR code"),
                         [(names.get(s, s), n) for s, n in ranked_qr], lang)
        result.append(Chart("qr", title, Markup(charts.render_chart(figure, None, lang)),
                            (gettext("QR code"), gettext("Arrivals")) + prev_cols,
                            tuple((names.get(s, s), _n(n, lang)) + compared(
                                n, previous.qr_arrivals[s] if previous else None)
                                  for s, n in ranked_qr)))

    for question_id, answers in sorted(summary.feedback.items()):
        question = questionnaire.question(question_id) if questionnaire else None
        rows: list[tuple[str, int]] = []
        if question is None:
            text = question_id  # a question of an older questionnaire
            rows = sorted(answers.items(), key=lambda item: (-item[1], item[0]))
        else:
            qlang = lang if lang in question.text else default_language
            text = question.text[qlang]
            known = set()
            for choice in question.choices:
                known.add(choice.id)
                label = choice.label.get(qlang, choice.id)
                if question.kind == "rating" and label != choice.id:
                    label = f"{choice.id} – {label}"
                rows.append((label, answers[choice.id]))
            rows += [(a, n) for a, n in sorted(answers.items()) if a not in known]
        chart_id = f"q-{question_id}"
        figure = _figure(chart_id, text, gettext("answers"), rows, lang)
        before_answers = previous.feedback.get(question_id) if previous else None
        result.append(Chart(chart_id, text, Markup(charts.render_chart(figure, None, lang)),
                            (gettext("Answer"), gettext("Answers")) + prev_cols,
                            tuple((label, _n(n, lang)) + compared(
                                n, None if previous is None else
                                (before_answers or {}).get(_answer_key(question, label), 0))
                                  for label, n in rows)))
    return result


def _answer_key(question: Any, label: str) -> str:
    """The answer id behind a row label (for the previous period's count)."""
    if question is None:
        return label
    for choice in question.choices:
        if label == choice.id or label.startswith(f"{choice.id} – ") or label in (
                choice.label.get(lang) for lang in choice.label):
            return choice.id
    return label


def previous_period(date_from: dt.date, date_to: dt.date) -> tuple[dt.date, dt.date]:
    """The period of the same length just before ``date_from``..``date_to``."""
    length = (date_to - date_from).days + 1
    return date_from - dt.timedelta(days=length), date_from - dt.timedelta(days=1)
