"""Image derivatives: several widths, WebP and JPEG, EXIF orientation applied, metadata stripped,
built once and rebuilt when the source changes."""

from __future__ import annotations

from PIL import Image

from exhibit.content import load_exhibition
from exhibit.media import MediaLibrary


def build(scratch, cache):
    exhibition = load_exhibition(scratch)
    library = MediaLibrary(cache, (480, 960, 1600), 80)
    built = library.build(exhibition)
    return exhibition, library, built


def test_derivatives_in_each_width_and_format(scratch, tmp_path):
    exhibition, library, built = build(scratch, tmp_path / "cache")
    image = exhibition.panel("story").images[0]  # 1200 px wide: no 1600 (never upscaled)
    picture = library.picture(image)
    assert [c.width for c in picture.webp] == [480, 960]
    assert [c.width for c in picture.jpeg] == [480, 960]
    assert (picture.width, picture.height) == (1200, 800)
    for candidate in picture.webp + picture.jpeg:
        path = tmp_path / "cache" / candidate.url.removeprefix("/media/")
        with Image.open(path) as im:
            assert im.width == candidate.width
            assert im.format == ("WEBP" if path.suffix == ".webp" else "JPEG")
    assert built == 2  # one job per width, each writing both formats


def test_exif_orientation_is_applied_and_metadata_dropped(scratch, tmp_path):
    photo = scratch.parent / "media/images/photo.png"
    im = Image.new("RGB", (1200, 600), (200, 30, 30))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90° clockwise: the camera held upright
    exif[0x010F] = "CameraMaker"
    im.save(photo.with_suffix(".jpg"), "JPEG", exif=exif)
    photo.unlink()
    panel_yaml = scratch / "story" / "panel.yaml"
    panel_yaml.write_text(panel_yaml.read_text().replace("photo.png", "photo.jpg"))
    exhibition, library, _ = build(scratch, tmp_path / "cache")
    candidate = library.picture(exhibition.panel("story").images[0]).jpeg[0]
    with Image.open(tmp_path / "cache" / candidate.url.removeprefix("/media/")) as out:
        assert out.height > out.width  # turned upright
        assert not out.getexif()  # no camera or location data
        assert "icc_profile" not in out.info


def test_built_once_and_rebuilt_when_the_source_changes(scratch, tmp_path):
    cache = tmp_path / "cache"
    _, _, first = build(scratch, cache)
    _, _, second = build(scratch, cache)
    assert first > 0 and second == 0
    Image.new("RGB", (1200, 800), (10, 10, 200)).save(scratch.parent / "media/images/photo.png")
    exhibition, library, third = build(scratch, cache)
    assert third == first
    # The new derivatives have new names, so caches everywhere see the change.
    assert library.picture(exhibition.panel("story").images[0]).webp[0].url.startswith("/media/")


def _huge_photo(scratch) -> None:
    """A 144-megapixel photo (under the content checker's pixel limit): a few MB as a 1-bit PNG,
    432 MB once decoded to RGB for resizing."""
    Image.new("1", (12_000, 12_000), 1).save(scratch.parent / "media" / "images" / "photo.png")


def test_an_image_too_large_for_the_memory_limit_fails_in_the_child_and_names_itself(
        scratch, tmp_path):
    import pytest

    from exhibit.media import MediaBuildError

    from .conftest import make_app

    _huge_photo(scratch)
    with pytest.raises(MediaBuildError) as caught:
        make_app(scratch, tmp_path / "cache", MEDIA_MEMORY_MB=300)
    message = str(caught.value)
    # The MemoryError came from the child's address-space ceiling: this process has no limit.
    assert "images/photo.png: needs more than 300 MB to resize (MEDIA_MEMORY_MB)" in message


def test_the_command_refuses_to_start_with_a_clear_message(scratch, tmp_path):
    import os
    import subprocess
    import sys

    _huge_photo(scratch)
    env = dict(os.environ, EXHIBIT_CONTENT_DIR=str(scratch), EXHIBIT_MEDIA_MEMORY_MB="300",
               EXHIBIT_MEDIA_CACHE_DIR=str(tmp_path / "cache"),
               EXHIBIT_DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
               EXHIBIT_PUBLISHED_MEDIA_DIR=str(tmp_path / "published"))
    result = subprocess.run([sys.executable, "-m", "exhibit", "routes"], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "images/photo.png: needs more than 300 MB" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_live_edit_with_a_huge_image_keeps_the_site_up(scratch, tmp_path, caplog):
    from .conftest import make_app
    from .scratch import turn_review_off

    turn_review_off(scratch)
    app = make_app(scratch, tmp_path / "cache", MEDIA_MEMORY_MB=300)
    client = app.test_client()
    assert client.get("/en/panels/story/").status_code == 200
    _huge_photo(scratch)
    assert app.extensions["exhibit.content"].refresh() is True
    assert "images/photo.png: needs more than 300 MB" in caplog.text
    assert client.get("/en/").status_code == 200
