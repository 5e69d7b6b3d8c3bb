#!/usr/bin/env python3
"""The kiosk's watchdog: restart Chromium when the kiosk page stops answering.

Run every 30 s by exhibit-kiosk-watchdog.timer. It reads the page list of Chromium's DevTools
endpoint (on 127.0.0.1 only, see launch-chromium.sh) and the heartbeat the kiosk page writes
into its title every 10 s. No page, a stale heartbeat or no answer at all → restart the kiosk
service. The server's /healthz is checked and logged too, but a server that is down is not a
reason to restart: the kiosk runs from its offline copy and sends its records later. Only when
the page is also gone (for example the first boot, before there is an offline copy) does the
restart help, and then it happens because of the page.

Python standard library only: it runs on a bare Debian or Ubuntu mini-PC.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request

DEVTOOLS = os.environ.get("EXHIBIT_KIOSK_DEVTOOLS", "http://127.0.0.1:9222")
SERVER = os.environ.get("EXHIBIT_KIOSK_SERVER", "http://127.0.0.1:5000")
# The page writes its heartbeat every 10 s; three missed beats mean it is hung, not just busy.
STALE_AFTER_S = 35
# The page's title ends with "♥ <unix time>" (it begins with the exhibition's name, for screen
# readers; older kiosk pages wrote "exhibit kiosk <id> ♥ <time>", which matches too).
HEARTBEAT = re.compile(r"\u2665 (\d+)\s*$")


def _get(url: str, timeout: float = 5.0):
    with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - local URLs
        return response.status, response.read()


def check(devtools: str = DEVTOOLS, server: str = SERVER, now: float | None = None) -> tuple[str, str]:
    """('ok' | 'restart', why). Pure enough to test: pass the endpoints and the time."""
    now = time.time() if now is None else now
    try:
        status, body = _get(f"{server}/healthz")
        server_ok = status == 200
    except OSError:
        server_ok = False
    try:
        _, body = _get(f"{devtools}/json/list")
        targets = json.loads(body)
    except (OSError, ValueError):
        return "restart", "Chromium does not answer (no DevTools list)"
    pages = [t for t in targets if t.get("type") == "page" and "/kiosk/" in t.get("url", "")]
    if not pages:
        return "restart", "no kiosk page open" + ("" if server_ok else " (server down too)")
    beats = [int(m.group(1)) for t in pages if (m := HEARTBEAT.search(t.get("title", "")))]
    if not beats:
        return "restart", "the kiosk page has no heartbeat (still loading, or an error page)"
    age = now - max(beats)
    if age > STALE_AFTER_S:
        return "restart", f"the kiosk page is hung (last heartbeat {age:.0f} s ago)"
    return "ok", "kiosk page alive" + ("" if server_ok else "; server unreachable: working offline")


def main() -> int:
    verdict, why = check()
    print(f"exhibit-kiosk watchdog: {verdict}: {why}", flush=True)
    if verdict == "restart":
        subprocess.run(["systemctl", "--user", "restart", "exhibit-kiosk.service"], check=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
