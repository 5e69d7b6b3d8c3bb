"""Attract-loop engagement: of the people who stopped a kiosk's attract loop, how many went on to
look at the exhibition, per kiosk and per hour of the day, and how long their visits lasted.

Words, as the dashboard, the report and the README use them:

- a **passer-by** is an ``attract_interrupt`` event: someone stopped the attract loop (a touch, a
  key...). The kiosk records it in the visit that touch begins (its ``session``).
- a **visitor** is a passer-by whose visit has at least one ``panel_view``: they opened a panel.
  A passer-by who only woke the screen, looked at the home screen and left is not one.
- the **share** is visitors ÷ passers-by;
- a **visit's length** is its ``session_end`` ``duration_ms`` (first touch to the last touch before
  the reset; the idle time before the reset is not counted). The median is taken over the
  visitors' visits that have ended.

The period is the day of the interruption (the exhibition's day, ``TIMEZONE``), and the hour is
its hour on the hall's clock. Read-only, like :mod:`.stats`.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import gettext
from markupsafe import Markup
from sqlalchemy import Engine, select

from .. import charts
from .figures import Chart, _figure
from .schema import events
from .timezone import local_time


@dataclass
class Group:
    """Passers-by and visitors of one kiosk, one hour, or of all of them."""

    passers_by: int = 0
    visitors: int = 0
    visit_ms: list[int] = field(default_factory=list)  # lengths of the visitors' ended visits

    @property
    def share(self) -> float | None:
        """Visitors as a percentage of passers-by (None without passers-by)."""
        return round(100 * self.visitors / self.passers_by, 1) if self.passers_by else None

    @property
    def median_visit_s(self) -> float | None:
        """The median length of the visitors' visits, in seconds (None: no visit has ended)."""
        return round(statistics.median(self.visit_ms) / 1000, 1) if self.visit_ms else None

    def add(self, visited: bool, visit_ms: int | None) -> None:
        self.passers_by += 1
        if visited:
            self.visitors += 1
            if visit_ms is not None:
                self.visit_ms.append(visit_ms)


@dataclass
class Engagement:
    """The engagement of a period: in all, per kiosk, per hour (0-23, the hall's clock), and what
    stopped the loop (touch, key...)."""

    total: Group = field(default_factory=Group)
    kiosks: dict[str, Group] = field(default_factory=dict)
    hours: dict[int, Group] = field(default_factory=dict)
    causes: Counter = field(default_factory=Counter)
    loop_ms: list[int] = field(default_factory=list)  # how long the loop ran before each

    @property
    def median_loop_s(self) -> float | None:
        return round(statistics.median(self.loop_ms) / 1000, 1) if self.loop_ms else None


@dataclass(frozen=True)
class Interruption:
    """One attract_interrupt, with what became of the visit it began."""

    kiosk: str
    at: dt.datetime  # on the hall's clock
    cause: str
    loop_ms: int | None
    visited: bool  # the visit has a panel view
    visit_ms: int | None  # the visit's length, if it has ended


def tally(interruptions: Iterable[Interruption]) -> Engagement:
    """The figures of some interruptions (pure: the unit tests give hand-made ones)."""
    result = Engagement()
    for item in interruptions:
        result.total.add(item.visited, item.visit_ms)
        result.kiosks.setdefault(item.kiosk, Group()).add(item.visited, item.visit_ms)
        result.hours.setdefault(item.at.hour, Group()).add(item.visited, item.visit_ms)
        result.causes[item.cause] += 1
        if item.loop_ms is not None:
            result.loop_ms.append(item.loop_ms)
    result.kiosks = dict(sorted(result.kiosks.items()))
    result.hours = dict(sorted(result.hours.items()))
    return result


def _data(text: str | None) -> dict:
    try:
        value = json.loads(text or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _whole(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def interruptions(engine: Engine, date_from: dt.date | None = None,
                  date_to: dt.date | None = None, tz: dt.tzinfo = dt.UTC) -> list[Interruption]:
    """Every attract-loop interruption of the period, with the outcome of its visit."""
    query = select(events.c.kiosk_id, events.c.occurred_at, events.c.session_id,
                   events.c.data).where(events.c.kind == "attract_interrupt")
    if date_from:
        query = query.where(events.c.day >= date_from)
    if date_to:
        query = query.where(events.c.day <= date_to)
    sessions = query.with_only_columns(events.c.session_id)
    with engine.connect() as conn:
        rows = conn.execute(query.order_by(events.c.occurred_at, events.c.id)).all()
        if not rows:
            return []
        viewed = set(conn.execute(select(events.c.session_id).distinct().where(
            events.c.kind == "panel_view", events.c.session_id.in_(sessions))).scalars())
        lengths: dict[str, int] = {}
        for session, data in conn.execute(select(events.c.session_id, events.c.data).where(
                events.c.kind == "session_end", events.c.session_id.in_(sessions))):
            length = _whole(_data(data).get("duration_ms"))
            if length is not None:  # a visit is ended once: the first end counts
                lengths.setdefault(session, length)
    result = []
    for kiosk, at, session, data in rows:
        extra = _data(data)
        visited = session in viewed
        result.append(Interruption(kiosk or "?", local_time(at, tz), str(extra.get("cause", "?")),
                                   _whole(extra.get("loop_ms")), visited,
                                   lengths.get(session) if visited else None))
    return result


def engagement(engine: Engine, date_from: dt.date | None = None, date_to: dt.date | None = None,
               tz: dt.tzinfo = dt.UTC) -> Engagement:
    """The attract-loop engagement of a period (days inclusive, in the exhibition's zone)."""
    return tally(interruptions(engine, date_from, date_to, tz))


# -- as charts with their tables (the dashboard and the report) --------------------------------------

def cause_label(cause: str) -> str:
    """What stopped the loop, in the current locale."""
    names = {"touch": gettext("a touch"), "pen": gettext("a pen"), "mouse": gettext("a mouse"),
             "key": gettext("a key"), "other": gettext("other")}
    return names.get(cause, cause)


def hour_label(hour: int) -> str:
    return f"{hour:02d}:00–{hour:02d}:59"


def key_figures(result: Engagement, lang: str) -> list[tuple[str, str, str]]:
    """(id, value, label) of the headline numbers."""
    def n(value):
        return "–" if value is None else charts.number(value, lang)

    total = result.total
    return [
        ("passers-by", n(total.passers_by), gettext("Passers-by (attract loop stopped)")),
        ("visitors", n(total.visitors), gettext("Visitors (went on to view a panel)")),
        ("share", "–" if total.share is None else charts.percent(total.share, lang),
         gettext("Passers-by who became visitors")),
        ("median-visit", n(total.median_visit_s), gettext("Median visit length (s)")),
    ]


def _row(label: str, group: Group, lang: str) -> tuple[str, ...]:
    def n(value):
        return "–" if value is None else charts.number(value, lang)

    return (label, n(group.passers_by), n(group.visitors),
            "–" if group.share is None else charts.percent(group.share, lang),
            n(group.median_visit_s))


def engagement_charts(result: Engagement, lang: str) -> list[Chart]:
    """Per kiosk and per hour: the share as a chart, every figure in the table beside it."""
    if not result.total.passers_by:
        return []
    headers = (gettext("Passers-by"), gettext("Visitors"), gettext("Share who became visitors"),
               gettext("Median visit length (s)"))
    title = gettext("Passers-by who became visitors, per kiosk")
    figure = _figure("engagement-kiosks", title, gettext("share of passers-by who viewed a panel (%)"),
                     [(kiosk, group.share or 0) for kiosk, group in result.kiosks.items()], lang)
    by_kiosk = Chart("engagement-kiosks", title, Markup(charts.render_chart(figure, None, lang)),
                     (gettext("Kiosk"), *headers),
                     tuple(_row(kiosk, group, lang) for kiosk, group in result.kiosks.items()))
    first, last = min(result.hours), max(result.hours)
    hours = list(range(first, last + 1))  # every hour of the day between, none skipped
    groups = [result.hours.get(h, Group()) for h in hours]
    title = gettext("Passers-by and visitors, per hour of the day")
    svg = charts.render_series(
        "engagement-hours", title, gettext("people, by the hour the loop was stopped (hall time)"),
        [f"{h:02d}" for h in hours],
        [(gettext("Passers-by"), [g.passers_by for g in groups]),
         (gettext("Visitors"), [g.visitors for g in groups])], lang)
    by_hour = Chart("engagement-hours", title, Markup(svg), (gettext("Hour"), *headers),
                    tuple(_row(hour_label(h), g, lang) for h, g in zip(hours, groups, strict=True)))
    return [by_kiosk, by_hour]


@dataclass(frozen=True)
class EngagementView:
    """What the dashboard and the report show of the engagement, in the current locale."""

    result: Engagement
    figures: list[tuple[str, str, str]]  # (id, value, label)
    charts: list[Chart]
    causes: str  # "a touch 120, a key 3"
    median_loop: str | None  # how long the loop had run, median, formatted (s)

    @property
    def passers_by(self) -> int:
        return self.result.total.passers_by


def engagement_view(result: Engagement, lang: str) -> EngagementView:
    causes = ("、" if lang == "zh" else ", ").join(f"{cause_label(c)} {charts.number(n, lang)}"
                       for c, n in sorted(result.causes.items(), key=lambda i: (-i[1], i[0])))
    loop = result.median_loop_s
    return EngagementView(result, key_figures(result, lang), engagement_charts(result, lang),
                          causes, None if loop is None else charts.number(loop, lang))
