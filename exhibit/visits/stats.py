"""Read-only figures for the dashboard and the summary report. No writes here."""

from __future__ import annotations

import datetime as dt
import json
import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import Engine, func, select

from .schema import channel_reports, events


@dataclass
class Summary:
    """Everything the dashboard and the report show for a date range."""

    date_from: dt.date | None
    date_to: dt.date | None
    page_views: int = 0
    unique_visitors: int = 0  # sum of daily unique visitors (salts rotate daily)
    kiosk_sessions: int = 0
    median_session_s: float | None = None
    per_day: dict[dt.date, dict[str, int]] = field(default_factory=dict)
    languages: Counter = field(default_factory=Counter)
    channels: Counter = field(default_factory=Counter)  # our own page views by channel
    reported_reads: Counter = field(default_factory=Counter)  # reads reported by platforms
    reported_sources: dict[str, list[str]] = field(default_factory=dict)
    panels: dict[str, dict[str, float]] = field(default_factory=dict)  # views, median dwell s
    feedback: dict[str, Counter] = field(default_factory=dict)
    qr_arrivals: Counter = field(default_factory=Counter)
    kiosks: Counter = field(default_factory=Counter)

    @property
    def total_reach(self) -> int:
        """Reads across channels: our measured page views plus what platforms report."""
        return self.page_views + sum(self.reported_reads.values())


def _range(query, column, date_from, date_to):
    if date_from:
        query = query.where(column >= date_from)
    if date_to:
        query = query.where(column <= date_to)
    return query


def summarise(engine: Engine, date_from: dt.date | None = None,
              date_to: dt.date | None = None) -> Summary:
    """Aggregate the visit log (and the channel reports) between two days, inclusive."""
    s = Summary(date_from, date_to)
    with engine.connect() as conn:
        counts = conn.execute(_range(
            select(events.c.day, events.c.kind, func.count()).group_by(events.c.day,
                                                                       events.c.kind),
            events.c.day, date_from, date_to)).all()
        for day, kind, n in counts:
            s.per_day.setdefault(day, {})[kind] = n
            if kind == "page_view":
                s.page_views += n
            elif kind == "session_start":
                s.kiosk_sessions += n
        # A visitor hash is only stable within a day, so uniques are counted per day and summed.
        daily_visitors = _range(
            select(events.c.day, events.c.visitor).where(
                events.c.kind == "page_view", events.c.visitor.is_not(None)),
            events.c.day, date_from, date_to).group_by(events.c.day, events.c.visitor)
        s.unique_visitors = conn.execute(
            select(func.count()).select_from(daily_visitors.subquery())).scalar_one()
        for lang, n in conn.execute(_range(
                select(events.c.lang, func.count()).where(
                    events.c.kind.in_(("page_view", "session_start"))).group_by(events.c.lang),
                events.c.day, date_from, date_to)):
            s.languages[lang or "?"] += n
        for channel, n in conn.execute(_range(
                select(events.c.channel, func.count()).where(
                    events.c.kind == "page_view").group_by(events.c.channel),
                events.c.day, date_from, date_to)):
            s.channels[channel or "direct"] += n
        for channel, n in conn.execute(_range(
                select(events.c.data, func.count()).where(
                    events.c.kind == "qr_arrival").group_by(events.c.data),
                events.c.day, date_from, date_to)):
            s.qr_arrivals[json.loads(channel or "{}").get("src", "?")] += n
        for kiosk, n in conn.execute(_range(
                select(events.c.kiosk_id, func.count()).where(
                    events.c.kind == "session_start").group_by(events.c.kiosk_id),
                events.c.day, date_from, date_to)):
            s.kiosks[kiosk] += n
        dwell: dict[str, list[int]] = defaultdict(list)
        for panel, ms in conn.execute(_range(
                select(events.c.panel, events.c.dwell_ms).where(events.c.kind == "panel_view"),
                events.c.day, date_from, date_to)):
            dwell[panel].append(ms or 0)
        for panel, values in dwell.items():
            s.panels[panel] = {"views": len(values), "median_dwell_s":
                               round(statistics.median(values) / 1000, 1)}
        durations = [json.loads(data or "{}").get("duration_ms", 0) for (data,) in conn.execute(
            _range(select(events.c.data).where(events.c.kind == "session_end"),
                   events.c.day, date_from, date_to))]
        if durations:
            s.median_session_s = round(statistics.median(durations) / 1000, 1)
        for (data,) in conn.execute(_range(
                select(events.c.data).where(events.c.kind == "feedback_answer"),
                events.c.day, date_from, date_to)):
            answer = json.loads(data or "{}")
            s.feedback.setdefault(answer.get("question", "?"), Counter())[
                str(answer.get("answer"))] += 1
        for channel, reads, source in conn.execute(_range(
                select(channel_reports.c.channel, channel_reports.c.reads,
                       channel_reports.c.source),
                channel_reports.c.day, date_from, date_to)):
            s.reported_reads[channel] += reads
            sources = s.reported_sources.setdefault(channel, [])
            if source not in sources:
                sources.append(source)
    return s
