"""The demo exhibition served as in production, in a scratch folder: what the serving benchmarks
(bench/serve_bench.py, bench/lighthouse.py) measure.

Everything lives in ``workdir`` — the database, media derivatives, assets — so nothing in the
checkout (instance/, its database) is read or changed. Every demo panel is approved by every
reviewing organisation (:func:`exhibit.review.demo.approve_all`, as the tests do), so all 16
panels are public; ``exhibit review demo`` would leave two of them unpublished.
"""

from __future__ import annotations

import http.client
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    """A TCP port nobody listens on at the moment, on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def demo_env(workdir: Path, *, page_cache: bool = True) -> dict[str, str]:
    """Environment for the app: demo content, everything stored in ``workdir``, production-like
    (content read once, no rate limit so the load generator is never refused)."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("FLASK_", "EXHIBIT_", "GUNICORN_", "WEB_CONCURRENCY"))}
    env.update({
        "EXHIBIT_CONTENT_DIR": str(ROOT / "panels"),
        "EXHIBIT_KIOSK_CONFIG": str(ROOT / "kiosk" / "kiosks.yaml"),
        "EXHIBIT_DATABASE_URL": f"sqlite:///{workdir / 'exhibit.sqlite3'}",
        "EXHIBIT_MEDIA_CACHE_DIR": str(workdir / "media-cache"),
        "EXHIBIT_PUBLISHED_MEDIA_DIR": str(workdir / "published-media"),
        "EXHIBIT_SECRET_KEY": "bench",
        "EXHIBIT_RATELIMIT_ENABLED": "false",
        "EXHIBIT_CONTENT_RELOAD_SECONDS": "0",
        # Settings from the environment are read as JSON: "false", not "False" (a true string).
        "EXHIBIT_PAGE_CACHE": "true" if page_cache else "false",
    })
    return env


APPROVE_ALL = """
from exhibit import create_app
from exhibit.review.demo import approve_all
print(approve_all(create_app()))
"""


def prepare(workdir: Path) -> int:
    """Schema, media derivatives and every demo panel approved; returns the decisions made."""
    env = demo_env(workdir)
    subprocess.run([str(VENV_BIN / "exhibit"), "db", "upgrade"], env=env, cwd=workdir, check=True,
                   stdout=subprocess.DEVNULL)
    done = subprocess.run([sys.executable, "-c", APPROVE_ALL], env=env, cwd=workdir, check=True,
                          capture_output=True, text=True)
    return int(done.stdout.strip().splitlines()[-1])


def start_production(workdir: Path, port: int, *, page_cache: bool = True, name: str = "gunicorn",
                     workers: int | None = None, threads: int | None = None,
                     extra_env: dict[str, str] | None = None) -> subprocess.Popen:
    """``exhibit run --production`` (gunicorn with exhibit/gunicorn_config.py) on 127.0.0.1:port;
    ``workers``/``threads`` override the config through WEB_CONCURRENCY and GUNICORN_CMD_ARGS."""
    env = demo_env(workdir, page_cache=page_cache)
    env["EXHIBIT_LOG_LEVEL"] = "warning"
    # Production refuses to start without PUBLIC_BASE_URL; a benchmark's address is its own.
    env["EXHIBIT_PUBLIC_BASE_URL"] = f"http://127.0.0.1:{port}"
    env.update(extra_env or {})
    if workers:
        env["WEB_CONCURRENCY"] = str(workers)
    if threads:
        env["GUNICORN_CMD_ARGS"] = f"--threads {threads}"
    log = workdir / f"{name}.log"
    with log.open("w") as fh:
        process = subprocess.Popen(
            [str(VENV_BIN / "exhibit"), "run", "--production", "--host", "127.0.0.1",
             "--port", str(port)],
            env=env, cwd=workdir, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
    wait_http(port, "/healthz", process, log)
    return process


def wait_http(port: int, path: str, process: subprocess.Popen, log: Path, seconds: float = 90) -> None:
    """Wait until ``path`` answers 200; fail with the end of the server's log if it never does."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if process.poll() is not None:
            raise SystemExit(f"{log.name}: the server exited ({process.returncode}):\n"
                             f"{log.read_text()[-3000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            ok = conn.getresponse().status == 200
            conn.close()
            if ok:
                time.sleep(0.5)  # the other workers start in the same instant (preloaded app)
                return
        except OSError:
            pass
        time.sleep(0.1)
    stop(process)
    raise SystemExit(f"{log.name}: no answer from {path} on port {port}:\n{log.read_text()[-3000:]}")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM (graceful for gunicorn, fast for nginx), SIGKILL if it lingers."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(5)


def apt_install(packages: dict[str, str]) -> None:
    """Install Debian packages for the missing commands ({command: package}), as scripts/setup does."""
    missing = sorted({pkg for command, pkg in packages.items() if not shutil.which(command)
                      and not Path("/usr/sbin", command).exists()})
    if not missing:
        return
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    print(f"installing {' '.join(missing)} (apt-get)…", file=sys.stderr)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(sudo + ["apt-get", "update", "-qq"], env=env, check=True)
    subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing],
                   env=env, check=True, stdout=subprocess.DEVNULL)
