// Access mode: one large, labelled button in the kiosk's top bar (so it is on every screen: home,
// panels, the video panel, the questionnaire) turns on larger text, higher contrast, no motion
// (access.css) and narration on each panel (narration.js). It serves the visitor who switched it
// on: EN 301 549 clause 5.1 (closed functionality) asks that the screen be usable without the
// visitor's own assistive technology, so all of it is built in.
//
// The idle reset turns it off again: the next visitor must find the screen as everyone does (the
// kiosk never inherits the previous visitor's screen, choices included), and the button is there
// for whoever needs it. Nothing of it is remembered between visits.

import { emit, on } from "./bus.js";

export const ACCESS_CLASS = "k-access-on";

export function accessMode({ button }) {
  let enabled = false;

  function set(value) {
    enabled = Boolean(value);
    document.documentElement.classList.toggle(ACCESS_CLASS, enabled);
    button.setAttribute("aria-pressed", String(enabled));
    emit("access", { on: enabled });
  }

  button.addEventListener("click", () => set(!enabled));
  on("reset", () => set(false));
  return { set, enabled: () => enabled };
}
