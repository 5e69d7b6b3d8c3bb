// The attract loop: while nobody is there, cycle the exhibition's highlights, each title in turn in
// every language, with "touch to start" in all of them. The first touch only wakes the screen.

const SLIDE_MS = 6000;

export function attractLoop({ overlay, slidesFor, strings, languages }) {
  const stage = overlay.querySelector("[data-slide]");
  const prompt = overlay.querySelector("[data-touch]");
  let timer = null;
  let index = 0;

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
    overlay.hidden = false;
    index = 0;
    showSlide();
    clearInterval(timer);
    timer = setInterval(showSlide, SLIDE_MS);
  }

  function stop() {
    overlay.hidden = true;
    clearInterval(timer);
    timer = null;
  }

  // The waking touch must not also press whatever lies under the overlay.
  overlay.addEventListener("click", (event) => {
    event.preventDefault();
    event.stopPropagation();
    stop();
  });
  return { start, stop, running: () => !overlay.hidden };
}
