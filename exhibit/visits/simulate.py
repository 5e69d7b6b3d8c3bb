"""A simulated exhibition record, for the demo: weeks of kiosk sessions, online reads, answers to
the questionnaire, the communications team's channel figures and a few photo records.

Every event goes through the same code as a POST to ``/api/v1/events``: :func:`events.validate`,
then :func:`ingest.to_row` (channel, visitor hash, day in the exhibition's time zone), then
:func:`store.record_events`, in large batches. Event ids are UUID 5 made from the seed, the day
and a counter, so the same plan gives the same ids: running it again stores nothing new.

Nothing here knows Flask: the command (``exhibit demo record``) gathers the plan from the app.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Engine, select

from . import store
from .events import FieldError, validate
from .ingest import Client, to_row
from .privacy import new_salt
from .schema import channel_reports

# Opening hours of the hall, local time (seed 000: the provincial exhibition).
OPENS, CLOSES = 9, 17
# Each source text says the figure is made up: a demo record must never pass for a real one.
SIMULATED = "模拟数据 / simulated demo figure"
BATCH = 5000  # rows per transaction: large enough that SQLite spends its time writing rows
SITE = "expo.example.org"
PHONE_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
            "(KHTML, like Gecko) Mobile/15E148")
ANDROID_UA = ("Mozilla/5.0 (Linux; Android 14; V2309A) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/126.0 Mobile Safari/537.36")
PC_UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/126.0 Safari/537.36")
KIOSK_UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0"

# Online channels: (id, share of our own page views, device, hourly curve, where readers arrive
# from). Curves are local hours with a weight each: WeChat readers read at lunch and in the evening,
# news-site readers in office hours, overseas readers (X, Facebook) in Europe's day.
EVENING = {7: 1, 8: 2, 12: 3, 13: 2, 18: 2, 19: 3, 20: 4, 21: 4, 22: 3, 23: 1}
OFFICE = {8: 1, 9: 3, 10: 4, 11: 3, 14: 3, 15: 4, 16: 3, 17: 1}
LATE = {12: 1, 19: 2, 20: 3, 21: 4, 22: 5, 23: 4, 0: 2}
OVERSEAS = {15: 2, 16: 3, 17: 4, 18: 3, 21: 2, 22: 3, 23: 2, 2: 1}


@dataclass(frozen=True)
class Channel:
    id: str
    share: float
    device: str  # phone | pc | mixed
    hours: dict[int, int]
    referrer: str | None = None  # sent instead of a ?src= tag


ONLINE = (
    Channel("wechat", 0.30, "phone", EVENING),
    Channel("weibo", 0.10, "phone", LATE),
    Channel("douyin", 0.09, "phone", LATE),
    Channel("kuaishou", 0.04, "phone", LATE),
    Channel("toutiao", 0.07, "phone", OFFICE),
    Channel("news", 0.10, "mixed", OFFICE),
    Channel("search", 0.08, "mixed", OFFICE, referrer="https://www.baidu.com/s?wd=汞"),
    Channel("direct", 0.06, "pc", OFFICE),
    Channel("facebook", 0.03, "mixed", OVERSEAS),
    Channel("x", 0.03, "mixed", OVERSEAS),
    Channel("email", 0.02, "pc", OFFICE),
)

# The communications team's weekly figures: (channel, reads per week at the start, what they
# copied it from). Platforms report far more than we measure (views in the feed, video plays).
REPORTED = (
    ("wechat", 520_000, "微信公众号后台“图文分析” / WeChat Official Account analytics"),
    ("weibo", 800_000, "微博数据中心阅读数 / Weibo data centre, reads"),
    ("douyin", 1_100_000, "抖音创作者中心播放量 / Douyin creator centre, plays"),
    ("kuaishou", 350_000, "快手创作者服务平台 / Kuaishou creator platform"),
    ("toutiao", 420_000, "今日头条号后台 / Toutiao account backend"),
    ("news", 260_000, "新华网、人民网等转载阅读数 / news sites' read counts (Xinhua, People's Daily)"),
    ("bilibili", 150_000, "哔哩哔哩创作中心 / Bilibili creator centre"),
    ("facebook", 40_000, "Meta Business Suite, post reach"),
    ("x", 25_000, "X analytics, impressions"),
)


@dataclass(frozen=True)
class Question:
    id: str
    answers: tuple[str | int, ...]  # choice ids, or 1..5 for a rating
    weights: tuple[float, ...]


@dataclass(frozen=True)
class Plan:
    """What to play: the days, the published panels, the kiosks and the questionnaire."""

    start: dt.date
    days: int
    seed: int
    tz: dt.tzinfo
    panels: tuple[str, ...]  # published panels, in the exhibition's order
    video_panels: frozenset[str]
    languages: tuple[str, ...]  # the exhibition's, first the default
    kiosks: tuple[tuple[str, tuple[str, ...]], ...]  # (kiosk id, languages offered)
    questions: tuple[Question, ...] = ()

    def day(self, index: int) -> dt.date:
        return self.start + dt.timedelta(days=index)


@dataclass
class Played:
    events: int = 0
    stored: int = 0
    rejected: list[str] = field(default_factory=list)
    figures: int = 0
    photos: int = 0


def default_start(days: int, tz: dt.tzinfo) -> dt.date:
    """The first day of ``days`` days that end yesterday (in the exhibition's zone)."""
    return dt.datetime.now(tz).date() - dt.timedelta(days=days)


def questions_of(questionnaire: Any) -> tuple[Question, ...]:
    """The questionnaire's questions with plausible answer weights: ratings lean to 4 and 5,
    the first choices of a question are picked more often than the last."""
    if questionnaire is None:
        return ()
    result = []
    for q in questionnaire.questions:
        ids = tuple(int(c.id) if c.id.isdigit() else c.id for c in q.choices)
        if q.kind == "rating":
            weights = tuple((0.03, 0.07, 0.2, 0.4, 0.3)[i % 5] for i in range(len(ids)))
        else:
            weights = tuple(1.0 / (1 + i) for i in range(len(ids)))
        result.append(Question(q.id, ids, weights))
    return tuple(result)


def _busyness(plan: Plan, index: int, rng: random.Random) -> float:
    """How busy a day is: the opening day and weekends draw crowds, interest fades a little."""
    day = plan.day(index)
    factor = 2.5 if index == 0 else 1.0
    if day.weekday() >= 5:
        factor *= 1.7
    fade = 1.0 - 0.35 * index / max(plan.days, 1)
    return factor * fade * rng.uniform(0.8, 1.2)


def _at(day: dt.date, hour: float, tz: dt.tzinfo) -> dt.datetime:
    local = dt.datetime.combine(day, dt.time(0), tzinfo=tz) + dt.timedelta(hours=hour)
    return local.astimezone(dt.UTC)


def _stamp(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


class _Ids:
    """Deterministic event ids: UUID 5 of the seed, the day and a counter."""

    def __init__(self, seed: int, day: dt.date):
        self.space = uuid.uuid5(uuid.NAMESPACE_URL, f"https://exhibit.invalid/demo-record/{seed}")
        self.prefix = day.isoformat()
        self.n = 0

    def __call__(self) -> str:
        self.n += 1
        return str(uuid.uuid5(self.space, f"{self.prefix}/{self.n}"))


def _dwell_ms(rng: random.Random, median_s: float = 25) -> int:
    """Time on a panel: log-normal (median about 25 s, a long tail of readers who stay minutes),
    cut at 20 minutes (the kiosk's idle reset ends anything longer)."""
    return min(int(rng.lognormvariate(math.log(median_s * 1000), 0.9)), 20 * 60_000)


def _appeal(plan: Plan) -> dict[str, tuple[float, float]]:
    """Per panel: how often it is chosen and its median time (s). Some panels draw people in (a
    video, a striking figure), others are passed by; the same for every day of the plan."""
    rng = random.Random(f"{plan.seed}/appeal")
    return {slug: (rng.lognormvariate(0, 0.6),
                   rng.uniform(12, 45) * (2.2 if slug in plan.video_panels else 1.0))
            for slug in plan.panels}


def _pick(rng: random.Random, appeal: dict[str, tuple[float, float]], count: int) -> list[str]:
    """``count`` different panels, the more appealing ones more often."""
    slugs = list(appeal)
    weights = [appeal[s][0] for s in slugs]
    picked: dict[str, None] = {}
    while len(picked) < min(count, len(slugs)):
        picked[rng.choices(slugs, weights)[0]] = None
    return list(picked)


# The attract loop (issue 19): every kiosk visit begins by someone stopping it, and some of the
# people who stop it look at the home screen and walk on. Whether they stay depends on the kiosk
# (where it stands) and the hour (at lunch more people poke the screen in passing).
ATTRACT_CAUSES = ("touch", "key", "mouse")
ATTRACT_CAUSE_WEIGHTS = (0.96, 0.03, 0.01)  # touch screens; a keypad at the accessible kiosk


def _conversion(plan: Plan, kiosk_id: str, hour: float) -> float:
    """The chance that a passer-by at this kiosk and hour opens a panel."""
    base = random.Random(f"{plan.seed}/attract/{kiosk_id}").uniform(0.45, 0.75)
    if 12 <= hour < 14:
        base *= 0.8
    elif 15 <= hour < 17:
        base *= 1.1
    return min(base, 0.95)


def _attract(plan: Plan, day: dt.date, rng: random.Random, ids: _Ids, client: Client,
             kiosk_id: str, lang: str, t: dt.datetime, gap_ms: float,
             session: str | None = None) -> Iterator[tuple[Client, dict[str, Any]]]:
    """Someone stops the attract loop at ``t``: the interruption of the visit ``session``, or
    (without one) a passer-by's whole visit that opens no panel."""
    opened = _at(day, OPENS - 0.5, plan.tz)  # the kiosk starts before the hall opens
    loop_ms = int(min(rng.expovariate(1 / gap_ms) + 1000, (t - opened).total_seconds() * 1000))
    cause = rng.choices(ATTRACT_CAUSES, ATTRACT_CAUSE_WEIGHTS)[0]
    common = {"surface": "kiosk", "kiosk": kiosk_id, "session": session or ids()}
    if session is None:
        yield client, {"id": ids(), "kind": "session_start", "at": _stamp(t), "lang": lang,
                       **common}
    yield client, {"id": ids(), "kind": "attract_interrupt", "cause": cause, "loop_ms": loop_ms,
                   "at": _stamp(t + dt.timedelta(milliseconds=120)), **common}
    if session is None:
        length = int(rng.lognormvariate(math.log(6000), 0.6))  # a look at the home screen
        yield client, {"id": ids(), "kind": "session_end",
                       "at": _stamp(t + dt.timedelta(milliseconds=length)), "lang": lang,
                       "panels": [], "videos_completed": 0, "duration_ms": length, **common}


def _kiosk_day(plan: Plan, index: int, rng: random.Random, ids: _Ids
               ) -> Iterator[tuple[Client, dict[str, Any]]]:
    day = plan.day(index)
    busy = _busyness(plan, index, rng)
    appeal = _appeal(plan)
    # The attract loop's events have their own random numbers and ids, so the visits around
    # them are the same as in a record made before they were (a second run adds only them).
    arng = random.Random(f"{plan.seed}/{day.isoformat()}/attract")
    attract_ids = _Ids(plan.seed, day)
    attract_ids.prefix += "/attract"
    for kiosk_id, offered in plan.kiosks:
        client = Client(f"10.0.8.{sum(kiosk_id.encode()) % 200 + 10}", KIOSK_UA, SITE)
        langs = offered or plan.languages
        sessions = int(rng.gauss(55, 8) * busy)
        # The mean wait between two people stopping the loop, for how long it ran (ms).
        gap_ms = (CLOSES - OPENS) * 3_600_000 / max(sessions * 1.6, 1)
        for _ in range(max(sessions, 0)):
            # Busier late morning and mid-afternoon.
            hour = min(max(rng.triangular(OPENS, CLOSES - 0.2, 14.5), OPENS), CLOSES - 0.1)
            t = _at(day, hour, plan.tz)
            session = ids()
            lang = langs[0] if rng.random() < 0.82 else rng.choice(langs)
            common = {"surface": "kiosk", "kiosk": kiosk_id, "session": session}
            yield client, {"id": ids(), "kind": "session_start", "at": _stamp(t), "lang": lang,
                           **common}
            yield from _attract(plan, day, arng, attract_ids, client, kiosk_id, lang, t, gap_ms,
                                session)
            # Around the same time, passers-by who stop the loop and open nothing.
            chance = _conversion(plan, kiosk_id, hour)
            while arng.random() > chance:
                when = min(max(hour + arng.uniform(-0.4, 0.4), OPENS), CLOSES - 0.05)
                yield from _attract(plan, day, arng, attract_ids, client, kiosk_id, langs[0],
                                    _at(day, when, plan.tz), gap_ms)
            start = t
            seen: list[str] = []
            videos = 0
            count = min(1 + int(rng.expovariate(1 / 4)), len(plan.panels))
            for panel in _pick(rng, appeal, count):
                if rng.random() < 0.08 and len(langs) > 1:
                    new = rng.choice([x for x in langs if x != lang])
                    yield client, {"id": ids(), "kind": "language_change", "at": _stamp(t),
                                   "lang": new, "from_lang": lang, "panel": panel, **common}
                    lang = new
                dwell = _dwell_ms(rng, appeal[panel][1])
                if panel in plan.video_panels and rng.random() < 0.5:
                    yield client, {"id": ids(), "kind": "video_play", "at": _stamp(t),
                                   "panel": panel, "lang": lang, **common}
                    if rng.random() < 0.45:
                        videos += 1
                        dwell = max(dwell, 150_000)
                        yield client, {"id": ids(), "kind": "video_complete",
                                       "at": _stamp(t + dt.timedelta(milliseconds=dwell)),
                                       "panel": panel, "lang": lang, **common}
                t += dt.timedelta(milliseconds=dwell)
                yield client, {"id": ids(), "kind": "panel_view", "at": _stamp(t),
                               "panel": panel, "lang": lang, "dwell_ms": dwell, **common}
                seen.append(panel)
            if plan.questions and rng.random() < 0.12:
                for q in plan.questions:
                    t += dt.timedelta(seconds=rng.uniform(3, 12))
                    yield client, {"id": ids(), "kind": "feedback_answer", "at": _stamp(t),
                                   "question": q.id, "lang": lang,
                                   "answer": rng.choices(q.answers, q.weights)[0], **common}
            yield client, {"id": ids(), "kind": "session_end", "at": _stamp(t), "lang": lang,
                           "panels": seen, "videos_completed": videos,
                           "duration_ms": int((t - start).total_seconds() * 1000), **common}


def _agent(device: str, rng: random.Random) -> str:
    if device == "mixed":
        device = "phone" if rng.random() < 0.6 else "pc"
    if device == "pc":
        return PC_UA
    return PHONE_UA if rng.random() < 0.45 else ANDROID_UA


def _online_day(plan: Plan, index: int, rng: random.Random, ids: _Ids
                ) -> Iterator[tuple[Client, dict[str, Any]]]:
    day = plan.day(index)
    busy = _busyness(plan, index, rng)
    readers = int(rng.gauss(600, 60) * busy)
    appeal = _appeal(plan)
    shares = [c.share for c in ONLINE]
    last_moment = _at(day, 24 - 1 / 3600, plan.tz)  # a late reader's next page stays in the day
    for n in range(max(readers, 0)):
        channel = rng.choices(ONLINE, shares)[0]
        hours, weights = zip(*channel.hours.items(), strict=True)
        t = _at(day, rng.choices(hours, weights)[0] + rng.random(), plan.tz)
        # A reader is an address and a browser: the daily hash counts them once that day.
        client = Client(f"198.51.{n % 250}.{rng.randrange(1, 250)}",
                        _agent(channel.device, rng) + f" r{rng.randrange(10**6)}", SITE)
        lang = plan.languages[0] if rng.random() < 0.85 else rng.choice(plan.languages)
        if channel.id in ("facebook", "x"):
            lang = "en" if "en" in plan.languages and rng.random() < 0.7 else lang
        extra: dict[str, Any] = {}
        if channel.referrer:
            extra["referrer"] = channel.referrer
        elif channel.id != "direct":
            extra["src"] = channel.id
        pages = 1 + int(rng.expovariate(1 / 1.2))
        for panel in _pick(rng, appeal, pages):
            yield client, {"id": ids(), "kind": "page_view", "surface": "web", "at": _stamp(t),
                           "path": f"/{lang}/panels/{panel}/", "lang": lang, "panel": panel,
                           **extra}
            extra = {"referrer": f"https://{SITE}/{lang}/"}  # the next page: within the site
            t = min(t + dt.timedelta(seconds=rng.uniform(20, 240)), last_moment)
    # QR codes: from a printed panel in the hall (opening hours) or from a kiosk screen.
    for src, count in (("print-qr", int(rng.gauss(40, 8) * busy)),
                       ("kiosk-qr", int(rng.gauss(25, 6) * busy))):
        for n in range(max(count, 0)):
            panel = _pick(rng, appeal, 1)[0]
            t = _at(day, rng.uniform(OPENS, CLOSES), plan.tz)
            client = Client(f"203.0.{n % 250}.{rng.randrange(1, 250)}",
                            _agent("phone", rng) + f" q{rng.randrange(10**6)}", SITE)
            lang = plan.languages[0] if rng.random() < 0.9 else rng.choice(plan.languages)
            yield client, {"id": ids(), "kind": "qr_arrival", "surface": "web", "at": _stamp(t),
                           "panel": panel, "lang": lang, "src": src}
            yield client, {"id": ids(), "kind": "page_view", "surface": "web", "at": _stamp(t),
                           "path": f"/{lang}/panels/{panel}/?src={src}", "lang": lang,
                           "panel": panel, "src": src}
            if plan.questions and rng.random() < 0.1:
                for q in plan.questions:
                    t += dt.timedelta(seconds=rng.uniform(5, 20))
                    yield client, {"id": ids(), "kind": "feedback_answer", "surface": "web",
                                   "at": _stamp(t), "question": q.id, "lang": lang,
                                   "answer": rng.choices(q.answers, q.weights)[0]}


def simulated_events(plan: Plan) -> Iterator[tuple[Client, dict[str, Any]]]:
    """Every event of the plan as (the client that sends it, the event as posted), day by day.

    Each day has its own random generator (seeded by the seed and the date), so a day's events
    do not depend on how many days come before it.
    """
    for index in range(plan.days):
        day = plan.day(index)
        rng = random.Random(f"{plan.seed}/{day.isoformat()}")
        ids = _Ids(plan.seed, day)
        yield from _kiosk_day(plan, index, rng, ids)
        yield from _online_day(plan, index, rng, ids)


def play_events(engine: Engine, plan: Plan,
                progress: Callable[[int], None] | None = None) -> Played:
    """Validate and store the plan's events as the API does, in batches; a second run of the same
    plan stores nothing (the ids are already there)."""
    played = Played()
    rows: list[dict[str, Any]] = []
    # One salt per simulated day, never stored: the hashes of a past day cannot be linked to
    # anyone, as with the real daily salt once it is deleted.
    salts: dict[dt.date, str] = {}

    def flush() -> None:
        played.stored += len(store.record_events(engine, rows))
        if progress:
            progress(len(rows))
        rows.clear()

    for client, raw in simulated_events(plan):
        played.events += 1
        try:
            event = validate(raw)
        except FieldError as exc:  # a bug in the simulator: said, never stored around the rules
            played.rejected.append(f"{raw.get('kind')}: {exc}")
            continue
        day = event["at"].astimezone(plan.tz).date()
        salt = salts.setdefault(day, new_salt())
        rows.append(to_row(event, client, salt, plan.tz))
        if len(rows) >= BATCH:
            flush()
    if rows:
        flush()
    return played


def channel_figures(plan: Plan, known: set[str]) -> list[dict[str, Any]]:
    """The weekly figures the communications team would enter: one per channel and week (the
    week's last day), each with its source, marked as simulated."""
    reports = []
    weeks = math.ceil(plan.days / 7)
    for channel, weekly, source in REPORTED:
        if channel not in known:
            continue
        rng = random.Random(f"{plan.seed}/figures/{channel}")
        for week in range(weeks):
            last = min(plan.days - 1, week * 7 + 6)
            # Launch week peaks, then a slow fade with a bump at the closing.
            shape = 1.8 if week == 0 else 1.0 - 0.08 * week + (0.4 if week == weeks - 1 else 0)
            reads = int(weekly * max(shape, 0.3) * rng.uniform(0.85, 1.15))
            reports.append({"channel": channel, "day": plan.day(last), "reads": reads,
                            "source": f"{source} — {SIMULATED}"})
    return reports


def play_channel_figures(engine: Engine, plan: Plan, known: set[str], entered_by: str) -> int:
    """Enter the figures through the staff form's store function; figures already there with the
    same reads and source are left alone (a second run changes nothing)."""
    wanted = channel_figures(plan, known)
    with engine.connect() as conn:
        have = {(r.channel, r.day): (r.reads, r.source) for r in conn.execute(select(
            channel_reports.c.channel, channel_reports.c.day, channel_reports.c.reads,
            channel_reports.c.source))}
    new = [r for r in wanted if have.get((r["channel"], r["day"])) != (r["reads"], r["source"])]
    if not new:
        return 0
    return store.save_channel_reports(engine, new, entered_by, audit=store.AuditEntry(
        entered_by, "channel_figures_saved",
        detail=f"{len(new)} simulated demo figure(s) (exhibit demo record, seed {plan.seed})"))


# Photo records: what a photographer of the opening would bring back, drawn instead of taken.
PHOTOS = (
    (0, "开幕式：来宾在序厅参观 — 示意图（模拟演示图片，非真实照片） / Opening day: guests in the "
        "entrance hall — demo drawing, not a real photo", (11, 93, 59)),
    (2, "观众在横屏触摸屏前阅读“水俣公约”展板 — 示意图（模拟演示图片） / Visitors at the landscape "
        "kiosk reading the Minamata Convention panel — demo drawing, not a real photo", (31, 111, 178)),
    (9, "学生参观团在竖屏触摸屏前 — 示意图（模拟演示图片） / A school group at the portrait kiosk — "
        "demo drawing, not a real photo", (46, 157, 91)),
    (20, "印刷展板上的二维码 — 示意图（模拟演示图片） / The QR code on a printed panel — demo drawing, "
         "not a real photo", (242, 163, 58)),
)


def demo_photos(plan: Plan) -> list[tuple[str, dt.date, bytes]]:
    """(caption, day, PNG) for each demo photo in the plan's days: flat drawings of a hall with
    screens and visitors, made with Pillow, labelled DEMO on the picture itself."""
    from PIL import Image, ImageDraw

    result = []
    for offset, caption, colour in PHOTOS:
        if offset >= plan.days:
            continue
        rng = random.Random(f"{plan.seed}/photo/{offset}")
        image = Image.new("RGB", (1200, 800), (236, 241, 237))
        draw = ImageDraw.Draw(image)
        draw.rectangle((0, 560, 1200, 800), fill=(200, 205, 198))  # the floor
        for x in range(80, 1100, 260):  # panels on the wall
            draw.rectangle((x, 120, x + 200, 480), fill=colour, outline=(29, 43, 36), width=4)
            draw.rectangle((x + 20, 150, x + 180, 260), fill=(255, 255, 255))
        for _ in range(9):  # visitors
            x, h = rng.randrange(60, 1140), rng.randrange(170, 240)
            shade = tuple(rng.randrange(40, 160) for _ in range(3))
            draw.ellipse((x - 22, 560 - h, x + 22, 604 - h), fill=shade)
            draw.rectangle((x - 28, 604 - h, x + 28, 640), fill=shade)
        draw.rectangle((0, 0, 1200, 70), fill=(29, 43, 36))
        draw.text((24, 20), "DEMO DRAWING - simulated record, not a photograph", fill=(255, 255, 255),
                  font_size=28)
        out = io.BytesIO()
        image.save(out, "PNG")
        result.append((caption, plan.day(offset), out.getvalue()))
    return result


def summary_line(played: Played, seconds: float) -> str:
    """What a run did, in one line for the terminal."""
    rate = played.events / seconds if seconds else 0
    return (f"{played.events:,} events ({played.stored:,} new, "
            f"{played.events - played.stored - len(played.rejected):,} already there) in "
            f"{seconds:.1f} s ({rate:,.0f}/s); {played.figures} channel figure(s), "
            f"{played.photos} photo(s) added")

