"""Template helpers shared by every surface, and the blueprints of the app."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from babel.numbers import get_decimal_symbol
from flask import Flask, current_app
from markupsafe import Markup

from . import charts, qr
from .content import Figure, Image, MediaFile, Panel
from .content.vocabulary import word
from .media_serving import media_library
from .publication import public_exhibition
from .settings import MIIT_BEIAN_URL, SettingsError, footer_settings_problems, psb_filing_url
from .surfaces import render_panel

HTML_LANG = {"zh": "zh-Hans"}  # BCP 47 tag for the script; plain codes otherwise


def html_lang(lang: str) -> str:
    """The ``lang``/``hreflang`` value for a content language."""
    return HTML_LANG.get(lang, lang)


def chart_svg(figure: Figure, panel: Panel, lang: str, narrow: bool = False,
              drawing: bool = False) -> Markup:
    """The figure's SVG, safe to inline (all text in it is escaped by the chart code).

    ``narrow``: the phone version; a timeline is then an HTML list rather than a drawing, unless
    ``drawing`` (print: the narrow drawing, for bigger text on a narrow column).
    """
    if narrow and figure.chart == "timeline" and not drawing:
        return Markup(charts.render_list(figure, panel, lang))
    return Markup(charts.render_chart(figure, panel, lang, narrow=narrow))


_PLAIN_NUMBER = re.compile(r"^-?\d+(?:\.(\d+))?$")


def format_value(value: str, lang: str) -> str:
    """A key figure's value with the language's decimal mark ("5.80" → "5,80" in French).

    Digits are left as the author wrote them: a key figure may be a year (2017), and a
    thousands separator would turn it into "2,017".
    """
    match = _PLAIN_NUMBER.match(value)
    if not match or not match.group(1):
        return value
    return value.replace(".", get_decimal_symbol(lang))


def panel_qr(panel: Panel, lang: str, src: str) -> Markup:
    """A QR code to the panel online in this language, tagged with where it was scanned."""
    url = qr.panel_url(current_app.config["PUBLIC_BASE_URL"], lang, panel.slug, src)
    return Markup(qr.qr_svg(url))


def picture(image: Image):
    return media_library().picture(image)


def poster_files(image: Image) -> tuple[str, str]:
    """A poster's full-resolution JPEG and its PDF (URLs)."""
    return media_library().full_size(image)


def media_url(media: MediaFile) -> str:
    return media_library().url(media)


def footer_filing() -> dict[str, str]:
    """The footer's filing numbers (empty when not set) and the official pages they link to."""
    icp = str(current_app.config.get("ICP_FILING_NUMBER") or "").strip()
    psb = str(current_app.config.get("PSB_FILING_NUMBER") or "").strip()
    return {"icp": icp, "icp_url": MIIT_BEIAN_URL if icp else "",
            "psb": psb, "psb_url": psb_filing_url(psb) if psb else ""}


def wechat_share() -> dict[str, str] | None:
    """What the public pages need for WeChat share cards, or None when not configured."""
    config = current_app.config
    app_id = str(config.get("WECHAT_APP_ID") or "").strip()
    signer = str(config.get("WECHAT_SIGNATURE_URL") or "").strip()
    if not (app_id and signer):
        return None
    sdk = str(config["WECHAT_JSSDK_URL"])
    return {"appId": app_id, "signatureUrl": signer, "sdkUrl": sdk,
            "sdkHost": urlsplit(sdk).hostname or ""}


def check_public_settings(app: Flask) -> None:
    """Refuse to start on a malformed filing number or WeChat setting, saying which and why."""
    problems = footer_settings_problems(app.config)
    if problems:
        raise SettingsError("; ".join(problems))


def init_app(app: Flask) -> None:
    from . import kiosk
    from .api import bp as api_bp
    from .web import bp as web_bp
    from .web.freeze import freeze_command

    app.add_template_global(render_panel)
    app.add_template_global(chart_svg)
    app.add_template_global(charts.table_rows, "chart_table")
    app.add_template_global(picture)
    app.add_template_global(panel_qr)
    app.add_template_global(media_url)
    app.add_template_global(poster_files)
    app.add_template_global(word, "content_word")
    check_public_settings(app)
    app.add_template_global(footer_filing)
    app.add_template_global(wechat_share)
    app.add_template_filter(html_lang)
    app.add_template_filter(format_value)
    # Templates see the public exhibition; staff previews pass their own ``ex`` (the drafts).
    app.context_processor(lambda: {"ex": public_exhibition()})
    app.register_blueprint(web_bp)
    app.cli.add_command(freeze_command)
    kiosk.init_app(app)
    app.register_blueprint(api_bp)
