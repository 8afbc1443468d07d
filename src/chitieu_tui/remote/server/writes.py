"""The write routes (DESIGN section 12): values, close and reopen, with an account's rights.

Each route builds the same request objects as `chitieu set`, `unset`, `close` and `reopen`
(core/requests.py) and hands them to the unit's folder (`DataDir.write`, the one
transaction of core/writer.py: bounds, integer, plausibility, closed, the quarter's own
year, the lock, the journal first, the atomic write), in a worker thread, holding the
unit's folder as the reads do. No rule is checked here a second time: this module only
turns a body into requests and the writer's errors into problem details.

`by` is the account's display name and the journal records its `name` (`account`); a `by`
in a body is ignored. Without users.toml nothing is writable (403 `err.server.read_only`).
"""

from __future__ import annotations

import dataclasses
import json
import math
from collections.abc import Callable
from typing import Any

import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response

from chitieu_tui.core.errors import ChitieuError, DataError, EntryError, WriteError
from chitieu_tui.core.model import Entry
from chitieu_tui.core.periods import Period
from chitieu_tui.core.requests import ANY, Close, Expect, Reopen, SetValue, Unset, Written
from chitieu_tui.core.users import User
from chitieu_tui.core.writer import ClosedError, ConflictError
from chitieu_tui.i18n import Msg
from chitieu_tui.remote import schema
from chitieu_tui.remote.server.problems import (
    Problem,
    _data_problem,
    _lang,
    _safe,
    problem_response,
)
from chitieu_tui.remote.server.responses import json_response
from chitieu_tui.remote.server.rights import refused, require
from chitieu_tui.remote.server.routes import _period, _units
from chitieu_tui.remote.server.units import _Busy, _ServedDir
from chitieu_tui.remote.wire import _value_json, integer_ids, progress_to_json

MAX_BODY = 64 * 1024
"""Most bytes of a write's JSON body (a value, three texts of 2,000 characters, an entry)."""
_ID_MAX = 64
_VALUE_KEYS = {
    "value",
    "note",
    "cause",
    "remedy",
    "expect",
    "confirm",
    "confirm_outlier",
    "via",
    "by",
}
_REASON_KEYS = {"reason", "by"}
VIAS = ("set", "form", "import")
"""How a value came, as a client may say it (`set` by default); the journal's `via`."""


def _writable(request: Request, unit: str, action: str) -> User:
    """The account, when the server has accounts and it may do `action` on `unit`."""
    if request.app.state.accounts is None:
        raise Problem(403, Msg("err.server.read_only"))
    return require(request, unit, action)


async def _json_body(request: Request, limit: int = MAX_BODY) -> dict[str, Any]:
    """The body as a JSON object (400 when it is not one, 413 beyond `limit` bytes)."""
    size = 0
    chunks: list[bytes] = []
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise Problem(413, Msg("err.server.body_too_big", limit=limit))
        chunks.append(chunk)
    try:
        data = json.loads(b"".join(chunks).decode("utf-8"), parse_constant=_no_constant)
    except (UnicodeDecodeError, ValueError):
        raise Problem(400, Msg("err.server.bad_json")) from None
    if not isinstance(data, dict):
        raise Problem(400, Msg("err.server.bad_json"))
    return data


def _no_constant(name: str) -> Any:
    raise ValueError(name)  # NaN and Infinity are no JSON


def _field_error(field: str, what: str) -> Problem:
    return Problem(400, Msg("err.server.bad_field", field=field, what=Msg(what)))


def _known(data: dict[str, Any], keys: set[str]) -> None:
    for key in data:
        if key not in keys:
            raise Problem(400, Msg("err.server.unknown_field", field=_safe(str(key), 40)))


def _text(data: dict[str, Any], key: str) -> str | None:
    value = data.get(key)
    if value is None or isinstance(value, str):
        return value
    raise _field_error(key, "server.what.text")


def _number(value: Any, field: str) -> float | bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and math.isfinite(value):
        return float(value)
    raise _field_error(field, "server.what.value")


def expect_of(raw: Any, field: str = "expect") -> Entry | None:
    """An `expect` as sent: null (no value expected), a value, or `{"value", "note"?}` (the
    other keys of a value object, `by`, `at`, `cause`, `remedy`, are not compared)."""
    if raw is None:
        return None
    if isinstance(raw, dict):
        if "value" not in raw:
            raise _field_error(field, "server.what.expect")
        note = raw.get("note", "")
        if not isinstance(note, str):
            raise _field_error(field, "server.what.expect")
        return Entry(_number(raw["value"], field), note)
    return Entry(_number(raw, field))


def _indicator_id(request: Request) -> str:
    text = str(request.path_params["id"])
    if not text or len(text) > _ID_MAX or not text.isprintable():
        raise Problem(400, Msg("err.server.bad_id", id=_safe(text, 40)))
    return text


def _status_of(exc: ChitieuError) -> int:
    """The writer's refusal as an HTTP status (docs/api.md, the write routes)."""
    key = exc.msg.key
    if isinstance(exc, ConflictError):
        return 412
    if isinstance(exc, ClosedError) or (
        isinstance(exc, WriteError)
        and key.startswith(("err.closed.", "err.approved.", "err.returned."))
    ):
        return 409
    if key == "err.write.locked":
        return 503
    if isinstance(exc, EntryError) or key.startswith(("err.indicator.", "err.entry.")):
        return 422
    if isinstance(exc, DataError | WriteError) and key.startswith("err.value."):
        return 422
    return 500


async def _write(
    request: Request,
    unit: str,
    user: User,
    make: Callable[[_ServedDir], list[Any]],
    *,
    bulk: list[str] | None = None,
) -> Response:
    """Run one write in a worker thread holding the unit's folder (waiting for it up to the
    read bound: 503 then, nothing written); the write itself is never abandoned, so an
    answer always says what happened. 200 with the quarter as it now stands."""
    units = _units(request)
    lang = _lang(request)

    def work() -> tuple[Written | None, ChitieuError | None, Any]:
        job: dict[str, Any] = {}
        data = units.find(unit, job)
        with data.held(units.bound):
            requests = make(data)
            try:
                written = data.write(requests)
            except ChitieuError as exc:
                defs = None
                try:
                    defs = data.defs_for(requests[0].period)
                except ChitieuError:
                    pass
                return None, exc, (data, defs)
            return written, None, data.defs_for(requests[0].period)

    try:
        written, error, extra = await anyio.to_thread.run_sync(work)
    except _Busy as busy:
        raise Problem(
            503, Msg("err.server.slow_file", unit=_safe(busy.unit), file=busy.file)
        ) from None
    if error is not None:
        data, defs = extra
        status = _status_of(error)
        if status == 500:
            raise _data_problem(error, data)
        refused(request.scope, user, Msg("server.log.reason_write", unit=unit, why=error.msg.key))
        headers = {"Retry-After": "1"} if status == 503 else None
        response = problem_response(status, error.msg, lang, headers)
        extra: dict[str, Any] = {}
        ident = request.path_params.get("id")
        if bulk is not None and error.index is not None:  # which value was refused
            ident = bulk[error.index]
            extra = {"index": error.index, "id": ident}
        if status == 412:
            assert isinstance(error, ConflictError)
            integer = integer_ids(defs) if defs is not None else set()
            current = error.current
            extra["current"] = None if current is None else _value_json(current, ident in integer)
        if not extra:
            return response
        body = json.loads(response.body)
        body.update(extra)
        return Response(
            json.dumps(body, ensure_ascii=False).encode("utf-8"),
            status_code=status,
            media_type=response.media_type,
            headers={"Cache-Control": "no-store", **(headers or {})},
        )
    assert written is not None
    return json_response(
        request, progress_to_json(written.progress, extra), schema.ProgressDocument
    )


async def put_value(request: Request) -> Response:
    """`PUT /api/v1/units/{unit}/progress/{period}/values/{id}`: enter one value."""
    unit = str(request.path_params["unit"])
    period = _period(request.path_params["period"])
    user = _writable(request, unit, "write")
    indicator = _indicator_id(request)
    data = await _json_body(request)
    _known(data, _VALUE_KEYS)
    confirm, via = _confirm_via(data, "set")
    request_ = _set_value(data, period, indicator, confirm, via, _lang(request), user)
    request_ = dataclasses.replace(request_, confirm_outlier=_confirm_outlier(data))
    return await _write(request, unit, user, lambda _: [request_])


def _confirm_outlier(data: dict[str, Any]) -> bool:
    """A body's `confirm_outlier` (false by default): a value out of line with the unit's
    history is meant, and written with a follow-up mark (core/outliers.py)."""
    confirm = data.get("confirm_outlier", False)
    if not isinstance(confirm, bool):
        raise _field_error("confirm_outlier", "server.what.bool")
    return confirm


def _confirm_via(data: dict[str, Any], via: str) -> tuple[bool, str]:
    """A body's `confirm` (false by default) and `via` (`via` by default), checked."""
    confirm = data.get("confirm", False)
    if not isinstance(confirm, bool):
        raise _field_error("confirm", "server.what.bool")
    via = data.get("via", via)
    if via not in VIAS:
        raise _field_error("via", "server.what.via")
    return confirm, via


def _set_value(
    data: dict[str, Any],
    period: Period,
    indicator: str,
    confirm: bool,
    via: str,
    lang: str,
    user: User,
) -> SetValue:
    """The `SetValue` of one value object (`value`, `note`, `cause`, `remedy`, `expect`),
    written as the account."""
    if "value" not in data:
        raise _field_error("value", "server.what.value")
    raw = data["value"]
    value: str | float | bool = raw if isinstance(raw, str) else _number(raw, "value")
    expect: Entry | None | Expect = expect_of(data["expect"]) if "expect" in data else ANY
    texts = {key: _text(data, key) for key in ("note", "cause", "remedy")}
    return SetValue(
        period=period,
        id=indicator,
        value=value,
        confirm=confirm,
        lang=lang,
        expect=expect,
        by=user.shown,
        account=user.name,
        via=via,
        **texts,
    )


async def value_route(request: Request) -> Response:
    """`…/values/{id}`: PUT or DELETE (one route: Starlette answers 405 for a second one)."""
    if request.method == "PUT":
        return await put_value(request)
    return await delete_value(request)


async def delete_value(request: Request) -> Response:
    """`DELETE …/values/{id}?expect=…`: remove one value (`expect`: JSON, as in a PUT)."""
    unit = str(request.path_params["unit"])
    period = _period(request.path_params["period"])
    user = _writable(request, unit, "write")
    indicator = _indicator_id(request)
    expect: Entry | None | Expect = ANY
    if "expect" in request.query_params:
        try:
            raw = json.loads(request.query_params["expect"], parse_constant=_no_constant)
        except ValueError:
            raise _field_error("expect", "server.what.expect") from None
        expect = expect_of(raw)

    def make(_: _ServedDir) -> list[Any]:
        return [
            Unset(
                period=period,
                id=indicator,
                expect=expect,
                by=user.shown,
                account=user.name,
            )
        ]

    return await _write(request, unit, user, make)


async def _close(request: Request, reopen: bool) -> Response:
    unit = str(request.path_params["unit"])
    period = _period(request.path_params["period"])
    user = _writable(request, unit, "close")
    data = await _json_body(request)
    _known(data, _REASON_KEYS)
    reason = _text(data, "reason") or ""
    kind = Reopen if reopen else Close

    def make(_: _ServedDir) -> list[Any]:
        return [kind(period=period, reason=reason, by=user.shown, account=user.name)]

    return await _write(request, unit, user, make)


async def post_close(request: Request) -> Response:
    """`POST …/close` `{"reason"}`: close the quarter (chốt số liệu)."""
    return await _close(request, reopen=False)


async def post_reopen(request: Request) -> Response:
    """`POST …/reopen` `{"reason"}`: reopen a closed quarter (not an approved one)."""
    return await _close(request, reopen=True)


BULK_MAX_BODY = 2 * 1024 * 1024
"""Most bytes of a bulk write's JSON body (an imported workbook of a unit's quarter)."""
BULK_MAX_VALUES = 1000
"""Most values in one bulk write."""
_BULK_KEYS = {"values", "confirm", "confirm_outlier", "via", "by"}
_BULK_VALUE_KEYS = {"id", "value", "note", "cause", "remedy", "expect"}


async def post_values(request: Request) -> Response:
    """`POST /api/v1/units/{unit}/progress/{period}/values` `{"values": [{"id", "value",
    "note"?, "cause"?, "remedy"?, "expect"?}], "confirm"?, "via"?}`: many values of one
    quarter in one transaction (`chitieu import --api`): all are written or none. A refusal
    names the value (`index` in the list and its `id`)."""
    unit = str(request.path_params["unit"])
    period = _period(request.path_params["period"])
    user = _writable(request, unit, "write")
    data = await _json_body(request, BULK_MAX_BODY)
    _known(data, _BULK_KEYS)
    items = data.get("values")
    if not isinstance(items, list) or not items or len(items) > BULK_MAX_VALUES:
        raise _field_error("values", "server.what.values")
    confirm, via = _confirm_via(data, "import")
    outlier_ok = _confirm_outlier(data)
    lang = _lang(request)
    requests: list[SetValue] = []
    for item in items:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise _field_error("values", "server.what.values")
        _known(item, _BULK_VALUE_KEYS)
        ident = item["id"]
        if not ident or len(ident) > _ID_MAX or not ident.isprintable():
            raise Problem(400, Msg("err.server.bad_id", id=_safe(ident, 40)))
        one = _set_value(item, period, ident, confirm, via, lang, user)
        requests.append(dataclasses.replace(one, confirm_outlier=outlier_ok))
    ids = [r.id for r in requests]
    return await _write(request, unit, user, lambda _: list(requests), bulk=ids)
