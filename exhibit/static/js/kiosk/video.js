// The kiosk's own video controls. Chromium's native ones are small (32 px), speak the browser's
// language, and offer a download, picture-in-picture and the playback speed — on a public screen
// a download really starts. So the kiosk takes them away and gives each video large, translated
// buttons: play/pause, start again, captions on/off; a tap on the picture plays or pauses too.

import { mediaButton, showPlaying } from "./buttons.js";

const button = (action, label, icon) => mediaButton("video", action, label, icon);

/** Give every video in `root` the kiosk's controls; `words` are the interface strings. */
export function kioskVideos(root, words) {
  for (const video of root.querySelectorAll("video")) {
    video.removeAttribute("controls");
    video.controls = false;
    video.setAttribute("controlslist", "nodownload noplaybackrate noremoteplayback nofullscreen");
    video.disablePictureInPicture = true;
    video.setAttribute("disablepictureinpicture", "");
    video.disableRemotePlayback = true;
    video.setAttribute("disableremoteplayback", "");

    const bar = document.createElement("div");
    bar.className = "k-video-controls";
    const play = button("play", words.video_play, "play");
    const restart = button("restart", words.video_restart, "restart");
    const captions = button("captions", words.video_captions, "captions");
    captions.setAttribute("aria-pressed", "true");
    bar.append(play, restart, captions);
    video.after(bar);

    const showing = () => showPlaying(play, "video", !video.paused && !video.ended,
                                      { play: words.video_play, pause: words.video_pause });
    const toggle = () => (video.paused || video.ended ? video.play().catch(() => {}) : video.pause());
    const setCaptions = (on) => {
      captions.setAttribute("aria-pressed", String(on));
      const chosen = [...video.querySelectorAll("track")].find((t) => t.default) ||
        video.querySelector("track");
      for (const track of video.textTracks) {
        track.mode = on && chosen && track.language === chosen.srclang ? "showing" : "disabled";
      }
    };
    resumeAfterReadErrors(video);
    video.addEventListener("play", showing);
    video.addEventListener("pause", showing);
    video.addEventListener("ended", showing);
    video.addEventListener("click", toggle);
    bar.addEventListener("click", (event) => {
      const pressed = event.target.closest("button[data-video]");
      if (!pressed) return;
      if (pressed === play) toggle();
      else if (pressed === restart) {
        video.currentTime = 0;
        video.play().catch(() => {});
      } else if (pressed === captions) {
        setCaptions(captions.getAttribute("aria-pressed") !== "true");
      }
    });
  }
}

const MAX_RESUMES = 3;

/**
 * Pick a film up where it stopped when reading it fails for a moment. On a busy kiosk, while the
 * service worker was copying the exhibition, Chromium once stopped the film a second in
 * ("FFmpegDemuxer: data source error"): the picture froze and stayed frozen for the next visitor.
 * The element is loaded again and sent back to where it was, a few times at most per film; the
 * "play" of a resume is marked (data-resuming) so the visit record does not count a second play.
 */
function resumeAfterReadErrors(video) {
  let lastTime = 0;
  let resumes = 0;
  video.addEventListener("timeupdate", () => {
    if (video.currentTime > 0) lastTime = video.currentTime;
  });
  video.addEventListener("error", () => {
    if (!video.isConnected || resumes >= MAX_RESUMES) return;
    resumes += 1;
    const at = video.currentTime || lastTime;
    const wasPlaying = !video.paused;
    video.dataset.resuming = "true";
    video.addEventListener("loadedmetadata", () => {
      video.currentTime = at;
      const done = () => { delete video.dataset.resuming; };
      if (wasPlaying) video.play().catch(() => {}).finally(done);
      else done();
    }, { once: true });
    video.load();
  });
}
