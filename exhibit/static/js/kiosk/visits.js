// The kiosk's visit record: a session from the first touch to the reset, the time spent on each
// panel, language changes, videos and feedback. Everything is learnt from the bus, so navigation
// code knows nothing of logging.
//
// A reload mid-visit (the watchdog, the operator's Reload, the daily restart, a crash) must not
// lose the visit's end. A closing page cannot wait for IndexedDB, so the open visit is kept as it
// goes, synchronously, in localStorage: the session, the panel on screen, and when the screen was
// last seen alive (every few seconds, and at pagehide). The next start closes a visit left there
// with its panel_view and session_end, through the queue. The ids of those two events are chosen
// when the visit and the view begin and kept in the record, so however many times they are sent
// (the reset, a restart, both), the server stores them once.

import { on } from "./bus.js";
import { event, Sender, uuid } from "../shared/events.js";

const SEEN_EVERY_MS = 5000;
const MAX_LOOP_MS = 400 * 24 * 3600 * 1000; // exhibit/visits/events.py MAX_LOOP_MS

export function recordVisits({ kioskId, eventsUrl, queue, batchSize = 500 }) {
  const sender = new Sender(eventsUrl, { batchSize, ...(queue ? { queue } : {}) });
  const key = `exhibit-kiosk:open-visit:${kioskId}`;
  let session = null; // { id, started, lang, current, panels, videos, endId }
  let view = null; // { slug, lang, since, id }

  const send = (visit, kind, fields) =>
    sender.add(event(kind, "kiosk", { kiosk: kioskId, session: visit.id, ...fields }));

  /** Keep the open visit where a reload finds it (localStorage writes are synchronous). */
  function save() {
    try {
      if (session) localStorage.setItem(key, JSON.stringify({ session, view, seen: Date.now() }));
      else localStorage.removeItem(key);
    } catch (error) {
      // Storage full or refused: the visit is still recorded, only a reload would lose its end.
    }
  }

  function saved() {
    try {
      return JSON.parse(localStorage.getItem(key) || "null");
    } catch (error) {
      return null;
    }
  }

  function start(lang) {
    session = { id: uuid(), started: Date.now(), lang, current: lang, panels: [], videos: 0,
                endId: uuid() };
    send(session, "session_start", { lang });
    save();
  }

  /** The closing events of a visit (at `at`, minus idle time nobody looked), with their ids. */
  function close(visit, shown, lang, at, idleMs = 0) {
    const sent = [];
    if (shown) {
      const dwell = Math.max(0, at - shown.since - idleMs);
      sent.push(send(visit, "panel_view", { id: shown.id, at: new Date(at).toISOString(),
        panel: shown.slug, lang: shown.lang, dwell_ms: Math.round(dwell) }));
    }
    if (lang !== undefined) {
      sent.push(send(visit, "session_end", {
        id: visit.endId, at: new Date(at).toISOString(), lang, panels: visit.panels,
        duration_ms: Math.max(0, Math.round(at - visit.started - idleMs)),
        videos_completed: visit.videos,
      }));
    }
    return Promise.all(sent);
  }

  function endView() {
    if (!view || !session) return;
    close(session, view, undefined, Date.now());
    view = null;
    save();
  }

  function end(lang, idleMs = 0) {
    if (!session) return;
    const visit = session;
    const queued = close(visit, view, lang, Date.now(), idleMs);
    session = null;
    view = null;
    // Forgotten only once its end is in the queue: a reload before that closes it again (with
    // the same ids). A new visit may have taken the place meanwhile: that one stays.
    queued.then(() => {
      const left = saved();
      if (left && left.session && left.session.id === visit.id) save();
    }, () => {});
  }

  /** A visit a reload, a crash or a power cut left open: closed as of when it was last seen. */
  function recover() {
    const left = saved();
    if (!left || !left.session || !left.session.endId) return Promise.resolve(false);
    const visit = left.session;
    return close(visit, left.view, visit.current || visit.lang, left.seen || Date.now())
      .then(() => {
        const now = saved();
        if (now && now.session && now.session.id === visit.id) localStorage.removeItem(key);
        return true;
      });
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
    view = { slug, lang, since: Date.now(), id: uuid() };
    if (!session.panels.includes(slug)) session.panels.push(slug);
    save();
  });
  on("home", () => endView());
  on("language", ({ lang, from, slug }) => {
    if (!session) start(from);
    if (view) view.lang = lang; // the same panel goes on, in another language
    session.current = lang;
    send(session, "language_change", { lang, from_lang: from, ...(slug ? { panel: slug } : {}) });
    save();
  });
  on("video-play", ({ slug, lang }) => session && slug && send(session, "video_play", { panel: slug, lang }));
  on("video-complete", ({ slug, lang }) => {
    if (!session || !slug) return;
    session.videos += 1;
    send(session, "video_complete", { panel: slug, lang });
    save();
  });
  on("feedback", ({ question, answer, lang }) => {
    if (!session) start(lang);
    send(session, "feedback_answer", { question, answer, lang });
  });
  // A person stopped the attract loop (attract.js): a passer-by, recorded in the visit it begins
  // (a touch began it already; a key does here), so staff see who went on to view a panel.
  on("attract-interrupt", ({ cause, loopMs }) => {
    if (!session) start(window.exhibitKiosk.state.lang);
    send(session, "attract_interrupt", { cause, loop_ms: Math.min(Math.max(0, Math.round(loopMs)), MAX_LOOP_MS) });
  });
  // The idle reset (or an operator) ends the visit; idleMs is the time nobody touched the screen.
  on("reset", ({ lang, idleMs = 0 }) => end(lang, idleMs));
  // Alive: the time a restart takes as the visit's end if the page dies without a word.
  setInterval(() => session && save(), SEEN_EVERY_MS);
  // Records left from before a reload, a crash or a power cut go out first, and a visit left
  // open is closed before this page's first visit can begin.
  const recovered = recover();
  recovered.finally(() => setTimeout(() => sender.flush(), 1000));
  window.addEventListener("online", () => sender.flush());
  window.addEventListener("pagehide", () => {
    save(); // synchronous: the visit and the moment it was last seen survive the reload
    sender.flush({ keepalive: true });
  });
  sender.recovered = recovered;
  return sender;
}
