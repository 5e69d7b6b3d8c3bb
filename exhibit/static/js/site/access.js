// "Large text" (适老化 / access mode) on the topic page and panel pages: larger text, higher
// contrast, no motion (css/access.css). A classic script in the <head>, so the choice remembered
// from an earlier visit (localStorage, on this device only; nothing is sent to the server) is on
// the page before it is first drawn: no flash of the small text. The switch is a real button with
// aria-pressed, in the header of every page; it is shown once this script can make it work.
(function () {
  var KEY = "exhibit-access";
  var root = document.documentElement;
  var on = false;
  try { on = window.localStorage.getItem(KEY) === "on"; } catch (e) { /* storage blocked */ }
  root.classList.toggle("access", on);

  function wire() {
    var button = document.getElementById("access-toggle");
    if (!button) return;
    button.setAttribute("aria-pressed", String(root.classList.contains("access")));
    button.hidden = false;
    button.addEventListener("click", function () {
      var next = !root.classList.contains("access");
      root.classList.toggle("access", next);
      button.setAttribute("aria-pressed", String(next));
      try {
        if (next) window.localStorage.setItem(KEY, "on");
        else window.localStorage.removeItem(KEY);
      } catch (e) { /* not remembered, but on for this page */ }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", wire);
  else wire();
})();
