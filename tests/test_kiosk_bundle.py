"""A hall with no server: the kiosk runs from a bundle folder, and its visit log comes back."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
from sqlalchemy import func, select

from exhibit.visits.schema import events

from .conftest import make_app


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def bundle(demo_app, tmp_path):
    out = tmp_path / "usb"
    result = demo_app.test_cli_runner().invoke(args=["kiosk", "bundle", "--out", str(out),
                                                     "--kiosk", "usb-test"])
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.browser
def test_the_kiosk_runs_from_a_bundle_and_its_visits_are_imported_once(
        bundle, browser, scratch, media_cache, tmp_path):
    assert (bundle / "site" / "kiosk" / "index.html").is_file()
    assert (bundle / "site" / "api" / "v1" / "panels.fr.json").is_file()
    port = free_port()
    server = subprocess.Popen([sys.executable, str(bundle / "serve.py"), "--port", str(port)],
                              cwd=bundle)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        context = browser.new_context(viewport={"width": 1920, "height": 1080})
        page = context.new_page()
        page.goto(f"{base}/kiosk/?kiosk=usb-test")
        page.wait_for_selector("#kiosk-app[data-ready]")
        page.wait_for_function("() => window.exhibitKiosk.offline.state.status.active", timeout=60_000)
        page.click(".k-section >> nth=0")
        page.evaluate("window.exhibitKiosk.show('project-video')")
        played = page.evaluate("""async () => { const v = document.querySelector('video');
            v.muted = true; await v.play(); await new Promise(r => setTimeout(r, 800));
            return v.currentTime; }""")
        assert played > 0.3
        page.evaluate("window.exhibitKiosk.reset()")
        page.evaluate("window.exhibitKiosk.visits.flush()")
        deadline = time.monotonic() + 10
        while page.evaluate("window.exhibitKiosk.visits.queue.size()") and time.monotonic() < deadline:
            page.wait_for_timeout(200)
        context.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    log = bundle / "visits.jsonl"
    lines = log.read_text().splitlines()
    kinds = {json.loads(line)["kind"] for line in lines}
    assert {"session_start", "panel_view", "session_end"} <= kinds
    with log.open("a") as fh:
        fh.write(lines[0] + "\n")  # the same event twice in the file
        fh.write("{broken\n")

    app = make_app(scratch, media_cache)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["import", "visits", str(log)])
    assert first.exit_code == 0, first.output
    assert f"{len(lines)} stored" in first.output and "1 duplicate" in first.output
    assert f"visits.jsonl:{len(lines) + 2}: rejected: not JSON" in first.output
    second = runner.invoke(args=["import", "visits", str(log)])
    assert f"{len(lines) + 1} duplicate" in second.output and "stored" not in second.output
    with app.extensions["exhibit.db"].connect() as conn:
        assert conn.execute(select(func.count()).select_from(events)).scalar_one() == len(lines)
        kiosk_ids = set(conn.execute(select(events.c.kiosk_id).distinct()).scalars())
    assert kiosk_ids == {"usb-test"}
