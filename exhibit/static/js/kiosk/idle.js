// Idle and reset: after `idleSeconds` without a touch, a gentle countdown; when it runs out, the
// kiosk goes back to the home screen in its default language and the visit ends. A playing video
// holds the timer; the questionnaire gets twice the time (people think before they answer).

import { on } from "./bus.js";

export function watchIdle({ idleSeconds, countdownSeconds, strings, onReset, isFeedback }) {
  const overlay = document.getElementById("k-idle");
  const message = overlay.querySelector("[data-countdown]");
  let lastTouch = Date.now();
  let countdownEnds = null;
  let videoPlaying = 0;
  let active = false; // nothing to reset before the first touch after a reset

  function limitMs() {
    return idleSeconds * 1000 * (isFeedback() ? 2 : 1);
  }

  function touched() {
    lastTouch = Date.now();
    active = true;
    if (countdownEnds !== null) hideCountdown();
  }

  function hideCountdown() {
    countdownEnds = null;
    overlay.hidden = true;
  }

  function tick() {
    if (!active || videoPlaying > 0) return;
    const idle = Date.now() - lastTouch;
    if (countdownEnds === null && idle >= limitMs()) {
      countdownEnds = Date.now() + countdownSeconds * 1000;
      overlay.hidden = false;
    }
    if (countdownEnds !== null) {
      const left = Math.max(0, Math.ceil((countdownEnds - Date.now()) / 1000));
      message.textContent = strings().resetting_in.replace("{s}", left);
      if (left === 0) {
        hideCountdown();
        active = false;
        // Nobody looked at the screen since the last touch: that time is not dwell.
        onReset(Date.now() - lastTouch);
      }
    }
  }

  for (const type of ["pointerdown", "keydown", "wheel"]) {
    document.addEventListener(type, touched, { capture: true, passive: true });
  }
  document.addEventListener("scroll", touched, { capture: true, passive: true });
  document.addEventListener("play", () => { videoPlaying += 1; }, true);
  for (const type of ["pause", "ended"]) {
    document.addEventListener(type, () => {
      videoPlaying = Math.max(0, videoPlaying - 1);
      lastTouch = Date.now(); // the idle time starts when the video stops
    }, true);
  }
  on("reset", () => { videoPlaying = 0; });
  setInterval(tick, 250);
  return { touched, state: () => ({ active, idleMs: Date.now() - lastTouch, countdown: countdownEnds !== null }) };
}
