// Narration in access mode: each panel gets large Listen / Pause and Listen again buttons.
//
// - A recorded narration in the visitor's language (panel.yaml `narration:`, the manifest's
//   `narration` URL, precached for offline use) plays through the page's <audio>, i.e. the
//   screen's sound output (the hall routes it to the headphone socket).
// - Without a recording, the browser's speech synthesis reads the panel's title, summary and text,
//   if this screen has a voice for the panel's language (speechSynthesis.getVoices()); where it
//   has none, the panel says so plainly, in the visitor's language.
//
// Sound stops when the visitor leaves the panel (app.js lets go of the panel's media; speech is
// cancelled here), when access mode is turned off, and at the idle reset.

import { mediaButton, showPlaying } from "./buttons.js";
import { on } from "./bus.js";

function button(action, label, icon) {
  return mediaButton("narration", action, label, icon);
}

function setButton(node, playing, words) {
  showPlaying(node, "narration", playing, { play: words.narration_play, pause: words.narration_pause });
}

/** The speech-synthesis voice for `lang` ("zh" also matches "cmn"), or null. */
export function voiceFor(lang) {
  if (!("speechSynthesis" in window)) return null;
  const wanted = lang === "zh" ? ["zh", "cmn"] : [lang];
  const voices = window.speechSynthesis.getVoices();
  return voices.find((v) => wanted.some((w) => v.lang.toLowerCase().replace("_", "-").split("-")[0] === w)) || null;
}

function stopSpeech() {
  if ("speechSynthesis" in window) window.speechSynthesis.cancel();
}

function recorded(bar, url, words) {
  const audio = document.createElement("audio");
  audio.preload = "none";
  audio.src = url;
  audio.className = "k-narration-audio";
  const play = button("play", words.narration_play, "play");
  const replay = button("replay", words.narration_replay, "restart");
  const note = document.createElement("p");
  note.className = "k-narration-note";
  note.textContent = words.narration_recorded;
  const showing = () => setButton(play, !audio.paused && !audio.ended, words);
  audio.addEventListener("play", showing);
  audio.addEventListener("pause", showing);
  audio.addEventListener("ended", showing);
  play.addEventListener("click", () => {
    if (audio.paused || audio.ended) audio.play().catch(() => {});
    else audio.pause();
  });
  replay.addEventListener("click", () => {
    audio.currentTime = 0;
    audio.play().catch(() => {});
  });
  bar.dataset.mode = "recorded";
  bar.append(audio, play, replay, note);
}

function synthesised(bar, text, lang, words) {
  const voice = voiceFor(lang);
  bar.replaceChildren();
  if (!voice) {
    const none = document.createElement("p");
    none.className = "k-narration-none";
    none.setAttribute("role", "status");
    none.textContent = words.narration_no_voice;
    bar.dataset.mode = "none";
    bar.append(none);
    return;
  }
  const speech = window.speechSynthesis;
  const play = button("play", words.narration_play, "play");
  const replay = button("replay", words.narration_replay, "restart");
  const note = document.createElement("p");
  note.className = "k-narration-note";
  note.textContent = words.narration_synthetic;
  let current = null;
  const speak = () => {
    speech.cancel();
    current = new SpeechSynthesisUtterance(text);
    current.voice = voice;
    current.lang = voice.lang;
    current.onend = () => { if (play.isConnected) setButton(play, false, words); };
    speech.speak(current);
    setButton(play, true, words);
  };
  play.addEventListener("click", () => {
    if (speech.speaking && !speech.paused && current) {
      speech.pause();
      setButton(play, false, words);
    } else if (speech.paused && current) {
      speech.resume();
      setButton(play, true, words);
    } else {
      speak();
    }
  });
  replay.addEventListener("click", speak);
  bar.dataset.mode = "speech";
  bar.append(play, replay, note);
}

/**
 * Put the narration controls into a panel's content (before it is shown): `panel` is the
 * manifest's entry, `lang` the visitor's language, `words` the interface strings.
 */
export function narrate(content, panel, lang, words) {
  const head = content.querySelector(".k-panel-head") || content.firstElementChild;
  if (!head) return;
  const bar = document.createElement("div");
  bar.className = "k-narration";
  bar.setAttribute("role", "group");
  bar.setAttribute("aria-label", words.narration);
  if (panel.narration) {
    recorded(bar, panel.narration, words);
  } else {
    const body = content.querySelector(".prose");
    const text = [panel.title, panel.summary, body ? body.textContent : ""]
      .join(". ").replace(/\s+/g, " ").trim();
    synthesised(bar, text, lang, words);
    bar.retry = () => { if (voiceFor(lang)) synthesised(bar, text, lang, words); };
  }
  head.append(bar);
}

/** Stop every narration: the recordings on screen and the speech. */
export function stopNarration() {
  for (const audio of document.querySelectorAll(".k-narration audio")) audio.pause();
  stopSpeech();
}

// Voices may arrive after the page has loaded: a panel that said "no voice" offers one as soon as
// it comes. One listener for the page (never one per panel shown: that would keep old panels).
if ("speechSynthesis" in window) {
  window.speechSynthesis.addEventListener("voiceschanged", () => {
    for (const bar of document.querySelectorAll(".k-narration[data-mode=none]")) bar.retry();
  });
}

for (const type of ["panel-view", "home", "language", "feedback-open", "reset"]) on(type, stopSpeech);
on("access", ({ on: enabled }) => { if (!enabled) stopNarration(); });
