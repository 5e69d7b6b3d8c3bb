"""Share images for the pages of the web layout: which card a page gets, its absolute URL, and
the route that serves cards made since the server started (see :mod:`.sharecards`).

``web/layout.html`` asks :func:`share_image` for every page it renders, so a new page of the
layout has a share image without doing anything: a panel page gets its panel's card, the topic
page the exhibition's, and any other page a title card with its own heading.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from pathlib import Path

from flask import abort, current_app, request, send_from_directory
from flask_babel import gettext

from ..charts import labelled
from ..content import Exhibition, Panel
from ..i18n import LANGUAGE_NAMES
from ..media import URL_PREFIX
from ..media_serving import media_library
from ..publication import public_exhibition
from . import sharecards
from .sharecards import (
    HEIGHT,
    SUBDIR,
    WIDTH,
    CardSpec,
    ChartData,
    chart_data,
    organisers_line,
)

log = logging.getLogger(__name__)
SHARE_PREFIX = f"{URL_PREFIX}{SUBDIR}/"
NAME = re.compile(r"^[a-z]{2,3}-[a-z0-9][a-z0-9-]{0,80}-[0-9a-f]{20}\.png$")
#: Panel kinds whose card is their chart (other panels with figures show their picture if any).
CHART_KINDS = ("figure", "timeline")
ALT_LIMIT = 420  # Twitter's limit for image descriptions


@dataclass(frozen=True)
class ShareImage:
    url: str  # absolute, from PUBLIC_BASE_URL
    alt: str
    width: int = WIDTH
    height: int = HEIGHT
    type: str = "image/png"


def _cache_dir() -> Path:
    return media_library().cache_dir


def _short(text: str, limit: int = ALT_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _derivative(image) -> tuple[str, str]:
    """A panel picture's file to draw from: its largest built derivative up to 1600 px (already
    resized and flattened by the media build), else the original."""
    pictures = [c for c in media_library().picture(image).jpeg if c.width <= 1600]
    for candidate in reversed(pictures):
        path = _cache_dir() / candidate.url[len(URL_PREFIX):]
        if path.is_file():
            return str(path), image.media.sha256
    return str(image.media.absolute), image.media.sha256


def _chart_alt(alt: str, chart: ChartData, lang: str) -> str:
    """What the chart card shows, in words, with the language's punctuation."""
    if chart.chart == "timeline":
        items = [labelled(date, label, lang) for label, date, _v in chart.rows]
    else:
        items = [labelled(label, shown, lang) for label, shown, _v in chart.rows]
    title = f"{chart.title}（{chart.unit}）" if lang == "zh" and chart.unit else \
        f"{chart.title} ({chart.unit})" if chart.unit else chart.title
    if lang == "zh":
        return f"{alt}。{title}：{'；'.join(items)}。"
    separator = "\u202f; " if lang == "fr" else "; "  # French: a narrow space before ";"
    return f"{alt}. {labelled(title, separator.join(items), lang)}."


def panel_spec(ex: Exhibition, panel: Panel, lang: str) -> CardSpec:
    section = ex.section(panel.section)
    common = dict(lang=lang, eyebrow=section.title[lang] if section else "",
                  title=panel.title[lang], summary=panel.summary[lang],
                  exhibition=ex.title[lang], organisers=organisers_line(ex, lang))
    alt = f"{panel.title[lang]} — {ex.title[lang]}"
    video = panel.video
    if video is not None and video.poster is not None:
        return CardSpec(layout="video", picture=str(video.poster.absolute),
                        picture_hash=video.poster.sha256, alt=_short(alt), **common)
    if panel.figures and (panel.kind in CHART_KINDS or not panel.images):
        chart = chart_data(panel.figures[0], panel, lang)
        return CardSpec(layout="chart", chart=chart, alt=_short(_chart_alt(alt, chart, lang)),
                        **common)
    if panel.images:
        path, sha = _derivative(panel.images[0])
        return CardSpec(layout="picture", picture=path, picture_hash=sha,
                        alt=_short(f"{alt}. {panel.images[0].alt[lang]}"), **common)
    return CardSpec(layout="title", alt=_short(alt), **common)


def page_spec(ex: Exhibition, lang: str, heading: str, summary: str) -> CardSpec:
    """A title card: the topic page's (heading = the exhibition's title) or another page's."""
    topic = heading in ("", ex.title[lang])
    title = ex.title[lang] if topic else heading
    summary = ex.subtitle[lang] if topic else summary
    return CardSpec(lang=lang, layout="title", eyebrow=gettext("Online exhibition"), title=title,
                    summary=summary, exhibition="" if topic else ex.title[lang],
                    organisers=organisers_line(ex, lang),
                    alt=_short(title if topic else f"{title} — {ex.title[lang]}"))


def languages_spec(ex: Exhibition) -> CardSpec:
    """The language chooser's card: the title in every language of the exhibition."""
    first = ex.default_language
    return CardSpec(lang="mul", layout="languages", eyebrow="", title=ex.title[first],
                    summary="", exhibition=" · ".join(LANGUAGE_NAMES.get(lang, lang)
                                                      for lang in ex.languages),
                    organisers=organisers_line(ex, first),
                    titles=tuple((lang, ex.title[lang]) for lang in ex.languages),
                    alt=_short(" / ".join(ex.title[lang] for lang in ex.languages)))


def _page_name(heading: str) -> str:
    endpoint = (request.endpoint or "page").rpartition(".")[2]
    return re.sub(r"[^a-z0-9]+", "-", endpoint.lower()).strip("-")[:40] or "page"


def share_image(lang: str, panel: Panel | None = None, title: str = "",
                description: str = "") -> ShareImage | None:
    """The share image of the page being rendered (made now if it is not on disk yet).

    ``title`` is the page's ``<title>``: "Heading · Exhibition" gives a card headed "Heading";
    the exhibition's title alone (the topic page) gives the exhibition's card.
    """
    ex = public_exhibition()
    if lang == "mul":
        spec, page = languages_spec(ex), "languages"
    elif panel is not None:
        spec, page = panel_spec(ex, panel, lang), "panel-" + re.sub(r"[^a-z0-9-]+", "-",
                                                                     panel.slug.lower())[:60]
    else:
        suffix = f" · {ex.title[lang]}"
        heading = title.strip()
        heading = heading[: -len(suffix)] if heading.endswith(suffix) else heading
        spec = page_spec(ex, lang, heading, description.strip())
        page = "topic" if spec.title == ex.title[lang] else _page_name(heading)
    try:
        name = sharecards.ensure(spec, page.strip("-") or "page", _cache_dir())
    except OSError:  # the media folder cannot be written: the page is served without one
        log.exception("share image for %s (%s) could not be written", page, lang)
        return None
    base = current_app.config["PUBLIC_BASE_URL"].rstrip("/")
    return ShareImage(f"{base}{SHARE_PREFIX}{name}", spec.alt)


def serve(name: str):
    """A card drawn since WhiteNoise indexed the media folder (at start or the last reload):
    the name carries its content's hash, so it may be kept forever like the other media."""
    if not NAME.match(name):
        abort(404)
    response = send_from_directory(_cache_dir() / SUBDIR, name, mimetype="image/png",
                                   max_age=365 * 24 * 3600, conditional=True)
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    return response
