"""The staff review screens (``/staff/review/``): the queue of versions waiting for the reviewer's
organisation, one panel as it will appear (web, kiosk, print; every language) with the changes
since its published version, the approve / send back form, and the audit trail as CSV."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import force_locale, gettext

from ..auth.args import no_store, set_staff_language
from ..auth.sessions import current_user, requires
from ..content import Exhibition, Localized
from ..contentstore import get_store
from ..publication.public import panel_version
from ..publication.state import APPROVE, load_decisions, review_state
from ..surfaces import render_panel
from ..visits.db import get_engine
from .audit import audit_csv, panel_statuses
from .decisions import ReviewError, decide
from .diff import diff_panels

bp = Blueprint("review", __name__, url_prefix="/staff/review", template_folder="templates")
PREVIEW_SURFACES = ("web", "kiosk")
_ACRONYM = re.compile(r"\(([^()]{2,12})\)\s*$")  # "... Organization (UNIDO)"


# The staff area's language (a preview sets its own) and no caching, as on every staff page.
bp.before_request(set_staff_language)
bp.after_request(no_store)


@bp.context_processor
def _review_context():
    files = _files()

    def local(text: Localized | None) -> str:
        """A content text in the staff language when the exhibition has it, else its first."""
        if text is None:
            return ""
        return text[g.lang] if g.lang in text else text[files.default_language]

    def org_short(org_id: str) -> str:
        """An organisation as staff say it: its acronym when its name ends with one (FECO)."""
        org = files.organisation(org_id)
        if org is None:
            return org_id
        found = _ACRONYM.search(local(org.name)) or _ACRONYM.search(org.name.get("en", ""))
        return found.group(1) if found else local(org.name)

    def orgs(org_ids, separator: str = ", ") -> str:
        return separator.join(org_short(org) for org in org_ids)

    return {"staff_user": current_user, "local": local, "org_short": org_short, "orgs": orgs}


def _files() -> Exhibition:
    """The exhibition as the files have it: what reviewers review."""
    return get_store().current()


def _panel_or_404(slug: str):
    panel = _files().panel(slug)
    if panel is None:
        abort(404)
    return panel


@bp.get("/")
@requires("review")
def queue():
    files = _files()
    user = current_user()
    state = review_state(files, get_engine())
    waiting = state.waiting_for(user.organisation) if user.organisation else []
    statuses = panel_statuses(state)
    return render_template("review/queue.html", lang=g.lang, files=files, user=user,
                           waiting=waiting, statuses=statuses,
                           public={s.panel.slug: s.public for s in statuses},
                           recent=list(reversed(state.decisions))[:20])


@bp.get("/audit.csv")
@requires("review")
def audit():
    """The audit trail: every decision, oldest first."""
    data = audit_csv(review_state(_files(), get_engine()))
    name = f"exhibit-review-audit-{dt.date.today().isoformat()}.csv"
    return Response(data, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def _panel_page(slug: str, error: str | None = None, comment: str = ""):
    files = _files()
    panel = _panel_or_404(slug)
    user = current_user()
    state = review_state(files, get_engine())
    current = state.current(panel)
    public = state.published(panel)
    public_panel = panel_version(current_app._get_current_object(), slug, public.version) \
        if public else None
    show = request.args.get("show")
    if show not in files.languages:
        show = g.lang if g.lang in files.languages else files.default_language
    return render_template(
        "review/panel.html", lang=g.lang, files=files, panel=panel, user=user, current=current,
        public=public, public_panel=public_panel, show=show,
        diffs=diff_panels(public_panel, panel, files.languages),
        may_decide=bool(user.organisation) and user.organisation in current.waiting_for,
        history=list(reversed(load_decisions(get_engine(), slug))), error=error,
        comment=comment), (409 if error else 200)


@bp.get("/<slug>/")
@requires("review")
def panel(slug: str):
    return _panel_page(slug)


@bp.post("/<slug>/decide")
@requires("review")
def decide_view(slug: str):
    """Approve or send back the version the reviewer looked at (the form carries its hash); the
    organisation is the reviewer's own, never taken from the form."""
    _panel_or_404(slug)
    action = request.form.get("action", "")
    comment = request.form.get("comment", "")
    try:
        decision = decide(current_app._get_current_object(), current_user(), slug,
                          request.form.get("version", ""), action, comment)
    except ReviewError as exc:
        return _panel_page(slug, error=str(exc), comment=comment)
    if decision.action == APPROVE:
        flash(gettext("Approved for %(org)s: %(slug)s, version %(version)s.",
                      org=decision.organisation, slug=slug, version=decision.version))
    else:
        flash(gettext("Sent back for %(org)s: %(slug)s, version %(version)s.",
                      org=decision.organisation, slug=slug, version=decision.version))
    return redirect(url_for("review.queue"), code=303)


@bp.get("/<slug>/preview/<surface>/<lang>")
@requires("review")
def preview(slug: str, surface: str, lang: str):
    """The draft on one surface, in one language, marked DRAFT (shown in a frame of the panel
    page). Rendered by the surface's own template, like the public pages."""
    files = _files()
    panel = _panel_or_404(slug)
    if surface not in PREVIEW_SURFACES or lang not in files.languages:
        abort(404)
    g.lang = lang
    with force_locale(lang):
        fragment = render_panel(panel, lang, surface)
        return render_template("review/preview.html", lang=lang, ex=files, panel=panel,
                               surface=surface, fragment=fragment)


@bp.get("/<slug>/print/<lang>.pdf")
@requires("review")
def print_preview(slug: str, lang: str):
    """The draft as the print shop would get it (RGB proof at PRINT_SIZE), marked DRAFT; made
    once per version and language, then kept."""
    from ..printing import PrintFailed, render_set

    files = _files()
    panel = _panel_or_404(slug)
    if lang not in files.languages:
        abort(404)
    previews = Path(current_app.instance_path) / "review-previews"
    versions = previews / slug / lang
    folder = versions / panel.version
    proof = _open_proof(folder)
    if proof is None:
        try:
            render_set(current_app._get_current_object(), [slug], [lang], cmyk=False,
                       draft=True, out_dir=folder)
        except PrintFailed as exc:
            return Response(exc.report.text(), status=422, mimetype="text/plain")
        proof = _open_proof(folder)
        if proof is None:  # removed meanwhile by a request for a newer version
            abort(409, description=gettext("The panel changed while its proof was made. Reload."))
        _remove_older_proofs(previews, versions, folder)
    # An open file: a proof removed after this point is still sent whole.
    return send_file(proof, mimetype="application/pdf", max_age=0,
                     download_name=f"DRAFT-{slug}-{lang}-{panel.version}.pdf")


def _open_proof(folder: Path):
    try:
        return next(iter(sorted(folder.glob("*.pdf")))).open("rb")
    except (StopIteration, FileNotFoundError):
        return None


def _remove_older_proofs(previews: Path, versions: Path, keep: Path) -> None:
    # Proofs of other versions are of no use once this one exists: one per panel and language
    # stays on disk, however many versions the review sees. Also the flat folders of the
    # layout before 2026-12 (PDFs directly under review-previews/<slug>-<version>-<lang>/).
    for old in versions.iterdir():
        if old != keep and old.is_dir():
            shutil.rmtree(old, ignore_errors=True)
    for old in previews.iterdir():
        if old.is_dir() and any(old.glob("*.pdf")):
            shutil.rmtree(old, ignore_errors=True)
