"""Accounts: `users.toml` (who may read and write which units over the API), read strictly.

Only a hash of each token is stored (`token = "sha256:<hex>"`); a presented token is hashed
and compared with every account's hash in constant time (`hmac.compare_digest`). Textual-free:
the server (`remote/server/accounts.py`) and `chitieu user` (cli/users.py) both use it.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import msgspec

from chitieu_tui.core.atomic import atomic_write
from chitieu_tui.core.errors import (
    ChitieuError,
    DataError,
    ErrorList,
    Place,
    UsageError,
    WriteError,
)
from chitieu_tui.core.loader import validation_error
from chitieu_tui.core.oserrors import os_reason
from chitieu_tui.core.text import clean
from chitieu_tui.core.tomlfile import Locator, read_toml
from chitieu_tui.i18n import Msg

USERS_FILE = "users.toml"
ROLES = ("editor", "approver", "viewer")
"""A viewer reads its units; an editor also writes them; an approver reads and approves."""
ALL_UNITS = "*"
NAME_RE = re.compile(r"\A[a-z0-9][a-z0-9._-]{0,63}\Z")
"""Account names: ASCII lower-case letters, digits, `.`, `_`, `-`; at most 64."""
UNIT_RE = re.compile(r"\A[a-z0-9-]{1,64}\Z")
HASH_RE = re.compile(r"\Asha256:[0-9a-f]{64}\Z")
DISPLAY_MAX = 120
LOCK_SECONDS = 10.0
_NO_HASH = "sha256:" + "0" * 64
"""Compared against when there is no account, so an empty file costs the same time."""


class User(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """One `[[user]]` of users.toml."""

    name: str
    role: str
    units: list[str]
    token: str
    display: str = ""
    """Shown as `by` in what the account writes (the name when empty)."""

    @property
    def shown(self) -> str:
        """The display name, or the name when it has none."""
        return self.display or self.name

    def reads(self, unit: str) -> bool:
        """True when `unit` is among the account's units (`*`: every unit)."""
        return ALL_UNITS in self.units or unit in self.units


class _File(msgspec.Struct, forbid_unknown_fields=True):
    user: list[User] = msgspec.field(default_factory=list)


@dataclass(frozen=True)
class Users:
    """The accounts of one users.toml, in file order."""

    users: tuple[User, ...]

    def authenticate(self, token: str | bytes) -> User | None:
        """The account whose hash is the presented token's; None when none is. Every hash is
        compared (constant time each, no early exit), so the time says nothing of which."""
        given = hash_token(token).encode("ascii")
        found: User | None = None
        for user in self.users or (None,):
            stored = user.token if user is not None else _NO_HASH
            if hmac.compare_digest(given, stored.encode("ascii")) and user is not None:
                found = user
        return found

    def get(self, name: str) -> User | None:
        """The account called `name`, or None."""
        return next((u for u in self.users if u.name == name), None)


def hash_token(token: str | bytes) -> str:
    """`sha256:<hex>` of a token (its UTF-8 bytes)."""
    raw = token.encode("utf-8", "surrogateescape") if isinstance(token, str) else token
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def new_token() -> str:
    """A new random token: 32 random bytes, URL-safe base64 (43 characters)."""
    return secrets.token_urlsafe(32)


def _item(name: object, index: int) -> Msg:
    if isinstance(name, str) and name:
        return Msg("item.table", table="user", id=clean(name)[:64])
    return Msg("item.table_n", table="user", n=index + 1)


def account_problems(user: User) -> list[tuple[str, Msg]]:
    """What is wrong with one account, by key (empty when nothing is)."""
    found: list[tuple[str, Msg]] = []
    if not NAME_RE.fullmatch(user.name):
        found.append(("name", Msg("err.users.name", got=clean(user.name)[:64])))
    if user.role not in ROLES:
        found.append(("role", Msg("err.users.role", got=clean(user.role)[:40])))
    if not user.units:
        found.append(("units", Msg("err.users.no_units")))
    for unit in user.units:
        if unit != ALL_UNITS and not UNIT_RE.fullmatch(unit):
            found.append(("units", Msg("err.users.unit", got=clean(unit)[:64])))
    if len(set(user.units)) != len(user.units):
        found.append(("units", Msg("err.users.unit_twice")))
    if not HASH_RE.fullmatch(user.token):
        found.append(("token", Msg("err.users.token")))  # never quoted: it may be a token
    if len(user.display) > DISPLAY_MAX:
        found.append(("display", Msg("err.users.display_long", max=DISPLAY_MAX)))
    return found


def users_from_text(text: str, data: dict[str, object], where: str) -> Users:
    """Validate a parsed users.toml; every problem names its file:line:col."""
    loc = Locator.scan(where, text)
    try:
        found = msgspec.convert(data, _File)
    except msgspec.ValidationError as exc:
        raise validation_error(exc, dict(data), loc) from None
    errs: list[ChitieuError] = []
    names: set[str] = set()
    hashes: set[str] = set()

    def err(index: int, user: User, key: str, msg: Msg) -> None:
        detail = Msg("err.in_item", item=_item(user.name, index), detail=msg)
        errs.append(DataError(detail, loc.place("user", index, key)))

    for index, user in enumerate(found.user):
        for key, msg in account_problems(user):
            err(index, user, key, msg)
        if user.name in names:
            err(index, user, "name", Msg("err.users.name_twice", name=user.name))
        names.add(user.name)
        if user.token in hashes:
            err(index, user, "token", Msg("err.users.token_twice"))
        hashes.add(user.token)
    if errs:
        raise errs[0] if len(errs) == 1 else ErrorList(errs)
    return Users(tuple(msgspec.structs.replace(u, display=clean(u.display)) for u in found.user))


def load_users(path: Path, shown: str | None = None) -> Users:
    """Read and validate users.toml (unknown keys, wrong types and values refused, placed)."""
    where = shown or str(path)
    data, text = read_toml(path, where)
    return users_from_text(text, data, where)


def _quote(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's)."""
    return json.dumps(text, ensure_ascii=False)


def render_users(users: Users) -> str:
    """users.toml's text: a comment, then one `[[user]]` per account."""
    lines = [
        "# Accounts of the API (chitieu user add/list/rotate/remove); only token hashes.",
        "",
    ]
    for user in users.users:
        lines += [
            "[[user]]",
            f"name = {_quote(user.name)}",
            f"display = {_quote(user.display)}",
            f"role = {_quote(user.role)}",
            "units = [" + ", ".join(_quote(u) for u in user.units) + "]",
            f"token = {_quote(user.token)}",
            "",
        ]
    return "\n".join(lines)


@contextmanager
def _locked(path: Path, where: str) -> Iterator[None]:
    """Hold `.users.toml.lock` beside the file for a read-modify-write."""
    import filelock  # lazy: only a command that rewrites users.toml locks it

    lock = filelock.FileLock(str(path.parent / f".{path.name}.lock"), timeout=LOCK_SECONDS)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise WriteError("err.write.locked", Place(where), seconds=f"{LOCK_SECONDS:g}") from None
    except OSError as exc:
        raise WriteError("err.write.lock", Place(where), reason=os_reason(exc)) from None
    try:
        yield
    finally:
        lock.release()


def _read_or_empty(path: Path, where: str) -> Users:
    if not path.exists() and not path.is_symlink():
        return Users(())
    return load_users(path, where)


def _write(path: Path, users: Users, where: str) -> None:
    atomic_write(path, render_users(users).encode("utf-8"), shown=where)
    with contextlib.suppress(OSError):  # hashes only, still nobody else's business
        path.chmod(0o600)


def add_user(
    path: Path,
    name: str,
    role: str,
    units: list[str],
    display: str = "",
    shown: str | None = None,
) -> str:
    """Add an account; return its new token (the file keeps only its hash)."""
    where = shown or str(path)
    token = new_token()
    user = User(name, role, list(units), hash_token(token), clean(display))
    problems = account_problems(user)
    if problems:
        raise UsageError(problems[0][1])
    with _locked(path, where):
        users = _read_or_empty(path, where)
        if users.get(name) is not None:
            raise DataError("err.users.exists", Place(where), name=name)
        _write(path, Users((*users.users, user)), where)
    return token


def rotate_user(path: Path, name: str, shown: str | None = None) -> str:
    """Give an account a new token (the old one stops working at once); return it."""
    where = shown or str(path)
    token = new_token()
    with _locked(path, where):
        users = _read_or_empty(path, where)
        if users.get(name) is None:
            raise DataError("err.users.unknown", Place(where), name=clean(name)[:64])
        changed = tuple(
            msgspec.structs.replace(u, token=hash_token(token)) if u.name == name else u
            for u in users.users
        )
        _write(path, Users(changed), where)
    return token


def remove_user(path: Path, name: str, shown: str | None = None) -> None:
    """Remove an account (refused by the server at its next request)."""
    where = shown or str(path)
    with _locked(path, where):
        users = _read_or_empty(path, where)
        if users.get(name) is None:
            raise DataError("err.users.unknown", Place(where), name=clean(name)[:64])
        _write(path, Users(tuple(u for u in users.users if u.name != name)), where)
