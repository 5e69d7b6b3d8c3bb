"""The whole exhibition record as one ZIP: the summary report, the visit log, the channel figures,
the photo records, the print files — and a manifest with the size and SHA-256 of every file.

What goes in is a registry of *record parts* (Datasette's habit: a list of named writers, not a
chain of ``if``): each part writes its files into the archive. A feature adds its files with
``register_record_part(app, RecordPart(...))``. The parts of the domains below (the visit log,
print, the review record) are written here: the record is the highest layer, it imports them, and
none of them imports it.

The ZIP is written to ``FILE.part`` and renamed when complete, so a half-written record never
sits under the name asked for.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from flask import Flask, current_app
from flask_babel import force_locale
from sqlalchemy import Engine, select

from ..auth.audit import staff_audit_csv
from ..content import Exhibition
from ..contentstore import get_store
from ..printing import PrintFailed, render_set, require_public_address
from ..publication.state import load_snapshots, review_state
from ..review.audit import audit_csv, status_csv
from ..version import __version__
from ..visits.db import get_engine
from ..visits.exports import csv_bytes, csv_chunks, write_xlsx
from ..visits.report import (
    channel_label,
    html_to_pdf,
    load_report_texts,
    photo_folder,
    photo_rows,
    render_report_html,
)
from ..visits.schema import channel_reports

log = logging.getLogger(__name__)

MANIFEST = "MANIFEST.json"
# Bytes copied at a time into the archive: memory stays flat whatever the size of a file.
COPY_CHUNK = 1 << 20


class _HashingWriter:
    """A binary file-like that passes bytes on and counts and hashes them."""

    def __init__(self, target: IO[bytes]):
        self.target = target
        self.size = 0
        self.sha256 = hashlib.sha256()

    def write(self, data: bytes) -> int:
        self.target.write(data)
        self.size += len(data)
        self.sha256.update(data)
        return len(data)

    def flush(self) -> None:
        self.target.flush()


@dataclass
class RecordArchive:
    """The ZIP being written; remembers every file it holds for the manifest."""

    zf: zipfile.ZipFile
    made_at: dt.datetime
    files: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    part: str = ""  # the part writing now, noted beside each of its files

    @contextmanager
    def open(self, path: str, *, compress: bool = True) -> Iterator[_HashingWriter]:
        """Write one file of the record as a stream (``compress=False`` for JPEG, PDF, XLSX)."""
        if any(f["path"] == path for f in self.files) or path == MANIFEST:
            raise ValueError(f"the record already has a file {path}")
        info = zipfile.ZipInfo(path, date_time=self.made_at.timetuple()[:6])
        info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
        info.external_attr = 0o644 << 16
        with self.zf.open(info, "w", force_zip64=True) as raw:
            writer = _HashingWriter(raw)
            yield writer
        self.files.append({"path": path, "bytes": writer.size,
                           "sha256": writer.sha256.hexdigest(), "part": self.part})

    def add_bytes(self, path: str, data: bytes, *, compress: bool = True) -> None:
        with self.open(path, compress=compress) as fh:
            fh.write(data)

    def add_file(self, path: str, source: Path, *, compress: bool = True) -> None:
        with self.open(path, compress=compress) as fh, source.open("rb") as src:
            shutil.copyfileobj(src, fh, COPY_CHUNK)


@dataclass(frozen=True)
class RecordContext:
    """What every part may use: the app (in an app context), the database and the language."""

    app: Flask
    engine: Engine
    lang: str
    workdir: Path  # a scratch folder, removed when the record is written
    print_draft: bool = False  # the print files as drafts, marked DRAFT (any PUBLIC_BASE_URL)


@dataclass(frozen=True)
class RecordPart:
    name: str  # shown in the manifest and accepted by ``--skip``
    help: str
    write: Callable[[RecordArchive, RecordContext], None]


# -- the parts ------------------------------------------------------------------------------------

def _report(archive: RecordArchive, ctx: RecordContext) -> None:
    html = render_report_html(ctx.lang)
    archive.add_bytes("report.html", html.encode("utf-8"))
    archive.add_bytes("report.pdf", html_to_pdf(html), compress=False)


def _visits(archive: RecordArchive, ctx: RecordContext) -> None:
    with archive.open("visits.csv") as fh:
        fh.write("\ufeff".encode())  # a BOM: Excel then opens the CSV as UTF-8
        for chunk in csv_chunks(ctx.engine):
            fh.write(chunk.encode("utf-8"))
    xlsx = ctx.workdir / "visits.xlsx"
    write_xlsx(ctx.engine, xlsx)
    archive.add_file("visits.xlsx", xlsx, compress=False)
    xlsx.unlink()


def _channel_figures(archive: RecordArchive, ctx: RecordContext) -> None:
    with ctx.engine.connect() as conn:
        rows = conn.execute(select(channel_reports).order_by(
            channel_reports.c.day, channel_reports.c.channel)).all()
    archive.add_bytes("channel-figures.csv", csv_bytes(
        ("channel", "channel_name", "date", "reads", "source", "entered_by", "entered_at"),
        ((r.channel, channel_label(r.channel), r.day, r.reads, r.source, r.entered_by,
          r.entered_at) for r in rows)))


def _photos(archive: RecordArchive, ctx: RecordContext) -> None:
    folder = photo_folder(ctx.app)
    listed = []
    for row in photo_rows(ctx.engine):
        source = folder / f"{row.id}.jpg"
        name = f"photos/{row.id}.jpg"
        if source.is_file():
            archive.add_file(name, source, compress=False)
        else:
            archive.warnings.append(f"photo {row.id} ({row.caption!r}) is missing from {folder}")
            name = ""
        listed.append((name.removeprefix("photos/"), row.caption, row.taken_on, row.width,
                       row.height, row.bytes, row.sha256, row.uploaded_by, row.uploaded_at))
    archive.add_bytes("photos/photos.csv", csv_bytes(
        ("file", "caption", "taken_on", "width", "height", "bytes", "sha256", "uploaded_by",
         "uploaded_at"), listed))


def _report_texts(archive: RecordArchive, ctx: RecordContext) -> None:
    """The texts staff wrote for the report, as written (Markdown), with who saved them when."""
    texts = sorted(load_report_texts(ctx.engine).values(), key=lambda r: (r.section, r.lang))
    for row in texts:
        archive.add_bytes(f"report-texts/{row.section}-{row.lang}.md", row.body.encode("utf-8"))
    archive.add_bytes("report-texts/report-texts.csv", csv_bytes(
        ("file", "section", "lang", "characters", "updated_by", "updated_at"),
        ((f"{r.section}-{r.lang}.md", r.section, r.lang, len(r.body), r.updated_by,
          r.updated_at) for r in texts)))


def _print_files(archive: RecordArchive, ctx: RecordContext) -> None:
    """Every panel as a print-ready PDF in the record's language (PRINT_SIZE, CMYK)."""
    try:
        made = render_set(ctx.app, None, [ctx.lang], out_dir=ctx.workdir / "print",
                          draft=ctx.print_draft)
    except PrintFailed as exc:
        # A print order is a whole set or nothing; the record keeps the files that could be made,
        # and says why the others could not.
        for path in exc.report.files:
            archive.add_file(f"print/{path.name}", path, compress=False)
        archive.add_bytes("print/PRINT-PROBLEMS.txt", exc.report.text().encode("utf-8"))
        archive.warnings.append(f"{len(exc.report.errors)} print error(s): some panels have no "
                                f"print file; see print/PRINT-PROBLEMS.txt")
        return
    if made.suffix == ".pdf":
        archive.add_file(f"print/{made.name}", made, compress=False)
        return
    with zipfile.ZipFile(made) as printed:
        for member in printed.infolist():
            with printed.open(member) as src, archive.open(
                    f"print/{member.filename}",
                    compress=not member.filename.endswith(".pdf")) as fh:
                shutil.copyfileobj(src, fh, COPY_CHUNK)


def _review(archive: RecordArchive, ctx: RecordContext) -> None:
    exhibition: Exhibition = get_store(ctx.app).current()
    state = review_state(exhibition, ctx.engine)
    archive.add_bytes("review/audit-trail.csv", audit_csv(state))
    archive.add_bytes("review/status.csv", status_csv(state))
    archive.add_bytes("review/staff-audit-trail.csv", staff_audit_csv(ctx.engine))
    for row in load_snapshots(ctx.engine):
        archive.add_bytes(f"review/versions/{row.panel}-{row.version}.json",
                          row.data.encode("utf-8"))


DEFAULT_PARTS = (
    RecordPart("report", "the exhibition summary report (report.pdf, report.html)", _report),
    RecordPart("visits", "the visit log, every event (visits.csv, visits.xlsx)", _visits),
    RecordPart("channel-figures", "reads reported by outside platforms, with their sources "
               "(channel-figures.csv)", _channel_figures),
    RecordPart("photos", "the photo records (photos/*.jpg) and their captions "
               "(photos/photos.csv)", _photos),
    RecordPart("report-texts", "the texts staff wrote for the summary report, as written "
               "(report-texts/*.md, report-texts/report-texts.csv)", _report_texts),
)
PRINT_PART = RecordPart("print", "every panel as a print-ready PDF in the record's language "
                        "(print/)", _print_files)
REVIEW_PART = RecordPart(
    "review", "the review record and the audit trail: every decision (review/audit-trail.csv), "
    "where each panel stands (review/status.csv), the content of every approved version "
    "(review/versions/*.json), and every privileged staff action: accounts, sign-ins, downloads, "
    "photos, channel figures (review/staff-audit-trail.csv)", _review)


def record_parts(app: Flask | None = None) -> list[RecordPart]:
    """The parts of this app's record, in the order they are written."""
    app = app or current_app
    parts = app.extensions.get("exhibit.record_parts")
    if parts is None:
        parts = list(DEFAULT_PARTS)
        # The print files, when the app has the print surface (exhibit.printing registers the
        # "print" blueprint). It could register this part from its own init_app instead.
        if "print" in app.blueprints:
            parts.append(PRINT_PART)
        if "review" in app.blueprints:
            parts.append(REVIEW_PART)
        app.extensions["exhibit.record_parts"] = parts
    return parts


def register_record_part(app: Flask, part: RecordPart) -> None:
    """Add a part to the record (a feature's ``init_app`` calls this); names are unique."""
    parts = record_parts(app)
    if any(p.name == part.name for p in parts):
        raise ValueError(f"the record already has a part named '{part.name}'")
    parts.append(part)


@dataclass(frozen=True)
class WrittenRecord:
    path: Path
    files: list[dict[str, Any]]
    warnings: list[str]


def write_record(out: Path, lang: str, *, skip: Iterable[str] = (),
                 progress: Callable[[RecordPart], None] | None = None,
                 print_draft: bool = False) -> WrittenRecord:
    """Write the whole record to ``out`` (a ZIP) in an app context; atomic (``out.part``).

    Raises :class:`exhibit.printing.PlaceholderAddress` before writing anything when the record
    is to hold final print files and PUBLIC_BASE_URL is a placeholder (``print_draft`` prints
    them as drafts instead).
    """
    app = current_app._get_current_object()
    parts = record_parts(app)
    skip = set(skip)
    unknown = skip - {p.name for p in parts}
    if unknown:
        raise ValueError(f"unknown record part(s): {', '.join(sorted(unknown))}; the parts are: "
                         f"{', '.join(p.name for p in parts)}")
    if not print_draft and any(p.name == PRINT_PART.name and p.name not in skip for p in parts):
        require_public_address(app.config)
    made_at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    partial = out.with_name(out.name + ".part")
    try:
        # force_locale: every part speaks the record's language, whoever asked for it.
        with force_locale(lang), tempfile.TemporaryDirectory(prefix="exhibit-record-") as scratch, \
                zipfile.ZipFile(partial, "w", allowZip64=True) as zf:
            archive = RecordArchive(zf, made_at)
            ctx = RecordContext(app, get_engine(app), lang, Path(scratch), print_draft)
            written = []
            for part in parts:
                if part.name in skip:
                    continue
                archive.part = part.name
                part.write(archive, ctx)
                written.append(part)
                if progress:
                    progress(part)
            archive.part = ""
            exhibition = get_store(app).current()
            manifest = {
                "record": "exhibition record",
                "exhibition": exhibition.title[lang] if lang in exhibition.title
                else exhibition.title[exhibition.default_language],
                "made_at": made_at.isoformat().replace("+00:00", "Z"),
                "made_by": f"exhibit {__version__}",
                "content_version": exhibition.fingerprint,
                "language": lang,
                "parts": [{"name": p.name, "contents": p.help} for p in written],
                "skipped": sorted(skip),
                "warnings": archive.warnings,
                "files": archive.files,
            }
            info = zipfile.ZipInfo(MANIFEST, date_time=made_at.timetuple()[:6])
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")
        partial.replace(out)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    for warning in archive.warnings:
        log.warning("record: %s", warning)
    return WrittenRecord(out, archive.files, archive.warnings)
