"""Kiosk memory over weeks of visitors: thousands of navigations, the video panel included.

    .venv/bin/python bench/kiosk_leak.py [--navigations 2000] [--every 300]

Starts the demo exhibition as in production (bench/demo_site.py: gunicorn, every panel
approved) in a scratch folder, opens /kiosk/ in Debian's headless Chromium with touch on, and
walks the same round as tests/test_kiosk_visitor.py::test_navigating_leaves_no_detached_nodes_behind
— the video panel (its video and caption tracks load), another panel, home — until
``--navigations`` navigations are done. Every ``--every`` navigations it forces two garbage
collections over the DevTools protocol and reads the DOM counters (nodes, JS event listeners),
the detached DOM nodes (``DOM.getDetachedDomNodes``) and the JS heap in use. A kiosk runs for
weeks: what matters is that nothing grows with the navigations. The test asserts the same
bounds over 300 navigations; this script shows the longer run for the README.

Prints a Markdown table; exits 1 if the detached nodes or DOM nodes grew by more than 300 between
the first and the last measurement.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent))
from demo_site import free_port, prepare, start_production, stop  # noqa: E402
from machine import load, machine  # noqa: E402

VIDEO_SLUG = "project-video"

ROUND = """async ({rounds, video, other}) => {
    const k = window.exhibitKiosk;
    const frame = () => new Promise(r => requestAnimationFrame(() => r()));
    for (let i = 0; i < rounds; i++) {
        k.show(video);
        const v = document.querySelector('#k-view video');
        if (v.readyState < 1) await new Promise(r => v.addEventListener('loadedmetadata', r,
                                                                        {once: true}));
        await frame();
        k.show(other);
        await frame();
        k.show(null);
        await frame();
    }
}"""


def measure(cdp) -> dict:
    """DOM and heap after two forced garbage collections."""
    cdp.send("HeapProfiler.collectGarbage")
    cdp.send("HeapProfiler.collectGarbage")
    counters = cdp.send("Memory.getDOMCounters")
    heap = cdp.send("Runtime.getHeapUsage")
    detached = len(cdp.send("DOM.getDetachedDomNodes")["detachedNodes"])
    return {"nodes": counters["nodes"], "listeners": counters["jsEventListeners"],
            "detached": detached, "heap_mb": heap["usedSize"] / 1e6}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--navigations", type=int, default=2000)
    parser.add_argument("--every", type=int, default=300)
    args = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory(prefix="exhibit-leak-") as tmp:
        workdir = Path(tmp)
        prepare(workdir)
        port = free_port()
        server = start_production(workdir, port)
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path="/usr/bin/chromium",
                                             args=["--no-sandbox", "--disable-gpu"])
                context = browser.new_context(viewport={"width": 1920, "height": 1080},
                                              has_touch=True, service_workers="block")
                page = context.new_page()
                page.goto(f"http://127.0.0.1:{port}/kiosk/?kiosk=hall-a-left")
                page.wait_for_selector("#kiosk-app[data-ready]")
                # No attract loop and no idle reset during the walk: the kiosk is in use.
                page.evaluate("""() => { window.exhibitKiosk.attract.stop();
                    window.exhibitKiosk.idle.configure({idleSeconds: 86400, countdownSeconds: 120}); }""")
                page.tap(".k-section >> nth=0")
                cdp = context.new_cdp_session(page)
                cdp.send("DOM.enable")
                other = page.evaluate("""v => window.exhibitKiosk.state.manifest.panels
                    .map(p => p.slug).find(s => s !== v)""", VIDEO_SLUG)
                done = 0
                started = time.monotonic()
                rows.append((done, measure(cdp), 0.0))
                while done < args.navigations:
                    rounds = -(-min(args.every, args.navigations - done) // 3)  # whole rounds, rounded up
                    page.evaluate(ROUND, {"rounds": rounds, "video": VIDEO_SLUG, "other": other})
                    done += rounds * 3
                    rows.append((done, measure(cdp), time.monotonic() - started))
                browser.close()
        finally:
            stop(server)
    print(f"Kiosk navigations (video panel, another panel, home), {machine()}, {load()}, "
          f"{time.strftime('%Y-%m-%d')}\n")
    print("| navigations | DOM nodes | detached nodes | JS listeners | JS heap (MB) | time (s) |")
    print("|---:|---:|---:|---:|---:|---:|")
    for done, m, seconds in rows:
        print(f"| {done:,} | {m['nodes']:,} | {m['detached']:,} | {m['listeners']:,} | "
              f"{m['heap_mb']:.1f} | {seconds:.0f} |")
    first, last = rows[1][1], rows[-1][1]
    grew = max(last["detached"] - first["detached"], last["nodes"] - first["nodes"])
    print(f"\nfrom {rows[1][0]:,} to {rows[-1][0]:,} navigations: detached "
          f"{first['detached']} → {last['detached']}, nodes {first['nodes']} → {last['nodes']}")
    return 1 if grew > 300 else 0


if __name__ == "__main__":
    sys.exit(main())
