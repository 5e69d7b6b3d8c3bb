"""`exhibit print --accessible`: a tagged PDF/UA-1 in RGB beside the press file, with the
structure, the reading order, alt texts and the language, read back with pikepdf."""

from __future__ import annotations

import pikepdf
import pytest

from .conftest import make_app, publish


@pytest.fixture()
def scratch_app(scratch, media_cache, tmp_path):
    app = make_app(scratch, media_cache)
    app.instance_path = str(tmp_path / "instance")
    publish(app)
    yield app
    app.extensions["exhibit.db"].dispose()


def _structure(element, found: list) -> list:
    if isinstance(element, pikepdf.Dictionary) and "/S" in element:
        found.append(element)
        kids = element.get("/K")
        for kid in (kids if isinstance(kids, pikepdf.Array) else [kids]):
            if kid is not None:
                _structure(kid, found)
    return found


def test_accessible_pdf_is_tagged_with_alt_texts_and_language(scratch_app, tmp_path):
    out = tmp_path / "out"
    result = scratch_app.test_cli_runner().invoke(args=[
        "print", "story", "--size", "300x424", "--lang", "zh", "--accessible", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "tagged PDF/UA-1" in result.output
    [path] = out.glob("*.pdf")
    assert path.name.endswith("-zh-300x424mm-accessible.pdf")
    with pikepdf.open(path) as pdf:
        root = pdf.Root
        assert root.MarkInfo.Marked is True or bool(root.MarkInfo.Marked)
        assert str(root.Lang) == "zh-Hans"
        assert "/OutputIntents" not in root  # RGB, for screens
        with pdf.open_metadata() as meta:
            assert meta.get("pdfuaid:part") == "1"
        top = root.StructTreeRoot.K
        elements = _structure(top if not isinstance(top, pikepdf.Array) else top[0], [])
        kinds = [str(e.S) for e in elements]
        assert "/Document" in kinds and "/H1" in kinds and "/P" in kinds
        figures = [e for e in elements if e.S == "/Figure"]
        assert [str(f.Alt) for f in figures if "/Alt" in f] == ["一张照片"]  # the photo's zh alt
        assert pdf.pages[0].obj.get("/StructParents") is not None

