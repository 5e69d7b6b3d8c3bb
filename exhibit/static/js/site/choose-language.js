// The root of a frozen copy of the site: go to the topic page in the visitor's language, as the
// app's own `/` does from Accept-Language. Without script the page is a list of the languages.

const links = [...document.querySelectorAll(".language-choice a[hreflang]")];
const primary = (tag) => tag.toLowerCase().split("-")[0];

function best() {
  for (const wanted of navigator.languages || [navigator.language || ""]) {
    const exact = links.find((a) => a.hreflang.toLowerCase() === wanted.toLowerCase());
    const near = exact || links.find((a) => primary(a.hreflang) === primary(wanted));
    if (near) return near;
  }
  return links[0];
}

const choice = best();
if (choice) location.replace(choice.href);
