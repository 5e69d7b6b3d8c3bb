"""The staff dashboard in a real browser, with a simulated record: charts drawn, axe-core clean,
no Chinese header broken one character per line at 1280 px."""

from __future__ import annotations

import pytest

from exhibit.review.demo import DEMO_ADMIN, DEMO_PASSWORD, ensure_accounts

from .conftest import DEMO_PANELS, make_app, publish
from .live import serve
from .test_browser import Watch, assert_clean


@pytest.fixture(scope="module")
def dashboard_site(tmp_path_factory, media_cache):
    folder = tmp_path_factory.mktemp("dashboard")
    app = make_app(DEMO_PANELS, media_cache, SESSION_COOKIE_SECURE=False)
    app.instance_path = str(folder / "instance")
    publish(app)
    with app.app_context():
        ensure_accounts(app, DEMO_PASSWORD, admin=True)
    result = app.test_cli_runner().invoke(args=["demo", "record", "--days", "14"])
    assert result.exit_code == 0, result.output
    with serve(app) as url:
        yield url
    app.extensions["exhibit.db"].dispose()


def test_dashboard_charts_render_and_axe_is_clean(browser, dashboard_site):
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  device_scale_factor=1, locale="zh-CN",
                                  extra_http_headers={"Accept-Language": "zh"})
    try:
        page = context.new_page()
        watch = Watch(dashboard_site)
        watch.attach(page)
        page.goto(f"{dashboard_site}/staff/login?next=/staff/")
        page.fill("#name", DEMO_ADMIN)
        page.fill("#password", DEMO_PASSWORD)
        page.click("form.stack button[type=submit]")
        page.wait_for_url("**/staff/")
        page.goto(f"{dashboard_site}/staff/?lang=zh&compare=1")
        charts = page.locator(".dash-figure svg[role=img]")
        assert charts.count() >= 7  # per day, panels, dwell, reach, languages, QR, questions
        # Two series per day.
        assert page.locator("section[aria-labelledby=h-per-day] svg polyline").count() == 2
        # Attract-loop engagement, from the simulated record: per kiosk (bars) and per hour
        # (passers-by and visitors).
        assert page.locator("#engagement svg[role=img]").count() == 2
        assert page.locator("#engagement svg polyline").count() == 2
        # Every header cell is at least two characters wide: none is a column of single glyphs.
        narrow = page.evaluate("""() => [...document.querySelectorAll('.dash-figure th')]
            .filter(th => th.textContent.trim().length > 1
                    && th.getBoundingClientRect().width < 2 * parseFloat(getComputedStyle(th).fontSize))
            .map(th => th.textContent.trim())""")
        assert narrow == []
        assert_clean(page, watch, "staff dashboard (zh)")
    finally:
        context.close()
