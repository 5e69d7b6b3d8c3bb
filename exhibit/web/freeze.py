"""``exhibit freeze --out DIR``: the public site as static files, for a CDN, object storage or a
USB stick.

Every page is fetched from the app itself (its test client, through the render cache), so the
frozen HTML is byte for byte what the server sends — there is no second renderer to drift. Only
what :func:`exhibit.review.public_exhibition` shows is written: drafts and their media never leave
the building. Each page and asset also gets ``.gz`` and ``.br`` siblings for servers that send
pre-compressed files (nginx ``gzip_static``), and every local link in the pages is checked to
resolve to a written file before the copy replaces the old one.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

import click
from flask import Flask, current_app, render_template, url_for
from flask.cli import with_appcontext

from ..media import URL_PREFIX
from ..publication import public_exhibition
from .pagecache import BEST, _compress

MARKER = ".exhibit-freeze"  # says a folder is a frozen copy, so freezing over it may replace it
COMPRESSIBLE = (".html", ".xml", ".txt", ".css", ".js", ".mjs", ".svg", ".json", ".vtt", ".webmanifest")


class FreezeError(Exception):
    """The site could not be frozen (a page failed, a link leads nowhere, the folder is taken)."""


@dataclass(frozen=True)
class FreezeReport:
    out: Path
    pages: int
    files: int
    bytes: int
    seconds: float


def public_paths(app: Flask) -> list[str]:
    """Every public page: the topic page, each panel, the questionnaire and the privacy notice in
    every language, the sitemap and robots.txt. The same list a search engine finds through the
    sitemap."""
    with app.test_request_context():
        ex = public_exhibition(app)
        paths: list[str] = []
        for lang in ex.languages:
            paths.append(url_for("web.topic", lang=lang))
            paths += [url_for("web.panel", lang=lang, slug=p.slug) for p in ex.panels]
            if ex.questionnaire is not None:
                paths.append(url_for("web.feedback", lang=lang))
            paths.append(url_for("web.privacy", lang=lang))
        return paths + [url_for("web.sitemap"), url_for("web.robots")]


def file_for(out: Path, path: str) -> Path:
    """Where the page at URL ``path`` is written: ``/en/`` → ``en/index.html``."""
    relative = path.lstrip("/")
    if not relative or relative.endswith("/"):
        relative += "index.html"
    return out / relative


class _LocalLinks(HTMLParser):
    """Collects the same-site URLs a page loads or links to (href, src, srcset, poster, content)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if not value:
                continue
            if name == "srcset":
                self.urls.update(part.strip().split(" ")[0] for part in value.split(","))
            elif name in ("href", "src", "poster", "data-src") or (
                    name == "content" and value.startswith(("/static/", URL_PREFIX))):
                self.urls.add(value)


def local_links(html: str) -> set[str]:
    """Same-site absolute paths referenced by a page, without query or fragment."""
    parser = _LocalLinks()
    parser.feed(html)
    found = set()
    for url in parser.urls:
        if url.startswith("/") and not url.startswith("//"):
            found.add(re.split(r"[?#]", url, maxsplit=1)[0])
    return found


_SHARE_IMAGE = re.compile(r'<meta (?:property|name)="(?:og|twitter):image" content="([^"]+)"')


def share_images(html: str, base: str) -> set[str]:
    """The paths of the share images a page names (absolute URLs on the public address, as
    Open Graph wants them): they are media of this site, copied like the others."""
    media = base.rstrip("/") + URL_PREFIX
    return {url[len(media) - len(URL_PREFIX):] for url in _SHARE_IMAGE.findall(html)
            if url.startswith(media)}


def _write(target: Path, body: bytes) -> int:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(body)
    written = len(body)
    if target.suffix in COMPRESSIBLE:
        for encoding, suffix in (("gzip", ".gz"), ("br", ".br")):
            compressed = _compress(body, encoding, BEST[encoding])
            target.with_name(target.name + suffix).write_bytes(compressed)
            written += len(compressed)
    return written


def _prepare(out: Path) -> Path:
    """A fresh staging folder beside ``out``; refuses an ``out`` that holds anything but a
    previous frozen copy (so a typo cannot replace someone's folder)."""
    out = out.resolve()
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).exists())):
        raise FreezeError(f"{out}: exists and is not a frozen copy of the site (no {MARKER} in it); "
                          f"choose an empty or new folder")
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    # mkdtemp makes it private (0700); a copy is for serving: a web server running as another
    # user (nginx's www-data) must be able to read it, like every folder inside it.
    umask = os.umask(0)
    os.umask(umask)
    staging.chmod(0o777 & ~umask)
    return staging


def _swap_in(staging: Path, out: Path) -> None:
    """Replace ``out`` with the finished copy; the old copy stays whole until the last moment."""
    out = out.resolve()
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}-old-{os.getpid()}")
        os.replace(out, old)
    os.replace(staging, out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def freeze(app: Flask, out: Path) -> FreezeReport:
    """Write the public site to ``out`` (see the module docstring); raises :class:`FreezeError`."""
    started = time.perf_counter()
    staging = _prepare(out)
    try:
        report = _freeze_into(app, staging)
        (staging / MARKER).write_text(f"exhibit freeze of {public_exhibition(app).fingerprint}\n")
        _swap_in(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return FreezeReport(out.resolve(), report[0], report[1], report[2], time.perf_counter() - started)


def _fetch(app: Flask, path: str):
    """GET ``path`` as a visitor would, uncompressed, in an app context of its own: under the
    command line's app context every request would share one ``g`` (Flask pushes no new app
    context for a request when one is active), and the first page's language would stick to
    the interface text of every later page."""
    with app.app_context():
        return app.test_client().get(path, headers={"Accept-Encoding": "identity"})


def _freeze_into(app: Flask, out: Path) -> tuple[int, int, int]:
    written = files = 0
    links: dict[str, set[str]] = {}
    ex = public_exhibition(app)
    paths = public_paths(app)
    for path in paths:
        response = _fetch(app, path)
        if response.status_code != 200:
            raise FreezeError(f"{path}: the app answered {response.status_code}, not 200")
        body = response.get_data()
        written += _write(file_for(out, path), body)
        files += 1
        if response.mimetype == "text/html":
            html = body.decode("utf-8")
            links[path] = local_links(html) | share_images(html, app.config["PUBLIC_BASE_URL"])

    # What a static host shows for a missing page and for the bare address.
    for lang in ex.languages:
        response = _fetch(app, f"/{lang}/{MARKER}-missing/")
        written += _write(out / lang / "404.html", response.get_data())
        files += 1
    default_404 = out / ex.default_language / "404.html"
    written += _write(out / "404.html", default_404.read_bytes())
    with app.test_request_context("/"):
        index = render_template("web/choose_language.html", lang=ex.default_language).encode()
    written += _write(out / "index.html", index)
    links["/"] = local_links(index.decode()) | share_images(index.decode(),
                                                            app.config["PUBLIC_BASE_URL"])
    files += 2

    # Assets and media: exactly the files the pages use, from where the app serves them.
    static_prefix = f"/static/{app.extensions['exhibit.static_version']}/"
    static_dir = Path(app.extensions["exhibit.static_dir"])
    shutil.copytree(static_dir, out / static_prefix.strip("/"))
    for path in (out / static_prefix.strip("/")).rglob("*"):
        if path.is_file():
            written += path.stat().st_size
            files += 1
    media_dir = app.extensions["exhibit.media"].cache_dir
    wanted_media = {url for found in links.values() for url in found if url.startswith(URL_PREFIX)}
    for url in sorted(wanted_media):
        source = media_dir / url[len(URL_PREFIX):]
        if not source.is_file():
            raise FreezeError(f"{url}: used by a page but not built in {media_dir}")
        target = out / url.lstrip("/")
        if target.suffix in COMPRESSIBLE:  # captions
            written += _write(target, source.read_bytes())
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            written += target.stat().st_size
        files += 1

    broken = sorted(f"{page}: {url}" for page, found in links.items() for url in found
                    if not _resolves(out, url))
    if broken:
        raise FreezeError("links to nothing in the frozen copy:\n  " + "\n  ".join(broken))
    return len(paths), files, written


def _resolves(out: Path, url: str) -> bool:
    target = file_for(out, url)
    return target.is_file() or (target.with_suffix("").is_dir() and
                                (target.with_suffix("") / "index.html").is_file())


def frozen_files(out: Path) -> Iterator[Path]:
    """Every file of a frozen copy, relative to it (for checks and tests)."""
    for path in sorted(out.rglob("*")):
        if path.is_file():
            yield path.relative_to(out)


@click.command("freeze")
@click.option("--out", "out", required=True, type=click.Path(path_type=Path),
              help="Folder to write the site to (new, empty, or an earlier frozen copy).")
@click.option("--base-url", default=None,
              help="Public address of the copy, for links in the sitemap, share tags and QR codes "
                   "(default: PUBLIC_BASE_URL).")
@click.option("--events-url", default=None,
              help="Where the frozen pages send visit events, e.g. https://exhibit.example.org/api/v1/"
                   "events (default: EVENTS_URL; that server must list the copy's address in "
                   "EVENTS_ALLOWED_ORIGINS).")
@with_appcontext
def freeze_command(out: Path, base_url: str | None, events_url: str | None) -> None:
    """Write the public site (every language, every published panel, media, sitemap) as static files."""
    app = current_app._get_current_object()
    if base_url:
        app.config["PUBLIC_BASE_URL"] = base_url
    if events_url:
        app.config["EVENTS_URL"] = events_url
    app.extensions["exhibit.page_cache"].clear()
    try:
        report = freeze(app, out)
    except FreezeError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"froze {report.pages} pages, {report.files} files, {report.bytes / 1e6:.1f} MB "
               f"(with .gz and .br copies) into {report.out} in {report.seconds:.1f} s")
