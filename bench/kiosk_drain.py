"""Kiosk queue drain: weeks of visit records queued offline, then the network comes back.

    .venv/bin/python bench/kiosk_drain.py [-n 100000] [--runs shipped,shipped-raw,...]
                                          [--timeout 900] [--stall 120]

Each run:
1. starts the app as a real server in a child process — gunicorn (2 workers, gthread, 4 threads)
   when it is installed in the venv, else `python -m exhibit run` — on a fresh SQLite database in
   a temporary folder, and waits for /healthz;
2. opens /kiosk/?kiosk=bench in headless Chromium (Debian's /usr/bin/chromium, never a
   downloaded one) with a persistent profile on disk, as in the hall (an in-memory profile would
   keep IndexedDB in memory and make the queue's "strict" writes free), and waits until the
   service worker holds the offline copy;
3. cuts the network (context.set_offline) and puts N realistic kiosk events into the IndexedDB
   queue with queue.addAll() in chunks of 10,000: whole visits (session_start, panel_view,
   language_change, session_end) with the exhibition's panel slugs, over the last four weeks;
4. restores the network, calls visits.flush() (the page's 'online' handler also does) and polls
   queue.size() every 250 ms until it is 0: the drain time is that wall time. A run gives up
   after --timeout seconds, or when no event has left the queue for --stall seconds;
5. checks in the server's SQLite file that exactly the N queued ids are stored, once each.

The page's fetch() and queue.peek()/remove() are wrapped with timestamps (performance.now), so
the report says where the drain time goes: reading the queue, the POST round trip, deleting
acknowledged events, and waiting (backoff after failed sends). Requests per status come from the
server's access log. Prints a Markdown table for the README; exits 1 when a run did not drain.

The runs (--runs, default all): the kiosk as shipped with the rate limit on (production) and off
(raw rate); then what-ifs made in the page by the same wrappers, exhibit's code untouched: the
POST sent without `keepalive` (a keepalive request may carry at most 64 KiB, a batch of 500 is
about 120 kB, so the shipped sender's every send fails), the same without the size() polling
(an IndexedDB count that competes with the sender), a smaller batch set on the server
(EVENTS_MAX_BATCH=200, under 64 KiB: a workaround by setting alone), and both proposed fixes
(no keepalive, and peek reading on from the last batch instead of walking the deleted entries
at the start of the index again).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import http.client
import json
import os
import re
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from machine import machine  # noqa: E402  (bench/machine.py, beside this script)
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
KIOSK_ID = "bench"
CHUNK = 10_000
POLL_S = 0.25

# Whole visits, generated in the page: a session_start, 1-8 panels (sometimes a language change
# on the way), a session_end listing the panels. `at` runs from four weeks ago to an hour ago.
GENERATE_JS = """
({ n, kiosk, spanDays, fileSlugs }) => {
  const k = window.exhibitKiosk;
  const langs = k.settings.languages;
  // The kiosk's panels; the content folder's when none is published yet (a review workflow).
  const shown = k.state.manifest.panels.map((p) => p.slug);
  const slugs = shown.length ? shown : fileSlugs;
  const pick = (list) => list[Math.floor(Math.random() * list.length)];
  const end = Date.now() - 3600e3;
  const start = end - spanDays * 86400e3;
  const t0 = performance.now();
  const events = [];
  const iso = (ms) => new Date(ms).toISOString();
  while (events.length < n) {
    const session = crypto.randomUUID();
    let at = start + (end - start) * (events.length / n);
    const began = at;
    let lang = pick(langs);
    const base = { surface: "kiosk", kiosk, session };
    events.push({ id: crypto.randomUUID(), kind: "session_start", at: iso(at), ...base, lang });
    const seen = [];
    const views = 1 + Math.floor(Math.random() * 8);
    for (let v = 0; v < views && events.length < n - 1; v++) {
      const panel = pick(slugs);
      if (Math.random() < 0.1 && langs.length > 1) {
        const to = pick(langs.filter((l) => l !== lang));
        at += 1000 + Math.random() * 4000;
        events.push({ id: crypto.randomUUID(), kind: "language_change", at: iso(at), ...base,
                      lang: to, from_lang: lang, panel });
        lang = to;
        if (events.length >= n - 1) break;
      }
      const dwell = Math.round(3000 + Math.random() * 117000);
      at += dwell;
      events.push({ id: crypto.randomUUID(), kind: "panel_view", at: iso(at), ...base,
                    panel, lang, dwell_ms: dwell });
      if (!seen.includes(panel)) seen.push(panel);
    }
    if (events.length < n) {
      at += 2000;
      events.push({ id: crypto.randomUUID(), kind: "session_end", at: iso(at), ...base, lang,
                    panels: seen, duration_ms: Math.round(at - began),
                    videos_completed: Math.random() < 0.1 ? 1 : 0 });
    }
  }
  window.__bench = { events, ids: events.map((e) => e.id) };
  const bytes = JSON.stringify(events.slice(0, 1000)).length / Math.min(1000, events.length);
  return { ms: performance.now() - t0, bytesPerEvent: bytes, slugsFrom: shown.length ? "manifest" : "files",
           kinds: events.reduce((c, e) => ((c[e.kind] = (c[e.kind] || 0) + 1), c), {}) };
}
"""

ADD_CHUNK_JS = """
async ({ from, to }) => {
  const items = window.__bench.events.slice(from, to);
  const t0 = performance.now();
  await window.exhibitKiosk.visits.queue.addAll(items);
  return performance.now() - t0;
}
"""

# Timestamps around the sender's steps; the wrappers call the originals unchanged.
TRACE_JS = """
({ stripKeepalive, rangePeek }) => {
  const visits = window.exhibitKiosk.visits;
  const queue = visits.queue;
  const trace = (window.__benchTrace = []);
  window.__benchRemoved = 0;
  let peek = queue.peek.bind(queue);
  let remove = queue.remove.bind(queue);
  if (rangePeek) {
    // What-if: read on from the last removed batch, so the deleted entries at the start of the
    // index are not walked over again; one full read when that finds nothing (anything left).
    const shippedRemove = remove;
    let after = null;
    let pending = null;
    const read = async (range, limit) => {
      const db = await queue.ready;
      return new Promise((resolve, reject) => {
        const req = db.transaction("events", "readonly").objectStore("events").index("seq")
          .getAll(range, limit);
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
    };
    peek = async (limit) => {
      let rows = await read(after === null ? null : IDBKeyRange.lowerBound(after, true), limit);
      if (!rows.length && after !== null) {
        after = null;
        rows = await read(null, limit);
      }
      pending = rows.length ? rows[rows.length - 1].seq : null;
      return rows.map((row) => row.event);
    };
    remove = async (ids) => {
      await shippedRemove(ids);
      if (pending !== null) after = pending;
    };
  }
  const fetch0 = window.fetch.bind(window);
  queue.peek = async (limit) => {
    const t0 = performance.now();
    const items = await peek(limit);
    trace.push({ op: "peek", t0, t1: performance.now(), n: items.length });
    if (!items.length && window.__benchOnline !== undefined) window.__benchEmpty = performance.now();
    return items;
  };
  queue.remove = async (ids) => {
    const t0 = performance.now();
    await remove(ids);
    trace.push({ op: "remove", t0, t1: performance.now(), n: ids.length });
    window.__benchRemoved += ids.length;
  };
  window.fetch = async (url, init) => {
    if (!init || init.method !== "POST" || !String(url).includes(visits.url)) return fetch0(url, init);
    if (stripKeepalive) init = { ...init, keepalive: false }; // what-if: the proposed fix
    const t0 = performance.now();
    const entry = { op: "post", t0, bytes: init.body.length, keepalive: !!init.keepalive };
    try {
      const response = await fetch0(url, init);
      trace.push({ ...entry, t1: performance.now(), status: response.status });
      if (response.status !== 200) {
        // Say why (the sender drops rejected events, as it should): the first error.
        response.clone().text().then((text) => {
          let why = text.slice(0, 300);
          try {
            const body = JSON.parse(text);
            const bad = (body.results || []).filter((r) => r.status === "rejected");
            why = bad.length ? `${bad.length} rejected, e.g. ${bad[0].error}` : body.error || why;
          } catch (error) { /* not JSON */ }
          entry.why = why;
          trace.push({ op: "why", status: response.status, why, t0, t1: t0 });
        });
      }
      return response;
    } catch (error) {
      trace.push({ ...entry, t1: performance.now(), error: String(error) });
      throw error;
    }
  };
  window.addEventListener("online", () => { window.__benchOnline = performance.now(); });
  return visits.batchSize;
}
"""


@dataclass(frozen=True)
class Variant:
    label: str
    rate_limit: bool  # EVENTS_RATE_LIMIT ("600 per minute" per address) enforced
    keepalive: bool = True  # the kiosk's fetch(..., {keepalive: true}) as shipped
    batch: int | None = None  # EVENTS_MAX_BATCH for the server and the kiosk (default 500)
    # "size": poll queue.size() every 250 ms (an IndexedDB count, which competes with the
    # sender's own transactions); "trace": poll a flag the peek wrapper sets when the sender
    # finds the queue empty, then check queue.size() once.
    poll: str = "size"
    # What-if of the second proposed fix: queue.peek reads from just after the last batch it
    # removed (IDBKeyRange.lowerBound on the seq index, one getAll) instead of from the start.
    range_peek: bool = False


VARIANTS = {
    "shipped": Variant("as shipped, rate limit on", True),
    "shipped-raw": Variant("as shipped, rate limit off", False),
    "no-keepalive": Variant("POST without keepalive (proposed fix), rate limit on", True,
                            keepalive=False),
    "no-keepalive-raw": Variant("POST without keepalive (proposed fix), rate limit off", False,
                                keepalive=False),
    "no-keepalive-raw-quiet": Variant("POST without keepalive (proposed fix), rate limit off, "
                                      "no size() polling", False, keepalive=False, poll="trace"),
    "batch-200": Variant("EVENTS_MAX_BATCH=200 (workaround by setting), rate limit on", True,
                         batch=200),
    "fixed": Variant("both proposed fixes (no keepalive, peek from the last seq), rate limit on",
                     True, keepalive=False, range_peek=True),
    "fixed-raw": Variant("both proposed fixes (no keepalive, peek from the last seq), "
                         "rate limit off", False, keepalive=False, range_peek=True),
}
DEFAULT_RUNS = ",".join(VARIANTS)


@dataclass
class Result:
    label: str
    n: int
    generate_s: float = 0.0
    fill_s: float = 0.0
    queued: int = 0
    drain_s: float | None = None
    left: int = 0
    stored: int = 0
    stored_exact: bool = False
    http: Counter = field(default_factory=Counter)
    trace: list = field(default_factory=list)
    online_ms: float | None = None
    batch_size: int = 0
    bytes_per_event: float = 0.0
    failures: int = 0
    server: str = ""
    load: float = 0.0  # 1-minute load average when the network came back

    @property
    def rate(self) -> float | None:
        return self.n / self.drain_s if self.drain_s else None


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_env(tmp: Path, variant: Variant) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "EXHIBIT_"))}
    env.update({
        "EXHIBIT_DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
        "EXHIBIT_MEDIA_CACHE_DIR": str(tmp / "media-cache"),
        "EXHIBIT_CONTENT_DIR": str(ROOT / "panels"),
        "EXHIBIT_KIOSK_CONFIG": str(ROOT / "kiosk" / "kiosks.yaml"),
        "EXHIBIT_SECRET_KEY": "x",
        "EXHIBIT_RATELIMIT_ENABLED": "true" if variant.rate_limit else "false",
        "PYTHONUNBUFFERED": "1",
    })
    if variant.batch:
        env["EXHIBIT_EVENTS_MAX_BATCH"] = str(variant.batch)
    return env


def start_server(tmp: Path, port: int, variant: Variant) -> tuple[subprocess.Popen, Path, str]:
    """The app in a child process (its own process group, so it can be stopped with its workers)."""
    env = server_env(tmp, variant)
    log = tmp / "server.log"
    access = tmp / "access.log"
    gunicorn = VENV_BIN / "gunicorn"
    # Schema first, once: two workers starting on an empty database would both try to make it.
    upgrade = subprocess.run([str(VENV_BIN / "exhibit"), "db", "upgrade"], env=env, cwd=tmp,
                             capture_output=True, text=True)
    if upgrade.returncode:
        raise RuntimeError(f"exhibit db upgrade failed:\n{upgrade.stdout}{upgrade.stderr}"[-3000:])
    if gunicorn.exists():
        command = [str(gunicorn), "-w", "2", "-k", "gthread", "--threads", "4",
                   "--bind", f"127.0.0.1:{port}", "--access-logfile", str(access),
                   "exhibit:create_app()"]
        kind = "gunicorn, 2 workers × 4 threads (gthread)"
    else:
        command = [sys.executable, "-m", "exhibit", "run", "--host", "127.0.0.1",
                   "--port", str(port)]
        kind = "exhibit run (Werkzeug, threaded)"
    with log.open("wb") as fh:
        process = subprocess.Popen(command, env=env, cwd=tmp, stdout=fh, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited ({process.returncode}):\n"
                               f"{log.read_text(errors='replace')[-3000:]}")
        with contextlib.suppress(OSError, http.client.HTTPException):
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return process, access if gunicorn.exists() else log, kind
            conn.close()
        time.sleep(0.2)
    stop_server(process)
    raise RuntimeError(f"the server did not answer /healthz:\n{log.read_text()[-3000:]}")


def stop_server(process: subprocess.Popen) -> None:
    """SIGTERM to the server's process group (master and workers), SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)


def requests_by_status(log: Path) -> Counter:
    """POST /api/v1/events answers by status, from the access log (or Werkzeug's log)."""
    pattern = re.compile(r'"POST /api/v1/events[^"]*" (\d{3})')
    counts: Counter = Counter()
    with contextlib.suppress(OSError):
        for line in log.read_text(errors="replace").splitlines():
            match = pattern.search(line)
            if match:
                counts[int(match.group(1))] += 1
    return counts


def stored_ids(db: Path) -> tuple[int, set[str]]:
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        total = conn.execute("SELECT count(*) FROM events").fetchone()[0]
        ids = {row[0] for row in conn.execute("SELECT id FROM events WHERE kiosk_id = ?",
                                              (KIOSK_ID,))}
    finally:
        conn.close()
    return total, ids


def content_slugs() -> list[str]:
    """The demo panels' slugs, from the content folder."""
    slugs = []
    for yaml in sorted((ROOT / "panels").glob("*/panel.yaml")):
        match = re.search(r"^slug:\s*([a-z0-9-]+)\s*$", yaml.read_text(encoding="utf-8"), re.M)
        if match:
            slugs.append(match.group(1))
    return slugs


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run(pw, variant: Variant, n: int, timeout: float, stall: float) -> Result:
    label = variant.label
    result = Result(label=label, n=n)
    with tempfile.TemporaryDirectory(prefix="kiosk-drain-") as tmp_name:
        tmp = Path(tmp_name)
        port = free_port()
        server, access_log, result.server = start_server(tmp, port, variant)
        context = None
        try:
            log(f"{label}: server on port {port} ({result.server})")
            context = pw.chromium.launch_persistent_context(
                str(tmp / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                viewport={"width": 1920, "height": 1080})
            page = context.pages[0] if context.pages else context.new_page()
            base = f"http://127.0.0.1:{port}"
            page.goto(f"{base}/kiosk/?kiosk={KIOSK_ID}")
            page.wait_for_selector("#kiosk-app[data-ready]", timeout=60_000)
            page.wait_for_function("window.exhibitKiosk.offline.state.status.active",
                                   timeout=180_000)
            if not page.evaluate("!!navigator.serviceWorker.controller"):
                page.reload()
                page.wait_for_selector("#kiosk-app[data-ready]", timeout=60_000)
            log(f"{label}: offline copy ready "
                f"({page.evaluate('window.exhibitKiosk.offline.state.status.active')})")
            page.wait_for_timeout(1500)  # the page's start-up flush of an empty queue is over
            result.batch_size = page.evaluate(TRACE_JS, {"stripKeepalive": not variant.keepalive,
                                                         "rangePeek": variant.range_peek})

            context.set_offline(True)
            assert page.evaluate("navigator.onLine") is False
            made = page.evaluate(GENERATE_JS, {"n": n, "kiosk": KIOSK_ID, "spanDays": 28,
                                                "fileSlugs": content_slugs()})
            result.generate_s = made["ms"] / 1000
            result.bytes_per_event = made["bytesPerEvent"]
            log(f"{label}: {n} events generated in {result.generate_s:.1f} s "
                f"(panel slugs from the {made['slugsFrom']}): {made['kinds']}")
            fill_ms = 0.0
            for start in range(0, n, CHUNK):
                fill_ms += page.evaluate(ADD_CHUNK_JS, {"from": start, "to": min(n, start + CHUNK)})
            result.fill_s = fill_ms / 1000
            result.queued = page.evaluate("window.exhibitKiosk.visits.queue.size()")
            log(f"{label}: queued {result.queued} in {result.fill_s:.1f} s")
            ids = set(page.evaluate("window.__bench.ids"))
            page.evaluate("delete window.__bench")  # 100,000 objects the kiosk would not hold
            if result.queued != n or len(ids) != n:
                raise RuntimeError(f"queued {result.queued} events, expected {n}")

            result.load = os.getloadavg()[0]
            started = time.monotonic()
            context.set_offline(False)  # fires 'online': the kiosk flushes by itself
            page.evaluate("() => { window.exhibitKiosk.visits.flush(); }")
            left = n
            last_report = last_progress = started
            while left and time.monotonic() - started < timeout:
                time.sleep(POLL_S)
                if variant.poll == "trace":
                    removed, empty = page.evaluate("[window.__benchRemoved, !!window.__benchEmpty]")
                    now_left = n - removed
                    if empty:  # the sender found the queue empty: check it once
                        now_left = page.evaluate("window.exhibitKiosk.visits.queue.size()")
                        page.evaluate("delete window.__benchEmpty")
                    elif not now_left:
                        now_left = 1  # all acknowledged; done when the sender sees it empty
                else:
                    now_left = page.evaluate("window.exhibitKiosk.visits.queue.size()")
                if now_left < left:
                    last_progress = time.monotonic()
                left = now_left
                if left and time.monotonic() - last_progress > stall:
                    log(f"{label}: no event left the queue for {stall:.0f} s: stuck")
                    break
                if time.monotonic() - last_report >= 10:
                    last_report = time.monotonic()
                    failures = page.evaluate("window.exhibitKiosk.visits.failures")
                    log(f"{label}: {left} left after {last_report - started:.0f} s"
                        f" (sender failures in a row: {failures})")
            elapsed = time.monotonic() - started
            result.left = left
            result.drain_s = None if left else elapsed
            result.failures = page.evaluate("window.exhibitKiosk.visits.failures")
            result.trace = page.evaluate("window.__benchTrace")
            result.online_ms = page.evaluate("window.__benchOnline ?? null")
            log(f"{label}: " + (f"drained in {elapsed:.1f} s" if not left
                                else f"{left} events still queued after {elapsed:.0f} s"))
            total, stored = stored_ids(tmp / "bench.sqlite3")
            result.stored = total
            result.stored_exact = stored == ids and total == n
        finally:
            if context is not None:
                with contextlib.suppress(Exception):
                    context.close()
            stop_server(server)
            result.http = requests_by_status(access_log)
    return result


def breakdown(r: Result) -> list[str]:
    """Where the drain time went, from the page's timestamps."""
    posts = [e for e in r.trace if e["op"] == "post"]
    if not posts:
        return ["  no POST was made"]
    t_first = r.online_ms if r.online_ms is not None else posts[0]["t0"]
    t_last = max(e["t1"] for e in r.trace)
    span = (t_last - t_first) / 1000
    lines = [f"  in the page: {span:.1f} s from the 'online' event to the last step traced"]
    busy = 0.0
    for op, what in (("peek", "queue.peek (read the oldest batch)"),
                     ("post", "POST round trip (server time + transfer)"),
                     ("remove", "queue.remove (delete acknowledged, strict durability)")):
        entries = [e for e in r.trace if e["op"] == op and e["t0"] >= t_first - 1]
        if not entries:
            continue
        times = [e["t1"] - e["t0"] for e in entries]
        busy += sum(times)
        lines.append(f"  {what}: {len(entries)} calls, {sum(times) / 1000:.1f} s in all, "
                     f"median {statistics.median(times):.0f} ms, max {max(times):.0f} ms")
    ok = [e for e in posts if e.get("status") == 200]
    failed = [e for e in posts if "error" in e]
    refused = Counter(e["status"] for e in posts if "status" in e and e["status"] != 200)
    if ok:
        lines.append(f"  batches sent: {len(ok)} × HTTP 200, median body "
                     f"{statistics.median(e['bytes'] for e in ok) / 1000:.0f} kB, "
                     f"{statistics.median(e['t1'] - e['t0'] for e in ok):.0f} ms each")
    if refused:
        lines.append(f"  refused: {dict(refused)}")
        whys = Counter(e["why"] for e in r.trace if e["op"] == "why")
        for why, count in whys.most_common(3):
            lines.append(f"    {count} × {why}")
    if failed:
        sizes = sorted(e["bytes"] for e in failed)
        lines.append(f"  failed sends (fetch threw): {len(failed)}, bodies "
                     f"{sizes[0] / 1000:.0f}–{sizes[-1] / 1000:.0f} kB, keepalive="
                     f"{failed[0]['keepalive']}: {failed[0]['error']}")
    lines.append(f"  the rest (JSON parsing, scheduling, backoff waits): "
                 f"{max(0.0, span - busy / 1000):.1f} s")
    return lines


def table(results: list[Result]) -> str:
    rows = ["| run | events | queue fill | drain | events/s | batches (HTTP 200) | 429 | "
            "failed sends | stored on the server | load |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|"]
    for r in results:
        failed = sum(1 for e in r.trace if e["op"] == "post" and "error" in e)
        drain = f"{r.drain_s:.1f} s" if r.drain_s else f"not drained ({r.left:,} left)"
        rate = f"{r.rate:,.0f}" if r.rate else "–"
        if r.stored_exact:
            stored = f"{r.stored:,}, exactly the queued ids"
        elif r.drain_s:
            stored = f"{r.stored:,} ✗ (not the queued ids)"
        else:
            stored = f"{r.stored:,}"
        rows.append(f"| {r.label} | {r.n:,} | {r.fill_s:.1f} s | {drain} | {rate} | "
                    f"{r.http.get(200, 0)} | {r.http.get(429, 0)} | {failed} | {stored} | "
                    f"{r.load:.1f} |")
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", type=int, default=100_000, help="events to queue (100,000)")
    parser.add_argument("--timeout", type=float, default=900,
                        help="longest wait for the queue to drain, seconds (900)")
    parser.add_argument("--stall", type=float, default=120,
                        help="give up when no event has left the queue for this long, s (120)")
    parser.add_argument("--runs", default=DEFAULT_RUNS,
                        help=f"comma-separated, of: {', '.join(VARIANTS)} (default: all)")
    args = parser.parse_args()
    unknown = set(args.runs.split(",")) - set(VARIANTS)
    if unknown:
        parser.error(f"unknown run(s): {', '.join(sorted(unknown))}")
    # SIGTERM unwinds like Ctrl-C, so the server and the browser are stopped on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if not Path(CHROMIUM).exists():
        raise SystemExit(f"{CHROMIUM} is missing: apt-get install chromium")

    results: list[Result] = []
    load = os.getloadavg()[0]
    with sync_playwright() as pw:
        browser_version = ""
        for name in args.runs.split(","):
            result = run(pw, VARIANTS[name], args.n, args.timeout, args.stall)
            results.append(result)
            print(f"\n{result.label}:", file=sys.stderr)
            print("\n".join(breakdown(result)), file=sys.stderr)
        with contextlib.suppress(Exception):
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            browser_version = browser.version
            browser.close()
    first = results[0]
    print()
    print(f"`.venv/bin/python bench/kiosk_drain.py -n {args.n}` · "
          f"{dt.date.today().isoformat()} · {machine()}, "
          f"load average {load:.1f} at the start (last column: when the network came back) · "
          f"Chromium {browser_version} headless, "
          f"persistent profile · {first.server} · SQLite · batches of {first.batch_size} "
          f"(EVENTS_MAX_BATCH), about {first.bytes_per_event:.0f} bytes per event")
    print()
    print(table(results))
    print(json.dumps([{"run": r.label, "fill_s": round(r.fill_s, 2), "generate_s":
                       round(r.generate_s, 2), "drain_s": r.drain_s and round(r.drain_s, 2),
                       "left": r.left, "http": dict(r.http), "sender_failures": r.failures}
                      for r in results]), file=sys.stderr)
    ok = all(r.drain_s and r.stored_exact for r in results)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
