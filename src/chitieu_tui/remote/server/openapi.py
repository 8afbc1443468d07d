"""The OpenAPI 3.1 document of /api/v1: operations, examples and links."""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from dataclasses import dataclass
from typing import Any

import msgspec

from chitieu_tui.core.datadir import BUNDLED, DataDir
from chitieu_tui.core.verify import verify_folder
from chitieu_tui.i18n import Msg, t_in
from chitieu_tui.remote import schema
from chitieu_tui.remote.server.bulk import _bulk_entry, _tagged
from chitieu_tui.remote.server.problems import PROBLEM_TYPE
from chitieu_tui.remote.server.targets import put_targets_operation, targets_example
from chitieu_tui.remote.server.units import _ServedDir
from chitieu_tui.remote.server.verify import _finding
from chitieu_tui.remote.wire import (
    API_PREFIX,
    definitions_to_json,
    encode_as,
    journal_to_json,
    progress_to_json,
)

_REF = "#/components/schemas/{name}"
_BODY = "$response.body#"


@dataclass(frozen=True)
class _Operation:
    """One GET operation of the document."""

    op_id: str
    path: str
    summary: str
    shape: Any
    params: tuple[str, ...]
    errors: tuple[int, ...]
    links: dict[str, tuple[str, dict[str, str]]]


_OPERATIONS = (
    _Operation(
        "listUnits",
        "/units",
        "The units served, in folder order",
        schema.UnitList,
        (),
        (500, 503),
        {
            "unit": ("getUnit", {"unit": _BODY + "/0/id"}),
            "periods": ("listPeriods", {"unit": _BODY + "/0/id"}),
            "progress": ("getProgress", {"unit": _BODY + "/0/id"}),
            "bulk": ("getBulkNewest", {}),
            "me": ("getMe", {}),
        },
    ),
    _Operation(
        "getUnit",
        "/units/{unit}",
        "A unit's definitions: chitieu.toml as JSON",
        schema.UnitDocument,
        ("unit",),
        (404, 500, 503),
        {
            "periods": ("listPeriods", {"unit": _BODY + "/unit/id"}),
            "year": ("getYear", {"unit": _BODY + "/unit/id", "year": _BODY + "/unit/year"}),
        },
    ),
    _Operation(
        "listPeriods",
        "/units/{unit}/periods",
        "The periods that have a progress file, oldest first",
        schema.PeriodList,
        ("unit",),
        (404, 500, 503),
        {
            "progress": ("getProgress", {"unit": _BODY + "/unit", "period": _BODY + "/periods/0"}),
            "journal": ("getJournal", {"unit": _BODY + "/unit", "period": _BODY + "/periods/0"}),
            "bulk": ("getBulk", {"period": _BODY + "/periods/0"}),
            "verify": ("verifyUnit", {"unit": _BODY + "/unit"}),
        },
    ),
    _Operation(
        "getProgress",
        "/units/{unit}/progress/{period}",
        "One period's progress (404 when the period has no progress file)",
        schema.ProgressDocument,
        ("unit", "period"),
        (400, 404, 500, 503),
        {
            "journal": ("getJournal", {"unit": _BODY + "/unit", "period": _BODY + "/period"}),
            "unit": ("getUnit", {"unit": _BODY + "/unit"}),
        },
    ),
    _Operation(
        "getYear",
        "/units/{unit}/years/{year}",
        "A year's own definitions (years/<year>.toml, or chitieu.toml for its own year); "
        "404 when that year has none",
        schema.UnitDocument,
        ("unit", "year"),
        (400, 404, 500, 503),
        {"targets": ("getTargets", {"year": _BODY + "/unit/year"})},
    ),
    _Operation(
        "getJournal",
        "/units/{unit}/journal/{period}",
        "One period's journal, oldest first, with values changed by hand since listed "
        "(`changes` is empty when there is no journal)",
        schema.Journal,
        ("unit", "period"),
        (400, 404, 500, 503),
        {
            "progress": ("getProgress", {"unit": _BODY + "/unit", "period": _BODY + "/period"}),
        },
    ),
    _Operation(
        "getBulkNewest",
        "/progress",
        "Every unit at the newest period any readable unit has progress for, in one answer "
        "(as getBulk); 404 when no unit can be read",
        schema.BulkProgress,
        (),
        (404, 500, 503),
        {
            "bulk": ("getBulk", {"period": _BODY + "/period"}),
            "unit": ("getUnit", {"unit": _BODY + "/units/0/unit"}),
        },
    ),
    _Operation(
        "getBulk",
        "/progress/{period}",
        "Every unit served, in folder order, with what a roll-up needs for one period: its "
        "definitions, periods, the period's progress (null when it has none) and the earlier "
        "quarters of that year; a unit that cannot be read carries its problem instead",
        schema.BulkProgress,
        ("period",),
        (400, 500, 503),
        {
            "unit": ("getUnit", {"unit": _BODY + "/units/0/unit"}),
            "journal": (
                "getJournal",
                {"unit": _BODY + "/units/0/unit", "period": _BODY + "/period"},
            ),
        },
    ),
    _Operation(
        "verifyUnit",
        "/units/{unit}/verify",
        "chitieu verify run on the server: every quarter with a progress file or a journal "
        "(or ?period= only) checked (the journal's hash chain, its head, the values against "
        "the journal, [closed] against the journal, the digests of closing and approval); "
        "the first thing of a quarter that does not match is named with its file and line. "
        "Any account that may read the unit; reading never writes",
        schema.Verification,
        ("unit", "periodQuery"),
        (400, 404, 500, 503),
        {
            "progress": (
                "getProgress",
                {"unit": _BODY + "/unit", "period": _BODY + "/findings/0/period"},
            ),
            "journal": (
                "getJournal",
                {"unit": _BODY + "/unit", "period": _BODY + "/findings/0/period"},
            ),
        },
    ),
    _Operation(
        "getTargets",
        "/targets/{year}",
        "What the province assigns its units that year (targets/<year>.toml of the collection; "
        "`units`: only those the account may read); 404 when the year has none or the server "
        "serves one unit",
        schema.TargetsDocument,
        ("year",),
        (400, 404, 500, 503),
        {},
    ),
    _Operation("getOpenApi", "/openapi.json", "This document", None, (), (500, 503), {}),
    _Operation(
        "getMe",
        "/me",
        "Who the request's token belongs to: the account's name, display name, role and units "
        "(with users.toml); without accounts (a shared token, or none) an empty name, the "
        'role viewer and the units ["*"]',
        schema.Me,
        (),
        (500, 503),
        {"units": ("listUnits", {})},
    ),
)

_PROBLEM_WHEN = {
    400: "A path parameter of the wrong form (a period not like 2026-Q1, a year not four digits)",
    401: "A token is required and is missing or wrong (see WWW-Authenticate)",
    429: "This address presented 20 wrong tokens within a minute: refused for a minute "
    "(see Retry-After)",
    404: "No such unit, period, year or resource",
    500: "A file of that unit is broken on disk (the detail names it), or a server bug",
    503: "Reading that unit's files takes too long, too many connections, or the server's "
    "accounts file is missing or broken",
}

_WRITE_WHEN = {
    400: "A body that is not a JSON object of the documented fields, or a path parameter of "
    "the wrong form",
    403: "The account's role cannot do this (code err.server.role_cannot), or the server has "
    "no accounts (users.toml) and is read-only (code err.server.read_only)",
    409: "The quarter is closed, already closed, not closed or approved (code err.closed.*)",
    412: "`expect` is not the entry on file: `current` holds the entry the file has now",
    413: "The body is larger than 64 KiB",
    422: "The value cannot be entered: not a number, out of bounds, not whole, implausible "
    "without `confirm`, an unknown indicator, a quarter outside the year's range, no reason",
}
_EXPECT: dict[str, Any] = {
    "anyOf": [
        {"type": "null"},
        {"type": "number"},
        {"type": "boolean"},
        {
            "type": "object",
            "required": ["value"],
            "properties": {
                "value": {"type": ["number", "boolean"]},
                "note": {"type": "string"},
            },
        },
    ]
}
"""An `expect`: the entry last seen (other keys of a value object are not compared)."""
_VALUE_BODY = {
    "type": "object",
    "required": ["value"],
    "additionalProperties": False,
    "properties": {
        "value": {
            "description": "A number, true/false (a milestone), or the text as typed "
            "(numbers as written in the request's Accept-Language: 32,5 in vi)",
            "type": ["number", "boolean", "string"],
        },
        "note": {"type": ["string", "null"], "description": 'null keeps it, "" removes it'},
        "cause": {"type": ["string", "null"]},
        "remedy": {"type": ["string", "null"]},
        "expect": {
            "description": "The entry the client last saw: null (none), a value, or "
            "{value, note}; absent: the last writer wins",
            **_EXPECT,
        },
        "confirm": {"type": "boolean", "description": "An implausible value is meant (--yes)"},
        "confirm_outlier": {
            "type": "boolean",
            "description": "A value out of line with the unit's history is meant (--yes): "
            "written with a follow-up mark; without it such a value is 422 err.entry.outlier",
        },
        "via": {"type": "string", "enum": ["set", "form", "import"]},
        "by": {"description": "Ignored: who writes is the account's display name"},
    },
    "examples": [{"value": 7, "note": "", "confirm": True}],
}
_BULK_BODY = {
    "type": "object",
    "required": ["values"],
    "additionalProperties": False,
    "properties": {
        "values": {
            "type": "array",
            "minItems": 1,
            "maxItems": 1000,
            "items": {
                "type": "object",
                "required": ["id", "value"],
                "additionalProperties": False,
                "properties": {
                    "id": {"type": "string", "pattern": schema.ID_PATTERN, "maxLength": 64},
                    **{
                        k: v
                        for k, v in _VALUE_BODY["properties"].items()  # type: ignore[attr-defined]
                        if k in ("value", "note", "cause", "remedy", "expect")
                    },
                },
            },
        },
        "confirm": {"type": "boolean", "description": "Implausible values are meant (--yes)"},
        "confirm_outlier": {
            "type": "boolean",
            "description": "Values out of line with the unit's history are meant: marked",
        },
        "via": {"type": "string", "enum": ["set", "form", "import"], "default": "import"},
        "by": {"description": "Ignored: who writes is the account's display name"},
    },
    "examples": [{"values": [{"id": "ket-nap-dang-vien", "value": 7}], "confirm": True}],
}
_APPROVE_BODY = {
    "type": "object",
    "properties": {
        "note": {"type": "string", "maxLength": 2000},
        "by": {"description": "Ignored: who approves is the account's display name"},
    },
    "examples": [{"note": "dat"}],
}
_APPROVAL_WHEN = {
    400: "A path parameter of the wrong form",
    403: "The account's role cannot approve or return (code err.server.role_cannot), or the "
    "server has no accounts (users.toml)",
    409: "The quarter is not closed, already approved, or has no progress file "
    "(code err.approved.* / err.returned.* / err.closed.no_progress)",
    422: "A body that is not JSON of the documented fields, larger than 16 KiB, or a return "
    "without a reason (code err.returned.no_reason)",
}
_REASON_BODY = {
    "type": "object",
    "required": ["reason"],
    "additionalProperties": False,
    "properties": {"reason": {"type": "string", "minLength": 1}, "by": {"description": "Ignored"}},
    "examples": [{"reason": "giao ban"}],
}


_QUARTER_LINKS = {
    "progress": ("getProgress", {"unit": _BODY + "/unit", "period": _BODY + "/period"}),
    "journal": ("getJournal", {"unit": _BODY + "/unit", "period": _BODY + "/period"}),
    "verify": ("verifyUnit", {"unit": _BODY + "/unit", "period": _BODY + "/period"}),
}
"""Where the quarter a write answers with leads (stateful tests follow them)."""


def _links(extra: dict[str, tuple[str, dict[str, str]]] | None = None) -> dict[str, Any]:
    found = {**_QUARTER_LINKS, **(extra or {})}
    return {
        name: {"operationId": target, "parameters": params}
        for name, (target, params) in found.items()
    }


def _write_operation(
    op_id: str,
    summary: str,
    params: list[str],
    body: dict[str, Any] | None,
    progress: Any,
    *,
    when: dict[int, str] | None = None,
    links: dict[str, tuple[str, dict[str, str]]] | None = None,
) -> dict[str, Any]:
    """One write operation: 200 with the quarter as it now stands, or a problem."""
    responses: dict[str, Any] = {
        "200": {
            "description": "Written (or already so: nothing changed); the quarter as it now stands",
            "content": {"application/json": {"schema": progress}},
            "links": _links(links),
        },
        "401": {"$ref": "#/components/responses/Unauthorized"},
        "404": {"$ref": "#/components/responses/Problem404"},
        "429": {"$ref": "#/components/responses/TooMany"},
        "500": {"$ref": "#/components/responses/Problem500"},
        "503": {"$ref": "#/components/responses/Unavailable"},
    }
    for status, text in (when or _WRITE_WHEN).items():
        responses[str(status)] = _problem_response(text)
    if "412" in responses:
        conflict = responses["412"]["content"][PROBLEM_TYPE]
        conflict["schema"] = {
            "allOf": [
                {"$ref": _REF.format(name="ProblemDetails")},
                {
                    "type": "object",
                    "properties": {"current": {"description": "The entry on file"}},
                },
            ]
        }
    operation: dict[str, Any] = {
        "operationId": op_id,
        "summary": summary,
        "parameters": [{"$ref": f"#/components/parameters/{p}"} for p in params],
        "responses": dict(sorted(responses.items())),
    }
    if body is not None:
        operation["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": body}},
        }
    return operation


def _write_paths(progress: Any) -> dict[str, Any]:
    """The write routes (DESIGN section 12): an editor's, on its own units, with users.toml."""
    quarter = API_PREFIX + "/units/{unit}/progress/{period}"
    unset = _write_operation(
        "deleteValue",
        "Remove one value (`expect`: the entry last seen, as JSON)",
        ["unit", "period", "id", "expect"],
        None,
        progress,
    )
    same = {"unit": _BODY + "/unit", "period": _BODY + "/period"}
    bulk = _write_operation(
        "putValues",
        "Enter many values of one quarter in one transaction (chitieu import --api): all or "
        "none; a refusal names the value (`index` in `values`, and its `id`)",
        ["unit", "period"],
        _BULK_BODY,
        progress,
    )
    for status in ("409", "412", "422"):
        bulk["responses"][status]["content"][PROBLEM_TYPE]["schema"] = {
            "allOf": [
                {"$ref": _REF.format(name="ProblemDetails")},
                {
                    "type": "object",
                    "properties": {
                        "index": {"type": "integer", "minimum": 0},
                        "id": {"type": "string"},
                        "current": {"description": "412: the entry on file"},
                    },
                },
            ]
        }
    return {
        quarter + "/values/{id}": {
            "put": _write_operation(
                "putValue",
                "Enter one value, through the checks of chitieu set",
                ["unit", "period", "id"],
                _VALUE_BODY,
                progress,
                links={"remove": ("deleteValue", {**same, "id": "$request.path.id"})},
            ),
            "delete": unset,
        },
        quarter + "/values": {"post": bulk},
        quarter + "/close": {
            "post": _write_operation(
                "closeQuarter",
                "Close the quarter (chot so lieu)",
                ["unit", "period"],
                _REASON_BODY,
                progress,
                links={"reopen": ("reopenQuarter", same)},
            )
        },
        quarter + "/reopen": {
            "post": _write_operation(
                "reopenQuarter",
                "Reopen a closed quarter",
                ["unit", "period"],
                _REASON_BODY,
                progress,
                links={"close": ("closeQuarter", same)},
            )
        },
        quarter + "/approve": {
            "post": _write_operation(
                "approveQuarter",
                "Approve a closed (submitted) quarter: an approver's, on its own units; records "
                "approved {at, by, note, digest}",
                ["unit", "period"],
                _APPROVE_BODY,
                progress,
                when=_APPROVAL_WHEN,
                links={"return": ("returnQuarter", same)},
            )
        },
        quarter + "/return": {
            "post": _write_operation(
                "returnQuarter",
                "Return a closed or approved quarter to the ward with a reason: it reopens, and "
                "returned {at, by, reason} says why until the next close",
                ["unit", "period"],
                _REASON_BODY,
                progress,
                when=_APPROVAL_WHEN,
            )
        },
    }


_DESCRIPTION = """Read-only API of chitieu-tui: the yearly targets (chi tieu) of wards and communes and their progress by quarter. The JSON mirrors chitieu.toml, progress/*.toml and journal/*.toml.

- Every 200 carries a strong `ETag` and `Cache-Control: no-cache`; a request whose `If-None-Match` matches (weak comparison, `*` matches) gets 304 with no body.
- Errors are `application/problem+json` (RFC 9457) with `Cache-Control: no-store`: `type`, `title`, `status`, `detail` (worded in the request's Accept-Language: vi or en) and `code` (the error's stable key). A method other than GET or HEAD answers 405 with `Allow: GET, HEAD`.
- When the server has a token, every request (this document too) needs `Authorization: Bearer <token>`. With accounts (users.toml) that is the token of one account: a unit outside the account's units answers 404 as if it did not exist, and /units and the bulk answer list only its units (see /me). 20 wrong tokens from one address within a minute: 429 for a minute.
- Compatibility of /api/v1: changes are additive only (new optional fields, new endpoints); clients must ignore fields they do not know. Field names, types, patterns, status codes and ETag semantics stay as described here. A field listed as required is always sent by `chitieu serve`; a client should accept its absence when the schema gives a default.
- This document is generated from the msgspec Structs the server encodes its answers through (src/chitieu_tui/remote/schema.py); the examples are the bundled sample as served."""


def _components() -> tuple[dict[str, Any], dict[str, Any]]:
    """The schema (or $ref) of each operation's 200 body and the problem, and the
    components, generated by msgspec; `required` lists every field the server always sends."""
    shapes = [op.shape for op in _OPERATIONS if op.shape is not None] + [schema.ProblemDetails]
    refs, components = msgspec.json.schema_components(shapes, ref_template=_REF)
    for name, doc in components.items():
        struct = getattr(schema, name, None)
        if isinstance(struct, type) and issubclass(struct, msgspec.Struct):
            doc["required"] = schema.sent_fields(struct)
    by_shape = {id(shape): ref for shape, ref in zip(shapes, refs, strict=True)}
    return by_shape, components


def _verification() -> dict[str, Any]:
    """What `GET /units/my-thoi/verify` answers for the bundled sample (in English)."""
    served = _ServedDir(BUNDLED).setup(os.path.realpath(BUNDLED))
    defs = served.definitions()
    found = [_finding(f, served, "en") for f in verify_folder(served)]
    return {"unit": defs.unit.id, "findings": found}


def _examples() -> dict[str, Any]:
    """The 200 bodies of every operation for the bundled sample, as the server encodes them,
    and a problem (the examples of the document)."""
    data = DataDir(BUNDLED)
    defs = data.definitions()
    periods = data.periods()
    newest = periods[-1]
    progress = data.progress(newest, defs)
    years = [y for y in sorted({p.year for p in periods}) if y != defs.unit.year]
    year_defs = data.year_definitions(years[0]) if years else defs
    # Noticed changes are timed when noticed: the example fixes one time, so that the
    # document is the same whichever second it is built in.
    when = dt.datetime(2026, 4, 2, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    changes = [dataclasses.replace(c, at=when) for c in data.journal(newest)[:3]]
    raw: dict[str, tuple[Any, Any]] = {
        "listUnits": ([{"id": defs.unit.id, "name": defs.unit.name}], schema.UnitList),
        "getUnit": (definitions_to_json(defs), schema.UnitDocument),
        "listPeriods": (
            {"unit": defs.unit.id, "periods": [str(p) for p in periods]},
            schema.PeriodList,
        ),
        "getProgress": (
            progress_to_json(progress, defs) if progress is not None else None,
            schema.ProgressDocument,
        ),
        "getYear": (
            definitions_to_json(year_defs) if year_defs is not None else None,
            schema.UnitDocument,
        ),
        "getJournal": (journal_to_json(defs.unit.id, newest, changes, defs), schema.Journal),
        "verifyUnit": (_verification(), schema.Verification),
        "getMe": (
            {
                "name": "lan",
                "display": "Lan",
                "role": "editor",
                "units": [defs.unit.id],
                "auth": "account",
            },
            schema.Me,
        ),
    }
    out = {
        key: msgspec.json.decode(encode_as(body, shape))
        for key, (body, shape) in raw.items()
        if body is not None
    }
    served = _ServedDir(BUNDLED).setup(os.path.realpath(BUNDLED))
    entry = _tagged(_bulk_entry(served, newest)[2])[0]
    bulk = msgspec.json.decode(b'{"period":"%s","units":[%s]}' % (str(newest).encode(), entry))
    out["getBulk"] = out["getBulkNewest"] = msgspec.to_builtins(
        msgspec.convert(bulk, schema.BulkProgress)
    )
    out["getTargets"] = targets_example()
    out["params"] = {
        "unit": defs.unit.id,
        "period": str(newest),
        "year": str(years[0] if years else defs.unit.year),
    }
    out["problem"] = msgspec.to_builtins(
        schema.ProblemDetails(
            title=t_in("en", "err.server.status_404"),
            status=404,
            detail=Msg("err.server.unknown_unit", unit="nowhere").text("en"),
            code="err.server.unknown_unit",
        )
    )
    return out


def _parameters(examples: dict[str, Any]) -> dict[str, Any]:
    def path(name: str, pattern: str, description: str) -> dict[str, Any]:
        return {
            "name": name,
            "in": "path",
            "required": True,
            "description": description,
            "schema": {"type": "string", "pattern": pattern},
            "examples": {"sample": {"value": examples["params"][name]}},
        }

    return {
        "unit": path("unit", schema.UNIT_PATTERN, "A unit id, as listed by /units"),
        "period": path("period", schema.PERIOD_PATTERN, "A quarter: 2026-Q1"),
        "year": path("year", schema.YEAR_PATTERN, "A year: four digits"),
        "id": {
            "name": "id",
            "in": "path",
            "required": True,
            "description": "An indicator id of the quarter's year (422 when it has none such)",
            "schema": {"type": "string", "pattern": schema.ID_PATTERN, "maxLength": 64},
            "examples": {"sample": {"value": "ket-nap-dang-vien"}},
        },
        "periodQuery": {
            "name": "period",
            "in": "query",
            "required": False,
            "description": "Only this quarter (2026-Q1); every quarter when absent",
            "schema": {"type": "string", "pattern": schema.PERIOD_PATTERN},
            "examples": {"sample": {"value": examples["params"]["period"]}},
        },
        "expect": {
            "name": "expect",
            "in": "query",
            "required": False,
            "description": "The entry last seen, as JSON: null, a value, or {value, note}",
            "content": {"application/json": {"schema": _EXPECT}},
        },
        "IfNoneMatch": {
            "name": "If-None-Match",
            "in": "header",
            "required": False,
            "description": "ETags of a previous answer: 304 when one matches",
            "schema": {"type": "string"},
        },
    }


def _problem_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "headers": {"Cache-Control": {"$ref": "#/components/headers/NoStore"}},
        "content": {PROBLEM_TYPE: {"schema": {"$ref": _REF.format(name="ProblemDetails")}}},
    }


def _operation(
    op: _Operation, by_shape: dict[int, Any], examples: dict[str, Any]
) -> dict[str, Any]:
    body: dict[str, Any] = {"schema": by_shape[id(op.shape)]} if op.shape else {}
    if op.shape is None:
        body = {"schema": {"type": "object", "description": "An OpenAPI 3.1 document"}}
    if op.op_id in examples:
        body["examples"] = {"sample": {"value": examples[op.op_id]}}
    ok: dict[str, Any] = {
        "description": op.summary,
        "headers": {
            "ETag": {"$ref": "#/components/headers/ETag"},
            "Cache-Control": {"$ref": "#/components/headers/NoCache"},
        },
        "content": {"application/json": body},
    }
    if op.links:
        ok["links"] = {
            name: {"operationId": target, "parameters": params}
            for name, (target, params) in op.links.items()
        }
    responses: dict[str, Any] = {
        "200": ok,
        "304": {
            "description": "Not modified: If-None-Match matched the ETag (no body)",
            "headers": {"ETag": {"$ref": "#/components/headers/ETag"}},
        },
        "401": {"$ref": "#/components/responses/Unauthorized"},
        "429": {"$ref": "#/components/responses/TooMany"},
    }
    for status in op.errors:
        ref = "Unavailable" if status == 503 else f"Problem{status}"
        responses[str(status)] = {"$ref": f"#/components/responses/{ref}"}
    return {
        "get": {
            "operationId": op.op_id,
            "summary": op.summary,
            "parameters": [{"$ref": f"#/components/parameters/{p}"} for p in op.params]
            + [{"$ref": "#/components/parameters/IfNoneMatch"}],
            "responses": dict(sorted(responses.items())),
        }
    }


def build_openapi() -> dict[str, Any]:
    """The OpenAPI 3.1 document of /api/v1, generated from remote/schema.py."""
    by_shape, components = _components()
    examples = _examples()
    problem_example = {"sample": {"value": examples["problem"]}}
    responses: dict[str, Any] = {
        f"Problem{status}": _problem_response(text)
        for status, text in _PROBLEM_WHEN.items()
        if status not in (401, 429, 503)
    }
    responses["Problem404"]["content"][PROBLEM_TYPE]["examples"] = problem_example
    unauthorized = _problem_response(_PROBLEM_WHEN[401])
    unauthorized["headers"]["WWW-Authenticate"] = {
        "description": 'Bearer realm="chitieu" (plus error="invalid_token" when it is wrong)',
        "schema": {"type": "string"},
    }
    responses["Unauthorized"] = unauthorized
    too_many = _problem_response(_PROBLEM_WHEN[429])
    too_many["headers"]["Retry-After"] = {
        "description": "Seconds until the address may try again",
        "schema": {"type": "string", "pattern": "^[0-9]+$"},
    }
    responses["TooMany"] = too_many
    unavailable = _problem_response(_PROBLEM_WHEN[503])
    unavailable["content"]["text/plain"] = {"schema": {"type": "string"}}
    responses["Unavailable"] = unavailable
    doc = {
        "openapi": "3.1.0",
        "info": {"title": "chitieu API", "version": "1", "description": _DESCRIPTION},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {}],
        "paths": {
            **{API_PREFIX + op.path: _operation(op, by_shape, examples) for op in _OPERATIONS},
            **_write_paths(by_shape[id(schema.ProgressDocument)]),
        },
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "parameters": _parameters(examples),
            "headers": {
                "ETag": {
                    "description": "A strong tag of the body",
                    "schema": {"type": "string", "pattern": '^"[0-9a-f]{32}"$'},
                },
                "NoCache": {"schema": {"type": "string", "enum": ["no-cache"]}},
                "NoStore": {"schema": {"type": "string", "enum": ["no-store"]}},
            },
            "responses": responses,
            "schemas": components,
        },
    }
    targets = doc["paths"][API_PREFIX + "/targets/{year}"]  # type: ignore[index]
    targets["put"] = put_targets_operation(by_shape[id(schema.TargetsDocument)])
    return doc


_OPENAPI: list[dict[str, Any]] = []


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document, built on first use and kept."""
    if not _OPENAPI:
        _OPENAPI.append(build_openapi())
    return _OPENAPI[0]
