// The kiosk's visit record: a session from the first touch to the reset, the time spent on each
// panel, language changes, videos and feedback. Everything is learnt from the bus, so navigation
// code knows nothing of logging.

import { on } from "./bus.js";
import { event, Sender, uuid } from "../shared/events.js";

export function recordVisits({ kioskId, eventsUrl, queue, batchSize = 500 }) {
  const sender = new Sender(eventsUrl, { batchSize, ...(queue ? { queue } : {}) });
  let session = null;
  let view = null; // { slug, lang, since }

  const send = (kind, fields) =>
    sender.add(event(kind, "kiosk", { kiosk: kioskId, session: session.id, ...fields }));

  function start(lang) {
    session = { id: uuid(), started: Date.now(), lang, panels: [], videos: 0 };
    send("session_start", { lang });
  }

  function endView(idleMs = 0) {
    if (!view || !session) return;
    // The idle timeout is time nobody looked: it does not count as dwell.
    const dwell = Math.max(0, Date.now() - view.since - idleMs);
    send("panel_view", { panel: view.slug, lang: view.lang, dwell_ms: Math.round(dwell) });
    view = null;
  }

  function end(lang, idleMs = 0) {
    if (!session) return;
    endView(idleMs);
    send("session_end", {
      lang,
      panels: session.panels,
      duration_ms: Math.max(0, Math.round(Date.now() - session.started - idleMs)),
      videos_completed: session.videos,
    });
    session = null;
  }

  // A visit begins with the first touch on a fresh screen.
  document.addEventListener(
    "pointerdown",
    () => {
      if (!session) start(window.exhibitKiosk.state.lang);
    },
    true,
  );
  on("panel-view", ({ slug, lang }) => {
    if (!session) start(lang);
    endView();
    view = { slug, lang, since: Date.now() };
    if (!session.panels.includes(slug)) session.panels.push(slug);
  });
  on("home", () => endView());
  on("language", ({ lang, from, slug }) => {
    if (!session) start(from);
    if (view) view.lang = lang; // the same panel goes on, in another language
    send("language_change", { lang, from_lang: from, ...(slug ? { panel: slug } : {}) });
  });
  on("video-play", ({ slug, lang }) => session && slug && send("video_play", { panel: slug, lang }));
  on("video-complete", ({ slug, lang }) => {
    if (!session || !slug) return;
    session.videos += 1;
    send("video_complete", { panel: slug, lang });
  });
  on("feedback", ({ question, answer, lang }) => {
    if (!session) start(lang);
    send("feedback_answer", { question, answer, lang });
  });
  // The idle reset (or an operator) ends the visit; idleMs is the time nobody touched the screen.
  on("reset", ({ lang, idleMs = 0 }) => end(lang, idleMs));
  // Records left from before a reload, a crash or a power cut go out first.
  setTimeout(() => sender.flush(), 1000);
  window.addEventListener("online", () => sender.flush());
  window.addEventListener("pagehide", () => {
    end(window.exhibitKiosk.state.lang);
    sender.flush({ keepalive: true });
  });
  return sender;
}
