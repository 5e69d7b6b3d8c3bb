// The attract loop: while nobody is there, cycle the exhibition's highlights, each title in turn in
// every language, with "touch to start" in all of them. The first touch only wakes the screen.
//
// Motion (WCAG 2.2.2 Pause, Stop, Hide; 2.3.3 Animation from Interactions): a slide replaces the
// last one by a plain cut, never a slide or fade, and with prefers-reduced-motion the pulse of
// "touch to start" stops too (kiosk.css), so nothing on the screen moves. The slides still change
// every SLIDE_MS even then: that is how a visitor of each language sees a title they can read. A
// change of still pictures is not motion, but it is auto-updating content: the screen's own Pause
// button stops it, and the pulse with it (WCAG 2.2.2). The loop fills the whole screen (nothing else is shown
// beside it) and any touch, click or key stops and hides it at once.
//
// Engagement: when a person stops the loop, "attract-interrupt" goes on the bus with what stopped
// it (the touch's pointerType, or "key") and how long the loop had run; the visit record
// (visits.js) sends it as an attract_interrupt event of the visit that begins.

import { emit } from "./bus.js";

const SLIDE_MS = 6000;
const CAUSES = new Set(["touch", "pen", "mouse"]);

export function attractLoop({ overlay, slidesFor, strings, languages }) {
  const stage = overlay.querySelector("[data-slide]");
  const prompt = overlay.querySelector("[data-touch]");
  let timer = null;
  let index = 0;
  let since = Date.now(); // when the loop began to show
  let pointer = ""; // the pointerType of the touch now landing on the loop
  // WCAG 2.2.2: the slides change by themselves, so the screen carries a visible Pause button
  // (touching it pauses or resumes; any other touch still wakes the kiosk).
  const pauser = overlay.querySelector("[data-attract-pause]");
  let paused = false;

  function setPaused(value) {
    paused = value;
    overlay.classList.toggle("k-attract--paused", paused);
    clearInterval(timer);
    timer = paused || overlay.hidden ? null : setInterval(showSlide, SLIDE_MS);
    if (!pauser) return;
    pauser.setAttribute("aria-pressed", String(paused));
    const label = paused ? "attract_resume" : "attract_pause";
    pauser.querySelector("span").textContent =
      [...new Set(languages.map((lang) => strings(lang)[label]))].join(" · ");
  }

  function showSlide() {
    const slides = slidesFor();
    if (!slides.length) return;
    const slide = slides[index % slides.length];
    const lang = languages[index % languages.length];
    index += 1;
    const title = slide.titles[lang] || slide.titles[languages[0]];
    stage.replaceChildren();
    if (slide.thumbnail) {
      const img = document.createElement("img");
      img.src = slide.thumbnail;
      img.alt = "";
      img.draggable = false;
      stage.append(img);
    }
    const heading = document.createElement("p");
    heading.className = "k-attract-title";
    heading.lang = lang === "zh" ? "zh-Hans" : lang;
    heading.textContent = title;
    stage.append(heading);
  }

  function start() {
    prompt.replaceChildren(...languages.map((lang) => {
      const line = document.createElement("span");
      line.lang = lang === "zh" ? "zh-Hans" : lang;
      line.textContent = strings(lang).touch_to_start;
      return line;
    }));
    if (overlay.hidden) since = Date.now();
    overlay.hidden = false;
    index = 0;
    showSlide();
    setPaused(false);
  }

  function stop() {
    overlay.hidden = true;
    clearInterval(timer);
    timer = null;
  }

  /** Stopped by a person: said on the bus, once per showing of the loop. */
  function interrupted(cause) {
    if (overlay.hidden) return;
    emit("attract-interrupt", { cause, loopMs: Date.now() - since });
    stop();
  }

  overlay.addEventListener("pointerdown", (event) => { pointer = event.pointerType; });
  // The waking touch must not also press whatever lies under the overlay.
  overlay.addEventListener("click", (event) => {
    event.preventDefault();
    event.stopPropagation();
    if (pauser && pauser.contains(event.target)) {
      pointer = "";
      setPaused(!paused);
      return;
    }
    const type = pointer || event.pointerType;
    pointer = "";
    interrupted(CAUSES.has(type) ? type : "other");
  });
  // Nor the waking key (a keyboard or a switch at an accessible kiosk) the button that has focus.
  overlay.ownerDocument.addEventListener("keydown", (event) => {
    if (overlay.hidden) return;
    // Except Enter or Space on the Pause button, which presses it.
    if (pauser && event.target === pauser && (event.key === "Enter" || event.key === " ")) return;
    event.preventDefault();
    event.stopPropagation();
    interrupted("key");
  }, true);
  return { start, stop, running: () => !overlay.hidden, paused: () => paused,
           pause: () => setPaused(true), resume: () => setPaused(false) };
}
