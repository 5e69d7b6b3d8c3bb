"""Print benchmark: time and peak memory of the rendering child process.

    .venv/bin/python bench/print_bench.py            # everything (about 5 minutes on 2 cores)
    .venv/bin/python bench/print_bench.py --quick    # skip the whole demo set

Measures, through the same child process as `exhibit print` (so with its memory limit):
1. an A0 panel with a full-bleed 300-ppi photo: a JPEG of 10004 × 14114 px (A0 plus 3 mm bleed at
   300 ppi, 141 Mpx, with EXIF like a camera's) printed as the hero across the top of the page,
   bled on three sides; the photo is generated in a temporary folder at run time;
2. the same panel without the photo in English and in Chinese (a fresh child each time, three
   times each, median): what Chinese (a CJK font of 16 MB to load and subset) costs on top;
3. the whole demo set (16 panels) in one language at A0, in one child.

"time" is the wall time of the job as seen by the caller (child start-up included) and "render"
the child's own time for the panel; "peak RSS" is the child's maximum resident set size.
Prints a Markdown table for the README.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageFilter  # noqa: E402

from exhibit import create_app  # noqa: E402
from exhibit.contentstore import get_store  # noqa: E402
from exhibit.printing.render import PrintOptions  # noqa: E402
from exhibit.printing.runner import plan, print_panels  # noqa: E402
from exhibit.printing.sizes import parse_size  # noqa: E402

PHOTO_PX = (10004, 14114)  # A0 + 2 × 3 mm bleed = 847 × 1195 mm at 300 ppi
PANEL = "case-tianye"  # a case study with one image: the image becomes the photo


def make_photo(path: Path) -> float:
    """A photo-like JPEG: soft shapes and fine grain (so it compresses like a photo), with EXIF."""
    started = time.perf_counter()
    small = Image.effect_noise((PHOTO_PX[0] // 64, PHOTO_PX[1] // 64), 90).filter(
        ImageFilter.GaussianBlur(3))
    base = Image.merge("RGB", [
        small.point(lambda v, k=k: max(0, min(255, int(v * (0.55 + 0.2 * k)) + 30 * k)))
        for k in range(3)]).resize(PHOTO_PX, Image.Resampling.BICUBIC)
    grain = Image.effect_noise(PHOTO_PX, 18).convert("RGB")
    photo = Image.blend(base, grain, 0.12)
    del base, grain
    exif = Image.Exif()
    exif[0x0112] = 1  # upright, as a camera writes it
    exif[0x010F] = "exhibit bench"
    photo.save(path, "JPEG", quality=88, dpi=(300, 300), exif=exif.tobytes())
    return time.perf_counter() - started


def scratch_show(tmp: Path, photo: Path) -> Path:
    """A copy of the demo whose PANEL shows the photo instead of its illustration."""
    shutil.copytree(ROOT / "panels", tmp / "panels")
    shutil.copytree(ROOT / "media", tmp / "media", ignore=shutil.ignore_patterns("_src", "*.mp4"))
    shutil.copy(ROOT / "media" / "video" / "mercury-free-pvc.mp4", tmp / "media" / "video")
    shutil.move(photo, tmp / "media" / "images" / "bench-photo.jpg")
    for yaml in (tmp / "panels").glob("*/panel.yaml"):
        text = yaml.read_text(encoding="utf-8")
        if f"slug: {PANEL}" in text:
            text = text.replace("file: images/case-tianye.png", "file: images/bench-photo.jpg")
            yaml.write_text(text, encoding="utf-8")
    return tmp / "panels"


def machine() -> str:
    model = ""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        model = next((line.split(":", 1)[1].strip() for line in out.splitlines()
                      if line.startswith("Model name")), "")
    except (OSError, subprocess.CalledProcessError):
        pass
    return f"{os.cpu_count()} CPU ({model or platform.processor()}), Python {platform.python_version()}"


def run(app, slugs, lang, options):
    exhibition = get_store(app).exhibition
    out = Path(tempfile.mkdtemp(prefix="print-bench-out-"))
    try:
        jobs = plan(exhibition, slugs, [lang], options, out)
        started = time.perf_counter()
        report = print_panels(app, jobs)
        wall = time.perf_counter() - started
        assert not report.errors, report.text()
        return wall, report
    finally:
        shutil.rmtree(out, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip the whole demo set")
    parser.add_argument("--set-lang", default="zh", help="language of the whole-set run")
    args = parser.parse_args()

    rows = []
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="print-bench-") as tmp_name:
        tmp = Path(tmp_name)
        photo = tmp / "photo.jpg"
        made = make_photo(photo)
        size_mb = photo.stat().st_size / 1e6
        print(f"photo: {PHOTO_PX[0]} × {PHOTO_PX[1]} px, {size_mb:.0f} MB, made in {made:.1f} s",
              file=sys.stderr)
        panels = scratch_show(tmp, photo)
        app = create_app({"CONTENT_DIR": str(panels), "CONTENT_RELOAD_SECONDS": 0,
                          "MEDIA_CACHE_DIR": str(tmp / "media-cache"), "SECRET_KEY": "bench",
                          "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}"})
        a0 = PrintOptions(size=parse_size("A0"))

        wall, report = run(app, [PANEL], "en", PrintOptions(size=parse_size("A0"), hero=True))
        r = report.results[0]
        rows.append(("A0, full-bleed 300-ppi photo (hero), en", wall, r.seconds,
                     r.peak_rss_kb, r.bytes))

        for lang in ("en", "zh"):
            runs = [run(app, ["mercury-flows"], lang, a0) for _ in range(3)]
            wall = statistics.median(w for w, _ in runs)
            render = statistics.median(rep.results[0].seconds for _, rep in runs)
            peak = max(rep.results[0].peak_rss_kb for _, rep in runs)
            rows.append((f"A0, mercury-flows, {lang} (median of 3)", wall, render, peak,
                         runs[0][1].results[0].bytes))

        if not args.quick:
            wall, report = run(app, None, args.set_lang, a0)
            rows.append((f"A0, whole demo set ({len(report.files)} panels), {args.set_lang}",
                         wall, sum(r.seconds for r in report.results), report.peak_rss_kb,
                         report.total_bytes))
        app.extensions["exhibit.db"].dispose()

    load = f"load average {load_before:.1f} at the start, {os.getloadavg()[0]:.1f} at the end"
    print(f"\nPrint benchmark, {dt.date.today().isoformat()}, {machine()}, {load}\n")
    print("| run | time | render | peak RSS (child) | PDF size |")
    print("|---|---|---|---|---|")
    for name, wall, render, peak_kb, size in rows:
        print(f"| {name} | {wall:.1f} s | {render:.1f} s | {peak_kb / 1024:.0f} MB | "
              f"{size / 1e6:.1f} MB |")


if __name__ == "__main__":
    main()
