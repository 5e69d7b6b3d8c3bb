"""Preflight, sizes, the `exhibit print` command, the staff function and the child's limits.

Panels that must fail are made in a scratch exhibition (tests/scratch.py) in tmp_path.
"""

from __future__ import annotations

import dataclasses
import struct
import zipfile
import zlib
from pathlib import Path

import pytest
from PIL import Image

from exhibit.content import KeyFigure, Localized
from exhibit.printing import PrintFailed, SizeError, parse_size, render_set
from exhibit.printing.preflight import check_content, check_page
from exhibit.printing.render import PrintOptions
from exhibit.printing.runner import plan, print_panels
from exhibit.printing.sizes import PDF_MAX_MM

from .conftest import make_app, publish
from .scratch import MINIMAL_MP4

SMALL = "300x424"


# -- sizes --------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, width, height", [
    ("A0", 841, 1189), ("a0-landscape", 1189, 841), ("A1", 594, 841), ("A1-landscape", 841, 594),
    ("rollup", 850, 2000), ("600x900", 600, 900), ("600 × 900 mm", 600, 900),
])
def test_sizes(text, width, height):
    size = parse_size(text)
    assert (size.width_mm, size.height_mm) == (width, height)


def test_type_scales_with_the_page():
    assert parse_size("A0").scale == 1
    assert parse_size("A0-landscape").scale == 1
    assert parse_size("A1").scale == pytest.approx(0.706, abs=0.01)
    assert parse_size("rollup").scale == pytest.approx(1.0, abs=0.02)


@pytest.mark.parametrize("text", ["A7", "big", "10x10", "600x"])
def test_unknown_sizes_are_refused_with_the_choices(text):
    with pytest.raises(SizeError, match="A0|at least"):
        parse_size(text)


def test_page_past_200_inches_is_an_error():
    assert not check_page(parse_size("5000x1000"), 3)
    problems = check_page(parse_size("5080x1000"), 3)  # 5086 mm with the bleed
    assert [p.level for p in problems] == ["error"]
    assert "200 in" in problems[0].message and f"{PDF_MAX_MM:g}" in problems[0].message


# -- content ------------------------------------------------------------------------------------

def test_the_demo_passes_the_content_preflight(demo):
    for lang in demo.languages:
        for panel in demo.panels:
            assert check_content(demo, panel, lang) == [], (panel.slug, lang)


def test_a_language_the_exhibition_lacks(demo):
    problems = check_content(demo, demo.panel("mercury-flows"), "de")
    assert [p.level for p in problems] == ["error"]
    assert "no de translation" in problems[0].message


def test_a_missing_translation(demo):
    panel = demo.panel("mercury-flows")
    title = Localized({k: v for k, v in panel.title.items() if k != "fr"})
    problems = check_content(demo, dataclasses.replace(panel, title=title), "fr")
    assert any("missing fr translation of the title" in p.message for p in problems)
    assert not check_content(demo, dataclasses.replace(panel, title=title), "en")


def test_a_number_without_a_source(demo):
    panel = demo.panel("mercury-flows")
    kf = panel.key_figures[0]
    unsourced = dataclasses.replace(panel, key_figures=(
        KeyFigure(kf.value, kf.unit, kf.label, None, False), *panel.key_figures[1:]))
    problems = check_content(demo, unsourced, "en")
    assert [p.level for p in problems] == ["error"]
    assert "key figure “570 t” has no source" in problems[0].message
    figure = dataclasses.replace(panel.figures[0], source=None)
    problems = check_content(demo, dataclasses.replace(panel, figures=(figure,)), "en")
    assert any("values without a source" in p.message for p in problems)


# -- layout: resolution and overflow, through the real renderer ---------------------------------

@pytest.fixture()
def scratch_app(scratch, media_cache, tmp_path):
    app = make_app(scratch, media_cache)
    app.instance_path = str(tmp_path / "instance")
    publish(app)  # final print files are the published versions
    yield app
    app.extensions["exhibit.db"].dispose()


def _print(app, slugs, langs, out: Path, size=SMALL):
    exhibition = app.extensions["exhibit.content"].exhibition
    jobs = plan(exhibition, slugs, langs, PrintOptions(size=parse_size(size)), out)
    return print_panels(app, jobs)


def test_low_resolution_image_is_an_error_and_no_file_is_written(scratch, media_cache, tmp_path):
    Image.new("RGB", (240, 160), (46, 157, 91)).save(scratch.parent / "media/images/photo.png")
    app = make_app(scratch, media_cache)
    try:
        report = _print(app, ["story"], ["en"], tmp_path / "out")
    finally:
        app.extensions["exhibit.db"].dispose()
    [result] = report.results
    errors = [p.message for p in result.problems if p.is_error]
    assert len(errors) == 1 and "images/photo.png" in errors[0] and "ppi" in errors[0]
    assert "at least 150 ppi" in errors[0]
    assert result.path is None and not list((tmp_path / "out").glob("*.pdf"))


def test_good_enough_image_is_a_warning(scratch_app, tmp_path):
    # The scratch photo is 1200 × 800 px: about 400 ppi in the media column of a 300 mm page.
    report = _print(scratch_app, ["story"], ["zh"], tmp_path / "out", size="A1")
    [result] = report.results
    assert result.ok, report.text()
    assert [p.level for p in result.problems] == ["warning"]
    assert "ppi" in result.problems[0].message


def test_text_that_overflows_is_an_error_never_a_second_page(scratch, media_cache, tmp_path):
    long = "\n\n".join(f"## Part {n}\n\nA paragraph of text that goes on and on, as texts that "
                       f"are too long for a panel do, so that the page cannot hold it all."
                       for n in range(60))
    (scratch / "story" / "text.en.md").write_text(long + "\n", encoding="utf-8")
    app = make_app(scratch, media_cache)
    try:
        report = _print(app, ["story"], ["en"], tmp_path / "out")
    finally:
        app.extensions["exhibit.db"].dispose()
    [result] = report.results
    assert not result.ok and result.path is None
    assert any("does not fit on the page" in p.message for p in result.problems), result.problems
    assert not list((tmp_path / "out").glob("*.pdf"))


# -- the command --------------------------------------------------------------------------------

def test_print_command_writes_files_and_a_summary(scratch_app, tmp_path):
    out = tmp_path / "out"
    result = scratch_app.test_cli_runner().invoke(args=[
        "print", "output", "--size", SMALL, "--lang", "fr", "--out", str(out), "--bleed", "5"])
    assert result.exit_code == 0, result.output
    assert "Printing 1 file(s): 300x424mm (300 × 424 mm), bleed 5 mm, CMYK PDF/X-4" in result.output
    assert [p.name for p in out.glob("*.pdf")] == ["02-output-fr-300x424mm.pdf"]
    assert "1 file(s)" in result.output and "0 error(s)" in result.output


def test_print_command_all_languages_rgb(scratch_app, tmp_path):
    out = tmp_path / "out"
    result = scratch_app.test_cli_runner().invoke(args=[
        "print", "output", "--size", SMALL, "--all-languages", "--rgb", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.glob("*.pdf")) == [
        f"02-output-{lang}-300x424mm-rgb.pdf" for lang in ("en", "fr", "zh")]


def test_print_command_fails_on_preflight_errors(scratch_app, tmp_path):
    result = scratch_app.test_cli_runner().invoke(args=[
        "print", "output", "--size", "6000x900", "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "ERROR 02-output-zh-6000x900mm.pdf: not written" in result.output
    assert "200 in" in result.output


@pytest.mark.parametrize("args, message", [
    (["nope"], "no panel 'nope'"), (["--size", "B5"], "unknown size"),
])
def test_print_command_refuses_bad_arguments(scratch_app, args, message):
    result = scratch_app.test_cli_runner().invoke(args=["print", *args])
    assert result.exit_code == 2
    assert message in result.output


# -- for the staff area --------------------------------------------------------------------------

def test_render_set_gives_one_pdf_or_a_zip(scratch_app, tmp_path):
    one = render_set(scratch_app, ["output"], ["en"], size=SMALL, out_dir=tmp_path / "one")
    assert one.suffix == ".pdf" and one.read_bytes().startswith(b"%PDF-1.6")
    many = render_set(scratch_app, ["output"], ["zh", "en"], size=SMALL, out_dir=tmp_path / "set")
    assert many.suffix == ".zip"
    with zipfile.ZipFile(many) as zf:
        assert sorted(zf.namelist()) == ["02-output-en-300x424mm.pdf", "02-output-zh-300x424mm.pdf",
                                         "preflight.txt"]
        report = zf.read("preflight.txt").decode()
        assert "0 error(s)" in report
        # Every file's QR target, so a wrong PUBLIC_BASE_URL is seen before the shop prints.
        for lang in ("zh", "en"):
            assert f"QR code: https://expo.example.org/{lang}/panels/output/?src=print-qr" in report


def test_render_set_raises_with_the_report(scratch_app, tmp_path):
    with pytest.raises(PrintFailed) as caught:
        render_set(scratch_app, ["output"], ["de"], size=SMALL, out_dir=tmp_path)
    assert "no de translation" in caught.value.report.text()


def test_render_set_marks_drafts(scratch_app, tmp_path):
    path = render_set(scratch_app, ["output"], ["en"], size=SMALL, out_dir=tmp_path,
                      draft=lambda panel: panel.slug == "output")
    import pypdf

    assert "DRAFT" in pypdf.PdfReader(path).pages[0].extract_text()


# -- the child process: time and memory limits ----------------------------------------------------

def _zero_png(path: Path, width: int, height: int) -> None:
    """A PNG of width × height black pixels, written row by row: a few hundred kB on disk,
    width × height × 3 bytes once decoded (a decompression bomb, made without the memory)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack("!I", len(data)) + kind + data
                + struct.pack("!I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    compressor = zlib.compressobj(6)
    row = b"\0" * (1 + 3 * width)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    with path.open("wb") as fh:
        fh.write(b"\x89PNG\r\n\x1a\n")
        fh.write(chunk(b"IHDR", struct.pack("!IIBBBBB", width, height, 8, 2, 0, 0, 0)))
        fh.write(chunk(b"IDAT", idat))
        fh.write(chunk(b"IEND", b""))


VIDEO_PANEL = """\
slug: clip
section: basics
order: 20
kind: video
title: {zh: 短片, en: A clip, fr: Un film}
summary: {zh: 一段短片, en: A short clip, fr: Un court film}
video:
  file: video/clip.mp4
  poster: video/poster.png
  captions: {zh: video/clip.zh.vtt, en: video/clip.en.vtt, fr: video/clip.fr.vtt}
  credit: "Test clip, CC0"
sources:
  - id: none
    title: "No source needed"
"""


def test_a_huge_image_fails_in_the_child_and_the_rest_prints(scratch, media_cache, tmp_path):
    """A poster frame that decodes to 210 MB, against an 800 MB limit: the child runs out of
    memory on that panel, the other panel still prints, and this process never decodes it (the
    web app copies posters as they are)."""
    media = scratch.parent / "media" / "video"
    media.mkdir()
    (media / "clip.mp4").write_bytes(MINIMAL_MP4)
    for lang in ("zh", "en", "fr"):
        (media / f"clip.{lang}.vtt").write_text(
            "WEBVTT\n\n00:00:00.000 --> 00:00:01.000\nHello\n", encoding="utf-8")
    _zero_png(media / "poster.png", 10000, 7000)  # 70 Mpx
    (scratch / "clip").mkdir()
    (scratch / "clip" / "panel.yaml").write_text(VIDEO_PANEL, encoding="utf-8")
    for lang in ("zh", "en", "fr"):
        (scratch / "clip" / f"text.{lang}.md").write_text("Text.\n", encoding="utf-8")
    app = make_app(scratch, media_cache, PRINT_MEMORY_MB=800)
    try:
        report = _print(app, ["clip", "output"], ["en"], tmp_path / "out")
    finally:
        app.extensions["exhibit.db"].dispose()
    clip, output = report.results
    assert clip.path is None
    assert any("memory" in p.message for p in clip.problems), clip.problems
    assert output.ok, report.text()


def test_a_panel_that_takes_too_long_is_stopped(scratch, media_cache, tmp_path):
    app = make_app(scratch, media_cache, PRINT_TIMEOUT_SECONDS=0.5)
    try:
        report = _print(app, ["output"], ["en"], tmp_path / "out")
    finally:
        app.extensions["exhibit.db"].dispose()
    [result] = report.results
    assert result.path is None
    assert "PRINT_TIMEOUT_SECONDS" in result.problems[0].message


# -- the surface: every demo panel, every language (HTML only: fast) -----------------------------

@pytest.mark.parametrize("lang", ["zh", "en", "fr"])
def test_every_panel_renders_on_the_print_surface(demo_app, demo, lang):
    from exhibit.printing.layout import geometry
    from exhibit.printing.render import page_html
    from exhibit.surfaces import SURFACES, render_panel

    assert "print" in SURFACES  # registered by create_app, beside web and kiosk
    options = PrintOptions(size=parse_size("A0"))
    with demo_app.test_request_context(f"/{lang}/"):
        for panel in demo.panels:
            article = str(render_panel(panel, lang, "print"))
            assert 'href="http' not in article  # paper has no links
            assert 'src="/media/' not in article  # the original files, never the screen derivatives
            for image in panel.images:
                assert image.media.absolute.as_uri() in article
            html = page_html(panel, lang, options, geometry(options.size, 3.0, kind=panel.kind))
            assert f"/{lang}/panels/{panel.slug}/?src=print-qr" in html
            assert 'class="qr"' in html and "device-cmyk(" in html
            assert 'fill="#' not in html  # every chart colour converted to CMYK
            for org in demo.organisations:
                assert org.name[lang].split(" (")[0] in html.replace("&#39;", "'")


# -- the set in parallel: one rendering child per core --------------------------------------------

def test_print_workers_one_per_core_never_more_than_files(monkeypatch):
    from exhibit.printing import runner

    monkeypatch.setattr(runner.os, "sched_getaffinity", lambda _pid: {0, 1, 2, 3})
    assert runner.print_workers(16) == 4
    assert runner.print_workers(3) == 3
    assert runner.print_workers(1) == 1


def test_a_set_is_rendered_by_parallel_children_in_order(scratch_app, tmp_path, monkeypatch):
    from exhibit.printing import runner

    monkeypatch.setattr(runner.os, "sched_getaffinity", lambda _pid: {0, 1})
    report = _print(scratch_app, ["story", "output"], ["zh", "en"], tmp_path / "out")
    assert not report.errors, report.text()
    assert [(r.job.slug, r.job.lang) for r in report.results] == [
        ("story", "zh"), ("output", "zh"), ("story", "en"), ("output", "en")]
    pids = [r.worker_pid for r in report.results]
    assert len(set(pids)) == 2 and pids[0] == pids[2] and pids[1] == pids[3]
    assert all(r.path and r.path.exists() for r in report.results)
