// Horizontal swipes between panels. Vertical movement is left to scrolling the panel text.
//
// A finger on a touch screen is a pointer the browser may take for itself: if the element lets it
// pan sideways (the default touch-action), the browser starts a gesture and sends pointercancel,
// and the swipe is lost. The scrolling view is therefore `touch-action: pan-y` (kiosk.css): the
// browser scrolls vertically, horizontal movement stays with the page. One finger only: a second
// one (a pinch, a palm) cancels the swipe. The end is listened for on the document, so a swipe
// that ends outside the view (on the pager, past the screen's edge) still counts.

const MIN_DISTANCE = 80; // px: shorter drags are taps or scroll jitter
const MAX_SLOPE = 0.6; // |dy/dx| above this is a vertical scroll, not a swipe

export function onSwipe(element, { left, right }) {
  let start = null; // { id, x, y }
  const pointers = new Set();

  element.addEventListener("pointerdown", (event) => {
    pointers.add(event.pointerId);
    start = event.isPrimary && pointers.size === 1
      ? { id: event.pointerId, x: event.clientX, y: event.clientY }
      : null; // a second finger: no swipe
  });

  function forget(event) {
    pointers.delete(event.pointerId);
    if (start && event.pointerId === start.id) start = null;
  }
  document.addEventListener("pointercancel", forget, true);

  document.addEventListener("pointerup", (event) => {
    const begun = start;
    forget(event);
    if (!begun || event.pointerId !== begun.id) return;
    const dx = event.clientX - begun.x;
    const dy = event.clientY - begun.y;
    if (Math.abs(dx) < MIN_DISTANCE || Math.abs(dy / dx) > MAX_SLOPE) return;
    if (dx < 0) left();
    else right();
  }, true);
}
