"""The snapshot archive as a repository and a source: what offline mode and history read."""

from __future__ import annotations

import datetime as dt
import os
import threading
from pathlib import Path

from chitieu_tui.core.errors import ChitieuError, DataError, Place
from chitieu_tui.core.model import Definitions, Progress
from chitieu_tui.core.paths import shown_path
from chitieu_tui.core.periods import Period, preferred
from chitieu_tui.core.snapshots import (
    Snapshot,
    read_snapshot,
    snapshot_files,
    snapshot_periods,
    write_snapshot,
)
from chitieu_tui.core.source import HISTORY, Origin, View, build_view
from chitieu_tui.i18n import Msg


class Archive:
    """One unit's snapshots: the newest readable snapshot of each period.

    Snapshots are never rewritten, so each file is read once (per definitions it is checked
    against). A snapshot that cannot be read is skipped: a broken newer one hides nothing.
    """

    def __init__(self, root: Path, unit: str | None = None) -> None:
        self.root = root
        self.unit = unit
        """When given, snapshots of another unit are ignored."""
        self._lock = threading.Lock()
        self._cache: dict[tuple[Path, bool], tuple[Definitions | None, Snapshot | None]] = {}

    def _read(self, path: Path, defs: Definitions | None) -> Snapshot | None:
        slot = (path, defs is None)
        with self._lock:
            hit = self._cache.get(slot)
        if hit is not None and (defs is None or hit[0] == defs):
            return hit[1]
        try:
            snap: Snapshot | None = read_snapshot(path, defs)
        except (ChitieuError, OSError):
            snap = None
        if snap is not None and self.unit is not None and snap.definitions.unit.id != self.unit:
            snap = None
        with self._lock:
            self._cache[slot] = (defs, snap)
        return snap

    def newest(self, period: Period, defs: Definitions | None = None) -> Snapshot | None:
        """The newest readable snapshot of `period` (checked against `defs` when given)."""
        for path in reversed(snapshot_files(self.root, period)):
            snap = self._read(path, defs)
            if snap is not None:
                return snap
        return None

    def periods(self) -> list[Period]:
        """The periods that have at least one snapshot, oldest first."""
        return snapshot_periods(self.root)

    def definitions(self) -> Definitions:
        """The definitions of the newest readable snapshot."""
        for period in reversed(self.periods()):
            snap = self.newest(period)
            if snap is not None:
                return snap.definitions
        raise DataError("err.archive.empty", Place(str(self.root)))

    def year_definitions(self, year: int) -> Definitions | None:
        """The definitions of `year` as its own snapshots hold them: the newest readable
        snapshot of a quarter of `year` taken with that year's definitions (None: none was)."""
        for period in reversed(self.periods()):
            if period.year != year:
                continue
            for path in reversed(snapshot_files(self.root, period)):
                snap = self._read(path, None)
                if snap is not None and snap.definitions.unit.year == year:
                    return snap.definitions
        return None

    def progress(self, period: Period, defs: Definitions) -> Progress | None:
        """The newest snapshot's values of `period`, checked against `defs`."""
        snap = self.newest(period, defs)
        return snap.progress if snap is not None else None

    def write(self, view: View, source: str) -> Path:
        """Write a snapshot of the view's board."""
        return write_snapshot(self.root, view.board, source)

    def stamp(self) -> object:
        """Changes when a snapshot is added."""
        try:
            top = os.stat(self.root).st_mtime_ns
        except OSError:
            return None
        inner: list[int | None] = []
        for period in self.periods()[-2:]:
            try:
                inner.append(os.stat(self.root / str(period)).st_mtime_ns)
            except OSError:
                inner.append(None)
        return (top, *inner)


def offline_view(
    archive: Archive,
    period: Period | None,
    origin: Origin,
    *,
    defs: Definitions | None = None,
    history: int = HISTORY,
    warnings: list[ChitieuError] | None = None,
) -> View | None:
    """A stale View from the newest snapshot of `period` (None: the newest period that has
    a readable one), judged with `defs` when they fit, else the snapshot's own; None when
    the archive holds nothing usable."""
    if period is not None:
        candidates = [period]
    else:  # the default period first (not after today), later ones only when nothing else
        kept = archive.periods()
        candidates = preferred(kept) + [p for p in kept[::-1] if p not in preferred(kept)]
    for p in candidates:
        snap = archive.newest(p, defs) if defs is not None else None
        if snap is None:
            snap = archive.newest(p)
        if snap is not None:
            return build_view(
                archive,
                p,
                origin,
                history=history,
                defs=snap.definitions,
                periods=archive.periods(),
                warnings=warnings,
                stale_since=snap.taken_at,
            )
    return None


class ArchiveSource:
    """The snapshot archive of one unit as a source of its own (read-only, offline)."""

    check_seconds = 1.0

    def __init__(self, root: Path, unit: str | None = None) -> None:
        self.archive = Archive(root, unit)
        self.label = f"snapshot:{shown_path(root)}"
        self.origin = Origin(
            label=self.label,
            kind="snapshot",
            read_only=True,
            read_only_reason=Msg("err.read_only.snapshot"),
        )

    def stamp(self, period: Period | None) -> object:
        """Changes when a snapshot is added."""
        return self.archive.stamp()

    def preload(self, period: Period | None) -> View | None:
        """Local files: read before the app starts."""
        try:
            return self.load(period)
        except ChitieuError:
            return None

    def load(self, period: Period | None = None, history: int = HISTORY) -> View:
        """The newest snapshot of `period` (None: the newest period)."""
        view = offline_view(self.archive, period, self.origin, history=history)
        if view is None:
            raise DataError("err.archive.empty", Place(str(self.archive.root)))
        return view

    async def aload(self, period: Period | None = None, history: int = HISTORY) -> View:
        """`load` in a thread."""
        import asyncio  # lazy: only the app's event loop needs it, never a one-shot command

        return await asyncio.to_thread(self.load, period, history)

    def last_checked(self) -> dt.datetime | None:
        """An archive is not asked."""
        return None

    def retry_hint(self) -> Msg:
        """A new snapshot is read by itself."""
        return Msg("retry_files")

    def snapshot(self, view: View) -> Path:
        """A snapshot of a snapshot would only repeat it."""
        raise ChitieuError("err.snapshot.of_offline", Place(self.label))

    async def aclose(self) -> None:
        """Nothing to close."""
