"""Staff accounts: roles, what each role may do, password rules and hashing.

Every change to an account is written with its line of the audit trail (``store.AuditEntry``).
"""

from __future__ import annotations

import functools
import gzip
import unicodedata
from dataclasses import dataclass, field
from importlib import resources

from sqlalchemy import Engine, select
from sqlalchemy.exc import IntegrityError
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


MAX_NAME_LENGTH = 80
# Names that would pass for something other than a person in the audit trail and the review
# record: "-" is the anonymous actor, "command line (...)" the CLI, the others read as the
# machine or nobody. "admin" is not here: the demo's admin account is called that.
RESERVED_NAMES = frozenset({"-", "anonymous", "anon", "nobody", "system", "root", "everyone",
                            "guest", "unknown", "none", "null", "command line"})
# Categories of characters no name may hold: controls (an escape sequence rewrites a terminal),
# format characters (zero-width spaces and joiners, bidi overrides), line and paragraph
# separators, private-use, surrogates and unassigned code points.
_REFUSED_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Co", "Cs", "Cn"}
# Letters that draw nothing (Hangul fillers, the blank Braille pattern): a name made to look
# like another.
_INVISIBLE = set("\u115f\u1160\u3164\uffa0\u2800")


def normalise_name(name: str) -> str:
    """An account name in the form it is stored and shown: NFKC (a full-width ``Ａ`` is ``A``),
    without leading or trailing spaces."""
    return unicodedata.normalize("NFKC", name).strip()


def name_key(name: str) -> str:
    """The name as compared for uniqueness and at sign-in: normalised and case-folded, so that
    ``Ada``, ``ADA`` and ``ａｄａ`` are one account."""
    return unicodedata.normalize("NFKC", normalise_name(name).casefold())


def check_name(name: str) -> str:
    """The normalised name, or :class:`AccountError` saying why it cannot name an account.

    A name is 1 to 80 characters, starts with a letter or a digit, and holds no control or
    invisible character and no whitespace but single spaces between words."""
    name = normalise_name(name)
    if not name or len(name) > MAX_NAME_LENGTH:
        raise AccountError(f"the name must be 1 to {MAX_NAME_LENGTH} characters")
    for ch in name:
        if unicodedata.category(ch) in _REFUSED_CATEGORIES or ch in _INVISIBLE:
            raise AccountError(f"the name may not contain the invisible or control character "
                               f"U+{ord(ch):04X}")
        if ch.isspace() and ch != " ":
            raise AccountError(f"the name may not contain the space character U+{ord(ch):04X}; "
                               f"use a plain space")
    if "  " in name:
        raise AccountError("the name may not contain two spaces in a row")
    if not unicodedata.category(name[0]).startswith(("L", "N")):
        raise AccountError("the name must start with a letter or a digit")
    key = name_key(name)
    if key in RESERVED_NAMES or key.startswith("command line"):
        raise AccountError(f"'{name}' is reserved (it names no person in the audit trail); "
                           f"choose another name")
    return name


def _check_role(role: str, organisation: str | None) -> None:
    if role not in ROLES:
        raise AccountError(f"unknown role '{role}'; use one of: {', '.join(ROLES)}")
    if role == "reviewer" and not organisation:
        raise AccountError("a reviewer belongs to an organisation: add --org ORG")
    # An admin may review: with an organisation they could decide for it, a second voice of
    # one organisation that nobody appointed as its reviewer.
    if role == "admin" and organisation:
        raise AccountError("an admin belongs to no organisation: leave out --org "
                           "(make a reviewer account to decide for an organisation)")


def stored_name(engine: Engine, name: str) -> str | None:
    """The name of the account that ``name`` designates (the exact name, or the same name in
    another case or Unicode form), or None when there is none."""
    with engine.connect() as conn:
        exact = conn.execute(select(users.c.name).where(users.c.name == name)).scalar()
        if exact is not None:
            return exact
        return conn.execute(select(users.c.name)
                            .where(users.c.name_key == name_key(name))).scalar()


def create_account(engine: Engine, name: str, password: str, role: str,
                   organisation: str | None, *, actor: str | None = None) -> User:
    """Create a staff account after checking the rules; reviewers need their organisation,
    admins have none. The name is stored normalised (:func:`check_name`) and must differ from
    every other account's by more than case or Unicode form.
    ``actor`` is who creates it, for the audit trail (default: the command line)."""
    name = check_name(name)
    _check_role(role, organisation)
    check_password_rules(password, name)
    key = name_key(name)
    taken = AccountError(f"an account named '{name}' already exists")
    if stored_name(engine, name) is not None:
        raise taken
    audit = store.AuditEntry(actor or command_line_actor(), "user_created", target=name,
                             detail=_role_text(role, organisation))
    try:
        user_id = store.create_user(
            engine, name=name, name_key=key, role=role, organisation=organisation,
            password_hash=generate_password_hash(password, PASSWORD_METHOD), audit=audit)
    except IntegrityError:  # made by someone else since the check above
        raise taken from None
    return User(user_id, name, role, organisation)


def _role_text(role: str, organisation: str | None) -> str:
    return f"role {role}" + (f", organisation {organisation}" if organisation else "")


def set_password(engine: Engine, name: str, password: str, *, actor: str | None = None) -> None:
    """Give the account a new password after checking the rules; its sessions all end."""
    name = stored_name(engine, name) or name
    check_password_rules(password, name)
    if not store.set_password(engine, name, generate_password_hash(password, PASSWORD_METHOD),
                              audit=store.AuditEntry(actor or command_line_actor(),
                                                     "password_set", target=name)):
        raise AccountError(f"there is no account named '{name}'")


def set_role(engine: Engine, name: str, role: str, organisation: str | None, *,
             actor: str | None = None) -> None:
    """Change an account's role (and organisation); it applies from the account's next request.
    Becoming an admin drops the organisation (none may be given)."""
    _check_role(role, organisation)
    name = stored_name(engine, name) or name
    if not store.set_role(engine, name, role, organisation or None,
                          audit=store.AuditEntry(actor or command_line_actor(), "role_changed",
                                                 target=name,
                                                 detail=_role_text(role, organisation))):
        raise AccountError(f"there is no account named '{name}'")


def set_active(engine: Engine, name: str, active: bool, *, actor: str | None = None) -> None:
    """Close an account (it can no longer sign in; its sessions end) or open it again. The row
    stays, so the audit trail and the review decisions keep naming who acted."""
    action = "user_activated" if active else "user_deactivated"
    name = stored_name(engine, name) or name
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
    typed = normalise_name(name)
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.name == typed)).first()
        if row is None:  # the same name in another case or form
            row = conn.execute(select(users).where(users.c.name_key == name_key(typed))).first()
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
    # An admin made before admins lost their organisation keeps none: it could decide for it.
    organisation = None if row.role == "admin" else row.organisation
    return User(row.id, row.name, row.role, organisation, row.session_epoch)


def load_user(engine: Engine, user_id: int) -> User | None:
    """The active account with this id, or None."""
    with engine.connect() as conn:
        row = conn.execute(select(users).where(users.c.id == user_id)).first()
    if row is None or not row.active:
        return None
    return _user(row)
