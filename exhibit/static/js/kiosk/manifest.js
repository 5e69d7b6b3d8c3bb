// Loads the published panels per language from /api/v1/panels, once per language and version.

export class Manifests {
  constructor(url) {
    this.url = url;
    this.byLanguage = new Map();
  }

  /** The manifest of one language (a promise, shared by concurrent callers). */
  get(lang) {
    if (!this.byLanguage.has(lang)) {
      const request = fetch(`${this.url}?lang=${encodeURIComponent(lang)}`, {
        headers: { Accept: "application/json" },
      }).then((response) => {
        if (!response.ok) throw new Error(`manifest ${lang}: HTTP ${response.status}`);
        return response.json();
      });
      // A failed load must not stay cached: the next attempt tries again.
      request.catch(() => this.byLanguage.delete(lang));
      this.byLanguage.set(lang, request);
    }
    return this.byLanguage.get(lang);
  }

  /** Forget every manifest (new content is applied at the next reset). */
  clear() {
    this.byLanguage.clear();
  }
}
