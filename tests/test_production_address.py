"""Production refuses to start without its public address (issue 18), however it is started:
`exhibit run --production` checks before it execs gunicorn (tests/test_print_address.py); gunicorn
started directly with exhibit's config, as a process manager does, checks the same in its
``on_starting`` hook."""

from __future__ import annotations

import subprocess
import sys

import pytest

from exhibit.gunicorn_config import public_address_refusal

from .test_kill import Server, free_port


@pytest.mark.parametrize(("url", "binds", "refused"), [
    (None, ["127.0.0.1:8000"], True),
    ("http://localhost:5000", ["127.0.0.1:8000"], True),  # the default: a placeholder
    ("expo.example.org", ["0.0.0.0:8000"], True),  # not an address
    ("http://127.0.0.1:8000", ["0.0.0.0:8000"], True),  # local, but others can reach it
    ("http://127.0.0.1:8000", ["127.0.0.1:8000"], False),  # local, and served locally only
    ("https://expo.example.org", ["0.0.0.0:8000"], False),
])
def test_which_addresses_a_production_server_refuses(url, binds, refused):
    assert (public_address_refusal(url, binds) is not None) is refused


def test_gunicorn_started_directly_refuses_without_a_public_address(tmp_path):
    server = Server(tmp_path, f"sqlite:///{tmp_path / 'visits.sqlite3'}")
    server.env.update({"EXHIBIT_BIND": f"127.0.0.1:{free_port()}", "WEB_CONCURRENCY": "1"})
    done = subprocess.run([sys.executable, "-m", "gunicorn", "-c", "python:exhibit.gunicorn_config"],
                          cwd=server.cwd, env=server.env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 3, done.stdout + done.stderr
    assert "refusing to start: PUBLIC_BASE_URL is not set" in done.stderr
    assert "Booting worker" not in done.stderr  # refused before any worker started
