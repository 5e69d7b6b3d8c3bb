"""Where the loader used to live: the names other code imported from here, kept importable.

The loader is split by what it reads: :mod:`.exhibition`, :mod:`.panel`, :mod:`.media_refs`,
:mod:`.figures`, :mod:`.questionnaire`, with the shared rules in :mod:`.rules` and
:mod:`.identifiers`.
"""

from __future__ import annotations

from .exhibition import EXHIBITION_FILE, check_exhibition, load_exhibition
from .figures import MAX_FIGURE_ROWS, MAX_FIGURE_VALUE, PLAIN_NUMBER, SHARE_TOLERANCE
from .identifiers import IDENT, LANG, SLUG
from .media_refs import (
    IMAGE_FORMATS,
    MAX_IMAGE_PIXELS,
    URL_LIKE,
    VIDEO_SUFFIXES,
    image_pixel_limit,
    media_path_problem,
)
from .panel import MAX_PANEL_TEXT_BYTES, PANEL_FILE
from .questionnaire import QUESTION_KINDS, QUESTIONNAIRE_FILE, RATING_SCALE
from .rules import CONTROL, DATE, DIGIT, real_date, shorten

__all__ = [
    "CONTROL", "DATE", "DIGIT", "EXHIBITION_FILE", "IDENT", "IMAGE_FORMATS", "LANG",
    "MAX_FIGURE_ROWS", "MAX_FIGURE_VALUE", "MAX_IMAGE_PIXELS", "MAX_PANEL_TEXT_BYTES",
    "PANEL_FILE", "PLAIN_NUMBER", "QUESTIONNAIRE_FILE", "QUESTION_KINDS", "RATING_SCALE",
    "SHARE_TOLERANCE", "SLUG", "URL_LIKE", "VIDEO_SUFFIXES", "check_exhibition",
    "image_pixel_limit", "load_exhibition", "media_path_problem", "real_date", "shorten",
]
