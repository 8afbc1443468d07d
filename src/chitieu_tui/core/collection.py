"""Collections: many units side by side (a folder of data folders or a server's units)."""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
from array import array
from collections import Counter
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

import msgspec

from chitieu_tui.core.arithmetic import Board, Evaluation, Status, expected_at
from chitieu_tui.core.errors import ChitieuError, DataError, ErrorList, InternalError, Place
from chitieu_tui.core.gcpause import gc_paused
from chitieu_tui.core.loader import ID_RE, report_problems, validation_error
from chitieu_tui.core.model import (
    Aggregate,
    Definitions,
    Indicator,
    ReportHead,
    aggregate_of,
    clean_report,
)
from chitieu_tui.core.paths import shown_path

if TYPE_CHECKING:
    from chitieu_tui.core.foldersource import LazyCache
    from chitieu_tui.core.parsecache import ParseCache
from chitieu_tui.core.periods import Period, preferred
from chitieu_tui.core.source import Source, View
from chitieu_tui.core.targets import (
    TARGETS,
    Targets,
    UnitDefs,
    assigned_ids,
    collection_units,
    load_targets,
    targets_path,
    thin_unit,
    unit_defs,
)
from chitieu_tui.core.text import clean
from chitieu_tui.core.tomlfile import Locator, read_toml

COLLECTION_FILE = "collection.toml"
DEFINITIONS = "chitieu.toml"
BOUND = 8
"""How many units are read (or fetched) at once."""
MAX_COLUMNS = 8
"""At most this many default columns (the headline ids most units share)."""


def fmean(values: Sequence[float]) -> float:
    """`statistics.fmean` (statistics, with fractions and random, imported on the first
    mean: not on a cached frame's first frame)."""
    import statistics  # lazy: 3 ms of imports the roll-up's first frame does not use

    return statistics.fmean(values)


FREEZE_UNITS = 50
"""From this many units, what a load read is frozen (`gc_paused(freeze=True)`)."""


class Reporting(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """`[reporting]` of collection.toml: the deadline to submit a quarter (DESIGN 12)."""

    cutoff_day: int = 14
    """Figures are taken up to this day of the quarter's last month (1–31)."""
    send_days: int = 2
    """Working days (Monday–Friday) after the cut-off to submit the quarter (0–30)."""


class CollectionInfo(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """collection.toml: how a folder of data folders is named and shown."""

    name: str = ""
    """Display name, e.g. `Tỉnh An Giang` (the folder's name when empty)."""
    columns: list[str] = msgspec.field(default_factory=list)
    """Indicator ids shown as the roll-up's columns, in order (default: the headline ids
    most units share)."""
    reporting: Reporting | None = None
    """The deadline to submit each quarter; absent: no deadline, nobody is late."""
    report: ReportHead | None = None
    """Who files the collection's report and in which layout (`[report]`, DESIGN 14)."""


def load_collection_info(path: Path, shown: str | None = None) -> CollectionInfo:
    """Read and validate collection.toml (unknown keys and wrong types refused, with a place)."""
    where = shown or str(path)
    data, text = read_toml(path, where)
    loc = Locator.scan(where, text)
    try:
        info = msgspec.convert(data, CollectionInfo)
    except msgspec.ValidationError as exc:
        raise validation_error(exc, data, loc) from None
    errs: list[ChitieuError] = []
    seen: set[str] = set()
    for cid in info.columns:
        if not ID_RE.fullmatch(cid):
            errs.append(
                DataError("err.collection.column_id", loc.place("", 0, "columns"), got=clean(cid))
            )
        elif cid in seen:
            errs.append(
                DataError("err.collection.column_twice", loc.place("", 0, "columns"), id=cid)
            )
        seen.add(cid)
    rep = info.reporting
    if rep is not None and not 1 <= rep.cutoff_day <= 31:
        place = loc.place("reporting", 0, "cutoff_day")
        errs.append(DataError("err.collection.cutoff_day", place, got=rep.cutoff_day))
    if rep is not None and not 0 <= rep.send_days <= 30:
        place = loc.place("reporting", 0, "send_days")
        errs.append(DataError("err.collection.send_days", place, got=rep.send_days))
    if info.report is not None:
        errs.extend(report_problems(info.report, loc))
    if errs:
        raise errs[0] if len(errs) == 1 else ErrorList(errs)
    head = clean_report(info.report) if info.report is not None else None
    return msgspec.structs.replace(info, name=clean(info.name), report=head)


@dataclass
class Member:
    """One unit of a collection: its source, its last view or why it could not be read."""

    key: str
    """The folder's name, or the unit id on a server."""
    source: Source
    view: View | None = None
    error: ChitieuError | None = None
    """Why the last read failed (the view, if any, is the last good one)."""
    stamp: object = None
    """The source's stamp when the last read started."""
    stamped_for: Period | None = None
    """The period that stamp was taken for (the period the last read asked)."""
    title: str = ""
    """A name known before reading (a server's unit list)."""

    @property
    def board(self) -> Board | None:
        """The board shown, or None while broken or not read yet."""
        return self.view.board if self.view is not None and self.error is None else None

    @property
    def name(self) -> str:
        """The unit's display name (the folder or id when unknown)."""
        if self.view is not None:
            return self.view.board.definitions.unit.name
        return self.title or self.key

    @property
    def unit_id(self) -> str:
        """The unit id (the key when unknown)."""
        if self.view is not None:
            return self.view.board.definitions.unit.id
        return self.key

    @property
    def offline(self) -> bool:
        """Showing an offline copy (a snapshot) instead of the server's data."""
        return self.view is not None and self.view.stale

    @property
    def duplicate(self) -> bool:
        """A later folder of a unit id another folder has (`mark_duplicates`): listed with
        its error, never counted as a unit."""
        return isinstance(self.error, DuplicateUnitError)

    @property
    def reporting(self) -> bool:
        """Readable and with progress for the period shown."""
        board = self.board
        return board is not None and board.progress is not None


Discover = Callable[[], Awaitable[list[Member]]]
Progressed = Callable[[int, int], None]


class Bulk(Protocol):
    """Reads every member of a collection at once (a server's bulk endpoint)."""

    async def read(self, collection: Collection, period: Period | None) -> bool:
        """Read every member at `period` (None: the newest any has), finding the members
        first when needed; False when it cannot (read each member on its own instead)."""
        ...

    async def aclose(self) -> None:
        """Close its connections."""
        ...


@dataclass
class Collection:
    """Many units side by side; loads them through the one source seam, each on its own."""

    name: str
    members: list[Member]
    columns: list[str] = field(default_factory=list)
    """Columns from collection.toml (empty: the default, see `shown_columns`)."""
    label: str = ""
    """Where it was read from (`wards/`, `api:http://…`)."""
    kind: str = "file"
    discover: Discover | None = None
    """Finds the members first (a server's unit list); None when they are known."""
    period: Period | None = None
    """The period shown (None until loaded)."""
    bound: int = BOUND
    bulk: Bulk | None = None
    """Reads every member in one go (a server's bulk endpoint); None: each on its own."""
    reporting: Reporting | None = None
    """collection.toml's `[reporting]`: the deadline to submit (None: no deadline)."""
    root: Path | None = None
    """The collection folder (None for a server's units)."""
    targets: Targets | None = None
    """targets/<year>.toml of the period's year, read at each load (None: none, or broken:
    `chitieu check` says why)."""

    def read_targets(
        self, units: Sequence[UnitDefs] | None = None, assigned: frozenset[str] = frozenset()
    ) -> None:
        """Read the assignment of the period's year (DESIGN 13) into `targets`; `units`:
        the units checked against it when already known (a cold frame's workers, a streamed
        report read them), their definitions thinned to the indicators `assigned` (the file's
        when they were read); else, or when the file now assigns others (changed meanwhile),
        `collection_units`."""
        self.targets = None
        if self.root is None or self.period is None:
            return
        year = self.period.year
        path = targets_path(self.root, year)
        if not path.is_file():
            return
        if units is not None and not assigned_ids(path) <= assigned:
            units = None
        if units is None:
            units = collection_units(self.members, year)
        try:
            self.targets = load_targets(path, year, units, f"{TARGETS}/{path.name}")
        except ChitieuError:
            self.targets = None

    report: ReportHead | None = None
    """collection.toml's `[report]`: who files the collection's report (None: not given)."""
    parse_cache: LazyCache | None = None
    """The collection folder's cache of parsed files, read when a unit is first read (None:
    a server's units)."""

    @property
    def cache(self) -> ParseCache | None:
        """The cache of parsed files of a collection folder (core/parsecache.py), saved after
        each load; None: none (a server's units, or the cache turned off)."""
        return self.parse_cache.get() if self.parse_cache is not None else None

    def save_cache(self) -> None:
        """Write the cache of parsed files when a load added to it (best effort; nothing
        when no unit was read)."""
        if self.parse_cache is not None:
            self.parse_cache.save()

    @property
    def check_seconds(self) -> float:
        """How often the app asks the members whether a reload is due."""
        if not self.members:
            return 0.5 if self.kind == "file" else 30.0
        return min(float(m.source.check_seconds) for m in self.members)

    def units(self) -> list[Member]:
        """The members that count as units: all but the later folders of a duplicate unit
        id (the header's and summary's "of N units", as the totals count them)."""
        return [m for m in self.members if not m.duplicate]

    def boards(self) -> list[Board]:
        """The boards of the readable members, in order."""
        return [b for m in self.members if (b := m.board) is not None]

    def due(self) -> list[Member]:
        """Members whose source says a reload is due (a file changed; a server's poll)."""
        return [m for m in self.members if m.source.stamp(self._stamp_period(m)) != m.stamp]

    def _stamp_period(self, m: Member) -> Period | None:
        """The period whose files say whether `m` changed: the common period, but for a
        member whose read failed, the period that read asked (its stamp's). A unit whose
        newest quarter is broken failed at `None` and was never read at the common period:
        asked the common period's files, it was found changed at every poll (twice a
        second) and read again each time."""
        return m.stamped_for if m.error is not None else self.period

    def shown_columns(self) -> list[str]:
        """`columns` of collection.toml, else the headline ids most units share."""
        if self.columns:
            return list(self.columns)
        return default_columns([b.definitions for b in self.boards()])

    def load(self, period: Period | None = None) -> None:
        """Read every member (blocking; for one-shot commands and the first frame)."""
        if self.discover is not None:
            raise InternalError("err.internal", what="Collection.load on a server")
        with gc_paused(freeze=len(self.members) >= FREEZE_UNITS):
            for m in self.members:
                read_member(m, period)
            self.period = self._common_period(period)
            for m in self.members:
                if m.view is not None and m.error is None and m.view.period != self.period:
                    read_member(m, self.period)
        mark_duplicates(self.members)
        self.read_targets()
        self.save_cache()

    async def aload(
        self,
        period: Period | None = None,
        progress: Progressed | None = None,
        only: Sequence[Member] | None = None,
    ) -> list[Member]:
        """Read members concurrently (at most `bound` at once); the members read.

        `only`: just these (a change noticed by `due`); else every member, first with
        `period` (None: each its newest) and then, when needed, again at the common period.
        """
        if self.bulk is not None:
            if await self.bulk.read(self, self.period if only is not None else period):
                count = len(self.members)
                if progress is not None:
                    progress(count, count)
                return list(only) if only is not None else list(self.members)
            self.bulk = None  # a server without it: each member on its own from now on
        if self.discover is not None:
            self.members, self.discover = await self.discover(), None
        if only is not None:
            await self._read_all(list(only), self.period, progress)
            mark_duplicates(self.members)
            await asyncio.to_thread(self.read_targets)
            await asyncio.to_thread(self.save_cache)
            return list(only)
        members = list(self.members)
        await self._read_all(members, period, progress)
        self.period = self._common_period(period)
        again = [
            m
            for m in members
            if m.view is not None and m.view.period != self.period and self.period is not None
        ]
        if again:
            await self._read_all(again, self.period, None)
        mark_duplicates(self.members)
        await asyncio.to_thread(self.read_targets)
        await asyncio.to_thread(self.save_cache)
        return members

    async def _read_all(
        self, members: list[Member], period: Period | None, progress: Progressed | None
    ) -> None:
        gate = asyncio.Semaphore(max(1, self.bound))
        done = 0
        if len(members) < FREEZE_UNITS:  # a few units: nothing worth pausing the collector for
            paused: contextlib.AbstractContextManager[None] = contextlib.nullcontext()
        else:
            paused = gc_paused(freeze=True)

        async def one(m: Member) -> None:
            nonlocal done
            async with gate:
                await _aread(m, period)
            done += 1
            if progress is not None:
                progress(done, len(members))

        with paused:
            await asyncio.gather(*(one(m) for m in members))

    def stream(self, period: Period | None = None) -> Iterator[Member]:
        """Read the members one by one and hand each over as `load` would leave it (its view
        at the common period, or its error; the later folders of a unit id marked duplicate),
        then let go of it: the collection is spent (each member's view is None afterwards,
        its error kept). For a report of every unit that never holds them all: 3,321 units
        held at once were 560 MiB (BENCHMARKS.md). The common period is found first
        (`period` is set when this returns); after the last member, `targets` is read and
        the parse cache saved. A collection that is not all folders is loaded whole."""
        if (
            self.discover is not None
            or self.bulk is not None
            or not all(callable(getattr(m.source, "forget", None)) for m in self.members)
        ):
            self.load(period)
            return iter(self.members)
        with gc_paused():
            self.period = period if period is not None else self._newest_period()
        return self._streamed(period, self.period)

    def _streamed(self, period: Period | None, common: Period | None) -> Iterator[Member]:
        with gc_paused():
            owners: dict[str, str] = {}
            year, assigned = self.assignment(common)
            units: list[UnitDefs] = []
            for m in self.members:
                read_member(m, period, stamp=False)  # spent after: never asked whether it is due
                if m.view is not None and m.error is None and m.view.period != common:
                    read_member(m, common, stamp=False)
                if m.view is not None and m.error is None:
                    uid = m.view.board.definitions.unit.id
                    first = owners.setdefault(uid, m.source.label)
                    if first != m.source.label:
                        m.error = _duplicate(m, uid, first)
                data = getattr(m.source, "data", None)
                if year is not None and data is not None and not m.duplicate:
                    # what the assignment's checks read of it, while its definitions are
                    # held (`collection_units` after the stream read each unit's again)
                    units.append(thin_unit(unit_defs(m.key, data, year), assigned))
                yield m
                m.view = None
                _forget(m)
        self.read_targets(units if year is not None else None, assigned)
        self.save_cache()

    def assignment(self, period: Period | None) -> tuple[int | None, frozenset[str]]:
        """The year of `period`'s targets/<year>.toml and the indicators it assigns, when
        there is one (else None and none): what a read that keeps of each unit only what
        the assignment's checks need (`thin_unit`) keeps."""
        if self.root is None or period is None:
            return None, frozenset()
        path = targets_path(self.root, period.year)
        if not path.is_file():
            return None, frozenset()
        return period.year, assigned_ids(path)

    def _newest_period(self) -> Period | None:
        """The common period of `load(None)` (the newest period a readable member shows),
        found without holding every member: each member's default period from its folder's
        listing (its definitions' year when it has no progress), then, newest first, the
        first member whose read of it succeeds confirms it (a member that cannot be read
        counts for nothing, as in `load`)."""
        guesses: list[tuple[Period, Member]] = []
        for m in self.members:
            found = _default_period_of(m)
            _forget(m)  # the definitions, when the year was asked of them
            if found is not None:
                guesses.append((found, m))
        for newest in sorted({p for p, _ in guesses}, reverse=True):
            for p, m in guesses:
                if p != newest:
                    continue
                read_member(m, None, stamp=False)
                confirmed = m.view is not None and m.error is None and m.view.period == newest
                m.view, m.error, m.stamp = None, None, None
                _forget(m)
                if confirmed:
                    return newest
        return None

    def _common_period(self, period: Period | None) -> Period | None:
        """`period`, else the newest period any readable member shows."""
        if period is not None:
            return period
        shown = [m.view.period for m in self.members if m.view is not None and m.error is None]
        return max(shown) if shown else None

    async def aclose(self) -> None:
        """Close every member's connections."""
        if self.bulk is not None:
            await self.bulk.aclose()
        for m in self.members:
            await m.source.aclose()


class DuplicateUnitError(DataError):
    """A second folder with a unit id already taken by an earlier one (in name order)."""


def _duplicate(m: Member, uid: str, first: str) -> DuplicateUnitError:
    return duplicate_error(m.source.label, uid, first)


def duplicate_error(label: str, uid: str, first: str) -> DuplicateUnitError:
    """The error of the folder `label` whose unit id `uid` the folder `first` has."""
    return DuplicateUnitError("err.collection.duplicate_unit", Place(label), id=uid, first=first)


def mark_duplicates(members: Sequence[Member]) -> None:
    """One unit id, one unit: the first readable folder (in name order, as the server serves
    them) keeps it; each later folder with the same id gets a DuplicateUnitError naming both
    folders, so that it is listed as an error and counted once in the totals."""
    for m in members:
        if isinstance(m.error, DuplicateUnitError):
            m.error = None  # checked again below: the first may have become unreadable
    first: dict[str, Member] = {}
    for m in members:
        if m.view is None or m.error is not None:
            continue
        uid = m.view.board.definitions.unit.id
        owner = first.setdefault(uid, m)
        if owner is not m:
            m.error = _duplicate(m, uid, owner.source.label)


def read_member(m: Member, period: Period | None, stamp: bool = True) -> None:
    """Read one member at `period`: its view or its error, and (`stamp`) its source's stamp
    taken before (by the read's own `stat` calls, for a data folder: `stamped_load`)."""
    stamped = getattr(m.source, "stamped_load", None) if stamp else None
    if stamped is not None:
        _took(m, period, stamped(period, 0))
        return
    m.stamp = m.source.stamp(period) if stamp else None
    m.stamped_for = period
    try:
        m.view, m.error = m.source.load(period, history=0), None
    except ChitieuError as exc:
        m.error = exc


def _took(
    m: Member, period: Period | None, got: tuple[object, View | None, ChitieuError | None]
) -> None:
    """A stamped read's outcome (`stamped_load`): its stamp, taken for `period`, and its view
    or its error (the last good view kept)."""
    m.stamp, view, error = got
    m.stamped_for = period
    if error is None:
        m.view, m.error = view, None
    else:
        m.error = error


def _forget(m: Member) -> None:
    forget = getattr(m.source, "forget", None)
    if callable(forget):
        forget()


def _default_period_of(m: Member) -> Period | None:
    """The period a member's `load(None)` shows (`build_view`'s default), None when its
    folder cannot say (its read would fail)."""
    data = getattr(m.source, "data", None)
    if data is None:
        return None
    try:
        newest = preferred(data.periods())
        return newest[0] if newest else Period(data.definitions().unit.year, 1)
    except ChitieuError:
        return None


async def _aread(m: Member, period: Period | None) -> None:
    stamped = getattr(m.source, "stamped_load", None)
    if stamped is not None:  # a data folder: stamped by its read, in a thread
        _took(m, period, await asyncio.to_thread(stamped, period, 0))
        return
    m.stamp = m.source.stamp(period)
    m.stamped_for = period
    try:
        m.view, m.error = await m.source.aload(period, history=0), None
    except ChitieuError as exc:
        m.error = exc


def is_collection(root: Path) -> bool:
    """A folder without chitieu.toml holding collection.toml or data folders."""
    # lazy: datadir loads the writer; a remote collection's Member never needs it
    from chitieu_tui.core.datadir import usable_path

    usable_path(root)
    if not root.is_dir() or (root / DEFINITIONS).exists():
        return False
    return (root / COLLECTION_FILE).is_file() or bool(unit_names(root, first=True))


def unit_names(root: Path, first: bool = False) -> list[str]:
    """The names of the data folders in `root` (folders, not hidden, holding chitieu.toml),
    sorted; `first`: stop at the first found (in the folder's own order). One listing of
    `root` (its entries' types come with it) and one `stat` per folder."""
    base = os.path.join(root, "")
    tail = os.sep + DEFINITIONS
    found: list[str] = []
    try:
        with os.scandir(root) as entries:
            for e in entries:
                if e.name.startswith(".") or not _is_dir(e):
                    continue
                # `os.path.exists` without the stat's result made (3,321 at the country)
                if os.access(base + e.name + tail, os.F_OK):
                    found.append(e.name)
                    if first:
                        break
    except OSError:
        return []
    return sorted(found)


def _is_dir(entry: os.DirEntry[str]) -> bool:
    try:
        return entry.is_dir()
    except OSError:
        return False


def open_folder(root: Path, snapshots: Path | None = None) -> Collection:
    """A collection of the data folders under `root` (each a FileSource, made when first
    used), sorted by name."""
    info = CollectionInfo()
    path = root / COLLECTION_FILE
    if path.exists():
        info = load_collection_info(path, shown_path(path))
    names = unit_names(root)
    if not names:
        raise DataError("err.collection.empty", Place(shown_path(root)))
    # lazy: the file source and its writer, only when a folder (not an API) is opened
    from chitieu_tui.core.foldersource import FolderSource, LazyCache

    cache = LazyCache(root)
    base = os.path.join(root, "")
    try:  # resolved once: the label, the name, and each unit's own path (`FolderSource`)
        real: Path | None = root.resolve()
    except (OSError, RuntimeError):
        real = None
    parent = str(real) if real is not None else None
    members = [
        Member(
            name,
            FolderSource(base + name, snapshots / name if snapshots else None, cache, parent),
        )
        for name in names
    ]
    label = (shown_path(root, real) if real is not None else shown_path(root)).rstrip("/") + "/"
    name = info.name or (real if real is not None else root.resolve()).name
    return Collection(
        name,
        members,
        list(info.columns),
        label=label,
        kind="file",
        reporting=info.reporting,
        root=root,
        report=info.report,
        parse_cache=cache,
    )


def default_columns(defs: Sequence[Definitions]) -> list[str]:
    """The headline ids most units share: those in at least half of the units' headlines
    (else the most common ones), in the order they first appear; at most `MAX_COLUMNS`."""
    counts: Counter[str] = Counter()
    order: list[str] = []
    for d in defs:
        ids = d.dashboard.headline or [ind.id for ind in d.indicators[:4]]
        for iid in dict.fromkeys(ids):
            if iid not in counts:
                order.append(iid)
            counts[iid] += 1
    if not counts:
        return []
    need = math.ceil(len(defs) / 2)
    chosen = [i for i in order if counts[i] >= need]
    if not chosen:
        top = max(counts.values())
        chosen = [i for i in order if counts[i] == top]
    return chosen[:MAX_COLUMNS]


@dataclass(frozen=True)
class Total:
    """One indicator added up across the units whose definition matches."""

    id: str
    name: str
    unit: str
    aggregate: Aggregate
    value: float | None
    target: float | None
    percent: float | None
    status: Status
    units: int
    """How many units took part (same id, unit and kind, and a value this period)."""
    defined: int
    """How many units have this indicator with the same unit and kind."""
    indicator: Indicator | None = None
    """The definition the others were matched against (None when no unit has the id)."""
    province: float | None = None
    """The province's own target (targets/<year>.toml), when `against_province` set it:
    `percent` and `status` are then of it."""


def _shape(ind: Indicator) -> tuple[str, str]:
    return ind.unit, ind.kind


def total_of(indicator_id: str, evaluations: Sequence[Evaluation]) -> Total:
    """The total of one indicator over the units' evaluations of it (docs/rollup.md).

    The reference definition is the (unit, kind) most units use (the first unit's on a tie);
    units with another unit or kind do not take part, nor units without a value.
    """
    if not evaluations:
        return Total(indicator_id, indicator_id, "", "none", None, None, None, Status.NO_DATA, 0, 0)
    counts = Counter(_shape(ev.indicator) for ev in evaluations)
    top = max(counts.values())
    ref = next(ev.indicator for ev in evaluations if counts[_shape(ev.indicator)] == top)
    matching = [ev for ev in evaluations if _shape(ev.indicator) == _shape(ref)]
    how = aggregate_of(ref)
    taking = [
        ev
        for ev in matching
        if ev.entry is not None and ev.ytd is not None and ev.indicator.target is not None
    ]
    if how == "none" or not taking:
        return Total(
            ref.id, ref.name, ref.unit, how, None, None, None, Status.NO_DATA, len(taking),
            len(matching), ref,
        )  # fmt: skip
    combine: Callable[[list[float]], float] = sum if how == "sum" else fmean
    value = combine([float(ev.ytd) for ev in taking if ev.ytd is not None])
    target = combine([float(ev.indicator.target or 0.0) for ev in taking])
    percent = value / target * 100 if target else None
    if percent is not None and not math.isfinite(percent):
        percent = None
    quarter = taking[0].period.quarter
    expected_each = [expected_at(ev.indicator, quarter) for ev in taking]
    expected = (
        combine([float(x) for x in expected_each if x is not None])
        if all(x is not None for x in expected_each)
        else None
    )
    status = _status(ref, value, target, expected)
    return Total(
        ref.id, ref.name, ref.unit, how, value, target, percent, status, len(taking),
        len(matching), ref,
    )  # fmt: skip


def _status(ref: Indicator, value: float, target: float, expected: float | None) -> Status:
    """The total's status, by the same rules as one unit's (docs/arithmetic.md)."""

    def ge(a: float, b: float) -> bool:
        return a >= b or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)

    if ref.direction == "decrease":
        if ge(target, value):
            return Status.MET
        return Status.ON_TRACK if expected is not None and ge(expected, value) else Status.BEHIND
    if ge(value, target):
        return Status.MET
    return Status.ON_TRACK if expected is not None and ge(value, expected) else Status.BEHIND


def against_province(total: Total, targets: Targets | None, quarter: int) -> Total:
    """`total` compared with the province's own target where the assignment has one, for a
    `sum` indicator with a value: `percent` and `status` of the province's target, which
    `province` holds (`target` stays the units' own added up); else `total` unchanged."""
    found = targets.assignment(total.id) if targets is not None else None
    if (
        found is None
        or found.target is None
        or not found.target
        or total.aggregate != "sum"
        or total.value is None
        or total.indicator is None
    ):
        return total
    province = found.target
    percent = total.value / province * 100
    if not math.isfinite(percent):
        return total
    paced = msgspec.structs.replace(total.indicator, target=province, plan=None)
    status = _status(total.indicator, total.value, province, expected_at(paced, quarter))
    return replace(total, percent=percent, status=status, province=province)


class _Shape:
    """One indicator id's evaluations of one (unit, kind), as `total_of` uses them."""

    __slots__ = ("expected", "first", "matching", "quarter", "targets", "unexpected", "values")

    def __init__(self, first: Indicator) -> None:
        self.first = first
        self.matching = 0
        self.values = array("d")
        self.targets = array("d")
        self.expected = array("d")
        self.unexpected = False
        """An evaluation taking part had no expected value (the total has none)."""
        self.quarter: int | None = None


Count = tuple[Indicator, tuple[float, float, float | None, int] | None]
"""One evaluation as `RunningTotals` counts it (`board_counts`): its definition and, when it
takes part, its value, target, expected value (None: none) and quarter."""


def board_counts(board: Board) -> list[Count]:
    """What `RunningTotals.add` takes of a board, as plain numbers (made in a worker process
    and sent: report_workers.py). The expected value is taken at the evaluation's own
    quarter: `add` takes it at the first counted one's, the same in a streamed collection
    (every board at the common period)."""
    out: list[Count] = []
    for ev in board.evaluations:
        ind = ev.indicator
        if ev.entry is None or ev.ytd is None or ind.target is None:
            out.append((ind, None))
            continue
        x = expected_at(ind, ev.period.quarter)
        out.append((ind, (float(ev.ytd), float(ind.target or 0.0), x, ev.period.quarter)))
    return out


class RunningTotals:
    """`totals` of boards given one at a time, holding a few numbers per evaluation instead
    of the boards (the same `Total`s, float for float: the same numbers added in the same
    order)."""

    def __init__(self) -> None:
        self._by_id: dict[str, dict[tuple[str, str], _Shape]] = {}

    def add(self, board: Board) -> None:
        """Count one board's evaluations."""
        self.add_counts(board_counts(board))

    def add_counts(self, counts: Sequence[Count]) -> None:
        """Count one board's evaluations as `board_counts` gave them."""
        for ind, taking in counts:
            shapes = self._by_id.setdefault(ind.id, {})
            key = _shape(ind)
            acc = shapes.get(key)
            if acc is None:
                acc = shapes[key] = _Shape(ind)
            acc.matching += 1
            if taking is None:
                continue
            value, target, expected, quarter = taking
            if acc.quarter is None:
                acc.quarter = quarter
            acc.values.append(value)
            acc.targets.append(target)
            if expected is None:
                acc.unexpected = True
            else:
                acc.expected.append(float(expected))

    def totals(self, ids: Sequence[str] | None = None) -> list[Total]:
        """The totals of `ids` (default: every indicator id, in the order first seen)."""
        wanted = list(ids) if ids is not None else list(self._by_id)
        return [self._total(i) for i in wanted]

    def _total(self, indicator_id: str) -> Total:
        shapes = self._by_id.get(indicator_id)
        if not shapes:
            return total_of(indicator_id, [])
        top = max(acc.matching for acc in shapes.values())
        acc = next(a for a in shapes.values() if a.matching == top)
        ref = acc.first
        how = aggregate_of(ref)
        taking = len(acc.values)
        if how == "none" or not taking:
            return Total(
                ref.id, ref.name, ref.unit, how, None, None, None, Status.NO_DATA, taking,
                acc.matching, ref,
            )  # fmt: skip
        combine: Callable[[Sequence[float]], float] = sum if how == "sum" else fmean
        value = combine(acc.values)
        target = combine(acc.targets)
        percent = value / target * 100 if target else None
        if percent is not None and not math.isfinite(percent):
            percent = None
        expected = None if acc.unexpected else combine(acc.expected)
        status = _status(ref, value, target, expected)
        return Total(
            ref.id, ref.name, ref.unit, how, value, target, percent, status, taking,
            acc.matching, ref,
        )  # fmt: skip


def totals(boards: Sequence[Board], ids: Sequence[str] | None = None) -> list[Total]:
    """Totals of `ids` (default: every indicator id, in the order they first appear)."""
    by_id: dict[str, list[Evaluation]] = {}
    for board in boards:
        for ev in board.evaluations:
            by_id.setdefault(ev.indicator.id, []).append(ev)
    wanted = list(ids) if ids is not None else list(by_id)
    return [total_of(i, by_id.get(i, [])) for i in wanted]


__all__ = [
    "COLLECTION_FILE",
    "Bulk",
    "Collection",
    "CollectionInfo",
    "DuplicateUnitError",
    "Member",
    "RunningTotals",
    "Total",
    "board_counts",
    "duplicate_error",
    "against_province",
    "default_columns",
    "is_collection",
    "load_collection_info",
    "mark_duplicates",
    "open_folder",
    "total_of",
    "totals",
]
