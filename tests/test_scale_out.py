"""Scaling out: several workers or servers share their rate-limit counters through Redis
(``RATELIMIT_STORAGE_URI``), so a limit holds for the whole site, not per process. Two server
processes stand for two gunicorn workers or two servers; the Redis server is real (scripts/setup
starts one for the tests)."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import time
import uuid
from pathlib import Path

import pytest

from .scratch import turn_review_off
from .test_events import page_view
from .test_kill import Server


@pytest.fixture()
def redis_url() -> str:
    url = os.environ.get("EXHIBIT_TEST_REDIS_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("EXHIBIT_TEST_REDIS_URL is not set: run the tests with scripts/test")
        pytest.skip("no Redis server (run the tests with scripts/test to get one)")
    return url


@contextlib.contextmanager
def two_servers(tmp_path, storage: str):
    """Two app processes on one database and one limit store, as two gunicorn workers or two
    servers behind a load balancer are (in one process the apps would share their counters)."""
    prefix = f"exhibit-test-{uuid.uuid4().hex}"  # each test counts in its own keys
    database = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    servers = []
    try:
        for name in ("a", "b"):
            (tmp_path / name).mkdir()
            server = Server(tmp_path / name, database)
            server.env.update({"EXHIBIT_RATELIMIT_ENABLED": "true",
                               "EXHIBIT_EVENTS_RATE_LIMIT": "4 per minute",
                               "EXHIBIT_RATELIMIT_STORAGE_URI": storage,
                               "EXHIBIT_RATELIMIT_KEY_PREFIX": prefix})
            turn_review_off(Path(server.env["EXHIBIT_CONTENT_DIR"]))
            server.start(time.monotonic() + 60)
            servers.append(server)
        yield [server.port for server in servers]
    finally:
        for server in servers:
            server.stop()


def send(port: int) -> tuple[int, dict[str, str]]:
    """POST one event over HTTP; the status and headers of the answer."""
    body = json.dumps({"events": [page_view()]})
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("POST", "/api/v1/events", body, {"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        return response.status, dict(response.getheaders())
    finally:
        conn.close()


def test_with_redis_the_limit_holds_across_servers(tmp_path, redis_url):
    with two_servers(tmp_path, redis_url) as (a, b):
        assert [send(port)[0] for port in (a, b, a, b)] == [200, 200, 200, 200]
        status, headers = send(a)
        assert status == 429
        assert int(headers["Retry-After"]) > 0
        assert send(b)[0] == 429  # the other process knows too


def test_with_memory_storage_each_process_counts_alone(tmp_path):
    """Why the README says to use Redis with several workers: in memory, N processes let N times
    the limit through."""
    with two_servers(tmp_path, "memory://") as (a, b):
        assert [send(port)[0] for port in (a, b) * 4] == [200] * 8
        assert send(a)[0] == 429 and send(b)[0] == 429
