"""The rendering child process: ``python -m exhibit.printworker`` (started by
:mod:`exhibit.printing.runner`; it builds the whole app, so it lives beside the factory, above
the print surface).

Reads one JSON request on stdin (the app's settings, the memory limit, the jobs), limits its own
address space before it imports WeasyPrint, builds the app, renders the jobs one by one and writes
one JSON line per event on stdout. A panel that needs more memory than allowed fails with a
MemoryError here, or kills this process at worst; the web server that asked is untouched.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import traceback
from pathlib import Path


def _limit_memory(megabytes: int) -> None:
    if megabytes > 0:
        limit = megabytes * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _peak_rss_kb() -> int:
    """This process's peak resident memory (kB). VmHWM belongs to the process's own memory map;
    ru_maxrss would also count the parent's at the fork, since Linux keeps it across exec."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> int:
    request = json.load(sys.stdin)
    _limit_memory(int(request.get("memory_mb") or 0))
    # The protocol gets the real stdout; anything a library prints goes to stderr instead.
    protocol = os.fdopen(os.dup(1), "w", buffering=1, encoding="utf-8")
    os.dup2(2, 1)

    def send(**event) -> None:
        event.setdefault("pid", os.getpid())
        protocol.write(json.dumps(event, ensure_ascii=False) + "\n")
        protocol.flush()

    # Pillow refuses images past 179 Mpx as decompression bombs, and WeasyPrint would then drop
    # the image with a log line. The address-space limit above is the guard here, so a roll-up's
    # 240 Mpx photo prints and a real bomb fails cleanly.
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = None

    from . import create_app
    from .printing.preflight import Problem
    from .printing.render import PrintOptions, render
    from .printing.runner import job_panel

    try:
        app = create_app(request["config"])
    except Exception as exc:  # invalid content, a bad setting: nothing can be rendered
        send(event="fatal", message=f"cannot start the renderer: {exc}")
        return 2
    send(event="ready", peak_rss_kb=_peak_rss_kb())
    with app.app_context():
        for index, job in enumerate(request["jobs"]):
            send(event="start", index=index)
            panel = job_panel(app, job["slug"], job.get("version", ""))
            problems: list[Problem] = []
            try:
                if panel is None:
                    raise LookupError(f"no panel {job['slug']!r} (version {job.get('version')})")
                result = render(panel, job["lang"], PrintOptions.from_dict(job["options"]),
                                Path(job["out"]))
                problems = result.problems
                send(event="done", index=index, path=str(result.path) if result.path else None,
                     bytes=result.bytes, pages=result.pages, seconds=result.seconds,
                     type_scale=result.type_scale, peak_rss_kb=_peak_rss_kb(),
                     problems=[p.to_dict() for p in problems])
            except MemoryError:
                problem = Problem("error", f"rendering needs more than the memory limit "
                                  f"({request.get('memory_mb')} MB, PRINT_MEMORY_MB): is an "
                                  f"image far larger than the page needs?", job["slug"],
                                  job["lang"])
                send(event="done", index=index, path=None, peak_rss_kb=_peak_rss_kb(),
                     problems=[problem.to_dict()])
            except Exception as exc:
                traceback.print_exc()
                problem = Problem("error", f"the renderer failed: {type(exc).__name__}: {exc}",
                                  job["slug"], job["lang"])
                send(event="done", index=index, path=None, peak_rss_kb=_peak_rss_kb(),
                     problems=[problem.to_dict()])
    return 0


if __name__ == "__main__":
    sys.exit(main())
