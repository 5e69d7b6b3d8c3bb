"""The staff area: sign-in, the visit dashboard, exports, channel figures, photo records, the
audit trail of staff actions, and the pages for refused requests (too large, too many)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import os
import re
import tempfile
import threading
import time
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    after_this_request,
    current_app,
    flash,
    g,
    has_request_context,
    redirect,
    render_template,
    request,
    send_file,
    stream_with_context,
    url_for,
)
from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.exceptions import RequestEntityTooLarge, TooManyRequests
from werkzeug.http import parse_options_header

from ..auth.accounts import check_credentials
from ..auth.args import date_arg, no_store, set_staff_language
from ..auth.audit import staff_audit_csv
from ..auth.sessions import audit_entry, current_user, requires, safe_next, sign_in, sign_out
from ..errors import handle_http_error, staff_error
from ..limits import limiter, login_account_key
from ..visits import store
from ..visits.channels import channel_names
from ..visits.db import get_engine
from ..visits.engagement import engagement, engagement_view
from ..visits.events import KINDS
from ..visits.exports import csv_chunks, write_xlsx
from ..visits.figures import dashboard_figures, key_figures, previous_period
from ..visits.report import channel_label, photo_folder
from ..visits.schema import channel_reports, photos
from ..visits.stats import summarise
from ..visits.timezone import zone
from .photos import PhotoError, store_photo

bp = Blueprint("staff", __name__, url_prefix="/staff", template_folder="templates")
bp.before_request(set_staff_language)
bp.after_request(no_store)


@bp.app_context_processor
def _staff_context():
    # Templates are also rendered outside requests (print children, exports): no user there.
    in_staff = has_request_context() and request.blueprint == "staff"
    return {"staff_user": current_user if in_staff else None}


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _not_signed_in(response) -> bool:
    # Every attempt counts but a successful sign-in (a redirect into the staff area): staff signing
    # in many times a day are never throttled for it. Wrong passwords for a known name still
    # count, so someone who knows a name can hold its sign-in back for a window; the owner's
    # other sessions carry on, and an admin sees the throttle in the audit trail.
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_not_signed_in)
@limiter.limit(_login_limit, key_func=login_account_key, methods=["POST"],
               deduct_when=_not_signed_in)
def login():
    error = None
    if request.method == "POST":
        name = request.form.get("name", "")
        user, reason = check_credentials(get_engine(), name, request.form.get("password", ""))
        if user is None:
            # Recorded for the admins; the person signing in is told nothing more.
            store.record_audit(get_engine(), audit_entry(
                "sign_in_failed", detail=reason, actor=name.strip()[:80] or "-"))
        else:
            sign_in(user)
            # Only back into the staff area: never an open redirect, never a broken header.
            return redirect(safe_next(request.args.get("next"))
                            or url_for("staff.dashboard"))
        # One message for a wrong name and a wrong password: no account enumeration.
        error = gettext("The name or the password is wrong.")
    return render_template("staff/login.html", lang=g.lang, error=error), (401 if error else 200)


@bp.post("/logout")
def logout():
    sign_out()
    return redirect(url_for("staff.login"))


@bp.get("/")
@requires("dashboard")
def dashboard():
    """The visit record of a period in charts and tables, optionally beside the period before."""
    date_from, date_to = date_arg("from"), date_arg("to")
    engine = get_engine()
    summary = summarise(engine, date_from, date_to)
    compare = request.args.get("compare") == "1"
    previous = None
    if compare:
        # Without dates, the period is the record's first to last day.
        first = date_from or (min(summary.per_day) if summary.per_day else None)
        last = date_to or (max(summary.per_day) if summary.per_day else None)
        try:
            before = previous_period(first, last) if first and last else None
        except OverflowError:  # a period that starts in year 1 has nothing before it
            before = None
        if before:
            previous = summarise(engine, *before)
    lang = g.lang
    ex = current_app.extensions["exhibit.content"].exhibition
    panel_titles = {p.slug: p.title[lang] if lang in p.title else p.title[ex.default_language]
                    for p in ex.panels}
    target = current_app.config["REACH_TARGET"]
    figures = dashboard_figures(summary, lang=lang, panel_titles=panel_titles,
                                channel_label=channel_label, target=target,
                                questionnaire=ex.questionnaire,
                                default_language=ex.default_language, previous=previous)
    # Attract-loop engagement (issue 19): passers-by and visitors, per kiosk and per hour.
    attract = engagement(engine, date_from, date_to, zone())
    return render_template("staff/dashboard.html", lang=lang, summary=summary, figures=figures,
                           key_figures=key_figures(summary, previous, target),
                           date_from=date_from, date_to=date_to, compare=compare,
                           previous=previous, target=target,
                           attract=engagement_view(attract, lang))


@bp.get("/exports")
@requires("export")
def exports():
    return render_template("staff/exports.html", lang=g.lang, kinds=sorted(KINDS))


@bp.get("/exports/visits")
@requires("export")
def export_visits():
    """The visit log as a download; the file name is chosen here, never taken from the request."""
    fmt = request.args.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        abort(400, description=gettext("The format must be csv or xlsx."))
    kinds = [k for k in request.args.getlist("kind") if k in KINDS] or None
    filters = {"date_from": date_arg("from"), "date_to": date_arg("to"), "kinds": kinds}
    name = f"exhibit-visits-{dt.date.today().isoformat()}.{fmt}"
    engine = get_engine()
    if fmt == "csv":
        body = stream_with_context(("\ufeff" if i == 0 else "") + chunk
                                   for i, chunk in enumerate(csv_chunks(engine, **filters)))
        return Response(body, mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="{name}"'})
    descriptor, name_on_disk = tempfile.mkstemp(suffix=".xlsx")
    os.close(descriptor)
    path = Path(name_on_disk)
    write_xlsx(engine, path, **filters)

    @after_this_request
    def _remove(response):
        path.unlink(missing_ok=True)
        return response

    return send_file(path, as_attachment=True, download_name=name, mimetype=(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))


@bp.route("/channels", methods=["GET", "POST"])
@requires("channels")
def channels():
    """Reads reported by outside platforms: enter one figure, or import a CSV of them."""
    names = channel_names()
    errors: list[str] = []
    if request.method == "POST":
        upload = request.files.get("csv")
        if upload and upload.filename:
            reports, errors = _parse_channel_csv(upload.read(), names)
        else:
            reports, errors = _parse_channel_rows([request.form.to_dict()], names, first_line=0)
        if not errors:
            figures = "; ".join(f"{r['channel']} {r['day'].isoformat()}: {r['reads']}"
                                for r in reports)
            count = store.save_channel_reports(
                get_engine(), reports, current_user().name,
                audit=audit_entry("channel_figures_saved", detail=figures))
            flash(gettext("%(num)d figure(s) saved.", num=count))
            return redirect(url_for("staff.channels"))
    with get_engine().connect() as conn:
        rows = conn.execute(select(channel_reports).order_by(
            channel_reports.c.day.desc(), channel_reports.c.channel)).all()
    return render_template("staff/channels.html", lang=g.lang, rows=rows, names=names,
                           errors=errors), (400 if errors else 200)


def _parse_channel_rows(records, names, first_line: int, lines: list[int] | None = None):
    reports, errors = [], []
    for offset, record in enumerate(records):
        line = lines[offset] if lines else first_line + offset
        where = f"line {line}: " if first_line or lines else ""
        channel = (record.get("channel") or "").strip()
        try:
            day = dt.date.fromisoformat((record.get("date") or "").strip())
        except ValueError:
            errors.append(where + gettext("the date must look like 2026-11-21"))
            continue
        reads_text = (record.get("reads") or "").strip().replace(",", "")
        source = (record.get("source") or "").strip()
        if channel not in names:
            errors.append(where + gettext("unknown channel '%(channel)s'", channel=channel))
        elif not reads_text.isdigit() or int(reads_text) > 10**12:
            errors.append(where + gettext("reads must be a whole number"))
        elif not source or len(source) > 500:
            errors.append(where + gettext("say where the figure comes from (source)"))
        else:
            reports.append({"channel": channel, "day": day, "reads": int(reads_text),
                            "source": source})
    return reports, errors


def _parse_channel_csv(data: bytes, names):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], [gettext("the file must be UTF-8 text")]
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or not {"channel", "date", "reads", "source"} <= set(
            reader.fieldnames):
        return [], [gettext("the CSV needs the columns channel, date, reads, source")]
    # Strict: a row with more or fewer fields than the header is refused, not guessed at (a
    # comma in a source without quotes would otherwise shift it into a column nobody reads).
    # The line is where the row starts in the file (a quoted field may span lines).
    records, lines, errors = [], [], []
    width = len(reader.fieldnames)
    start = reader.line_num + 1
    for record in reader:
        found = len(record) - 1 + len(record[None]) if None in record else sum(
            1 for v in record.values() if v is not None)
        if found != width:
            errors.append(f"line {start}: " + gettext(
                "%(found)d field(s), but the header has %(width)d", found=found, width=width))
        else:
            records.append(record)
            lines.append(start)
        start = reader.line_num + 1
    reports, row_errors = _parse_channel_rows(records, names, first_line=2, lines=lines)
    errors += row_errors
    errors.sort(key=lambda e: int(re.match(r"line (\d+)", e).group(1)))
    return ([], errors) if errors else (reports, [])


@bp.route("/photos", methods=["GET", "POST"])
@requires("photos")
def photo_records():
    """Photos of the exhibition with captions, for the record."""
    error = None
    if request.method == "POST":
        upload = request.files.get("photo")
        caption = (request.form.get("caption") or "").strip()
        if not upload or not upload.filename:
            error = gettext("Choose a photo to upload.")
        elif not caption or len(caption) > 500:
            error = gettext("Add a caption (up to 500 characters).")
        else:
            try:
                stored = store_photo(upload.read(current_app.config["MAX_UPLOAD_BYTES"] + 1),
                                     photo_folder(), max_bytes=current_app.config[
                                         "MAX_UPLOAD_BYTES"],
                                     max_pixels=current_app.config["MAX_UPLOAD_PIXELS"])
            except PhotoError as exc:
                error = str(exc)
            else:
                try:
                    store.add_photo(get_engine(), id=stored.id, caption=caption, taken_on=None,
                                    width=stored.width, height=stored.height,
                                    bytes=stored.bytes, sha256=stored.sha256,
                                    uploaded_by=current_user().name,
                                    audit=audit_entry("photo_uploaded", target=stored.id,
                                                      detail=f"sha256 {stored.sha256}"))
                except Exception:
                    (photo_folder() / f"{stored.id}.jpg").unlink(missing_ok=True)
                    raise
                flash(gettext("Photo saved."))
                return redirect(url_for("staff.photo_records"))
    with get_engine().connect() as conn:
        rows = conn.execute(select(photos).order_by(photos.c.uploaded_at.desc())).all()
    return render_template("staff/photos.html", lang=g.lang, rows=rows, error=error), (
        400 if error else 200)


@bp.post("/photos/<uuid:photo_id>/delete")
@requires("photos")
def delete_photo(photo_id):
    """Remove a photo from the record (its row, then its file), with a line in the audit trail
    naming its caption and checksum."""
    photo_id = str(photo_id)
    with get_engine().connect() as conn:
        row = conn.execute(select(photos).where(photos.c.id == photo_id)).first()
    if row is None or not store.delete_photo(get_engine(), photo_id, audit=audit_entry(
            "photo_deleted", target=photo_id, detail=f"{row.caption} (sha256 {row.sha256})")):
        abort(404)
    # After the commit: a file left behind by a crash here is harmless, a row without its file
    # would not be.
    (photo_folder() / f"{photo_id}.jpg").unlink(missing_ok=True)
    flash(gettext("Photo deleted."))
    return redirect(url_for("staff.photo_records"), code=303)


@bp.get("/photos/<uuid:photo_id>.jpg")
@requires("dashboard")
def photo_file(photo_id):
    """A stored photo, under a name made here; as an attachment, which an <img> still shows."""
    path = photo_folder() / f"{photo_id}.jpg"
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype="image/jpeg", max_age=0, as_attachment=True,
                     download_name=f"exhibit-photo-{photo_id}.jpg")


@bp.get("/audit.csv")
@requires("users")
def audit_csv():
    """The audit trail of staff actions (admins only: it holds addresses and failed sign-ins)."""
    name = f"exhibit-staff-audit-{dt.date.today().isoformat()}.csv"
    return Response(staff_audit_csv(get_engine()), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}"'})


# -- downloads --------------------------------------------------------------------------------------

# Every download of the staff area (and of the review screens) and its action in the audit trail.
# Photos shown in the photo records page are not counted: each thumbnail would be a line.
DOWNLOADS = {
    "staff.export_visits": "export_visits",
    "staff.report_pdf": "download_report",
    "staff.record_zip": "download_record",
    "staff.audit_csv": "download_staff_audit",
    "review.audit": "download_review_audit",
    "review.print_preview": "download_print_proof",
}


def audit_downloads(response):
    """After a download: a line in the audit trail, and the file sent as an attachment under
    the name the view chose (never shown inline, never named by the request)."""
    action = DOWNLOADS.get(request.endpoint or "")
    if action is None or response.status_code != 200:
        return response
    kind, options = parse_options_header(response.headers.get("Content-Disposition", ""))
    filename = options.get("filename") or ""
    if kind != "attachment" or not filename:
        filename = re.sub(r"[^A-Za-z0-9._-]", "_", filename) or f"exhibit-{action}"
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    detail = request.query_string.decode("utf-8", "replace")[:500] or None
    store.record_audit(get_engine(), audit_entry(action, target=filename, detail=detail))
    return response


# -- refused requests -------------------------------------------------------------------------------

@bp.app_errorhandler(RequestEntityTooLarge)
def too_large(error):
    """A body over the limits of exhibit.limits: a page that says what the limits are."""
    if not request.path.startswith("/staff/"):
        return handle_http_error(error)
    view = current_app.view_functions.get(request.endpoint)
    if hasattr(view, "required_capability") and current_user() is None:
        # Signed out (an idle session ended) while sending a photo: signing in is what helps.
        return redirect(url_for("staff.login", next=request.full_path.rstrip("?")))
    config = current_app.config
    return staff_error(error, gettext("Too large"), gettext(
        "The upload is too large: a photo may have at most %(photo)s MB, any other form or file "
        "at most %(form)s MB. Nothing was saved.",
        photo=f"{config['MAX_UPLOAD_BYTES'] / 1e6:g}", form=f"{config['MAX_FORM_BYTES'] / 1e6:g}"))


# Throttled sign-ins already recorded, by limit key, with the end of their window: one line of the
# audit trail per throttled address or account, window and worker process, however many attempts
# it refuses (an attacker must not be able to fill the trail). Pruned as windows end; the lock
# because a worker's threads share it.
_throttles_lock = threading.Lock()


def _audit_throttled_sign_in(key: str, reset_at: float | None) -> None:
    now = time.time()
    with _throttles_lock:
        recorded: dict[str, float] = current_app.extensions.setdefault(
            "exhibit.throttles_audited", {})
        if recorded.get(key, 0) > now:
            return
        for old in [k for k, until in recorded.items() if until <= now]:
            recorded.pop(old, None)
        recorded[key] = reset_at or now + 60
    scope = "account" if "account:" in key else "address"
    try:
        store.record_audit(get_engine(), audit_entry(
            "sign_in_throttled", detail=f"too many failed sign-ins for this {scope}",
            actor=(request.form.get("name") or "").strip()[:80] or "-"))
    except SQLAlchemyError:  # the 429 still goes out: refusing matters more than the record
        current_app.logger.exception("could not record a throttled sign-in in the audit trail")


@bp.app_errorhandler(TooManyRequests)
def too_many(error):
    """Throttled (sign-in attempts): a page that says how long to wait; Flask-Limiter adds the
    Retry-After header."""
    if not request.path.startswith("/staff/"):
        return handle_http_error(error)
    from ..limits import limiter

    breached = limiter.current_limit
    reset_at = getattr(breached, "reset_at", None)
    if request.endpoint == "staff.login" and breached is not None:
        _audit_throttled_sign_in(breached.key, reset_at)
    minutes = max(1, math.ceil((reset_at - time.time()) / 60)) if reset_at else 15
    return staff_error(error, gettext("Too many attempts"), gettext(
        "Too many attempts from here or for this account. Try again in %(num)d min.",
        num=minutes))
