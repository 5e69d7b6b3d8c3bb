"""The WSGI application for production servers: ``gunicorn exhibit.wsgi:app``.

Settings come from ``instance/exhibit.cfg`` and ``EXHIBIT_*`` variables (see the README). On
invalid content it prints every problem and exits, as ``exhibit run`` does.
"""

from __future__ import annotations

import sys

from .content import InvalidContent
from .media import MediaBuildError

try:
    from . import create_app

    app = create_app()
except MediaBuildError as exc:
    print(f"exhibit: {exc}", file=sys.stderr)
    raise SystemExit(1) from None
except InvalidContent as exc:
    print(exc.report(), file=sys.stderr)
    print(f"exhibit: the content has {len(exc.errors)} problem(s); not starting.", file=sys.stderr)
    raise SystemExit(1) from None
