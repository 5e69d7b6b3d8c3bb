"""A reviewer in a real browser (Debian's chromium through Playwright): signs in, finds the panel
waiting for their organisation, reads the changes since the published version and the draft
previews, and approves; the decision is in the record and the public still waits for the other
organisation."""

from __future__ import annotations

import pytest

from exhibit.auth.accounts import create_account
from exhibit.publication.state import load_decisions

from .conftest import make_app, publish
from .live import serve
from .test_staff import PASSWORD

pytestmark = pytest.mark.browser

ADDED = "Since 2026, the treaty has a new annex."


@pytest.fixture()
def review_server(scratch, media_cache, tmp_path):
    """The scratch exhibition, published, then edited by its author: a new version waits."""
    app = make_app(scratch, media_cache)
    app.instance_path = str(tmp_path / "instance")
    publish(app)
    text = scratch / "story" / "text.en.md"
    text.write_text(text.read_text(encoding="utf-8") + f"\n{ADDED} [@treaty]\n", encoding="utf-8")
    assert app.extensions["exhibit.content"].refresh()
    create_account(app.extensions["exhibit.db"], "fiona", PASSWORD, "reviewer", "feco")
    with serve(app) as url:
        yield url, app
    app.extensions["exhibit.db"].dispose()


def test_a_reviewer_signs_in_reads_the_diff_and_approves(browser, review_server):
    url, app = review_server
    context = browser.new_context(viewport={"width": 1440, "height": 900}, locale="en-GB")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("response", lambda r: r.status >= 400 and errors.append(f"{r.status} {r.url}"))

    page.goto(f"{url}/staff/review/")
    assert "/staff/login" in page.url  # signed out: the sign-in page first
    page.fill("#name", "fiona")
    page.fill("#password", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/staff/review/")

    waiting = page.locator("#h-waiting + table")
    assert "A story" in waiting.inner_text() and "Output" not in waiting.inner_text()
    waiting.get_by_role("link", name="A story").click()
    page.wait_for_url("**/staff/review/story/")

    # The changes since the published version: the added sentence, in the English text.
    change = page.locator("details.diff", has_text="text.en")
    assert change.get_attribute("open") is not None
    added = change.locator("ins", has_text=ADDED)
    added.scroll_into_view_if_needed()
    assert added.is_visible()
    assert page.locator("details.diff").count() == 1  # nothing else changed
    change.locator("summary").click()  # fold it and open it again
    assert not added.is_visible()
    change.locator("summary").click()
    assert added.is_visible()

    # The draft as it will appear: web and kiosk frames, marked DRAFT.
    page.locator("iframe.preview-web").scroll_into_view_if_needed()
    web = page.frame_locator("iframe.preview-web")
    assert "DRAFT" in web.locator(".draft-banner").inner_text()
    assert ADDED in web.locator("article").inner_text()
    kiosk = page.frame_locator("iframe.preview-kiosk")
    assert "DRAFT" in kiosk.locator(".draft-banner").inner_text()

    page.fill("#comment", "Checked against the treaty text.")
    page.click("button[name=action][value=approve]")
    page.wait_for_url("**/staff/review/")
    assert "Approved for feco: story" in page.locator(".notice").inner_text()
    assert "A story" not in page.locator("#h-waiting").locator("xpath=..").inner_text()
    assert errors == []
    context.close()

    [*_, decision] = load_decisions(app.extensions["exhibit.db"], "story")
    files = app.extensions["exhibit.content"].exhibition
    assert (decision.organisation, decision.reviewer, decision.action, decision.version) == (
        "feco", "fiona", "approve", files.panel("story").version)
    assert decision.comment == "Checked against the treaty text."
    public = app.test_client().get("/en/panels/story/").get_data(as_text=True)
    assert ADDED not in public  # UNIDO has not approved the new version yet
