"""Staff accounts: roles, what each role may do, password rules and hashing."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from sqlalchemy import Engine, select
from werkzeug.security import check_password_hash, generate_password_hash

from ..visits import store
from ..visits.schema import users

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

    def can(self, capability: str) -> bool:
        return capability in CAPABILITIES.get(self.role, set())


class AccountError(ValueError):
    """A clear reason why an account cannot be created or a password cannot be used."""


def _common_passwords() -> frozenset[str]:
    text = resources.files("exhibit.staff").joinpath("common-passwords.txt").read_text()
    return frozenset(line.strip().lower() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def check_password_rules(password: str, name: str) -> None:
    """At least 12 characters, not a common password, not the account name."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    lowered = password.lower()
    if lowered in _common_passwords() or lowered == name.lower() or len(set(password)) < 4:
        raise AccountError("this password is too common or too easy to guess; choose another")


def create_account(engine: Engine, name: str, password: str, role: str,
                   organisation: str | None) -> User:
    """Create a staff account after checking the rules; reviewers need their organisation."""
    name = name.strip()
    if not name or len(name) > 80 or any(c.isspace() for c in name):
        raise AccountError("the name must be 1 to 80 characters without spaces")
    if role not in ROLES:
        raise AccountError(f"unknown role '{role}'; use one of: {', '.join(ROLES)}")
    if role == "reviewer" and not organisation:
        raise AccountError("a reviewer belongs to an organisation: add --org ORG")
    check_password_rules(password, name)
    with engine.connect() as conn:
        if conn.execute(select(users.c.id).where(users.c.name == name)).first():
            raise AccountError(f"an account named '{name}' already exists")
    user_id = store.create_user(engine, name=name, role=role, organisation=organisation,
                                password_hash=generate_password_hash(password, PASSWORD_METHOD))
    return User(user_id, name, role, organisation)


# A hash to check against when the account does not exist, so that a wrong name takes as long as
# a wrong password (no user enumeration by timing).
_DUMMY_HASH = generate_password_hash("not a real password at all", PASSWORD_METHOD)


def authenticate(engine: Engine, name: str, password: str) -> User | None:
    """The user, if the name and password match an active account."""
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.name == name.strip())).first()
    if row is None or not row.active:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(row.password_hash, password):
        return None
    return User(row.id, row.name, row.role, row.organisation)


def load_user(engine: Engine, user_id: int) -> User | None:
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.id == user_id)).first()
    if row is None or not row.active:
        return None
    return User(row.id, row.name, row.role, row.organisation)
