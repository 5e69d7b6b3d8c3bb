"""gunicorn settings for production: ``exhibit run --production`` uses them, or run gunicorn
yourself with ``gunicorn -c python:exhibit.gunicorn_config``.

Every value can be changed without editing this file, through gunicorn's own variables:
``WEB_CONCURRENCY`` (workers), ``GUNICORN_CMD_ARGS`` (any option, e.g. ``"--threads 8
--access-logfile -"``), or ``EXHIBIT_BIND``. Measured on 2 cores (README, "Benchmarks"): two
workers per core keep both cores busy while one worker waits on a database commit.
"""

from __future__ import annotations

import os
import sys
import time

# The app: exhibit's factory, reading its settings from instance/exhibit.cfg and EXHIBIT_* variables.
wsgi_app = "exhibit.wsgi:app"

bind = os.environ.get("EXHIBIT_BIND", "127.0.0.1:8000")

# gthread: a slow client or a long export (a record ZIP takes minutes) holds a thread, not the
# worker, and the worker's heartbeat keeps going, so it is not killed by the timeout. Threads also
# keep HTTP connections alive between requests from a proxy or a load generator.
worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", 2 * (os.cpu_count() or 1)))
threads = 4
keepalive = 5  # seconds: behind a proxy that reuses connections (nginx keepalive, a CDN)

# Load the app (content, media derivatives, schema upgrade) once in the master, before forking:
# workers share its memory and start in milliseconds, and two workers never race to upgrade the
# schema or build the same image twice.
preload_app = True

# A stuck worker is replaced; a long download is not stuck (see worker_class).
timeout = 60
graceful_timeout = 30

# Recycle workers now and then, so a slow leak can never grow without bound; the jitter keeps
# them from all restarting at once. A new worker starts with the master's render cache (see
# when_ready below) unless a panel was published since.
max_requests = 50_000
max_requests_jitter = 5_000

# Behind a reverse proxy on the same host, trust its X-Forwarded-* headers; set
# FORWARDED_ALLOW_IPS for a proxy elsewhere.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# gunicorn 27's control socket defaults to one path per user ($HOME/.gunicorn/gunicorn.ctl), so two
# instances run by one user would take each other's; exhibit does not use it.
control_socket_disable = True

# Access logs cost about a tenth of the throughput of a cached page and duplicate the proxy's;
# turn them on with GUNICORN_CMD_ARGS="--access-logfile -".
accesslog = None
errorlog = "-"
loglevel = os.environ.get("EXHIBIT_LOG_LEVEL", "info")


def public_address_refusal(url, binds) -> str | None:
    """Why a production server must not start with this PUBLIC_BASE_URL (share links, Open Graph
    tags, the sitemap and printed QR codes lead there), or None. The same rule as
    ``exhibit run --production``, for gunicorn started directly: unset or not an address is
    refused; a local address only while listening on other interfaces too."""
    import ipaddress

    from exhibit.settings import base_url_problem

    problem = base_url_problem(url)
    if problem is None or problem[0] == "http":
        return None

    def loopback(bind: str) -> bool:
        host = bind.rsplit(":", 1)[0].strip("[]") if ":" in bind else bind
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return bind.startswith("unix:")

    if problem[0] == "local" and all(loopback(b) for b in binds or ()):
        return None
    return (f"PUBLIC_BASE_URL {problem[1]}. Set it to the public address of the topic page, e.g. "
            f"EXHIBIT_PUBLIC_BASE_URL=https://expo.example.org (or PUBLIC_BASE_URL in "
            f"instance/exhibit.cfg)")


def on_starting(server) -> None:
    """Checks before serving anyone. Refuses to start without a public PUBLIC_BASE_URL, while a
    staff account still has the demo's published password, or when the database cannot be read;
    warns when the rate limits are counted by each worker alone. Needs the app loaded in the
    master (``preload_app``, the default here); without it, the workers load their own and these
    checks are skipped."""
    if not server.cfg.preload_app:
        server.log.warning("preload_app is off: the demo-password and rate-limit checks are skipped")
        return
    from sqlalchemy.exc import SQLAlchemyError

    from exhibit.review.demo import accounts_with_demo_password
    from exhibit.wsgi import app

    try:
        exposed = accounts_with_demo_password(app)
    except SQLAlchemyError as exc:
        where = app.config["DATABASE_URL"].rsplit("@", 1)[-1]  # never the password
        server.log.error("refusing to start: the staff accounts cannot be read from %s: %s",
                         where, exc)
        sys.exit(3)
    if exposed:
        server.log.error(
            "refusing to start: the account(s) %s still have the demo password published in the "
            "README; run `exhibit users set-password NAME` or `exhibit users deactivate NAME` "
            "for each", ", ".join(exposed))
        sys.exit(3)
    config = app.config
    refusal = public_address_refusal(config.get("PUBLIC_BASE_URL"), server.cfg.bind)
    if refusal:
        server.log.error("refusing to start: %s", refusal)
        sys.exit(3)
    if (server.cfg.workers > 1 and config["RATELIMIT_ENABLED"]
            and config["RATELIMIT_STORAGE_URI"].startswith("memory://")):
        server.log.warning(
            "rate limits are counted in each of the %d workers alone, so up to %d times "
            "LOGIN_RATE_LIMIT (%s) and EVENTS_RATE_LIMIT get through; set RATELIMIT_STORAGE_URI "
            "to a Redis server (README, \"Scaling out\") to share the counts",
            server.cfg.workers, server.cfg.workers, config["LOGIN_RATE_LIMIT"])


def post_fork(server, worker) -> None:
    """Each worker opens its own database connections: a connection made in the master before the
    fork must never be shared by two processes (SQLite and PostgreSQL both forbid it)."""
    from exhibit.visits.db import get_engine
    from exhibit.wsgi import app

    get_engine(app).dispose(close=False)


def when_ready(server) -> None:
    """Render every public page into the render cache once, in the master, before the workers are
    forked: they start with it warm (copied on fork) instead of each rendering and compressing
    every page itself (Brotli at its best level takes ~40 ms a page) — and, with several threads
    missing the same page at once, several times over. Workers recycled later inherit it too; a
    publication since then makes them render again, as before. A failure here only logs: the
    workers render on demand."""
    if not server.cfg.preload_app:
        return  # each worker loads its own app: nothing to share
    from exhibit.wsgi import app

    if not app.config["PAGE_CACHE"]:
        return
    from exhibit.web.freeze import public_paths

    began = time.perf_counter()
    try:
        client = app.test_client()
        paths = public_paths(app)
        for path in paths:
            client.get(path, headers={"Accept-Encoding": "br, gzip"})
    except Exception:  # noqa: BLE001 — never keep the server from starting
        server.log.exception("page cache warm-up failed; the workers render pages on demand")
        return
    server.log.info("page cache: %d public pages rendered in %.1f s before forking the workers",
                    len(paths), time.perf_counter() - began)
