// The topic page's section bar scrolls sideways on a narrow screen. The browser leaves a link that
// takes focus half outside the bar (it only scrolls one that is wholly hidden): bring it fully
// into view, smoothly unless the visitor asks for less motion. The page itself does not move (the
// links' scroll-margin-top in site.css).

const bar = document.querySelector(".section-nav ol");
const reduce = matchMedia("(prefers-reduced-motion: reduce)");

bar?.addEventListener("focusin", (e) => {
  const link = e.target.closest("a");
  if (!link) return;
  link.scrollIntoView({ block: "nearest", inline: "nearest", behavior: reduce.matches ? "auto" : "smooth" });
});
