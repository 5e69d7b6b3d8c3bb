// Horizontal swipes between panels. Vertical movement is left to scrolling the panel text.

const MIN_DISTANCE = 80; // px: shorter drags are taps or scroll jitter
const MAX_SLOPE = 0.6; // |dy/dx| above this is a vertical scroll, not a swipe

export function onSwipe(element, { left, right }) {
  let start = null;
  element.addEventListener("pointerdown", (event) => {
    if (event.isPrimary) start = { x: event.clientX, y: event.clientY };
  });
  element.addEventListener("pointercancel", () => (start = null));
  element.addEventListener("pointerup", (event) => {
    if (!start || !event.isPrimary) return;
    const dx = event.clientX - start.x;
    const dy = event.clientY - start.y;
    start = null;
    if (Math.abs(dx) < MIN_DISTANCE || Math.abs(dy / dx) > MAX_SLOPE) return;
    if (dx < 0) left();
    else right();
  });
}
