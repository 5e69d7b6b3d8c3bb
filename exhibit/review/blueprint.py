"""The staff review screens (``/staff/review/``): the queue of versions waiting for the reviewer's
organisation, one panel as it will appear (web, kiosk, print; every language) with the changes
since its published version, the approve / send back form, and the audit trail as CSV.

A draft is the content author's work, shown to someone who can publish it: it must never act as
that reviewer. Its previews are sandboxed (the frame and the response's own policy: an opaque
origin, no script, no form), and a decision is taken only by a click of the reviewer on the
review page itself: the form carries a confirmation bound to the reviewer's session and to the
exact version, spent by the decision, and the browser's fetch metadata must show a same-origin,
user-activated, top-level form submission (never a script's request, a frame's or an opaque
origin's).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
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
    session,
    url_for,
)
from flask_babel import force_locale, gettext

from ..auth.args import no_store, set_staff_language
from ..auth.sessions import audit_entry, current_user, requires
from ..content import Exhibition, Localized
from ..contentstore import get_store
from ..publication.public import panel_version
from ..publication.state import APPROVE, load_decisions, review_state
from ..surfaces import render_panel
from ..visits import store as visits_store
from ..visits.db import get_engine
from .audit import audit_csv, panel_statuses
from .decisions import ReviewError, decide
from .diff import diff_panels

bp = Blueprint("review", __name__, url_prefix="/staff/review", template_folder="templates")
PREVIEW_SURFACES = ("web", "kiosk")
_ACRONYM = re.compile(r"\(([^()]{2,12})\)\s*$")  # "... Organization (UNIDO)"
# The session's secret for decision confirmations; a new one after every decision (and at
# sign-in, which starts a fresh session), so each confirmation is good for one decision only.
CONFIRM_KEY = "review_confirm_key"
# What the browser says of a decision the reviewer sent by clicking a button of the review page
# (Fetch Metadata): this origin, a top-level navigation, started by a user's action. A script's
# fetch() is mode cors/no-cors, a framed form's destination is "iframe", a form.submit() without a
# click has no Sec-Fetch-User, and a sandboxed draft is another site with Origin "null".
BY_A_CLICK = {"Sec-Fetch-Site": "same-origin", "Sec-Fetch-Mode": "navigate",
              "Sec-Fetch-Dest": "document", "Sec-Fetch-User": "?1"}


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
    # The latest decisions as a person reads them: with the panel's title (the slug only for a
    # panel no longer in the files).
    recent = [(d, files.panel(d.panel)) for d in list(reversed(state.decisions))[:20]]
    return render_template("review/queue.html", lang=g.lang, files=files, user=user,
                           waiting=waiting, statuses=statuses,
                           public={s.panel.slug: s.public for s in statuses},
                           recent=recent)


@bp.get("/audit.csv")
@requires("review")
def audit():
    """The audit trail: every decision, oldest first."""
    data = audit_csv(review_state(_files(), get_engine()))
    name = f"exhibit-review-audit-{dt.date.today().isoformat()}.csv"
    return Response(data, mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


def confirmation(slug: str, version: str) -> str:
    """The confirmation a decision form on version ``version`` of ``slug`` carries: bound to this
    session (its key), the panel and the exact version; worthless after the next decision."""
    key = session.get(CONFIRM_KEY)
    if not isinstance(key, str):
        key = session[CONFIRM_KEY] = secrets.token_hex(32)
    return hmac.new(key.encode(), f"{slug}\0{version}".encode(), hashlib.sha256).hexdigest()


def _confirmed(slug: str, version: str, value: str) -> bool:
    if not isinstance(session.get(CONFIRM_KEY), str) or not value:
        return False
    return hmac.compare_digest(confirmation(slug, version), value)


def _not_by_a_click() -> str | None:
    """Why this request is not a decision the reviewer clicked on the review page, or None."""
    if request.headers.get("Origin") == "null":
        return gettext("The decision was sent from a sandboxed page (a draft preview or a media "
                       "file), not from the review page. Nothing was recorded.")
    if any(request.headers.get(name) != value for name, value in BY_A_CLICK.items()):
        return gettext("A decision is taken by clicking Approve or Send back on the review page "
                       "itself, in a current browser. Nothing was recorded.")
    return None


def _panel_page(slug: str, error: str | None = None, comment: str = "", status: int = 409):
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
        comment=comment, confirm=confirmation(slug, current.version)), (status if error else 200)


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
    version = request.form.get("version", "")
    refused = _not_by_a_click()
    if refused is None and not _confirmed(slug, version, request.form.get("confirm", "")):
        refused = gettext("This decision form is no longer valid (a decision was taken since, or "
                          "you signed in again): look at the version below and decide again. "
                          "Nothing was recorded.")
    if refused is not None:
        # Someone (or something) tried to decide in the reviewer's name: the trail shows it.
        visits_store.record_audit(get_engine(), audit_entry(
            "decision_refused", target=slug, detail=refused[:200]))
        return _panel_page(slug, error=refused, comment=comment, status=403)
    session.pop(CONFIRM_KEY, None)  # spent, whatever the outcome: one decision per form
    try:
        decision = decide(current_app._get_current_object(), current_user(), slug, version,
                          action, comment)
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
    """The draft on one surface, in one language, marked DRAFT (shown in a sandboxed frame of the
    panel page; its response is sandboxed too, see exhibit/security.py). Rendered by the
    surface's own template, like the public pages."""
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
