// "Take this visit home": a large button on every screen shows a QR code that opens, on the
// visitor's own phone, the list of the panels they looked at in this visit, in the language the
// kiosk shows, in the order they saw them: <PUBLIC_BASE_URL>/<lang>/visit/<slug>.<slug>/?src=kiosk-qr
// (exhibit/web/blueprint.py, `visit`). No login, no account, nothing about the visitor: the list
// travels in the address only, and the arrival is counted like any page view (src=kiosk-qr).
//
// The code is drawn here, in the page (qrcode-generator.js, vendored), not fetched: every visit
// makes a different address, so no server-drawn image could be in the offline cache, and a
// kiosk whose network is down must still hand the visit over (the phone has its own network).
// Error correction M and a 4-module quiet zone, as on the printed panels (exhibit/qr.py).
//
// The list is this visit's: it starts empty, grows with each panel shown (the bus's panel-view),
// and the idle reset (a new visit) empties it and closes the code. Touches on the code count as
// activity for the idle timer like any other, so a visitor scanning it is not reset under it.

import { on } from "./bus.js";
import qrcode from "./qrcode-generator.js";

export const MAX_PANELS = 40; // the page reads no more (MAX_VISIT_PANELS in exhibit/web/blueprint.py)
const QUIET_ZONE = 4;
const SVG_NS = "http://www.w3.org/2000/svg";

/** The address of a visit taken home (the whole exhibition when no panel was opened yet). */
export function visitUrl(baseUrl, lang, slugs) {
  const base = baseUrl.replace(/\/+$/, "");
  const where = slugs.length ? `visit/${slugs.slice(0, MAX_PANELS).join(".")}/` : "";
  return `${base}/${encodeURIComponent(lang)}/${where}?src=kiosk-qr`;
}

/** The QR code of `text` as an SVG element: one path, a viewBox in modules, no fixed size. */
export function qrSvg(text, label) {
  const code = qrcode(0, "M"); // 0: the smallest version that holds the text
  code.addData(text, "Byte");
  code.make();
  const count = code.getModuleCount();
  const size = count + 2 * QUIET_ZONE;
  const runs = [];
  for (let row = 0; row < count; row += 1) {
    let col = 0;
    while (col < count) {
      if (!code.isDark(row, col)) { col += 1; continue; }
      const start = col;
      while (col < count && code.isDark(row, col)) col += 1;
      runs.push(`M${start + QUIET_ZONE} ${row + QUIET_ZONE}h${col - start}v1h-${col - start}z`);
    }
  }
  const svg = document.createElementNS(SVG_NS, "svg");
  svg.setAttribute("viewBox", `0 0 ${size} ${size}`);
  svg.setAttribute("class", "k-takehome-qr");
  svg.setAttribute("role", "img");
  svg.setAttribute("aria-label", label);
  svg.setAttribute("shape-rendering", "crispEdges");
  const background = document.createElementNS(SVG_NS, "rect");
  background.setAttribute("width", size);
  background.setAttribute("height", size);
  background.setAttribute("fill", "#ffffff");
  const path = document.createElementNS(SVG_NS, "path");
  path.setAttribute("fill", "#000000");
  path.setAttribute("d", runs.join(""));
  svg.append(background, path);
  return svg;
}

/**
 * Wire the button and the overlay. `state()` is the kiosk's state (lang, manifest), `strings()`
 * the interface words in the current language.
 */
export function takeHome({ baseUrl, state, strings }) {
  const overlay = document.getElementById("k-takehome");
  const button = document.querySelector("[data-takehome]");
  const code = overlay.querySelector("[data-qr]");
  const what = overlay.querySelector("[data-takehome-what]");
  const list = overlay.querySelector("[data-takehome-list]");
  const closeButton = overlay.querySelector("[data-takehome-close]");
  let seen = [];

  function titles(slugs) {
    const panels = (state().manifest && state().manifest.panels) || [];
    return slugs.map((slug) => (panels.find((p) => p.slug === slug) || { title: slug }).title);
  }

  function open() {
    const { lang } = state();
    const w = strings();
    const url = visitUrl(baseUrl, lang, seen);
    code.dataset.url = url;
    code.replaceChildren(qrSvg(url, w.takehome_title));
    what.textContent = seen.length === 0 ? w.takehome_none
      : seen.length === 1 ? w.one_panel : w.n_panels.replace("{n}", seen.length);
    list.replaceChildren(...titles(seen.slice(0, MAX_PANELS)).map((title) => {
      const item = document.createElement("li");
      item.textContent = title;
      return item;
    }));
    list.hidden = seen.length === 0;
    overlay.hidden = false;
    closeButton.focus({ preventScroll: true });
  }

  /** Hide the code; focus goes back to the button, except at the reset (nobody is there). */
  function close({ refocus = true } = {}) {
    if (overlay.hidden) return;
    const hadFocus = overlay.contains(document.activeElement);
    overlay.hidden = true;
    code.replaceChildren();
    list.replaceChildren();
    delete code.dataset.url;
    if (refocus && hadFocus) button.focus({ preventScroll: true });
  }

  button.addEventListener("click", open);
  // The close button, or a touch anywhere outside the dialog, closes it.
  overlay.addEventListener("click", (event) => {
    if (event.target.closest("[data-takehome-close]") || !event.target.closest(".k-dialog")) close();
  });
  overlay.addEventListener("keydown", (event) => {
    if (event.key === "Escape") close();
  });
  on("panel-view", ({ slug }) => {
    if (slug && !seen.includes(slug) && seen.length < MAX_PANELS) seen.push(slug);
  });
  // The idle reset ends the visit: the next visitor starts with an empty list and no code.
  on("reset", () => {
    seen = [];
    close({ refocus: false });
  });
  return { open, close, seen: () => [...seen], isOpen: () => !overlay.hidden };
}
