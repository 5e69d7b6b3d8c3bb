"""``exhibit kiosk bundle``: the kiosk as a folder that runs from a USB stick in a hall with no
server. Every file the kiosk's offline copy holds is rendered by the app itself (so the bundle
shows exactly what the server would) and written under ``site/``; ``serve.py`` serves it on the
kiosk PC, with the security headers of ``exhibit/security.py`` (``security-headers.json``), and
keeps the visit log in ``visits.jsonl`` for ``exhibit import visits``."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import click
from flask import current_app
from flask.cli import with_appcontext

from .blueprint import precache_urls

HERE = Path(__file__).resolve().parent
HALL = Path(__file__).resolve().parents[2] / "kiosk"


# The kinds of response serve.py sends, each as the app would see it (type, endpoint, blueprint,
# path), so that exhibit/security.py picks their headers: the one place the policies are written.
SERVED_KINDS = {
    "page": ("text/html", "kiosk.kiosk", "kiosk", "/kiosk/"),
    "worker": ("text/javascript", "kiosk.service_worker", "kiosk", "/kiosk/sw.js"),
    "json": ("application/json", "api.panels", "api", "/api/v1/panels"),
    "file": ("application/octet-stream", None, None, "/static/"),
    "media": ("application/octet-stream", None, None, "/media/"),
    "pdf": ("application/pdf", None, None, "/static/"),
    "error": ("text/plain", None, None, "/kiosk/"),
}
SECURITY_HEADERS = "security-headers.json"


def security_headers() -> dict[str, dict[str, str]]:
    """The security headers of each kind of response of serve.py, as the app sends them; no HSTS:
    the bundle is served over plain HTTP on 127.0.0.1."""
    security = current_app.extensions["exhibit.security"]
    return {kind: security.response_headers(*request) for kind, request in SERVED_KINDS.items()}


def _target(site: Path, url: str) -> Path:
    parts = urlsplit(url)
    if parts.path == "/kiosk/":
        return site / "kiosk" / "index.html"
    if parts.path == "/api/v1/panels":
        return site / "api" / "v1" / f"panels.{parse_qs(parts.query)['lang'][0]}.json"
    return site / parts.path.lstrip("/")


def write_bundle(out: Path, kiosk_id: str) -> int:
    """Render the kiosk's offline copy into ``out``; returns the number of files."""
    client = current_app.test_client()
    site = out / "site"
    if site.exists():
        shutil.rmtree(site)
    version, urls = precache_urls()
    urls = [f"/kiosk/?kiosk={kiosk_id}" if u == "/kiosk/" else u for u in urls]
    files = 0
    app = current_app._get_current_object()
    for url in [*urls, "/kiosk/sw.js"]:
        # Each request in an app context of its own: under the command's, they would share one
        # ``g``, and the first language fetched would stick to every manifest's interface text.
        with app.app_context(), client.get(url) as response:
            if response.status_code != 200:
                raise click.ClickException(f"{url}: HTTP {response.status_code}")
            target = _target(site, url)
            target.parent.mkdir(parents=True, exist_ok=True)
            data = response.get_data()
            if url.startswith("/kiosk/?"):
                # No server checks an operator PIN on a USB stick: no operator screen there.
                data = data.replace(b'"operator": true', b'"operator": false')
            target.write_bytes(data)
            files += 1
    # The service worker downloads this list; in the bundle the shell is this kiosk's page.
    (site / "kiosk" / "precache.json").write_text(json.dumps({"version": version, "urls": urls}))
    shutil.copy(HERE / "bundle_server.py", out / "serve.py")
    # Next to site/, not in it: serve.py reads it at start, and never serves it.
    (out / SECURITY_HEADERS).write_text(json.dumps({
        "about": "Written by `exhibit kiosk bundle` from exhibit/security.py: the headers serve.py "
                 "adds to each kind of response. Make the bundle again rather than edit this.",
        "kinds": security_headers()}, indent=2) + "\n", encoding="utf-8")
    if (HALL / "launch-chromium.sh").exists():
        shutil.copy(HALL / "launch-chromium.sh", out / "launch-chromium.sh")
    (out / "README.txt").write_text(
        "exhibit kiosk bundle\n\n"
        f"1. python3 serve.py        (serves http://127.0.0.1:8000/kiosk/?kiosk={kiosk_id})\n"
        f"2. ./launch-chromium.sh http://127.0.0.1:8000 {kiosk_id}\n"
        "3. Afterwards bring visits.jsonl back and run: exhibit import visits visits.jsonl\n",
        encoding="utf-8")
    return files


@click.group("kiosk")
def kiosk_cli() -> None:
    """Kiosk tools."""


@kiosk_cli.command("bundle")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--kiosk", "kiosk_id", default="usb", show_default=True,
              help="the screen id the bundle opens as (its settings from kiosk/kiosks.yaml)")
@with_appcontext
def bundle_command(out: Path, kiosk_id: str) -> None:
    """Write the kiosk as a folder that runs from a USB stick (python3 serve.py)."""
    out.mkdir(parents=True, exist_ok=True)
    files = write_bundle(out, kiosk_id)
    click.echo(f"{out}: {files} files; run `python3 serve.py` there, then open "
               f"http://127.0.0.1:8000/kiosk/?kiosk={kiosk_id}")
