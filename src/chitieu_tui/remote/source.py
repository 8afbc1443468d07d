"""The API source: a unit's data from a chitieu server, with snapshots as its offline copy."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import os
import re
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from chitieu_tui.core.archive import Archive, offline_view
from chitieu_tui.core.arithmetic import Board
from chitieu_tui.core.errors import (
    AuthError,
    ChitieuError,
    DataError,
    InternalError,
    Place,
    SourceError,
    UsageError,
)
from chitieu_tui.core.journal import Change
from chitieu_tui.core.model import Definitions, Progress
from chitieu_tui.core.periods import Period, default_period
from chitieu_tui.core.requests import Reopen, Request, Written
from chitieu_tui.core.snapshots import default_snapshot_root, write_snapshot
from chitieu_tui.core.source import HISTORY, Origin, View, build_view
from chitieu_tui.core.targets import Assignment
from chitieu_tui.core.text import clean
from chitieu_tui.i18n import Msg
from chitieu_tui.remote.client import (
    TOKEN_ENV,
    ApiClient,
    Fetched,
    MiB,
    Settings,
    public_url,
    status_key,
    status_words,
)
from chitieu_tui.remote.handed import TargetsReader
from chitieu_tui.remote.wire import (
    API_PREFIX,
    definitions_from_json,
    journal_from_json,
    periods_from_json,
    progress_from_json,
)
from chitieu_tui.remote.writing import WRITER_ROLE, ApiWriter

_UNIT_RE = re.compile(r"\A[a-z0-9-]{1,64}\Z")
MIN_REFRESH = 2.0

ProgressKey = tuple[Definitions, dt.date | None, tuple[tuple[Any, ...], ...], Any]


def _key(defs: Definitions, progress: Progress) -> ProgressKey:
    """What makes two snapshots of one period differ: definitions, as_of, values (with who
    and when) and whether the quarter is closed."""
    values = tuple(
        sorted(
            (k, e.value, e.note, e.by, e.at, e.cause, e.remedy) for k, e in progress.values.items()
        )
    )
    return defs, progress.as_of, values, progress.closed


def normalize_base_url(url: str) -> str:
    """`http://host:8765` from what a user typed; UsageError for anything else."""
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError:  # e.g. http://[::1 (an unclosed IPv6 bracket)
        raise UsageError("err.api_url.not_url", url=clean(text[:80])) from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError("err.api_url.scheme", url=clean(text[:80]))
    if parts.username or parts.password:
        raise UsageError("err.api_url.credentials", env=TOKEN_ENV)
    if parts.query or parts.fragment:
        raise UsageError("err.api_url.query")
    try:
        parts.port  # noqa: B018 - raises on a bad port
    except ValueError:
        raise UsageError("err.api_url.port") from None
    base = public_url(text)
    if base.endswith(API_PREFIX):
        base = base[: -len(API_PREFIX)]
    return base.rstrip("/")


YEAR_RECHECK = 600.0
"""Seconds before a year the server has no definitions for is asked for again."""


class ApiSource:
    """Reads one unit from a chitieu API server; read-only; snapshots are its offline copy.

    Errors: `aload` never raises while it has something to show. When the server fails
    (unreachable, too slow, a 4xx/5xx, HTML, bad JSON, the wrong shape) it returns the last
    good View (or, at start, one built from the newest snapshot) with `stale=True` and
    `stale_since` = when that data was fetched or taken, and stores the reason in
    `last_error` (a SourceError naming the URL; `None` after a good refresh). Only when
    there is nothing at all to show does it raise that SourceError.

    Polling: requests are conditional (If-None-Match). When nothing changed, `aload`
    returns the very same View object as before (and `changed` is False), so the screen
    need not repaint; `checked_at` tells when the server last answered.

    Every change of the shown period's progress (or definitions) writes a snapshot, with
    `source = "api:<base URL>"`; the token is never written, logged or put in a message.

    Writing (remote/writing.py): with an editor's token (`GET /api/v1/me`) the source is
    writable and `write` sends the requests to the server's write routes; any other role
    leaves it read-only with a reason naming the role.
    """

    closes_quarters = True

    def __init__(
        self,
        base_url: str,
        unit: str,
        snapshots: Path | None = None,
        token: str | None = None,
        *,
        connect_timeout: float = 5.0,
        read_timeout: float = 10.0,
        deadline: float = 20.0,
        once_deadline: float = 25.0,
        retries: int = 3,
        backoff: float = 0.5,
        backoff_max: float = 8.0,
        max_retry_after: float = 10.0,
        max_body: int = 5 * MiB,
    ) -> None:
        self.url = normalize_base_url(base_url)
        if not _UNIT_RE.match(unit):
            raise UsageError("err.unit_id", unit=clean(unit[:40]))
        self.unit = unit
        self.label = f"api:{self.url}"
        self.snapshot_root = snapshots if snapshots is not None else default_snapshot_root(unit)
        self.settings = Settings(
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
            deadline=deadline,
            once_deadline=once_deadline,
            retries=retries,
            backoff=backoff,
            backoff_max=backoff_max,
            max_retry_after=max_retry_after,
            max_body=max_body,
        )
        if token is None:
            token = os.environ.get(TOKEN_ENV) or None
        self._http = ApiClient(self.url, token or None, self.settings)
        self.writer = ApiWriter(self.url, unit, self._http._token, read_timeout)
        self._targets = TargetsReader(self._http)
        self._role_decided = False
        """True once this source's own load asked `/me` (the writer may have been asked
        before, by the roll-up or a write: the view's read-only state is decided here)."""
        self.last_error: SourceError | None = None
        """Why the last refresh failed (None after a good one)."""
        self.changed = False
        """True when the last `aload` returned new data (a new View object)."""
        self.checked_at: dt.datetime | None = None
        """When the server last answered a refresh completely (UTC)."""
        self._defs: Definitions | None = None
        self._last_good: View | None = None
        self._stale: View | None = None
        self._returned: View | None = None
        self._fingerprint: tuple[Any, ...] | None = None
        self.archive = Archive(self.snapshot_root, unit)
        self.origin = Origin(
            label=self.label,
            kind="api",
            read_only=True,
            read_only_reason=Msg("err.read_only.api"),
        )
        self._snap_lock = threading.Lock()
        """Guards `_snap_keys` and `_auto`: a refresh (in a thread) and `snapshot` (in the
        app's snapshot worker) both write snapshots."""
        self._snap_keys: dict[Period, ProgressKey | None] = {}
        self._stale_key: tuple[Any, ...] | None = None
        self._auto: tuple[Board, Path] | None = None
        self._lock: asyncio.Lock | None = None
        self._lock_loop: asyncio.AbstractEventLoop | None = None
        self._bulk_tag: Any = None
        """The `etag` of the bulk entry last applied (`apply_bulk`)."""
        self._no_year: dict[int, float] = {}
        """Years the server answered 404 for, and when (monotonic): asked again only after
        `YEAR_RECHECK` seconds, so that a poll of an unchanged server stays conditional."""

    def __repr__(self) -> str:
        return f"ApiSource({self.url!r}, {self.unit!r})"

    @property
    def refresh_seconds(self) -> float:
        """The polling interval the unit's definitions ask for (30 s until known)."""
        if self._defs is None:
            return 30.0
        return max(MIN_REFRESH, self._defs.dashboard.refresh_seconds)

    @property
    def check_seconds(self) -> float:
        """Poll every `refresh_seconds` (conditional requests make an unchanged poll cheap)."""
        return self.refresh_seconds

    def stamp(self, period: Period | None) -> object:
        """Always due: whether anything changed is the server's to say (ETag, 304)."""
        return object()

    def preload(self, period: Period | None) -> View | None:
        """Nothing is read before the app starts: the network is asked in a worker."""
        return None

    def load(self, period: Period | None = None, history: int = HISTORY) -> View:
        """One-shot and blocking (`report`, `snapshot`): see `load_once`."""
        return asyncio.run(self.load_once(period, history))

    def last_checked(self) -> dt.datetime | None:
        """When the server last answered a refresh completely."""
        return self.checked_at

    def retry_hint(self) -> Msg:
        """The poll retries by itself; `r` retries now."""
        return Msg("retry_hint", n=max(1, round(self.refresh_seconds)))

    def _path(self, *parts: str) -> str:
        return "/".join((f"{API_PREFIX}/units/{self.unit}", *parts)).rstrip("/")

    def locked(self) -> asyncio.Lock:
        """The lock one refresh of this source holds (a collection's bulk read takes it too)."""
        return self._locked()

    def _locked(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        if self._lock is None or self._lock_loop is not loop:
            self._lock, self._lock_loop = asyncio.Lock(), loop
        return self._lock

    async def aload(self, period: Period | None = None, history: int = HISTORY) -> View:
        """Fetch and evaluate one period (None: the newest with progress); see the class doc."""
        async with self._locked():
            return await self._load(period, history, self.settings.deadline)

    async def load_once(self, period: Period | None = None, history: int = 0) -> View:
        """One-shot (report, snapshot): like `aload` within `once_deadline`, then close.

        A refused token (401) is an error here, not a reason to print an offline copy:
        a script must notice it.
        """
        try:
            async with self._locked():
                view = await self._load(period, history, self.settings.once_deadline)
        finally:
            await self.aclose()
        if isinstance(self.last_error, AuthError):
            raise self.last_error
        return view

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        await self._http.aclose()

    async def _decide_role(self, view: View) -> View:
        """Ask `GET /api/v1/me` once, after the first good refresh: an editor's source is
        writable, any other's read-only with a reason naming its role (the plain API's
        reason for a server without accounts). Asked again next time when it fails."""
        try:
            fetched = await self._http.fetch(f"{API_PREFIX}/me", missing_ok=True)
        except SourceError:
            return view
        writable = self.writer.take_me(fetched.data if fetched.ok else None) == WRITER_ROLE
        self._role_decided = True
        self.origin = Origin(
            label=self.label,
            kind="api",
            read_only=not writable,
            read_only_reason=None if writable else self.writer.refusal(),
        )
        return dataclasses.replace(
            view, read_only=self.origin.read_only, read_only_reason=self.origin.read_only_reason
        )

    def account(self) -> tuple[str, tuple[str, ...]]:
        """The account's role and units as `GET /api/v1/me` says them (blocking; asked
        once): what the roll-up offers (`a` and `R` for an approver)."""
        return self.writer.ask_role(), self.writer.units

    def write(self, requests: Sequence[Request], *, snapshot: bool = True) -> Written:
        """Send the requests to the server's write routes (blocking; see remote/writing.py);
        WriteError before anything is sent when the account's role cannot write. Then, as a
        write to files does, a snapshot of the quarter as the server now has it (none after
        a reopen, none with `snapshot=False`)."""
        written = self.writer.write(requests, self._defs)
        if not snapshot or all(isinstance(r, Reopen) for r in requests):
            return written
        return dataclasses.replace(written, snapshot=self._snapshot_after(written))

    def _snapshot_after(self, written: Written) -> Path | None:
        """A snapshot of the written quarter, read back by a one-shot source of its own (its
        own connections and loop: this runs in the writer's thread, beside the dashboard's
        polls); None when it cannot be read now (the write stands; the next refresh
        snapshots what changed)."""
        period = written.progress.period
        reader = ApiSource(
            self.url, self.unit, snapshots=self.snapshot_root, token=self.writer._token
        )
        try:
            view = reader.load(period, history=0)
            if view.stale or view.board.progress is None:
                return None
            return reader.snapshot(view)
        except (ChitieuError, OSError, RuntimeError):  # the write stands whatever this says
            return None

    async def _load(self, period: Period | None, history: int, deadline: float) -> View:
        try:
            view, fingerprint = await self._refresh(period, history, deadline)
        except SourceError as err:
            self.last_error = err
            self.changed = True
            view = await asyncio.to_thread(self._fallback, period, history, err)
            self._stale = view
        else:
            if not self._role_decided:
                view = await self._decide_role(view)
            self._good(view, fingerprint)
        return self._returning(view)

    def _good(self, view: View, fingerprint: tuple[Any, ...]) -> None:
        self.last_error = None
        self.checked_at = dt.datetime.now(dt.UTC)
        self._last_good, self._fingerprint = view, fingerprint
        self._stale = None

    def _returning(self, view: View) -> View:
        self.changed = view is not self._returned
        self._returned = view
        return view

    def apply_bulk(self, entry: dict[str, Any] | SourceError, period: Period, where: str) -> View:
        """Blocking (run it in a worker thread, holding `locked()`): the unit's View of
        `period` from its entry of a bulk answer (`GET /api/v1/progress/{period}`, at `where`),
        validated, evaluated and snapshotted as `aload(period, history=0)` would; given the
        error why there is none, the offline copy. An entry whose `etag` is the one last
        applied returns the same View. Raises SourceError only with nothing to show."""
        shown = self._returned
        if (
            not isinstance(entry, SourceError)
            and entry.get("etag") == self._bulk_tag
            and self.last_error is None
            and shown is not None
            and shown.period == period
            and not shown.stale
        ):
            self.checked_at = dt.datetime.now(dt.UTC)
            return self._returning(shown)
        try:
            if isinstance(entry, SourceError):
                raise entry
            view, fingerprint = self._assemble(self._bulk_fetch(entry, period, where))
        except SourceError as err:
            self.last_error = err
            self.changed = True
            self._bulk_tag = None
            view = self._fallback(period, 0, err)
            self._stale = view
        else:
            self._good(view, fingerprint)
            self._bulk_tag = entry.get("etag")
        return self._returning(view)

    def _bulk_fetch(self, entry: dict[str, Any], period: Period, where: str) -> _Fetch:
        """The documents of a bulk entry, as a refresh would have fetched them."""
        tag = str(entry.get("etag"))
        problem = entry.get("error")
        if isinstance(problem, dict):
            detail = clean(str(problem.get("detail") or problem.get("title") or ""))[:200]
            status = problem.get("status")
            status = status if isinstance(status, int) else 500
            own = Msg(status_key(status), status=status_words(status))
            why = Msg("err.api.server_says", message=own, detail=detail) if detail else own
            raise SourceError(why, Place(where))
        defs = self._definitions(Fetched(200, entry.get("definitions"), tag))
        try:
            known = periods_from_json({"unit": self.unit, "periods": entry.get("periods")})
        except DataError as exc:
            raise SourceError(Msg("err.api.wrong_shape", detail=exc.msg), Place(where)) from None
        docs: dict[Period, Fetched] = {}
        progress = entry.get("progress")
        for doc in [*entry.get("earlier", []), *([progress] if progress is not None else [])]:
            text = doc.get("period") if isinstance(doc, dict) else None
            if not isinstance(text, str) or not Period.is_valid(text):
                detail = Msg("err.wire.missing", field="period")
                raise SourceError(Msg("err.api.wrong_shape", detail=detail), Place(where))
            docs[Period.parse(text)] = Fetched(200, doc, f"{tag}/{text}")
        years: dict[int, Fetched] = {}
        if period.year != defs.unit.year:
            year = entry.get("year")
            years[period.year] = (
                Fetched(200, year, f"{tag}/year") if year is not None else Fetched(404)
            )
        return _Fetch(defs, period, known, docs, [], 0, years)

    async def _refresh(
        self, period: Period | None, history: int, deadline: float
    ) -> tuple[View, tuple[Any, ...]]:
        self._http.deadline_at = time.monotonic() + deadline
        try:
            async with asyncio.timeout(deadline):
                fetched = await self._fetch(period, history)
            return await asyncio.to_thread(self._assemble, fetched)
        except TimeoutError:
            raise SourceError(
                "err.api.too_slow",
                Place(self.url),
                seconds=f"{deadline:g}",
            ) from None
        except (ChitieuError, asyncio.CancelledError):
            raise
        except Exception as exc:  # a bug, not the server: never hidden behind an offline copy
            raise InternalError("err.internal", Place(self.url), what=type(exc).__name__) from exc

    async def _fetch(self, period: Period | None, history: int) -> _Fetch:
        """Definitions, the period list and the progress documents needed for one view."""
        unit_f, periods_f = await _all(
            self._http.fetch(self._path()),
            self._http.fetch(self._path("periods"), missing_ok=True),
        )
        defs = self._definitions(unit_f)
        known: list[Period] | None = None
        if periods_f.ok:
            try:
                known = periods_from_json(periods_f.data)
            except DataError as exc:
                raise self._shape_error(self._path("periods"), exc) from None
        if period is None:
            if known is not None:
                period = default_period(known, defs.unit.year)
            else:  # a server without /periods: probe the quarters of the year
                probe = [Period(defs.unit.year, q) for q in range(1, 5)]
                found = await self._progress_docs(probe, required=True)
                have = [p for p, f in found.items() if f.ok]
                period = default_period(have, defs.unit.year)
        required = period.quarters_of_year_so_far()
        optional: list[Period] = []
        if history:
            p = period
            for _ in range(history):
                optional.extend(q for q in p.quarters_of_year_so_far() if q not in required)
                p = p.prev()
            optional = sorted(set(optional))
        if known is not None:
            required = [p for p in required if p in known]
            optional = [p for p in optional if p in known]
        other_years = sorted({p.year for p in [period, *required, *optional]} - {defs.unit.year})
        docs_req, docs_opt, year_docs = await _all(
            self._progress_docs(required, required=True),
            self._progress_docs(optional, required=False),
            self._year_docs(other_years),
        )
        warnings: list[ChitieuError] = []
        for f in [*docs_opt.values(), *year_docs.values()]:
            if not f.ok and f.status != 404 and f.error is not None:
                warnings.append(f.error)
        docs = {**docs_opt, **docs_req}
        if known is None:
            known = sorted(p for p, f in docs.items() if f.ok)
        return _Fetch(defs, period, known, docs, warnings, history, year_docs)

    async def _year_docs(self, years: list[int]) -> dict[int, Fetched]:
        """Other years' definitions (`…/years/{year}`); a server without them answers 404."""

        now = time.monotonic()
        years = [y for y in years if now - self._no_year.get(y, -YEAR_RECHECK) >= YEAR_RECHECK]

        async def one(year: int) -> Fetched:
            try:
                found = await self._http.fetch(self._path("years", str(year)), missing_ok=True)
            except SourceError as err:
                return Fetched(0, error=err)
            if found.status == 404:
                self._no_year[year] = time.monotonic()
            else:
                self._no_year.pop(year, None)
            return found

        results = await _all(*(one(y) for y in years))
        return dict(zip(years, results, strict=True))

    def _year_definitions(
        self, fetched: _Fetch, warnings: list[ChitieuError]
    ) -> dict[int, Definitions]:
        """The other years' definitions the server published, validated; a broken one is a
        warning (that year is shown unjudged), or an error for the period shown."""
        found: dict[int, Definitions] = {}
        for year, f in sorted(fetched.years.items()):
            if not f.ok:
                continue
            path = self._path("years", str(year))
            try:
                defs = definitions_from_json(f.data, self._http.url(path))
            except DataError as exc:
                if year == fetched.period.year:
                    raise self._shape_error(path, exc) from None
                warnings.append(exc)
                continue
            if defs.unit.year == year and defs.unit.id == self.unit:
                found[year] = defs
        return found

    def _path_of(self, period: Period) -> str:
        return self._path("progress", str(period))

    async def _progress_docs(self, periods: list[Period], required: bool) -> dict[Period, Fetched]:
        async def one(p: Period) -> Fetched:
            try:
                return await self._http.fetch(self._path_of(p), missing_ok=True)
            except SourceError as err:
                if required:
                    raise
                return Fetched(0, error=err)

        results = await _all(*(one(p) for p in periods))
        return dict(zip(periods, results, strict=True))

    def _definitions(self, fetched: Fetched) -> Definitions:
        try:
            defs = definitions_from_json(fetched.data, self._http.url(self._path()))
        except DataError as exc:
            raise self._shape_error(self._path(), exc) from None
        if defs.unit.id != self.unit:
            raise SourceError(
                "err.api.other_unit",
                Place(self._http.url(self._path())),
                asked=self.unit,
                got=clean(defs.unit.id),
            )
        return defs

    def _shape_error(self, path: str, exc: DataError) -> SourceError:
        return SourceError(
            Msg("err.api.wrong_shape", detail=exc.msg),
            Place(self._http.url(path)),
        )

    def _assemble(self, fetched: _Fetch) -> tuple[View, tuple[Any, ...]]:
        """Validate the documents and build the View (or return the previous one unchanged)."""
        defs, period, docs, warnings = fetched.defs, fetched.period, fetched.docs, fetched.warnings
        fingerprint = (
            defs,
            period,
            fetched.history,
            tuple(fetched.listed),
            tuple(sorted((p, f.ok, f.digest) for p, f in docs.items())),
            tuple(sorted((y, f.digest) for y, f in fetched.years.items() if f.ok)),
        )
        if fingerprint == self._fingerprint and self._last_good is not None:
            return self._last_good, fingerprint
        required = set(period.quarters_of_year_so_far())
        years = self._year_definitions(fetched, warnings)
        progs: dict[Period, Progress] = {}
        for p, f in sorted(docs.items()):
            if not f.ok:
                continue
            where = self._http.url(self._path_of(p))
            try:
                own = years.get(p.year, defs)  # checked against its own year's definitions
                prog, warns = progress_from_json(f.data, own, where, p, f"api:{self.url}")
            except DataError as exc:
                if p in required:
                    raise self._shape_error(self._path_of(p), exc) from None
                warnings.append(exc)
                continue
            progs[p] = prog
            if p == period:
                warnings.extend(warns)
        view = build_view(
            _Fetched(defs, fetched.listed, progs, years),
            period,
            self.origin,
            history=fetched.history,
            fallback=self.archive,
            defs=defs,
            periods=fetched.listed,
            warnings=warnings,
        )
        self._maybe_snapshot(defs, view.board, view.warnings)
        self._defs = defs
        return view, fingerprint

    # -- snapshots ---------------------------------------------------------------------------

    def _maybe_snapshot(
        self, defs: Definitions, board: Board, warnings: list[ChitieuError]
    ) -> None:
        """Write a snapshot when the period's data differs from the last one written or read."""
        if board.progress is None:
            return
        key = _key(defs, board.progress)
        with self._snap_lock:
            if board.period not in self._snap_keys:
                last = self.archive.newest(board.period)
                self._snap_keys[board.period] = (
                    _key(last.definitions, last.progress) if last is not None else None
                )
            if self._snap_keys[board.period] == key:
                return
            try:
                path = write_snapshot(self.snapshot_root, board, f"api:{self.url}")
            except ChitieuError as exc:
                warnings.append(ChitieuError("err.snapshot.not_written", exc.place, reason=exc.msg))
                return
            self._snap_keys[board.period] = key
            self._auto = (board, path)

    def _fallback(self, period: Period | None, history: int, err: SourceError) -> View:
        """The last good view, else the newest snapshot, marked stale; else raise.

        The stale view carries `err` first in its `warnings`, so that whoever shows
        warnings (the TUI's notifications, `chitieu report` on stderr) also says why.
        Repeated failures with the same words return the same View object.
        """
        last = self._last_good
        if last is not None and (period is None or period == last.period):
            key: tuple[Any, ...] = ("memory", id(last), err.message)
            if self._stale is not None and key == self._stale_key:
                return self._stale
            self._stale_key = key
            return dataclasses.replace(
                last, stale=True, stale_since=last.loaded_at, warnings=[err, *last.warnings]
            )
        view = self._from_snapshots(period, history, err)
        if view is None:
            final = SourceError(
                Msg("err.api.no_offline_copy", reason=err.msg, unit=self.unit)
                if period is None
                else Msg(
                    "err.api.no_offline_copy_period",
                    reason=err.msg,
                    unit=self.unit,
                    period=str(period),
                ),
                err.place,
            )
            self.last_error = final
            raise final
        return view

    def _from_snapshots(self, period: Period | None, history: int, err: SourceError) -> View | None:
        """A stale View from the newest snapshot of the period (None: the newest period)."""
        view = offline_view(
            self.archive, period, self.origin, defs=self._defs, history=history, warnings=[err]
        )
        if view is None:
            return None
        key = ("snapshot", view.period, view.stale_since, history, err.message)
        if self._stale is not None and key == self._stale_key:
            return self._stale
        self._stale_key = key
        if self._defs is None:
            self._defs = view.board.definitions
        return view

    def snapshot(self, view: View) -> Path:
        """Write a snapshot of the view (blocking); the automatic one when it is this data."""
        if view.stale:
            raise SourceError("err.snapshot.of_offline", Place(self.url))
        with self._snap_lock:
            if self._auto is not None and self._auto[0] is view.board:
                return self._auto[1]
            path = write_snapshot(self.snapshot_root, view.board, f"api:{self.url}")
            if view.board.progress is not None:
                self._snap_keys[view.period] = _key(view.board.definitions, view.board.progress)
            self._auto = (view.board, path)
            return path

    async def ahanded(self, year: int, indicator_id: str) -> tuple[Assignment, float] | None:
        """What the province assigned this unit for an indicator (`GET /api/v1/targets/
        {year}`, conditional), with the value assigned; None when the year has no
        assignment (404), the unit has none for it, or the server cannot answer."""
        self._http.deadline_at = time.monotonic() + self.settings.deadline
        try:
            targets = await self._targets.read(year)
        except SourceError:
            return None
        found = targets.assignment(indicator_id) if targets is not None else None
        if found is None or self.unit not in found.units:
            return None
        return found, found.units[self.unit]

    async def ajournal(self, period: Period) -> list[Change]:
        """The period's journal as the server publishes it (read-only); SourceError when it
        cannot be had ([] from a server without the journal)."""
        path = self._path("journal", str(period))
        self._http.deadline_at = time.monotonic() + self.settings.deadline
        fetched = await self._http.fetch(path, missing_ok=True)
        if not fetched.ok:
            return []
        try:
            return journal_from_json(fetched.data)
        except DataError as exc:
            raise self._shape_error(path, exc) from None


@dataclasses.dataclass
class _Fetched:
    """The documents one refresh fetched, validated, as a repository for `build_view`."""

    defs: Definitions
    listed: list[Period]
    progs: dict[Period, Progress]
    years: dict[int, Definitions] = dataclasses.field(default_factory=dict)
    """Other years' definitions (`GET …/years/{year}`)."""

    def definitions(self) -> Definitions:
        """The unit's definitions."""
        return self.defs

    def periods(self) -> list[Period]:
        """The periods the server lists."""
        return self.listed

    def progress(self, period: Period, defs: Definitions) -> Progress | None:
        """A fetched period's progress (None when it was not fetched or has none)."""
        return self.progs.get(period)

    def year_definitions(self, year: int) -> Definitions | None:
        """A year's definitions as the server published them (None: it publishes none)."""
        if year == self.defs.unit.year:
            return self.defs
        return self.years.get(year)


@dataclasses.dataclass
class _Fetch:
    """What one refresh fetched, before validation."""

    defs: Definitions
    period: Period
    listed: list[Period]
    docs: dict[Period, Fetched]
    warnings: list[ChitieuError]
    history: int
    years: dict[int, Fetched] = dataclasses.field(default_factory=dict)
    """Other years' definitions documents, by year."""


async def _all(*coros: Any) -> list[Any]:
    """Run concurrently; on the first failure cancel the rest and raise it."""
    tasks = [asyncio.ensure_future(c) for c in coros]
    try:
        return list(await asyncio.gather(*tasks))
    except BaseException:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        raise
