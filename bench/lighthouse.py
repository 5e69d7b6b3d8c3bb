"""Lighthouse scores of the topic page, as a phone sees it, served the production way.

    .venv/bin/python bench/lighthouse.py [--runs 3] [--pages /zh/] [--out DIR]

Installs Lighthouse (a pinned version, from the npm registry) into bench/.node/ on first use —
never a browser: it drives Debian's Chromium (``--chrome-path``, default /usr/bin/chromium, or
CHROME_PATH). Starts the demo exhibition with every panel approved under ``exhibit run
--production`` (gunicorn, render cache on; bench/demo_site.py) on 127.0.0.1, and runs Lighthouse
``--runs`` times per page with its default form factor — mobile, simulated slow 4G and a 4× slower
CPU, the standard mobile score. Prints a Markdown table of the medians: the four category scores,
LCP, TBT, CLS, bytes transferred and JavaScript bytes; then every audit that cost points, with
its id and the elements or resources it names, so a missed score says what to fix. ``--out``
keeps the JSON and HTML reports.

Targets (README): performance ≥ 95, accessibility 100.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from demo_site import free_port, prepare, start_production, stop  # noqa: E402
from machine import load, machine  # noqa: E402

# Lighthouse 13 needs Node 22.19; Debian's machines here have Node 20, so the last 12.x.
LIGHTHOUSE_VERSION = "12.8.2"
NODE_DIR = Path(__file__).resolve().parent / ".node"
CHROME_FLAGS = ("--headless=new --no-sandbox --disable-gpu --no-first-run "
                "--disable-background-networking --disable-component-update --disable-sync")
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")


def lighthouse_binary() -> Path:
    """bench/.node/node_modules/.bin/lighthouse at the pinned version, installed when missing."""
    binary = NODE_DIR / "node_modules" / ".bin" / "lighthouse"
    package = NODE_DIR / "node_modules" / "lighthouse" / "package.json"
    if binary.exists() and json.loads(package.read_text()).get("version") == LIGHTHOUSE_VERSION:
        return binary
    if not shutil.which("npm"):
        raise SystemExit("npm is not installed (Debian: apt-get install npm)")
    print(f"installing lighthouse@{LIGHTHOUSE_VERSION} into {NODE_DIR}…", file=sys.stderr)
    NODE_DIR.mkdir(exist_ok=True)
    # --ignore-scripts: no install script may fetch anything (a browser, say) from elsewhere.
    subprocess.run(["npm", "install", "--prefix", str(NODE_DIR), "--no-audit", "--no-fund",
                    "--ignore-scripts", "--save-exact", f"lighthouse@{LIGHTHOUSE_VERSION}"],
                   check=True, stdout=subprocess.DEVNULL)
    return binary


def run_lighthouse(binary: Path, url: str, chrome: str, report: Path) -> dict:
    """One Lighthouse run; returns the parsed JSON report (also written with its HTML twin)."""
    env = dict(os.environ, CHROME_PATH=chrome)
    done = subprocess.run(
        [str(binary), url, "--quiet", "--output=json", "--output=html",
         f"--output-path={report}", f"--chrome-path={chrome}", f"--chrome-flags={CHROME_FLAGS}",
         "--only-categories=" + ",".join(CATEGORIES), "--max-wait-for-load=60000"],
        env=env, capture_output=True, text=True, timeout=300)
    json_file = report.with_name(report.name + ".report.json")
    if done.returncode != 0 or not json_file.exists():
        raise SystemExit(f"lighthouse failed on {url} ({done.returncode}):\n{done.stderr[-3000:]}")
    data = json.loads(json_file.read_text())
    if data.get("runtimeError"):
        raise SystemExit(f"lighthouse on {url}: {data['runtimeError']}")
    return data


def figures(data: dict) -> dict:
    audits = data["audits"]
    resources = {item["resourceType"]: item for item in
                 audits["resource-summary"]["details"]["items"]}
    out = {c: round(100 * (data["categories"][c]["score"] or 0)) for c in CATEGORIES}
    out.update({
        "fcp": audits["first-contentful-paint"]["numericValue"],
        "lcp": audits["largest-contentful-paint"]["numericValue"],
        "tbt": audits["total-blocking-time"]["numericValue"],
        "cls": audits["cumulative-layout-shift"]["numericValue"],
        "si": audits["speed-index"]["numericValue"],
        "bytes": audits["total-byte-weight"]["numericValue"],
        "js": resources.get("script", {}).get("transferSize", 0),
        "requests": resources.get("total", {}).get("requestCount", 0),
    })
    return out


def lost_points(data: dict) -> list[str]:
    """Every weighted audit (and every accessibility check) that did not pass, with what it names."""
    lines = []
    for category in CATEGORIES:
        for ref in data["categories"][category]["auditRefs"]:
            audit = data["audits"][ref["id"]]
            score = audit.get("score")
            if score is None or score >= 1 or audit.get("scoreDisplayMode") in (
                    "informative", "notApplicable", "manual"):
                continue
            if category == "performance" and not ref.get("weight"):
                continue  # diagnostics: shown in the HTML report, not in the score
            shown = f"{audit['displayValue']}" if audit.get("displayValue") else ""
            lines.append(f"- {category}: `{ref['id']}` (score {score:.2f}{', ' + shown if shown else ''})"
                         f" — {audit['title']}")
            for item in (audit.get("details") or {}).get("items", [])[:6]:
                lines.append(f"    - {describe(item)}")
    return lines


def describe(item: dict) -> str:
    node = item.get("node") or {}
    if node:
        what = node.get("selector") or ""
        snippet = (node.get("snippet") or "")[:160]
        explanation = (node.get("explanation") or "").replace("\n", " ")[:240]
        return f"`{what}` {snippet} {explanation}".strip()
    parts = []
    for key in ("url", "source", "label", "description", "wastedBytes", "wastedMs", "totalBytes"):
        if key in item and item[key] not in (None, ""):
            value = item[key]
            if isinstance(value, dict):
                value = value.get("url") or value.get("value") or json.dumps(value)[:120]
            parts.append(f"{key}: {value}")
    return ", ".join(parts) or json.dumps(item)[:200]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3, help="Lighthouse runs per page (medians)")
    parser.add_argument("--pages", default="/zh/", help="comma-separated paths")
    parser.add_argument("--chrome-path", default=os.environ.get("CHROME_PATH", "/usr/bin/chromium"))
    parser.add_argument("--out", type=Path, help="keep the JSON and HTML reports here")
    args = parser.parse_args()
    if not Path(args.chrome_path).exists():
        raise SystemExit(f"{args.chrome_path}: no Chromium there (Debian: apt-get install chromium)")
    binary = lighthouse_binary()
    pages = [p.strip() for p in args.pages.split(",") if p.strip()]

    with tempfile.TemporaryDirectory(prefix="exhibit-lighthouse-") as tmp:
        workdir = Path(tmp)
        out = (args.out or workdir / "reports").resolve()
        out.mkdir(parents=True, exist_ok=True)
        prepare(workdir)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        # Canonical and alternate links point at the address Lighthouse loads, as on a real host.
        server = start_production(workdir, port, name="gunicorn",
                                  extra_env={"EXHIBIT_PUBLIC_BASE_URL": base})
        results: dict[str, list[dict]] = {}
        reports: dict[str, dict] = {}
        load_before = load()
        try:
            for page in pages:
                for run in range(args.runs):
                    name = page.strip("/").replace("/", "-") or "root"
                    data = run_lighthouse(binary, base + page, args.chrome_path, out / f"{name}-{run + 1}")
                    results.setdefault(page, []).append(figures(data))
                    reports[page] = data
                    print(f"  {page} run {run + 1}: performance {results[page][-1]['performance']}",
                          file=sys.stderr)
        finally:
            stop(server)
        print(f"# Lighthouse {LIGHTHOUSE_VERSION} · {time.strftime('%Y-%m-%d')} · {machine()} · "
              f"Python {platform.python_version()} · {chrome_version(args.chrome_path)} headless · mobile "
              f"(simulated throttling) · exhibit run --production, render cache on · median of "
              f"{args.runs} runs · {load_before} before, {load()} after")
        print()
        print("| page | performance | accessibility | best practices | SEO | FCP s | LCP s | TBT ms | "
              "CLS | Speed Index s | requests | transfer kB | JS kB |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for page in pages:
            m = {k: statistics.median(r[k] for r in results[page]) for k in results[page][0]}
            print(f"| `{page}` | {m['performance']:.0f} | {m['accessibility']:.0f} | "
                  f"{m['best-practices']:.0f} | {m['seo']:.0f} | {m['fcp'] / 1000:.1f} | "
                  f"{m['lcp'] / 1000:.1f} | {m['tbt']:.0f} | {m['cls']:.3f} | {m['si'] / 1000:.1f} | "
                  f"{m['requests']:.0f} | {m['bytes'] / 1000:.0f} | {m['js'] / 1000:.1f} |")
        for page in pages:
            lines = lost_points(reports[page])
            print()
            if lines:
                print(f"Audits below full score on `{page}` (last run):")
                print()
                print("\n".join(lines))
            else:
                print(f"`{page}`: every weighted audit passed.")
        if args.out:
            print(f"\nReports: {out}")


def chrome_version(chrome: str) -> str:
    """"Chromium 156.0.8078.79" (the user agent Lighthouse reports hides the minor numbers)."""
    done = subprocess.run([chrome, "--version"], capture_output=True, text=True)
    words = done.stdout.split()
    return " ".join(words[:2]) if len(words) >= 2 else "Chromium"


if __name__ == "__main__":
    main()
