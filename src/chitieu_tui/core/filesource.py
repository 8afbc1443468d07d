"""The file source: a data folder (chitieu.toml, progress/, journal/, snapshots/) as a
`ClosableSource`: blocking reads cached on `stat`, each write one transaction."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from chitieu_tui.core.arithmetic import Board
from chitieu_tui.core.datadir import DEFINITIONS, DataDir, bundled_at
from chitieu_tui.core.errors import ChitieuError
from chitieu_tui.core.gcpause import gc_paused
from chitieu_tui.core.loader import forget_indexes
from chitieu_tui.core.paths import real_path, shown_real
from chitieu_tui.core.periods import Period
from chitieu_tui.core.source import HISTORY, Origin, View, build_view
from chitieu_tui.core.tomlfile import hand_over
from chitieu_tui.i18n import Msg

FREEZE_BYTES = 170_000
"""A unit opened alone whose chitieu.toml is this large (about 1,000 indicators) has what
its load read frozen out of the cyclic collector's sight (`gcpause.gc_paused`)."""

SMALL_UNIT_BYTES = 12 * 1024
"""A unit opened alone whose chitieu.toml is smaller than this (about 70 indicators) is read
without a parse cache: parsing its few KiB costs less than importing the cache's module and
reading its file (BENCHMARKS.md, "Issue 23, eighth session: start-up"). A collection's
members always share the collection's cache."""

if TYPE_CHECKING:  # the writing stack (`write`) and the parse cache (a large unit's)
    from chitieu_tui.core.journal import Change
    from chitieu_tui.core.model import Definitions, Progress
    from chitieu_tui.core.parsecache import ParseCache
    from chitieu_tui.core.requests import Request, Written


def _large(root: Path) -> bool:
    """The unit's chitieu.toml is at least `SMALL_UNIT_BYTES` (no such file: not large; its
    read says what is wrong)."""
    try:
        return os.stat(root / DEFINITIONS).st_size >= SMALL_UNIT_BYTES
    except (OSError, ValueError):
        return False


class _ArchiveWhenAsked:
    """The unit's snapshot archive as the history's fallback (`build_view`), made when a
    quarter without a progress file is first asked: a history whose quarters all have files
    (the sample's) imports neither the archive nor the snapshots' module."""

    def __init__(self, data: DataDir) -> None:
        self._data = data

    def definitions(self) -> Definitions:
        return self._data.archive().definitions()

    def periods(self) -> list[Period]:
        return self._data.archive().periods()

    def progress(self, period: Period, defs: Definitions) -> Progress | None:
        return self._data.archive().progress(period, defs)

    def year_definitions(self, year: int) -> Definitions | None:
        return self._data.archive().year_definitions(year)


class FileSource:
    """A data folder: blocking reads, cached on stat; one lock for its workers."""

    check_seconds = 0.5
    """A few `stat` calls twice a second: a change on disk shows within about a second."""
    closes_quarters = True

    def __init__(
        self,
        root: Path,
        snapshots: Path | None = None,
        cache: ParseCache | None = None,
        *,
        own_cache: bool = False,
        parent_real: str | None = None,
    ) -> None:
        """`parent_real`: the resolved path of the folder `root` is in, when the caller
        knows it (a collection's units: `paths.real_path`)."""
        if own_cache and cache is None and _large(root):
            # lazy: the parse cache (and its decoders) only for a unit worth caching
            from chitieu_tui.core.parsecache import ParseCache

            cache = ParseCache.for_folder(root, hold=True)
        self._owns_cache = own_cache and cache is not None
        self._alone = own_cache
        """Opened alone (not a collection's member, whose collection pauses the collector)."""
        """A unit opened alone keeps its own parse cache, saved when its reader says
        (`save_cache`: the app after the first frame, a one-shot command after its read),
        never inside a load; a collection's members share the collection's, which the
        collection saves."""
        self.data = DataDir(root, snapshots_override=snapshots, cache=cache)
        self._lock = threading.Lock()  # load, write and snapshot workers share the caches
        # the root resolved once, for its label, the bundled check and the names of its
        # files (`DataDir.shown`); from the collection's resolved folder when given
        try:
            real: str | None = real_path(root, parent_real)
        except OSError:
            real = None
        bundled = real is not None and bundled_at(real)  # the installed sample: `chitieu
        # init` copies it
        if real is not None:
            self.data.know_real(real)
        self.origin = Origin(
            label=(shown_real(root, real) if real is not None else str(root)).rstrip("/") + "/",
            kind="sample" if bundled else "file",
            read_only=bundled,
            read_only_reason=Msg("err.sample.read_only") if bundled else None,
        )
        self.label = self.origin.label

    @property
    def read_only(self) -> bool:
        """True for the bundled sample."""
        return self.origin.read_only

    def stamp(self, period: Period | None) -> object:
        """Stamps of the files shown for `period` (a change on disk changes them)."""
        return self.data.fingerprint(period)

    def preload(self, period: Period | None) -> View | None:
        """Local files: read them before the app starts (None when they are broken); then
        the files another process parsed for this read let go of (`tomlfile.hand_over`)."""
        try:
            return self.load(period)
        except ChitieuError:
            return None
        finally:
            hand_over(None)

    def load(self, period: Period | None = None, history: int = HISTORY) -> View:
        """Read (cached on mtimes) and evaluate one period. An own parse cache is not saved
        here (the first frame would wait for it): `save_cache` does."""
        with self._lock, self._paused():
            view = self._view(period, history)
            if self._owns_cache and self.data.cache is not None:
                self.data.cache.release()  # the cache file's bytes: read what it had
                forget_indexes()  # what its progress files were checked with
            return view

    def stamped_load(
        self, period: Period | None = None, history: int = HISTORY
    ) -> tuple[object, View | None, ChitieuError | None]:
        """`stamp(period)`, then `load(period, history)` (its view, or the ChitieuError it
        raised), with the stamp made of the `stat` calls the read makes anyway
        (`DataDir.stamped`): equal to a `stamp` taken before the read when nothing changed
        meanwhile, and older than the read for every file it read."""
        with self._lock, self._paused(), self.data.stamped() as stamps:
            try:
                view = self._view(period, history)
            except ChitieuError as exc:
                return stamps(period), None, exc
            if self._owns_cache and self.data.cache is not None:
                self.data.cache.release()  # as `load`
                forget_indexes()
            return stamps(view.period), view, None

    def _paused(self) -> contextlib.AbstractContextManager[None]:
        """The cyclic collector off while a unit opened alone is read (its passes over the
        objects a large unit makes, none in cycles, cost a fifth of a warm load at 50,000
        indicators), and a large one's objects frozen after (`gcpause.gc_paused`: the
        garbage waiting is collected first; later passes, during the app's first frame, do
        not walk them again)."""
        if not self._alone:
            return contextlib.nullcontext()
        try:
            large = self.data.definitions_path.stat().st_size >= FREEZE_BYTES
        except OSError:
            large = False
        return gc_paused(freeze=large)

    def unsaved(self) -> bool:
        """True when this source's own parse cache has entries to save (`save_cache`)."""
        return self._owns_cache and self.data.cache is not None and self.data.cache.dirty

    def save_cache(self) -> None:
        """Write this source's own parse cache when a load read anything new (best effort;
        safe in a thread beside a load: the cache has its own lock and the objects it
        encodes are immutable). A collection member's shared cache is not saved here."""
        if self._owns_cache and self.data.cache is not None:
            self.data.cache.save()

    def begin_save_cache(self) -> Callable[[], None] | None:
        """`save_cache` in two parts (`ParseCache.begin_save`): the encoding and writing
        here, the rest by the function returned (None: nothing left to do)."""
        if self._owns_cache and self.data.cache is not None:
            return self.data.cache.begin_save()
        return None

    def _view(self, period: Period | None, history: int) -> View:
        self.data.warnings = []
        fallback = _ArchiveWhenAsked(self.data) if history else None
        view = build_view(self.data, period, self.origin, history=history, fallback=fallback)
        view.warnings.extend(self.data.warnings)
        return view

    def forget(self) -> None:
        """Let go of what was read (`DataDir.forget`)."""
        with self._lock:
            self.data.forget()

    def board(self, period: Period | None = None) -> Board:
        """One period's board, without history (None: the default period)."""
        return self.load(period, history=0).board

    async def aload(self, period: Period | None = None, history: int = HISTORY) -> View:
        """`load` in a thread."""
        # lazy: asyncio, only the app's event loop needs it (one-shot commands never do)
        import asyncio

        return await asyncio.to_thread(self.load, period, history)

    def last_checked(self) -> dt.datetime | None:
        """Files are read, not asked: the view's own time says it."""
        return None

    def retry_hint(self) -> Msg:
        """Fixing the file is enough: it is read again by itself."""
        return Msg("retry_files")

    def snapshot(self, view: View) -> Path:
        """Write a snapshot of the view's period."""
        with self._lock:
            return self.data.take_snapshot(view.board)

    async def aclose(self) -> None:
        """Nothing to close."""

    def write(self, requests: Sequence[Request], *, snapshot: bool = True) -> Written:
        """One transaction into the quarter's progress file (`DataDir.write`), then a
        snapshot of the quarter from what was just written (none after a reopen)."""
        from chitieu_tui.core.requests import Reopen, period_of  # lazy: the writing stack

        period = period_of(requests)
        with self._lock:
            written = self.data.write(requests)
            if not snapshot or all(isinstance(r, Reopen) for r in requests):
                return written
            taken = self.data.take_snapshot(self._view(period, 0).board)
        return dataclasses.replace(written, snapshot=taken)

    def journal(self, period: Period) -> list[Change]:
        """The period's journal (values changed by hand noticed, recorded by the next write)."""
        with self._lock:
            return self.data.journal(period)

    async def ajournal(self, period: Period) -> list[Change]:
        """`journal` in a thread."""
        # lazy: asyncio, as in `aload`
        import asyncio

        return await asyncio.to_thread(self.journal, period)
