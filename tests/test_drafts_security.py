"""A draft cannot act as the reviewer who looks at it (issue 20).

The attack replayed here: a content author adds a video panel whose caption files are polyglots —
they start with ``WEBVTT`` and hold a cue (``-->``), so the checker takes them as captions, but one
is named ``.html`` and loads the other, named ``.js``, which fetches the review page, reads the
CSRF token (and the decision form's confirmation) and posts an approval. The draft's text links
to the first. A reviewer signs in, opens the review page, its previews and the link: nothing is
decided and the panel stays unpublished. Then the headers, over plain HTTP, of draft and public
media and of the previews that make it so.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from sqlalchemy import text

from exhibit.auth.accounts import create_account
from exhibit.content import check_exhibition, media_refs
from exhibit.media_serving import _content_type, media_headers

from .conftest import make_app, publish
from .live import serve
from .scratch import MINIMAL_MP4
from .test_mediafiles import webm
from .test_staff import PASSWORD, Staff

# The script: read the review page as the signed-in reviewer and approve the draft with its tokens.
ATTACK_JS = """WEBVTT=1; /* 00:00.000 --> 00:01.000 the checker's cue */
fetch("/staff/review/clip/", {credentials: "include"}).then((r) => r.text()).then((html) => {
  const field = (name) => (html.match(new RegExp(`name="${name}" value="([^"]*)"`)) || [])[1] || "";
  const body = new URLSearchParams({csrf_token: field("csrf_token"), version: field("version"),
                                    confirm: field("confirm"), action: "approve",
                                    comment: "approved by the draft"});
  return fetch("/staff/review/clip/decide", {method: "POST", body, credentials: "include"});
});
"""
# The document: captions to the checker, a page to a browser that trusts the name; it runs the
# script above from this origin (allowed by script-src 'self') and the same inline, should a
# policy ever let inline script through.
ATTACK_HTML = """WEBVTT

00:00.000 --> 00:01.000
<!doctype html><title>captions</title>
<script src="{script}"></script>
<script>{inline}</script>
"""
CAPTIONS = "WEBVTT\n\n00:00.000 --> 00:02.000\n{text}\n"
MP4 = MINIMAL_MP4

CLIP_PANEL = """\
slug: clip
section: basics
order: 20
kind: video
title: {zh: 短片, en: A clip, fr: Un extrait}
summary: {zh: 一个短片, en: A short clip, fr: Un court extrait}
video:
  file: video/clip.mp4
  poster: images/photo.png
  captions:
    zh: video/clip.zh.vtt
    en: video/captions.html
    fr: video/clip.fr.js
  credit: "Test clip, CC0"
sources:
  - id: treaty
    title: "UN Treaty Collection, chapter XXVII-17"
"""


def media_url(path, name: str) -> str:
    """The URL the app serves a copied medium under: its content hash and its name."""
    return f"/media/{hashlib.sha256(path.read_bytes()).hexdigest()[:16]}-{name}"


def add_draft(panels) -> dict[str, str]:
    """The author's draft panel `clip` with the polyglot captions; returns their URLs."""
    video = panels.parent / "media" / "video"
    video.mkdir(parents=True, exist_ok=True)
    (video / "clip.mp4").write_bytes(MP4)
    (video / "clip.zh.vtt").write_text(CAPTIONS.format(text="字幕"), encoding="utf-8")
    script = video / "clip.fr.js"
    script.write_text(ATTACK_JS, encoding="utf-8")
    page = video / "captions.html"
    page.write_text(ATTACK_HTML.format(script=media_url(script, "clip.fr.js"), inline=ATTACK_JS),
                    encoding="utf-8")
    urls = {"page": media_url(page, "captions.html"), "script": media_url(script, "clip.fr.js"),
            "captions": media_url(video / "clip.zh.vtt", "clip.zh.vtt"),
            "video": media_url(video / "clip.mp4", "clip.mp4")}
    folder = panels / "clip"
    folder.mkdir()
    (folder / "panel.yaml").write_text(CLIP_PANEL, encoding="utf-8")
    for lang, words in (("zh", "字幕文件"), ("en", "the captions"), ("fr", "les sous-titres")):
        (folder / f"text.{lang}.md").write_text(
            f"A clip with [{words}]({urls['page']}) [@treaty].\n", encoding="utf-8")
    return urls


@pytest.fixture()
def draft_app(scratch, media_cache, tmp_path, monkeypatch):
    """The scratch exhibition, published; then the author's draft `clip`; a FECO reviewer.

    The checker refuses the draft's polyglot captions outright (the first line of defence,
    :func:`test_the_checker_refuses_the_polyglot_captions`). These tests are about the second:
    should a hostile file ever get past the checker, serving and the review still hold. So here
    the recognition of media by their content is switched off."""
    app = make_app(scratch, media_cache)
    app.instance_path = str(tmp_path / "instance")
    publish(app)
    monkeypatch.setattr(media_refs, "recognise_media", lambda ctx: ctx.media_checks.clear())
    urls = add_draft(scratch)
    store = app.extensions["exhibit.content"]
    assert store.refresh(), store.errors if hasattr(store, "errors") else "the draft is invalid"
    assert store.exhibition.panel("clip") is not None
    create_account(app.extensions["exhibit.db"], "fiona", PASSWORD, "reviewer", "feco")
    yield app, urls
    app.extensions["exhibit.db"].dispose()


def decisions(app, slug: str = "clip") -> int:
    with app.extensions["exhibit.db"].connect() as conn:
        return conn.execute(text("SELECT count(*) FROM review_decisions WHERE panel = :slug"),
                            {"slug": slug}).scalar()


def public_slugs(app) -> list[str]:
    panels = app.test_client().get("/api/v1/panels?lang=en").get_json()["panels"]
    return [panel["slug"] for panel in panels]


def csp(response) -> dict[str, str]:
    value = response.headers.get("Content-Security-Policy", "")
    return {part.split()[0]: " ".join(part.split()[1:]) for part in value.split(";") if part.strip()}


# -- plain HTTP: the headers that make it so --------------------------------------------------------

def check_media_headers(response, mimetype: str, disposition: str) -> None:
    where = f"{response.request.path}: {response.headers}"
    assert response.status_code == 200, where
    assert response.mimetype == mimetype, where
    assert response.headers["Content-Disposition"] == disposition, where
    assert response.headers["X-Content-Type-Options"] == "nosniff", where
    policy = csp(response)
    # Sandboxed with no allowance: an opaque origin with no script, even opened as a document.
    assert policy.get("sandbox") == "", where
    assert policy["default-src"] == "'none'" and policy["frame-ancestors"] == "'none'", where
    assert response.headers["X-Frame-Options"] == "DENY", where


def test_the_checker_refuses_the_polyglot_captions(scratch):
    """The attack's files never get as far as the server: captions that are an HTML page with
    WEBVTT on top, and a script named as captions, are refused at check time."""
    add_draft(scratch)
    messages = [e.message for e in check_exhibition(scratch)]
    assert any("not WebVTT captions" in m or "is not a WebVTT tag" in m for m in messages), messages
    assert len([m for m in messages if "WebVTT" in m]) >= 2, messages


def test_media_are_served_as_what_they_are_and_sandboxed(draft_app):
    """The draft's media (served for the previews) by their content, whatever their name; the
    public ones too."""
    app, urls = draft_app
    client = app.test_client()
    expected = {
        # A WebVTT file called .html is captions, shown as text, never a page.
        "page": ("text/vtt", "inline"),
        # Not WebVTT (nothing follows WEBVTT but "="), not anything else a page shows: a download.
        "script": ("application/octet-stream", "attachment"),
        "captions": ("text/vtt", "inline"),
        "video": ("video/mp4", "inline"),
    }
    for name, (mimetype, disposition) in expected.items():
        with client.get(urls[name]) as response:
            check_media_headers(response, mimetype, disposition)
    # Published media (the story's photo, resized): the same policy.
    public = client.get("/en/panels/story/").get_data(as_text=True)
    for url in sorted(set(re.findall(r'(/media/[^"\s,]+\.(?:webp|jpg))', public)))[:2]:
        with client.get(url) as response:
            check_media_headers(response, "image/webp" if url.endswith(".webp") else "image/jpeg",
                                "inline")
    # No such medium: the answer is sandboxed all the same.
    with client.get("/media/0123456789abcdef-missing.html") as response:
        assert response.status_code == 404 and csp(response).get("sandbox") == ""


def test_previews_are_sandboxed_documents_in_sandboxed_frames(draft_app):
    app, _urls = draft_app
    staff = Staff(app)
    assert staff.login("fiona").status_code == 302
    page = staff.get("/staff/review/clip/").get_data(as_text=True)
    frames = re.findall(r"<iframe\b[^>]*>", page)
    assert len(frames) == 2 and all(' sandbox=""' in frame for frame in frames), frames
    for surface in ("web", "kiosk"):
        for lang in ("zh", "en", "fr"):
            response = staff.get(f"/staff/review/clip/preview/{surface}/{lang}")
            assert response.status_code == 200
            policy = csp(response)
            # Sandboxed with no allowance (no allow-same-origin, no allow-scripts, no forms).
            assert policy.get("sandbox") == "", response.headers
            assert policy["frame-ancestors"] == "'self'"
            assert response.headers["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("head, expected", [
    (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n\x00\x00", "image/png"),
    (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp"),
    (MP4, "video/mp4"),
    (webm(), "video/webm"),
    (b"ID3\x04\x00", "audio/mpeg"),
    (b"OggS\0\2" + b"\0" * 20 + b"\1\x13" + b"OpusHead" + b"\0" * 11, "audio/ogg"),
    (b"%PDF-1.7\n", "application/pdf"),
    (b"\xef\xbb\xbfWEBVTT\n\n00:00.000 --> 00:01.000\nHi", "text/vtt"),
    (b"WEBVTT", "text/vtt"),
    (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"/>', "image/svg+xml"),
    (b"<!doctype html><script>alert(1)</script>", "application/octet-stream"),
    (b"WEBVTTX\n00:00.000 --> 00:01.000", "application/octet-stream"),
    (b"PK\x03\x04zip", "application/octet-stream"),
    (b"", "application/octet-stream"),
])
def test_content_type_comes_from_the_bytes(tmp_path, head, expected):
    path = tmp_path / "named-as-anything.html"
    path.write_bytes(head)
    assert _content_type(path) == expected


def test_svg_from_the_content_is_never_a_page(scratch, tmp_path):
    """An SVG poster with a script is refused by the checker, whatever it is called; and should
    one ever reach the media folder, it is served as image/svg+xml to download, never a page."""
    svg_text = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    add_draft(scratch)
    for name in ("poster.svg", "poster.png"):
        (scratch.parent / "media" / "images" / name).write_text(svg_text, encoding="utf-8")
        yaml = scratch / "clip" / "panel.yaml"
        yaml.write_text(re.sub(r"poster: \S+", f"poster: images/{name}",
                               yaml.read_text(encoding="utf-8")), encoding="utf-8")
        messages = [str(e) for e in check_exhibition(scratch)]
        assert any("a poster must be an image" in m or f"images/{name} is an SVG image" in m
                   for m in messages), messages
    served = tmp_path / "poster.png"
    served.write_text(svg_text, encoding="utf-8")
    headers: dict[str, str] = {}
    media_headers(headers, str(served), "/media/0123456789abcdef-poster.png")
    assert headers == {"Content-Type": "image/svg+xml", "Content-Disposition": "attachment"}


# -- a real browser: the attack replayed ------------------------------------------------------------

@pytest.mark.browser
def test_a_draft_cannot_approve_itself_as_the_reviewer(browser, draft_app):
    app, urls = draft_app
    assert decisions(app) == 0 and "clip" not in public_slugs(app)
    with serve(app) as url:
        context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-GB",
                                      accept_downloads=True)
        page = context.new_page()
        try:
            page.goto(f"{url}/staff/login")
            page.fill("#name", "fiona")
            page.fill("#password", PASSWORD)
            page.click("form.stack button[type=submit]")
            page.wait_for_url("**/staff/")

            # The review page and both previews, as the reviewer reads them.
            page.goto(f"{url}/staff/review/clip/")
            for name in ("web", "kiosk"):
                page.locator(f"iframe.preview-{name}").scroll_into_view_if_needed()
                banner = page.frame_locator(f"iframe.preview-{name}").locator(".draft-banner")
                banner.wait_for()
            # The link in the draft's text, clicked in the preview: it opens in the frame.
            link = page.frame_locator("iframe.preview-web").locator(f'a[href="{urls["page"]}"]')
            # The media come first on the page, so the link lies below the frame's first 800 px,
            # and Playwright cannot scroll inside a sandboxed frame where no script runs (its
            # click lands on the video's caption above). A reviewer scrolls the frame; here the
            # frame is made tall enough to show the whole draft (the staff page runs script).
            page.locator("iframe.preview-web").evaluate("f => { f.style.height = '2400px'; }")
            with page.expect_response(lambda r: r.url.endswith(urls["page"])) as opened:
                link.click()
            assert opened.value.headers["content-type"].startswith("text/vtt")
            page.wait_for_load_state("networkidle")

            # The link opened on its own (copied into the address bar), and the script itself.
            for name in ("page", "script"):
                other = context.new_page()
                try:
                    other.goto(url + urls[name])
                except Exception as exc:  # noqa: BLE001 - a download is not a page: nothing runs
                    assert "Download is starting" in str(exc), exc
                other.wait_for_load_state("networkidle")
                other.close()
            # Back on the review page: still waiting for this reviewer's decision.
            page.goto(f"{url}/staff/review/clip/")
            assert page.locator("button[name=action][value=approve]").is_visible()
        finally:
            context.close()
    assert decisions(app) == 0
    assert "clip" not in public_slugs(app)


# -- the threat model names real tests --------------------------------------------------------------

def test_every_test_the_threat_model_names_exists():
    """SECURITY.md's boundaries are each proved by a test: the file::name it gives must exist
    (files marked pending are being written; their names are settled at merge)."""
    root = Path(__file__).resolve().parent.parent
    model = (root / "SECURITY.md").read_text(encoding="utf-8").split("## Threat model", 1)[1]
    model = model.split("\n## ", 1)[0]
    named = re.findall(r"`(tests/test_\w+\.py)::(test_\w+)`", model)
    assert len(named) >= 20, named
    for file, name in named:
        assert re.search(rf"^def {name}\(", (root / file).read_text(encoding="utf-8"),
                         re.MULTILINE), f"SECURITY.md names {file}::{name}, which does not exist"
