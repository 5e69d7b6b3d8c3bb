"""Recorded narration in the content format: ``narration: {en: narration/x.en.opus}`` in a panel.

Each recording is checked like a video: inside the media folder, an audio suffix, and audio by its
content (sniffed, never trusted by its name); it changes the panel's version, reaches the review's
diff, the API manifest (the kiosk plays it) and the kiosk's offline copy.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from exhibit.content import InvalidContent, load_exhibition
from exhibit.review.diff import panel_parts

from .conftest import make_app, publish

ROOT = Path(__file__).resolve().parent.parent
RECORDING = ROOT / "media" / "narration" / "minamata-convention.en.opus"  # a real Ogg Opus file


def _narrate(panels: Path, block: str) -> None:
    path = panels / "story" / "panel.yaml"
    path.write_text(path.read_text(encoding="utf-8") + block, encoding="utf-8")


def _messages(panels: Path) -> list[str]:
    with pytest.raises(InvalidContent) as caught:
        load_exhibition(panels)
    return [f"{e.path.name}:{e.line}: {e.message}" for e in caught.value.errors]


def test_the_demo_has_a_real_recording():
    ex = load_exhibition(ROOT / "panels")
    narrated = {p.slug: dict(p.narration) for p in ex.panels if p.narration}
    assert set(narrated) == {"minamata-convention"}
    assert set(narrated["minamata-convention"]) == {"en", "fr"}
    head = RECORDING.read_bytes()[:64]
    assert head.startswith(b"OggS") and b"OpusHead" in head  # Ogg Opus, not a stand-in


def test_a_recording_loads_and_changes_the_version(scratch):
    before = load_exhibition(scratch).panel("story").version
    shutil.copy(RECORDING, scratch.parent / "media" / "story.en.opus")
    _narrate(scratch, "narration:\n  en: story.en.opus\n")
    story = load_exhibition(scratch).panel("story")
    assert set(story.narration) == {"en"}
    assert story.narration["en"].path == "story.en.opus"
    assert story.narration["en"] in story.media_files()
    assert story.version != before
    parts = panel_parts(story, ("zh", "en", "fr"))
    assert any(line.startswith("narration [en] story.en.opus") for line in parts["media"])


@pytest.mark.parametrize(("block", "expected"), [
    # A video file named like audio: the content decides.
    ("narration:\n  en: story.en.ogg\n", "is a PNG image, not MP3, M4A, Ogg"),
    ("narration:\n  de: story.en.opus\n", "narration: 'de' is not a language of this exhibition"),
    ("narration:\n  en: story.wav\n", "a narration must be an audio file"),
    ("narration:\n  en: ../outside.opus\n", "media must stay inside the media folder"),
    ("narration:\n  en: https://cdn.example.org/x.mp3\n", "is a URL"),
    ("narration:\n  en: missing.opus\n", "missing media file missing.opus"),
    ("narration: narration/story.opus\n", "'narration' must map a language to an audio file"),
])
def test_bad_narration_is_reported_at_its_line(scratch, block, expected):
    media = scratch.parent / "media"
    shutil.copy(RECORDING, media / "story.en.opus")
    shutil.copy(media / "images" / "photo.png", media / "story.en.ogg")
    (media / "story.wav").write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt ")
    _narrate(scratch, block)
    messages = _messages(scratch)
    assert any("panel.yaml:" in m and expected in m for m in messages), messages


def test_the_manifest_and_the_offline_copy_carry_the_recording(scratch, media_cache):
    shutil.copy(RECORDING, scratch.parent / "media" / "story.en.opus")
    _narrate(scratch, "narration:\n  en: story.en.opus\n")
    app = make_app(scratch, media_cache)
    publish(app)
    client = app.test_client()
    en = client.get("/api/v1/panels?lang=en").get_json()
    zh = client.get("/api/v1/panels?lang=zh").get_json()
    story_en = next(p for p in en["panels"] if p["slug"] == "story")
    story_zh = next(p for p in zh["panels"] if p["slug"] == "story")
    assert story_zh["narration"] is None  # no recording in Chinese: the kiosk offers speech
    url = story_en["narration"]
    assert url.startswith("/media/") and url.endswith("story.en.opus")
    assert url in story_en["media"]
    assert url in client.get("/kiosk/precache.json").get_json()["urls"]
    with client.get(url) as served:
        assert served.status_code == 200
        assert served.headers["Content-Type"] == "audio/ogg"
        assert served.headers["Content-Disposition"] == "inline"
        assert served.get_data() == RECORDING.read_bytes()
