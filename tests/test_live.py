"""The browser tests' server closes a response whose client hung up mid-download.

Without this, a browser cancelling an image leaves WhiteNoise's file open and a ResourceWarning
fails some unrelated later test (it did, in CI).
"""

from __future__ import annotations

import socket
import struct
import threading
from urllib.parse import urlsplit

from .live import serve


def test_a_response_is_closed_when_the_client_resets_the_connection():
    closed = threading.Event()

    class Body:
        """A short response that notes when the server closes it."""

        def __iter__(self):
            yield b"all of it"

        def close(self):
            closed.set()

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "9")])
        return Body()

    with serve(app) as url:
        address = urlsplit(url)
        with socket.create_connection((address.hostname, address.port)) as client:
            client.sendall(b"GET / HTTP/1.1\r\nHost: test\r\n\r\n")
            answer = b""
            while not answer.endswith(b"all of it"):  # all written: the server is past its writes
                chunk = client.recv(1024)
                assert chunk, f"the server hung up early: {answer!r}"
                answer += chunk
            assert answer.startswith(b"HTTP/1.1 200")
            # The server drains what the client still sends before it closes the response; a reset
            # in that drain (a browser cancelling) is where Werkzeug skips close().
            client.sendall(b"more")
            # Linger 0: close() sends a reset, as a browser cancelling a request does.
            client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            client.close()
        assert closed.wait(timeout=10), "the response was never closed"
