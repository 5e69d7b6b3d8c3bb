"""Every setting exhibit reads, with its default and why. The README table is made from this list
(``tests/test_docs.py`` fails when a setting is not documented there).

Set them in ``instance/exhibit.cfg`` (Python syntax), as environment variables with the
``EXHIBIT_`` prefix (``EXHIBIT_CONTENT_DIR=/srv/show/panels``), or in the dict passed to
``create_app(config)``; later wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("CONTENT_DIR", "panels",
            "Folder holding exhibition.yaml and one folder per panel. Relative paths are taken "
            "from the working directory, so `exhibit run` in a checkout serves its demo."),
    Setting("MEDIA_CACHE_DIR", None,
            "Where image derivatives and fingerprinted media copies are written. Default: "
            "`media-cache/` in the instance folder, kept between runs so images are resized once."),
    Setting("IMAGE_WIDTHS", (480, 960, 1600),
            "Widths (px) of the image derivatives: a phone, a tablet or half of a kiosk screen, "
            "and a full HD kiosk. Wider sources are never upscaled."),
    Setting("IMAGE_QUALITY", 80,
            "WebP and JPEG quality of derivatives: 80 is indistinguishable from the source at "
            "screen size and about a third of the bytes of 95."),
    Setting("CONTENT_RELOAD_SECONDS", 2.0,
            "How often (at most) a request checks the content folder for edits. 0 turns reloading "
            "off (production: content changes come with a restart or a freeze)."),
    Setting("PUBLIC_BASE_URL", "http://localhost:5000",
            "The public address of the topic page, used in share links, Open Graph tags, the "
            "sitemap and the QR codes printed on panels."),
    Setting("SECRET_KEY", None,
            "Signs staff session cookies. Default: a random key made once and kept in "
            "`instance/secret_key`, so sessions survive restarts without a key in the repo."),
    Setting("KIOSK_DEFAULT_ID", "kiosk",
            "Kiosk id used when `/kiosk/` is opened without `?kiosk=<id>`."),
)

DEFAULTS: dict[str, Any] = {s.name: s.default for s in SETTINGS}
