"""No request path reaches a file it should not: media, assets, photos and print proofs are served
from names the app made (an index built at start, UUIDs, hashes), never from a path a visitor
typed. Raw requests over real HTTP, so nothing normalises the path before the server sees it."""

from __future__ import annotations

import http.client
from urllib.parse import urlsplit

import pytest

SECRET_MARKERS = (b"root:x:0:0", b"[global]", b"SECRET_KEY", b"# exhibit", b"PRIVATE KEY")

TRAVERSALS = [
    "/media/../../../../etc/passwd",
    "/media/..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/media/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/media/..%5c..%5c..%5cetc%5cpasswd",
    "/media/%252e%252e/%252e%252e/etc/passwd",
    "/media//etc/passwd",
    "/media/%00../../etc/passwd",
    "/static/../../../../etc/passwd",
    "/static/{version}/../../../pyproject.toml",
    "/static/{version}/..%2f..%2f..%2fpyproject.toml",
    "/static/{version}/%2e%2e/%2e%2e/instance/secret_key",
    "/kiosk/../../etc/passwd",
    "/kiosk/sw.js/../../../etc/passwd",
    "/en/panels/..%2f..%2f..%2fetc%2fpasswd/",
    "/en/panels/%2e%2e/",
    "/staff/photos/..%2f..%2fsecret_key.jpg",
    "/staff/photos/00000000-0000-0000-0000-000000000000/../../../etc/passwd.jpg",
    "/api/v1/panels?lang=../../etc/passwd",
    "//etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
]


def raw_get(base: str, path: str) -> tuple[int, bytes]:
    """GET exactly ``path`` (http.client sends it as it is: no dot-segment removal)."""
    netloc = urlsplit(base).netloc
    conn = http.client.HTTPConnection(netloc, timeout=10)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        conn.endheaders()
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


@pytest.mark.parametrize("template", TRAVERSALS)
def test_traversal_in_a_request_path_reaches_no_file(live_server, demo_app, template):
    path = template.format(version=demo_app.extensions["exhibit.static_version"])
    status, body = raw_get(live_server, path)
    assert status in (400, 404, 308, 301, 302), (path, status)
    for marker in SECRET_MARKERS:
        assert marker not in body, (path, marker)


def test_media_and_assets_are_served_only_from_the_index_built_at_start(live_server, demo_app,
                                                                        tmp_path):
    """A file that appears in the media cache after start is not served: WhiteNoise answers from
    the files it indexed (autorefresh off), not by opening what the path names."""
    cache = demo_app.extensions["exhibit.media"].cache_dir
    planted = cache / "planted-after-start.txt"
    planted.write_text("not indexed")
    try:
        status, _ = raw_get(live_server, "/media/planted-after-start.txt")
        assert status == 404
    finally:
        planted.unlink()
    # What was indexed is there.
    served = next(p for p in cache.iterdir() if p.suffix == ".webp")
    status, body = raw_get(live_server, f"/media/{served.name}")
    assert status == 200 and body == served.read_bytes()
