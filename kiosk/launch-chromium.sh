#!/usr/bin/env bash
# Start Debian's Chromium full screen on the exhibit kiosk, as a hall screen should run it.
# The DevTools port is bound to 127.0.0.1: only the watchdog on this machine reads it.
#   usage: kiosk/launch-chromium.sh [SERVER_URL] [KIOSK_ID]
#   e.g.   kiosk/launch-chromium.sh http://192.0.2.10:5000 hall-a-left
# Environment (all optional): EXHIBIT_KIOSK_PROFILE (the profile directory),
# EXHIBIT_KIOSK_DEVTOOLS_PORT (9222), EXHIBIT_KIOSK_BROWSER (chromium), EXHIBIT_KIOSK_EXTRA_FLAGS
# (appended, split on spaces; tests add --headless here).
set -euo pipefail
server="${1:-http://127.0.0.1:5000}"
kiosk_id="${2:-$(hostname)}"
# A persistent profile on disk (never incognito or tmpfs): the kiosk's cache and its queue of
# visit records must survive a restart or a power cut.
profile="${EXHIBIT_KIOSK_PROFILE:-$HOME/.local/share/exhibit-kiosk/profile}"
mkdir -p "$profile/Default"

# Persistent storage. On a fresh profile Chromium refuses navigator.storage.persist() (it grants
# it to sites it judges important: bookmarked, installed, with notifications allowed...), so the
# browser could evict the offline copy and the unsent visit records under disk pressure. The
# launcher grants the server's origin the "durable storage" permission in the profile's
# preferences before Chromium starts (Chromium is not running: it would rewrite the file). Checked
# with Debian's chromium 156: persisted() is then true (tests/test_kiosk_storage.py); the operator
# screen shows it ("Persistent storage: granted").
python3 - "$profile/Default/Preferences" "$server" <<'PY'
import json, sys
from urllib.parse import urlsplit
path, server = sys.argv[1], sys.argv[2]
url = urlsplit(server)
port = url.port or (443 if url.scheme == "https" else 80)
origin = f"{url.scheme}://{url.hostname}:{port}"
try:
    with open(path, encoding="utf-8") as handle:
        prefs = json.load(handle)
except (FileNotFoundError, ValueError):
    prefs = {}
exceptions = prefs.setdefault("profile", {}).setdefault("content_settings", {}) \
    .setdefault("exceptions", {})
exceptions.setdefault("durable_storage", {})[f"{origin},*"] = {"setting": 1}  # 1: allow
with open(path + ".exhibit", "w", encoding="utf-8") as handle:
    json.dump(prefs, handle)
import os
os.replace(path + ".exhibit", path)
PY

# The browser's flags, one list: the launcher runs it, tests/test_kiosk_storage.py reads it.
flags=(
  --kiosk "$server/kiosk/?kiosk=$kiosk_id"
  --user-data-dir="$profile"
  --no-first-run --no-default-browser-check
  --disable-infobars --noerrdialogs --disable-session-crashed-bubble
  --disable-translate --disable-features=Translate,TranslateUI,OverscrollHistoryNavigation
  --overscroll-history-navigation=0 --disable-pinch
  --disable-background-networking --disable-component-update --disable-sync
  --autoplay-policy=no-user-gesture-required
  --check-for-update-interval=31536000
  --remote-debugging-address=127.0.0.1 --remote-debugging-port="${EXHIBIT_KIOSK_DEVTOOLS_PORT:-9222}"
)
read -ra extra <<< "${EXHIBIT_KIOSK_EXTRA_FLAGS:-}"
exec "${EXHIBIT_KIOSK_BROWSER:-chromium}" "${flags[@]}" "${extra[@]}"
