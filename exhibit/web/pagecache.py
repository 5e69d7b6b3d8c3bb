"""Rendered public pages kept as bytes, with strong ETags and pre-compressed copies.

Published content changes a few times a month and is read millions of times, so a page is
rendered once per published version and language, then served from memory. The key holds the
fingerprint of :func:`exhibit.review.public_exhibition`: publishing a new version (or a content
reload, or a decision recorded by another worker) gives a new fingerprint, so a stale page can never
be served — the old entries are simply dropped.

Each entry keeps the page as rendered plus its gzip and Brotli encodings, made once, so a cached
request costs a dict lookup and a header or two. The identity bytes are exactly what ``exhibit
freeze`` writes to disk (tests compare them).
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import brotli
from flask import Flask, Response, current_app, make_response, request
from werkzeug.http import parse_accept_header, parse_etags, quote_etag

from ..publication import public_exhibition

# Pages are small and few (languages × panels), so a plain LRU by count is enough: 16 panels in
# three languages plus topic, feedback and sitemap pages are about 60 entries of ~30 KB × 3.
MAX_ENTRIES = 1024


# Cached pages are compressed once, so the best ratio is worth its time; a page rendered for one
# request only (cache off) is compressed fast, as a server compressing on the fly would.
BEST = {"br": 11, "gzip": 9}
FAST = {"br": 4, "gzip": 6}
ETAG_SUFFIX = {"br": "-br", "gzip": "-gz"}


def _compress(body: bytes, encoding: str, level: int) -> bytes:
    if encoding == "br":
        return brotli.compress(body, quality=level)
    return gzip.compress(body, compresslevel=level, mtime=0)


@dataclass(frozen=True)
class CachedPage:
    """One rendered page in the encodings we serve it in, with the ETag of each."""

    body: bytes
    content_type: str  # as Flask sent it: "text/html; charset=utf-8"
    endpoint: str  # the view that made it (its security policy depends on it)
    digest: str  # of the identity body; each encoding's ETag adds its name
    encoded: dict[str, bytes]

    @classmethod
    def of(cls, body: bytes, content_type: str, endpoint: str, encodings=("br", "gzip"),
           levels=BEST) -> CachedPage:
        return cls(body=body, content_type=content_type, endpoint=endpoint,
                   digest=hashlib.sha256(body).hexdigest()[:32],
                   encoded={e: _compress(body, e, levels[e]) for e in encodings})

    @property
    def mimetype(self) -> str:
        return self.content_type.split(";", 1)[0].strip()

    def representation(self, accept_encoding) -> tuple[bytes, str | None, str]:
        """The body, its Content-Encoding and its strong ETag for what the client accepts.

        Each encoding is its own representation, so each has its own ETag (RFC 9110 §8.8.3): a
        cache must never answer a gzip request with a Brotli body because the tags matched.
        """
        encoding = preferred_encoding(accept_encoding, self.encoded)
        if encoding is None:
            return self.body, None, self.digest
        return self.encoded[encoding], encoding, self.digest + ETAG_SUFFIX[encoding]


def preferred_encoding(accept_encoding, available) -> str | None:
    """Brotli if the client takes it (smaller), else gzip, else none."""
    for encoding in ("br", "gzip"):
        if encoding in available and accept_encoding[encoding]:
            return encoding
    return None


class PageCache:
    """Rendered pages by (fingerprint, path); all entries of an older fingerprint are dropped."""

    def __init__(self, max_entries: int = MAX_ENTRIES):
        self.max_entries = max_entries
        self._pages: OrderedDict[str, CachedPage] = OrderedDict()
        self._fingerprint: str | None = None
        self._lock = threading.Lock()
        # path -> (its render lock, threads holding or waiting for it)
        self._rendering: dict[str, tuple[threading.Lock, int]] = {}
        self.hits = 0
        self.misses = 0

    def get(self, fingerprint: str, path: str) -> CachedPage | None:
        with self._lock:
            if fingerprint != self._fingerprint:
                self._pages.clear()
                self._fingerprint = fingerprint
                self.misses += 1
                return None
            page = self._pages.get(path)
            if page is None:
                self.misses += 1
                return None
            self._pages.move_to_end(path)
            self.hits += 1
            return page

    def peek(self, path: str) -> CachedPage | None:
        """The page kept for ``path`` under whatever fingerprint, without counting: a cheap
        first test before the fingerprint is asked for."""
        return self._pages.get(path)

    def put(self, fingerprint: str, path: str, page: CachedPage) -> None:
        with self._lock:
            if fingerprint != self._fingerprint:
                return  # published content changed while this page was rendering: don't keep it
            self._pages[path] = page
            self._pages.move_to_end(path)
            while len(self._pages) > self.max_entries:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self._fingerprint = None

    @contextmanager
    def rendering(self, path: str) -> Iterator[None]:
        """Hold the render of ``path``: one thread of a worker renders a page at a time.

        Right after a publication every request misses, and with several threads per worker
        each would render the same page and compress it with Brotli at its best level (~40 ms)
        at once; the others wait here and then find it kept. The lock is dropped when no thread
        holds or wants it, so paths of pages that do not exist (404s) never pile up.
        """
        with self._lock:
            lock, users = self._rendering.get(path, (None, 0))
            lock = lock or threading.Lock()
            self._rendering[path] = (lock, users + 1)
        try:
            with lock:
                yield
        finally:
            with self._lock:
                lock, users = self._rendering[path]
                if users == 1:
                    del self._rendering[path]
                else:
                    self._rendering[path] = (lock, users - 1)


def page_cache() -> PageCache:
    return current_app.extensions["exhibit.page_cache"]


def cache_control() -> str:
    """Browsers ask again every time (a 304 is cheap); a CDN or proxy may hold the page for
    ``PAGE_CDN_SECONDS`` and serve it a little stale while it fetches the new one."""
    seconds = int(current_app.config["PAGE_CDN_SECONDS"])
    if not seconds:
        return "public, no-cache"
    return f"public, max-age=0, s-maxage={seconds}, stale-while-revalidate={seconds}"


def cached_page(view: Callable[..., object]) -> Callable[..., Response]:
    """Serve a public page from the render cache, with a strong ETag and ``304 Not Modified``.

    Only 200 answers are kept (a 404 for a typo must not fill the cache). With ``PAGE_CACHE``
    off the page is rendered each time but still gets the same headers, so the only difference
    measured by the benchmarks is the rendering.
    """

    @functools.wraps(view)
    def wrapper(*args, **kwargs) -> Response:
        fingerprint = public_exhibition().fingerprint
        if not current_app.config["PAGE_CACHE"]:
            response = make_response(view(*args, **kwargs))
            if response.status_code != 200 or response.is_streamed:
                return response
            wanted = preferred_encoding(request.accept_encodings, BEST)
            return serve(CachedPage.of(response.get_data(), response.content_type,
                                       request.endpoint, (wanted,) if wanted else (), FAST))
        cache = page_cache()
        page = cache.get(fingerprint, request.path)
        if page is None:
            with cache.rendering(request.path):
                # another thread may have rendered it while this one waited
                page = cache.get(fingerprint, request.path)
                if page is None:
                    response = make_response(view(*args, **kwargs))
                    if response.status_code != 200 or response.is_streamed:
                        return response
                    page = CachedPage.of(response.get_data(), response.content_type,
                                         request.endpoint)
                    cache.put(fingerprint, request.path, page)
        return serve(page)

    return wrapper


def serve(page: CachedPage) -> Response:
    """A response for a cached page: the encoding the client takes, ETag, Vary, 304 when fresh."""
    body, encoding, etag = page.representation(request.accept_encodings)
    response = current_app.response_class(body, content_type=page.content_type)
    if encoding:
        response.headers["Content-Encoding"] = encoding
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Cache-Control"] = cache_control()
    response.set_etag(etag)
    return response.make_conditional(request)


class FastPath:
    """WSGI: answer a GET or HEAD for a page already in the render cache before Flask runs.

    The benchmarks found a cached page spending most of its time in Flask's request machinery
    (context, routing, session, hooks, ``make_conditional``), not in the cache: this answers with
    the same bytes and headers as :func:`serve` does through Flask — the same ETags and 304s, the
    same security policy (``exhibit/security.py`` adds the headers shared by every response
    around it) — after the same fingerprint check, so a new publication is never missed. A page
    not in the cache goes to Flask, which renders and keeps it. ``tests/test_pagecache.py``
    checks the two paths give identical answers.
    """

    def __init__(self, app: Flask, wsgi_app):
        self.app = app
        self.wsgi_app = wsgi_app
        self.cache: PageCache = app.extensions["exhibit.page_cache"]

    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        path = environ.get("PATH_INFO", "")
        if method in ("GET", "HEAD") and self.cache.peek(path) is not None and \
                self.app.config["PAGE_CACHE"]:
            with self.app.app_context():
                fingerprint = public_exhibition(self.app).fingerprint
            page = self.cache.get(fingerprint, path)
            if page is not None:
                return self._answer(page, environ, start_response, body=method == "GET")
        return self.wsgi_app(environ, start_response)

    def _answer(self, page: CachedPage, environ, start_response, body: bool):
        accept = parse_accept_header(environ.get("HTTP_ACCEPT_ENCODING"))
        data, encoding, etag = page.representation(accept)
        headers = [("Vary", "Accept-Encoding"), ("Cache-Control", self._cache_control()),
                   ("ETag", quote_etag(etag))]
        security = self.app.extensions.get("exhibit.security")
        if security is not None:
            headers += security.headers_for(page.mimetype, page.endpoint, "web",
                                            environ.get("PATH_INFO", "")).items()
        if parse_etags(environ.get("HTTP_IF_NONE_MATCH")).contains_weak(etag):
            start_response("304 NOT MODIFIED", headers)
            return []
        headers += [("Content-Type", page.content_type), ("Content-Length", str(len(data)))]
        if encoding:
            headers.append(("Content-Encoding", encoding))
        start_response("200 OK", headers)
        return [data] if body else []

    def _cache_control(self) -> str:
        with self.app.app_context():
            return cache_control()


def install_fast_path(app: Flask) -> None:
    """Put :class:`FastPath` in front of the app's WSGI stack (inside the security headers)."""
    app.wsgi_app = FastPath(app, app.wsgi_app)
