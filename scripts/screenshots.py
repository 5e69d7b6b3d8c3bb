"""Take the README screenshots (and look at the app as a visitor would).

    python scripts/screenshots.py [BASE_URL] [--out docs/screenshots]

Drives Debian's chromium through Playwright; the app must be running at BASE_URL. The staff
dashboard is taken signed in as the demo's `admin` (scripts/demo makes the account and the
simulated record it shows).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

SHOTS = [
    # name, path, width, height, full page, action
    ("topic-phone-zh", "/zh/", 390, 844, True, None),
    ("topic-pc-en", "/en/", 1440, 900, False, None),
    ("panel-pc-fr", "/fr/panels/carbide-route/", 1440, 900, True, None),
    ("panel-phone-zh", "/zh/panels/mercury-flows/", 390, 844, True, None),
    ("kiosk-landscape-home", "/kiosk/", 1920, 1080, False, None),
    ("kiosk-landscape-panel", "/kiosk/", 1920, 1080, False, "carbide-route"),
    ("kiosk-portrait-panel", "/kiosk/", 1080, 1920, False, "mercury-flows"),
    # Three panels seen, then "Take this visit home" (the code for the visitor's phone).
    ("kiosk-takehome", "/kiosk/", 1920, 1080, False, "takehome"),
    ("staff-dashboard", "/staff/?lang=zh", 1280, 900, True, None),
]
DEMO_ADMIN, DEMO_PASSWORD = "admin", "exhibit-demo-review"  # README, "The two commands"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("base", nargs="?", default="http://127.0.0.1:5000")
    parser.add_argument("--out", default="docs/screenshots", type=Path)
    parser.add_argument("--only", help="take only the shots whose name contains this")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for name, path, width, height, full, panel in SHOTS:
            if args.only and args.only not in name:
                continue
            page = browser.new_page(viewport={"width": width, "height": height},
                                    device_scale_factor=1)
            if path.startswith("/staff/"):
                page.goto(f"{args.base}/staff/login?next={path}")
                page.fill("#name", DEMO_ADMIN)
                page.fill("#password", DEMO_PASSWORD)
                page.click("form.stack button[type=submit]")
                page.wait_for_url("**/staff/**")
            page.goto(args.base + path, wait_until="networkidle")
            if path.startswith("/kiosk/"):
                page.wait_for_selector("#kiosk-app[data-ready]")
                if panel == "takehome":
                    for slug in ("mercury-flows", "carbide-route", "case-tianye"):
                        page.evaluate("slug => window.exhibitKiosk.show(slug)", slug)
                    page.click("[data-takehome]")
                    page.wait_for_selector("#k-takehome:not([hidden]) svg")
                    page.wait_for_timeout(400)
                elif panel:
                    page.evaluate("slug => window.exhibitKiosk.show(slug)", panel)
                    page.wait_for_timeout(400)
            else:
                # Lazy images below the fold: scroll through so the full-page shot shows them.
                page.evaluate("""async () => { for (let y = 0; y < document.body.scrollHeight;
                    y += 600) { window.scrollTo(0, y); await new Promise(r => setTimeout(r, 60)); }
                    window.scrollTo(0, 0); }""")
                page.wait_for_timeout(300)
            target = args.out / f"{name}.png"
            page.screenshot(path=str(target), full_page=full)
            print(target)
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
