"""Security headers on every response: pages, API, assets and media, errors, redirects, 304s.

The policies are data: one :class:`Policy` per kind of response (the public pages, the kiosk, the
staff area, JSON and files), chosen per request by :func:`policy_name`. Two layers set them:

- an ``after_request`` step picks the policy of a Flask response from its endpoint (it knows the
  route, so the staff report or the review's framed previews can differ from their neighbours);
- a WSGI middleware outside WhiteNoise adds the headers every response shares (nosniff, referrer,
  opener, permissions, HSTS over HTTPS) and gives the files WhiteNoise serves — assets and media,
  which Flask never sees — the policy for files.

Behind a reverse proxy, ``TRUSTED_PROXIES`` lets werkzeug's ProxyFix read X-Forwarded-For and
X-Forwarded-Proto, so ``request.is_secure`` (HSTS, the Secure session cookie) and the rate limits'
client address are right.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from urllib.parse import urlsplit

from flask import Flask, Response, request
from werkzeug.datastructures import Headers
from werkzeug.middleware.proxy_fix import ProxyFix

SELF = "'self'"
NONE = "'none'"

#: What every document may load: its own origin only. Scripts are external files only (data for
#: them travels in ``<script type="application/json">`` blocks, which never run), so neither
#: 'unsafe-inline' nor 'unsafe-eval' is ever needed; styles are stylesheets, never attributes.
DOCUMENT = MappingProxyType({
    "default-src": (SELF,),
    "script-src": (SELF,),
    "style-src": (SELF,),
    "img-src": (SELF,),
    "media-src": (SELF,),
    "font-src": (SELF,),
    "connect-src": (SELF,),
    "manifest-src": (SELF,),
    "worker-src": (NONE,),
    "frame-src": (NONE,),
    "object-src": (NONE,),
    "base-uri": (NONE,),
    "form-action": (SELF,),
})

#: JSON, XML, text, images, video, downloads: nothing of theirs may run or load anything, should a
#: browser ever open one as a document.
NOTHING = MappingProxyType({
    "default-src": (NONE,),
    "base-uri": (NONE,),
    "form-action": (NONE,),
})

#: A document that runs in an opaque origin of its own: no script, no form, no plugin, no popup,
#: no navigation of the page around it, and no access to this origin's cookies, storage or pages,
#: whatever its HTML says. For what content authors make (media, draft previews): it is untrusted.
SANDBOX = ("sandbox", ())

#: Media files from the content (``/media/``), drafts and published alike: served as what they
#: are, but should one be opened as a document it is sandboxed and may load nothing.
MEDIA = MappingProxyType(dict((SANDBOX, *NOTHING.items())))

#: Browsers show a PDF in a viewer built from an ``<embed>`` and inline styles in a synthetic page
#: that the PDF's own policy governs: ``object-src``/``default-src 'none'`` would blank it
#: (crbug.com/271452). A PDF runs no script of ours, so framing is all there is to restrict.
PDF_VIEWER = MappingProxyType({})

#: Browser features no page of the exhibition uses: nobody can turn them on from an injected
#: script or a framed page. Only names Chromium knows — an unknown one is a console error.
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "bluetooth", "browsing-topics", "camera", "display-capture", "geolocation",
    "gyroscope", "hid", "idle-detection", "magnetometer", "microphone", "midi", "payment",
    "publickey-credentials-get", "serial", "usb", "xr-spatial-tracking"))

#: A year, as ASVS asks; subdomains too. Sent only over HTTPS (RFC 6797: ignored over HTTP anyway).
HSTS = "max-age=31536000; includeSubDomains"

#: Headers every response gets, whatever served it.
COMMON_HEADERS = MappingProxyType({
    "X-Content-Type-Options": "nosniff",
    # Other sites learn only our origin. Channel attribution reads document.referrer of the
    # visitor's landing page, which the *referring* site's policy decides, not this one.
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": PERMISSIONS_POLICY,
})

# Who may frame a response: no one, this origin, or the origins of the FRAME_ANCESTORS setting.
FRAMED_BY_NONE, FRAMED_BY_SELF, FRAMED_BY_SETTING = "none", "self", "setting"


@dataclass(frozen=True)
class Policy:
    """What one kind of response may do in a browser."""

    name: str
    directives: Mapping[str, tuple[str, ...]]
    framing: str = FRAMED_BY_NONE
    #: Sources added to directives (e.g. the events server in connect-src).
    extra: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


def _with(directives: Mapping[str, tuple[str, ...]], **changes: tuple[str, ...]):
    merged = dict(directives)
    merged.update({name.replace("_", "-"): sources for name, sources in changes.items()})
    return MappingProxyType(merged)


# The policies, by name. The public pages and the kiosk talk to the events server (its origin is
# added at start from EVENTS_URL); only the kiosk runs a service worker; only the staff area
# frames pages (the review shows its drafts in frames).
POLICIES: dict[str, Policy] = {policy.name: policy for policy in (
    Policy("public", DOCUMENT, framing=FRAMED_BY_SETTING),
    Policy("kiosk", _with(DOCUMENT, worker_src=(SELF,))),
    Policy("staff", _with(DOCUMENT, frame_src=(SELF,))),
    # The review's drafts are shown in frames of the review page, and only there; they are the
    # author's work, not the app's: sandboxed, so a draft opened even on its own runs nothing
    # and cannot act as the reviewer looking at it (no same-origin, no script, no form).
    Policy("staff-framed", MappingProxyType(dict((SANDBOX, *DOCUMENT.items()))),
           framing=FRAMED_BY_SELF),
    # The summary report is one self-contained document: the very bytes served here are the
    # exported HTML file and WeasyPrint's input, so its stylesheet is inline and its photos are
    # data: URLs. Its stylesheet alone is allowed, by hash (added at start), on this route alone.
    Policy("staff-report", _with(DOCUMENT, img_src=(SELF, "data:"))),
    Policy("files", NOTHING),
    Policy("media", MEDIA),
    Policy("pdf", PDF_VIEWER),
)}

# Responses of these blueprints are documents of that policy (when they are HTML).
BLUEPRINT_POLICIES = {"web": "public", "kiosk": "kiosk", "staff": "staff", "review": "staff",
                      "api": "files", "visits": "files"}
# Routes that differ from their blueprint, whatever their type.
ENDPOINT_POLICIES = {
    # A service worker is governed by the policy of its own script: it fetches the kiosk's files.
    "kiosk.service_worker": "kiosk",
    "review.preview": "staff-framed",
    "staff.report": "staff-report",
}
# Requests no route matched (404, 405) are answered in the surface their path names.
PATH_POLICIES = (("/kiosk/", "kiosk"), ("/staff/", "staff"), ("/api/", "files"))
# Files from the content, whatever their type (a PDF too): the content is untrusted input.
MEDIA_PREFIX = "/media/"
HTML_TYPES = ("text/html", "application/xhtml+xml")
REPORT_STYLESHEET = "staff/report.css"

# One frame-ancestors source: a scheme, or an origin with an optional leading *. in the host.
_ORIGIN = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|(?:https?://)?(?:\*\.)?[a-z0-9.-]+(?::(?:\d+|\*))?)$",
                     re.IGNORECASE)


def frame_ancestors(setting: str | Iterable[str] | None) -> tuple[str, ...]:
    """The FRAME_ANCESTORS setting as CSP sources; raises ValueError on anything but origins.

    Accepts a space-separated string (as environment variables give it) or a list.
    """
    sources = setting.split() if isinstance(setting, str) else list(setting or ())
    for source in sources:
        if not _ORIGIN.match(source):
            raise ValueError(f"FRAME_ANCESTORS: {source!r} is not an origin such as "
                             "https://news.example.com or https://*.example.com")
    return tuple(sources) or (NONE,)


def events_origin(events_url: str) -> tuple[str, ...]:
    """The origin of EVENTS_URL when it names another server (a frozen copy of the site)."""
    parts = urlsplit(events_url or "")
    if parts.scheme in ("http", "https") and parts.netloc:
        return (f"{parts.scheme}://{parts.netloc}",)
    return ()


def wechat_origins(config: Mapping) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(script origins, connect origins) the public pages need for WeChat share cards: the
    JS-SDK's host and the signing endpoint's (when not this site), only when both WECHAT_APP_ID
    and WECHAT_SIGNATURE_URL are set; nothing otherwise."""
    if not (config.get("WECHAT_APP_ID") and config.get("WECHAT_SIGNATURE_URL")):
        return (), ()
    return (events_origin(str(config.get("WECHAT_JSSDK_URL") or "")),
            events_origin(str(config["WECHAT_SIGNATURE_URL"])))


def style_hash(text: str) -> str:
    """The CSP source that allows exactly this ``<style>`` element's text."""
    digest = hashlib.sha256(text.encode()).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


def render_policy(policy: Policy, framed_by: tuple[str, ...]) -> str:
    """The Content-Security-Policy value of ``policy`` framed by ``framed_by``."""
    directives = dict(policy.directives)
    for name, sources in policy.extra.items():
        directives[name] = tuple(dict.fromkeys((*directives.get(name, ()), *sources)))
    directives["frame-ancestors"] = framed_by
    return "; ".join(" ".join((name, *sources)) for name, sources in directives.items())


def x_frame_options(framed_by: tuple[str, ...]) -> str | None:
    """The legacy header for browsers without frame-ancestors; it cannot name other origins."""
    if framed_by == (NONE,):
        return "DENY"
    if framed_by == (SELF,):
        return "SAMEORIGIN"
    return None  # an allow-list: only frame-ancestors can say it


class SecurityHeaders:
    """The policies of one app, rendered once at start, and the steps that apply them."""

    def __init__(self, app: Flask) -> None:
        embedders = frame_ancestors(app.config["FRAME_ANCESTORS"])
        events = events_origin(app.config["EVENTS_URL"])
        report_css = app.jinja_env.get_template(REPORT_STYLESHEET).render()
        sdk, signer = wechat_origins(app.config)
        extra = {"public": {"connect-src": events + signer, "script-src": sdk},
                 "kiosk": {"connect-src": events},
                 "staff-report": {"style-src": (style_hash(report_css),)}}
        self.headers: dict[str, dict[str, str]] = {}
        for name, policy in POLICIES.items():
            policy = replace(policy, extra=extra.get(name, {}))
            framed_by = {FRAMED_BY_NONE: (NONE,), FRAMED_BY_SELF: (SELF,),
                         FRAMED_BY_SETTING: embedders}[policy.framing]
            headers = {"Content-Security-Policy": render_policy(policy, framed_by)}
            if legacy := x_frame_options(framed_by):
                headers["X-Frame-Options"] = legacy
            self.headers[name] = headers

    def headers_for(self, mimetype: str, endpoint: str | None, blueprint: str | None,
                    path: str) -> dict[str, str]:
        """The policy headers of a response (for answers made outside Flask: the page cache)."""
        return self.headers[policy_name(mimetype, endpoint, blueprint, path)]

    def response_headers(self, mimetype: str, endpoint: str | None, blueprint: str | None,
                         path: str, *, secure: bool = False) -> dict[str, str]:
        """Every security header the app sends on such a response: its policy's and those all
        responses share, HSTS when ``secure``. For servers outside the app (the kiosk bundle's)."""
        headers = {**self.headers_for(mimetype, endpoint, blueprint, path), **COMMON_HEADERS}
        if secure:
            headers["Strict-Transport-Security"] = HSTS
        return headers

    def after_request(self, response: Response) -> Response:
        """Set the policy of the Flask response to this request."""
        response.headers.update(self.headers[policy_name(response.mimetype, request.endpoint,
                                                         request.blueprint, request.path)])
        return response

    def wsgi(self, wsgi_app: Callable) -> Callable:
        """Wrap ``wsgi_app`` (WhiteNoise and the app) so that every response gets the headers."""

        def app_with_headers(environ, start_response):
            secure = environ.get("wsgi.url_scheme") == "https"

            def start(status, response_headers, exc_info=None):
                headers = Headers(response_headers)
                path = environ.get("PATH_INFO", "")
                # Not from Flask (an asset or a medium), or a medium whatever answered it.
                if "Content-Security-Policy" not in headers or path.startswith(MEDIA_PREFIX):
                    mimetype = headers.get("Content-Type", "").split(";")[0].strip()
                    headers.update(self.headers[policy_name(mimetype, None, None, path)])
                headers.update(COMMON_HEADERS)
                if secure:
                    headers["Strict-Transport-Security"] = HSTS
                return start_response(status, headers.to_wsgi_list(), exc_info)

            return wsgi_app(environ, start)

        return app_with_headers


def policy_name(mimetype: str, endpoint: str | None, blueprint: str | None, path: str) -> str:
    """Which policy a response gets: media by path, whatever their type; then by route where
    one differs, by surface, then by type."""
    if path.startswith(MEDIA_PREFIX):
        return "media"
    if mimetype == "application/pdf":
        return "pdf"
    if endpoint in ENDPOINT_POLICIES:
        return ENDPOINT_POLICIES[endpoint]
    if mimetype not in HTML_TYPES:
        return "files"
    if blueprint in BLUEPRINT_POLICIES:
        return BLUEPRINT_POLICIES[blueprint]
    return next((name for prefix, name in PATH_POLICIES if path.startswith(prefix)), "public")


def init_app(app: Flask) -> None:
    """Set the security headers on every response; trust TRUSTED_PROXIES proxies' forwarding.

    Runs last in the factory: the middleware must wrap WhiteNoise, and ProxyFix everything.
    Raises ValueError on an invalid FRAME_ANCESTORS or TRUSTED_PROXIES, at start.
    """
    security = SecurityHeaders(app)
    app.extensions["exhibit.security"] = security
    app.after_request(security.after_request)
    app.wsgi_app = security.wsgi(app.wsgi_app)
    proxies = app.config["TRUSTED_PROXIES"]
    if isinstance(proxies, bool) or not isinstance(proxies, int) or proxies < 0:
        raise ValueError(f"TRUSTED_PROXIES: {proxies!r} is not a number of proxies (0 or more)")
    if proxies:
        # Only the headers a proxy sets: X-Forwarded-Host is left alone, so a client cannot
        # choose the host in generated links; the proxy passes Host as it is.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
