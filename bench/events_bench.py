"""Visit events accepted per second, over real HTTP, through a production-like server.

    .venv/bin/python bench/events_bench.py [--seconds 10] [--clients 4] [--postgres URL]

Starts gunicorn on 127.0.0.1 (2 workers, gthread, 4 threads each; rate limiting off) against a
fresh SQLite database and, when EXHIBIT_TEST_POSTGRES_URL or --postgres names a server, a fresh
schema on PostgreSQL. A few client processes (multiprocessing, one persistent HTTP connection
each) POST to /api/v1/events for a fixed time: batches of 100 events (a kiosk draining its
queue), then single events (a page view from the topic page). An event counts when the server
acknowledged it as stored, that is after its commit; at the end the rows in the database are
counted and must equal the acknowledged events. Prints a Markdown table: events/s, requests/s,
p50/p99 request latency.

Target (PRODUCT.md): at least 5,000 events/s batched on SQLite on 2 cores.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import platform
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from machine import load, machine  # noqa: E402  (bench/machine.py, beside this script)

from tests.scratch import write_exhibition  # noqa: E402  (a small valid exhibition)

BROWSER_UA = ("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/131.0 Mobile Safari/537.36")
# Event templates (JSON text, %s = id and time): what the kiosk and the topic page send.
TEMPLATES = (
    '{"id":"%s","kind":"panel_view","surface":"kiosk","at":"%s","kiosk":"hall-a",'
    '"session":"5b0f3c1e-8d4a-4c6e-9a51-2f0e9d8c7b6a","lang":"zh","panel":"story","dwell_ms":12500}',
    '{"id":"%s","kind":"page_view","surface":"web","at":"%s","path":"/zh/panels/story/",'
    '"lang":"zh","panel":"story","src":"wechat"}',
    '{"id":"%s","kind":"panel_view","surface":"kiosk","at":"%s","kiosk":"hall-a",'
    '"session":"5b0f3c1e-8d4a-4c6e-9a51-2f0e9d8c7b6a","lang":"en","panel":"output","dwell_ms":8200}',
    '{"id":"%s","kind":"page_view","surface":"web","at":"%s","path":"/en/",'
    '"lang":"en","referrer":"https://mp.weixin.qq.com/s/abc"}',
    '{"id":"%s","kind":"session_end","surface":"kiosk","at":"%s","kiosk":"hall-a",'
    '"session":"5b0f3c1e-8d4a-4c6e-9a51-2f0e9d8c7b6a","lang":"zh","panels":["story","output"],'
    '"duration_ms":61000}',
    '{"id":"%s","kind":"feedback_answer","surface":"web","at":"%s","question":"useful",'
    '"answer":4,"lang":"fr"}',
)


@dataclass
class Case:
    backend: str
    mode: str  # "batch" or "single"
    batch: int


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# -- the load: client processes ----------------------------------------------------------------

def client(port: int, batch: int, warmup: float, seconds: float, start_at: float, out) -> None:
    """POST batches until the time is up; report (events acknowledged, latencies in ms, errors)."""
    base = random.SystemRandom().getrandbits(128) >> 40 << 40  # unique per process
    counter = 0
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    headers = {"Content-Type": "application/json", "User-Agent": BROWSER_UA}
    acked = 0
    errors = 0
    latencies: list[float] = []
    while time.time() < start_at:
        time.sleep(0.005)
    measure_from = start_at + warmup
    stop_at = measure_from + seconds
    while True:
        now = time.time()
        if now >= stop_at:
            break
        at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now - 60))
        parts = []
        for _ in range(batch):
            counter += 1
            parts.append(TEMPLATES[counter % len(TEMPLATES)]
                         % (str(uuid.UUID(int=base + counter)), at))
        body = ('{"events":[' + ",".join(parts) + "]}").encode()
        began = time.perf_counter()
        try:
            conn.request("POST", "/api/v1/events", body=body, headers=headers)
            response = conn.getresponse()
            answer = response.read()
        except (OSError, http.client.HTTPException):
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        elapsed = (time.perf_counter() - began) * 1000
        if response.status != 200:
            errors += 1
            continue
        stored = json.loads(answer)["counts"].get("stored", 0)
        if stored != batch:
            errors += 1
        if now >= measure_from:
            acked += stored
            latencies.append(elapsed)
    conn.close()
    out.put((acked, latencies, errors))


# -- the server --------------------------------------------------------------------------------

def server_env(workdir: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FLASK_", "EXHIBIT_"))}
    env.update({
        "EXHIBIT_CONTENT_DIR": str(write_exhibition(workdir / "exhibition")),
        "EXHIBIT_DATABASE_URL": database_url,
        "EXHIBIT_RATELIMIT_ENABLED": "false",
        "EXHIBIT_MEDIA_CACHE_DIR": str(workdir / "media-cache"),
        "EXHIBIT_SECRET_KEY": "bench",
        "EXHIBIT_CONTENT_RELOAD_SECONDS": "0",  # production: content changes come with a restart
    })
    return env


def start_gunicorn(env: dict[str, str], port: int, workers: int, threads: int,
                   workdir: Path) -> subprocess.Popen:
    """gunicorn in `workdir` (not the checkout: none of its instance or kiosk files apply)."""
    venv_bin = Path(sys.executable).parent
    log = workdir / "gunicorn.log"
    # The schema first (as a deployment does), so the workers do not race to create it.
    subprocess.run([str(venv_bin / "exhibit"), "db", "upgrade"], env=env, check=True,
                   stdout=subprocess.DEVNULL, cwd=workdir)
    with log.open("w") as fh:
        process = subprocess.Popen(
            [str(venv_bin / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
             "--worker-class", "gthread", "--threads", str(threads), "--log-level", "warning",
             "exhibit:create_app()"],
            env=env, stdout=fh, stderr=subprocess.STDOUT, cwd=workdir)
    end = time.monotonic() + 60
    while time.monotonic() < end:
        if process.poll() is not None:
            raise SystemExit(f"gunicorn exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            ok = conn.getresponse().status == 200
            conn.close()
            if ok:
                # Every worker must be up, not only the first: a few more probes.
                time.sleep(1.0)
                return process
        except OSError:
            pass
        time.sleep(0.1)
    process.kill()
    raise SystemExit(f"gunicorn did not answer /healthz:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def count_rows(database_url: str) -> int:
    from sqlalchemy import func, select

    from exhibit.visits.db import make_engine
    from exhibit.visits.schema import events

    engine = make_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(events)).scalar_one()
    finally:
        engine.dispose()


class PostgresSchema:
    """A fresh schema on the PostgreSQL server for one case, dropped afterwards."""

    def __init__(self, base: str):
        from sqlalchemy import create_engine

        self.base = base
        self.admin = create_engine(base.replace("postgresql://", "postgresql+psycopg://", 1))
        self.schema = f"bench_{uuid.uuid4().hex[:12]}"

    def __enter__(self) -> str:
        from sqlalchemy import text

        with self.admin.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
        sep = "&" if "?" in self.base else "?"
        return f"{self.base}{sep}options=-csearch_path%3D{self.schema}"

    def __exit__(self, *exc) -> None:
        from sqlalchemy import text

        with self.admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{self.schema}" CASCADE'))
        self.admin.dispose()


def run_case(case: Case, database_url: str, args, workdir: Path) -> dict:
    port = free_port()
    env = server_env(workdir, database_url)
    server = start_gunicorn(env, port, args.workers, args.threads, workdir)
    try:
        out = mp.get_context("fork").Queue()
        start_at = time.time() + 0.3
        procs = [mp.get_context("fork").Process(
            target=client, args=(port, case.batch, args.warmup, args.seconds, start_at, out))
            for _ in range(args.clients)]
        for p in procs:
            p.start()
        results = [out.get(timeout=args.warmup + args.seconds + 60) for _ in procs]
        for p in procs:
            p.join(10)
    finally:
        stop(server)
    acked = sum(r[0] for r in results)
    latencies = sorted(x for r in results for x in r[1])
    errors = sum(r[2] for r in results)
    rows = count_rows(database_url)
    if rows < acked:
        raise SystemExit(f"{case}: {acked} events acknowledged but only {rows} stored")

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] if latencies else 0.0

    return {"backend": case.backend, "mode": case.mode, "batch": case.batch,
            "events_s": acked / args.seconds, "requests_s": len(latencies) / args.seconds,
            "p50": pct(0.50), "p99": pct(0.99), "errors": errors}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured time per case")
    parser.add_argument("--warmup", type=float, default=1.0, help="unmeasured time first")
    parser.add_argument("--clients", type=int, default=4, help="client processes")
    parser.add_argument("--batch", type=int, default=100, help="events per batch (batch mode)")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--postgres", default=os.environ.get("EXHIBIT_TEST_POSTGRES_URL"),
                        help="a PostgreSQL server to measure too (a fresh schema per case)")
    parser.add_argument("--only", choices=["sqlite", "postgresql"], help="one backend only")
    args = parser.parse_args()
    if not shutil.which("gunicorn", path=str(Path(sys.executable).parent)):
        raise SystemExit("gunicorn is not installed: .venv/bin/pip install -e '.[test]'")

    backends = ["sqlite"] + (["postgresql"] if args.postgres else [])
    if args.only:
        backends = [args.only]
    rows = []
    load_before = load()
    for backend in backends:
        for mode, batch in (("batch", args.batch), ("single", 1)):
            case = Case(backend, mode, batch)
            with tempfile.TemporaryDirectory(prefix="exhibit-bench-") as tmp:
                workdir = Path(tmp)
                if backend == "sqlite":
                    result = run_case(case, f"sqlite:///{workdir / 'bench.sqlite3'}", args, workdir)
                else:
                    with PostgresSchema(args.postgres) as url:
                        result = run_case(case, url, args, workdir)
            rows.append(result)
            print(f"  {backend} {mode}: {result['events_s']:,.0f} events/s", file=sys.stderr)

    print(f"# events accepted · {time.strftime('%Y-%m-%d')} · {machine()} · Python "
          f"{platform.python_version()} · gunicorn {args.workers} workers × {args.threads} "
          f"threads (gthread) · {args.clients} client processes · {args.seconds:g} s per case · "
          f"{load_before} before, {load()} after")
    print("| backend | mode | events/s | requests/s | p50 ms | p99 ms | errors |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for r in rows:
        mode = f"batches of {r['batch']}" if r["mode"] == "batch" else "single events"
        print(f"| {r['backend']} | {mode} | {r['events_s']:,.0f} | {r['requests_s']:,.0f} | "
              f"{r['p50']:.1f} | {r['p99']:.1f} | {r['errors']} |")


if __name__ == "__main__":
    main()
