"""A collection read from a server with many units: in one bulk request when the server has
it, else each unit an ApiSource with its own requests and ETags."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import time
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import msgspec

from chitieu_tui.core.collection import Collection, Member, Reporting
from chitieu_tui.core.errors import ChitieuError, DataError, Place, SourceError
from chitieu_tui.core.loader import report_problems
from chitieu_tui.core.model import ReportHead, clean_report
from chitieu_tui.core.periods import Period
from chitieu_tui.core.targets import Targets
from chitieu_tui.core.text import clean
from chitieu_tui.core.tomlfile import Locator
from chitieu_tui.i18n import Msg
from chitieu_tui.remote import schema
from chitieu_tui.remote.client import TOKEN_ENV, ApiClient, MiB, Settings, status_words
from chitieu_tui.remote.handed import TargetsReader
from chitieu_tui.remote.source import ApiSource, normalize_base_url
from chitieu_tui.remote.wire import API_PREFIX, schema_words

LIST_DEADLINE = 20.0
NAME_MAX = 200
"""A collection's name from a server is cut to this many characters."""
BULK_MAX_BODY = 64 * MiB
"""Cap on a bulk answer (about 12 kB a unit of 40 indicators: some 5,000 units)."""


def parse_units(data: Any, where: str) -> list[tuple[str, str]]:
    """`[{"id", "name"}]` from `GET /api/v1/units`, checked."""
    if not isinstance(data, list):
        raise SourceError("err.collection.units_shape", Place(where))
    units: list[tuple[str, str]] = []
    for item in data:
        if not isinstance(item, dict):
            raise SourceError("err.collection.units_shape", Place(where))
        uid, name = item.get("id"), item.get("name")
        if not isinstance(uid, str) or not isinstance(name, str):
            raise SourceError("err.collection.units_shape", Place(where))
        units.append((uid, clean(name)))
    if not units:
        raise SourceError("err.collection.no_units", Place(where))
    return units


class _Envelope(msgspec.Struct, frozen=True):
    """A bulk answer with its entries not yet looked into."""

    period: schema.PeriodText
    units: list[dict[str, Any]]
    name: str | None = None
    reporting: dict[str, Any] | None = None
    """collection.toml `[reporting]`, checked by `_reporting` (a server before it: none)."""
    report: dict[str, Any] | None = None
    """collection.toml `[report]`, checked by `_report_head` (a wrong one is left out)."""


class _Head(msgspec.Struct, frozen=True):
    """What an entry says of itself: the documents in it are checked by the unit's own
    validators (against the same Structs), so a unit of the wrong shape fails alone."""

    unit: schema.Id
    name: str
    etag: schema.ETagText
    error: schema.ProblemDetails | None = None


def _shape_error(where: str, exc: msgspec.ValidationError) -> SourceError:
    detail = Msg(
        "err.wire.schema", detail=schema_words(str(exc)), openapi=f"{API_PREFIX}/openapi.json"
    )
    return SourceError(Msg("err.api.wrong_shape", detail=detail), Place(where))


class BulkReader:
    """Reads every unit of a server with `GET /api/v1/progress[/{period}]`: one conditional
    request for the whole roll-up. Each unit's entry goes to that unit's ApiSource, which
    validates, evaluates and snapshots it as its own refresh would (and still serves the
    unit's full dashboard with its own requests)."""

    def __init__(self, url: str, token: str | None, make: Any, settings: Settings):
        self.url = url
        self.make = make
        self.settings = dataclasses.replace(
            settings, max_body=max(settings.max_body, BULK_MAX_BODY)
        )
        self.client = ApiClient(url, token, self.settings)
        self.targets = TargetsReader(self.client)

    async def aclose(self) -> None:
        """Close the connections."""
        await self.client.aclose()

    async def read(self, collection: Collection, period: Period | None) -> bool:
        """One bulk request; False when the server has no such route (a 404)."""
        path = f"{API_PREFIX}/progress" + (f"/{period}" if period is not None else "")
        where = self.client.url(path)
        deadline = self.settings.deadline
        self.client.deadline_at = time.monotonic() + deadline
        try:
            async with asyncio.timeout(deadline):
                fetched = await self.client.fetch(path, missing_ok=True)
            if fetched.status == 404:
                return False
            try:
                answer = msgspec.convert(fetched.data, _Envelope)
            except msgspec.ValidationError as exc:
                raise _shape_error(where, exc) from None
        except TimeoutError:
            err = SourceError("err.api.too_slow", Place(self.url), seconds=f"{deadline:g}")
            return await self._failed(collection, period, err)
        except SourceError as err:
            return await self._failed(collection, period, err)
        shown = Period.parse(answer.period)
        if period is not None and shown != period:
            err = SourceError(
                Msg("err.api.wrong_shape", detail=Msg("err.wire.missing", field="period")),
                Place(where),
            )
            return await self._failed(collection, period, err)
        named = clean(answer.name or "").strip()[:NAME_MAX]
        collection.name = named or self.url  # the collection's name, else where it is
        collection.reporting = _reporting(answer.reporting)
        collection.report = _report_head(answer.report)
        pairs = self._pair(collection, answer.units, where)
        await self._apply(collection, pairs, shown, where)
        collection.targets = await self._targets(collection, shown.year)
        return True

    async def _targets(self, collection: Collection, year: int) -> Targets | None:
        """The year's assignment (one conditional request a refresh; None on 404); when
        the server cannot answer, the last one read of that year (as the units' offline
        copies stand in for them)."""
        try:
            return await self.targets.read(year)
        except SourceError:
            old = collection.targets
            return old if old is not None and old.year == year else None

    def _pair(
        self, collection: Collection, entries: list[dict[str, Any]], where: str
    ) -> list[tuple[Member, dict[str, Any] | SourceError]]:
        """Each member with its entry (or why it has none); members for new units added."""
        by_key = {m.key: m for m in collection.members}
        pairs: list[tuple[Member, dict[str, Any] | SourceError]] = []
        seen: set[str] = set()
        for entry in entries:
            uid = entry.get("unit") if isinstance(entry, dict) else None
            if not isinstance(uid, str) or not schema_unit(uid) or uid in seen:
                continue
            seen.add(uid)
            member = by_key.get(uid)
            if member is None:
                member = Member(uid, self.make(uid), title=clean(str(entry.get("name", uid))))
                collection.members.append(member)
            try:
                msgspec.convert(entry, _Head)
            except msgspec.ValidationError as exc:
                pairs.append((member, _shape_error(where, exc)))
                continue
            pairs.append((member, entry))
        for m in collection.members:
            if m.key not in seen:
                err = SourceError(
                    Msg("err.api.not_found", status=status_words(404)),
                    Place(self.client.url(f"{API_PREFIX}/units/{m.key}")),
                )
                pairs.append((m, err))
        if not collection.members:
            raise SourceError("err.collection.no_units", Place(where))
        return pairs

    async def _failed(
        self, collection: Collection, period: Period | None, err: SourceError
    ) -> bool:
        """The request failed: every unit shows its offline copy (at start: the error)."""
        if not collection.members:
            raise err
        shown = period or collection.period
        if shown is None:
            raise err
        await self._apply(collection, [(m, err) for m in collection.members], shown, self.url)
        return True

    async def _apply(
        self,
        collection: Collection,
        pairs: list[tuple[Member, dict[str, Any] | SourceError]],
        period: Period,
        where: str,
    ) -> None:
        """Every unit's View from its entry, in one worker thread, each source's lock held."""
        for m, _ in pairs:
            m.stamp, m.stamped_for = m.source.stamp(period), period

        def work() -> None:
            for m, entry in pairs:
                source = m.source
                assert isinstance(source, ApiSource)
                try:
                    m.view, m.error = source.apply_bulk(entry, period, where), None
                except ChitieuError as exc:
                    m.error = exc

        async with AsyncExitStack() as stack:
            for m, _ in pairs:
                source = m.source
                if isinstance(source, ApiSource):
                    await stack.enter_async_context(source.locked())
            await asyncio.to_thread(work)
        collection.period = period
        collection.discover = None


def _reporting(data: dict[str, Any] | None) -> Reporting | None:
    """The collection's deadline as the bulk answer sends it; None when absent or unusable
    (nobody is then marked late, as without `[reporting]`)."""
    if data is None:
        return None
    try:
        found = msgspec.convert(data, schema.Reporting)
    except msgspec.ValidationError:
        return None
    return Reporting(cutoff_day=found.cutoff_day, send_days=found.send_days)


def _report_head(data: dict[str, Any] | None) -> ReportHead | None:
    """The collection's `[report]` as the bulk answer sends it, checked as collection.toml's
    is (texts cleaned); None when absent or unusable (the document then prints blanks)."""
    if data is None:
        return None
    try:
        head = msgspec.convert(data, ReportHead)
    except msgspec.ValidationError:
        return None
    if report_problems(head, Locator("")):
        return None
    return clean_report(head)


def read_year_targets(collection: Collection, year: int) -> Targets:
    """One year's assignment of a server's collection, for a one-shot command (`chitieu
    targets --api`): DataError `err.targets.no_file` naming the route when the server has
    none (404, or a server without the bulk route, from before the assignment's route)."""
    reader = collection.bulk
    where = collection.label
    if isinstance(reader, BulkReader):
        where = reader.targets.where(year)

        async def go() -> Targets | None:
            reader.client.deadline_at = time.monotonic() + reader.settings.deadline
            try:
                return await reader.targets.read(year)
            finally:
                await reader.aclose()

        found = asyncio.run(go())
        if found is not None:
            return found
    raise DataError("err.targets.no_file", Place(where), year=year)


def schema_unit(uid: str) -> bool:
    """A unit id the client may ask for (`^[a-z0-9-]{1,64}$`)."""
    return 0 < len(uid) <= 64 and all(c in "abcdefghijklmnopqrstuvwxyz0123456789-" for c in uid)


def api_collection(
    base_url: str,
    snapshots: Path | None = None,
    token: str | None = None,
    *,
    bulk: bool = True,
    **source_options: Any,
) -> Collection:
    """A collection whose members are found on the server when it is first loaded: with
    one bulk request when the server has it (`bulk=False`: never asked), else `/units`."""
    url = normalize_base_url(base_url)
    token = token if token is not None else (os.environ.get(TOKEN_ENV) or None)

    def make(uid: str) -> ApiSource:
        return ApiSource(
            url,
            uid,
            snapshots=snapshots / uid if snapshots is not None else None,
            token=token,
            **source_options,
        )

    async def discover() -> list[Member]:
        client = ApiClient(url, token, Settings())
        client.deadline_at = time.monotonic() + LIST_DEADLINE
        try:
            fetched = await client.fetch(f"{API_PREFIX}/units")
        finally:
            await client.aclose()
        units = parse_units(fetched.data, client.url(f"{API_PREFIX}/units"))
        return [Member(uid, make(uid), title=name) for uid, name in units]

    reader = None
    if bulk:
        settings = Settings(**{k: v for k, v in source_options.items() if k in _SETTINGS})
        reader = BulkReader(url, token, make, settings)
    return Collection(url, [], [], label=f"api:{url}", kind="api", discover=discover, bulk=reader)


_SETTINGS = {f.name for f in dataclasses.fields(Settings)}
