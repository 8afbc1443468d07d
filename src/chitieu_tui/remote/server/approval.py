"""The approval routes (DESIGN section 12 "Approval"): an approver approves a unit's closed
quarter or returns a closed or approved one with a reason, through the same write request
and transaction as `chitieu approve` / `chitieu return` (core/writer.py `write`). `by` is the
account's display, never taken from the body; the account's name goes with the request.

    POST /api/v1/units/{unit}/progress/{period}/approve   {"note"?}
    POST /api/v1/units/{unit}/progress/{period}/return    {"reason"}
"""

from __future__ import annotations

from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from chitieu_tui.core.errors import ChitieuError, EntryError
from chitieu_tui.core.model import Definitions
from chitieu_tui.core.requests import Approve, Return, Written
from chitieu_tui.i18n import Msg
from chitieu_tui.remote import schema
from chitieu_tui.remote.server.problems import Problem, _data_problem
from chitieu_tui.remote.server.responses import json_response
from chitieu_tui.remote.server.rights import refused, require
from chitieu_tui.remote.server.routes import _off_loop, _period, _units
from chitieu_tui.remote.server.units import _ServedDir
from chitieu_tui.remote.wire import API_PREFIX, progress_to_json

BODY_MAX = 16_384
"""Most bytes of an approval's JSON body (a note or a reason is at most 2,000 characters)."""

CONFLICTS = frozenset(
    {
        "err.approved.refused",
        "err.approved.already",
        "err.approved.not_closed",
        "err.approved.reopen",
        "err.approved.close",
        "err.returned.not_closed",
        "err.closed.no_progress",
    }
)
"""Refusals of the quarter's state: 409 (the request is sound, the quarter is not ready)."""


class ApproveBody(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=False):
    """`{"note"?}`; anything else (a `by`) is ignored: who approves is the account."""

    note: str = ""


class ReturnBody(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=False):
    """`{"reason"}`: why the quarter goes back to the ward (required, not empty)."""

    reason: str = ""


async def _body(request: Request, shape: Any) -> Any:
    raw = await request.body()
    if len(raw) > BODY_MAX:
        raise Problem(422, Msg("err.server.body_large", max=BODY_MAX))
    if not raw.strip():
        raw = b"{}"
    try:
        return msgspec.json.decode(raw, type=shape)
    except msgspec.DecodeError:
        raise Problem(422, Msg("err.server.body_invalid")) from None


async def _write(request: Request, action: str, make: Any) -> Response:
    unit = request.path_params["unit"]
    user = require(request, unit, action)
    period = _period(request.path_params["period"])
    units = _units(request)

    def work(data: _ServedDir) -> tuple[Written, Definitions]:
        try:
            return data.write([make(period, user.shown, user.name)]), data.defs_for(period)
        except EntryError as exc:
            refused(request.scope, user, exc.msg, unit)
            raise Problem(422, exc.msg) from None
        except ChitieuError as exc:
            if exc.code in CONFLICTS:
                refused(request.scope, user, exc.msg, unit)
                raise Problem(409, exc.msg) from None
            raise _data_problem(exc, data) from None

    written, defs = await _off_loop(request, unit, lambda job: units.run(unit, work, job))
    return json_response(request, progress_to_json(written.progress, defs), schema.ProgressDocument)


async def post_approve(request: Request) -> Response:
    """Approve a closed quarter: `[closed].approved` with the values' digest; the quarter as
    it now stands. 403 for a role that may not approve, 404 for a unit not the account's,
    409 when the quarter is not closed or already approved."""
    body = await _body(request, ApproveBody)

    def make(period: Any, by: str, account: str) -> Approve:
        return Approve(period=period, note=body.note, by=by, account=account)

    return await _write(request, "approve", make)


async def post_return(request: Request) -> Response:
    """Return a closed or approved quarter with a reason (422 without one): it reopens, and
    `returned` tells the ward why."""
    body = await _body(request, ReturnBody)
    if not body.reason.strip():
        raise Problem(422, Msg("err.returned.no_reason"))

    def make(period: Any, by: str, account: str) -> Return:
        return Return(period=period, reason=body.reason, by=by, account=account)

    return await _write(request, "return", make)


ROUTES = [
    Route(
        f"{API_PREFIX}/units/{{unit}}/progress/{{period}}/approve", post_approve, methods=["POST"]
    ),
    Route(f"{API_PREFIX}/units/{{unit}}/progress/{{period}}/return", post_return, methods=["POST"]),
]
"""The approval routes, added to the application by `create_app`."""
