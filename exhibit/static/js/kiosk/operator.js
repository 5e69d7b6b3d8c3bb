// The operator's screen: five quick taps in the top-left corner, then the PIN. It shows what the
// hall staff need when something seems wrong: kiosk id, content version, cache, queued records,
// last sync, whether the browser keeps the storage, and what the server received. Visitors
// never see it.
//
// The PIN is checked by the server (POST sessionUrl), never in the page: the page holds neither
// the PIN nor its hash, and the server refuses more than a few wrong PINs (429 with
// Retry-After). A right PIN gets a short-lived token, kept in memory only; the screen asks the
// server for its status with it, and closes when the token has expired or the kiosk resets.

import { on } from "./bus.js";

const TAPS = 5;
const WITHIN_MS = 3000;
const CORNER_PX = 90;

export function operatorScreen({ enabled, kioskId, sessionUrl, statusUrl, strings, status, actions }) {
  const pinPad = document.getElementById("k-pin");
  const panel = document.getElementById("k-operator");
  const digits = pinPad.querySelector("[data-digits]");
  const notice = pinPad.querySelector("[data-notice]");
  let taps = [];
  let entered = "";
  let token = null;
  let expires = 0;
  let checking = false;
  if (!enabled) return { open: () => {} };

  function clearPin() {
    entered = "";
    digits.textContent = "";
  }

  function close() {
    clearPin();
    notice.textContent = "";
    pinPad.hidden = true;
    panel.hidden = true;
    token = null;
  }

  // The next visitor must not find the PIN pad or the operator's screen: the reset closes both.
  on("reset", close);

  document.addEventListener("pointerdown", (event) => {
    if (event.clientX > CORNER_PX || event.clientY > CORNER_PX) return;
    const now = Date.now();
    taps = taps.filter((t) => now - t < WITHIN_MS).concat(now);
    if (taps.length >= TAPS) {
      taps = [];
      clearPin();
      notice.textContent = "";
      pinPad.hidden = false;
    }
  }, true);

  async function check(pin) {
    checking = true;
    try {
      const response = await fetch(sessionUrl, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ kiosk: kioskId, pin }),
        credentials: "same-origin",
        cache: "no-store",
      });
      if (response.ok) {
        const body = await response.json();
        token = body.token;
        expires = Date.now() + body.expires_in * 1000;
        pinPad.hidden = true;
        await open();
      } else if (response.status === 429) {
        const seconds = Number(response.headers.get("Retry-After")) || 900;
        notice.textContent = strings().pin_locked.replace("{m}", Math.ceil(seconds / 60));
      } else {
        notice.textContent = strings().pin_wrong;
      }
    } catch (error) {
      notice.textContent = strings().pin_offline;
    } finally {
      checking = false;
      clearPin();
    }
  }

  pinPad.addEventListener("click", (event) => {
    const key = event.target.closest("button");
    if (!key || checking) return;
    if (key.dataset.key === "cancel") {
      close();
    } else if (key.dataset.key === "ok") {
      check(entered);
    } else if (entered.length < 12) {
      entered += key.dataset.key;
      notice.textContent = "";
      digits.textContent = "•".repeat(entered.length);
    }
  });

  panel.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-op]");
    if (!button) return;
    if (button.dataset.op === "close") close();
    else await actions[button.dataset.op]();
    if (!panel.hidden) await render();
  });

  /** The server's side of the status, with the token; null when the token is no longer good. */
  async function serverStatus() {
    if (!token || Date.now() > expires) return null;
    try {
      const response = await fetch(statusUrl, {
        headers: { Authorization: `Bearer ${token}` }, cache: "no-store",
      });
      if (response.status === 401) return null;
      return response.ok ? await response.json() : {};
    } catch (error) {
      return {}; // the server went away since the PIN: the kiosk's own status still shows
    }
  }

  async function render() {
    const server = await serverStatus();
    if (server === null) return close(); // expired: the PIN again
    const w = strings();
    const rows = {
      ...(await status()),
      [w.op_server]: server.received_24h ?? "?",
      [w.op_server_last]: server.last_received ? new Date(server.last_received).toLocaleString() : w.none,
    };
    const list = panel.querySelector("[data-status]");
    list.replaceChildren(...Object.entries(rows).flatMap(([name, value]) => {
      const dt = document.createElement("dt");
      dt.textContent = name;
      const dd = document.createElement("dd");
      dd.textContent = String(value);
      return [dt, dd];
    }));
  }

  async function open() {
    // Filled first, then shown: the operator never sees an empty list (the queue size comes
    // from IndexedDB, which takes a moment on a busy kiosk).
    await render();
    if (token) panel.hidden = false;
  }
  // The screen closes by itself when the token runs out.
  setInterval(() => { if (!panel.hidden && Date.now() > expires) close(); }, 5000);
  return { open, close, hasToken: () => token !== null && Date.now() <= expires };
}
