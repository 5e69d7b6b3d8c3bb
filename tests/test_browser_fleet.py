"""The fleet console in a real browser: a kiosk reports its heartbeat to a live server; the server
is really stopped (its port closed), the kiosk shows its offline dot and queues its visit records;
the server comes back on the same port, the first heartbeat says how many records wait and when
the outage began, the queue drains, and the console says so."""

from __future__ import annotations

import json
import re
import threading
import time

import pytest
from sqlalchemy import select
from werkzeug.serving import WSGIRequestHandler, make_server

from exhibit.auth.accounts import create_account
from exhibit.visits.schema import events, kiosk_heartbeat_history

from .conftest import DEMO_PANELS, make_app, publish
from .test_staff import PASSWORD, Staff

pytestmark = pytest.mark.browser
KIOSK = "fleet-test"


class _OneRequestPerConnection(WSGIRequestHandler):
    # No keep-alive: once the server stops, no open connection may still answer the kiosk.
    protocol_version = "HTTP/1.0"


class Restartable:
    """A real server on a fixed port that can be stopped and started again."""

    def __init__(self, app):
        self.app = app
        self.port = 0
        self.server = None
        self.thread = None

    def start(self) -> None:
        self.server = make_server("127.0.0.1", self.port, self.app, threaded=True,
                                  request_handler=_OneRequestPerConnection)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture()
def fleet_server(media_cache, tmp_path):
    app = make_app(DEMO_PANELS, media_cache, KIOSK_HEARTBEAT_SECONDS=1,
                   DATABASE_URL=f"sqlite:///{tmp_path / 'fleet.sqlite3'}")
    publish(app)
    create_account(app.extensions["exhibit.db"], "vera", PASSWORD, "viewer", None)
    server = Restartable(app)
    server.start()
    yield server
    server.stop()
    app.extensions["exhibit.db"].dispose()


def history(app):
    with app.extensions["exhibit.db"].connect() as conn:
        rows = conn.execute(select(kiosk_heartbeat_history).where(
            kiosk_heartbeat_history.c.kiosk_id == KIOSK).order_by(
            kiosk_heartbeat_history.c.id)).all()
    return [json.loads(row.data) for row in rows]


def wait_until(page, check, what: str, limit_s: float = 180):
    """Until check() is true (a state of the database the browser cannot see)."""
    deadline = time.monotonic() + limit_s
    while not check():
        assert time.monotonic() < deadline, f"still waiting for {what}"
        page.wait_for_timeout(200)


def console_card(app) -> str:
    staff = Staff(app)
    app.config["WTF_CSRF_ENABLED"] = True
    assert staff.login("vera").status_code == 302
    html = staff.get("/staff/kiosks?lang=en").get_data(as_text=True)
    app.config["WTF_CSRF_ENABLED"] = False
    return html.split(f'data-kiosk="{KIOSK}"')[1].split("</li>\n")[0]


def test_a_kiosk_reports_goes_offline_queues_and_comes_back(browser, fleet_server):
    app = fleet_server.app
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    page = context.new_page()
    page.goto(f"{fleet_server.url}/kiosk/?kiosk={KIOSK}")
    page.wait_for_selector("#kiosk-app[data-ready]")
    dot = page.locator("#k-offline")

    # Live: the heartbeat arrives and the console says so.
    page.wait_for_function("() => window.exhibitKiosk.fleet.isOnline() === true")
    wait_until(page, lambda: any(b["content_version"] for b in history(app)), "a heartbeat")
    first = [b for b in history(app) if b["content_version"]][-1]
    assert first["screen_width"] == 1920 and first["screen_height"] == 1080
    assert first["stuck_visit"] is False and first["offline_from"] is None
    card = console_card(app)
    assert re.search(r'data-state>Live<', card), card
    assert "Not in kiosks.yaml" in card
    assert dot.is_hidden()

    # The server goes away (its port is closed): the dot appears, visits are queued.
    fleet_server.stop()
    page.wait_for_function("() => window.exhibitKiosk.fleet.isOnline() === false")
    assert dot.is_visible()
    assert dot.get_attribute("role") == "status"
    assert "Offline" in dot.inner_text() or "离线" in dot.inner_text()
    box = dot.bounding_box()
    assert box["width"] <= 16 and box["height"] <= 16  # discreet: a dot, not a banner
    page.click(".k-section >> nth=0")
    page.click("button[data-action=next]")
    page.click("button[data-action=home]")
    page.wait_for_function("async () => (await window.exhibitKiosk.visits.queue.size()) >= 3")
    queued = page.evaluate(
        "async () => (await window.exhibitKiosk.visits.queue.peek(1e6)).map(e => e.id)")
    beats_before = len(history(app))

    # Back on the same port: the first heartbeat says what waits and since when; then it drains.
    fleet_server.start()
    page.wait_for_function("() => window.exhibitKiosk.fleet.isOnline() === true")
    assert dot.is_hidden()
    wait_until(page, lambda: any(b["queue_length"] == 0 for b in history(app)[beats_before:]),
               "a heartbeat with the queue drained")
    after = history(app)[beats_before:]
    back = after[0]
    assert back["queue_length"] >= len(queued) and back["oldest_queued_at"] is not None
    assert back["offline_from"] is not None
    drained = next(b for b in after if b["queue_length"] == 0)
    assert drained["last_sent_at"] is not None and drained["offline_from"] == back["offline_from"]
    with app.extensions["exhibit.db"].connect() as conn:
        stored = conn.execute(select(events.c.id).where(events.c.id.in_(queued))).scalars().all()
    assert sorted(stored) == sorted(queued)
    card = console_card(app)
    assert re.search(r'data-state>Live<', card), card
    assert "Last outage seen by the kiosk" in card and "from 20" in card
    context.close()
