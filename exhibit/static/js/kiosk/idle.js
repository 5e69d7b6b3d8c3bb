// Idle and reset: after `idleSeconds` without a touch, a countdown of at least 20 s (WCAG 2.2.1:
// time to respond) with a large "I'm still here" button; when it runs out, the kiosk goes back to
// the home screen in its default language and the visit ends. The questionnaire gets twice the
// time (people think before they answer).
//
// A playing video holds the timer, but only while it is in the document and playing: the timer
// asks the page at every tick instead of counting play and pause events (a video removed while
// playing never sends its pause, and must not hold the screen for ever).
//
// Only a person counts as activity: a touch, a finger moving, a key, a wheel. Scrolling is not
// listened to, because the kiosk scrolls by itself too (the reset puts the view back at the top,
// and that must not start a new countdown behind the attract loop). The touch that dismisses the
// countdown only dismisses it: it never also presses the button under the overlay.

export function watchIdle({ idleSeconds, countdownSeconds, strings, onReset, isFeedback }) {
  const overlay = document.getElementById("k-idle");
  const message = overlay.querySelector("[data-countdown]");
  const stay = overlay.querySelector("[data-stay]");
  let lastTouch = Date.now();
  let countdownEnds = null;
  let active = false; // nothing to reset before the first touch after a reset
  let dismissing = null; // when a touch stopped the countdown, until its click hides the overlay

  function limitMs() {
    return idleSeconds * 1000 * (isFeedback() ? 2 : 1);
  }

  function touched(event) {
    lastTouch = Date.now();
    active = true;
    if (countdownEnds === null) return;
    // Stop counting at once; the overlay goes with the click that ends this touch (below), so
    // the click cannot land on what the overlay covered.
    countdownEnds = null;
    dismissing = Date.now();
    if (event && event.type === "keydown") {
      event.preventDefault();
      event.stopPropagation();
      hideCountdown();
    }
  }

  function hideCountdown() {
    countdownEnds = null;
    dismissing = null;
    overlay.hidden = true;
  }

  // The dismissing touch ends here, whether on the button or beside it.
  overlay.addEventListener("click", (event) => {
    event.preventDefault();
    event.stopPropagation();
    lastTouch = Date.now();
    hideCountdown();
  });
  // A touch that became a drag sends no click: the overlay goes anyway (see tick).

  /** A video or a narration on screen (attached to the document), playing, or the speech
   *  synthesis reading a panel aloud: someone is watching or listening. */
  function videoPlaying() {
    const speech = "speechSynthesis" in window && window.speechSynthesis;
    return [...document.querySelectorAll("video, audio")].some(
      (video) => video.isConnected && !video.paused && !video.ended && video.readyState > 2) ||
      Boolean(speech && speech.speaking && !speech.paused);
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
    if (dismissing !== null) {
      // Being dismissed: the click normally follows at once; a touch that sent none (a drag)
      // leaves the overlay a moment later, when no click can come any more.
      if (Date.now() - dismissing > 1500) hideCountdown();
      return;
    }
    if (countdownEnds === null && idle >= limitMs()) {
      countdownEnds = Date.now() + countdownSeconds * 1000;
      stay.textContent = strings().still_here;
      overlay.hidden = false;
      stay.focus({ preventScroll: true });
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

  for (const type of ["pointerdown", "touchstart", "touchmove", "wheel"]) {
    document.addEventListener(type, touched, { capture: true, passive: true });
  }
  document.addEventListener("keydown", touched, { capture: true });
  setInterval(tick, 250);
  return {
    touched,
    /** Change the times (the tests shorten them; kiosks.yaml sets them for a screen). */
    configure(times) {
      if (times.idleSeconds !== undefined) idleSeconds = times.idleSeconds;
      if (times.countdownSeconds !== undefined) countdownSeconds = times.countdownSeconds;
    },
    state: () => ({ active, idleMs: Date.now() - lastTouch, countdown: countdownEnds !== null,
                    shown: !overlay.hidden, videoPlaying: videoPlaying() }),
  };
}
