// The kiosk's queue of visit events, in IndexedDB: written before anything is sent, kept across
// reloads, crashes and power cuts, removed only once the server has acknowledged an event.
// Same interface as MemoryQueue in ../shared/events.js.

const DB_NAME = "exhibit-kiosk";
const STORE = "events";
// "strict": the write reaches the disk before the transaction completes (power cuts).
const DURABLE = { durability: "strict" };

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function done(tx) {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = tx.onabort = () => reject(tx.error);
  });
}

export class IndexedDBQueue {
  constructor(name = DB_NAME) {
    this.ready = new Promise((resolve, reject) => {
      const open = indexedDB.open(name, 1);
      open.onupgradeneeded = () => {
        // seq keeps the order of arrival; the event id is the key, so a re-add is harmless.
        const store = open.result.createObjectStore(STORE, { keyPath: "id" });
        store.createIndex("seq", "seq");
      };
      open.onsuccess = () => resolve(open.result);
      open.onerror = () => reject(open.error);
    });
    this.counter = 0;
  }

  async add(item) {
    const db = await this.ready;
    const tx = db.transaction(STORE, "readwrite", DURABLE);
    tx.objectStore(STORE).put({ id: item.id, seq: Date.now() * 1000 + (this.counter++ % 1000), event: item });
    await done(tx);
  }

  /** Add many at once (one transaction): used when importing or benchmarking. */
  async addAll(items) {
    const db = await this.ready;
    const tx = db.transaction(STORE, "readwrite", DURABLE);
    const store = tx.objectStore(STORE);
    const base = Date.now() * 1000;
    items.forEach((item, i) => store.put({ id: item.id, seq: base + i, event: item }));
    await done(tx);
  }

  /**
   * The oldest `limit` events, in order. Reading starts after the last batch removed, so a long
   * queue drains in linear time (a scan from the start steps over every deleted entry again);
   * when nothing is found there, it looks once from the start for anything left behind.
   */
  async peek(limit) {
    const db = await this.ready;
    const index = db.transaction(STORE, "readonly").objectStore(STORE).index("seq");
    const after = this.after === undefined ? null : IDBKeyRange.lowerBound(this.after, true);
    let rows = await request(index.getAll(after, limit));
    if (!rows.length && after) {
      this.after = undefined;
      rows = await request(db.transaction(STORE, "readonly").objectStore(STORE).index("seq").getAll(null, limit));
    }
    this.peeked = rows;
    return rows.map((row) => row.event);
  }

  async remove(ids) {
    if (!ids.length) return;
    const db = await this.ready;
    const tx = db.transaction(STORE, "readwrite", DURABLE);
    const store = tx.objectStore(STORE);
    for (const id of ids) store.delete(id);
    await done(tx);
    // Move the reading position past the removed run at the front of the last batch read.
    const removed = new Set(ids);
    for (const row of this.peeked || []) {
      if (!removed.has(row.id)) break;
      this.after = row.seq;
    }
  }

  async size() {
    const db = await this.ready;
    return request(db.transaction(STORE, "readonly").objectStore(STORE).count());
  }
}
