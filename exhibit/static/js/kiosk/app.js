// The kiosk: a home screen of sections, panels to tap and swipe through, a language switch.
// State lives here; rendering is plain DOM; everything notable is announced on the bus.

import { wireQuestionnaire } from "../shared/questionnaire.js";
import { accessMode } from "./access.js";
import { attractLoop } from "./attract.js";
import { emit } from "./bus.js";
import { reportState } from "./fleet.js";
import { onSwipe } from "./gestures.js";
import { watchIdle } from "./idle.js";
import { lockDown } from "./lockdown.js";
import { Manifests } from "./manifest.js";
import { narrate } from "./narration.js";
import { setUpOffline } from "./offline.js";
import { operatorScreen } from "./operator.js";
import { IndexedDBQueue } from "./queue.js";
import { takeHome } from "./takehome.js";
import { kioskVideos } from "./video.js";
import { recordVisits } from "./visits.js";

const settings = JSON.parse(document.getElementById("kiosk-settings").textContent);
const app = document.getElementById("kiosk-app");
const view = document.getElementById("k-view");
const pager = document.getElementById("k-pager");
const position = document.getElementById("k-position");
const brand = document.getElementById("k-brand");
const manifests = new Manifests(settings.manifestUrl);
if (settings.orientation) app.dataset.orientation = settings.orientation;

// view: "home", "panel" (state.slug says which) or "feedback".
const state = { lang: settings.defaultLanguage, view: "home", slug: null, manifest: null };

function words() {
  return settings.strings[state.lang];
}

function htmlLang(lang) {
  return lang === "zh" ? "zh-Hans" : lang;
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "text") node.textContent = value;
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

/**
 * Let go of the media of the screen being left. A video taken out of the document while playing
 * goes on playing (its sound too) and never sends its pause; and a media element that still has
 * a source and caption tracks stays alive after it is detached, with its whole panel (hundreds of
 * nodes at every visit, for weeks). So: pause, take out the tracks and sources, and load()
 * nothing, which ends every download and lets the element go.
 */
function releaseMedia(root) {
  for (const media of root.querySelectorAll("video, audio")) {
    media.pause();
    for (const track of media.querySelectorAll("track")) {
      // A caption track that is showing or still loading its file keeps its element alive.
      if (track.track) track.track.mode = "disabled";
      track.removeAttribute("src");
      track.remove();
    }
    for (const source of media.querySelectorAll("source")) source.remove();
    media.removeAttribute("src");
    media.load();
  }
}

/** Show new content in the scrolling view, letting go of the old. */
function replaceView(...nodes) {
  releaseMedia(view);
  view.replaceChildren(...nodes);
}

function translateShell() {
  document.documentElement.lang = htmlLang(state.lang);
  for (const node of app.querySelectorAll("[data-string]")) {
    node.textContent = words()[node.dataset.string];
  }
  for (const button of app.querySelectorAll(".k-lang")) {
    button.setAttribute("aria-pressed", String(button.dataset.lang === state.lang));
  }
  app.querySelector(".k-langs").setAttribute("aria-label", words().language);
  brand.textContent = state.manifest.title;
  heartbeat();
}

function renderHome() {
  const m = state.manifest;
  const grid = element("ul", { class: "k-sections" });
  const numbered = m.sections.map((section, index) => ({ section, index }));
  // This screen's start section leads; the others keep their exhibition numbers and order.
  numbered.sort((a, b) => (b.section.id === settings.startSection) - (a.section.id === settings.startSection));
  numbered.forEach(({ section, index }) => {
    const panels = m.panels.filter((p) => p.section === section.id);
    if (!panels.length) return;
    const count =
      panels.length === 1 ? words().one_panel : words().n_panels.replace("{n}", panels.length);
    const pictured = panels.find((p) => p.thumbnail);
    const thumb = pictured
      ? element("img", { src: pictured.thumbnail, alt: "", class: "k-section-thumb", draggable: "false" })
      : element("span", { class: "k-section-thumb k-section-thumb--none" });
    const button = element(
      "button",
      { type: "button", class: "k-section", "data-slug": panels[0].slug },
      thumb,
      element("span", { class: "k-section-number", text: String(index + 1).padStart(2, "0") }),
      element("span", { class: "k-section-title", text: section.title }),
      element("span", { class: "k-section-count", text: count }),
    );
    grid.append(element("li", {}, button));
  });
  const screen = element(
    "div",
    { class: "k-home-screen" },
    element("h1", { class: "k-home-title", text: m.title }),
    element("p", { class: "k-home-sub", text: m.subtitle }),
    grid,
  );
  if (m.questionnaire_html) {
    screen.append(
      element("button", { type: "button", class: "k-btn k-feedback-open", "data-action": "feedback", text: words().feedback }),
    );
  }
  replaceView(screen);
  view.scrollTop = 0; // the home screen starts at its title
  pager.hidden = true;
  app.dataset.view = "home";
}

function renderPanel(slug) {
  const panels = state.manifest.panels;
  const index = panels.findIndex((p) => p.slug === slug);
  if (index < 0) return renderHome();
  const panel = panels[index];
  const template = document.createElement("template");
  template.innerHTML = panel.kiosk_html; // rendered and sanitised by the server
  // Made in this document, not the template's inert one: a caption track created there and
  // moved here was never let go (a leak at every visit of the video panel).
  const content = document.importNode(template.content, true);
  releaseMedia(template.content); // the inert copies' tracks would otherwise hold it all
  kioskVideos(content, words());
  narrate(content, panel, state.lang, words()); // shown in access mode (narration.js)
  replaceView(content);
  view.scrollTop = 0;
  pager.hidden = false;
  app.dataset.view = "panel";
  position.textContent = words()
    .panel_of.replace("{n}", index + 1)
    .replace("{total}", panels.length);
  pager.querySelector(".k-prev").disabled = index === 0;
  pager.querySelector(".k-next").disabled = index === panels.length - 1;
}

function renderFeedback() {
  const template = document.createElement("template");
  template.innerHTML = state.manifest.questionnaire_html; // rendered by the server
  replaceView(template.content);
  wireQuestionnaire(view, (question, answer) => emit("feedback", { question, answer, lang: state.lang }));
  view.scrollTop = 0;
  pager.hidden = true;
  app.dataset.view = "feedback";
}

function render() {
  translateShell();
  if (state.view === "panel" && state.slug) renderPanel(state.slug);
  else if (state.view === "feedback" && state.manifest.questionnaire_html) renderFeedback();
  else renderHome();
}

/** Show a panel (by slug), or the home screen (null). */
export function show(slug) {
  const from = state.slug;
  state.slug = slug;
  state.view = slug ? "panel" : "home";
  render();
  if (slug) emit("panel-view", { slug, lang: state.lang, from });
  else emit("home", { lang: state.lang, from });
}

/** Switch language, staying on the same panel. */
export async function setLanguage(lang) {
  if (lang === state.lang || !settings.languages.includes(lang)) return;
  const previous = state.lang;
  state.manifest = await manifests.get(lang);
  state.lang = lang;
  render();
  emit("language", { lang, from: previous, slug: state.slug });
}

function step(offset) {
  const panels = state.manifest.panels;
  const index = panels.findIndex((p) => p.slug === state.slug);
  const next = panels[index + offset];
  if (next) show(next.slug);
}

/** Back to the home screen in the default language (the idle reset calls this). */
/**
 * Back to the home screen in the default language: the visit ends (idleMs: how long nobody
 * touched the screen before, which is not counted as dwell). New content, if fully downloaded,
 * is applied now — the only moment nobody is using the screen.
 */
export async function reset({ idleMs = 0 } = {}) {
  emit("reset", { lang: state.lang, idleMs });
  for (const media of document.querySelectorAll("video, audio")) media.pause();
  if (await offline.applyUpdate()) return; // the page reloads with the new content
  state.manifest = await manifests.get(settings.defaultLanguage);
  state.lang = settings.defaultLanguage;
  state.slug = null;
  state.view = "home";
  render();
  if (settings.attract) attract.start();
}

app.addEventListener("click", (event) => {
  const target = event.target.closest("button");
  if (!target) return;
  if (target.dataset.lang) setLanguage(target.dataset.lang);
  else if (target.dataset.action === "home") show(null);
  else if (target.dataset.action === "feedback") {
    state.view = "feedback";
    state.slug = null;
    render();
    emit("feedback-open", { lang: state.lang });
  }
  else if (target.dataset.action === "previous") step(-1);
  else if (target.dataset.action === "next") step(1);
  else if (target.dataset.slug) show(target.dataset.slug);
});

onSwipe(view, {
  left: () => state.slug && step(1),
  right: () => state.slug && step(-1),
});

// Only one video plays at a time, and none keeps playing off screen.
document.addEventListener(
  "play",
  (event) => event.target.tagName === "VIDEO" && !event.target.dataset.resuming && emit("video-play", { slug: state.slug, lang: state.lang, src: event.target.currentSrc }),
  true,
);
document.addEventListener(
  "ended",
  (event) => event.target.tagName === "VIDEO" && emit("video-complete", { slug: state.slug, lang: state.lang, src: event.target.currentSrc }),
  true,
);

lockDown(document);

async function start() {
  try {
    state.manifest = await manifests.get(state.lang);
    // Every language's titles, for the attract loop (from the cache once offline).
    state.all = Object.fromEntries(await Promise.all(
      settings.languages.map(async (lang) => [lang, await manifests.get(lang)])));
  } catch (error) {
    replaceView(element("p", { class: "k-loading", text: words().offline }));
    setTimeout(start, 5000); // keep trying: there is nobody to press reload
    return;
  }
  render();
  app.dataset.ready = "true";
  if (settings.attract) attract.start();
  emit("ready", { kioskId: settings.kioskId, version: state.manifest.version });
}

const queue = "indexedDB" in window ? new IndexedDBQueue() : undefined;
const visits = recordVisits({
  kioskId: settings.kioskId, eventsUrl: settings.eventsUrl, queue, batchSize: settings.eventsBatch,
});
const offline = setUpOffline({ serviceWorker: settings.serviceWorker, precacheUrl: settings.precacheUrl });
const attract = attractLoop({
  overlay: document.getElementById("k-attract"),
  languages: settings.languages,
  strings: (lang) => settings.strings[lang],
  slidesFor: () => (state.all ? state.all[settings.defaultLanguage].panels.filter((p) => p.thumbnail).map((p) => ({
    thumbnail: p.thumbnail,
    titles: Object.fromEntries(settings.languages.map((lang) => [
      lang, (state.all[lang].panels.find((q) => q.slug === p.slug) || p).title])),
  })) : []),
});
const access = accessMode({ button: document.getElementById("k-access") });
const idle = watchIdle({
  idleSeconds: settings.idleSeconds,
  countdownSeconds: settings.countdownSeconds,
  strings: words,
  isFeedback: () => state.view === "feedback",
  onReset: (idleMs) => reset({ idleMs }),
});
const operator = operatorScreen({
  enabled: settings.operator,
  kioskId: settings.kioskId,
  sessionUrl: settings.operatorSessionUrl,
  statusUrl: settings.operatorStatusUrl,
  strings: words,
  status: async () => {
    const s = offline.state.status || {};
    const w = words();
    return {
      [w.op_kiosk]: settings.kioskId,
      [w.op_version]: state.manifest ? state.manifest.version : "-",
      [w.op_cache]: s.active ? `${s.active} (${s.files})` : w.none,
      [w.op_update]: s.ready || (s.progress ? `${s.progress.done}/${s.progress.total}` : w.none),
      [w.op_error]: s.error || w.none,
      [w.op_queue]: await visits.queue.size(),
      [w.op_sync]: visits.lastSync ? visits.lastSync.toLocaleString(htmlLang(state.lang)) : w.none,
      [w.op_storage]: offline.state.persisted === null ? "?" : offline.state.persisted ? w.op_granted : w.op_refused,
    };
  },
  actions: {
    sync: () => visits.flush(),
    check: () => offline.check(),
    reload: () => location.reload(),
  },
});
const takehome = takeHome({ baseUrl: settings.publicBaseUrl, state: () => state, strings: words });
// A heartbeat the hall's watchdog reads from Chromium's local DevTools list (kiosk/watchdog.py):
// a title that stops changing means the page is hung. Kiosk mode shows no title bar, but a screen
// reader reads the title, so it starts with the exhibition's name in the visitor's language
// (WCAG 2.4.2); the beat, which the watchdog finds at its end, comes last.
function heartbeat() {
  const name = state.manifest ? state.manifest.title : "exhibit";
  document.title = `${name} · ${settings.kioskId} ♥ ${Math.floor(Date.now() / 1000)}`;
}
heartbeat();
setInterval(heartbeat, 10000);
// The fleet console's report (fleet.js), and the offline dot for staff.
const fleet = reportState({ settings, visits, offline, idle, strings: words,
  version: () => state.manifest && state.manifest.version });
window.exhibitKiosk = { state, show, setLanguage, reset, settings, manifests, visits, offline, idle, attract, operator, access, takehome, fleet };
start();
