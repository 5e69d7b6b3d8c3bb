#!/usr/bin/env bash
# Start Debian's Chromium full screen on the exhibit kiosk, as a hall screen should run it.
# The DevTools port is bound to 127.0.0.1: only the watchdog on this machine reads it.
#   usage: kiosk/launch-chromium.sh [SERVER_URL] [KIOSK_ID]
#   e.g.   kiosk/launch-chromium.sh http://192.0.2.10:5000 hall-a-left
set -euo pipefail
server="${1:-http://127.0.0.1:5000}"
kiosk_id="${2:-$(hostname)}"
# A persistent profile on disk (never incognito or tmpfs): the kiosk's cache and its queue of
# visit records must survive a restart or a power cut.
profile="${EXHIBIT_KIOSK_PROFILE:-$HOME/.local/share/exhibit-kiosk/profile}"
mkdir -p "$profile"

exec chromium \
  --kiosk "$server/kiosk/?kiosk=$kiosk_id" \
  --user-data-dir="$profile" \
  --no-first-run --no-default-browser-check \
  --disable-infobars --noerrdialogs --disable-session-crashed-bubble \
  --disable-translate --disable-features=Translate,TranslateUI,OverscrollHistoryNavigation \
  --overscroll-history-navigation=0 --disable-pinch \
  --disable-background-networking --disable-component-update --disable-sync \
  --autoplay-policy=no-user-gesture-required \
  --check-for-update-interval=31536000 \
  --remote-debugging-address=127.0.0.1 --remote-debugging-port=9222
