"""Who may do what: the account of a request, its units and its role (DESIGN section 12).

A unit outside an account's `units` answers exactly as a unit that does not exist (404
`err.server.unknown_unit`); a unit it may read but an action its role may not do is 403
`err.server.role_cannot`. Without users.toml (a shared token, or none) every unit is
readable and nothing is writable, as before accounts.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from chitieu_tui.core.users import ALL_UNITS, User
from chitieu_tui.i18n import Msg
from chitieu_tui.remote import schema
from chitieu_tui.remote.server.problems import Problem, _log_text, _safe, log
from chitieu_tui.remote.server.responses import json_response

ACCOUNT = "chitieu.account"
"""The scope key the authentication middleware sets: the request's User, or None."""
AUTH = "chitieu.auth"
"""The scope key of how the request was let in: `account`, `token` or `none`."""

RIGHTS: dict[str, frozenset[str]] = {
    "read": frozenset({"viewer", "editor", "approver"}),
    "write": frozenset({"editor"}),
    "close": frozenset({"editor"}),
    "approve": frozenset({"approver"}),
    "return": frozenset({"approver"}),
}
"""What each role may do on its own units (docs/api.md, the rights table). Nobody writes
an approved quarter: that is the write routes' check, not a right."""


def account_of(request: Request) -> User | None:
    """The account the request's token belongs to; None without accounts."""
    found: User | None = request.scope.get(ACCOUNT)
    return found


def client_address(scope: Any) -> str:
    """The peer's address (no proxy headers are trusted)."""
    client = scope.get("client")
    return str(client[0]) if client else "-"


def refused(scope: Any, user: User | None, reason: Msg, unit: str = "") -> None:
    """Log a refused request: address, account (when known), reason; never the token."""
    who = Msg("server.log.who", name=user.name) if user else Msg("server.log.who_unknown")
    log.warning(
        _log_text(
            "server.log.refused",
            method=_safe(str(scope.get("method", "")), 10),
            path=_safe(str(scope.get("path", ""))),
            address=client_address(scope),
            who=who,
            reason=reason,
        ),
        extra={
            "rate_key": f"refused:{client_address(scope)}:{user.name if user else ''}:"
            f"{reason.key}:{unit}"
        },
    )


def may_read(request: Request, unit: str) -> bool:
    """True when the request's account may read `unit` (always without accounts)."""
    user = account_of(request)
    return user is None or user.reads(unit)


def check_unit(request: Request, unit: str) -> None:
    """404, worded as for a unit that does not exist, when `unit` is not the account's."""
    user = account_of(request)
    if user is None or user.reads(unit):
        return
    refused(request.scope, user, Msg("server.log.reason_foreign", unit=_safe(unit)), unit)
    raise Problem(404, Msg("err.server.unknown_unit", unit=_safe(unit)))


def require(request: Request, unit: str, action: str) -> User:
    """The account, when it may do `action` (a key of RIGHTS) on `unit`: else 404 for a
    unit not its own, 403 for an action its role may not do, 401-like 403 without accounts."""
    check_unit(request, unit)
    user = account_of(request)
    role = user.role if user is not None else "viewer"
    if user is None or role not in RIGHTS[action]:
        reason = Msg("server.log.reason_role", unit=_safe(unit), role=role, action=_act(action))
        refused(request.scope, user, reason, unit)
        raise Problem(403, Msg("err.server.role_cannot", role=role, action=_act(action)))
    return user


_ACTIONS = {
    "read": "rights.read",
    "write": "rights.write",
    "close": "rights.close",
    "approve": "rights.approve",
    "return": "rights.return",
}


def _act(action: str) -> Msg:
    return Msg(_ACTIONS[action])


async def get_me(request: Request) -> Response:
    """`GET /api/v1/me` -> `{"name", "display", "role", "units", "auth"}`."""
    user = account_of(request)
    if user is not None:
        body = {
            "name": user.name,
            "display": user.shown,
            "role": user.role,
            "units": list(user.units),
            "auth": "account",
        }
    else:
        auth = request.scope.get(AUTH, "none")
        body = {"name": "", "display": "", "role": "viewer", "units": [ALL_UNITS], "auth": auth}
    return json_response(request, body, schema.Me)
