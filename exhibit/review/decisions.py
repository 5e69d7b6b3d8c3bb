"""Recording a decision: who may approve or send back what, checked before anything is written.

A reviewer decides for their own organisation only (never one chosen in a form), on the version
that is in the files now (the one they looked at: a version hash that no longer matches is
refused), once per version; sending back needs a comment. Approving snapshots the version (its
JSON in the record, its media copied by hash) in the same transaction as the decision.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from flask_babel import gettext

from ..auth.accounts import User
from ..contentstore import get_store
from ..publication import snapshot
from ..publication.public import publication
from ..publication.state import APPROVE, SEND_BACK, Decision, load_decisions, review_state
from ..visits.db import get_engine
from . import store

MAX_COMMENT = 4000  # characters: a page of remarks; longer belongs in a document


class ReviewError(Exception):
    """Why a decision cannot be recorded, in words for the reviewer."""


def decide(app: Flask, user: User, slug: str, version: str, action: str,
           comment: str = "") -> Decision:
    """Record ``user``'s decision (``approve`` or ``send_back``) on version ``version`` of the
    panel ``slug``; raises :class:`ReviewError` saying why when it may not be recorded."""
    files = get_store(app).current()
    comment = (comment or "").strip()
    if action not in (APPROVE, SEND_BACK):
        raise ReviewError(gettext("Unknown decision."))
    if not files.review_enabled:
        raise ReviewError(gettext("Review is turned off for this exhibition."))
    if not user.can("review") or not user.organisation:
        raise ReviewError(gettext("Only a reviewer of an organisation can approve or send back."))
    panel = files.panel(slug)
    if panel is None:
        raise ReviewError(gettext("There is no panel %(slug)s.", slug=slug))
    if panel.version != version:
        raise ReviewError(gettext(
            "The panel has changed since you opened it (version %(old)s is now %(new)s): look at "
            "the new version before deciding.", old=version, new=panel.version))
    engine = get_engine(app)
    state = review_state(files, engine).current(panel)
    org = user.organisation
    if org not in state.required:
        raise ReviewError(gettext(
            "%(org)s does not review this panel; it needs: %(required)s.",
            org=org, required=", ".join(state.required)))
    earlier = state.decision_of(org)
    if earlier is not None:
        raise ReviewError(gettext(
            "%(org)s has already decided on this version (%(reviewer)s, %(when)s).",
            org=org, reviewer=earlier.reviewer, when=f"{earlier.decided_at:%Y-%m-%d %H:%M} UTC"))
    if state.sent_back:
        raise ReviewError(gettext(
            "This version was sent back by %(org)s; it needs an edit, which makes a new version.",
            org=state.sent_back[0].organisation))
    if action == APPROVE and panel.pending:
        raise ReviewError(gettext(
            "This version cannot be approved: it has %(num)d pending item(s) (data still to be "
            "supplied, e.g. %(first)s at %(where)s). Fill them in; the edit makes a new version.",
            num=len(panel.pending), first=panel.pending[0].what, where=panel.pending[0].where))
    if action == SEND_BACK and not comment:
        raise ReviewError(gettext("Say what has to change: sending back needs a comment."))
    if len(comment) > MAX_COMMENT:
        raise ReviewError(gettext("The comment is too long (at most %(num)d characters).",
                                  num=MAX_COMMENT))
    frozen = None
    if action == APPROVE:
        try:
            snapshot.keep_media(panel, Path(app.config["PUBLISHED_MEDIA_DIR"]))
        except snapshot.SnapshotError as exc:
            raise ReviewError(str(exc)) from exc
        data = snapshot.encode(panel)
        frozen = (panel.section, data, snapshot.digest(data))
    try:
        decision_id = store.record_decision(
            engine, panel=slug, version=version, organisation=org, reviewer=user.name,
            action=action, comment=comment, snapshot=frozen)
    except store.AlreadyDecided:
        raise ReviewError(gettext("%(org)s has already decided on this version.", org=org)) from None
    finally:
        publication(app).invalidate()
    return next(d for d in load_decisions(engine, slug) if d.id == decision_id)
