// Visit events: ids, timestamps, and a sender that batches, retries with backoff and jitter, and
// forgets an event only when the server has acknowledged it (stored, duplicate or rejected).
// Used by the kiosk and the topic page. The queue's storage is pluggable: memory here; the kiosk's
// offline work keeps it in IndexedDB.

/** A random v4 UUID, also where crypto.randomUUID is missing (plain-HTTP kiosks on a LAN). */
export function uuid() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function event(kind, surface, fields) {
  return { id: uuid(), kind, surface, at: new Date().toISOString(), ...fields };
}

export class MemoryQueue {
  constructor() {
    this.items = [];
  }
  async add(item) {
    this.items.push(item);
  }
  async peek(limit) {
    return this.items.slice(0, limit);
  }
  async remove(ids) {
    const done = new Set(ids);
    this.items = this.items.filter((item) => !done.has(item.id));
  }
  async size() {
    return this.items.length;
  }
}

const FINAL = new Set(["stored", "duplicate", "rejected", "ignored"]);
const KEEPALIVE_LIMIT = 60000; // bytes: under the 64 KiB browsers allow a keepalive request

export class Sender {
  constructor(url, { queue = new MemoryQueue(), batchSize = 100, interval = 5000 } = {}) {
    this.url = url;
    this.queue = queue;
    this.batchSize = batchSize;
    this.interval = interval;
    this.failures = 0;
    this.timer = null;
    this.sending = false;
    this.lastSync = null;
  }

  async add(item) {
    await this.queue.add(item);
    this.schedule(this.failures ? null : this.interval);
  }

  schedule(delay) {
    if (this.timer) return;
    // Exponential backoff with full jitter after failures, capped at five minutes.
    const wait = delay ?? Math.random() * Math.min(300000, 2000 * 2 ** this.failures);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, wait);
  }

  /**
   * Send everything queued, batch by batch; stop at the first network or server failure.
   * With keepalive (the page is closing) send one batch, cut to the browsers' 64 KiB limit for
   * keepalive bodies: a larger one is refused before it leaves the browser.
   */
  async flush({ keepalive = false } = {}) {
    if (this.sending) return;
    this.sending = true;
    try {
      for (;;) {
        let batch = await this.queue.peek(this.batchSize);
        if (!batch.length) break;
        let body = JSON.stringify({ events: batch });
        while (keepalive && batch.length > 1 && new Blob([body]).size > KEEPALIVE_LIMIT) {
          batch = batch.slice(0, Math.ceil(batch.length / 2));
          body = JSON.stringify({ events: batch });
        }
        const response = await fetch(this.url, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body,
          keepalive,
        });
        const answer = response.status === 200 || response.status === 400 || response.status === 413
          ? await response.json().catch(() => ({})) : null;
        if (!answer) throw new Error(`HTTP ${response.status}`);
        const { results } = answer;
        if (!Array.isArray(results)) {
          // The server refused the body as a whole (too large, or not a batch it can read): a
          // retry of the same body would be refused forever. Send smaller batches; an event
          // refused on its own can never be stored, so it is dropped.
          if (batch.length > 1) this.batchSize = Math.max(1, Math.floor(batch.length / 2));
          else await this.queue.remove([batch[0].id]);
          continue;
        }
        const done = results.filter((r) => FINAL.has(r.status) && r.id).map((r) => r.id);
        const unnamed = results.filter((r) => r.status === "rejected" && !r.id).map((r) => batch[r.index].id);
        await this.queue.remove([...done, ...unnamed]);
        this.failures = 0;
        this.lastSync = new Date();
        if (keepalive) break;
      }
    } catch (error) {
      this.failures += 1;
      this.schedule();
    } finally {
      this.sending = false;
    }
  }
}
