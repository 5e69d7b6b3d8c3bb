"""The texts of the summary report that staff write (project background, experience summary), in
each language of the report. Registered on the staff blueprint; editors and admins (the *export*
capability: those who make the report) write them, every save is a line of the audit trail."""

from __future__ import annotations

import hashlib

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext

from ..auth.sessions import audit_entry, current_user, requires
from ..i18n import LANGUAGE_NAMES
from ..visits import store
from ..visits.db import get_engine
from ..visits.report import REPORT_LANGUAGES, TEXT_SECTIONS, load_report_texts, report_text_html
from .blueprint import bp

# Characters per text: a few pages of the report; more is a document of its own.
MAX_TEXT_CHARS = 20_000


@bp.route("/report-texts", methods=["GET", "POST"])
@requires("export")
def report_texts():
    """Write the report's own texts (Markdown) per section and language; shows them as the report
    will (rendered and escaped)."""
    saved = load_report_texts(get_engine())
    current = {key: row.body for key, row in saved.items()}
    errors: list[str] = []
    values = dict(current)
    if request.method == "POST":
        changes = {}
        for section in TEXT_SECTIONS:
            for lang in REPORT_LANGUAGES:
                # Line ends as the browser sends them (CRLF) are kept as LF: the same text twice
                # is no change.
                text = request.form.get(f"{section}-{lang}", "").replace("\r\n", "\n").strip()
                values[(section, lang)] = text
                if len(text) > MAX_TEXT_CHARS:
                    errors.append(gettext("%(section)s (%(lang)s): at most %(n)s characters.",
                                          section=gettext(TEXT_SECTIONS[section]),
                                          lang=LANGUAGE_NAMES[lang], n=MAX_TEXT_CHARS))
                elif text != current.get((section, lang), ""):
                    changes[(section, lang)] = text
        if not errors and changes:
            detail = "; ".join(
                f"{section} {lang}: {len(text)} characters, sha256 "
                f"{hashlib.sha256(text.encode()).hexdigest()}" if text else
                f"{section} {lang}: removed" for (section, lang), text in changes.items())
            store.save_report_texts(get_engine(), changes, current_user().name, audit=audit_entry(
                "report_text_saved", target=", ".join(f"{s}-{lang}" for s, lang in changes),
                detail=detail))
            flash(gettext("%(num)d text(s) saved.", num=len(changes)))
            return redirect(url_for("staff.report_texts"), code=303)
        if not errors:
            flash(gettext("Nothing changed."))
            return redirect(url_for("staff.report_texts"), code=303)
    previews = {key: report_text_html(body, key[1]) for key, body in current.items() if body}
    return render_template("staff/report_texts.html", lang=g.lang, sections=TEXT_SECTIONS,
                           languages=REPORT_LANGUAGES, language_names=LANGUAGE_NAMES,
                           values=values, saved=saved, previews=previews, errors=errors,
                           max_chars=MAX_TEXT_CHARS), (400 if errors else 200)
