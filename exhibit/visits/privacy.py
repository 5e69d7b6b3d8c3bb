"""Counting visitors without knowing them: no cookies, no stored IP addresses.

A visitor is a hash of (today's random salt, the site, the IP address, the user agent), as
Plausible does. The salt is made fresh each day and the old one deleted, so yesterday's hashes can
never be linked to today's, or to a person.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets

# Robots, crawlers, link previews and scripts: their visits are not the public's.
BOT_USER_AGENT = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|baiduspider|yandex|bingpreview|facebookexternalhit|"
    r"embedly|quora link preview|whatsapp|telegrambot|skypeuripreview|curl/|wget/|"
    r"python-requests|python-urllib|go-http-client|java/|okhttp|httpclient|libwww|"
    r"lighthouse|pingdom|uptimerobot|headlesschrome.*\bprerender",
    re.IGNORECASE,
)


def is_bot(user_agent: str | None) -> bool:
    """True for crawlers, previews and scripts (and for requests with no user agent at all)."""
    return not user_agent or bool(BOT_USER_AGENT.search(user_agent))


def new_salt() -> str:
    return secrets.token_hex(32)


def visitor_hash(salt: str, site: str, ip: str, user_agent: str) -> str:
    """The day's pseudonymous visitor id: the same person on the same day, nothing more."""
    digest = hashlib.sha256(f"{salt}\0{site}\0{ip}\0{user_agent}".encode()).hexdigest()
    return digest[:32]


def utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def local_today(tz: dt.tzinfo) -> dt.date:
    """Today in the exhibition's time zone (``TIMEZONE``): the salt changes at local midnight,
    so a visitor's day is the day the dashboard counts them on."""
    return dt.datetime.now(tz).date()
