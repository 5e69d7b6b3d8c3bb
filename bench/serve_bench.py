"""Public pages per second and their latency: nginx serving a frozen copy, gunicorn with the
render cache, gunicorn without it — side by side in one run.

    .venv/bin/python bench/serve_bench.py [--duration 10] [--rounds 3] [--rate 300]

1. A scratch folder with the demo exhibition, every panel approved (bench/demo_site.py), and
   ``exhibit freeze`` of the whole site into it (timed: the freeze table).
2. Three servers on 127.0.0.1, all up at once:
   - **nginx** serving the frozen copy (its own master, ``-c`` a config written here, ``daemon
     off``; ``gzip_static on``, ``sendfile``, keep-alive, ``access_log off``, ``worker_processes
     auto``), stopped at the end;
   - **gunicorn, cache on**: ``exhibit run --production`` (exhibit/gunicorn_config.py);
   - **gunicorn, cache off**: the same with ``EXHIBIT_PAGE_CACHE=false``;
   - **nginx cache → gunicorn**: nginx in front of the cached gunicorn (as advised for TLS) with
     ``proxy_cache``, keeping each page as long as its ``Cache-Control: s-maxage=60`` allows;
   - **fast-path prototype**: the same config and cache, with a bench-only WSGI wrapper replaying
     cached answers before Flask (FASTPATH_PROTOTYPE below): the ceiling for a cached page
     served by gunicorn, i.e. what Flask and exhibit's per-request work cost;
   - **granian cached** (``--targets granian``, bench only): the same app, settings and render
     cache under granian, an HTTP server written in Rust (pinned in constraints.txt, installed
     into the venv on demand): how much of gunicorn's cost is its HTTP handling in Python.
3. wrk (Debian's package; installed with nginx-light by apt-get when missing), every request with
   ``Accept-Encoding: gzip`` (what nginx's gzip_static serves; every browser sends it):
   - **throughput**: ``wrk -t2 -c64`` for ``--duration`` seconds per target and page, in
     interleaved rounds (nginx, cache on, cache off, nginx, …) so a load from other jobs hits all
     three alike; the table gives medians and the ratio to nginx;
   - **revalidation**: the same with ``If-None-Match`` (each target's own ETag): 304s per second;
   - **latency at a fixed rate**: ``--rate`` requests/s from ``--rate-connections`` connections,
     each waiting a random 0.5–1.5 × (connections / rate) between its requests (wrk's ``delay()``
     in Lua; wrk has no fixed-rate mode); the achieved rate is in the table.
   Every run checks that each answer was 200 (or 304) and counts the bytes per answer, so a target
   sending another encoding would show.
4. ``--profile DIR``: py-spy (installed into the venv on demand, pinned in constraints.txt)
   records every worker of each gunicorn target under a throughput run of the first page, keeps
   the collapsed stacks in DIR, and the script prints where the time goes by category.

wrk runs on the same cores as the servers (2 threads), so absolute figures are lower than on a
separate client; the ratios are what to compare. Targets (README): gunicorn with the cache at
least 25 % of nginx's requests/s; p99 under 50 ms at 300 requests/s.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from demo_site import (  # noqa: E402  (bench/demo_site.py, beside this script)
    ROOT,
    VENV_BIN,
    apt_install,
    demo_env,
    free_port,
    prepare,
    start_production,
    stop,
    wait_http,
)
from machine import load, machine  # noqa: E402

ENCODING = "gzip"

# Every wrk run uses this script: the headers, optional pacing, and one JSON line at the end.
WRK_LUA = r"""
local delay_ms = tonumber(os.getenv("BENCH_DELAY_MS") or "0")
wrk.headers["Accept-Encoding"] = os.getenv("BENCH_ACCEPT_ENCODING")
local etag = os.getenv("BENCH_IF_NONE_MATCH") or ""
if etag ~= "" then wrk.headers["If-None-Match"] = etag end

if delay_ms > 0 then
  -- Each connection waits a random 0.5-1.5 x the mean between its requests: a steady rate that
  -- does not arrive in lockstep bursts.
  function init(args) math.randomseed(os.time() + math.floor(os.clock() * 1e6)) end
  function delay() return math.floor(delay_ms * (0.5 + math.random())) end
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, ' ..
    '"write": %d, "status": %d, "timeout": %d, "p50": %d, "p90": %d, "p99": %d, "max": %d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(90), latency:percentile(99),
    latency.max))
end
"""

NGINX_CONF = """\
# nginx as it would run in production (bench only: 127.0.0.1, its own prefix and files).
worker_processes auto;
daemon off;
pid {workdir}/{name}.pid;
error_log {workdir}/{name}-error.log warn;
{user}
events {{
    worker_connections 4096;
}}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    tcp_nodelay on;
    keepalive_timeout 65;
    keepalive_requests 1000000;
    open_file_cache max=1000 inactive=60s;
    open_file_cache_valid 60s;
    client_body_temp_path {workdir}/{name}-tmp/body;
    proxy_temp_path {workdir}/{name}-tmp/proxy;
    fastcgi_temp_path {workdir}/{name}-tmp/fastcgi;
    uwsgi_temp_path {workdir}/{name}-tmp/uwsgi;
    scgi_temp_path {workdir}/{name}-tmp/scgi;
{server}
}}
"""

# The frozen copy as static files.
NGINX_STATIC = """\
    server {{
        listen 127.0.0.1:{port};
        root {site};
        index index.html;
        gzip_static on;
        error_page 404 /404.html;
        location /static/ {{ expires max; }}
        location /media/ {{ expires max; }}
    }}"""

# nginx in front of gunicorn (as the README advises, for TLS), keeping pages for as long as
# their Cache-Control allows a shared cache to (s-maxage=60, stale-while-revalidate): one
# request per page and encoding (Vary) reaches gunicorn a minute; the others are nginx's.
NGINX_PROXY = """\
    proxy_cache_path {workdir}/{name}-cache levels=1:2 keys_zone=pages:10m max_size=100m;
    upstream exhibit {{
        server 127.0.0.1:{upstream};
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://exhibit;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_cache pages;
            proxy_cache_lock on;
            proxy_cache_revalidate on;
            proxy_cache_background_update on;
            proxy_cache_use_stale updating error timeout;
            add_header X-Cache $upstream_cache_status;
        }}
    }}"""


@dataclass
class Target:
    name: str
    port: int
    process: subprocess.Popen


@dataclass
class Run:
    """One wrk run, from the JSON line of the Lua script's done()."""

    requests: int
    seconds: float
    bytes: int
    errors: int
    p50: float  # ms
    p90: float
    p99: float
    max: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def bytes_per_answer(self) -> float:
        return self.bytes / max(1, self.requests)


def wrk(port: int, path: str, *, threads: int, connections: int, seconds: float, lua: Path,
        delay_ms: float = 0, etag: str = "") -> Run:
    env = dict(os.environ, BENCH_ACCEPT_ENCODING=ENCODING, BENCH_DELAY_MS=str(int(delay_ms)),
               BENCH_IF_NONE_MATCH=etag)
    done = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s",
         "-s", str(lua), f"http://127.0.0.1:{port}{path}"],
        env=env, capture_output=True, text=True, timeout=seconds + 60)
    line = next((x for x in done.stdout.splitlines() if x.startswith("BENCH ")), None)
    if done.returncode != 0 or line is None:
        raise SystemExit(f"wrk failed on port {port} {path}:\n{done.stdout}\n{done.stderr}")
    data = json.loads(line[6:])
    errors = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
    return Run(data["requests"], data["duration_us"] / 1e6, data["bytes"], errors,
               data["p50"] / 1000, data["p90"] / 1000, data["p99"] / 1000, data["max"] / 1000)


def fetch(port: int, path: str, etag: str = "") -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Accept-Encoding": ENCODING}
    if etag:
        headers["If-None-Match"] = etag
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    body = response.read()
    conn.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def check_target(target: Target, path: str) -> str:
    """The page answers 200 in our encoding and 304 to its own ETag; returns that ETag."""
    status, headers, _ = fetch(target.port, path)
    if status != 200 or headers.get("content-encoding") != ENCODING:
        raise SystemExit(f"{target.name} {path}: {status}, Content-Encoding "
                         f"{headers.get('content-encoding')!r} (wanted 200 and {ENCODING})")
    etag = headers.get("etag", "")
    if etag and fetch(target.port, path, etag)[0] != 304:
        raise SystemExit(f"{target.name} {path}: no 304 for If-None-Match {etag}")
    return etag


# A bench-only prototype (never shipped): a WSGI wrapper in front of the whole app that replays
# the answer to a plain GET it has seen (status, headers, body per path and Accept-Encoding).
# It skips what exhibit does per request — the fingerprint check included, so it would go on
# serving a page after a new version is published — and so measures the ceiling of a fast path
# taken before Flask: gunicorn's own cost.
FASTPATH_PROTOTYPE = """
from exhibit.wsgi import app as flask_app

_answers = {}


def app(environ, start_response):
    if environ["REQUEST_METHOD"] != "GET" or "HTTP_IF_NONE_MATCH" in environ \\
            or environ.get("QUERY_STRING"):
        return flask_app(environ, start_response)
    key = (environ["PATH_INFO"], environ.get("HTTP_ACCEPT_ENCODING", ""))
    answer = _answers.get(key)
    if answer is None:
        seen = {}

        def capture(status, headers, exc_info=None):
            seen["status"], seen["headers"] = status, headers

        body = b"".join(flask_app(environ, capture))
        answer = (seen["status"], [h for h in seen["headers"] if h[0].lower() != "date"], body)
        if answer[0].startswith("200"):
            _answers[key] = answer
    start_response(answer[0], list(answer[1]))
    return [answer[2]]
"""


def start_fastpath(workdir: Path, port: int, args) -> subprocess.Popen:
    """gunicorn with exhibit's production config serving FASTPATH_PROTOTYPE (render cache on)."""
    (workdir / "fastpath_prototype.py").write_text(FASTPATH_PROTOTYPE)
    env = demo_env(workdir)
    env.update({"PYTHONPATH": str(workdir), "EXHIBIT_BIND": f"127.0.0.1:{port}",
                "EXHIBIT_LOG_LEVEL": "warning",
                # Production refuses to start without it; a benchmark's address is its own.
                "EXHIBIT_PUBLIC_BASE_URL": f"http://127.0.0.1:{port}"})
    if args.workers:
        env["WEB_CONCURRENCY"] = str(args.workers)
    if args.threads:
        env["GUNICORN_CMD_ARGS"] = f"--threads {args.threads}"
    log = workdir / "gunicorn-fastpath.log"
    with log.open("w") as fh:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "--config", "python:exhibit.gunicorn_config",
             "fastpath_prototype:app"],
            env=env, cwd=workdir, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
    wait_http(port, "/healthz", process, log)
    return process


# -- the servers -------------------------------------------------------------------------------

def freeze(workdir: Path) -> dict:
    """``exhibit freeze`` of the whole site, timed (wall time of the command: app start included)."""
    site = workdir / "site"
    began = time.perf_counter()
    done = subprocess.run([str(VENV_BIN / "exhibit"), "freeze", "--out", str(site)],
                          env=demo_env(workdir), cwd=workdir, capture_output=True, text=True)
    wall = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"exhibit freeze failed:\n{done.stdout}\n{done.stderr}")
    # "froze 56 pages, 207 files, 5.3 MB (with .gz and .br copies) into … in 2.9 s"
    match = re.search(r"froze (\d+) pages, (\d+) files, ([\d.]+) MB .* in ([\d.]+) s", done.stdout)
    if not match:
        raise SystemExit(f"exhibit freeze said something unexpected: {done.stdout}")
    # The copy's top folder is made by mkdtemp (mode 0700); nginx's workers run as another user.
    site.chmod(0o755)
    workdir.chmod(0o755)
    return {"pages": int(match[1]), "files": int(match[2]), "mb": float(match[3]),
            "seconds": float(match[4]), "wall": wall, "site": site}


def start_nginx(workdir: Path, name: str, server: str, port: int) -> subprocess.Popen:
    """Our own nginx master (``daemon off``, its config, pid and logs in ``workdir``)."""
    (workdir / f"{name}-tmp").mkdir(exist_ok=True)
    conf = workdir / f"{name}.conf"
    user = "user nobody nogroup;" if os.geteuid() == 0 else ""
    conf.write_text(NGINX_CONF.format(workdir=workdir, name=name, user=user, server=server))
    log = workdir / f"{name}.log"
    with log.open("w") as fh:
        process = subprocess.Popen(
            [nginx_binary(), "-c", str(conf), "-p", str(workdir), "-e", str(workdir / f"{name}-error.log")],
            stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
    wait_http(port, "/en/", process, log)
    return process


def nginx_binary() -> str:
    for candidate in ("/usr/sbin/nginx", "/usr/bin/nginx"):
        if Path(candidate).exists():
            return candidate
    raise SystemExit("nginx is not installed")


def install_tools() -> None:
    """wrk and nginx from Debian's packages; a system nginx that the install started is stopped
    (this script runs its own master and leaves no service behind)."""
    had_nginx = Path("/usr/sbin/nginx").exists()
    apt_install({"wrk": "wrk", "nginx": "nginx-light"})
    if not had_nginx:
        pid = Path("/run/nginx.pid")
        if pid.exists():
            sudo = [] if os.geteuid() == 0 else ["sudo"]
            subprocess.run(sudo + ["/usr/sbin/nginx", "-s", "quit"], check=False)


def ensure_granian() -> Path:
    granian = VENV_BIN / "granian"
    if not granian.exists():
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-c",
                        str(ROOT / "constraints.txt"), "granian"], check=True)
    return granian


def start_granian(workdir: Path, port: int, args) -> subprocess.Popen:
    """granian (WSGI interface) serving exhibit.wsgi:app with the render cache: a worker per core
    (its connections are handled by granian's own Rust threads), ``--threads`` (default: the
    gunicorn config's) Python threads each. The app is already prepared (schema, media), so each
    worker's own app start finds nothing to build; granian has no preload, so each worker fills
    its own render cache (the warm-up runs below do it)."""
    from exhibit import gunicorn_config

    env = demo_env(workdir)
    env["EXHIBIT_LOG_LEVEL"] = "warning"
    log = workdir / "granian.log"
    with log.open("w") as fh:
        process = subprocess.Popen(
            [str(ensure_granian()), "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
             "--workers", str(args.workers or os.cpu_count() or 1),
             "--blocking-threads", str(args.threads or gunicorn_config.threads),
             "--no-ws", "--log-level", "warning", "exhibit.wsgi:app"],
            env=env, cwd=workdir, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
    wait_http(port, "/healthz", process, log)
    return process


def ensure_py_spy() -> Path:
    py_spy = VENV_BIN / "py-spy"
    if not py_spy.exists():
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "-c",
                        str(ROOT / "constraints.txt"), "py-spy"], check=True)
    return py_spy


# -- profiling ---------------------------------------------------------------------------------

# Where a sampled stack is counted. Frames look like "render (jinja2/environment.py:1295)". A
# sample goes to the innermost frame of a "work" category (our code, templates, compression,
# extensions): Werkzeug's header code called by exhibit/security.py counts as security headers.
# Only when the stack holds none of them does it go to the innermost framework layer (Flask,
# Werkzeug, gunicorn). Wrappers around the whole app (the security middleware's WSGI function,
# WhiteNoise's __call__) are not "work": they would swallow everything below them.
WORK = (
    ("compression (gzip, Brotli)", r"\((brotli|gzip|zlib)\.py|^_compress \("),
    ("Jinja rendering", r"\(jinja2/|\(markupsafe/|\.html:"),
    ("public_exhibition()", r"\(exhibit/review/(publication|state)\.py"),
    ("page cache: lookup, response, ETag/304", r"\(exhibit/web/pagecache\.py"),
    ("security headers (exhibit/security.py)", r"\(exhibit/security\.py"),
    ("other exhibit code (hooks, views)", r"\(exhibit/"),
    ("session cookie (Flask sessions)", r"\(flask/sessions\.py|\(itsdangerous/"),
    ("CSRF (Flask-WTF)", r"\(flask_wtf/"),
    ("rate limiter (Flask-Limiter)", r"\(flask_limiter/|\(limits/"),
    ("Babel (locale)", r"\(flask_babel/|\(babel/"),
    ("WhiteNoise (static files check)", r"\(whitenoise/"),
)
FRAMEWORK = (
    ("Flask: request context, routing, hooks", r"\(flask/"),
    ("Werkzeug: request, response, headers", r"\(werkzeug/"),
    ("gunicorn: sending the response (socket)", r"^(Response\.(write|send_headers)|write|sendall) "
                                                 r"\(gunicorn/"),
    ("gunicorn: HTTP parsing, WSGI environ", r"\(gunicorn/http/"),
    ("gunicorn: worker loop, selector, thread pool", r"\(gunicorn/|\(concurrent/|\(selectors\.py|"
                                                      r"\(threading\.py|\(queue\.py"),
)
CATEGORIES = WORK + FRAMEWORK
ENCLOSING = re.compile(r"^(SecurityHeaders\.wsgi\.<locals>\.app_with_headers|WhiteNoise\.__call__) \(")
_WORK = [(name, re.compile(pattern)) for name, pattern in WORK]
_FRAMEWORK = [(name, re.compile(pattern)) for name, pattern in FRAMEWORK]


def category_of(frames: list[str]) -> str:
    """The category of one sampled stack (frames from the outermost to the innermost)."""
    framework = None
    for frame in reversed(frames):
        if framework is None and "(gunicorn/" in frame:
            # the innermost layer is gunicorn's own code (even when our start_response wrapper
            # called it): the server's work
            return next(name for name, pattern in _FRAMEWORK if pattern.search(frame))
        for name, pattern in _WORK:
            if pattern.search(frame) and not ENCLOSING.search(frame):
                return name
        if framework is None:
            framework = next((name for name, pattern in _FRAMEWORK if pattern.search(frame)), None)
    if framework is None and all(f.startswith("process ") for f in frames):
        return "no Python frame (C code, e.g. a worker starting)"
    return framework or "other"


def categorise(collapsed: Path) -> dict[str, float]:
    """Share of samples (%) per category, from py-spy's collapsed stacks ("frame;frame;… count")."""
    totals: Counter[str] = Counter()
    for line in collapsed.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if count.isdigit():
            totals[category_of(stack.split(";"))] += int(count)
    everything = sum(totals.values())
    return {name: 100 * n / everything for name, n in totals.items()} if everything else {}


def profile(target: Target, path: str, seconds: float, out: Path, lua: Path, args) -> dict:
    """py-spy on every worker of ``target`` while wrk loads ``path``, twice: sampling every busy
    thread (what the workers' threads are doing, waits for the GIL and the socket included),
    then only the thread holding the GIL (where the Python work goes). Writes the collapsed
    stacks into ``out`` (one line per stack: ``flamegraph.pl`` or speedscope draw them)."""
    py_spy = ensure_py_spy()
    out.mkdir(parents=True, exist_ok=True)
    stem = target.name.replace(" ", "-")
    result = {"files": []}
    for mode, flags in (("threads", []), ("gil", ["--gil"])):
        raw = out / f"{stem}-{mode}.txt"
        spy = subprocess.Popen(
            [str(py_spy), "record", "--pid", str(target.process.pid), "--subprocesses",
             "--duration", str(int(seconds) + 2), "--rate", "200", "--format", "raw", "--nonblocking",
             "--output", str(raw), *flags],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        time.sleep(1.0)  # py-spy attaches to every worker first
        run = wrk(target.port, path, threads=args.wrk_threads, connections=args.connections,
                  seconds=seconds, lua=lua)
        _, err = spy.communicate(timeout=seconds + 60)
        if spy.returncode != 0 or not raw.exists():
            raise SystemExit(f"py-spy failed ({spy.returncode}): {err}")
        result[mode] = categorise(raw)
        result[f"{mode}_rps"] = run.rps
        result["files"].append(raw)
    return result


# -- the report --------------------------------------------------------------------------------

def median_run(runs: list[Run]) -> dict:
    return {"rps": statistics.median(r.rps for r in runs),
            "p50": statistics.median(r.p50 for r in runs),
            "p99": statistics.median(r.p99 for r in runs),
            "bytes": statistics.median(r.bytes_per_answer for r in runs),
            "errors": sum(r.errors for r in runs),
            "spread": (min(r.rps for r in runs), max(r.rps for r in runs))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per wrk run")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved throughput rounds")
    parser.add_argument("--connections", type=int, default=64, help="wrk connections (throughput)")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--rate", type=float, default=300.0, help="requests/s for the latency runs")
    parser.add_argument("--rate-connections", type=int, default=30,
                        help="connections for the latency runs (each paced to rate/connections)")
    parser.add_argument("--pages", default="/zh/,/en/panels/mercury-flows/",
                        help="comma-separated paths; the first is also used for the 304 runs")
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: the config's)")
    parser.add_argument("--threads", type=int, help="gunicorn threads (default: the config's)")
    parser.add_argument("--targets", default="nginx,cached,uncached,proxy",
                        help="which of nginx, cached, uncached, proxy (nginx caching in front of "
                             "gunicorn cached), fastpath (a bench-only prototype, see "
                             "FASTPATH_PROTOTYPE), granian (the app under granian) to measure")
    parser.add_argument("--no-304", action="store_true", help="skip the revalidation runs")
    parser.add_argument("--profile", type=Path, metavar="DIR",
                        help="also record py-spy profiles of both gunicorn targets into DIR")
    parser.add_argument("--keep", type=Path, metavar="DIR",
                        help="work in DIR and keep it (site, logs, configs) instead of a temp folder")
    args = parser.parse_args()
    pages = [p.strip() for p in args.pages.split(",") if p.strip()]
    wanted = [t.strip() for t in args.targets.split(",")]

    install_tools()
    if args.keep:
        args.keep.mkdir(parents=True, exist_ok=True)
        workdir_cm = None
        workdir = args.keep.resolve()
    else:
        workdir_cm = tempfile.TemporaryDirectory(prefix="exhibit-serve-")
        workdir = Path(workdir_cm.name)
    targets: list[Target] = []
    try:
        print("preparing the demo site (schema, media, approvals)…", file=sys.stderr)
        decisions = prepare(workdir)
        frozen = freeze(workdir)
        print(f"froze {frozen['pages']} pages in {frozen['seconds']:.1f} s", file=sys.stderr)
        lua = workdir / "bench.lua"
        lua.write_text(WRK_LUA)

        if "nginx" in wanted:
            port = free_port()
            server = NGINX_STATIC.format(port=port, site=frozen["site"])
            targets.append(Target("nginx", port, start_nginx(workdir, "nginx", server, port)))
        for name, cache in (("cached", True), ("uncached", False)):
            if name in wanted:
                port = free_port()
                process = start_production(workdir, port, page_cache=cache, name=f"gunicorn-{name}",
                                           workers=args.workers, threads=args.threads)
                targets.append(Target(f"gunicorn {name}", port, process))
        cached = next((t for t in targets if t.name == "gunicorn cached"), None)
        if "proxy" in wanted and cached:
            port = free_port()
            server = NGINX_PROXY.format(workdir=workdir, name="nginx-proxy", port=port,
                                        upstream=cached.port)
            targets.append(Target("nginx cache → gunicorn", port,
                                  start_nginx(workdir, "nginx-proxy", server, port)))
        if "fastpath" in wanted:
            port = free_port()
            targets.append(Target("fast-path prototype", port, start_fastpath(workdir, port, args)))
        if "granian" in wanted:
            port = free_port()
            targets.append(Target("granian cached", port, start_granian(workdir, port, args)))
        etags = {(t.name, p): check_target(t, p) for t in targets for p in pages}
        # Warm up: every worker renders (or caches) every page, nginx opens its files.
        for t in targets:
            for p in pages:
                wrk(t.port, p, threads=args.wrk_threads, connections=args.connections, seconds=2, lua=lua)
        load_before = load()

        throughput: dict[tuple[str, str], list[Run]] = {}
        cases = [(p, "") for p in pages] + ([] if args.no_304 else [(pages[0], "304")])
        for round_no in range(args.rounds):
            for page, kind in cases:
                for t in targets:
                    if kind and t.name == "fast-path prototype":
                        continue  # it hands conditional requests to Flask: same as cached
                    etag = etags[(t.name, page)] if kind else ""
                    run = wrk(t.port, page, threads=args.wrk_threads, connections=args.connections,
                              seconds=args.duration, lua=lua, etag=etag)
                    throughput.setdefault((t.name, page + (" (304)" if kind else "")), []).append(run)
                    print(f"  round {round_no + 1} {t.name} {page} {kind or '200'}: {run.rps:,.0f}/s",
                          file=sys.stderr)

        latency: dict[tuple[str, str], Run] = {}
        delay_ms = 1000 * args.rate_connections / args.rate
        for page in pages:
            for t in targets:
                latency[(t.name, page)] = wrk(
                    t.port, page, threads=args.wrk_threads, connections=args.rate_connections,
                    seconds=args.duration, lua=lua, delay_ms=delay_ms)
                print(f"  {args.rate:g}/s {t.name} {page}: p99 {latency[(t.name, page)].p99:.1f} ms",
                      file=sys.stderr)
        load_after = load()

        profiles = {}
        if args.profile:
            for t in targets:
                if t.name.startswith("gunicorn") or t.name == "fast-path prototype":
                    profiles[t.name] = profile(t, pages[0], args.duration, args.profile.resolve(), lua, args)
        config = gunicorn_description(args)
    finally:
        for t in targets:
            stop(t.process)
        if workdir_cm is not None:
            workdir_cm.cleanup()

    print(f"# serving public pages · {time.strftime('%Y-%m-%d')} · {machine()} · Python "
          f"{platform.python_version()} · {nginx_version()} · {config} · wrk {args.wrk_threads} "
          f"threads on the same cores · Accept-Encoding: {ENCODING} · demo content, {decisions} "
          f"approvals (all 16 panels public) · {load_before} before, {load_after} after")
    print()
    print(f"Throughput: wrk -t{args.wrk_threads} -c{args.connections}, {args.duration:g} s per run, "
          f"median of {args.rounds} interleaved rounds (min–max in brackets).")
    print()
    print("| page | target | requests/s | vs nginx | p50 ms | p99 ms | bytes/answer | errors |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for page, kind in cases:
        key = page + (" (304)" if kind else "")
        base = median_run(throughput[("nginx", key)])["rps"] if ("nginx", key) in throughput else None
        for t in targets:
            if (t.name, key) not in throughput:
                continue
            m = median_run(throughput[(t.name, key)])
            ratio = f"{100 * m['rps'] / base:.0f} %" if base else "–"
            print(f"| `{key}` | {t.name} | {m['rps']:,.0f} ({m['spread'][0]:,.0f}–{m['spread'][1]:,.0f})"
                  f" | {ratio} | {m['p50']:.1f} | {m['p99']:.1f} | {m['bytes']:,.0f} | {m['errors']} |")
    print()
    print(f"Latency at a fixed rate: {args.rate_connections} connections, each waiting a random "
          f"{delay_ms / 2:.0f}–{delay_ms * 1.5:.0f} ms between requests (≈ {args.rate:g}/s), "
          f"{args.duration:g} s.")
    print()
    print("| page | target | achieved requests/s | p50 ms | p90 ms | p99 ms | max ms | errors |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for page in pages:
        for t in targets:
            r = latency[(t.name, page)]
            print(f"| `{page}` | {t.name} | {r.rps:,.0f} | {r.p50:.1f} | {r.p90:.1f} | {r.p99:.1f} | "
                  f"{r.max:.1f} | {r.errors} |")
    print()
    print("| exhibit freeze | pages | files | MB (with .gz/.br) | freeze s | command wall s |")
    print("|---|---:|---:|---:|---:|---:|")
    print(f"| whole demo site | {frozen['pages']} | {frozen['files']} | {frozen['mb']:.1f} | "
          f"{frozen['seconds']:.1f} | {frozen['wall']:.1f} |")
    if profiles:
        names = list(profiles)
        print()
        print(f"Where the time goes: py-spy on every worker while wrk -c{args.connections} loads "
              f"`{pages[0]}`, share of samples; *threads*: every busy thread (waits for the GIL and "
              f"the socket included), *GIL*: only the thread running Python. Collapsed stacks in "
              f"{args.profile}.")
        print()
        print("| category | " + " | ".join(f"{n} threads | {n} GIL" for n in names) + " |")
        print("|---|" + "---:|---:|" * len(names))
        order = [name for name, _ in CATEGORIES] + [
            "other", "no Python frame (C code, e.g. a worker starting)"]
        for category in order:
            cells = [profiles[n][mode].get(category, 0.0) for n in names for mode in ("threads", "gil")]
            if max(cells) < 0.5:
                continue
            print(f"| {category} | " + " | ".join(f"{c:.0f} %" for c in cells) + " |")
        print("| requests/s while sampled | " + " | ".join(
            f"{profiles[n]['threads_rps']:,.0f} | {profiles[n]['gil_rps']:,.0f}" for n in names) + " |")


def gunicorn_description(args) -> str:
    from exhibit import gunicorn_config

    workers = args.workers or gunicorn_config.workers
    threads = args.threads or gunicorn_config.threads
    return f"gunicorn {workers} workers × {threads} threads (gthread, exhibit/gunicorn_config.py)"


def nginx_version() -> str:
    done = subprocess.run([nginx_binary(), "-v"], capture_output=True, text=True)
    return (done.stderr or done.stdout).strip().replace("nginx version: ", "")


if __name__ == "__main__":
    main()
