"""Content edited while the server runs: valid edits are served, invalid ones are not (the last
valid version stays up, and the log says why)."""

from __future__ import annotations

import logging

import pytest

from exhibit.content import InvalidContent

from .conftest import make_app, publish
from .scratch import turn_review_off


def test_the_server_does_not_start_on_invalid_content(scratch, media_cache):
    (scratch / "story" / "text.zh.md").unlink()
    with pytest.raises(InvalidContent) as caught:
        make_app(scratch, media_cache)
    assert "story/text.zh.md:1: missing translation" in caught.value.report()


def test_a_valid_edit_is_served_and_an_invalid_one_is_not(scratch, media_cache, caplog):
    app = make_app(scratch, media_cache)
    publish(app)
    client = app.test_client()
    store = app.extensions["exhibit.content"]
    assert "A story" in client.get("/en/panels/story/").get_data(as_text=True)

    panel_yaml = scratch / "story" / "panel.yaml"
    panel_yaml.write_text(panel_yaml.read_text().replace("en: A story", "en: A new story"))
    assert store.refresh() is True
    publish(app)  # the edit is a new version: public once approved (tests/test_review.py)
    assert "A new story" in client.get("/en/panels/story/").get_data(as_text=True)

    panel_yaml.write_text(panel_yaml.read_text().replace("kind: text", "kind: [broken"))
    with caplog.at_level(logging.ERROR, logger="exhibit.contentstore"):
        assert store.refresh() is False
    assert "A new story" in client.get("/en/panels/story/").get_data(as_text=True)
    assert "still serving the last valid version" in caplog.text
    assert "story/panel.yaml:5: YAML syntax error" in caplog.text
    assert "flow sequence that starts on line 4" in caplog.text
    assert client.get("/healthz").get_json()["content_reload_error"] is True


def test_reload_is_checked_on_requests_when_enabled(scratch, media_cache):
    turn_review_off(scratch)  # the files are public as they are: an edit shows at once
    app = make_app(scratch, media_cache, CONTENT_RELOAD_SECONDS=0.001)
    client = app.test_client()
    text = scratch / "story" / "text.en.md"
    text.write_text(text.read_text() + "\nA sentence added while running.\n")
    assert "A sentence added while running." in client.get("/en/panels/story/").get_data(
        as_text=True)
