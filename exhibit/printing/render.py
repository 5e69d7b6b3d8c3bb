"""One panel, one language, one page: print HTML → WeasyPrint layout → preflight → PDF.

Runs inside an app context (templates, settings, the content), normally in the rendering child
process (:mod:`exhibit.printworker`), never in a web worker: a layout can take seconds and
hundreds of megabytes.
"""

from __future__ import annotations

import logging
import math
import os
import re
import time
import warnings
from contextlib import nullcontext
from dataclasses import asdict, dataclass, field, replace
from importlib.resources import files
from pathlib import Path

from flask import current_app, has_request_context, render_template
from flask_babel import force_locale, gettext
from markupsafe import Markup
from PIL import Image

from ..content import Exhibition, MediaFile, Panel
from ..contentstore import get_store
from ..qr import panel_url, qr_svg
from . import layout as layout_module
from .colour import DEFAULT_PROFILE, Palette
from .preflight import CSS_PX_PER_INCH, Problem, SafeArea, check_layout, error, warning
from .sizes import PageSize, parse_size
from .typeset import typeset

PX_PER_MM = CSS_PX_PER_INCH / 25.4
# A page with more room than this (used height / available height) gets bigger type, up to
# MAX_TYPE_SCALE (1.6: 45 pt body text at A0, still a panel and not a children's book), or
# MAX_TYPE_SCALE_STACKED on a roll-up, which is read from further and has far more height.
FILL_THRESHOLD = 0.85
FILL_TARGET = 0.95
MAX_TYPE_SCALE = 1.6
MAX_TYPE_SCALE_STACKED = 2.0
SPARE_TARGET = 0.97  # the share of the page area used once the spare room is shared out
FIT_LAYOUTS = 3  # layouts at most per panel: the first, then two tries at bigger type
EXIF_ORIENTATION = 0x0112
_ACRONYM = re.compile(r"\(([^()]{2,12})\)\s*$")


@dataclass(frozen=True)
class PrintOptions:
    """How to print: the same for every panel of a set, except ``draft``."""

    size: PageSize
    bleed_mm: float = 3.0
    cmyk: bool = True  # False: an RGB PDF for screen proofs
    draft: bool = False  # the DRAFT mark, for panels not approved yet
    hero: bool = False  # the panel's first image full-bleed across the top
    marks: bool = False  # printer's marks in a slug beyond the bleed (default: boxes only)
    accessible: bool = False  # a tagged PDF/UA-1 in RGB (reading order, alt texts, language)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["size"] = asdict(self.size)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> PrintOptions:
        return cls(**{**data, "size": PageSize(**data["size"])})

    def with_size(self, text: str) -> PrintOptions:
        return PrintOptions(**{**asdict(self), "size": parse_size(text)})


@dataclass
class Rendered:
    """What one render produced: the problems, and the file when there was no error."""

    problems: list[Problem] = field(default_factory=list)
    path: Path | None = None
    pages: int = 0
    bytes: int = 0
    seconds: float = 0.0
    type_scale: float = 1.0


@dataclass(frozen=True)
class Wordmark:
    """An organisation written as text (the exhibition file has names, no logo files)."""

    mark: str  # the acronym when the name has one, "(FECO)", else the name
    name: str


def wordmarks(exhibition: Exhibition, lang: str) -> list[Wordmark]:
    """The organisations of the exhibition as wordmarks, in the exhibition's order."""
    marks = []
    for org in exhibition.organisations:
        name = org.name[lang]
        found = _ACRONYM.search(name) or _ACRONYM.search(org.name.get("en", ""))
        mark = found.group(1) if found else name
        full = _ACRONYM.sub("", name).strip() if found and _ACRONYM.search(name) else name
        marks.append(Wordmark(mark, full))
    return marks


def file_name(exhibition: Exhibition, panel: Panel, lang: str, options: PrintOptions) -> str:
    """``04-mercury-flows-zh-A0.pdf``: the panel's place in the show first, so files sort."""
    number = next(i for i, p in enumerate(exhibition.panels, start=1) if p.slug == panel.slug)
    suffix = "-accessible" if options.accessible else ("" if options.cmyk else "-rgb")
    return f"{number:02d}-{panel.slug}-{lang}-{options.size.slug}{suffix}.pdf"


def orientation(media: MediaFile) -> str:
    """``image-orientation`` for a file: ``from-image`` only when its EXIF says to turn it.

    WeasyPrint's ``from-image`` decodes and re-encodes any image carrying EXIF data, even upright
    ones; for a 300-ppi A0 photo that is seconds and a gigabyte for nothing.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(media.absolute) as im:
                turned = im.getexif().get(EXIF_ORIENTATION, 1) not in (0, 1)
        except (OSError, Image.DecompressionBombError):
            return "none"  # the renderer reports what it cannot read
    return "from-image" if turned else "none"


# Images grow to fill a page only as far as this resolution (preflight.MIN_PPI refuses below 150).
GROW_PPI = 155
MEDIA_GROWTH = (1.45, 1.2)  # media column sizes tried, largest first, when type cannot grow


def image_max_mm(media: MediaFile) -> float:
    """The widest (mm) an image may be printed when figures grow: GROW_PPI at its pixel width."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(media.absolute) as im:
                width = im.width
                if im.getexif().get(EXIF_ORIENTATION, 1) in (5, 6, 7, 8):
                    width = im.height
        except (OSError, Image.DecompressionBombError):
            return 10_000.0  # the renderer reports what it cannot read
    return round(width / GROW_PPI * 25.4, 1)


def _draft_size(word: str, geometry: layout_module.Geometry) -> float:
    """Type size (mm) of the DRAFT mark: a fifth of the page wide, smaller for long words
    (BROUILLON) so it stays inside the safe zone."""
    ems = sum(1.0 if ord(ch) >= 0x2E80 else 0.72 for ch in word) + 0.6  # bold, spaced, framed
    return round(min(geometry.width * 0.2, geometry.content_width * 0.9 / ems), 1)


def _mm(value: float) -> str:
    return f"{value:.2f}mm"


def _profile_path() -> Path:
    return Path(current_app.config.get("PRINT_ICC_PROFILE") or DEFAULT_PROFILE)


def page_html(panel: Panel, lang: str, options: PrintOptions,
              geometry: layout_module.Geometry) -> str:
    """The whole page as HTML for WeasyPrint, in ``lang`` (interface strings included)."""
    exhibition = get_store().exhibition
    palette = Palette(options.cmyk, _profile_path())
    url = panel_url(current_app.config["PUBLIC_BASE_URL"], lang, panel.slug)
    hero_image = panel.images[0] if options.hero and panel.images else None
    # Context processors may read the request (the staff area's does): render inside a request
    # context for the panel's own URL, as a visitor's request would be.
    with _request_context(lang, panel.slug), force_locale(lang):
        html = render_template(
            "print/page.html", panel=panel, lang=lang, g=geometry, c=palette, mm=_mm,
            cmyk=options.cmyk, icc_url=_profile_path().as_uri(),
            qr=Markup(qr_svg(url)), short_url=url.split("://", 1)[-1],
            organisations=wordmarks(exhibition, lang), draft=options.draft,
            hero_image=hero_image, section=exhibition.section(panel.section),
            draft_mm=_draft_size(gettext("DRAFT"), geometry) if options.draft else 0)
    # Charts and the QR code are drawn in the screen palette: print them in the page's inks.
    return typeset(palette.svg(html), lang)


def _request_context(lang: str, slug: str):
    if has_request_context():
        return nullcontext()
    return current_app.test_request_context(f"/{lang}/panels/{slug}/")


class _Collect(logging.Handler):
    """WeasyPrint's complaints (an image it cannot read, a font it cannot find) as problems."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def _layout(panel: Panel, lang: str, options: PrintOptions, type_scale: float,
            media_scale: float = 1.0, spare: float = 0.0):
    from weasyprint import HTML

    geometry = layout_module.geometry(options.size, options.bleed_mm, kind=panel.kind,
                                      hero=bool(options.hero and panel.images),
                                      type_scale=type_scale,
                                      slug=layout_module.SLUG_MM if options.marks else 0.0,
                                      charts=bool(panel.figures), media_scale=media_scale,
                                      has_media=bool(panel.figures or panel.images
                                                     or panel.video))
    if spare:
        geometry = replace(geometry, spare=spare)
    html = page_html(panel, lang, options, geometry)
    document = HTML(string=html, base_url=str(get_store().exhibition.root) + "/").render()
    return geometry, document


def _fill(panel, lang, options, geometry, document):
    """Bigger type while the page has room, then bigger figures and images if there is room
    still (the type stops at MAX_TYPE_SCALE). Never smaller than the first layout."""
    geometry, document, scale = _fill_type(panel, lang, options, geometry, document)
    available = document.pages[0]._page_box.height
    used = _used_height(document)
    if len(document.pages) > 1 or not used or used / available >= FILL_THRESHOLD:
        return geometry, document, scale
    if panel.kind != "gallery" and (panel.figures or panel.images or panel.video):
        for media_scale in MEDIA_GROWTH:
            grown_geometry, grown = _layout(panel, lang, options, scale, media_scale)
            if len(grown.pages) == 1 and _used_height(grown) > used:
                geometry, document, used = grown_geometry, grown, _used_height(grown)
                break
        if used / available >= FILL_THRESHOLD:
            return geometry, document, scale
    # Nothing can grow more (type at its largest, images at their resolution): share the room
    # out between the blocks (above the text and media, above the sources) rather than leave
    # it all as one empty band above the footer.
    spare = round((available * SPARE_TARGET - used) / PX_PER_MM, 1)
    if spare > 0:
        spaced_geometry, spaced = _layout(panel, lang, options, scale, geometry.media_scale,
                                          spare)
        if len(spaced.pages) == 1:
            return spaced_geometry, spaced, scale
    return geometry, document, scale


def _fill_type(panel, lang, options, geometry, document):
    """Bigger type while the page has room: text height grows about as a power of the type
    size (the power is measured after the first try). Never smaller than the first layout."""
    available = document.pages[0]._page_box.height
    used = _used_height(document)
    if len(document.pages) > 1 or not used or used / available >= FILL_THRESHOLD:
        return geometry, document, 1.0
    most = MAX_TYPE_SCALE_STACKED if geometry.stacked else MAX_TYPE_SCALE
    base, power = used, 2.0  # text grows with the square of its size until measured
    best = (geometry, document, 1.0)
    for _ in range(FIT_LAYOUTS - 1):
        scale = round(min(most, (available * FILL_TARGET / base) ** (1 / power)), 2)
        if scale <= best[2] * 1.03:
            break
        bigger_geometry, bigger = _layout(panel, lang, options, scale)
        if len(bigger.pages) == 1:
            best = (bigger_geometry, bigger, scale)
            grown = _used_height(bigger)
            if grown / available >= FILL_THRESHOLD or scale >= most:
                break
            power = max(0.5, math.log(grown / base) / math.log(scale))
        else:  # too big: aim between the last fit and this
            most = (best[2] + scale) / 2
    return best


def _used_height(document) -> float:
    """How far down the page area (CSS px) the panel's flow reaches on the first page."""
    page = document.pages[0]._page_box
    article = _find_article(page)
    if article is None:
        return 0.0
    return article.position_y + article.margin_height() - page.content_box_y()


def _find_article(box):
    for child in getattr(box, "children", ()):
        element = getattr(child, "element", None)
        if element is not None and element.tag == "article":
            return child
        found = _find_article(child)
        if found is not None:
            return found
    return None


def _safe_area(geometry: layout_module.Geometry) -> SafeArea:
    g = geometry
    return SafeArea(left=g.safe_left * PX_PER_MM, top=g.safe_top * PX_PER_MM,
                    right=(g.width - g.safe_right) * PX_PER_MM,
                    bottom=(g.height - g.safe_bottom) * PX_PER_MM)


def render(panel: Panel, lang: str, options: PrintOptions, out: Path,
           problems: list[Problem] | None = None) -> Rendered:
    """Lay the panel out, preflight the layout, and write ``out`` if there is no error.

    ``problems`` are the findings of the content preflight, passed along so that the result
    carries them all. The file is written atomically: a half-written PDF never has ``out``'s name.
    """
    started = time.perf_counter()
    result = Rendered(problems=list(problems or []))
    collector = _Collect()
    weasy_log = logging.getLogger("weasyprint")
    weasy_log.addHandler(collector)
    try:
        geometry, document = _layout(panel, lang, options, 1.0)
        geometry, document, result.type_scale = _fill(panel, lang, options, geometry, document)
        image_names = {image.media.absolute.as_uri(): image.media.path for image in panel.images}
        if panel.video and panel.video.poster:
            image_names[panel.video.poster.absolute.as_uri()] = panel.video.poster.path
        result.problems += check_layout(document, _safe_area(geometry), image_names, panel, lang)
        result.pages = len(document.pages)
        for record in collector.records:
            level = error if record.levelno >= logging.ERROR else warning
            if _NO_ALT in record.getMessage():  # a decorative image (alt=""): WeasyPrint's tags
                level = warning
            result.problems.append(level(f"renderer: {record.getMessage()}", panel, lang))
        if any(p.is_error for p in result.problems):
            return result
        out.parent.mkdir(parents=True, exist_ok=True)
        # Beside the target, so the rename is atomic; an ordinary file, so the umask applies.
        tmp = out.with_name(f".{out.name}.{os.getpid()}.tmp")
        try:
            document.write_pdf(tmp, pdf_variant=_variant(options), finisher=_finisher(options))
            os.replace(tmp, out)
        finally:
            Path(tmp).unlink(missing_ok=True)
        result.path = out
        result.bytes = out.stat().st_size
        return result
    finally:
        weasy_log.removeHandler(collector)
        result.seconds = round(time.perf_counter() - started, 2)


_NO_ALT = "has no required alt description"


def _variant(options: PrintOptions) -> str | None:
    if options.accessible:
        return "pdf/ua-1"  # tagged: structure tree, alt texts, /Lang, MarkInfo
    return "pdf/x-4" if options.cmyk else None


def _finisher(options: PrintOptions):
    """Make the CMYK file a clean PDF/X-4, as a print shop's preflight checks it.

    WeasyPrint writes the output intent, and the XMP metadata, but leaves: photos as DeviceRGB
    with ``/Interpolate true``, GTS_PDFXVersion out of the Info dictionary, and
    GTS_PDFXConformance (a PDF/X-1a/X-3 key) in the XMP. Photos are tagged with the sRGB ICC
    profile they are in (the shop's RIP converts them with the output intent: converting a
    300-ppi A0 photo here would cost more time and memory than the rest of the page), and
    drawn without interpolation. Vector colours are ``device-cmyk()`` from the palette already.
    """
    import pydyf

    def finish(document, pdf) -> None:
        _boxes_and_marks(pdf, options)
        intents = pdf.catalog.get("OutputIntents") if options.cmyk else None
        if not intents:
            return
        intent = intents[0]
        condition = current_app.config.get("PRINT_OUTPUT_CONDITION") or "FOGRA39"
        described = intent.get("Info")
        intent["OutputConditionIdentifier"] = pydyf.String(condition)
        intent["RegistryName"] = pydyf.String("http://www.color.org")
        if described is not None:
            intent["Info"] = described
            intent["OutputCondition"] = described
        pdf.info["GTS_PDFXVersion"] = pydyf.String("PDF/X-4")
        pdf.info.pop("GTS_PDFXConformance", None)
        srgb = (files("weasyprint.pdf") / "sRGB2014.icc").read_bytes()
        stream = pydyf.Stream([srgb], pydyf.Dictionary({"N": 3, "Alternate": "/DeviceRGB"}),
                              compress=True)
        pdf.add_object(stream)
        icc_rgb = pydyf.Array(("/ICCBased", stream.reference))
        for obj in list(pdf.objects):
            if isinstance(obj, pydyf.Stream):
                extra = obj.extra
                if extra.get("Subtype") == "/Image":
                    _clean_image(extra, icc_rgb)
                elif extra.get("Type") == "/Metadata":
                    obj.stream = [_XMP_CONFORMANCE.sub(b"", _stream_bytes(obj))]
            if isinstance(obj, pydyf.Dictionary) and "lab-d50" in obj:
                # Any RGB a later change lets through is still tied to a profile.
                obj["DefaultRGB"] = icc_rgb

    return finish


_XMP_CONFORMANCE = re.compile(rb"<pdfx:GTS_PDFXConformance>[^<]*</pdfx:GTS_PDFXConformance>\s*")


def _stream_bytes(stream) -> bytes:
    return b"".join(part if isinstance(part, bytes) else str(part).encode()
                    for part in stream.stream)


def _clean_image(extra, icc_rgb) -> None:
    """An image XObject in an ICC-based colour space, never interpolated (nor its mask)."""
    if extra.get("ColorSpace") == "/DeviceRGB":
        extra["ColorSpace"] = icc_rgb
    extra.pop("Interpolate", None)
    mask = extra.get("SMask")
    if mask is not None and hasattr(mask, "extra"):
        mask.extra.pop("Interpolate", None)


PT_PER_MM = 72 / 25.4


def _boxes_and_marks(pdf, options: PrintOptions) -> None:
    """The BleedBox exactly the bleed around the TrimBox (WeasyPrint caps it at 10 pt), and with
    ``options.marks`` the printer's marks in the slug, in registration colour: a Separation
    named All, which prints on every plate."""
    import pydyf

    bleed = options.bleed_mm * PT_PER_MM
    pages = [o for o in pdf.objects if isinstance(o, pydyf.Dictionary) and o.get("Type") == "/Page"]
    colour_spaces = next((o for o in pdf.objects
                          if isinstance(o, pydyf.Dictionary) and "lab-d50" in o), None)
    for page in pages:
        x0, y0, x1, y1 = (float(v) for v in page["TrimBox"])
        page["BleedBox"] = pydyf.Array([x0 - bleed, y0 - bleed, x1 + bleed, y1 + bleed])
        if not options.marks or colour_spaces is None:
            continue
        colour_spaces["RegAll"] = pydyf.Array(("/Separation", "/All", "/DeviceCMYK",
                                               pydyf.Dictionary({
                                                   "FunctionType": 2, "Domain": pydyf.Array((0, 1)),
                                                   "C0": pydyf.Array((0, 0, 0, 0)),
                                                   "C1": pydyf.Array((1, 1, 1, 1)), "N": 1})))
        found = layout_module.marks((x1 - x0) / PT_PER_MM, (y1 - y0) / PT_PER_MM,
                                    options.bleed_mm)

        def pt(x_mm: float, y_mm: float, x0: float = x0, y0: float = y0) -> str:
            return f"{x0 + x_mm * PT_PER_MM:.3f} {y0 + y_mm * PT_PER_MM:.3f}"

        ops = ["Q", "q", "/RegAll CS 1 SCN", f"{layout_module.MARK_WIDTH_MM * PT_PER_MM:.3f} w"]
        ops += [f"{pt(a, b)} m {pt(c, d)} l S" for a, b, c, d in found.lines]
        k = 0.5523  # a circle from four Bézier curves
        for cx, cy, r in found.circles:
            ops.append(f"{pt(cx + r, cy)} m "
                       f"{pt(cx + r, cy + k * r)} {pt(cx + k * r, cy + r)} {pt(cx, cy + r)} c "
                       f"{pt(cx - k * r, cy + r)} {pt(cx - r, cy + k * r)} {pt(cx - r, cy)} c "
                       f"{pt(cx - r, cy - k * r)} {pt(cx - k * r, cy - r)} {pt(cx, cy - r)} c "
                       f"{pt(cx + k * r, cy - r)} {pt(cx + r, cy - k * r)} {pt(cx + r, cy)} c S")
        ops.append("Q")
        opening = pydyf.Stream(["q"])
        marks_stream = pydyf.Stream(["\n".join(ops)], compress=True)
        pdf.add_object(opening)
        pdf.add_object(marks_stream)
        page["Contents"] = pydyf.Array((opening.reference, page["Contents"],
                                        marks_stream.reference))
