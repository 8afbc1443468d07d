"""The per-unit route handlers, each reading its unit's files off the event loop."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import anyio
import anyio.to_thread
from starlette.requests import Request
from starlette.responses import Response

from chitieu_tui.core.datadir import DataDir
from chitieu_tui.core.errors import ChitieuError
from chitieu_tui.core.model import Definitions, Progress
from chitieu_tui.core.periods import Period
from chitieu_tui.i18n import Msg
from chitieu_tui.remote import schema
from chitieu_tui.remote.server.problems import Problem, _data_problem, _log_once, _safe
from chitieu_tui.remote.server.responses import (
    _cached_body,
    _respond,
    cached_json_response,
    json_response,
)
from chitieu_tui.remote.server.rights import check_unit, may_read
from chitieu_tui.remote.server.units import Units, _Busy, _ServedDir, _Stamps, _stamps
from chitieu_tui.remote.wire import (
    definitions_to_json,
    journal_to_json,
    progress_to_json,
)

_YEAR_RE = re.compile(r"[0-9]{4}")
T = TypeVar("T")


def _period(text: str) -> Period:
    if not Period.is_valid(text):
        problem = Period.problem(text)
        if problem is not None and problem.key == "err.period.year_range":
            raise Problem(400, problem)  # 0000-Q1: well formed, of no sane year
        raise Problem(400, Msg("err.server.bad_period", period=_safe(text, 20)))
    return Period.parse(text)


def _units(request: Request) -> Units:
    units: Units = request.app.state.units
    return units


async def _off_loop(request: Request, unit: str, work: Callable[[dict[str, Any]], T]) -> T:
    """Run `work(job)` in a worker thread; 503 naming the file being read when it outlasts
    the bound (the thread is left to finish; later requests for that unit answer 503 at once
    while it holds the unit's folder). A unit the request's account may not read is 404 here,
    where a unit that does not exist is found to be one: the same answer, after the same
    checks of the other path parameters."""
    if unit:
        check_unit(request, unit)
    units = _units(request)
    job: dict[str, Any] = {}
    try:
        with anyio.move_on_after(units.bound):
            return await _to_thread(lambda: work(job))
    except _Busy as busy:
        raise _slow(busy.unit, busy.file, units.bound) from None
    data: _ServedDir | None = job.get("data")
    if data is None:
        raise _slow(unit, ".", units.bound)
    raise _slow(unit or data.root.name, data.reading, units.bound)


def _slow(unit: str, file: str, bound: float) -> Problem:
    _log_once(
        ("slow", f"{unit}/{file}"),
        "server.log.slow_read",
        unit=_safe(unit),
        file=file,
        seconds=f"{bound:g}",
    )
    return Problem(503, Msg("err.server.slow_file", unit=_safe(unit), file=file))


async def _to_thread(work: Callable[[], T]) -> T:
    try:
        return await anyio.to_thread.run_sync(work, abandon_on_cancel=True)
    except TypeError:  # anyio < 4.1
        return await anyio.to_thread.run_sync(work, cancellable=True)  # type: ignore[call-arg]


async def list_units(request: Request) -> Response:
    """`GET /api/v1/units` -> `[{"id", "name"}]`."""
    units = _units(request)
    found = await _off_loop(request, "", units.units)
    items = [{"id": uid, "name": name} for uid, name in found if may_read(request, uid)]
    return json_response(request, items, schema.UnitList)


def _definitions(data: DataDir) -> Definitions:
    """A unit's definitions, or a 500 problem that names no server path."""
    try:
        return data.definitions()
    except ChitieuError as exc:
        raise _data_problem(exc, data) from None


async def get_unit(request: Request) -> Response:
    """`GET /api/v1/units/{unit}` -> definitions."""
    unit = request.path_params["unit"]
    units = _units(request)
    fast = units.fast((unit, "unit")) if may_read(request, unit) else None
    if fast is not None:
        return _respond(request, *fast)

    def work(data: _ServedDir) -> tuple[Path, _Stamps, Definitions]:
        stamps = _stamps(data.definitions_path)
        return data.root, stamps, _definitions(data)

    root, stamps, defs = await _off_loop(request, unit, lambda job: units.run(unit, work, job))
    body, etag = _cached_body(
        request, (root, "unit"), defs, definitions_to_json, schema.UnitDocument
    )
    units.keep((unit, "unit"), root, stamps, body, etag)
    return _respond(request, body, etag)


async def list_periods(request: Request) -> Response:
    """`GET /api/v1/units/{unit}/periods` -> `{"unit", "periods"}` (an addition to docs/api.md)."""
    unit = request.path_params["unit"]
    units = _units(request)

    def work(data: _ServedDir) -> dict[str, Any]:
        defs = _definitions(data)
        return {"unit": defs.unit.id, "periods": [str(p) for p in data.periods()]}

    found = await _off_loop(request, unit, lambda job: units.run(unit, work, job))
    return json_response(request, found, schema.PeriodList)


async def get_progress(request: Request) -> Response:
    """`GET /api/v1/units/{unit}/progress/{period}` -> progress; 404 when it has no file."""
    unit = request.path_params["unit"]
    text = request.path_params["period"]
    units = _units(request)
    # nothing changed since the last answer (a few stats on the loop): no thread, no read
    fast = units.fast((unit, "progress", text)) if may_read(request, unit) else None
    if fast is not None:
        return _respond(request, *fast)
    period = _period(text)

    def work(data: _ServedDir) -> tuple[Path, _Stamps, Definitions, Progress | None]:
        stamps = _stamps(data.definitions_path, data.progress_path(period))
        try:
            defs = data.definitions()
            return data.root, stamps, defs, data.progress(period, defs)
        except ChitieuError as exc:
            raise _data_problem(exc, data) from None

    root, stamps, defs, progress = await _off_loop(
        request, unit, lambda job: units.run(unit, work, job)
    )
    if progress is None:
        raise Problem(404, Msg("err.server.no_progress", unit=defs.unit.id, period=str(period)))
    body, etag = _cached_body(
        request,
        (root, "progress", period),
        progress,
        lambda found: progress_to_json(found, defs),
        schema.ProgressDocument,
    )
    units.keep((unit, "progress", text), root, stamps, body, etag)
    return _respond(request, body, etag)


async def get_year(request: Request) -> Response:
    """`GET /api/v1/units/{unit}/years/{year}` -> that year's definitions (`years/<year>.toml`,
    or chitieu.toml for its own year); 404 when the year has none."""
    unit = request.path_params["unit"]
    text = request.path_params["year"]
    if not _YEAR_RE.fullmatch(text):  # ASCII digits only ("٢٠٢٦".isdigit() is True)
        raise Problem(400, Msg("err.server.bad_year", year=_safe(text, 20)))
    year = int(text)
    units = _units(request)

    def work(data: _ServedDir) -> tuple[Path, Definitions, Definitions | None]:
        try:
            defs = data.definitions()
            return data.root, defs, data.year_definitions(year)
        except ChitieuError as exc:
            raise _data_problem(exc, data) from None

    root, defs, found = await _off_loop(request, unit, lambda job: units.run(unit, work, job))
    if found is None:
        raise Problem(404, Msg("err.server.no_year", unit=defs.unit.id, year=year))
    return cached_json_response(
        request, (root, "years", year), found, definitions_to_json, schema.UnitDocument
    )


async def get_journal(request: Request) -> Response:
    """`GET /api/v1/units/{unit}/journal/{period}` -> `{"unit", "period", "changes"}`, oldest
    first, with values changed by hand listed (computed; the server writes nothing)."""
    unit = request.path_params["unit"]
    period = _period(request.path_params["period"])
    units = _units(request)

    def work(data: _ServedDir) -> dict[str, Any]:
        try:
            defs = data.definitions()
            path = data.journal_path(period)
            if os.path.lexists(path) and not data.allowed(path):
                return journal_to_json(defs.unit.id, period, [])
            data.reading = data.shown(path)
            return journal_to_json(defs.unit.id, period, data.journal(period), defs)
        except ChitieuError as exc:
            raise _data_problem(exc, data) from None

    found = await _off_loop(request, unit, lambda job: units.run(unit, work, job))
    return json_response(request, found, schema.Journal)
