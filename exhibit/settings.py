"""Every setting exhibit reads, with its default and why. The README table is made from this list
(``tests/test_docs.py`` fails when a setting is not documented there).

Set them in ``instance/exhibit.cfg`` (Python syntax), as environment variables with the
``EXHIBIT_`` prefix (``EXHIBIT_CONTENT_DIR=/srv/show/panels``), or in the dict passed to
``create_app(config)``; later wins.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


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
    Setting("MEDIA_MEMORY_MB", 2048,
            "Address-space limit (MB) of each child process that decodes and resizes images. "
            "A 100-megapixel photo needs about 1.2 GB; past the limit the image is reported and "
            "the server is untouched. The content checker also refuses images over 250 Mpx."),
    Setting("MEDIA_TIMEOUT_SECONDS", 120,
            "Longest one image may take to resize (a large photo takes a few seconds) before its "
            "child process is stopped and the image reported."),
    Setting("CONTENT_RELOAD_SECONDS", 2.0,
            "How often (at most) a request checks the content folder for edits. 0 turns reloading "
            "off (production: content changes come with a restart or a freeze)."),
    Setting("PUBLIC_BASE_URL", "http://localhost:5000",
            "The public address of the topic page, used in share links, Open Graph tags, the "
            "sitemap and the QR codes printed on panels. Unset, `exhibit run` uses the address "
            "it serves; `exhibit run --production` refuses to start. Final print files "
            "(`exhibit print`, `exhibit export record`, the staff downloads) need a public "
            "`https://` address, not localhost: otherwise only `--draft` prints."),
    Setting("SECRET_KEY", None,
            "Signs staff session cookies. Default: a random key made once and kept in "
            "`instance/secret_key`, so sessions survive restarts without a key in the repo."),
    Setting("KIOSK_DEFAULT_ID", "kiosk",
            "Kiosk id used when `/kiosk/` is opened without `?kiosk=<id>`."),
    Setting("KIOSK_CONFIG", "kiosk/kiosks.yaml",
            "The kiosks of the hall: orientation, start section, idle time, languages, operator "
            "PIN per screen id. Relative to the working directory, like `CONTENT_DIR`; a missing "
            "file means every kiosk gets the defaults (90 s idle time, all languages)."),
    Setting("PAGE_CACHE", True,
            "Keep rendered public pages (topic, panels, questionnaire, sitemap) in memory as bytes, "
            "with their gzip and Brotli copies, until the published content changes. Off only to "
            "measure rendering (`bench/serve_bench.py`)."),
    Setting("PAGE_CDN_SECONDS", 60,
            "How long a CDN or caching proxy may hold a public page (`s-maxage`, and as long again "
            "stale while it refetches). Browsers always revalidate (a cheap 304), so visitors see "
            "a newly published panel at once and a CDN within this time. 0: no shared caching."),
    # -- the visit log and the staff area --
    Setting("DATABASE_URL", None,
            "Where the visit log, staff accounts and channel figures live. Default: SQLite (WAL) "
            "in `instance/exhibit.sqlite3`. Name a PostgreSQL server (`postgresql://user:pass@host/db`) "
            "when several app servers share one log."),
    Setting("DATABASE_AUTO_UPGRADE", True,
            "Bring the schema up to date when the app starts, so a fresh instance needs no extra "
            "command. Turn off where upgrades must be run by hand (`exhibit db upgrade`)."),
    Setting("EVENTS_URL", "/api/v1/events",
            "Where the kiosk and the topic page send visit events. A frozen copy of the site on a "
            "CDN or USB stick points this at the server that keeps the log."),
    Setting("EVENTS_ALLOWED_ORIGINS", "",
            "Other sites allowed to post visit events here (CORS), space-separated, e.g. the "
            "address of a frozen copy on a CDN: `https://expo.example-cdn.net`. Empty: only pages "
            "served by this app."),
    Setting("EVENTS_MAX_BATCH", 500,
            "Most events in one POST to `/api/v1/events`: a kiosk draining a long offline queue "
            "sends full batches; 500 events are about 150 KB."),
    Setting("EVENTS_MAX_BYTES", 1_000_000,
            "Largest body accepted by `/api/v1/events` (bytes); a full batch is well under it."),
    Setting("EVENTS_RATE_LIMIT", "600 per minute",
            "Requests per minute per address to `/api/v1/events`: a kiosk draining weeks of records "
            "(100,000 events = 200 batches) still gets through in a few minutes."),
    Setting("KIOSK_HEARTBEAT_SECONDS", 30,
            "How often each kiosk reports its state to the fleet console (`/staff/kiosks`). A "
            "kiosk is shown stale after three missed heartbeats (at least 1 min) and offline "
            "after ten (at least 5 min)."),
    Setting("HEARTBEAT_RATE_LIMIT", "120 per minute",
            "Requests per minute per address to `/api/v1/kiosks/<id>/heartbeat`: room for 60 "
            "kiosks behind one address at the default pace."),
    Setting("RATELIMIT_STORAGE_URI", "memory://",
            "Where rate-limit counters live. Memory is right for one process; with several "
            "gunicorn workers or servers use Redis (`redis://host:6379`) so limits are shared."),
    Setting("RATELIMIT_ENABLED", True,
            "Rate limits on login and events. Benchmarks turn them off to measure raw capacity."),
    Setting("LOGIN_RATE_LIMIT", "10 per 15 minutes",
            "Sign-in attempts allowed per address and per account name (a successful one does not "
            "count): slows password guessing to a crawl without locking a real user out for long."),
    Setting("SESSION_COOKIE_SECURE", True,
            "Staff session cookies only over HTTPS (browsers also allow them on http://localhost). "
            "Set False only for a test server reached over plain HTTP on another host."),
    Setting("PERMANENT_SESSION_LIFETIME", 8 * 3600,
            "Seconds a staff login lasts: one working day, then sign in again."),
    Setting("SESSION_IDLE_TIMEOUT", 3600,
            "Seconds without a request after which a staff session ends (sign in again): an "
            "unlocked computer left in the hall is not signed in for the rest of the day. 0 turns "
            "the idle limit off; `PERMANENT_SESSION_LIFETIME` still applies."),
    Setting("MAX_UPLOAD_BYTES", 20_000_000,
            "Largest photo upload (bytes): a full-size camera JPEG is 5–15 MB."),
    Setting("MAX_UPLOAD_PIXELS", 60_000_000,
            "Largest photo in pixels (60 MP covers any camera); larger is refused as a possible "
            "decompression bomb."),
    Setting("MAX_FORM_BYTES", 2_000_000,
            "Largest body of any other request (bytes): sign-in, review decisions, a CSV of "
            "channel figures (a year of daily figures for 20 channels is about 500 KB). Larger "
            "is refused with 413 before it is read."),
    Setting("MAX_FORM_MEMORY_SIZE", 100_000,
            "Largest text field of a form with files (bytes, Flask's setting): a photo's caption "
            "fits two hundred times. Forms without files are bounded by `MAX_FORM_BYTES`."),
    Setting("MAX_FORM_PARTS", 50,
            "Most fields and files in a form with files (Flask's setting): the largest staff "
            "form has six."),
    Setting("TIMEZONE", "Asia/Shanghai",
            "The exhibition's time zone (an IANA name): what a day is in the visit log (each "
            "event's day), the dashboard's visits per day and period filter, the summary report, "
            "the exports and the daily visitor hash. Beijing time by default, where the hall and "
            "most readers are; events stored before a change keep the day they were given."),
    Setting("REACH_TARGET", 30_000_000,
            "Total reads across channels that the campaign aims for (seed 001: 30 million), "
            "shown against the measured reach in the dashboard and the summary report."),
    # -- security headers --
    Setting("FRAME_ANCESTORS", "",
            "Sites allowed to show the topic page and panel pages in a frame (a news app embedding "
            "the exhibition), as space-separated origins: `https://news.example.com "
            "https://*.xinhuanet.com`. Empty: no site may. The kiosk and the staff area are never "
            "framed by another site."),
    Setting("TRUSTED_PROXIES", 0,
            "How many reverse proxies (nginx, a load balancer) stand in front of the app. With 1 "
            "or more, the app believes their X-Forwarded-For and X-Forwarded-Proto headers: HTTPS "
            "is recognised (HSTS, secure cookies) and rate limits count the visitor's address, "
            "not the proxy's. Leave 0 when clients reach the app directly, or they could forge "
            "those headers."),
    # -- the footer of the public pages (Chinese web-filing numbers) and WeChat share cards --
    Setting("ICP_FILING_NUMBER", "",
            "The site's ICP filing number (ICP备案号) as the MIIT issued it, e.g. "
            "`京ICP备12345678号-1`: shown in the footer of every public page, linked to "
            "https://beian.miit.gov.cn/. Empty: not shown. Checked at start."),
    Setting("PSB_FILING_NUMBER", "",
            "The site's public-security filing number (公安备案号), e.g. "
            "`京公网安备 11010502000000号`: shown in the footer of every public page, linked to its "
            "record on https://beian.mps.gov.cn/ (text only, no emblem image). Empty: not shown. "
            "Checked at start."),
    Setting("WECHAT_APP_ID", "",
            "AppID of the WeChat Official Account whose JS-SDK share cards the public pages use "
            "(`wx` and 16 hex digits). With `WECHAT_SIGNATURE_URL`, pages opened inside WeChat load "
            "the JS-SDK from `WECHAT_JSSDK_URL` and set the share card to the page's Open Graph "
            "title, description and image. Empty: nothing is loaded (the default: no request to "
            "another host)."),
    Setting("WECHAT_SIGNATURE_URL", "",
            "The signing endpoint for `wx.config`: a service that holds the account's secret and "
            "answers `GET ?url=<page address>` with JSON `{timestamp, nonceStr, signature}`. A path "
            "on this site (`/wechat/signature`) or an https address. Set with `WECHAT_APP_ID`, "
            "or neither."),
    Setting("WECHAT_JSSDK_URL", "https://res.wx.qq.com/open/js/jweixin-1.6.0.js",
            "Where the WeChat JS-SDK is loaded from when `WECHAT_APP_ID` is set (WeChat serves it "
            "only from its own hosts; it cannot be vendored). Added to the public pages' "
            "Content-Security-Policy only then."),
    # -- review before publication --
    Setting("PUBLISHED_MEDIA_DIR", None,
            "Where the media of approved panel versions are kept, named by their SHA-256, so a "
            "published version can still be shown after its files change. Default: "
            "`published-media/` in the instance folder. With several app servers, shared storage "
            "(like the database)."),
    Setting("REVIEW_RECHECK_SECONDS", 2.0,
            "How often (at most) a request asks the database whether another process (a gunicorn "
            "worker, another server) recorded a review decision. Decisions made in this process "
            "apply at once; 0 asks on every request."),
    # -- print --
    Setting("PRINT_SIZE", "A0",
            "Page size of `exhibit print` and the staff download when none is given: `A0`, "
            "`A0-landscape`, `A1`, `A1-landscape`, `rollup` (850 × 2000 mm) or `WIDTHxHEIGHT` in mm."),
    Setting("PRINT_BLEED_MM", 3.0,
            "Bleed around the trimmed page (mm): 3 mm is what most print shops ask for; some "
            "large-format shops want 5 or 10 mm."),
    Setting("PRINT_ICC_PROFILE", None,
            "CMYK ICC profile of the PDF/X-4 output intent and of the palette's CMYK values. "
            "Default: the FOGRA39 profile shipped in `exhibit/printing/icc/` (coated offset, ISO "
            "12647-2). Use the shop's own profile if it gives one."),
    Setting("PRINT_OUTPUT_CONDITION", "FOGRA39",
            "The registered name of the print condition the profile describes (OutputCondition"
            "Identifier of the output intent); change it together with `PRINT_ICC_PROFILE`."),
    Setting("PRINT_TIMEOUT_SECONDS", 120,
            "Longest one panel may take to render (an A0 with a 300-ppi photo takes a few seconds); "
            "past it the rendering child is stopped and the panel reported, not the server."),
    Setting("PRINT_MEMORY_MB", 3072,
            "Address-space limit of the rendering child process (MB). Address space counts mapped "
            "fonts and allocator reserves, about twice the resident memory; 3 GB lets an A0 "
            "with a 300-ppi photo through and stops a runaway image long before the machine swaps."),
)

DEFAULTS: dict[str, Any] = {s.name: s.default for s in SETTINGS}


# -- PUBLIC_BASE_URL: is it an address a visitor (or a QR code on paper) can reach? -------------

DEFAULT_PUBLIC_BASE_URL: str = DEFAULTS["PUBLIC_BASE_URL"]
_LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", "ip6-loopback"}


def base_url_problem(url: Any) -> tuple[str, str] | None:
    """Why ``url`` is not a public address, as ``(kind, explanation)``, or None when it is one.

    Kinds, most serious first: ``unset`` (empty, or still the default), ``invalid`` (not an
    absolute http(s) address), ``local`` (localhost, 127.x, ::1, 0.0.0.0: this computer only),
    ``http`` (plain http: browsers mark it unsafe and a ministry's site is https).
    """
    text = str(url or "").strip()
    if not text or text.rstrip("/") == DEFAULT_PUBLIC_BASE_URL:
        return "unset", f"is not set (the default {DEFAULT_PUBLIC_BASE_URL} is a placeholder)"
    parts = urlsplit(text)
    host = (parts.hostname or "").lower()
    if parts.scheme not in ("http", "https") or not host:
        return "invalid", f"{text!r} is not an absolute http(s) address"
    if is_local_host(host):
        return "local", f"{text} points at this computer only ({host})"
    if parts.scheme != "https":
        return "http", f"{text} is plain http, not https"
    return None


def is_local_host(host: str) -> bool:
    """localhost, a loopback address (127.0.0.0/8, ::1) or the unspecified address."""
    host = host.strip("[]").lower()
    if host in _LOCAL_NAMES or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


# -- the footer's filing numbers and the WeChat share card: checked when the app starts ----------

#: 京ICP备12345678号, 京ICP备12345678号-1, 京ICP证030173号: a province's one-character
#: abbreviation, ICP备 (a filing) or ICP证 (a licence), the number, 号, and a site number.
ICP_FILING = re.compile(r"[\u4e00-\u9fff]ICP[备证]\d{6,10}号(?:-\d{1,3})?")
#: 京公网安备 11010502000000号: an abbreviation, 公网安备, the 14-digit record code, 号.
PSB_FILING = re.compile(r"[\u4e00-\u9fff]公网安备 ?(\d{14})号")
WECHAT_APP_ID_PATTERN = re.compile(r"wx[0-9a-f]{16}")
MIIT_BEIAN_URL = "https://beian.miit.gov.cn/"
MPS_BEIAN_URL = "https://beian.mps.gov.cn/#/query/webSearch?code={code}"


def psb_filing_url(number: str) -> str:
    """The public-security record of a filing number (its 14 digits) on beian.mps.gov.cn."""
    match = PSB_FILING.fullmatch(number.strip())
    if not match:
        raise ValueError(f"not a public-security filing number: {number!r}")
    return MPS_BEIAN_URL.format(code=match.group(1))


def _https_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme == "https" and bool(parts.hostname)


class SettingsError(ValueError):
    """A setting is malformed: the app refuses to start, saying which and why."""


def footer_settings_problems(config: Any) -> list[str]:
    """What is wrong with the footer's filing numbers and the WeChat settings, one clear
    sentence each (an empty list when they are right)."""
    problems = []
    icp = str(config.get("ICP_FILING_NUMBER") or "").strip()
    if icp and not ICP_FILING.fullmatch(icp):
        problems.append(f"ICP_FILING_NUMBER {icp!r} is not an ICP filing number as the MIIT "
                        f"issues it, e.g. 京ICP备12345678号 or 京ICP备12345678号-1")
    psb = str(config.get("PSB_FILING_NUMBER") or "").strip()
    if psb and not PSB_FILING.fullmatch(psb):
        problems.append(f"PSB_FILING_NUMBER {psb!r} is not a public-security filing number, "
                        f"e.g. 京公网安备 11010502000000号 (14 digits)")
    app_id = str(config.get("WECHAT_APP_ID") or "").strip()
    signer = str(config.get("WECHAT_SIGNATURE_URL") or "").strip()
    sdk = str(config.get("WECHAT_JSSDK_URL") or "").strip()
    if app_id and not WECHAT_APP_ID_PATTERN.fullmatch(app_id):
        problems.append(f"WECHAT_APP_ID {app_id!r} is not a WeChat AppID ('wx' and 16 hex "
                        f"digits, e.g. wx0123456789abcdef)")
    if bool(app_id) != bool(signer):
        problems.append("WECHAT_APP_ID and WECHAT_SIGNATURE_URL go together: set both for "
                        "WeChat share cards, or neither")
    if signer and not (_https_url(signer) or (signer.startswith("/")
                                               and not signer.startswith("//"))):
        problems.append(f"WECHAT_SIGNATURE_URL {signer!r} must be a path on this site "
                        f"(/wechat/signature) or an https:// address")
    if app_id and not _https_url(sdk):
        problems.append(f"WECHAT_JSSDK_URL {sdk!r} must be an https:// address")
    return problems
