"""Languages: the locale comes from the URL (``/fr/...``); Flask-Babel translates the interface.

The content carries its own translations; the catalogs in ``exhibit/translations`` cover every
interface string in zh, en and fr.
"""

from __future__ import annotations

from flask import Flask, g, has_request_context, request
from flask_babel import Babel

# How each language names itself in the language switch, and its Open Graph locale.
LANGUAGE_NAMES = {"zh": "中文", "en": "English", "fr": "Français"}
OG_LOCALES = {"zh": "zh_CN", "en": "en_GB", "fr": "fr_FR"}


def current_language() -> str | None:
    """The language of the current request, set from the URL by the surface blueprints."""
    return g.get("lang")


def browser_language(exhibition) -> str:
    """The exhibition language the visitor's browser prefers (``Accept-Language``), else the
    exhibition's default: for answers whose URL names no language (``/``, an error page)."""
    return request.accept_languages.best_match(exhibition.languages) or exhibition.default_language


def _select_locale() -> str | None:
    if current_language() or not has_request_context():
        # Outside a request (a command, a background job): the default, unless force_locale says.
        return current_language()
    return request.accept_languages.best_match(list(LANGUAGE_NAMES))


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=_select_locale, default_translation_directories="translations")
    app.add_template_global(LANGUAGE_NAMES, "language_names")
    app.add_template_global(OG_LOCALES, "og_locales")
