"""How long the content takes to load and each page to render (no cache, in process).

    .venv/bin/python bench/render.py [--repeat 20]

Prints a table: the cost of `exhibit check`, of a content reload, and of rendering the topic
page, a panel page, the kiosk manifest, in each language. These are the costs a render cache
(issue 7) saves, and the pause a content reload causes.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
from pathlib import Path

from exhibit import create_app
from exhibit.content import load_exhibition

ROOT = Path(__file__).resolve().parent.parent


def timed(fn, repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), max(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    panels = ROOT / "panels"
    with tempfile.TemporaryDirectory() as cache:
        app = create_app({"CONTENT_DIR": str(panels), "MEDIA_CACHE_DIR": cache,
                          "CONTENT_RELOAD_SECONDS": 0, "SECRET_KEY": "bench"})
        client = app.test_client()
        rows = [("load + validate the demo exhibition", *timed(lambda: load_exhibition(panels),
                                                              args.repeat))]
        for lang in ("zh", "en", "fr"):
            for label, url in ((f"topic page /{lang}/", f"/{lang}/"),
                               (f"panel page /{lang}/panels/carbide-route/",
                                f"/{lang}/panels/carbide-route/"),
                               (f"kiosk manifest /api/v1/panels?lang={lang}",
                                f"/api/v1/panels?lang={lang}")):
                assert client.get(url).status_code == 200
                rows.append((label, *timed(lambda url=url: client.get(url), args.repeat)))
    print(f"# {time.strftime('%Y-%m-%d')} · {platform.node()} · {platform.processor() or platform.machine()}"
          f" · Python {platform.python_version()} · {args.repeat} runs each")
    print(f"| {'what':<48} | median ms | max ms |")
    print(f"|{'-' * 50}|----------:|-------:|")
    for label, median, worst in rows:
        print(f"| {label:<48} | {median:9.1f} | {worst:6.1f} |")


if __name__ == "__main__":
    main()
