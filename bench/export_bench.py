"""Time and peak memory of `exhibit export visits` for a large visit log (CSV and XLSX).

    .venv/bin/python bench/export_bench.py [--sizes 100000,1000000] [--formats csv,xlsx]
                                           [--workdir DIR] [--keep]

Fills SQLite databases with synthetic but realistic events (the mix of kinds, fields and JSON
extras the kiosk and the topic page send, over a 60-day exhibition), written through SQLAlchemy
Core on the app's own schema, then runs the real command as a child process for each size and
format and measures its wall time and peak resident memory (RSS, from the child's rusage). The
first row, an empty log, is the app's own footprint. Memory is flat when the peak RSS at one
million events is the same as at one hundred thousand.

Targets (PRODUCT.md): one million events to CSV in under 15 s, with memory that does not grow
with the log; one million events to XLSX in under 60 s, a sheet a person can filter and read.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
import uuid
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from machine import load, machine  # noqa: E402  (bench/machine.py, beside this script)

from tests.scratch import write_exhibition  # noqa: E402  (a small valid exhibition)

CHUNK = 50_000  # rows per INSERT transaction while filling
PANELS = ("mercury-flows", "carbide-route", "convention", "pfos-phase-out", "case-study-xinjiang",
          "technology", "results", "video-story", "low-mercury-catalyst", "recovery")
LANGS = ("zh", "zh", "zh", "en", "fr")
CHANNELS = ("wechat", "weibo", "douyin", "direct", "search", "news", "print-qr", "kiosk-qr",
            "referral", "x")
KIOSKS = ("hall-a", "hall-b", "entrance", "portrait-1")
# (kind, surface, weight): most of a log is page and panel views.
KINDS = (("page_view", "web", 38), ("panel_view", "kiosk", 34), ("session_start", "kiosk", 5),
         ("session_end", "kiosk", 5), ("language_change", "kiosk", 3), ("video_play", "kiosk", 3),
         ("video_complete", "kiosk", 2), ("qr_arrival", "web", 4), ("feedback_answer", "web", 6))


def synthetic_rows(count: int, seed: int = 1):
    """Rows for the events table, in chunks, as the ingest path would have written them."""
    rng = random.Random(seed)
    kinds = [k for k, _, w in KINDS for _ in range(w)]
    surfaces = {k: s for k, s, _ in KINDS}
    start = dt.datetime(2026, 9, 1, 1, 0, tzinfo=dt.UTC)
    span = 60 * 24 * 3600
    visitors = [f"{rng.getrandbits(128):032x}" for _ in range(5000)]
    sessions = [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(20_000)]
    rows = []
    for _ in range(count):
        kind = rng.choice(kinds)
        surface = surfaces[kind]
        occurred = start + dt.timedelta(seconds=rng.randrange(span), microseconds=rng.randrange(10**6))
        panel = rng.choice(PANELS)
        lang = rng.choice(LANGS)
        row = {"id": str(uuid.UUID(int=rng.getrandbits(128), version=4)), "kind": kind,
               "occurred_at": occurred, "received_at": occurred + dt.timedelta(seconds=2),
               "day": occurred.date(), "surface": surface, "lang": lang, "panel": None,
               "kiosk_id": None, "session_id": None, "channel": None, "dwell_ms": None,
               "visitor": None, "data": None}
        extra: dict = {}
        if surface == "kiosk":
            row["kiosk_id"] = rng.choice(KIOSKS)
            row["session_id"] = rng.choice(sessions)
        else:
            row["visitor"] = rng.choice(visitors)
        if kind == "page_view":
            row["panel"] = panel
            row["channel"] = rng.choice(CHANNELS)
            extra = {"path": f"/{lang}/panels/{panel}/"}
            if row["channel"] not in ("direct", "search", "referral"):
                extra["src"] = row["channel"]
            elif row["channel"] != "direct":
                extra["referrer"] = rng.choice(("www.baidu.com", "blog.example.net"))
        elif kind == "panel_view":
            row["panel"] = panel
            row["dwell_ms"] = int(rng.lognormvariate(9.5, 0.8))
        elif kind == "session_end":
            extra = {"duration_ms": rng.randrange(10_000, 600_000),
                     "panels": rng.sample(PANELS, rng.randrange(1, 6))}
        elif kind == "language_change":
            extra = {"from_lang": "zh"}
        elif kind in ("video_play", "video_complete"):
            row["panel"] = "video-story"
        elif kind == "qr_arrival":
            row["panel"] = panel
            row["channel"] = rng.choice(("print-qr", "kiosk-qr"))
            extra = {"src": row["channel"]}
        elif kind == "feedback_answer":
            extra = {"question": rng.choice(("useful", "learned", "recommend")),
                     "answer": rng.randrange(1, 6)}
        if extra:
            row["data"] = json.dumps(extra, ensure_ascii=False, sort_keys=True)
        rows.append(row)
        if len(rows) == CHUNK:
            yield rows
            rows = []
    if rows:
        yield rows


def fill(path: Path, count: int) -> float:
    """A SQLite visit log of `count` events at `path` (the app's schema); returns seconds.

    Rows go in through the schema's own type processors (so the stored text is exactly what the
    app writes) and the driver's executemany, CHUNK rows per transaction.
    """
    from sqlalchemy import func, select

    from exhibit.visits.db import make_engine, upgrade
    from exhibit.visits.schema import events

    engine = make_engine(f"sqlite:///{path}")
    try:
        upgrade(engine)
        with engine.connect() as conn:
            have = conn.execute(select(func.count()).select_from(events)).scalar_one()
        if have == count:
            return 0.0  # kept from an earlier run (--keep)
        if have:
            raise SystemExit(f"{path} holds {have} events, not {count}: delete it")
        names = [column.name for column in events.columns]
        processors = [(name, column.type.dialect_impl(engine.dialect).bind_processor(engine.dialect))
                      for name, column in zip(names, events.columns, strict=True)]
        sql = f"INSERT INTO events ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
        began = time.perf_counter()
        for rows in synthetic_rows(count):
            params = [tuple(process(row[name]) if process else row[name]
                            for name, process in processors) for row in rows]
            with engine.begin() as conn:
                conn.exec_driver_sql(sql, params)
        return time.perf_counter() - began
    finally:
        engine.dispose()


def export(env: dict[str, str], fmt: str, out: Path) -> tuple[float, float, float]:
    """Run `exhibit export visits` (in the folder of OUT, not the checkout); (wall seconds, CPU
    seconds, peak RSS in MB) of that child."""
    command = [str(Path(sys.executable).parent / "exhibit"), "export", "visits", "--format", fmt,
               "--out", str(out)]
    began = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=out.parent, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - began
    stdout = process.stdout.read().decode()
    stderr = process.stderr.read().decode()
    process.stdout.close()
    process.stderr.close()
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{stdout}{stderr}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # KiB on Linux


def check_output(fmt: str, out: Path, count: int) -> None:
    """The file holds every event: CSV lines, or an XLSX that is a valid zip with sheet data."""
    if fmt == "csv":
        lines = 0
        with out.open("rb") as fh:
            while block := fh.read(1 << 20):
                lines += block.count(b"\n")
        if lines != count + 1:
            raise SystemExit(f"{out}: {lines} lines for {count} events")
    else:
        with zipfile.ZipFile(out) as archive:
            if archive.testzip() is not None or "xl/workbook.xml" not in archive.namelist():
                raise SystemExit(f"{out}: not a valid workbook")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000",
                        help="comma-separated numbers of events (0 is always measured first)")
    parser.add_argument("--formats", default="csv,xlsx")
    parser.add_argument("--workdir", type=Path, help="where the databases and exports go "
                        "(default: a temporary folder, deleted afterwards)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the filled databases in --workdir for the next run")
    args = parser.parse_args()
    sizes = [0] + [int(s.replace("_", "")) for s in args.sizes.split(",") if int(s.replace("_", ""))]
    formats = [f.strip() for f in args.formats.split(",")]

    with tempfile.TemporaryDirectory(prefix="exhibit-export-bench-") as tmp:
        workdir = args.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        content = write_exhibition(Path(tmp) / "exhibition")
        results = []
        load_before = load()
        for size in sizes:
            database = workdir / f"visits-{size}.sqlite3"
            filled = fill(database, size)
            if filled:
                print(f"  filled {size:,} events in {filled:.1f} s", file=sys.stderr)
            env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "EXHIBIT_"))}
            env.update({"EXHIBIT_CONTENT_DIR": str(content),
                        "EXHIBIT_DATABASE_URL": f"sqlite:///{database}",
                        "EXHIBIT_MEDIA_CACHE_DIR": str(Path(tmp) / "media-cache"),
                        "EXHIBIT_SECRET_KEY": "bench", "EXHIBIT_CONTENT_RELOAD_SECONDS": "0"})
            if size == 0:  # once, unmeasured: the app makes its image derivatives on first start
                export(env, "csv", Path(tmp) / "warm-up.csv")
            for fmt in formats:
                out = Path(tmp) / f"visits-{size}.{fmt}"
                wall, cpu, rss = export(env, fmt, out)
                check_output(fmt, out, size)
                results.append((size, fmt, wall, cpu, rss, out.stat().st_size / 1e6))
                print(f"  {size:,} {fmt}: {wall:.1f} s ({cpu:.1f} s CPU), {rss:.0f} MB, {load()}",
                      file=sys.stderr)
                out.unlink()
            if not args.keep:
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{database}{suffix}").unlink(missing_ok=True)

    print(f"# exhibit export visits · {time.strftime('%Y-%m-%d')} · {machine()} · Python "
          f"{platform.python_version()} · SQLite · {load_before} before, {load()} after")
    print("| events | format | wall s | CPU s | events/s | peak RSS MB | file MB |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for size, fmt, wall, cpu, rss, mb in results:
        rate = f"{size / wall:,.0f}" if size else "–"
        print(f"| {size:,} | {fmt.upper()} | {wall:.1f} | {cpu:.1f} | {rate} | {rss:.0f} | {mb:.1f} |")


if __name__ == "__main__":
    main()
