"""No final print file with a placeholder address: the QR code on a panel leads to
PUBLIC_BASE_URL, so `exhibit print`, `exhibit export record` and the staff record download refuse
while it is the default, local or plain http (drafts may print, marked DRAFT). The development
server uses the address it serves when PUBLIC_BASE_URL is unset; production refuses to start."""

from __future__ import annotations

import http.client
import re
import socket
import subprocess
import sys
import time

import pypdf
import pytest

from exhibit.printing import PlaceholderAddress, render_set
from exhibit.settings import DEFAULT_PUBLIC_BASE_URL, base_url_problem

from .conftest import make_app, publish
from .test_kill import Server
from .test_staff import PASSWORD, Staff

SMALL = "300x424"
PLACEHOLDERS = [
    (DEFAULT_PUBLIC_BASE_URL, "unset"),
    ("", "unset"),
    ("https://localhost", "local"),
    ("https://127.0.0.5:8443/", "local"),
    ("https://[::1]:5000", "local"),
    ("http://0.0.0.0:8000", "local"),
    ("http://expo.example.org", "http"),
    ("expo.example.org", "invalid"),
]


@pytest.mark.parametrize("url, kind", PLACEHOLDERS)
def test_placeholder_addresses_are_recognised(url, kind):
    assert base_url_problem(url)[0] == kind


@pytest.mark.parametrize("url", ["https://expo.example.org", "https://expo.mee.gov.cn/hg/",
                                 "https://203.0.113.7"])
def test_public_https_addresses_pass(url):
    assert base_url_problem(url) is None


@pytest.fixture()
def placeholder_app(scratch, media_cache, tmp_path):
    """The scratch exhibition, published, with PUBLIC_BASE_URL left at its default."""
    app = make_app(scratch, media_cache, PUBLIC_BASE_URL=DEFAULT_PUBLIC_BASE_URL)
    app.instance_path = str(tmp_path / "instance")
    publish(app)
    yield app
    app.extensions["exhibit.db"].dispose()


@pytest.mark.parametrize("url", [u for u, _ in PLACEHOLDERS[:1] + PLACEHOLDERS[3:7]])
def test_print_refuses_a_placeholder_address(placeholder_app, tmp_path, url):
    placeholder_app.config["PUBLIC_BASE_URL"] = url
    out = tmp_path / "out"
    result = placeholder_app.test_cli_runner().invoke(args=[
        "print", "output", "--size", SMALL, "--out", str(out)])
    assert result.exit_code == 1, result.output
    assert "refused: PUBLIC_BASE_URL" in result.output
    assert "https" in result.output and "--draft" in result.output
    assert not out.exists()


def test_print_draft_prints_with_a_placeholder_address_marked_draft(placeholder_app, tmp_path):
    out = tmp_path / "out"
    result = placeholder_app.test_cli_runner().invoke(args=[
        "print", "output", "--size", SMALL, "--lang", "en", "--out", str(out), "--draft"])
    assert result.exit_code == 0, result.output
    [pdf] = out.glob("*.pdf")
    assert "DRAFT" in pypdf.PdfReader(pdf).pages[0].extract_text()
    # The report says where the QR code leads, so a wrong address is seen before printing.
    assert f"QR code: {DEFAULT_PUBLIC_BASE_URL}/en/panels/output/?src=print-qr" in result.output


def test_render_set_refuses_final_files_but_not_drafts(placeholder_app, tmp_path):
    with pytest.raises(PlaceholderAddress, match="PUBLIC_BASE_URL is not set"):
        render_set(placeholder_app, ["output"], ["en"], size=SMALL, out_dir=tmp_path / "final")
    assert not (tmp_path / "final").exists() or not list((tmp_path / "final").iterdir())


def test_export_record_refuses_print_files_with_a_placeholder_address(placeholder_app, tmp_path):
    out = tmp_path / "record.zip"
    result = placeholder_app.test_cli_runner().invoke(args=[
        "export", "record", "--out", str(out), "--lang", "en"])
    assert result.exit_code == 1, result.output
    assert "refused: PUBLIC_BASE_URL is not set" in result.output
    assert "--skip print" in result.output and "--draft" in result.output
    assert not out.exists() and not out.with_name("record.zip.part").exists()


def test_the_staff_record_download_refuses_print_files_with_a_clear_page(visit_app):
    visit_app.config["PUBLIC_BASE_URL"] = "http://127.0.0.1:5000"
    from exhibit.auth.accounts import create_account

    create_account(visit_app.extensions["exhibit.db"], "ada", PASSWORD, "admin", None)
    visit_app.config["WTF_CSRF_ENABLED"] = True
    staff = Staff(visit_app)
    staff.login("ada")
    response = staff.get("/staff/record.zip?lang=en&print=1")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    assert "PUBLIC_BASE_URL (http://127.0.0.1:5000)" in page
    assert "without the print files" in page
    # In the staff member's language too.
    zh = staff.get("/staff/record.zip?lang=zh&print=1")
    assert zh.status_code == 409 and "不是展览的公开 https 地址" in zh.get_data(as_text=True)


# -- exhibit run: the served address in development, a refusal in production -----------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(port: int, path: str) -> tuple[int, str] | None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read().decode("utf-8", "replace")
    except OSError:
        return None
    finally:
        conn.close()  # after a timeout too (an unclosed socket is a ResourceWarning)


def test_the_development_server_uses_the_address_it_serves(tmp_path):
    server = Server(tmp_path, f"sqlite:///{tmp_path / 'visits.sqlite3'}")
    port = _free_port()
    with server.log.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "exhibit", "run", "--host", "127.0.0.1", "--port", str(port)],
            cwd=server.cwd, env=server.env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while (answer := _get(port, "/sitemap.xml")) is None or answer[0] != 200:
            assert process.poll() is None, server.log.read_text()
            assert time.monotonic() < deadline, server.log.read_text()
            time.sleep(0.1)
        locations = re.findall(r"<loc>([^<]+)</loc>", answer[1])
        assert locations and all(u.startswith(f"http://127.0.0.1:{port}/") for u in locations)
        assert "localhost:5000" not in answer[1]
        assert f"links and QR codes use http://127.0.0.1:{port}" in server.log.read_text()
    finally:
        process.terminate()
        # A ceiling, not a pace: gunicorn's graceful stop of its workers outlasted 30 s with both
        # cores loaded (stress-ng beside the suite).
        process.wait(240)


@pytest.mark.parametrize("url, host", [(None, "127.0.0.1"), ("http://127.0.0.1:8000", "0.0.0.0")])
def test_production_refuses_to_start_without_a_public_address(tmp_path, url, host):
    server = Server(tmp_path, f"sqlite:///{tmp_path / 'visits.sqlite3'}")
    if url:
        server.env["EXHIBIT_PUBLIC_BASE_URL"] = url
    done = subprocess.run(
        [sys.executable, "-m", "exhibit", "run", "--production", "--host", host, "--port",
         str(_free_port())], cwd=server.cwd, env=server.env, capture_output=True, text=True,
        timeout=120)
    assert done.returncode == 1
    assert "refusing to start in production: PUBLIC_BASE_URL" in done.stderr
    assert "EXHIBIT_PUBLIC_BASE_URL=https://" in done.stderr
    assert "gunicorn" not in done.stdout  # refused before gunicorn was started
