// The topic page's visit record: one page view (with the channel it came from), the time the panel
// was actually visible, and arrivals from QR codes. No cookies, no storage, nothing identifying.

import { event } from "../shared/events.js";

const meta = document.querySelector('meta[name="exhibit-events"]');
const url = meta && meta.content;
const sameOrigin = Boolean(url) && new URL(url, location.href).origin === location.origin;
const page = document.body.dataset;
const lang = page.lang;
const panel = page.panel || undefined;

function send(events) {
  if (!url) return;
  const body = JSON.stringify({ events });
  const blob = new Blob([body], { type: "application/json" });
  // sendBeacon survives the page closing; fetch is the fallback. A frozen copy may post to the
  // server of the record on another origin: sendBeacon would send cookies there, so it uses fetch
  // without credentials (keepalive also outlives the page).
  if (sameOrigin && navigator.sendBeacon && navigator.sendBeacon(url, blob)) return;
  fetch(url, {
    method: "POST", body, headers: { "Content-Type": "application/json" }, keepalive: true, credentials: "omit",
  }).catch(() => {});
}

const params = new URLSearchParams(location.search);
const src = (params.get("src") || "").toLowerCase().replace(/[^a-z0-9-]/g, "").slice(0, 32) || undefined;
const common = { lang, ...(panel ? { panel } : {}) };
const arrival = [
  event("page_view", "web", {
    path: location.pathname.slice(0, 300), // a kiosk visit taken home has its panels in its path
    ...common,
    ...(src ? { src } : {}),
    ...(document.referrer ? { referrer: document.referrer.slice(0, 500) } : {}),
  }),
];
if (panel && (src === "print-qr" || src === "kiosk-qr")) {
  arrival.push(event("qr_arrival", "web", { ...common, src }));
} else if (src === "kiosk-qr" && document.body.classList.contains("page-visit")) {
  // A kiosk visit taken home (/<lang>/visit/...): an arrival from the kiosk, for no one panel.
  arrival.push(event("qr_arrival", "web", { lang, src }));
}
send(arrival);

// Dwell: only the time the page was visible counts.
if (panel) {
  let visibleSince = document.visibilityState === "visible" ? performance.now() : null;
  let dwell = 0;
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") {
      visibleSince = performance.now();
    } else if (visibleSince !== null) {
      dwell += performance.now() - visibleSince;
      visibleSince = null;
      if (dwell >= 1000) {
        send([event("panel_view", "web", { ...common, dwell_ms: Math.round(dwell) })]);
        dwell = 0;
      }
    }
  });
}
