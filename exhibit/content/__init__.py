"""The exhibition content: files in, frozen data out. No Flask in here.

    from exhibit.content import load_exhibition, InvalidContent
"""

from .errors import ContentError, InvalidContent
from .exhibition import check_exhibition, load_exhibition
from .markdown import shift_headings, strip_links
from .model import (
    CHART_TYPES,
    PANEL_KINDS,
    Choice,
    Exhibition,
    Figure,
    FigureRow,
    Image,
    KeyFigure,
    Localized,
    MediaFile,
    Organisation,
    Panel,
    Question,
    Questionnaire,
    Section,
    Source,
    Video,
)

__all__ = [
    "CHART_TYPES", "PANEL_KINDS", "Choice", "ContentError",
    "Question", "Questionnaire", "Exhibition", "Figure", "FigureRow", "Image",
    "InvalidContent", "KeyFigure", "Localized", "MediaFile", "Organisation", "Panel", "Section",
    "Source", "Video", "check_exhibition", "load_exhibition", "shift_headings", "strip_links",
]
