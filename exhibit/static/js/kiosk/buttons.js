// The kiosk's large media buttons (the video's own controls, narration): an icon and a
// translated label, 64 px at least (kiosk.css .k-btn). One place, so both look and speak alike.

export const ICONS = {
  play: "M8 5v14l11-7z",
  pause: "M7 5h4v14H7zM13 5h4v14h-4z",
  restart: "M12 5V2L7 6l5 4V7a5 5 0 1 1-5 5H5a7 7 0 1 0 7-7z",
  captions: "M4 6h16a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1H4a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1zm3 4.5v3a1 1 0 0 0 1 1h2v-1.5H8.5v-2H10V9.5H8a1 1 0 0 0-1 1zm6 0v3a1 1 0 0 0 1 1h2v-1.5h-1.5v-2H16V9.5h-2a1 1 0 0 0-1 1z",
};

/** A button of a `kind` ("video", "narration"): class k-<kind>-btn, data-<kind>=`action`. */
export function mediaButton(kind, action, label, icon) {
  const node = document.createElement("button");
  node.type = "button";
  node.className = `k-btn k-${kind}-btn`;
  node.dataset[kind] = action;
  node.innerHTML = `<svg aria-hidden="true" viewBox="0 0 24 24" width="36" height="36"><path fill="currentColor" d="${ICONS[icon]}"/></svg>`;
  const text = document.createElement("span");
  text.textContent = label;
  node.append(text);
  return node;
}

/** Show a play button as Pause while playing and as Play otherwise (its label, icon and action). */
export function showPlaying(node, kind, playing, labels) {
  node.dataset[kind] = playing ? "pause" : "play";
  node.querySelector("span").textContent = playing ? labels.pause : labels.play;
  node.querySelector("path").setAttribute("d", ICONS[playing ? "pause" : "play"]);
}
