"""The exhibition's time zone: what "a day" means in the visit log, the dashboard, the report and
the exports (``TIMEZONE``, default Asia/Shanghai: the hall opens 9:00–17:00 Beijing time, which is
01:00–09:00 UTC, and an online read at 07:00 in Beijing belongs to that Beijing day, not to the
UTC day before)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, current_app


class TimeZoneError(ValueError):
    """The TIMEZONE setting names no zone this machine knows."""


def zone_named(name: str) -> dt.tzinfo:
    """The zone called ``name`` (an IANA name like Asia/Shanghai, or UTC)."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise TimeZoneError(f"TIMEZONE: no time zone named '{name}'; use an IANA name like "
                            f"Asia/Shanghai, Europe/Paris or UTC") from None


def zone(app: Flask | None = None) -> dt.tzinfo:
    """The app's time zone (the ``TIMEZONE`` setting)."""
    app = app or current_app
    return zone_named(app.config.get("TIMEZONE") or "UTC")


def local_day(at: dt.datetime, tz: dt.tzinfo) -> dt.date:
    """The day a moment falls on in the zone ``tz`` (a naive moment is taken as UTC)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(tz).date()


def local_time(at: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    """A moment as the clock in ``tz`` shows it (a naive moment is taken as UTC)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(tz)


def today(tz: dt.tzinfo) -> dt.date:
    """Today in the zone ``tz``."""
    return dt.datetime.now(tz).date()
