"""The staff dashboard with a real record: panel views, channels, periods, charts."""

from __future__ import annotations

import datetime as dt
import uuid

from exhibit.auth.accounts import create_account

from .test_staff import PASSWORD, Staff

BROWSER_UA = ("Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) "
              "Chrome/131.0 Mobile Safari/537.36")


def kiosk_panel_view(panel: str, dwell_ms: int) -> dict:
    return {"id": str(uuid.uuid4()), "kind": "panel_view", "surface": "kiosk",
            "at": dt.datetime.now(dt.UTC).isoformat(), "kiosk": "hall-a",
            "session": str(uuid.uuid4()), "lang": "zh", "panel": panel, "dwell_ms": dwell_ms}


def signed_in(app) -> Staff:
    create_account(app.extensions["exhibit.db"], "vera", PASSWORD, "viewer", None)
    staff = Staff(app)
    staff.login("vera")
    return staff


def test_dashboard_with_two_panels_viewed(visit_app, visit_client):
    # Issue 16: two panels in the log made the panel table sort dicts, and the page answered 500.
    response = visit_client.post("/api/v1/events", json={"events": [
        kiosk_panel_view("story", 12_000), kiosk_panel_view("output", 30_000),
        kiosk_panel_view("output", 20_000)]}, headers={"User-Agent": BROWSER_UA})
    assert response.get_json()["counts"] == {"stored": 3}
    staff = signed_in(visit_app)
    response = staff.get("/staff/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    panels = html[html.index('id="h-panels"'):]
    # Most viewed first, named by their titles.
    assert panels.index("Output") < panels.index("A story")
