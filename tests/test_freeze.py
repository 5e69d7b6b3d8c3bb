"""``exhibit freeze``: the public site as static files, byte-identical to what the app serves, with
every link resolving inside the copy, nothing loaded from another host, drafts left out, and visit
events sent cross-origin to the server of the record."""

from __future__ import annotations

import gzip
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import brotli
import pytest

from exhibit.auth.accounts import create_account
from exhibit.publication import public_exhibition
from exhibit.review.decisions import decide
from exhibit.web.freeze import MARKER, FreezeError, file_for, freeze, local_links, public_paths

from .test_events import page_view
from .test_staff import PASSWORD


@pytest.fixture(scope="module")
def frozen(demo_app, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("frozen") / "site"
    freeze(demo_app, out)
    return out


def test_every_frozen_page_is_byte_identical_to_the_served_page(demo_app, frozen):
    client = demo_app.test_client()
    paths = public_paths(demo_app)
    files = demo_app.extensions["exhibit.content"].exhibition
    with demo_app.app_context():
        demo = public_exhibition(demo_app)
    # The demo's pending panel (data still to come from FECO and UNIDO) is never public.
    assert [p.slug for p in files.panels if demo.panel(p.slug) is None] == ["pvc-results"]
    # Every language × (topic page, every public panel, the questionnaire, the privacy notice),
    # the sitemap, robots.
    assert len(paths) == len(demo.languages) * (len(demo.panels) + 3) + 2
    for path in paths:
        served = client.get(path, headers={"Accept-Encoding": "identity"})
        assert served.status_code == 200, path
        target = file_for(frozen, path)
        assert target.read_bytes() == served.data, path
        # The pre-compressed copies a static server sends are the same bytes.
        assert gzip.decompress(target.with_name(target.name + ".gz").read_bytes()) == served.data
        assert brotli.decompress(target.with_name(target.name + ".br").read_bytes()) == served.data


def test_every_local_link_resolves_inside_the_copy(frozen):
    pages = [p for p in frozen.rglob("*.html")]
    assert len(pages) > 50
    checked = 0
    for page in pages:
        for url in local_links(page.read_text(encoding="utf-8")):
            target = file_for(frozen, url)
            assert target.is_file(), f"{page.relative_to(frozen)} links to {url}: not in the copy"
            checked += 1
    assert checked > 500
    # Assets are there pre-compressed too; media are exactly the derivatives the pages use.
    assert list(frozen.glob("static/*/css/site.css.br"))
    assert any(p.suffix == ".webp" for p in (frozen / "media").iterdir())
    assert (frozen / "404.html").is_file() and (frozen / "en" / "404.html").is_file()


def test_every_frozen_page_has_its_share_image_in_the_copy(demo_app, frozen):
    """og:image is absolute (PUBLIC_BASE_URL): the card it names is in the copy, 1200×630."""
    from PIL import Image

    base = demo_app.config["PUBLIC_BASE_URL"].rstrip("/")
    pages = [p for p in frozen.rglob("index.html")]
    assert len(pages) > 50
    for page in pages:
        found = re.search(r'<meta property="og:image" content="([^"]+)">', page.read_text("utf-8"))
        assert found, page.relative_to(frozen)
        assert found.group(1).startswith(base + "/media/share/"), found.group(1)
        card = frozen / found.group(1)[len(base) + 1:]
        with Image.open(card) as image:
            assert image.size == (1200, 630), card


LOADED_LINKS = ("stylesheet", "icon", "preload", "manifest", "modulepreload")


class _Resources(HTMLParser):
    """Every URL a page loads by itself, and every link a visitor may follow."""

    def __init__(self):
        super().__init__()
        self.loads: list[str] = []
        self.links: list[tuple[str, str]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append((a["href"], a.get("rel") or ""))
        if tag == "link" and a.get("href"):
            if a.get("rel") in LOADED_LINKS:
                self.loads.append(a["href"])
            else:  # canonical, alternate: addresses, not loads
                self.links.append((a["href"], ""))
        for name in ("src", "poster", "data"):
            if a.get(name):
                self.loads.append(a[name])
        if a.get("srcset"):
            self.loads += [part.strip().split(" ")[0] for part in a["srcset"].split(",")]
        if tag == "form" and a.get("action"):
            self.loads.append(a["action"])
        if tag == "meta" and a.get("http-equiv", "").lower() == "refresh":
            self.loads.append(a.get("content", "").split("url=")[-1])


def test_no_page_loads_anything_from_another_host_and_links_out_only_to_sources(demo_app, frozen):
    """Pages, stylesheets and scripts name no other host; the only links out are the cited
    sources, opened without telling the source where the visitor came from."""
    demo = demo_app.extensions["exhibit.content"].exhibition
    sources = {s.url for p in demo.panels for s in p.sources if s.url}
    own = urlsplit(demo_app.config["PUBLIC_BASE_URL"]).netloc
    for page in frozen.rglob("*.html"):
        parser = _Resources()
        parser.feed(page.read_text(encoding="utf-8"))
        for url in parser.loads:
            assert not urlsplit(url).netloc, f"{page.relative_to(frozen)} loads {url}"
        for url, rel in parser.links:
            host = urlsplit(url).netloc
            if host and host != own:
                assert url in sources, f"{page.relative_to(frozen)} links to {url}"
                assert "noopener" in rel and "noreferrer" in rel
    for asset in frozen.glob("static/*/**/*"):
        if asset.suffix in (".css", ".js"):
            text = asset.read_text(encoding="utf-8")
            assert not re.search(r"url\(\s*['\"]?(https?:)?//", text), asset
            assert not re.search(r"""(import|from)\s*\(?\s*['"](https?:)?//""", text), asset


def test_the_root_of_the_copy_chooses_a_language(frozen):
    index = (frozen / "index.html").read_text(encoding="utf-8")
    for lang in ("zh", "en", "fr"):
        assert f'href="/{lang}/"' in index
    assert re.search(r'<script type="module" src="/static/[^"]+/js/site/choose-language\.js">', index)


def test_only_published_versions_are_frozen(visit_app, scratch, tmp_path):
    """Freeze reads the public exhibition: an unapproved panel and its media stay out, and an edit
    made after approval is not in the copy until it is approved."""
    engine = visit_app.extensions["exhibit.db"]
    reviewers = [create_account(engine, "fiona", PASSWORD, "reviewer", "feco"),
                 create_account(engine, "uma", PASSWORD, "reviewer", "unido")]
    with visit_app.app_context():
        version = visit_app.extensions["exhibit.content"].current().panel("output").version
        for user in reviewers:
            decide(visit_app, user, "output", version, "approve", "")
    report = freeze(visit_app, tmp_path / "site")
    site = tmp_path / "site"
    assert report.pages == len(public_paths(visit_app))
    assert (site / "en" / "panels" / "output" / "index.html").is_file()
    assert not (site / "en" / "panels" / "story").exists()
    assert "/panels/story/" not in (site / "sitemap.xml").read_text()
    # The story's photo is the only image of the exhibition: no derivative of it left the building.
    assert not list(site.glob("media/*.webp"))

    # Approved, then edited: the copy keeps the approved text.
    with visit_app.app_context():
        version = visit_app.extensions["exhibit.content"].current().panel("story").version
        for user in reviewers:
            decide(visit_app, user, "story", version, "approve", "")
    path = scratch / "story" / "text.en.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nAn unapproved sentence.\n", encoding="utf-8")
    assert visit_app.extensions["exhibit.content"].refresh()
    freeze(visit_app, site)
    page = (site / "en" / "panels" / "story" / "index.html").read_text(encoding="utf-8")
    assert "An unapproved sentence." not in page
    assert list((site / "media").glob("*.webp"))


def test_the_command_writes_events_url_and_refuses_a_folder_that_is_not_a_copy(demo_app, tmp_path):
    runner = demo_app.test_cli_runner()
    precious = tmp_path / "documents"
    precious.mkdir()
    (precious / "thesis.txt").write_text("years of work")
    result = runner.invoke(args=["freeze", "--out", str(precious)])
    assert result.exit_code == 1 and "is not a frozen copy" in result.output
    assert [p.name for p in precious.iterdir()] == ["thesis.txt"]

    out = tmp_path / "cdn"
    events = "https://record.example.org/api/v1/events"
    try:
        result = runner.invoke(args=["freeze", "--out", str(out), "--events-url", events,
                                     "--base-url", "https://cdn.example.net"])
        assert result.exit_code == 0, result.output
        assert re.match(r"froze \d+ pages, \d+ files", result.output)
        page = (out / "fr" / "index.html").read_text(encoding="utf-8")
        assert f'<meta name="exhibit-events" content="{events}">' in page
        assert '<link rel="canonical" href="https://cdn.example.net/fr/">' in page
        assert (out / MARKER).is_file()
        # Readable by a web server running as another user (mkdtemp alone would make it 0700).
        assert out.stat().st_mode & 0o755 == 0o755
        # Freezing again replaces the copy: nothing of the old one is left behind.
        (out / "en" / "stale.html").write_text("old")
        assert runner.invoke(args=["freeze", "--out", str(out)]).exit_code == 0
        assert not (out / "en" / "stale.html").exists()
    finally:
        demo_app.config["EVENTS_URL"] = "/api/v1/events"
        demo_app.config["PUBLIC_BASE_URL"] = "https://expo.example.org"
        demo_app.extensions["exhibit.page_cache"].clear()


def test_a_broken_link_stops_the_freeze_and_keeps_the_old_copy(demo_app, frozen, tmp_path,
                                                               monkeypatch):
    import shutil

    import exhibit.web.freeze as freezing

    out = tmp_path / "site"
    shutil.copytree(frozen, out)
    monkeypatch.setattr(freezing, "local_links", lambda html: {"/en/panels/nowhere/"})
    with pytest.raises(FreezeError, match="/en/panels/nowhere/"):
        freeze(demo_app, out)
    assert (out / "en" / "index.html").read_bytes() == (frozen / "en" / "index.html").read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site-")]


def test_events_from_a_frozen_copy_are_accepted_from_allowed_origins_only(media_cache, scratch):
    from .conftest import make_app
    from .scratch import turn_review_off

    turn_review_off(scratch)
    app = make_app(scratch, media_cache, EVENTS_ALLOWED_ORIGINS="https://cdn.example.net")
    client = app.test_client()
    preflight = client.options("/api/v1/events", headers={
        "Origin": "https://cdn.example.net", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://cdn.example.net"
    assert preflight.headers["Access-Control-Allow-Methods"] == "POST"
    assert preflight.headers["Access-Control-Allow-Headers"] == "Content-Type"
    assert "Access-Control-Allow-Credentials" not in preflight.headers

    sent = client.post("/api/v1/events", json={"events": [page_view()]},
                       headers={"Origin": "https://cdn.example.net"})
    assert sent.status_code == 200
    assert sent.headers["Access-Control-Allow-Origin"] == "https://cdn.example.net"
    assert "Origin" in sent.headers["Vary"]

    other = client.post("/api/v1/events", json={"events": [page_view()]},
                        headers={"Origin": "https://elsewhere.example"})
    assert "Access-Control-Allow-Origin" not in other.headers
    # Other routes never get CORS headers, whatever the origin.
    assert "Access-Control-Allow-Origin" not in client.get(
        "/api/v1/panels?lang=en", headers={"Origin": "https://cdn.example.net"}).headers


def test_the_command_gives_each_language_its_own_interface_text(scratch, tmp_path):
    """The real command, as an operator runs it. Under the command line's app context every
    request once shared one ``g``, and the first page's language stuck to the interface text of
    every later page (the English topic page said 线上展览)."""
    import os
    import subprocess
    import sys

    from .scratch import turn_review_off

    turn_review_off(scratch)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EXHIBIT_", "FLASK_"))}
    env.update(EXHIBIT_CONTENT_DIR=str(scratch), EXHIBIT_MEDIA_CACHE_DIR=str(tmp_path / "cache"),
               EXHIBIT_DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
               EXHIBIT_PUBLISHED_MEDIA_DIR=str(tmp_path / "published"))
    result = subprocess.run([sys.executable, "-m", "exhibit", "freeze", "--out",
                             str(tmp_path / "site")], env=env, cwd=tmp_path, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    eyebrows = {lang: re.search(r'class="eyebrow">([^<]*)<', (
        tmp_path / "site" / lang / "index.html").read_text(encoding="utf-8")).group(1)
        for lang in ("zh", "en", "fr")}
    assert eyebrows == {"zh": "线上展览", "en": "Online exhibition", "fr": "Exposition en ligne"}
