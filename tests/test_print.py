"""The print files themselves: open the PDFs the print shop would get and check what it checks.

One session fixture renders a handful of files through the real path (`print_panels`, the child
process): one panel in the three languages at a small custom size (the layout scales, the checks do
not depend on it), one A0, one DRAFT and one RGB proof. The tests only read them.
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pypdf
import pytest

from exhibit.printing.render import PrintOptions
from exhibit.printing.runner import Job, print_panels
from exhibit.printing.sizes import parse_size

from .pdfx import violations

LANGS = ["zh", "en", "fr"]
SMALL = parse_size("300x424")  # A3-ish: a fraction of the time of an A0
BLEED_MM = 3.0
PANEL = "mercury-flows"  # key figures, a chart, sources: a bit of everything
PT_PER_MM = 72 / 25.4


@pytest.fixture(scope="session")
def printed(demo_app, tmp_path_factory):
    """Render the files once; returns {name: JobResult}."""
    out = tmp_path_factory.mktemp("print")
    small = PrintOptions(size=SMALL, bleed_mm=BLEED_MM)
    jobs = {f"small-{lang}": Job(PANEL, lang, small, out / f"small-{lang}.pdf") for lang in LANGS}
    jobs["a0-zh"] = Job("minamata-convention", "zh", PrintOptions(size=parse_size("A0")),
                        out / "a0-zh.pdf")
    jobs["draft-fr"] = Job(PANEL, "fr", PrintOptions(size=SMALL, draft=True), out / "draft.pdf")
    jobs["rgb-en"] = Job(PANEL, "en", PrintOptions(size=SMALL, cmyk=False), out / "rgb.pdf")
    # A timeline: SVG lines whose default fill was RGB black.
    jobs["timeline-zh"] = Job("policy-timeline", "zh", small, out / "timeline-zh.pdf")
    jobs["marks-en"] = Job(PANEL, "en", PrintOptions(size=SMALL, bleed_mm=BLEED_MM, marks=True),
                           out / "marks.pdf")
    report = print_panels(demo_app, list(jobs.values()))
    assert not report.errors, report.text()
    return dict(zip(jobs, report.results, strict=True))


def reader(result) -> pypdf.PdfReader:
    assert result.path and result.path.exists(), result
    return pypdf.PdfReader(result.path)


def squeeze(text: str) -> str:
    """Text without any whitespace: line breaks fall anywhere, and Chinese has no spaces."""
    return re.sub(r"\s+", "", text)


def mm(points: float) -> float:
    return float(points) / PT_PER_MM


@pytest.mark.parametrize("name, size", [("small-en", SMALL), ("a0-zh", parse_size("A0"))])
def test_page_is_trim_plus_bleed_with_trim_and_bleed_boxes(printed, name, size):
    pdf = reader(printed[name])
    assert len(pdf.pages) == 1
    page = pdf.pages[0]
    media, trim, bleed = page.mediabox, page["/TrimBox"], page["/BleedBox"]
    assert mm(media.width) == pytest.approx(size.width_mm + 2 * BLEED_MM, abs=0.05)
    assert mm(media.height) == pytest.approx(size.height_mm + 2 * BLEED_MM, abs=0.05)
    trim = [mm(v) for v in trim]
    assert trim[2] - trim[0] == pytest.approx(size.width_mm, abs=0.05)
    assert trim[3] - trim[1] == pytest.approx(size.height_mm, abs=0.05)
    # The trim box sits the bleed inside the media box on every side; the bleed box is the page.
    box = [mm(v) for v in media]
    assert trim[0] - box[0] == pytest.approx(BLEED_MM, abs=0.05)
    assert box[3] - trim[3] == pytest.approx(BLEED_MM, abs=0.05)
    assert [mm(v) for v in bleed] == pytest.approx(box, abs=0.05)


def _fonts(resources, seen: set) -> list:
    """Every font dictionary reachable from a resource dictionary (pages and form XObjects)."""
    fonts = []
    resources = resources.get_object() if resources else {}
    for font in (resources.get("/Font") or {}).values():
        font = font.get_object()
        if id(font) not in seen:
            seen.add(id(font))
            fonts.append(font)
    for xobject in (resources.get("/XObject") or {}).values():
        xobject = xobject.get_object()
        if xobject.get("/Subtype") == "/Form" and id(xobject) not in seen:
            seen.add(id(xobject))
            fonts += _fonts(xobject.get("/Resources"), seen)
    return fonts


@pytest.mark.parametrize("name", ["small-zh", "small-en", "small-fr", "a0-zh"])
def test_every_font_is_embedded(printed, name):
    fonts = _fonts(reader(printed[name]).pages[0]["/Resources"], set())
    assert fonts
    for font in fonts:
        descendant = font.get("/DescendantFonts")
        described = descendant[0].get_object() if descendant else font
        descriptor = described["/FontDescriptor"].get_object()
        assert {"/FontFile", "/FontFile2", "/FontFile3"} & set(descriptor), font["/BaseFont"]
        # Subset, as the shop expects (and a CJK font in full would be 16 MB).
        assert re.match(r"/[A-Z]{6}\+", font["/BaseFont"]), font["/BaseFont"]


def test_chinese_is_set_in_a_cjk_font(printed):
    names = [f["/BaseFont"] for f in _fonts(reader(printed["small-zh"]).pages[0]["/Resources"],
                                            set())]
    assert any("CJK-SC" in name for name in names), names


@pytest.mark.parametrize("lang", LANGS)
def test_the_panel_text_is_there_in_each_language(printed, demo, lang):
    panel = demo.panel(PANEL)
    text = squeeze(reader(printed[f"small-{lang}"]).pages[0].extract_text())
    assert squeeze(panel.title[lang]) in text
    assert squeeze(panel.summary[lang]) in text
    for heading in re.findall(r"<h2>(.*?)</h2>", panel.body[lang]):
        assert squeeze(heading) in text
    for kf in panel.key_figures:
        assert squeeze(kf.label[lang]) in text
    assert squeeze(panel.sources[0].title_in(lang))[:40] in text  # the title in the print's language
    for org in demo.organisations:
        assert squeeze(org.name[lang])[:12] in text or org.id.upper() in text


def test_pdf_x4_output_intent(printed):
    pdf = reader(printed["small-en"])
    root = pdf.trailer["/Root"]
    intent = root["/OutputIntents"][0].get_object()
    assert intent["/S"] == "/GTS_PDFX"
    assert intent["/OutputConditionIdentifier"] == "FOGRA39"
    profile = intent["/DestOutputProfile"].get_object()
    assert profile["/N"] == 4  # a CMYK profile
    assert profile.get_data()[36:40] == b"acsp"  # an ICC profile indeed
    metadata = root["/Metadata"].get_object().get_data()
    assert b"PDF/X-4" in metadata
    assert pdf.metadata["/Trapped"] == "/False"
    assert pdf.metadata.title
    colour_spaces = pdf.pages[0]["/Resources"]["/ColorSpace"].get_object()
    # Photos stay RGB, tied to sRGB as PDF/X-4 asks.
    assert colour_spaces["/DefaultRGB"][0] == "/ICCBased"


PRESS_FILES = ["small-zh", "small-en", "small-fr", "a0-zh", "draft-fr", "timeline-zh", "marks-en"]


@pytest.mark.parametrize("name", PRESS_FILES)
def test_press_files_pass_a_pdf_x4_preflight(printed, name):
    """tests/pdfx.py: no DeviceRGB in any content stream, image or resource, no interpolated
    image, GTS_PDFXVersion in Info and XMP without GTS_PDFXConformance, the output intent,
    TrimBox and BleedBox."""
    assert violations(printed[name].path) == []


def test_the_pdf_x4_rules_catch_rgb(printed):
    """The rule set is not blind: the RGB screen proof breaks it where expected."""
    found = "\n".join(violations(printed["rgb-en"].path))
    assert "× rg" in found and "no GTS_PDFXVersion" in found and "output intents" in found


def test_text_and_charts_are_cmyk_vectors(printed):
    page = reader(printed["small-en"]).pages[0]
    content = page.get_contents().get_data()
    assert b"/DeviceCMYK cs" in content
    # The chart is drawn, not pasted: no image the size of a chart, and its labels are text.
    text = page.extract_text()
    assert "Wastehydrochloricacid" in squeeze(text)  # the label may wrap in the drawing


def test_rgb_proof_has_no_output_intent(printed):
    pdf = reader(printed["rgb-en"])
    assert "/OutputIntents" not in pdf.trailer["/Root"]
    assert b"/DeviceCMYK" not in pdf.pages[0].get_contents().get_data()


def test_draft_mark(printed):
    text = reader(printed["draft-fr"]).pages[0].extract_text()
    assert "BROUILLON" in text
    assert "BROUILLON" not in reader(printed["small-fr"]).pages[0].extract_text()


@pytest.mark.parametrize("name, lang", [("small-zh", "zh"), ("small-fr", "fr")])
def test_qr_code_leads_to_the_panel_online(printed, name, lang, tmp_path):
    for tool in ("pdftoppm", "zbarimg"):
        if not shutil.which(tool):
            pytest.fail(f"{tool} is missing: run scripts/setup test (poppler-utils, zbar-tools)")
    png = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(printed[name].path),
                    str(png)], check=True)
    decoded = subprocess.run(["zbarimg", "--quiet", "--raw", f"{png}.png"], capture_output=True,
                             text=True, check=True).stdout.split()
    assert decoded == [f"https://expo.example.org/{lang}/panels/{PANEL}/?src=print-qr"]


def test_files_are_reasonable(printed):
    for result in printed.values():
        assert result.pages == 1
        assert 0 < result.bytes < 5_000_000, result
        assert result.peak_rss_kb < 1_500_000, result


# -- printer's marks: none by default, in a slug outside the bleed with --marks ------------------

def _boxes_mm(page) -> dict[str, list[float]]:
    return {name: [mm(v) for v in page.obj[f"/{name}"]] for name in ("MediaBox", "BleedBox",
                                                                       "TrimBox")}


def _registration_points(page) -> list[tuple[float, float]]:
    """Every point of a path drawn in a colour space that is a Separation named All, in mm (the
    marks are drawn at the outermost level, with the default coordinate system)."""
    import pikepdf

    spaces = page.obj.Resources.get("/ColorSpace", {})
    points, registration = [], False
    for operands, operator in pikepdf.parse_content_stream(page.obj):
        op = str(operator)
        if op == "CS":
            space = spaces.get(str(operands[0]))
            registration = (isinstance(space, pikepdf.Array) and space[0] == "/Separation"
                            and space[1] == "/All")
        elif registration and op in ("m", "l", "c"):
            values = [mm(v) for v in operands]
            points += list(zip(values[0::2], values[1::2], strict=True))
    return points


def test_no_printers_marks_by_default(printed):
    import pikepdf

    with pikepdf.open(printed["small-en"].path) as pdf:
        page = pdf.pages[0]
        boxes = _boxes_mm(page)
        assert boxes["MediaBox"] == pytest.approx(boxes["BleedBox"], abs=0.01)
        assert not _registration_points(page)


def test_marks_sit_in_a_slug_outside_the_bleed_in_registration_colour(printed):
    import pikepdf

    with pikepdf.open(printed["marks-en"].path) as pdf:
        page = pdf.pages[0]
        boxes = _boxes_mm(page)
        points = _registration_points(page)
    media, bleed, trim = boxes["MediaBox"], boxes["BleedBox"], boxes["TrimBox"]
    assert trim[2] - trim[0] == pytest.approx(SMALL.width_mm, abs=0.05)
    for side in range(4):  # the bleed is 3 mm, the slug at least 10 mm beyond it on every side
        sign = -1 if side < 2 else 1
        assert (bleed[side] - trim[side]) * sign == pytest.approx(BLEED_MM, abs=0.05)
        assert (media[side] - bleed[side]) * sign >= 10
    assert len(points) >= 8 * 2 + 4 * 4  # eight crop marks, four targets (cross and circle)
    for x, y in points:
        inside_bleed = bleed[0] + 0.01 < x < bleed[2] - 0.01 and bleed[1] + 0.01 < y < bleed[3] - 0.01
        assert not inside_bleed, (x, y)
        dx = max(trim[0] - x, 0, x - trim[2])
        dy = max(trim[1] - y, 0, y - trim[3])
        assert (dx * dx + dy * dy) ** 0.5 >= 3 - 0.01, (x, y)
        assert media[0] <= x <= media[2] and media[1] <= y <= media[3], (x, y)
