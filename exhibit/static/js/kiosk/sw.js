// The kiosk's service worker. It keeps a complete copy of the kiosk (shell, manifests in every
// language, every image, video and caption file) in a cache named after its version, serves the
// kiosk from it, and downloads a new version into a separate cache in the background. The new
// copy is used only when it is complete AND the page asks for it (at the idle reset): a broken or
// partial download never replaces a good cache, and nothing changes under a visitor's finger.

const PREFIX = "exhibit-kiosk-";
const STATE_CACHE = "exhibit-kiosk-state";
const STATE_KEY = "/__exhibit_kiosk_state__";
const PARALLEL = 4;

let checking = null;
let progress = null;
let lastError = null;

async function readState() {
  const cache = await caches.open(STATE_CACHE);
  const response = await cache.match(STATE_KEY);
  return response ? response.json() : { active: null, ready: null, shell: null, files: 0 };
}

async function writeState(state) {
  const cache = await caches.open(STATE_CACHE);
  await cache.put(STATE_KEY, new Response(JSON.stringify(state), { headers: { "Content-Type": "application/json" } }));
}

async function broadcast(extra = {}) {
  const state = await readState();
  const message = { type: "status", ...state, progress, error: lastError, ...extra };
  for (const client of await self.clients.matchAll({ includeUncontrolled: true })) client.postMessage(message);
}

async function download(version, urls) {
  const name = PREFIX + version;
  await caches.delete(name); // a previous attempt may have left part of it
  const cache = await caches.open(name);
  let done = 0;
  progress = { done, total: urls.length };
  for (let i = 0; i < urls.length; i += PARALLEL) {
    await Promise.all(urls.slice(i, i + PARALLEL).map(async (url) => {
      const response = await fetch(url, { cache: "no-store", credentials: "same-origin" });
      if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
      await cache.put(url, response);
      done += 1;
      progress = { done, total: urls.length };
    }));
  }
  progress = null;
}

async function check(precacheUrl, pageUrl) {
  const response = await fetch(precacheUrl, { cache: "no-store" });
  if (!response.ok) throw new Error(`${precacheUrl}: HTTP ${response.status}`);
  const { version, urls } = await response.json();
  const state = await readState();
  if (version === state.active || version === state.ready) {
    if (state.shell !== pageUrl && version === state.active) {
      await (await caches.open(PREFIX + version)).put(pageUrl, await fetch(pageUrl, { cache: "no-store" }));
      await writeState({ ...state, shell: pageUrl });
    }
    return;
  }
  // The page's own address (with ?kiosk=) is the shell: it carries this screen's settings.
  const list = urls.map((url) => (url === "/kiosk/" ? pageUrl : url));
  await download(version, list);
  const fresh = await readState();
  if (!fresh.active) {
    await writeState({ ...fresh, active: version, shell: pageUrl, files: list.length }); // first copy: use it now
  } else {
    if (fresh.ready && fresh.ready !== version) await caches.delete(PREFIX + fresh.ready);
    await writeState({ ...fresh, ready: version, readyFiles: list.length, shell: pageUrl });
  }
}

async function activateReady() {
  const state = await readState();
  if (!state.ready) return;
  const next = { active: state.ready, ready: null, shell: state.shell, files: state.readyFiles || state.files };
  await writeState(next);
  for (const name of await caches.keys()) {
    if (name.startsWith(PREFIX) && name !== PREFIX + next.active && name !== STATE_CACHE) await caches.delete(name);
  }
}

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));

self.addEventListener("message", (event) => {
  const { type, precacheUrl, pageUrl } = event.data || {};
  if (type === "check") {
    if (!checking) {
      checking = check(precacheUrl, pageUrl)
        .then(() => { lastError = null; })
        .catch((error) => { lastError = String(error); progress = null; })
        .finally(() => { checking = null; return broadcast(); });
    }
    event.waitUntil(checking);
  } else if (type === "activate") {
    event.waitUntil(activateReady().then(() => broadcast({ type: "activated" })));
  } else if (type === "status") {
    event.waitUntil(broadcast());
  }
});

async function rangeResponse(request, cached) {
  // Video players ask for byte ranges; answer them from the cached file.
  const blob = await cached.blob();
  const match = /bytes=(\d*)-(\d*)/.exec(request.headers.get("range") || "");
  const start = match && match[1] ? Number(match[1]) : 0;
  const end = match && match[2] ? Math.min(Number(match[2]), blob.size - 1) : blob.size - 1;
  if (start >= blob.size || start > end) {
    return new Response(null, { status: 416, headers: { "Content-Range": `bytes */${blob.size}` } });
  }
  return new Response(blob.slice(start, end + 1), {
    status: 206,
    headers: {
      "Content-Type": cached.headers.get("Content-Type") || "application/octet-stream",
      "Content-Range": `bytes ${start}-${end}/${blob.size}`,
      "Content-Length": String(end - start + 1),
      "Accept-Ranges": "bytes",
    },
  });
}

async function respond(request) {
  const state = await readState();
  const cache = state.active ? await caches.open(PREFIX + state.active) : null;
  const url = new URL(request.url);
  if (cache) {
    let cached = await cache.match(request, { ignoreVary: true });
    if (!cached && request.mode === "navigate" && url.pathname === "/kiosk/") {
      cached = await cache.match(state.shell || "/kiosk/");
    }
    if (cached) return request.headers.has("range") ? rangeResponse(request, cached) : cached;
  }
  try {
    return await fetch(request);
  } catch (error) {
    if (cache && request.mode === "navigate") {
      const shell = await cache.match(state.shell || "/kiosk/");
      if (shell) return shell;
    }
    return new Response("", { status: 503, statusText: "offline" });
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname === "/kiosk/sw.js" || url.pathname === "/kiosk/precache.json") return;
  event.respondWith(respond(request));
});
