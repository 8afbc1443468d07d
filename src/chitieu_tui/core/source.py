"""The source seam: what every source hands the screen and the reports, and the one pipeline.

Data flows one way: a `Repository` (a data folder, the API's fetched documents, the
snapshot archive) → `build_view` (the one place a `View` is built, with the same rules for
every source) → the presentation → TUI, reports, server. A `Source` wraps a repository with
how it is read (blocking or async), how changes are noticed and where snapshots go; a
`WritableSource` takes write requests (core/requests.py). This module holds the seam only:
the sources live beside their repositories (core/filesource.py, core/archive.py,
remote/source.py).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol, runtime_checkable

from chitieu_tui.core.arithmetic import Board, evaluate_board, history_boards
from chitieu_tui.core.errors import ChitieuError
from chitieu_tui.core.model import Definitions, Progress
from chitieu_tui.core.periods import Period, default_period
from chitieu_tui.core.records import FACTORY, frozen_dict
from chitieu_tui.i18n import Msg

if TYPE_CHECKING:  # the write requests: only the writing sources need them at run time
    from chitieu_tui.core.requests import Request, Written

HISTORY = 5
"""How many quarters (ending with the one shown) the screen's trends and history use."""


@frozen_dict
class View:
    """Everything shown for one period, and where it came from."""

    board: Board
    history: list[Board]
    """Boards of earlier periods (oldest first), ending with this one, for trends."""
    source_label: str
    """Where the data came from, as data: a folder `config/`, `api:http://…`; see `source_kind`."""
    loaded_at: dt.datetime
    """When this view was read (UTC)."""
    periods: list[Period] = field(default_factory=list)
    """Periods that have data, oldest first."""
    read_only: bool = False
    stale: bool = False
    """True when showing an offline copy (a snapshot) instead of live data."""
    stale_since: dt.datetime | None = None
    """When the offline copy was taken."""
    warnings: list[ChitieuError] = field(default_factory=list)
    source_kind: str = "file"
    """`file` (a data folder), `sample` (the bundled sample), `api` (a server) or `snapshot`
    (the snapshot archive); the presentation words it, `source_label` names the place."""
    read_only_reason: Msg | None = None
    """Why values cannot be entered here (None: they can, or the source says nothing)."""

    def __init__(
        self,
        board: Board,
        history: list[Board],
        source_label: str,
        loaded_at: dt.datetime,
        periods: list[Period] = FACTORY,
        read_only: bool = False,
        stale: bool = False,
        stale_since: dt.datetime | None = None,
        warnings: list[ChitieuError] = FACTORY,
        source_kind: str = "file",
        read_only_reason: Msg | None = None,
    ) -> None:
        object.__setattr__(self, "board", board)
        object.__setattr__(self, "history", history)
        object.__setattr__(self, "source_label", source_label)
        object.__setattr__(self, "loaded_at", loaded_at)
        object.__setattr__(self, "periods", [] if periods is FACTORY else periods)
        object.__setattr__(self, "read_only", read_only)
        object.__setattr__(self, "stale", stale)
        object.__setattr__(self, "stale_since", stale_since)
        object.__setattr__(self, "warnings", [] if warnings is FACTORY else warnings)
        object.__setattr__(self, "source_kind", source_kind)
        object.__setattr__(self, "read_only_reason", read_only_reason)

    @property
    def period(self) -> Period:
        """The period shown."""
        return self.board.period

    def last_year(self) -> Board | None:
        """The same quarter last year, when in `history`."""
        want = self.board.period.same_quarter_last_year()
        for b in self.history:
            if b.period == want:
                return b
        return None


class Repository(Protocol):
    """One unit's raw data: definitions, the periods with progress, one period's progress."""

    def definitions(self) -> Definitions:
        """The definitions (raises DataError when they cannot be used)."""
        ...

    def periods(self) -> list[Period]:
        """The periods that have progress, oldest first."""
        ...

    def progress(self, period: Period, defs: Definitions) -> Progress | None:
        """One period's progress checked against `defs`; None when the period has none."""
        ...

    def year_definitions(self, year: int) -> Definitions | None:
        """The definitions of `year` (`definitions()` for its own year); None when the year
        has none: its quarters are shown with values only (raises DataError when broken)."""
        ...


@frozen_dict
class Origin:
    """How a view's source is named and whether it can be written."""

    label: str
    kind: str
    read_only: bool = False
    read_only_reason: Msg | None = None

    def __init__(
        self,
        label: str,
        kind: str,
        read_only: bool = False,
        read_only_reason: Msg | None = None,
    ) -> None:
        object.__setattr__(self, "label", label)
        object.__setattr__(self, "kind", kind)
        object.__setattr__(self, "read_only", read_only)
        object.__setattr__(self, "read_only_reason", read_only_reason)


def build_view(
    repo: Repository,
    period: Period | None,
    origin: Origin,
    *,
    history: int = HISTORY,
    fallback: Repository | None = None,
    defs: Definitions | None = None,
    periods: list[Period] | None = None,
    warnings: list[ChitieuError] | None = None,
    stale_since: dt.datetime | None = None,
) -> View:
    """The one place a View is built: board, history, same quarter last year, provenance.

    `period` None is the default period (`periods.default_period`: the newest with progress
    not after today's quarter; Q1 of the definitions' year when none). The period shown and the earlier quarters of its year must read cleanly (errors
    propagate); a history quarter that cannot be read falls back to `fallback` (the snapshot
    archive), then is left out. `stale_since` marks an offline copy.
    """
    defs = defs if defs is not None else repo.definitions()
    listed = periods if periods is not None else repo.periods()
    period = period or default_period(listed, defs.unit.year)
    problems: list[ChitieuError] = []
    years = _year_definitions(repo, defs, period.year, problems)
    own = years(period.year)  # the period's own year: errors propagate
    judged_by = own or defs
    year: dict[Period, Progress] = {}
    for q in period.quarters_of_year_so_far():
        found = repo.progress(q, judged_by)
        if found is not None:
            year[q] = found
    board = evaluate_board(judged_by, period, year, judged=own is not None)
    boards: list[Board] = []
    if history:
        lookup = _history_lookup(repo, fallback, defs, year, years)
        boards = history_boards(defs, period, history, lookup, years)
        last_year = period.same_quarter_last_year()
        if all(b.period != last_year for b in boards):
            boards = history_boards(defs, last_year, 1, lookup, years) + boards
    return View(
        board=board,
        history=boards,
        source_label=origin.label,
        loaded_at=dt.datetime.now(dt.UTC),
        periods=listed,
        read_only=origin.read_only,
        stale=stale_since is not None,
        stale_since=stale_since,
        warnings=list(warnings or []) + problems,
        source_kind=origin.kind,
        read_only_reason=origin.read_only_reason,
    )


def _year_definitions(
    repo: Repository, defs: Definitions, shown_year: int, problems: list[ChitieuError]
) -> Callable[[int], Definitions | None]:
    """Each year's own definitions, asked once per view: `defs` for their year, the
    repository's for the others. A broken file of another year than `shown_year` is a
    warning (added to `problems`) and that year's quarters are shown unjudged."""
    asked: dict[int, Definitions | None] = {defs.unit.year: defs}

    def years(year: int) -> Definitions | None:
        if year in asked:
            return asked[year]
        try:
            found = repo.year_definitions(year)
        except ChitieuError as err:
            if year == shown_year:
                raise
            problems.append(err)
            found = None
        if found is not None and found.unit.year != year:
            found = None  # a repository that answers with another year's targets
        asked[year] = found
        return found

    return years


def _history_lookup(
    repo: Repository,
    fallback: Repository | None,
    defs: Definitions,
    known: dict[Period, Progress],
    years: Callable[[int], Definitions | None] | None = None,
) -> Callable[[Period], Progress | None]:
    """One period's progress for the history (checked against its own year's definitions
    when `years` gives them): the repository, else the archive."""

    def lookup(period: Period) -> Progress | None:
        if period in known:
            return known[period]
        own = years(period.year) if years is not None else None
        defs_of = own or defs
        try:
            found = repo.progress(period, defs_of)
        except ChitieuError:
            found = None
        if found is None and fallback is not None:
            try:
                found = fallback.progress(period, defs_of)
            except ChitieuError:
                found = None
        if found is not None:
            known[period] = found
        return found

    return lookup


@runtime_checkable
class Source(Protocol):
    """Where one unit's figures come from, as the app, the CLI and the reports see it."""

    label: str
    """How the source is named in messages (`config/`, `api:http://…`)."""

    @property
    def check_seconds(self) -> float:
        """How often the app asks `stamp` whether a reload is due."""
        ...

    def stamp(self, period: Period | None) -> object:
        """Cheap; differs from the last call's when a reload of `period` is due."""
        ...

    def preload(self, period: Period | None) -> View | None:
        """A view that can be read before the app starts (local data), else None."""
        ...

    def load(self, period: Period | None = None, history: int = HISTORY) -> View:
        """Read and evaluate one period (None: the newest with progress); blocking."""
        ...

    async def aload(self, period: Period | None = None, history: int = HISTORY) -> View:
        """The same, for the app's event loop (file work runs in a thread)."""
        ...

    def last_checked(self) -> dt.datetime | None:
        """When the source last confirmed its data (a server's last answer), if it knows."""
        ...

    def retry_hint(self) -> Msg:
        """What happens after a failed load (shown when nothing could be loaded)."""
        ...

    def snapshot(self, view: View) -> Path:
        """Write a snapshot of the view's period; its path. Blocking."""
        ...

    async def aclose(self) -> None:
        """Release connections."""
        ...


@runtime_checkable
class CachingSource(Protocol):
    """A source that keeps a cache of what it read and saves it when told (a data folder
    opened alone, core/filesource.py): never inside a load, so the first frame does not wait
    for it; the app saves after a view is shown, a one-shot command after its read."""

    def unsaved(self) -> bool:
        """True when there is something to save."""
        ...

    def save_cache(self) -> None:
        """Save it (best effort; blocking, safe in a thread beside a load)."""
        ...

    def begin_save_cache(self) -> Callable[[], None] | None:
        """`save_cache`'s encoding and writing, here; the rest (digest, sync, rename: no
        object touched) by the function returned, in any one thread (None: nothing left)."""
        ...


@runtime_checkable
class WritableSource(Source, Protocol):
    """A source values can be entered into: every write is one list of requests."""

    def write(self, requests: Sequence[Request], *, snapshot: bool = True) -> Written:
        """Carry requests of one quarter (`SetValue`, `Unset`; `Close`/`Reopen` for a
        `ClosableSource`) as one transaction, then (unless `snapshot` is False, or for a
        reopen) snapshot the quarter. Blocking.

        Raises EntryError (a value that cannot be entered; ImplausibleError unless the
        request confirms it; ConflictError when a value is no longer the one expected),
        ClosedError, or another ChitieuError; nothing is written then.
        """
        ...


@runtime_checkable
class ClosableSource(WritableSource, Protocol):
    """A writable source whose quarters can be closed and reopened (chốt số liệu): its
    `write` takes `Close` and `Reopen` too."""

    closes_quarters: Literal[True]
