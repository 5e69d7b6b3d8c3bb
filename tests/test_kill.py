"""Kill the server (SIGKILL) while a client is sending events, restart it, let the client retry:
every acknowledged event is stored exactly once, and nothing is stored twice.

The server is the real thing (`python -m exhibit run`, a child process on a free port) on SQLite
and on the PostgreSQL test server; the client talks to it over real HTTP from a thread, the way
the kiosk does: it sends batches in order and resends a batch until it gets an answer for it.
Two crashes: one at the worst moment (a batch committed, its answer lost: the retry must come back
'duplicate', not be stored again), one wherever it lands in a stream sent without pause.
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import func, select

from exhibit.visits.db import make_engine
from exhibit.visits.schema import events

from .scratch import write_exhibition

BROWSER_UA = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/131.0 Safari/537.36")
BATCHES = 60
BATCH_SIZE = 40
HELD_BATCH = 10  # crash 1: committed by the server, its answer lost
KILL_AFTER = 30  # crash 2: after this many acknowledged batches, wherever the stream is
# Seconds for the whole test, server starts included: a ceiling so that it fails rather than hang,
# not a pace. Each step waits for a state; on a quiet machine the test takes a few seconds, but
# with both cores loaded (stress-ng beside the suite) three server starts took longer than 28 s.
DEADLINE = 240.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def make_batches(seed: int) -> list[list[dict]]:
    """Deterministic batches of kiosk and web events with reproducible UUIDs."""
    rng = random.Random(seed)

    def new_id() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    at = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)).isoformat()
    session = new_id()
    batches = []
    for _ in range(BATCHES):
        batch = []
        for i in range(BATCH_SIZE):
            if i % 2:
                batch.append({"id": new_id(), "kind": "panel_view", "surface": "kiosk", "at": at,
                              "kiosk": "hall-a", "session": session, "lang": "zh",
                              "panel": "story", "dwell_ms": rng.randrange(100, 60_000)})
            else:
                batch.append({"id": new_id(), "kind": "page_view", "surface": "web", "at": at,
                              "path": "/en/panels/output/", "lang": "en", "panel": "output",
                              "src": "wechat"})
        batches.append(batch)
    return batches


class Server:
    """`python -m exhibit run` as a child process; start, SIGKILL, start again on the same port."""

    def __init__(self, tmp_path: Path, database_url: str):
        self.port = free_port()
        self.log = tmp_path / "server.log"
        content = write_exhibition(tmp_path / "exhibition")
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("FLASK_", "EXHIBIT_"))}
        self.env.update({
            "EXHIBIT_CONTENT_DIR": str(content),
            "EXHIBIT_DATABASE_URL": database_url,
            "EXHIBIT_RATELIMIT_ENABLED": "false",  # parsed as JSON by from_prefixed_env: False
            "EXHIBIT_MEDIA_CACHE_DIR": str(tmp_path / "media-cache"),
            "EXHIBIT_SECRET_KEY": "x",
            "EXHIBIT_CONTENT_RELOAD_SECONDS": "0",
            "PYTHONUNBUFFERED": "1",
        })
        self.cwd = tmp_path
        self.process: subprocess.Popen | None = None
        self.starts = 0

    def start(self, deadline: float) -> None:
        self.starts += 1
        with self.log.open("a") as log:
            log.write(f"\n--- start {self.starts} ---\n")
            log.flush()
            self.process = subprocess.Popen(
                [sys.executable, "-m", "exhibit", "run", "--host", "127.0.0.1",
                 "--port", str(self.port), "--no-reload", "--no-debugger"],
                cwd=self.cwd, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited ({self.process.returncode}):\n{self.logs()}")
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=1)
            try:
                conn.request("GET", "/healthz")
                if conn.getresponse().status == 200:
                    return
            except OSError:
                pass
            finally:
                conn.close()  # after a timeout too (an unclosed socket is a ResourceWarning)
            time.sleep(0.05)
        raise AssertionError(f"the server did not answer /healthz in time:\n{self.logs()}")

    def kill(self) -> None:
        """SIGKILL: no cleanup, no atexit, no flushing — a crash or a pulled plug."""
        assert self.process is not None
        os.kill(self.process.pid, signal.SIGKILL)
        assert self.process.wait(5) == -signal.SIGKILL

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)

    def logs(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


class Client(threading.Thread):
    """Sends each batch until the server answers it, like the kiosk's offline queue does."""

    def __init__(self, port: int, batches: list[list[dict]], deadline: float):
        super().__init__(daemon=True)
        self.port = port
        self.batches = batches
        self.acknowledged: list[str] = []  # ids the server said were stored (or already stored)
        self.acked_batches = 0
        self.failures = 0  # attempts that got no answer: connection refused, reset, cut off
        self.duplicate_ids: set[str] = set()  # answered 'duplicate': already stored
        self.duplicates_without_retry: list[str] = []  # 'duplicate' for a batch sent only once
        self.error: BaseException | None = None
        # The batch whose answer is lost: after sending it, the client waits for `release` and
        # then drops the connection unread, as when the server dies between commit and answer.
        self.hold: int | None = None
        self.held = threading.Event()
        self.release = threading.Event()
        self.progress = threading.Condition()
        self.deadline = deadline

    def run(self) -> None:
        try:
            self._send_all()
        except BaseException as exc:  # reported by the test, not lost in the thread
            self.error = exc
        finally:
            with self.progress:
                self.progress.notify_all()

    def _send_all(self) -> None:
        conn = None
        for number, batch in enumerate(self.batches):
            body = json.dumps({"events": batch}).encode()
            attempts = 0
            while True:
                attempts += 1
                if time.monotonic() > self.deadline:
                    raise TimeoutError(f"batch {number} not acknowledged before the deadline")
                try:
                    if conn is None:
                        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                    conn.request("POST", "/api/v1/events", body=body, headers={
                        "Content-Type": "application/json", "User-Agent": BROWSER_UA})
                    if number == self.hold and attempts == 1:
                        self.held.set()
                        self.release.wait(max(0.0, self.deadline - time.monotonic()))
                        raise ConnectionResetError("the answer was lost in the crash")
                    response = conn.getresponse()
                    answer = response.read()
                except (OSError, http.client.HTTPException):
                    # No answer: the batch may or may not be committed. Send it again.
                    if conn is not None:
                        conn.close()
                    conn = None
                    with self.progress:
                        self.failures += 1
                        self.progress.notify_all()
                    time.sleep(0.02)
                    continue
                assert response.status == 200, (response.status, answer[:500])
                results = json.loads(answer)["results"]
                assert [r["id"] for r in results] == [e["id"] for e in batch]
                with self.progress:
                    for result in results:
                        assert result["status"] in ("stored", "duplicate"), result
                        if result["status"] == "duplicate":
                            self.duplicate_ids.add(result["id"])
                            if attempts == 1:
                                self.duplicates_without_retry.append(result["id"])
                        self.acknowledged.append(result["id"])
                    self.acked_batches += 1
                    self.progress.notify_all()
                break
        if conn is not None:
            conn.close()

    def wait_for(self, predicate, what: str) -> None:
        with self.progress:
            ok = self.progress.wait_for(
                lambda: predicate() or self.error is not None or not self.is_alive(),
                timeout=max(0.0, self.deadline - time.monotonic()))
        if self.error is not None:
            raise self.error
        assert ok and predicate(), f"the client did not get to: {what}"


@pytest.fixture()
def server(tmp_path, database_url):
    server = Server(tmp_path, database_url)
    yield server
    server.stop()


def engine_for(database_url: str):
    return make_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))


def wait_until_committed(database_url: str, ids: list[str], deadline: float) -> None:
    """Poll the database (from outside the server) until all these events are committed."""
    engine = engine_for(database_url)
    found = 0
    try:
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                found = conn.execute(select(func.count()).select_from(events).where(
                    events.c.id.in_(ids))).scalar_one()
            if found == len(ids):
                return
            time.sleep(0.01)
    finally:
        engine.dispose()
    raise AssertionError(f"only {found} of {len(ids)} events committed before the deadline")


def stored_counts(database_url: str) -> tuple[int, int, set[str]]:
    """(rows, distinct ids, ids) in the events table, read straight from the database."""
    engine = engine_for(database_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(func.count()).select_from(events)).scalar_one()
            distinct = conn.execute(select(func.count(events.c.id.distinct()))).scalar_one()
            ids = set(conn.execute(select(events.c.id)).scalars())
    finally:
        engine.dispose()
    return rows, distinct, ids


def test_killed_server_loses_no_acknowledged_event_and_stores_none_twice(server, database_url):
    deadline = time.monotonic() + DEADLINE
    batches = make_batches(seed=3)
    sent_ids = {e["id"] for batch in batches for e in batch}
    assert len(sent_ids) == BATCHES * BATCH_SIZE

    server.start(deadline)
    client = Client(server.port, batches, deadline)
    client.hold = HELD_BATCH
    client.start()

    # Crash 1, the worst moment: the server has committed a batch and dies before the client has
    # its answer. The client must send it again, and the retry must not store it twice.
    assert client.held.wait(max(0.0, deadline - time.monotonic())), "the held batch was not sent"
    wait_until_committed(database_url, [e["id"] for e in batches[HELD_BATCH]], deadline)
    assert client.acked_batches == HELD_BATCH
    server.kill()
    client.release.set()
    client.wait_for(lambda: client.failures >= 2, "a retry that fails against the killed server")
    server.start(deadline)

    # Crash 2, wherever it lands: the client sends without pause, so the kill hits a batch on the
    # wire, in validation or in its commit.
    client.wait_for(lambda: client.acked_batches >= KILL_AFTER, f"{KILL_AFTER} acknowledged batches")
    failures_before = client.failures
    server.kill()
    client.wait_for(lambda: client.failures > failures_before,
                    "an attempt that fails against the killed server")
    server.start(deadline)

    client.join(timeout=max(0.0, deadline - time.monotonic()) + 1)
    assert not client.is_alive(), "the client did not finish"
    if client.error is not None:
        raise client.error
    # One more retry of the last batch after the fact, as a kiosk that lost the answer would do.
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    conn.request("POST", "/api/v1/events", body=json.dumps({"events": batches[-1]}).encode(),
                 headers={"Content-Type": "application/json", "User-Agent": BROWSER_UA})
    answer = json.loads(conn.getresponse().read())
    conn.close()
    assert answer["counts"] == {"duplicate": BATCH_SIZE}
    server.stop()
    assert server.starts == 3

    rows, distinct, stored_ids = stored_counts(database_url)
    acknowledged = set(client.acknowledged)
    assert acknowledged == sent_ids  # the client got every batch through in the end
    assert not acknowledged - stored_ids, "an acknowledged event was lost"
    assert rows == distinct == len(sent_ids), "an event was stored twice, or one too many"
    assert stored_ids == sent_ids
    # The held batch was committed before the crash: its retry answers 'duplicate' for each event.
    held = {e["id"] for e in batches[HELD_BATCH]}
    assert held <= client.duplicate_ids
    # 'duplicate' only where an earlier attempt got no answer: never for a batch sent once.
    assert client.duplicates_without_retry == []
    assert len(client.acknowledged) == len(sent_ids)
