"""The render cache: pages rendered once per published version, strong ETags and 304s, one ETag per
encoding, headers that let a CDN hold pages briefly and assets forever, and a new published version
served at once (on both databases: another worker's decision is seen through the database)."""

from __future__ import annotations

import gzip
from pathlib import Path

import brotli
import pytest

from exhibit.auth.accounts import create_account
from exhibit.review.decisions import decide

from .conftest import make_app
from .test_staff import PASSWORD


def test_a_page_has_a_strong_etag_and_a_matching_request_gets_304(client):
    first = client.get("/en/", headers={"Accept-Encoding": "identity"})
    etag = first.headers["ETag"]
    assert first.status_code == 200 and etag.startswith('"') and not etag.startswith("W/")
    assert first.headers["Cache-Control"] == "public, max-age=0, s-maxage=60, stale-while-revalidate=60"
    assert first.headers["Vary"] == "Accept-Encoding"

    again = client.get("/en/", headers={"Accept-Encoding": "identity", "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert again.headers["ETag"] == etag

    stale = client.get("/en/", headers={"Accept-Encoding": "identity", "If-None-Match": '"older"'})
    assert stale.status_code == 200 and stale.data == first.data
    # Another page, another tag.
    assert client.get("/fr/").headers["ETag"] != client.get("/en/").headers["ETag"]


def test_each_encoding_is_its_own_representation_with_its_own_etag(client):
    plain = client.get("/zh/", headers={"Accept-Encoding": "identity"})
    gz = client.get("/zh/", headers={"Accept-Encoding": "gzip"})
    br = client.get("/zh/", headers={"Accept-Encoding": "gzip, deflate, br"})
    assert plain.headers.get("Content-Encoding") is None
    assert gz.headers["Content-Encoding"] == "gzip" and br.headers["Content-Encoding"] == "br"
    assert gzip.decompress(gz.data) == plain.data == brotli.decompress(br.data)
    assert len(br.data) < len(gz.data) < len(plain.data) / 3
    assert len({plain.headers["ETag"], gz.headers["ETag"], br.headers["ETag"]}) == 3
    # A gzip tag does not validate a Brotli request: the client gets the Brotli body.
    cross = client.get("/zh/", headers={"Accept-Encoding": "br", "If-None-Match": gz.headers["ETag"]})
    assert cross.status_code == 200 and cross.headers["Content-Encoding"] == "br"


def test_pages_are_rendered_once_and_served_from_memory(demo_app, client):
    cache = demo_app.extensions["exhibit.page_cache"]
    client.get("/en/panels/minamata-convention/")
    hits = cache.hits
    for _ in range(5):
        assert client.get("/en/panels/minamata-convention/").status_code == 200
    assert cache.hits == hits + 5
    # A missing page is not kept (a typo must not fill the memory), and says so every time.
    for _ in range(2):
        assert client.get("/en/panels/no-such-panel/").status_code == 404
    assert "/en/panels/no-such-panel/" not in cache._pages


def test_with_the_cache_off_pages_are_the_same_bytes_with_the_same_headers(media_cache, client):
    from .conftest import DEMO_PANELS, publish

    uncached = make_app(DEMO_PANELS, media_cache, PAGE_CACHE=False)
    publish(uncached)
    for path in ("/en/", "/zh/panels/mercury-flows/", "/sitemap.xml"):
        a = client.get(path, headers={"Accept-Encoding": "identity"})
        b = uncached.test_client().get(path, headers={"Accept-Encoding": "identity"})
        assert a.data == b.data and a.headers["ETag"] == b.headers["ETag"], path
    assert uncached.extensions["exhibit.page_cache"].hits == 0


def test_assets_are_cached_forever_and_sent_precompressed(client):
    html = client.get("/en/").get_data(as_text=True)
    css = html.split('rel="stylesheet" href="', 1)[1].split('"', 1)[0]
    assert css.startswith("/static/")
    with client.get(css, headers={"Accept-Encoding": "br"}) as response:  # closes WhiteNoise's file
        assert response.status_code == 200 and response.headers["Content-Encoding"] == "br"
        assert "immutable" in response.headers["Cache-Control"]
        assert "max-age=315360000" in response.headers["Cache-Control"]


@pytest.mark.parametrize("cdn_seconds, expected", [(0, "public, no-cache"),
                                                   (300, "public, max-age=0, s-maxage=300, "
                                                         "stale-while-revalidate=300")])
def test_how_long_a_cdn_holds_a_page_is_a_setting(scratch, media_cache, cdn_seconds, expected):
    from .scratch import turn_review_off

    turn_review_off(scratch)
    app = make_app(scratch, media_cache, PAGE_CDN_SECONDS=cdn_seconds)
    assert app.test_client().get("/en/").headers["Cache-Control"] == expected


def test_a_new_published_version_is_served_at_once_and_the_old_tag_no_longer_matches(visit_app,
                                                                                   scratch):
    """The cache key is the public exhibition's fingerprint: an approval (here recorded by another
    app, as another gunicorn worker would) replaces every cached page."""
    engine = visit_app.extensions["exhibit.db"]
    fiona = create_account(engine, "fiona", PASSWORD, "reviewer", "feco")
    uma = create_account(engine, "uma", PASSWORD, "reviewer", "unido")
    visit_app.config["REVIEW_RECHECK_SECONDS"] = 0
    client = visit_app.test_client()

    def approve(app, slug):
        with app.app_context():
            version = app.extensions["exhibit.content"].current().panel(slug).version
            for user in (fiona, uma):
                decide(app, user, slug, version, "approve", "")

    approve(visit_app, "story")
    health_before = client.get("/healthz").get_json()
    before = client.get("/en/")
    assert 'href="/en/panels/story/"' in before.get_data(as_text=True)
    assert 'href="/en/panels/output/"' not in before.get_data(as_text=True)
    assert client.get("/en/", headers={"If-None-Match": before.headers["ETag"]}).status_code == 304

    # Another worker: its own app on the same database and files.
    other = make_app(scratch, Path(visit_app.config["MEDIA_CACHE_DIR"]),
                     DATABASE_URL=visit_app.config["DATABASE_URL"])
    approve(other, "output")
    other.extensions["exhibit.db"].dispose()

    after = client.get("/en/", headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200
    assert 'href="/en/panels/output/"' in after.get_data(as_text=True)
    assert after.headers["ETag"] != before.headers["ETag"]
    assert client.get("/en/panels/output/").status_code == 200
    # The load balancer's view: the files did not change, what the public sees did.
    health_after = client.get("/healthz").get_json()
    assert health_after["content_version"] == health_before["content_version"]
    assert health_after["public_version"] != health_before["public_version"]


@pytest.mark.parametrize("path", ["/en/", "/zh/panels/mercury-flows/", "/fr/feedback/",
                                  "/sitemap.xml", "/robots.txt"])
def test_a_page_from_the_fast_path_is_the_same_answer_as_through_flask(media_cache, path):
    """The first request renders through Flask; later ones are answered before Flask runs
    (FastPath). Same status, bytes and headers, for every encoding and HEAD."""
    from .conftest import DEMO_PANELS, publish

    app = make_app(DEMO_PANELS, media_cache)
    publish(app)
    cache = app.extensions["exhibit.page_cache"]
    requests = [("GET", {"Accept-Encoding": "identity"}), ("GET", {"Accept-Encoding": "gzip"}),
                ("GET", {"Accept-Encoding": "gzip, deflate, br"}),
                ("HEAD", {"Accept-Encoding": "br"})]
    for method, headers in requests:
        cache.clear()
        through_flask = app.test_client().open(path, method=method, headers=headers)
        hits = cache.hits
        fast = app.test_client().open(path, method=method, headers=headers)
        assert cache.hits == hits + 1  # answered from the cache, before Flask
        assert fast.status_code == through_flask.status_code == 200
        assert fast.data == through_flask.data
        assert drop_date(fast.headers) == drop_date(through_flask.headers), (method, headers)


def drop_date(headers) -> dict:
    return {k: v for k, v in headers.items() if k != "Date"}


def test_a_304_is_the_same_through_flask_and_the_fast_path(media_cache):
    from .conftest import DEMO_PANELS, publish

    app = make_app(DEMO_PANELS, media_cache)
    publish(app)
    cache = app.extensions["exhibit.page_cache"]
    etag = app.test_client().get("/en/", headers={"Accept-Encoding": "br"}).headers["ETag"]
    conditional = {"Accept-Encoding": "br", "If-None-Match": etag}
    fast = app.test_client().get("/en/", headers=conditional)
    app.config["PAGE_CACHE"] = False  # now every request goes through Flask
    through_flask = app.test_client().get("/en/", headers=conditional)
    assert fast.status_code == through_flask.status_code == 304
    assert drop_date(fast.headers) == drop_date(through_flask.headers)
    assert cache.hits >= 1


def test_threads_missing_the_same_page_render_it_once(demo_app, monkeypatch):
    """Right after a publication every request misses: a worker's threads wait for the one
    rendering the page instead of each rendering and compressing it again."""
    import threading
    import time

    from exhibit.web import pagecache

    made: list[str] = []
    real_of = pagecache.CachedPage.of

    def slow_of(body, *args, **kwargs):
        made.append(args[1] if len(args) > 1 else kwargs.get("endpoint"))
        time.sleep(0.3)  # a render long enough for every thread to miss meanwhile
        return real_of(body, *args, **kwargs)

    monkeypatch.setattr(pagecache.CachedPage, "of", slow_of)
    demo_app.extensions["exhibit.page_cache"].clear()
    start = threading.Barrier(6)
    answers: list[bytes] = []

    def visit(path):
        start.wait()
        answers.append(demo_app.test_client().get(path).data)

    threads = [threading.Thread(target=visit, args=(path,))
               for path in ["/en/panels/mercury-flows/"] * 5 + ["/fr/"]]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(made) == 2  # one per page, though five threads asked for the first at once
    assert len(set(answers)) == 2
    assert demo_app.extensions["exhibit.page_cache"]._rendering == {}
