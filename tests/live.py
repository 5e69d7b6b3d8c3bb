"""A real HTTP server in a thread, for the browser tests.

Werkzeug's development server skips ``close()`` on the response when the client resets the
connection: it raises out of its clean-up read before it gets there. A browser does that all the
time (it cancels image requests it no longer needs), and an unclosed WhiteNoise file then turns
into a ResourceWarning at some later test. The handler here closes the response itself when the
server reports a dropped connection, so a leak the tests see is a leak of the app's.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from werkzeug.serving import WSGIRequestHandler, make_server

_RESPONSE_KEY = "tests.live.response"


class _ClosingHandler(WSGIRequestHandler):
    """Closes the response of a request whose client hung up (Werkzeug does not)."""

    def connection_dropped(self, error, environ=None) -> None:
        response = (environ or {}).pop(_RESPONSE_KEY, None)
        if hasattr(response, "close"):
            response.close()


def _remember_response(app):
    def wsgi(environ, start_response):
        response = app(environ, start_response)
        environ[_RESPONSE_KEY] = response
        return response

    return wsgi


@contextmanager
def serve(app) -> Iterator[str]:
    """Serve ``app`` on a free local port until the block ends; yields its base URL."""
    server = make_server("127.0.0.1", 0, _remember_response(app), threaded=True,
                         request_handler=_ClosingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
