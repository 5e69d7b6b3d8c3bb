// The kiosk's report to the fleet console (/staff/kiosks): every few seconds it measures its own
// state — content on screen, visit records waiting and the oldest of them, last successful send,
// persistent storage, screen size, last error, uptime, a visit left open — and posts it to
// /api/v1/kiosks/<id>/heartbeat. Not a visit event: it never enters the queue or the visit log.
//
// While the server does not answer, the kiosk keeps measuring (each report says when it was
// measured) and keeps trying; the first report that gets through carries the latest state and
// when the outage began, then the waiting records are sent at once and a second report shows the
// queue draining. Meanwhile a small dot in the top-right corner tells staff the kiosk is offline
// (visitors can go on: everything works from the local copy).
//
// (app.js has its own `heartbeat()`: the page title the hall's watchdog reads. That one says the
// page is alive; this one says what the kiosk is doing.)

const SLACK_MS = 60000; // a visit untouched this long past the idle reset's limit is stuck

function iso(time) {
  return time ? new Date(time).toISOString() : null;
}

/** When the oldest waiting record was made, read without moving the queue's reading position. */
async function oldestQueued(queue) {
  if (queue.items) return queue.items.length ? queue.items[0].at : null; // the memory queue
  const db = await queue.ready;
  return new Promise((resolve, reject) => {
    const cursor = db.transaction("events", "readonly").objectStore("events").index("seq").openCursor();
    cursor.onsuccess = () => resolve(cursor.result ? cursor.result.value.event.at : null);
    cursor.onerror = () => reject(cursor.error);
  });
}

export function reportState({ settings, visits, offline, idle, version, strings }) {
  const key = `exhibit-kiosk:fleet:${settings.kioskId}`;
  const started = Date.now();
  let lastError = null;
  let online = null; // null: not known yet
  let timer = null;
  let beating = false;
  const kept = (() => {
    try {
      return JSON.parse(localStorage.getItem(key) || "{}") || {};
    } catch (error) {
      return {};
    }
  })();

  function keep() {
    try {
      localStorage.setItem(key, JSON.stringify(kept));
    } catch (error) {
      // Storage refused: the report goes on, only a reload forgets the outage's start.
    }
  }

  // The discreet sign for staff: a dot in the corner, its meaning for a screen reader.
  const indicator = document.createElement("div");
  indicator.className = "k-offline-dot";
  indicator.id = "k-offline";
  indicator.setAttribute("role", "status");
  indicator.hidden = true;
  const label = document.createElement("span");
  label.className = "k-offline-label";
  indicator.append(label);
  document.getElementById("kiosk-app").append(indicator);

  function showOnline(answered) {
    online = answered;
    indicator.hidden = answered;
    label.textContent = answered ? "" : strings().offline_indicator;
    indicator.title = label.textContent;
  }

  function noteError(text) {
    lastError = `${new Date().toISOString().slice(0, 19)}Z ${text}`.slice(0, 500);
  }
  window.addEventListener("error", (event) => {
    if (event.message) noteError(`${event.message} (${(event.filename || "").split("/").pop()}:${event.lineno || 0})`);
  });
  window.addEventListener("unhandledrejection", (event) => {
    noteError(`unhandled: ${event.reason && event.reason.message ? event.reason.message : event.reason}`);
  });

  /** The kiosk's state now, as the heartbeat's fields. */
  async function measure() {
    if (visits.lastSync && (!kept.lastSent || visits.lastSync.getTime() > kept.lastSent)) {
      kept.lastSent = visits.lastSync.getTime();
    }
    const queueLength = await visits.queue.size();
    let oldest = null;
    try {
      oldest = queueLength ? await oldestQueued(visits.queue) : null;
    } catch (error) {
      noteError(`queue: ${error}`);
    }
    let open = null;
    try {
      const saved = JSON.parse(localStorage.getItem(`exhibit-kiosk:open-visit:${settings.kioskId}`) || "null");
      if (saved && saved.session && saved.session.started) open = saved.session.started;
    } catch (error) {
      open = null;
    }
    // A visit ends at most the idle time (twice that on the questionnaire) and the countdown
    // after the last touch; open and untouched for longer, the reset did not happen.
    const limit = (2 * settings.idleSeconds + settings.countdownSeconds) * 1000 + SLACK_MS;
    const idleState = idle.state();
    const status = offline.state.status || {};
    const error = lastError || (status.error ? `download: ${status.error}` : null);
    return {
      measured_at: new Date().toISOString(),
      uptime_s: Math.floor((Date.now() - started) / 1000),
      queue_length: queueLength,
      oldest_queued_at: queueLength ? oldest : null,
      last_sent_at: iso(kept.lastSent),
      content_version: version() || null,
      storage_persisted: offline.state.persisted,
      screen_width: Math.max(1, Math.round(window.innerWidth)),
      screen_height: Math.max(1, Math.round(window.innerHeight)),
      last_error: error ? String(error).slice(0, 500) : null,
      visit_open_s: open ? Math.max(0, Math.floor((Date.now() - open) / 1000)) : null,
      stuck_visit: Boolean(open && idleState.idleMs > limit && !idleState.videoPlaying),
      offline_from: iso(kept.offlineFrom || kept.lastOutage),
    };
  }

  async function send(state) {
    const response = await fetch(settings.heartbeatUrl, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(state),
      cache: "no-store",
      credentials: "omit",
    });
    if (!response.ok) noteError(`heartbeat refused: HTTP ${response.status}`);
    await response.arrayBuffer().catch(() => {}); // read to the end: the request is over
    return response;
  }

  /** Measure and report now; true when the server answered. */
  async function beat() {
    if (beating) return online;
    beating = true;
    try {
      let state = await measure();
      kept.latest = state;
      try {
        await send(state);
      } catch (error) {
        // No answer: the server or the network is down. Keep the state and the outage's start.
        if (online !== false && !kept.offlineFrom) kept.offlineFrom = Date.now();
        keep();
        showOnline(false);
        return false;
      }
      const wasOffline = online === false || kept.outage;
      showOnline(true);
      if (wasOffline) {
        // Back: send the waiting records now (not at the sender's next backoff), then say so.
        kept.outage = false;
        await visits.flush();
        state = await measure();
        kept.latest = state;
        await send(state).catch(() => {});
      }
      // The outage is over; its start stays in the next reports (the console shows it) until
      // a new one begins.
      if (kept.offlineFrom) kept.lastOutage = kept.offlineFrom;
      kept.offlineFrom = null;
      keep();
      return true;
    } finally {
      beating = false;
    }
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      await beat().catch((error) => noteError(`heartbeat: ${error}`));
      schedule();
    }, settings.heartbeatSeconds * 1000);
  }

  if (settings.heartbeatUrl) {
    // A reload during an outage: the next answer still counts as a return.
    if (kept.offlineFrom) kept.outage = true;
    window.addEventListener("online", () => beat());
    beat().finally(schedule);
  }
  return { beat, measure, isOnline: () => online, indicator, kept };
}
