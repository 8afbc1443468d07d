"""`GET /api/v1/progress[/{period}]`: every unit's entry for one period in one answer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import anyio
import anyio.to_thread
import msgspec
from starlette.requests import Request
from starlette.responses import Response

from chitieu_tui.core.collection import CollectionInfo
from chitieu_tui.core.errors import ChitieuError
from chitieu_tui.core.model import Progress
from chitieu_tui.core.periods import Period, default_period
from chitieu_tui.i18n import Msg, t_in
from chitieu_tui.remote import schema
from chitieu_tui.remote.server.problems import Problem, _data_problem, _lang
from chitieu_tui.remote.server.responses import _etag, _respond
from chitieu_tui.remote.server.rights import may_read
from chitieu_tui.remote.server.routes import _definitions, _off_loop, _period, _units
from chitieu_tui.remote.server.units import _ServedDir, _stamp, _Stamps
from chitieu_tui.remote.wire import (
    definitions_to_json,
    encode_as,
    progress_to_json,
)

T = TypeVar("T")
_ENTRY_TAG = '"' + "0" * 32 + '"'
"""Stands for an entry's ETag while the entry is hashed (the tag of the rest)."""


def _bulk_stamps(data: _ServedDir, period: Period) -> _Stamps:
    """Stamps of what a unit's bulk entry is made from, taken before reading: its folder,
    chitieu.toml, `progress/` (a file added or removed), the year's quarters so far and
    `years/<year>.toml`; only those that exist (a new one changes its folder's stamp)."""
    paths = [data.root, data.definitions_path, data.root / "progress", data.root / "years"]
    paths += [data.progress_path(q) for q in period.quarters_of_year_so_far()]
    paths.append(data.year_path(period.year))
    return tuple((path, stamp) for path in paths if (stamp := _stamp(path)) is not None)


def _bulk_entry(data: _ServedDir, period: Period) -> tuple[Path, _Stamps, dict[str, Any]]:
    """One readable unit's entry for `period` (without its tag): definitions, periods, the
    period's progress and the earlier quarters of its year; a broken file is a 500 problem."""
    stamps = _bulk_stamps(data, period)
    try:
        defs = data.definitions()
        periods = data.periods()
        progress: dict[Period, Progress] = {}
        for quarter in period.quarters_of_year_so_far():
            if quarter in periods:
                found = data.progress(quarter, defs)
                if found is not None:
                    progress[quarter] = found
        year = None if period.year == defs.unit.year else data.year_definitions(period.year)
    except ChitieuError as exc:
        raise _data_problem(exc, data) from None
    entry: dict[str, Any] = {
        "unit": defs.unit.id,
        "name": defs.unit.name,
        "etag": _ENTRY_TAG,
        "definitions": definitions_to_json(defs),
        "periods": [str(p) for p in periods],
        "progress": progress_to_json(progress[period], defs) if period in progress else None,
        "earlier": [progress_to_json(p, defs) for q, p in sorted(progress.items()) if q != period],
    }
    if year is not None:
        entry["year"] = definitions_to_json(year)
    return data.root, stamps, entry


def _tagged(entry: dict[str, Any]) -> tuple[bytes, str]:
    """An entry encoded through `schema.BulkUnit`, its `etag` the tag of the rest."""
    body = encode_as(entry, schema.BulkUnit)
    etag = _etag(body)
    placeholder = b',"etag":' + msgspec.json.encode(_ENTRY_TAG)
    return body.replace(placeholder, b',"etag":' + msgspec.json.encode(etag), 1), etag


def _newest_of(data: _ServedDir) -> Period:
    """The unit's default period (newest with progress not after today; Q1 of its year
    when none)."""
    return default_period(data.periods(), _definitions(data).unit.year)


async def _each(
    request: Request,
    units: list[tuple[str, str, bool]],
    work: Callable[[_ServedDir], T],
) -> list[T | Problem]:
    """`work` on every unit's folder, concurrently, each off the event loop under the
    unit's own lock and bound (as the unit's own endpoints): a result, or the problem."""
    found = _units(request)
    out: list[Any] = [None] * len(units)

    async def one(index: int, uid: str) -> None:
        try:
            out[index] = await _off_loop(request, uid, lambda job: found.run(uid, work, job))
        except Problem as problem:
            out[index] = problem

    async with anyio.create_task_group() as group:
        for index, (uid, _, _) in enumerate(units):
            group.start_soon(one, index, uid)
    return out


def _problem_entry(uid: str, name: str, problem: Problem, lang: str) -> bytes:
    """The entry of a unit that cannot be read: the problem its own endpoints answer."""
    detail = schema.ProblemDetails(
        title=t_in(lang, f"err.server.status_{problem.status}"),
        status=problem.status,
        detail=problem.msg.text(lang),
        code=problem.msg.key,
    )
    entry = {"unit": uid, "name": name, "etag": _ENTRY_TAG, "progress": None, "error": detail}
    return _tagged(entry)[0]


def _collection_head(info: CollectionInfo | None) -> bytes:
    """The served collection's `name`, `reporting` and `report` (collection.toml), each only
    when given, as the fields after `period` (an older client ignores them)."""
    if info is None:
        return b""
    head = b""
    title = info.name.strip()
    if title:
        head += b',"name":' + msgspec.json.encode(title)
    if info.reporting is not None:
        head += b',"reporting":' + encode_as(msgspec.to_builtins(info.reporting), schema.Reporting)
    if info.report is not None:
        head += b',"report":' + encode_as(msgspec.to_builtins(info.report), schema.ReportHead)
    return head


async def bulk_progress(request: Request) -> Response:
    """`GET /api/v1/progress/{period}` (and `/api/v1/progress`: the newest period any readable
    unit has progress for): every unit's entry in one answer, with one ETag."""
    text = request.path_params.get("period")
    units = _units(request)
    period = _period(text) if text is not None else None
    listed, info = await _off_loop(
        request, "", lambda job: (units.folders(job), units.collection_info())
    )
    listed = [u for u in listed if may_read(request, u[0])]  # only the account's units
    lang = _lang(request)
    if period is None:
        newest = await _each(request, [u for u in listed if u[2]], _newest_of)
        have = [p for p in newest if isinstance(p, Period)]
        if not have:
            raise Problem(404, Msg("err.server.no_units"))
        period = max(have)
    key = text if text is not None else f"{period.year:04d}-Q{period.quarter}"
    entries: list[bytes | None] = [None] * len(listed)
    missing: list[int] = []
    for index, (uid, _, readable) in enumerate(listed):
        fast = units.fast((uid, "bulk", key)) if readable else None
        if fast is not None:
            entries[index] = fast[0]
        else:
            missing.append(index)
    asked = period
    results = await _each(
        request, [listed[i] for i in missing], lambda data: _bulk_entry(data, asked)
    )
    for index, result in zip(missing, results, strict=True):
        uid, name, _ = listed[index]
        if isinstance(result, Problem):
            if result.status != 404:  # a unit gone since the listing is left out
                entries[index] = _problem_entry(uid, name, result, lang)
            continue
        root, stamps, entry = result
        body, etag = _tagged(entry)
        units.keep((uid, "bulk", key), root, stamps, body, etag)
        entries[index] = body
    parts = [e for e in entries if e is not None]
    head = msgspec.json.encode(key) + _collection_head(info)
    body = b'{"period":' + head + b',"units":[' + b",".join(parts) + b"]}"
    return _respond(request, body, _etag(body))
