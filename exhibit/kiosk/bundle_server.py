#!/usr/bin/env python3
"""Serve an exhibit kiosk bundle from a USB stick, with no exhibit server in the hall.

    python3 serve.py [--port 8000]

then open http://127.0.0.1:8000/kiosk/?kiosk=<id> full screen (launch-chromium.sh does it).
Visit events are appended to visits.jsonl next to this file, one per line, each id once; bring
that file back and load it with `exhibit import visits visits.jsonl` (duplicates are ignored).

Python standard library only: it runs on any mini-PC with python3.
"""

from __future__ import annotations

import argparse
import json
import mimetypes
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

HERE = Path(__file__).resolve().parent
SITE = HERE / "site"
LOG = HERE / "visits.jsonl"
MAX_BODY = 1_000_000  # the server's own limit for a batch
mimetypes.add_type("text/vtt", ".vtt")
mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("image/webp", ".webp")


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

    def _send(self, status: int, body: bytes, content_type: str, headers: dict | None = None):
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
            path = f"/api/v1/panels.{lang}.json"
        elif path == "/kiosk/precache.json":
            path = "/kiosk/precache.json"
        target = (SITE / path.lstrip("/")).resolve()
        if not target.is_relative_to(SITE) or not target.is_file():  # no ../ out of the bundle
            return None
        return target

    def do_GET(self):  # noqa: N802 - http.server's naming
        if urlsplit(self.path).path == "/healthz":
            return self._send(200, b'{"status": "ok"}', "application/json")
        target = self._file_for(self.path)
        if target is None:
            return self._send(404, b"not found", "text/plain")
        data = target.read_bytes()
        kind = "application/json" if target.suffix == ".json" else (
            mimetypes.guess_type(target.name)[0] or "application/octet-stream")
        if target.suffix == ".html":
            kind = "text/html; charset=utf-8"
        range_header = self.headers.get("Range", "")
        if range_header.startswith("bytes="):
            start_text, _, end_text = range_header[6:].partition("-")
            start = int(start_text or 0)
            end = min(int(end_text) if end_text else len(data) - 1, len(data) - 1)
            return self._send(206, data[start:end + 1], kind, {
                "Content-Range": f"bytes {start}-{end}/{len(data)}", "Accept-Ranges": "bytes"})
        return self._send(200, data, kind)

    do_HEAD = do_GET

    def do_POST(self):  # noqa: N802
        if urlsplit(self.path).path != "/api/v1/events":
            return self._send(404, b"not found", "text/plain")
        length = int(self.headers.get("Content-Length") or 0)
        if length > MAX_BODY:
            return self._send(413, b'{"error": "body too large"}', "application/json")
        try:
            payload = json.loads(self.rfile.read(length))
            events = payload["events"]
            assert isinstance(events, list)
        except (ValueError, KeyError, TypeError, AssertionError):
            return self._send(400, b'{"error": "expected {\\"events\\": [...]}"}', "application/json")
        results = self.log.add(events)
        body = json.dumps({"results": results}).encode()
        return self._send(200, body, "application/json")

    def log_message(self, *args):  # quiet: a kiosk has nobody reading its console
        pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args()
    Handler.log = VisitLog(LOG)
    server = ThreadingHTTPServer((args.host, args.port), Handler)
    print(f"exhibit kiosk bundle on http://{args.host}:{server.server_port}/kiosk/  "
          f"(visits → {LOG})", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
