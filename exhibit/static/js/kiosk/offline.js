// The kiosk's side of the service worker (sw.js): register it, ask for persistent storage, check
// for new content in the background, and switch to it only when told to (at the idle reset).

const CHECK_EVERY_MS = 5 * 60 * 1000; // new content reaches the hall within minutes

export function setUpOffline({ serviceWorker, precacheUrl }) {
  const state = { supported: "serviceWorker" in navigator, status: {}, persisted: null };
  if (!state.supported) return { state, check() {}, applyUpdate: async () => false };
  const pageUrl = location.pathname + location.search;
  let activated = null;

  navigator.serviceWorker.addEventListener("message", (event) => {
    if (event.data && event.data.type === "status") state.status = event.data;
    if (event.data && event.data.type === "activated" && activated) activated();
  });

  async function post(message) {
    const registration = await navigator.serviceWorker.ready;
    registration.active.postMessage({ ...message, precacheUrl, pageUrl });
  }

  navigator.serviceWorker.register(serviceWorker, { scope: "/kiosk/" }).then(() => post({ type: "check" }));
  if (navigator.storage && navigator.storage.persist) {
    navigator.storage.persist().then((granted) => { state.persisted = granted; });
  }
  setInterval(() => post({ type: "check" }), CHECK_EVERY_MS);

  return {
    state,
    check: () => post({ type: "check" }),
    /** At the reset: if new content is fully downloaded, switch to it and reload. */
    async applyUpdate() {
      const { active, ready } = state.status;
      if (!ready || ready === active) return false;
      await new Promise((resolve) => {
        activated = resolve;
        post({ type: "activate" });
      });
      location.reload();
      return true;
    },
  };
}
