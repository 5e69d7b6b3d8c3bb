// What a visitor must not be able to do on a public kiosk: zoom, open menus, select text, drag
// images, follow a link out, or use a keyboard to leave. (Chromium's kiosk flags do the rest.)

export function lockDown(root = document) {
  const stop = (event) => event.preventDefault();
  root.addEventListener("contextmenu", stop);
  root.addEventListener("selectstart", stop);
  root.addEventListener("dragstart", stop);
  // Pinch-zoom: Safari's gesture events and Chromium's ctrl+wheel (a trackpad pinch).
  root.addEventListener("gesturestart", stop);
  root.addEventListener("wheel", (event) => event.ctrlKey && event.preventDefault(), {
    passive: false,
  });
  root.addEventListener(
    "touchmove",
    (event) => event.touches.length > 1 && event.preventDefault(),
    { passive: false },
  );
  // Links that would leave the kiosk (there should be none: the kiosk surface strips them).
  root.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a[href]");
    if (link && new URL(link.href, location.href).origin !== location.origin) {
      event.preventDefault();
    }
  });
  // A mouse's back and forward buttons (buttons 3 and 4): Chromium navigates on their release
  // unless the page cancels it.
  for (const type of ["pointerdown", "pointerup", "mousedown", "mouseup", "auxclick"]) {
    root.addEventListener(type, (event) => {
      if (event.button === 3 || event.button === 4) {
        event.preventDefault();
        event.stopPropagation();
      }
    }, true);
  }
  // Whatever still walks the history (a back gesture, a key the list below misses, a browser
  // that ignores the cancel): the kiosk keeps a guard entry on top of its own page, and a step
  // back only lands on the kiosk again, which steps forward onto the guard once more.
  const view = root.defaultView || window;
  if (view.history && !(view.history.state && view.history.state.kioskGuard)) {
    view.history.replaceState({ kioskBase: true }, "");
    view.history.pushState({ kioskGuard: true }, "");
  }
  view.addEventListener("popstate", () => {
    view.history.pushState({ kioskGuard: true }, "");
  });
  // Where the Navigation API exists, a step through the history is refused before it starts.
  if (view.navigation) {
    view.navigation.addEventListener("navigate", (event) => {
      if (event.navigationType === "traverse" && event.cancelable) event.preventDefault();
    });
  }
  // Keyboard shortcuts that navigate away, reload or open tools.
  root.addEventListener("keydown", (event) => {
    const blocked =
      event.ctrlKey || event.metaKey || event.altKey || /^F\d+$/.test(event.key) ||
      event.key === "Escape" || event.key === "BrowserBack";
    if (blocked) event.preventDefault();
  });
}
