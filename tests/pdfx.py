"""A PDF/X-4 rule set of our own, as a print shop's preflight (Acrobat's "PDF/X-4 compliance", or
callas pdfToolbox) would run it on a CMYK press file, with pikepdf. :func:`violations` returns one
line per problem; an empty list means the file passes.

The rules (ISO 15930-7, and what a shop checks beyond it):

- no DeviceRGB anywhere: no ``rg``/``RG`` operator, no ``sc``/``scn``/``SC``/``SCN`` in a
  DeviceRGB colour space, no image, shading, transparency group or colour-space resource in
  DeviceRGB — in every content stream: pages, form XObjects (nested), tiling patterns, annotations;
- no image with ``/Interpolate true``;
- the Info dictionary has ``GTS_PDFXVersion`` (``PDF/X-4``), ``Title``, ``Trapped`` True or False;
  no ``GTS_PDFXConformance`` (that key is PDF/X-1a and X-3 only);
- the XMP metadata says ``pdfxid:GTS_PDFXVersion`` PDF/X-4;
- one output intent ``/GTS_PDFX`` with an embedded ICC profile (``DestOutputProfile``) and an
  ``OutputConditionIdentifier``;
- every page has a TrimBox and a BleedBox, the BleedBox contains the TrimBox and lies within the
  MediaBox.
"""

from __future__ import annotations

from collections.abc import Iterator

import pikepdf

RGB_FAMILIES = {"/DeviceRGB", "/RGB", "/CalRGB"}


def _name(obj) -> str:
    return str(obj) if isinstance(obj, pikepdf.Name) else ""


def colour_space_is_rgb(cs, resources=None) -> bool:
    """True for DeviceRGB (by name, through a resource name, or as the base of an Indexed
    space / the alternate of a DeviceN or Separation, which a RIP may use)."""
    if isinstance(cs, pikepdf.Name):
        name = str(cs)
        if name in RGB_FAMILIES:
            return True
        named = resources.get("/ColorSpace", {}) if resources is not None else {}
        if name in named:
            return colour_space_is_rgb(named[name], None)
        return False
    if isinstance(cs, pikepdf.Array) and len(cs):
        family = _name(cs[0])
        if family in RGB_FAMILIES:
            return True
        if family == "/Indexed":
            return colour_space_is_rgb(cs[1], resources)
        if family in ("/Separation", "/DeviceN"):
            return colour_space_is_rgb(cs[2], resources)
    return False


def _boxes(page) -> list[str]:
    problems = []
    media = [float(v) for v in page.obj.get("/MediaBox", page.mediabox)]
    if "/TrimBox" not in page.obj or "/BleedBox" not in page.obj:
        return ["page has no TrimBox or no BleedBox"]
    trim = [float(v) for v in page.obj.TrimBox]
    bleed = [float(v) for v in page.obj.BleedBox]

    def inside(inner, outer):
        return (inner[0] >= outer[0] - 0.01 and inner[1] >= outer[1] - 0.01
                and inner[2] <= outer[2] + 0.01 and inner[3] <= outer[3] + 0.01)

    if not inside(trim, bleed):
        problems.append(f"TrimBox {trim} is not inside the BleedBox {bleed}")
    if not inside(bleed, media):
        problems.append(f"BleedBox {bleed} is not inside the MediaBox {media}")
    return problems


def _streams(page) -> Iterator[tuple[str, object, object]]:
    """(where, object with a content stream, its resources): the page, then every form XObject,
    tiling pattern and annotation appearance reachable from it, once each."""
    seen: set[tuple[int, int]] = set()
    todo = [("page", page.obj, page.obj.get("/Resources", pikepdf.Dictionary()))]
    for annot in page.obj.get("/Annots", []):
        for appearance in (annot.get("/AP") or {}).values():
            if isinstance(appearance, pikepdf.Stream):
                todo.append(("annotation", appearance, appearance.get("/Resources")))
    while todo:
        where, obj, resources = todo.pop()
        key = obj.objgen if obj.is_indirect else (id(obj), 0)
        if key in seen:
            continue
        seen.add(key)
        yield where, obj, resources
        resources = resources or pikepdf.Dictionary()
        for name, xobject in (resources.get("/XObject") or {}).items():
            if xobject.get("/Subtype") == "/Form":
                todo.append((f"form {name}", xobject, xobject.get("/Resources")))
        for name, pattern in (resources.get("/Pattern") or {}).items():
            if pattern.get("/PatternType") == 1:
                todo.append((f"pattern {name}", pattern, pattern.get("/Resources")))


def _resource_problems(where: str, resources) -> list[str]:
    problems = []
    if resources is None:
        return problems
    for name, cs in (resources.get("/ColorSpace") or {}).items():
        # DefaultRGB is a remapping *to* an ICC space: fine when it is ICCBased itself.
        if colour_space_is_rgb(cs):
            problems.append(f"{where}: colour space {name} is DeviceRGB")
    for name, xobject in (resources.get("/XObject") or {}).items():
        if xobject.get("/Subtype") == "/Image":
            cs = xobject.get("/ColorSpace")
            if cs is not None and colour_space_is_rgb(cs, resources):
                problems.append(f"{where}: image {name} is DeviceRGB")
            if bool(xobject.get("/Interpolate", False)):
                problems.append(f"{where}: image {name} has /Interpolate true")
            smask = xobject.get("/SMask")
            if smask is not None and bool(smask.get("/Interpolate", False)):
                problems.append(f"{where}: the soft mask of image {name} has /Interpolate true")
        group = xobject.get("/Group")
        if group is not None and colour_space_is_rgb(group.get("/CS"), resources):
            problems.append(f"{where}: form {name} has a DeviceRGB transparency group")
    for name, shading in (resources.get("/Shading") or {}).items():
        if colour_space_is_rgb(shading.get("/ColorSpace"), resources):
            problems.append(f"{where}: shading {name} is DeviceRGB")
    for name, pattern in (resources.get("/Pattern") or {}).items():
        shading = pattern.get("/Shading")
        if shading is not None and colour_space_is_rgb(shading.get("/ColorSpace"), resources):
            problems.append(f"{where}: shading pattern {name} is DeviceRGB")
    for name, state in (resources.get("/ExtGState") or {}).items():
        smask = state.get("/SMask")
        if isinstance(smask, pikepdf.Dictionary) and "/G" in smask:
            group = smask.G.get("/Group")
            if group is not None and colour_space_is_rgb(group.get("/CS"), resources):
                problems.append(f"{where}: soft mask of {name} has a DeviceRGB group")
    return problems


def _operator_problems(where: str, obj, resources) -> list[str]:
    """Walk the content stream, tracking the current fill and stroke colour spaces."""
    problems: list[str] = []
    counts: dict[str, int] = {}
    fill_rgb = stroke_rgb = False
    stack: list[tuple[bool, bool]] = []
    try:
        instructions = pikepdf.parse_content_stream(obj)
    except pikepdf.PdfError as exc:
        return [f"{where}: unreadable content stream: {exc}"]
    for operands, operator in instructions:
        op = str(operator)
        if op == "q":
            stack.append((fill_rgb, stroke_rgb))
        elif op == "Q" and stack:
            fill_rgb, stroke_rgb = stack.pop()
        elif op in ("rg", "RG"):
            counts[op] = counts.get(op, 0) + 1
        elif op == "cs":
            fill_rgb = colour_space_is_rgb(operands[0], resources)
        elif op == "CS":
            stroke_rgb = colour_space_is_rgb(operands[0], resources)
        elif (op in ("sc", "scn") and fill_rgb) or (op in ("SC", "SCN") and stroke_rgb):
            counts[op + " (DeviceRGB)"] = counts.get(op + " (DeviceRGB)", 0) + 1
        elif op in ("g", "k"):
            fill_rgb = False
        elif op in ("G", "K"):
            stroke_rgb = False
        elif op == "BI" or op == "INLINE IMAGE":
            problems.append(f"{where}: an inline image")
    problems += [f"{where}: {n} × {op}" for op, n in sorted(counts.items())]
    return problems


def violations(path) -> list[str]:
    """Every breach of the rules above in the PDF at ``path``."""
    problems: list[str] = []
    with pikepdf.open(path) as pdf:
        info = pdf.trailer.get("/Info") or pikepdf.Dictionary()
        if str(info.get("/GTS_PDFXVersion", "")) != "PDF/X-4":
            problems.append("Info: no GTS_PDFXVersion PDF/X-4")
        if "/GTS_PDFXConformance" in info:
            problems.append("Info: GTS_PDFXConformance (PDF/X-1a/X-3 only) is present")
        if not str(info.get("/Title", "")).strip():
            problems.append("Info: no Title")
        if str(info.get("/Trapped", "")) not in ("/True", "/False"):
            problems.append("Info: Trapped is not True or False")
        with pdf.open_metadata() as meta:
            if meta.get("pdfxid:GTS_PDFXVersion") != "PDF/X-4":
                problems.append("XMP: no pdfxid:GTS_PDFXVersion PDF/X-4")
            if "pdfx:GTS_PDFXConformance" in meta:
                problems.append("XMP: GTS_PDFXConformance (PDF/X-1a/X-3 only) is present")
        intents = pdf.Root.get("/OutputIntents") or []
        pdfx = [i for i in intents if i.get("/S") == "/GTS_PDFX"]
        if len(pdfx) != 1:
            problems.append(f"{len(pdfx)} GTS_PDFX output intents (one is required)")
        else:
            profile = pdfx[0].get("/DestOutputProfile")
            if profile is None or profile.read_bytes()[36:40] != b"acsp":
                problems.append("output intent: no embedded ICC profile")
            if not str(pdfx[0].get("/OutputConditionIdentifier", "")):
                problems.append("output intent: no OutputConditionIdentifier")
        for number, page in enumerate(pdf.pages, start=1):
            problems += [f"page {number}: {p}" for p in _boxes(page)]
            group = page.obj.get("/Group")
            if group is not None and colour_space_is_rgb(group.get("/CS")):
                problems.append(f"page {number}: DeviceRGB page group")
            for where, obj, resources in _streams(page):
                label = f"page {number} {where}"
                problems += _resource_problems(label, resources)
                problems += _operator_problems(label, obj, resources)
    return problems
