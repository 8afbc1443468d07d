"""The targets handed down over the API (DESIGN 13, issue 21 item 7):

    GET /api/v1/targets/{year}   what the province assigns that year (any account reads it;
                                 its `units` only those the account may read)
    PUT /api/v1/targets/{year}   replace it (an approver of every unit), through the one
                                 atomic writer, journaled in the collection's own journal

A server of one unit (no collection) has no assignment: 404.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from chitieu_tui.core.collection import open_folder
from chitieu_tui.core.datadir import BUNDLED_COLLECTION, DataDir
from chitieu_tui.core.errors import ChitieuError, DataError, WriteError, flatten
from chitieu_tui.core.model import drop_none
from chitieu_tui.core.targets import (
    Targets,
    UnitDefs,
    collection_units,
    load_targets,
    targets_path,
)
from chitieu_tui.core.targets_write import replace_targets
from chitieu_tui.core.users import ALL_UNITS
from chitieu_tui.i18n import Msg
from chitieu_tui.remote import schema
from chitieu_tui.remote.server.problems import PROBLEM_TYPE, Problem, _data_problem, _safe
from chitieu_tui.remote.server.responses import json_response
from chitieu_tui.remote.server.rights import account_of, may_read, refused
from chitieu_tui.remote.server.routes import _off_loop, _units
from chitieu_tui.remote.server.writes import _json_body
from chitieu_tui.remote.wire import API_PREFIX

BODY_MAX = 1024 * 1024
"""Most bytes of an assignment's JSON body (a province of 1,000 units × 20 indicators fits)."""
_YEAR_RE = re.compile(r"\A[0-9]{4}\Z")
_BODY_KEYS = {"year", "indicators"}


def _year(request: Request) -> int:
    text = request.path_params["year"]
    if not _YEAR_RE.fullmatch(text):
        raise Problem(400, Msg("err.server.bad_year", year=_safe(text, 20)))
    return int(text)


def _units_of(root: Path, year: int) -> list[UnitDefs]:
    """The collection's units for `year` (404 when the server serves one unit)."""
    if (root / "chitieu.toml").exists():
        raise Problem(404, Msg("err.server.no_targets", year=year))
    try:
        members = open_folder(root).members
    except ChitieuError:
        members = []
    return collection_units(members, year)


def _read(root: Path, year: int) -> Targets:
    units = _units_of(root, year)
    path = targets_path(root, year)
    if not path.is_file():
        raise Problem(404, Msg("err.server.no_targets", year=year))
    try:
        return load_targets(path, year, units, f"targets/{year}.toml")
    except ChitieuError as exc:
        raise _data_problem(exc, DataDir(root)) from None


def targets_json(request: Request, targets: Targets) -> dict[str, Any]:
    """`{"year", "indicators": [{"id", "target"?, "basis", "units"}]}`, with only the units
    the request's account may read."""
    items = []
    for a in targets.indicators:
        item: dict[str, Any] = {"id": a.id}
        if a.target is not None:
            item["target"] = a.target
        item["basis"] = a.basis
        item["units"] = {u: v for u, v in a.units.items() if may_read(request, u)}
        items.append(item)
    return {"year": targets.year, "indicators": items}


async def _body(request: Request) -> dict[str, Any]:
    """The body as a JSON object of `year` and `indicators` (400 otherwise, 413 beyond
    BODY_MAX)."""
    data = await _json_body(request, BODY_MAX)
    for key in data:
        if key not in _BODY_KEYS:
            raise Problem(400, Msg("err.server.unknown_field", field=str(key)[:40]))
    if not isinstance(data.get("indicators"), list):  # `{}` must not erase the assignment
        raise Problem(400, Msg("err.server.body_invalid"))
    return data


def _as_toml(data: dict[str, Any], year: int) -> dict[str, Any]:
    """The body as targets/<year>.toml would hold it (checked there, as the file is)."""
    doc: dict[str, Any] = {"indicator": drop_none(data["indicators"])}
    if data.get("year") is not None:
        doc["year"] = data["year"]
    return doc


async def get_targets(request: Request) -> Response:
    """`GET /api/v1/targets/{year}`: 404 when the year has no assignment (or the server
    serves one unit), 500 naming the place when the file is broken."""
    year = _year(request)
    root = _units(request).root
    targets = await _off_loop(request, "", lambda job: _read(root, year))
    return json_response(request, targets_json(request, targets), schema.TargetsDocument)


async def put_targets(request: Request) -> Response:
    """`PUT /api/v1/targets/{year}`: replace the assignment; 403 for any account but an
    approver of every unit (and on a server without accounts), 422 naming what is wrong."""
    if request.app.state.accounts is None:
        raise Problem(403, Msg("err.server.read_only"))
    user = account_of(request)
    role = user.role if user is not None else "viewer"
    if user is None or role != "approver" or ALL_UNITS not in user.units:
        reason = Msg("err.server.targets_approver", role=role)
        refused(request.scope, user, reason)
        raise Problem(403, reason)
    year = _year(request)
    body = _as_toml(await _body(request), year)
    root = _units(request).root

    def work(job: dict[str, Any]) -> Targets:
        units = _units_of(root, year)
        try:
            return replace_targets(
                root, year, body, units, by=user.shown, account=user.name, via="api"
            )[0]
        except WriteError as exc:  # a lock held too long, a full disk: said, never a crash
            raise Problem(503 if exc.code == "err.write.locked" else 500, exc.msg) from None
        except DataError as exc:
            first = flatten(exc)[0]
            refused(request.scope, user, first.msg)
            raise Problem(422, Msg("err.server.targets_invalid", detail=first.msg)) from None

    targets = await _off_loop(request, "", work)
    return json_response(request, targets_json(request, targets), schema.TargetsDocument)


async def targets_route(request: Request) -> Response:
    """One route for GET and PUT of `/api/v1/targets/{year}`."""
    if request.method == "PUT":
        return await put_targets(request)
    return await get_targets(request)


ROUTES = [
    Route(f"{API_PREFIX}/targets/{{year}}", targets_route, methods=["GET", "PUT"]),
]
"""The targets route, added to the application by `create_app`."""


def targets_example() -> dict[str, Any]:
    """The bundled collection's assignment as `GET /api/v1/targets/2026` sends it to an
    account of every unit (the OpenAPI document's example)."""
    targets = _read(BUNDLED_COLLECTION, 2026)
    items = [
        {
            "id": a.id,
            **({"target": a.target} if a.target is not None else {}),
            "basis": a.basis,
            "units": dict(a.units),
        }
        for a in targets.indicators
    ]
    return {"year": targets.year, "indicators": items}


_BODY_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["indicators"],
    "properties": {
        "year": {"type": ["integer", "null"], "description": "When given, the year of the path"},
        "indicators": {"type": "array", "items": {"$ref": "#/components/schemas/TargetItem"}},
    },
}
"""What PUT takes: the GET document's shape, `year` optional, no other key (400)."""


def put_targets_operation(document: Any) -> dict[str, Any]:
    """The OpenAPI operation of `PUT /api/v1/targets/{year}`."""

    def problem(text: str) -> dict[str, Any]:
        return {
            "description": text,
            "content": {PROBLEM_TYPE: {"schema": {"$ref": "#/components/schemas/ProblemDetails"}}},
        }

    return {
        "operationId": "putTargets",
        "summary": "Replace the year's assignment (an approver of every unit): checked as "
        "targets/<year>.toml is, written atomically, journaled in journal/targets-<year>.toml; "
        "the same assignment again writes nothing",
        "parameters": [{"$ref": "#/components/parameters/year"}],
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _BODY_SCHEMA}},
        },
        "responses": {
            "200": {
                "description": "Replaced (or already so); the assignment as it now stands",
                "content": {"application/json": {"schema": document}},
            },
            "400": problem("A body that is not a JSON object of year and indicators"),
            "401": {"$ref": "#/components/responses/Unauthorized"},
            "403": problem(
                "Not an approver of every unit (code err.server.targets_approver), or a server "
                "without accounts (code err.server.read_only)"
            ),
            "404": {"$ref": "#/components/responses/Problem404"},
            "413": problem("The body is larger than 1 MiB"),
            "422": problem(
                "The assignment cannot be used: an unknown unit or indicator, a unit or kind "
                "mismatch, a negative or non-finite number, a year outside the collection's"
            ),
            "429": {"$ref": "#/components/responses/TooMany"},
            "500": {"$ref": "#/components/responses/Problem500"},
            "503": {"$ref": "#/components/responses/Unavailable"},
        },
    }
