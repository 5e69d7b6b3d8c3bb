// The operator's screen: five quick taps in the top-left corner, then the PIN. It shows what the
// hall staff need when something seems wrong: kiosk id, content version, cache, queued records,
// last sync, whether the browser keeps the storage. Visitors never see it.

import { on } from "./bus.js";
import { sha256Hex } from "./sha256.js";

const TAPS = 5;
const WITHIN_MS = 3000;
const CORNER_PX = 90;

export function operatorScreen({ pinSha256, status, actions }) {
  const pinPad = document.getElementById("k-pin");
  const panel = document.getElementById("k-operator");
  const digits = pinPad.querySelector("[data-digits]");
  let taps = [];
  let entered = "";
  if (!pinSha256) return { open: () => {} };

  // The next visitor must not find the PIN pad or the operator's screen: the reset closes both.
  on("reset", () => {
    entered = "";
    digits.textContent = "";
    pinPad.hidden = true;
    panel.hidden = true;
  });

  document.addEventListener("pointerdown", (event) => {
    if (event.clientX > CORNER_PX || event.clientY > CORNER_PX) return;
    const now = Date.now();
    taps = taps.filter((t) => now - t < WITHIN_MS).concat(now);
    if (taps.length >= TAPS) {
      taps = [];
      entered = "";
      digits.textContent = "";
      pinPad.hidden = false;
    }
  }, true);

  pinPad.addEventListener("click", (event) => {
    const key = event.target.closest("button");
    if (!key) return;
    if (key.dataset.key === "cancel") {
      pinPad.hidden = true;
    } else if (key.dataset.key === "ok") {
      pinPad.hidden = true;
      if (sha256Hex(entered) === pinSha256) open();
    } else if (entered.length < 12) {
      entered += key.dataset.key;
      digits.textContent = "•".repeat(entered.length);
    }
  });

  panel.addEventListener("click", async (event) => {
    const button = event.target.closest("button[data-op]");
    if (!button) return;
    if (button.dataset.op === "close") panel.hidden = true;
    else await actions[button.dataset.op]();
    if (!panel.hidden) render();
  });

  async function render() {
    const rows = await status();
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
    try {
      await render();
    } finally {
      panel.hidden = false;
    }
  }
  return { open };
}
