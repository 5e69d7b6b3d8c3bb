"""Staff downloads of the exhibition record: the summary report (on screen, as PDF) and the whole
record as a ZIP. Registered on the staff blueprint; file names are chosen here, never taken from
the request."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

from flask import Response, abort, after_this_request, g, request, send_file, url_for
from flask_babel import gettext

from ..auth.args import date_arg
from ..auth.sessions import current_user, requires
from ..printing import PlaceholderAddress
from ..staff.blueprint import bp
from ..visits.report import REPORT_LANGUAGES, html_to_pdf, render_report_html
from .archive import record_parts, write_record


def _report_args() -> tuple[str, dt.date | None, dt.date | None]:
    # g.lang is the staff language: ?lang= when given (zh, en, fr), else the browser's.
    lang = g.lang if g.lang in REPORT_LANGUAGES else "en"
    date_from, date_to = date_arg("from"), date_arg("to")
    if date_from and date_to and date_from > date_to:
        abort(400, description=gettext("'from' is after 'to'."))
    return lang, date_from, date_to


def _period(date_from: dt.date | None, date_to: dt.date | None) -> str:
    if not (date_from or date_to):
        return ""
    return f"-{date_from or 'start'}_{date_to or 'end'}"


@bp.get("/report")
@requires("dashboard")
def report():
    """The summary report on screen, printable, with links to its languages and downloads."""
    lang, date_from, date_to = _report_args()
    dates = {k: v.isoformat() for k, v in (("from", date_from), ("to", date_to)) if v}
    can_export = current_user().can("export")
    toolbar = {
        "back": url_for("staff.dashboard", lang=lang, **dates),
        "languages": [(code, url_for("staff.report", lang=code, **dates))
                      for code in REPORT_LANGUAGES],
        "pdf": url_for("staff.report_pdf", lang=lang, **dates) if can_export else None,
        "record": url_for("staff.record_zip", lang=lang) if can_export else None,
    }
    html = render_report_html(lang, date_from, date_to, toolbar=toolbar)
    return Response(html, mimetype="text/html")


@bp.get("/report.pdf")
@requires("export")
def report_pdf():
    """The summary report as a PDF (A4), in ?lang=, for ?from= and ?to= when given."""
    lang, date_from, date_to = _report_args()
    pdf = html_to_pdf(render_report_html(lang, date_from, date_to))
    name = f"exhibit-report{_period(date_from, date_to)}-{lang}-{dt.date.today().isoformat()}.pdf"
    return Response(pdf, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/record.zip")
@requires("export")
def record_zip():
    """The whole record: report, visit log, channel figures, photos, manifest; the print files
    too with ``?print=1``.

    Built in a temporary file (it can be large), sent, then deleted. The print files are left
    out unless asked for: a large exhibition takes minutes to print, longer than a web request
    should last (``exhibit export record`` makes them on the command line).
    """
    lang, _from, _to = _report_args()
    skip = [] if request.args.get("print") == "1" else [
        part.name for part in record_parts() if part.name == "print"]
    descriptor, name_on_disk = tempfile.mkstemp(suffix=".zip", prefix="exhibit-record-")
    os.close(descriptor)
    path = Path(name_on_disk)

    @after_this_request
    def _remove(response):
        path.unlink(missing_ok=True)  # also after an error; an open file is still sent
        return response

    try:
        write_record(path, lang, skip=skip)
    except PlaceholderAddress as exc:
        abort(409, description=gettext(
            "No print files: PUBLIC_BASE_URL (%(url)s) is not the public https address of the "
            "exhibition, and the QR code of every final print file would lead there. An "
            "administrator sets PUBLIC_BASE_URL; until then, download the record without the "
            "print files.", url=exc.url or "—"))
    name = f"exhibit-record-{lang}-{dt.date.today().isoformat()}.zip"
    return send_file(path, mimetype="application/zip", as_attachment=True, download_name=name)
