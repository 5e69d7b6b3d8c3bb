#!/usr/bin/env python3
"""Serve an exhibit kiosk bundle from a USB stick, with no exhibit server in the hall.

    python3 serve.py [--port 8000]

then open http://127.0.0.1:8000/kiosk/?kiosk=<id> full screen (launch-chromium.sh does it).
Visit events are appended to visits.jsonl next to this file, one per line, each id once; bring
that file back and load it with `exhibit import visits visits.jsonl` (duplicates are ignored).
The kiosk's heartbeat (its state for the fleet console) is kept, latest only, in kiosk-state.json.

Every response carries the security headers the exhibit server would send for its kind (page,
service worker, JSON, file, medium, PDF, error), read at start from security-headers.json, which
`exhibit kiosk bundle` writes from exhibit/security.py. Without that file (a bundle made by an
older version) a strict minimum is sent instead, and the server says so.

Python standard library only: it runs on any mini-PC with python3.
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import os
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

HERE = Path(__file__).resolve().parent
SITE = HERE / "site"
LOG = HERE / "visits.jsonl"
STATE = HERE / "kiosk-state.json"  # the kiosks' latest heartbeats (the fleet console's fields)
HEARTBEAT = re.compile(r"/api/v1/kiosks/([A-Za-z0-9_-]{1,64})/heartbeat")
LOCK = threading.Lock()  # one writer of kiosk-state.json at a time
HEADERS_FILE = HERE / "security-headers.json"
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*")  # zh, en, fr, zh-Hant
MAX_BODY = 1_000_000  # the server's own limit for a batch
mimetypes.add_type("text/vtt", ".vtt")
mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("image/webp", ".webp")


# The kinds of response, and what each gets when security-headers.json is missing: nothing may
# frame, sniff or plug in; everything else only from this server.
KINDS = ("page", "worker", "json", "file", "media", "pdf", "error")
MINIMUM = {
    "Content-Security-Policy": "default-src 'self'; object-src 'none'; base-uri 'none'; "
                               "frame-ancestors 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


def load_security_headers(path: Path) -> dict[str, dict[str, str]]:
    """The headers of each kind of response, from ``path``; the minimum (said on stderr) when the
    file is missing or unreadable, or for a kind it does not name."""
    try:
        kinds = json.loads(path.read_text(encoding="utf-8"))["kinds"]
        if not all(isinstance(headers, dict) and all(
                isinstance(name, str) and isinstance(value, str) and "\n" not in value + name
                and "\r" not in value + name for name, value in headers.items())
                for headers in kinds.values()):
            raise ValueError("not a table of header names and values")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        why = "missing" if isinstance(error, FileNotFoundError) else f"unreadable ({error!r})"
        print(f"serve.py: {path} {why}: sending only a strict minimum of security "
              "headers — make the bundle again with `exhibit kiosk bundle`", file=sys.stderr,
              flush=True)
        kinds = {}
    return {kind: dict(kinds.get(kind) or MINIMUM) for kind in KINDS}


class VisitLog:
    """visits.jsonl: append-only, each event id once, flushed to disk before it is acknowledged."""

    def __init__(self, path: Path):
        self.path = path
        self.lock = threading.Lock()
        self.ids: set[str] = set()
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                try:
                    self.ids.add(json.loads(line)["id"])
                except (ValueError, KeyError, TypeError):
                    continue

    def add(self, events: list) -> list[dict]:
        results = []
        with self.lock, self.path.open("a", encoding="utf-8") as fh:
            for index, event in enumerate(events):
                event_id = event.get("id") if isinstance(event, dict) else None
                if not isinstance(event_id, str) or not event_id:
                    results.append({"index": index, "status": "rejected", "error": "field 'id': missing"})
                elif event_id in self.ids:
                    results.append({"index": index, "id": event_id, "status": "duplicate"})
                else:
                    fh.write(json.dumps(event, ensure_ascii=False) + "\n")
                    self.ids.add(event_id)
                    results.append({"index": index, "id": event_id, "status": "stored"})
            fh.flush()
            os.fsync(fh.fileno())
        return results


class Handler(BaseHTTPRequestHandler):
    log: VisitLog
    security: dict[str, dict[str, str]] = {kind: MINIMUM for kind in KINDS}
    server_version = "exhibit-kiosk-bundle"  # no Python version in the Server header
    sys_version = ""
    kind = "error"  # of the response being sent: which security headers it gets

    def end_headers(self):
        """Every response, http.server's own errors too, gets the headers of its kind."""
        for name, value in self.security[self.kind].items():
            self.send_header(name, value)
        super().end_headers()

    def send_error(self, code, message=None, explain=None):
        self.kind = "error"
        super().send_error(code, message, explain)

    def _send(self, status: int, body: bytes, content_type: str, headers: dict | None = None,
              kind: str = "error"):
        self.kind = kind
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _file_for(self, url: str) -> Path | None:
        parts = urlsplit(url)
        path = parts.path
        if path == "/kiosk/":
            path = "/kiosk/index.html"
        elif path == "/api/v1/panels":
            lang = parse_qs(parts.query).get("lang", [""])[0]
            if not LANGUAGE_TAG.fullmatch(lang):  # a language tag, never a piece of a path
                return None
            path = f"/api/v1/panels.{lang}.json"
        elif path == "/kiosk/precache.json":
            path = "/kiosk/precache.json"
        try:
            target = (SITE / path.lstrip("/")).resolve()
            if not target.is_relative_to(SITE) or not target.is_file():  # no ../ out of the bundle
                return None
        except (OSError, ValueError):  # a NUL byte, a name too long: no such file
            return None
        return target

    def do_GET(self):  # noqa: N802 - http.server's naming
        path = urlsplit(self.path).path
        if path == "/healthz":
            return self._send(200, b'{"status": "ok"}', "application/json", kind="json")
        target = self._file_for(self.path)
        if target is None:
            return self._send(404, b"not found", "text/plain")
        data = target.read_bytes()
        kind = {".html": "page", ".json": "json", ".pdf": "pdf"}.get(target.suffix, "file")
        if path == "/kiosk/sw.js":
            kind = "worker"
        content_type = "application/json" if target.suffix == ".json" else (
            mimetypes.guess_type(target.name)[0] or "application/octet-stream")
        if target.suffix == ".html":
            content_type = "text/html; charset=utf-8"
        if path.startswith("/media/"):
            # Files from the content, whatever their name says: sandboxed, and never a page.
            kind = "media"
            if content_type.startswith(("text/html", "application/xhtml", "image/svg",
                                        "text/javascript", "application/javascript")):
                content_type = "application/octet-stream"
        range_header = self.headers.get("Range", "")
        if range_header.startswith("bytes="):
            start_text, _, end_text = range_header[6:].partition("-")
            try:
                if start_text:
                    start = int(start_text)
                    end = min(int(end_text) if end_text else len(data) - 1, len(data) - 1)
                else:  # bytes=-N: the last N bytes
                    start, end = max(len(data) - int(end_text), 0), len(data) - 1
            except ValueError:  # not a range we read: the whole file, as RFC 9110 allows
                return self._send(200, data, content_type, kind=kind)
            if start < 0 or start > end:
                return self._send(416, b"range not satisfiable", "text/plain",
                                  {"Content-Range": f"bytes */{len(data)}"})
            return self._send(206, data[start:end + 1], content_type, {
                "Content-Range": f"bytes {start}-{end}/{len(data)}", "Accept-Ranges": "bytes"},
                kind=kind)
        return self._send(200, data, content_type, kind=kind)

    do_HEAD = do_GET

    def _heartbeat(self, kiosk_id: str):
        """The kiosk's state for the fleet console: with no server in the hall, the latest one
        per kiosk is kept in kiosk-state.json beside visits.jsonl, for whoever collects it."""
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if not 0 < length <= 4096:
            self.close_connection = True
            return self._send(413 if length > 4096 else 400, b'{"error": "bad heartbeat"}',
                              "application/json", {"Connection": "close"})
        try:
            state = json.loads(self.rfile.read(length))
            assert isinstance(state, dict)
        except (ValueError, AssertionError):
            return self._send(400, b'{"error": "not a JSON object"}', "application/json")
        with LOCK:
            try:
                states = json.loads(STATE.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                states = {}
            states[kiosk_id] = state
            STATE.write_text(json.dumps(states, indent=1, sort_keys=True), encoding="utf-8")
        return self._send(200, json.dumps({"kiosk": kiosk_id, "latest": True}).encode(),
                          "application/json", kind="json")

    def do_POST(self):  # noqa: N802
        heartbeat = HEARTBEAT.fullmatch(urlsplit(self.path).path)
        if heartbeat:
            return self._heartbeat(heartbeat.group(1))
        if urlsplit(self.path).path != "/api/v1/events":
            return self._send(404, b"not found", "text/plain")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            length = -1
        if length < 0:
            return self._send(400, b'{"error": "bad Content-Length"}', "application/json")
        if length > MAX_BODY:
            # Read the body (up to a few times the limit) before refusing it: answering on a
            # connection with unread data makes the kernel reset it, and the kiosk would see a
            # network failure instead of the 413 that tells it to send smaller batches.
            # A client that announces a body and does not send it gets its answer after a second.
            self.close_connection = True
            remaining = length if length <= 8 * MAX_BODY else 0
            self.connection.settimeout(1.0)
            try:
                while remaining > 0:
                    chunk = self.rfile.read(min(remaining, 1 << 16))
                    if not chunk:
                        break
                    remaining -= len(chunk)
            except TimeoutError:
                pass
            finally:
                self.connection.settimeout(None)
            return self._send(413, b'{"error": "body too large"}', "application/json",
                              {"Connection": "close"})
        try:
            payload = json.loads(self.rfile.read(length))
            events = payload["events"]
            assert isinstance(events, list)
        except (ValueError, KeyError, TypeError, AssertionError):
            return self._send(400, b'{"error": "expected {\\"events\\": [...]}"}', "application/json")
        results = self.log.add(events)
        body = json.dumps({"results": results}).encode()
        return self._send(200, body, "application/json", kind="json")

    def log_message(self, *args):  # quiet: a kiosk has nobody reading its console
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    Handler.log = VisitLog(LOG)
    Handler.security = load_security_headers(HEADERS_FILE)
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    print(f"exhibit kiosk bundle on http://{args.host}:{server.server_port}/kiosk/  "
          f"(visits → {LOG})", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
