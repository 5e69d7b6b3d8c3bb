"""Staff accounts: roles, what each role may do, password rules and hashing.

Every change to an account is written with its line of the audit trail (``store.AuditEntry``).
"""

from __future__ import annotations

import functools
import gzip
from dataclasses import dataclass, field
from importlib import resources

from sqlalchemy import Engine, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..visits import store
from ..visits.schema import users
from ..visits.store import command_line_actor

ROLES = ("viewer", "editor", "reviewer", "admin")
# What each role may do. Views ask for a capability, never for a role name.
CAPABILITIES = {
    "viewer": {"dashboard"},
    "editor": {"dashboard", "export", "channels", "photos", "print"},
    "reviewer": {"dashboard", "review"},
    "admin": {"dashboard", "export", "channels", "photos", "print", "review", "users"},
}
MIN_PASSWORD_LENGTH = 12
# scrypt (werkzeug's default, written out so a library change cannot weaken it): slow on purpose.
PASSWORD_METHOD = "scrypt:32768:8:1"


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    organisation: str | None
    # Sessions carry the epoch they were opened in; it moves on at sign-out and password change.
    session_epoch: int = field(default=0, compare=False)

    def can(self, capability: str) -> bool:
        return capability in CAPABILITIES.get(self.role, set())


class AccountError(ValueError):
    """A clear reason why an account cannot be created or a password cannot be used."""


# Django's list of 19,640 common passwords (BSD licence; origin in common-passwords.NOTICE) and
# this exhibition's own words (local-passwords.txt), all lowercase.
PASSWORD_LISTS = ("common-passwords.txt.gz", "local-passwords.txt")


@functools.cache
def common_passwords() -> frozenset[str]:
    """Every refused password, lowercase; read once per process (about 20,000 entries)."""
    folder = resources.files("exhibit.auth")
    words: set[str] = set()
    for name in PASSWORD_LISTS:
        data = folder.joinpath(name).read_bytes()
        text = (gzip.decompress(data) if name.endswith(".gz") else data).decode("utf-8")
        words.update(line.strip().lower() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))
    return frozenset(words)


def check_password_rules(password: str, name: str) -> None:
    """At least 12 characters, not a common password (case-insensitive), not the account name."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    lowered = password.lower()
    if lowered in common_passwords() or lowered == name.lower() or len(set(password)) < 4:
        raise AccountError("this password is too common or too easy to guess; choose another")


def _check_role(role: str, organisation: str | None) -> None:
    if role not in ROLES:
        raise AccountError(f"unknown role '{role}'; use one of: {', '.join(ROLES)}")
    if role == "reviewer" and not organisation:
        raise AccountError("a reviewer belongs to an organisation: add --org ORG")


def create_account(engine: Engine, name: str, password: str, role: str,
                   organisation: str | None, *, actor: str | None = None) -> User:
    """Create a staff account after checking the rules; reviewers need their organisation.
    ``actor`` is who creates it, for the audit trail (default: the command line)."""
    name = name.strip()
    if not name or len(name) > 80 or any(c.isspace() for c in name):
        raise AccountError("the name must be 1 to 80 characters without spaces")
    _check_role(role, organisation)
    check_password_rules(password, name)
    with engine.connect() as conn:
        if conn.execute(select(users.c.id).where(users.c.name == name)).first():
            raise AccountError(f"an account named '{name}' already exists")
    audit = store.AuditEntry(actor or command_line_actor(), "user_created", target=name,
                             detail=_role_text(role, organisation))
    user_id = store.create_user(engine, name=name, role=role, organisation=organisation,
                                password_hash=generate_password_hash(password, PASSWORD_METHOD),
                                audit=audit)
    return User(user_id, name, role, organisation)


def _role_text(role: str, organisation: str | None) -> str:
    return f"role {role}" + (f", organisation {organisation}" if organisation else "")


def set_password(engine: Engine, name: str, password: str, *, actor: str | None = None) -> None:
    """Give the account a new password after checking the rules; its sessions all end."""
    check_password_rules(password, name)
    if not store.set_password(engine, name, generate_password_hash(password, PASSWORD_METHOD),
                              audit=store.AuditEntry(actor or command_line_actor(),
                                                     "password_set", target=name)):
        raise AccountError(f"there is no account named '{name}'")


def set_role(engine: Engine, name: str, role: str, organisation: str | None, *,
             actor: str | None = None) -> None:
    """Change an account's role (and organisation); it applies from the account's next request."""
    _check_role(role, organisation)
    if not store.set_role(engine, name, role, organisation or None,
                          audit=store.AuditEntry(actor or command_line_actor(), "role_changed",
                                                 target=name,
                                                 detail=_role_text(role, organisation))):
        raise AccountError(f"there is no account named '{name}'")


def set_active(engine: Engine, name: str, active: bool, *, actor: str | None = None) -> None:
    """Close an account (it can no longer sign in; its sessions end) or open it again. The row
    stays, so the audit trail and the review decisions keep naming who acted."""
    action = "user_activated" if active else "user_deactivated"
    if not store.set_active(engine, name, active,
                            audit=store.AuditEntry(actor or command_line_actor(), action,
                                                   target=name)):
        raise AccountError(f"there is no account named '{name}'")


# A hash to check against when the account does not exist, so that a wrong name takes as long as
# a wrong password (no user enumeration by timing).
_DUMMY_HASH = generate_password_hash("not a real password at all", PASSWORD_METHOD)


def check_credentials(engine: Engine, name: str, password: str) -> tuple[User | None, str]:
    """The user if the name and password match an active account, and the reason when not
    (for the audit trail only: the person signing in gets one message for every failure).

    An unknown or inactive name is checked against a dummy hash of the same cost, so that every
    failure takes as long as a wrong password."""
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.name == name.strip())).first()
    if row is None or not row.active:
        check_password_hash(_DUMMY_HASH, password)
        return None, "no such account" if row is None else "account inactive"
    if not check_password_hash(row.password_hash, password):
        return None, "wrong password"
    return _user(row), ""


def password_matches(password_hash: str, password: str) -> bool:
    """Whether ``password`` is the one ``password_hash`` was made from."""
    return check_password_hash(password_hash, password)


def authenticate(engine: Engine, name: str, password: str) -> User | None:
    """The user, if the name and password match an active account."""
    return check_credentials(engine, name, password)[0]


def _user(row) -> User:
    return User(row.id, row.name, row.role, row.organisation, row.session_epoch)


def load_user(engine: Engine, user_id: int) -> User | None:
    """The active account with this id, or None."""
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.id == user_id)).first()
    if row is None or not row.active:
        return None
    return _user(row)
