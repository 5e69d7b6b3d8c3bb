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


def test_each_language_of_the_bundle_has_its_own_interface_text(scratch, tmp_path):
    """The real command: its requests once shared the command's app context (one ``g``), and the
    first language fetched stuck to every manifest (the English kiosk said 图文)."""
    import json
    import os
    import re
    import subprocess
    import sys

    from .scratch import turn_review_off

    turn_review_off(scratch)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("EXHIBIT_", "FLASK_"))}
    env.update(EXHIBIT_CONTENT_DIR=str(scratch), EXHIBIT_MEDIA_CACHE_DIR=str(tmp_path / "cache"),
               EXHIBIT_DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
               EXHIBIT_PUBLISHED_MEDIA_DIR=str(tmp_path / "published"))
    result = subprocess.run([sys.executable, "-m", "exhibit", "kiosk", "bundle", "--out",
                             str(tmp_path / "usb")], env=env, cwd=tmp_path, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    kinds = {}
    for lang in ("zh", "en", "fr"):
        manifest = (tmp_path / "usb" / "site" / "api" / "v1" / f"panels.{lang}.json").read_text()
        html = " ".join(p["kiosk_html"] for p in json.loads(manifest)["panels"])
        kinds[lang] = set(re.findall(r'class="panel-kind">([^<]*)<', html))
    assert kinds["en"] and kinds["en"].isdisjoint(kinds["zh"]) and kinds["fr"].isdisjoint(kinds["zh"])
