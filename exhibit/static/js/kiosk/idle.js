// Idle and reset: after `idleSeconds` without a touch, a gentle countdown; when it runs out, the
// kiosk goes back to the home screen in its default language and the visit ends. A playing video
// holds the timer, but only while it is in the document and playing: the timer asks the page at
// every tick instead of counting play and pause events (a video removed while playing never sends
// its pause, and must not hold the screen for ever). The questionnaire gets twice the time
// (people think before they answer).

export function watchIdle({ idleSeconds, countdownSeconds, strings, onReset, isFeedback }) {
  const overlay = document.getElementById("k-idle");
  const message = overlay.querySelector("[data-countdown]");
  let lastTouch = Date.now();
  let countdownEnds = null;
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

  /** A video on screen (attached to the document), playing: someone is watching it. */
  function videoPlaying() {
    return [...document.querySelectorAll("video")].some(
      (video) => video.isConnected && !video.paused && !video.ended && video.readyState > 2);
  }

  function tick() {
    if (!active) return;
    if (videoPlaying()) {
      // Watching is not idling: the idle time starts when the video stops or leaves the screen.
      lastTouch = Date.now();
      if (countdownEnds !== null) hideCountdown();
      return;
    }
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
  setInterval(tick, 250);
  return {
    touched,
    /** Change the times (the tests shorten them; kiosks.yaml sets them for a screen). */
    configure(times) {
      if (times.idleSeconds !== undefined) idleSeconds = times.idleSeconds;
      if (times.countdownSeconds !== undefined) countdownSeconds = times.countdownSeconds;
    },
    state: () => ({ active, idleMs: Date.now() - lastTouch, countdown: countdownEnds !== null,
                    videoPlaying: videoPlaying() }),
  };
}
