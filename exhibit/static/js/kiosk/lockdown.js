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
  // Keyboard shortcuts that navigate away, reload or open tools.
  root.addEventListener("keydown", (event) => {
    const blocked =
      event.ctrlKey || event.metaKey || event.altKey || /^F\d+$/.test(event.key) ||
      event.key === "Escape" || event.key === "BrowserBack";
    if (blocked) event.preventDefault();
  });
}
