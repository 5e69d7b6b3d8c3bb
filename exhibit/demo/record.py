"""``exhibit demo record``: a simulated exhibition record for the demo (exhibit/visits/simulate.py),
stored through the same functions as the API, the channel-figure form and the photo upload.

It lives in its own package above the staff and review screens because it needs them all: the
visit log, the staff photo store, and the demo accounts that tell a demo server from a real one.
"""

from __future__ import annotations

import datetime as dt
import sys
import time

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from ..contentstore import get_store
from ..publication import public_exhibition
from ..review.demo import accounts_with_demo_password
from ..staff.photos import PhotoError, store_photo
from ..visits import heartbeat, simulate, store
from ..visits.channels import channel_names
from ..visits.db import get_engine
from ..visits.report import photo_folder
from ..visits.schema import photos
from ..visits.timezone import zone

# The hall's two kiosks when kiosk/kiosks.yaml names none.
DEFAULT_KIOSKS = ("hall-a-left", "hall-a-right")
ACTOR = "demo record (simulated)"


@click.group("demo", cls=AppGroup)
def demo_cli() -> None:
    """The demo exhibition: a simulated record of visits to show the staff screens."""


def _date(_ctx, _param, value):
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date like 2026-11-21") from None


def refuse_outside_demo(app) -> None:
    """A simulated record must never mix with a real one. A real server refuses to start while an
    account has the demo's published password (exhibit/gunicorn_config.py); so an instance with no
    such account is treated as real, and refused."""
    if not accounts_with_demo_password(app):
        raise click.ClickException(
            "this instance has no demo account (admin with the demo password), so it may be a "
            "real exhibition's: a simulated record is refused here. On a demo instance, run "
            "`exhibit review demo` first (scripts/demo does).")


def hall_days(exhibition, start: dt.date | None, days: int | None,
              tz: dt.tzinfo) -> tuple[dt.date | None, int]:
    """The days to play: as given, else the exhibition's own (``dates: {opens, closes}`` in
    exhibition.yaml) up to yesterday, else the 42 days that end yesterday."""
    yesterday = dt.datetime.now(tz).date() - dt.timedelta(days=1)
    if start is None and exhibition.opens is not None and exhibition.opens <= yesterday:
        start = exhibition.opens
        if days is None:
            last = min(exhibition.closes or yesterday, yesterday)
            days = (last - start).days + 1
    return start, days or 42


def make_plan(app, start: dt.date | None, days: int, seed: int) -> simulate.Plan:
    """The plan from the app: its time zone, published panels, kiosks and questionnaire."""
    tz = zone(app)
    public = public_exhibition(app)
    exhibition = get_store(app).current()
    kiosk_config = app.extensions.get("exhibit.kiosks")
    configured = tuple(kiosk_config.kiosks.values()) if kiosk_config else ()
    kiosks = tuple((k.id, k.languages) for k in configured[:2]) or tuple(
        (k, ()) for k in DEFAULT_KIOSKS)
    return simulate.Plan(
        start=start or simulate.default_start(days, tz), days=days, seed=seed, tz=tz,
        panels=tuple(p.slug for p in public.panels),
        video_panels=frozenset(p.slug for p in public.panels if p.video is not None),
        languages=tuple(exhibition.languages), kiosks=kiosks,
        questions=simulate.questions_of(exhibition.questionnaire))


def _store_photos(app, plan: simulate.Plan) -> int:
    """The demo drawings through the staff upload's checks and store; one already there (by its
    caption) is not added again."""
    engine = get_engine(app)
    with engine.connect() as conn:
        have = set(conn.execute(select(photos.c.caption)).scalars())
    added = 0
    for caption, day, data in simulate.demo_photos(plan):
        if caption in have:
            continue
        try:
            stored = store_photo(data, photo_folder(app), max_bytes=app.config["MAX_UPLOAD_BYTES"],
                                 max_pixels=app.config["MAX_UPLOAD_PIXELS"])
        except PhotoError as exc:
            raise click.ClickException(f"demo photo refused: {exc}") from None
        store.add_photo(engine, id=stored.id, caption=caption, taken_on=day, width=stored.width,
                        height=stored.height, bytes=stored.bytes, sha256=stored.sha256,
                        uploaded_by=ACTOR, audit=store.AuditEntry(
                            ACTOR, "photo_uploaded", target=stored.id,
                            detail=f"sha256 {stored.sha256} (simulated demo drawing)"))
        added += 1
    return added


# Where the demo's heartbeats say they came from, on the fleet console.
DEMO_ADDRESS = "simulated (exhibit demo record)"
SIMULATED_ERROR = "simulated by exhibit demo record"


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def demo_heartbeats(app, plan: simulate.Plan) -> int:
    """A heartbeat from each of the demo's kiosks, as of now, so that the fleet console is not
    empty: the first all well, the second with records waiting, storage refused and an error
    that says it is simulated. Checked and stored like a kiosk's (exhibit.visits.heartbeat), from
    the address "simulated (exhibit demo record)"; never in the visit log."""
    now = dt.datetime.now(dt.UTC)
    version = public_exhibition(app).fingerprint
    states = [
        {"queue_length": 0, "last_sent_at": _stamp(now - dt.timedelta(seconds=12)),
         "storage_persisted": True, "screen_width": 1920, "screen_height": 1080,
         "uptime_s": 6 * 3600 + 42 * 60, "visit_open_s": 95},
        {"queue_length": 14, "oldest_queued_at": _stamp(now - dt.timedelta(minutes=3)),
         "last_sent_at": _stamp(now - dt.timedelta(minutes=3, seconds=20)),
         "storage_persisted": False, "screen_width": 1080, "screen_height": 1920,
         "uptime_s": 2 * 3600 + 5 * 60, "offline_from": _stamp(now - dt.timedelta(minutes=9)),
         "last_error": f"{SIMULATED_ERROR}: download: HTTP 503 for /api/v1/panels?lang=en"},
    ]
    stored = 0
    for (kiosk_id, _), state in zip(plan.kiosks, states, strict=False):
        beat = heartbeat.validate({"measured_at": _stamp(now), "content_version": version,
                                   "stuck_visit": False, **state})
        store.record_heartbeat(get_engine(app), kiosk_id, beat["measured_at"],
                               beat["queue_length"], heartbeat.to_json(beat), DEMO_ADDRESS)
        stored += 1
    return stored


@demo_cli.command("record")
@click.option("--days", type=click.IntRange(1, 366),
              help="how many days the exhibition has been open; default: from the exhibition's "
                   "opening day (exhibition.yaml dates) to its closing day or yesterday, "
                   "else 42")
@click.option("--start", callback=_date,
              help="first day (YYYY-MM-DD); default: the opening day in exhibition.yaml, else "
                   "the days that end yesterday")
@click.option("--seed", type=int, default=1, show_default=True,
              help="another seed gives another record (and adds it to the log)")
def record_command(days: int | None, start: dt.date | None, seed: int) -> None:
    """Play a whole simulated exhibition into the visit log: two hall kiosks open 9:00–17:00,
    online reads by channel, questionnaire answers, the communications team's weekly channel
    figures, a few photo records and a heartbeat per kiosk for the fleet console, all marked as
    simulated. Safe to run again: the same days
    and seed store nothing new. Refused on an instance without the demo accounts."""
    app = current_app._get_current_object()
    refuse_outside_demo(app)
    start, days = hall_days(get_store(app).current(), start, days, zone(app))
    plan = make_plan(app, start, days, seed)
    if not plan.panels:
        raise click.ClickException("no panel is published yet: run `exhibit review demo` first")
    last = plan.day(days - 1)
    if last >= dt.datetime.now(plan.tz).date() + dt.timedelta(days=1):
        raise click.ClickException(f"the record would end on {last}, in the future")
    begun = time.perf_counter()
    engine = get_engine(app)
    with click.progressbar(length=0, label=f"simulating {plan.start} to {last}",
                           file=sys.stderr) as bar:
        played = simulate.play_events(engine, plan, progress=lambda n: bar.update(n))
    if played.rejected:
        raise click.ClickException(f"{len(played.rejected)} simulated event(s) refused by the "
                                   f"event rules, e.g. {played.rejected[0]}")
    played.figures = simulate.play_channel_figures(engine, plan, set(channel_names()), ACTOR)
    played.photos = _store_photos(app, plan)
    beats = demo_heartbeats(app, plan)
    click.echo(simulate.summary_line(played, time.perf_counter() - begun))
    click.echo(f"{beats} simulated kiosk heartbeat(s) for the fleet console (/staff/kiosks), "
               f"as of now: the kiosks will show as stale, then offline, within minutes.")
    click.echo("The record is simulated: every channel figure's source and every photo caption "
               "says so.")
