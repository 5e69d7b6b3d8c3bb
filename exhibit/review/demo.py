"""Review decisions made by a script, through the same :func:`~.decisions.decide` as the staff
screens: the demo's realistic state (``exhibit review demo``), and "approve everything" for a
test exhibition that must be public.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import select

from ..auth.accounts import User, create_account, password_matches
from ..contentstore import get_store
from ..publication.state import APPROVE, SEND_BACK, review_state
from ..visits.db import get_engine
from ..visits.schema import users
from .decisions import ReviewError, decide

# The demo's story: most panels approved by both organisations; the PFOS posters approved by FECO
# and waiting for the World Bank; the gold-catalyst case sent back by UNIDO.
DEMO_WAITING = ("pfos-posters", "feco")  # (panel, the one organisation that approved so far)
DEMO_SENT_BACK = ("case-gold-catalyst", "unido",
                  "The description of PRICAT MFC comes from the vendor alone. Please add an "
                  "independent source for the plant results, or shorten the section \"From the "
                  "laboratory to the plant\" to what the sources establish, before UNIDO can "
                  "approve it.")
DEMO_ADMIN = "admin"
# The demo accounts' password, published in the README and typed by scripts/demo: anyone may know
# it, so a production server refuses to start while an account still has it
# (:func:`accounts_with_demo_password`).
DEMO_PASSWORD = "exhibit-demo-review"


def reviewer_name(organisation: str) -> str:
    return f"{organisation}-reviewer"


def review_organisations(app: Flask) -> list[str]:
    """Every organisation that reviews some panel, in the exhibition's order."""
    exhibition = get_store(app).current()
    needed = {org for s in exhibition.sections for org in s.review_organisations}
    needed |= set(exhibition.review_organisations)
    return [o.id for o in exhibition.organisations if o.id in needed]


@dataclass
class Accounts:
    reviewers: dict[str, User] = field(default_factory=dict)  # by organisation
    created: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)  # there already: left as they are


def ensure_accounts(app: Flask, password: str | None, *, admin: bool = False) -> Accounts:
    """A reviewer account ``<org>-reviewer`` for each reviewing organisation (and ``admin``),
    made when missing; existing accounts are kept as they are. ``password`` None: a random one
    (accounts nobody signs in to)."""
    engine = get_engine(app)
    result = Accounts()
    wanted = [(reviewer_name(org), "reviewer", org) for org in review_organisations(app)]
    if admin:
        wanted.append((DEMO_ADMIN, "admin", None))
    for name, role, org in wanted:
        with engine.connect() as conn:
            row = conn.execute(select(users).where(users.c.name == name)).first()
        if row is None:
            user = create_account(engine, name, password or secrets.token_urlsafe(24), role, org)
            result.created.append(name)
        else:
            user = User(row.id, row.name, row.role, row.organisation)
            result.kept.append(name)
        if user.role == "reviewer" and user.organisation:
            result.reviewers[user.organisation] = user
    return result


def approve(app: Flask, reviewers: dict[str, User], slugs: Iterable[str] | None = None,
            organisations: Iterable[str] | None = None) -> int:
    """Approve the files' version of these panels (default: all) for these organisations
    (default: every required one) where not decided yet; returns how many decisions it made.
    Panels with pending data are skipped: they cannot be approved (see exhibit/content/pending.py)."""
    exhibition = get_store(app).current()
    state = review_state(exhibition, get_engine(app))
    wanted = set(slugs) if slugs is not None else None
    only = set(organisations) if organisations is not None else None
    made = 0
    for panel in exhibition.panels:
        if wanted is not None and panel.slug not in wanted:
            continue
        if panel.pending:
            continue
        current = state.current(panel)
        for org in current.waiting_for:
            if only is not None and org not in only:
                continue
            if org not in reviewers:
                raise ReviewError(f"no reviewer account of {org} to approve {panel.slug}")
            decide(app, reviewers[org], panel.slug, panel.version, APPROVE)
            made += 1
    return made


def approve_all(app: Flask) -> int:
    """Publish every panel as it is in the files: each required organisation approves it (with
    reviewer accounts made for the purpose). For tests and small set-ups that must be public."""
    if not get_store(app).current().review_enabled:
        return 0
    return approve(app, ensure_accounts(app, None).reviewers)


def seed_demo(app: Flask, password: str) -> tuple[Accounts, int]:
    """The demo's review state, made idempotently: accounts, then the decisions not made yet."""
    accounts = ensure_accounts(app, password, admin=True)
    exhibition = get_store(app).current()
    reviewers = accounts.reviewers
    special = {DEMO_WAITING[0], DEMO_SENT_BACK[0]}
    made = approve(app, reviewers, [p.slug for p in exhibition.panels if p.slug not in special])
    made += approve(app, reviewers, [DEMO_WAITING[0]], [DEMO_WAITING[1]])
    slug, org, comment = DEMO_SENT_BACK
    panel = exhibition.panel(slug)
    if panel is not None:
        state = review_state(exhibition, get_engine(app)).current(panel)
        others = [o for o in state.required if o != org]
        made += approve(app, reviewers, [slug], others)
        if org in review_state(exhibition, get_engine(app)).current(panel).waiting_for:
            decide(app, reviewers[org], slug, panel.version, SEND_BACK, comment)
            made += 1
    return accounts, made


def accounts_with_demo_password(app: Flask) -> list[str]:
    """The open accounts whose password is the published :data:`DEMO_PASSWORD` (slow on purpose:
    one password check per open account, a fraction of a second each)."""
    with get_engine(app).connect() as conn:
        rows = conn.execute(select(users.c.name, users.c.password_hash)
                            .where(users.c.active.is_(True)).order_by(users.c.name)).all()
    return [row.name for row in rows if password_matches(row.password_hash, DEMO_PASSWORD)]
