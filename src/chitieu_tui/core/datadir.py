"""The file source: a data directory of chitieu.toml, progress/ and snapshots/."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import functools
import os
import stat
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import field
from pathlib import Path
from typing import TYPE_CHECKING

from chitieu_tui.core.arithmetic import Board
from chitieu_tui.core.errors import ChitieuError, DataError, Place, WriteError, flatten
from chitieu_tui.core.loader import (
    load_definitions,
    load_progress,
    load_year_definitions,
    period_named,
)
from chitieu_tui.core.model import Definitions, Indicator, Progress
from chitieu_tui.core.oserrors import os_reason
from chitieu_tui.core.paths import resolved_cwd, shown_path, shown_real
from chitieu_tui.core.periods import Period, default_period, preferred
from chitieu_tui.core.records import FACTORY, changed, plain
from chitieu_tui.core.text import clean
from chitieu_tui.core.tomlfile import link_problem
from chitieu_tui.i18n import Msg

if TYPE_CHECKING:  # the writing stack and the archive are imported when first used
    from chitieu_tui.core.archive import Archive
    from chitieu_tui.core.journal import Change
    from chitieu_tui.core.parsecache import ParseCache
    from chitieu_tui.core.requests import Request, Written

BUNDLED = Path(__file__).resolve().parents[1] / "sample"
BUNDLED_COLLECTION = Path(__file__).resolve().parents[1] / "sample_collection"
"""The bundled many-units sample (its units are never written either)."""
DEFINITIONS = "chitieu.toml"
YEARS = "years"
"""The folder of other years' definitions: `years/<year>.toml`."""
SETTLED = 2
"""Seconds after which a folder's stat is trusted to change when its listing does (a file
system whose times are coarse could list a file added in the same tick as the last one)."""
SAMPLE_HINT = Msg("err.sample.read_only")
"""Said when someone tries to write into the bundled sample."""


def usable_path(path: Path) -> None:
    """Refuse, as coded errors, a path the system cannot even look at (a part over 255
    bytes: ENAMETOOLONG) and a relative path when the working folder has been deleted."""
    if not path.is_absolute():
        try:
            os.getcwd()
        except OSError:
            raise DataError("err.cwd.gone", Place(str(path))) from None
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            raise DataError("err.path.too_long", Place(clean(str(path))[:80] + "…")) from None


def resolve_data_dir(arg: str | os.PathLike[str] | None) -> Path:
    """`--config DIR`; else `./config` when it has chitieu.toml; else the bundled sample."""
    if arg is not None:
        path = Path(arg)
        usable_path(path)
        return path.parent if path.name == DEFINITIONS and path.is_file() else path
    local = Path("config")
    usable_path(local)
    if (local / DEFINITIONS).is_file():
        return local
    return BUNDLED


def bundled_at(real: str) -> bool:
    """A resolved folder is the bundled sample, or a unit of the bundled collection."""
    return real == _BUNDLED or os.path.dirname(real) == _BUNDLED_COLLECTION


_BUNDLED, _BUNDLED_COLLECTION = str(BUNDLED), str(BUNDLED_COLLECTION)


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def _stamp_of(name: str) -> tuple[int, int] | None:
    """`_stamp` of a path given as a string (no `Path` made)."""
    try:
        st = os.stat(name)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size


def watched_files(root: str, period: Period | None) -> tuple[str, ...]:
    """The files of the data folder `root` whose stamps make `DataDir.fingerprint(period)`
    (`period` known): `progress/`, chitieu.toml, the year's quarters so far, and the
    definitions of the period's year and the year before."""
    prefix = os.path.join(root, "")  # `prefix + name` is `os.path.join(root, name)`
    return tuple([prefix + name for name in _watched_names(period)])


PROGRESS = "progress"


@functools.lru_cache(maxsize=64)
def _quarter_name(period: Period) -> str:
    """A quarter's progress file, relative to the folder (as `_watched_names` names it)."""
    return os.path.join(PROGRESS, f"{period}.toml")


@functools.lru_cache(maxsize=64)
def _year_name(year: int) -> str:
    """A year's definitions file, relative to the folder (as `_watched_names` names it)."""
    return os.path.join(YEARS, f"{year}.toml")


@functools.lru_cache(maxsize=16)
def _watched_names(period: Period | None) -> tuple[str, ...]:
    """`watched_files`, relative to the folder."""
    quarters = period.quarters_of_year_so_far() if period is not None else []
    names = [PROGRESS, DEFINITIONS]
    names += [_quarter_name(p) for p in quarters]
    if period is not None:  # the period's own year and the year before (last year's quarter)
        names += [_year_name(y) for y in (period.year, period.year - 1)]
    return tuple(names)


def stamps_of(names: Iterable[str]) -> tuple[tuple[int, int] | None, ...]:
    """The stamps of files named as strings (`fingerprint`)."""
    return tuple(_stamp_of(f) for f in names)


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except OSError:
        return None


def folder_fine(folder: Path) -> bool:
    """`folder_problem(folder, …) is None`, asked with one `lstat` in the common cases (a
    folder, or nothing there); a link or a file is asked of `folder_problem`."""
    try:
        st = os.lstat(folder)
    except (OSError, ValueError):  # nothing there (as `os.path.lexists` says)
        return True
    return stat.S_ISDIR(st.st_mode) or folder_problem(folder, "") is None


def folder_problem(folder: Path, where: str) -> DataError | None:
    """`progress/` or `years/` that is there but is no folder (a file, a dangling or looping
    link) as a coded error; None when it is a folder or absent."""
    try:
        if not os.path.lexists(folder) or folder.is_dir():
            return None
    except OSError as exc:
        return DataError("err.file.unreadable", Place(where), reason=os_reason(exc))
    return link_problem(folder, where) or DataError("err.folder.is_file", Place(where))


@plain  # a dataclass whose __init__ is written out (core/records.py: no `exec` at import)
class DataDir:
    """Reads (with a cache keyed on mtime and size) and writes one data directory."""

    root: Path
    snapshots_override: Path | None = None
    warnings: list[ChitieuError] = field(default_factory=list)
    _defs: tuple[tuple[int, int] | None, Definitions] | None = None
    _progress: dict[Period, tuple[tuple[int, int] | None, Progress | None]] = field(
        default_factory=dict
    )
    _years: dict[int, tuple[tuple[int, int] | None, Definitions | None]] = field(
        default_factory=dict
    )
    _checked_with: dict[Period, Definitions] = field(default_factory=dict)
    """The definitions each cached progress was checked against."""
    _archive: Archive | None = None
    _listed: tuple[tuple[int, int, int], tuple[Period, ...]] | None = None
    """`progress/`'s stat and the periods it listed (`periods`)."""
    _real_folders: dict[str, str] = field(default_factory=dict)
    """Folders of this directory as resolved (`shown`)."""
    _watched: tuple[Path, Period | None, tuple[str, ...]] | None = None
    """The root, period and files of the last `fingerprint` (`_watched_files`)."""
    _seen: dict[str, tuple[int, int] | None] | None = field(default=None, repr=False, compare=False)
    """While a read is stamped (`stamped`): the first stamp its own `stat` calls found
    of each file of the fingerprint, by its name in the folder (`_watched_names`)."""
    cache: ParseCache | None = None
    """The collection's cache of parsed files (core/parsecache.py); None: none."""

    _paths: tuple[Path, Path, Path, Path, dict[Period, Path]] | None = field(
        default=None, repr=False, compare=False
    )
    """The root, `chitieu.toml`, `progress/`, `years/` and the progress files asked, made
    once (`_made`): a read asked for them again and again (pathlib: a tenth of a unit's
    read beyond parsing)."""

    def __init__(
        self,
        root: Path,
        snapshots_override: Path | None = None,
        warnings: list[ChitieuError] = FACTORY,
        _defs: tuple[tuple[int, int] | None, Definitions] | None = None,
        _progress: dict[Period, tuple[tuple[int, int] | None, Progress | None]] = FACTORY,
        _years: dict[int, tuple[tuple[int, int] | None, Definitions | None]] = FACTORY,
        _checked_with: dict[Period, Definitions] = FACTORY,
        _archive: Archive | None = None,
        _listed: tuple[tuple[int, int, int], tuple[Period, ...]] | None = None,
        _real_folders: dict[str, str] = FACTORY,
        _watched: tuple[Path, Period | None, tuple[str, ...]] | None = None,
        _seen: dict[str, tuple[int, int] | None] | None = None,
        cache: ParseCache | None = None,
        _paths: tuple[Path, Path, Path, Path, dict[Period, Path]] | None = None,
    ) -> None:
        self.root = root
        self.snapshots_override = snapshots_override
        self.warnings = [] if warnings is FACTORY else warnings
        self._defs = _defs
        self._progress = {} if _progress is FACTORY else _progress
        self._years = {} if _years is FACTORY else _years
        self._checked_with = {} if _checked_with is FACTORY else _checked_with
        self._archive = _archive
        self._listed = _listed
        self._real_folders = {} if _real_folders is FACTORY else _real_folders
        self._watched = _watched
        self._seen = _seen
        self.cache = cache
        self._paths = _paths

    def _made(self) -> tuple[Path, Path, Path, Path, dict[Period, Path]]:
        made = self._paths
        if made is None or made[0] is not self.root:
            root = self.root
            made = self._paths = (root, root / DEFINITIONS, root / "progress", root / YEARS, {})
        return made

    @property
    def definitions_path(self) -> Path:
        """`<root>/chitieu.toml`."""
        return self._made()[1]

    def progress_path(self, period: Period) -> Path:
        """`<root>/progress/<period>.toml`."""
        made = self._made()
        found = made[4].get(period)
        if found is None:
            found = made[4][period] = made[2] / f"{period}.toml"
        return found

    def year_path(self, year: int) -> Path:
        """`<root>/years/<year>.toml`."""
        return self.root / YEARS / f"{year}.toml"

    def year_definitions(self, year: int) -> Definitions | None:
        """`years/<year>.toml`, validated (cached on stat); the current year's definitions for
        their own year; None when the year has no file."""
        defs = self.definitions()
        if year == defs.unit.year:
            return defs
        path = self.year_path(year)
        stamp = self._probe(path, _year_name(year))
        cached = self._years.get(year)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        found = None
        if stamp is not None:
            found = load_year_definitions(path, year, defs.unit.id, self.shown(path))
        self._years[year] = (stamp, found)
        return found

    def _probe(self, path: Path, name: str | None = None) -> tuple[int, int] | None:
        """A file's stamp, None when it is absent; DataError when its folder is no folder or
        it is a link to nothing (a missing file would hide it: `check` said OK). `name`:
        its name in the fingerprint, for a stamped read (`_saw`)."""
        st = self._probe_seen(path, name)
        return (st.st_mtime_ns, st.st_size) if st is not None else None

    def _probe_seen(self, path: Path, name: str | None) -> os.stat_result | None:
        """`_probe_stat`, its stamp kept for a stamped read (`_saw`) under `name`."""
        try:
            st = self._probe_stat(path)
        except ChitieuError:
            self._saw(name, None)  # no stamp (what `_stamp_of` says of it)
            raise
        self._saw(name, (st.st_mtime_ns, st.st_size) if st is not None else None)
        return st

    def _saw(self, name: str | None, stamp: tuple[int, int] | None) -> None:
        """A stamped read's `stat` of the fingerprint's file `name` (its first is kept)."""
        seen = self._seen
        if seen is not None and name is not None:
            seen.setdefault(name, stamp)

    def _probe_stat(self, path: Path) -> os.stat_result | None:
        """`_probe`'s stat result."""
        try:
            st = path.stat()
        except FileNotFoundError:
            if os.path.lexists(path):  # a link to nothing
                raise link_problem(path, self.shown(path)) or DataError(
                    "err.file.not_found", Place(self.shown(path))
                ) from None
            folder = path.parent
            if folder_fine(folder):  # named only when something is wrong with it
                return None
            problem = folder_problem(folder, self.shown(folder))
            if problem is not None:
                raise problem from None
            return None
        except OSError as exc:
            problem = folder_problem(path.parent, self.shown(path.parent))
            problem = problem or link_problem(path, self.shown(path))
            raise problem or DataError(
                "err.file.unreadable", Place(self.shown(path)), reason=os_reason(exc)
            ) from None
        return st

    def defs_for(self, period: Period) -> Definitions:
        """The definitions `period`'s values are checked and written with: its own year's,
        else the current ones."""
        return self.year_definitions(period.year) or self.definitions()

    def year_files(self) -> list[Path]:
        """Every file in `years/`, sorted (for `chitieu check`, and the years a unit has
        definitions for: the targets' checks of every unit of a collection)."""
        folder = self._made()[3]
        if not folder_fine(folder):  # named (its path resolved) only when something is wrong
            problem = folder_problem(folder, self.shown(folder))
            if problem is not None:
                raise problem
        try:
            return sorted(p for p in folder.iterdir() if p.suffix == ".toml")
        except OSError:
            return []

    def shown(self, path: Path) -> str:
        """How a file of this directory is named in messages (`shown_path`). The folder it is
        in is resolved once (`_real_folders`); the file itself only when it is a link: every
        file read resolved its whole path (a tenth of a cold load of the country)."""
        where, name = os.path.split(path)
        try:
            if name in ("", ".", "..") or os.path.islink(path):
                return shown_path(path)
            folder = self._real_folders.get(where)
            if folder is None:
                folder = self._real_folders[where] = self._real_folder(where)
            cwd = str(resolved_cwd())
        except (OSError, RuntimeError):  # unreadable; a link loop; no working folder
            return shown_path(path)
        return shown_real(path, os.path.join(folder, name), cwd)

    def _real_folder(self, where: str) -> str:
        """`os.path.realpath(where, strict=True)`; a folder (no link) in a folder already
        resolved (`progress/` in the unit's folder) is that one's path and its name, after
        one `lstat` (OSError as the strict `realpath`'s)."""
        parent, base = os.path.split(where)
        known = self._real_folders.get(parent)
        if known is not None and base not in ("", ".", ".."):
            if stat.S_ISDIR(os.lstat(where).st_mode):
                return os.path.join(known, base)
        return os.path.realpath(where, strict=True)

    def know_real(self, real: str) -> None:
        """The root's resolved path, when its source resolved it (`FileSource`): the files
        in it are named from it (`shown`) without resolving it again."""
        self._real_folders.setdefault(str(self.root), real)

    @property
    def is_bundled(self) -> bool:
        """True for the bundled sample, however reached (`./config` in the repository links
        to it): it is never written to, so that it stays what the report says."""
        try:
            return bundled_at(str(self.root.resolve()))
        except OSError:
            return False

    def snapshot_root(self, unit_id: str) -> Path:
        """`<root>/snapshots`, or the user's data folder when the directory is not writable."""
        if self.snapshots_override is not None:
            return self.snapshots_override
        if self.is_bundled or not os.access(self.root, os.W_OK):
            # lazy: the snapshot stack (msgspec encoders), off a read that needs no archive
            from chitieu_tui.core.snapshots import default_snapshot_root

            return default_snapshot_root(unit_id)
        return self.root / "snapshots"

    def definitions(self) -> Definitions:
        """chitieu.toml, validated (re-read only when the file changed)."""
        path = self.definitions_path
        st = _stat(path)
        stamp = (st.st_mtime_ns, st.st_size) if st is not None else None
        self._saw(DEFINITIONS, stamp)
        for folder in self._made()[2:4]:  # a file in a folder's place: said by every command
            # asked with no place first: naming the folder resolves its path (a `realpath`,
            # a tenth of a warm roll-up's load when done for every unit)
            if not folder_fine(folder):
                problem = folder_problem(folder, self.shown(folder))
                if problem is not None:
                    raise problem
        if self._defs is not None and stamp is not None and self._defs[0] == stamp:
            return self._defs[1]
        if stamp is None and not self.root.is_dir():
            raise DataError("err.datadir.not_found", Place(self.shown(self.root)))
        found = self.cache.definitions(path, st) if self.cache and st is not None else None
        if found is not None:
            defs = found
        else:
            defs = load_definitions(path, self.shown(path))
            if self.cache is not None and st is not None:
                self.cache.put_definitions(path, st, defs)
        if self._defs is None or self._defs[1] != defs:
            self._progress.clear()
        self._defs = (stamp, defs)
        return defs

    def forget(self) -> None:
        """Let go of everything read (definitions, progress, the archive, warnings): the next
        read reads again (from the parse cache when there is one). A report that streams a
        collection forgets each unit once written, so that it never holds them all."""
        if self.cache is not None:
            for held in (self._defs, *self._years.values()):
                if held is not None and held[1] is not None:
                    self.cache.forget(held[1])
        self._defs = None
        self._progress = {}
        self._years = {}
        self._checked_with = {}
        self._archive = None
        self.warnings = []

    def fingerprint(self, period: Period | None) -> tuple[object, ...]:
        """Cheap stamps (a few stat calls) that change when anything shown for `period` changes.

        `None` is the period `board(None)` shows: the default period.
        """
        return stamps_of(self._watched_files(self._stamped_period(period)))

    def _stamped_period(self, period: Period | None) -> Period | None:
        """The period whose files make `fingerprint(period)`: `period`, else the default."""
        if period is None:  # a stamp never raises: the load says what is wrong
            try:
                candidates = preferred(self.periods())
            except ChitieuError:
                candidates = []
            period = candidates[0] if candidates else self._first_quarter()
        return period

    @contextlib.contextmanager
    def stamped(self) -> Iterator[Callable[[Period | None], tuple[object, ...]]]:
        """A read made inside is stamped by its own `stat` calls: the function given is
        `fingerprint`, asked after the read, with each file's stamp as the read's first
        `stat` of it found it (before it was read: a change while it is read is seen by
        the next `fingerprint`), and the files the read did not ask stamped then (what
        they hold played no part in it). One pass of `stat` calls a read, not two."""
        seen: dict[str, tuple[int, int] | None] = {}

        def stamps(period: Period | None) -> tuple[object, ...]:
            period = self._stamped_period(period)
            files = self._watched_files(period)
            names = _watched_names(period)
            return tuple(
                seen[n] if n in seen else _stamp_of(f) for n, f in zip(names, files, strict=True)
            )

        self._seen = seen
        try:
            yield stamps
        finally:
            self._seen = None

    def _first_quarter(self) -> Period | None:
        """With no progress, the period the load shows: Q1 of the definitions' year (asked
        only then: a unit without progress yet). A stamp of `None` that named no quarter
        differed from the stamp of the period shown, and a roll-up read that unit again at
        every poll."""
        try:
            return Period(self.definitions().unit.year, 1)
        except ChitieuError:
            return None

    def _watched_files(self, period: Period | None) -> tuple[str, ...]:
        """The files whose stamps make `fingerprint(period)`, as strings (the last period's
        kept: a roll-up asks 3,321 folders twice a second, and making their paths was half
        the cost of asking)."""
        if self._watched is not None and self._watched[:2] == (self.root, period):
            return self._watched[2]
        self._watched = (self.root, period, watched_files(str(self.root), period))
        return self._watched[2]

    def periods(self) -> list[Period]:
        """The periods that have a progress file, oldest first (DataError when `progress` is
        no folder). The listing is kept on the folder's stat (inode, mtime, ctime: a file
        added or removed changes them) once that is `SETTLED` seconds old: a load lists the
        folder twice (its stamp and its view), and a listing costs ten times a stat."""
        folder = self._made()[2]
        try:
            st = os.stat(folder)
        except OSError:
            st = None
        self._saw(PROGRESS, (st.st_mtime_ns, st.st_size) if st is not None else None)
        key = (st.st_ino, st.st_mtime_ns, st.st_ctime_ns) if st is not None else None
        if key is not None and self._listed is not None and self._listed[0] == key:
            return list(self._listed[1])
        try:
            names = os.listdir(folder)
        except OSError:
            if folder_fine(folder):  # absent (a unit without progress yet): named only
                return []  # when something is wrong (`definitions`)
            problem = folder_problem(folder, self.shown(folder))
            if problem is not None:
                raise problem from None
            return []
        # a valid name is `YYYY-Qn` (`Period.is_valid`): in the order of its period
        found = [
            p
            for n in sorted(names)
            if n.endswith(".toml") and (p := period_named(n[:-5])) is not None
        ]
        settled = time.time_ns() - SETTLED * 1_000_000_000
        if st is not None and key is not None and max(st.st_mtime_ns, st.st_ctime_ns) < settled:
            self._listed = (key, tuple(found))
        return found

    def default_period(self, defs: Definitions) -> Period:
        """The default period (`periods.default_period`): the newest with progress not after
        today's quarter, else Q1 of the definitions' year."""
        return default_period(self.periods(), defs.unit.year)

    def progress(self, period: Period, defs: Definitions) -> Progress | None:
        """One period's progress (None when it has no file yet)."""
        path = self.progress_path(period)
        st = self._probe_seen(path, _quarter_name(period) if self._seen is not None else None)
        stamp = (st.st_mtime_ns, st.st_size) if st is not None else None
        cached = self._progress.get(period)
        if cached is not None and cached[0] == stamp and self._checked_with.get(period) is defs:
            return cached[1]
        if st is None or stamp is None:
            self._progress[period] = (None, None)
            return None
        found = self.cache.progress(path, st, defs, period) if self.cache is not None else None
        if found is not None:
            prog, warnings = found
            self.warnings.extend(warnings)
        else:
            source = f"file:progress/{period}.toml"  # `progress_path`, from the root
            prog, warnings = load_progress(path, defs, self.shown(path), source=source)
            modified = dt.datetime.fromtimestamp(stamp[0] / 1e9, dt.UTC)
            prog = changed(prog, modified=modified)  # dataclasses.replace, 5x faster
            self.warnings.extend(warnings)
            if self.cache is not None:
                self.cache.put_progress(path, st, defs, prog, warnings)
        self._progress[period] = (stamp, prog)
        self._checked_with[period] = defs
        return prog

    def archive(self) -> Archive:
        """This unit's snapshot archive (the history's fallback for quarters without a file)."""
        root = self.snapshot_root(self.definitions().unit.id)
        if self._archive is None or self._archive.root != root:
            # lazy: the archive, only for a quarter without a progress file
            from chitieu_tui.core.archive import Archive

            self._archive = Archive(root)
        return self._archive

    def write(self, requests: Sequence[Request]) -> Written:
        """Carry requests of one quarter into its progress file (`writer.write`: one lock,
        one read, one validation, the journal first, one atomic write), against the quarter's
        own year's definitions. The quarter as it now stands is kept as read (no second read
        for the snapshot). The bundled sample is never written (WriteError)."""
        # lazy: the writing stack (requests, writer, chain, outliers), never on a read
        from chitieu_tui.core import writer
        from chitieu_tui.core.requests import SetValue, Unset, period_of

        period = period_of(requests)
        for i, r in enumerate(requests):
            if isinstance(r, SetValue | Unset):
                try:
                    self._indicator(r.id, period)
                except ChitieuError as exc:
                    exc.index = i  # which one (a bulk write names it)
                    raise
        if self.is_bundled:
            raise WriteError(SAMPLE_HINT, Place(self.shown(self.root)))
        defs = self.defs_for(period)
        path = self.progress_path(period)
        source = f"file:{path.relative_to(self.root).as_posix()}"
        ids = [r.id for r in requests if isinstance(r, SetValue)]
        history = self.outlier_history(period, ids) if ids else None
        written = writer.write(
            path,
            defs,
            period,
            requests,
            shown=self.shown(path),
            source=source,
            history=history,
        )
        stamp = _stamp(path)
        if stamp is not None:
            self._progress[period] = (stamp, written.progress)
            self._checked_with[period] = defs
        return written

    def outlier_history(self, period: Period, ids: Iterable[str]) -> dict[str, dict[Period, float]]:
        """Each indicator's values of the `outliers.WINDOW + 1` quarters before `period` (a
        ytd increment needs the one before the window), from the progress files, else the
        snapshot archive; a quarter that cannot be read, and one whose year defined the
        indicator otherwise (`outliers.comparable`), is left out. Reading never writes."""
        from chitieu_tui.core import outliers  # lazy: the outlier statistics, for a write

        now = self.defs_for(period)
        wanted = {}
        for ident in ids:
            ind = now.indicator(ident)
            if ind is not None and ind.kind != "milestone":
                wanted[ident] = ind
        out: dict[str, dict[Period, float]] = {ident: {} for ident in wanted}
        if not wanted:
            return out
        quarter = period
        for _ in range(outliers.WINDOW + 1):
            quarter = quarter.prev()
            try:
                then = self.defs_for(quarter)
                found = self.progress(quarter, then)
                if found is None:
                    found = self.archive().progress(quarter, then)
            except (ChitieuError, OSError, ValueError):
                continue
            if found is None:
                continue
            for ident, ind in wanted.items():
                entry = found.values.get(ident)
                if entry is None or isinstance(entry.value, bool):
                    continue
                if outliers.comparable(ind, then.indicator(ident)):
                    out[ident][quarter] = float(entry.value)
        return out

    def journal_path(self, period: Period) -> Path:
        """`<root>/journal/<period>.toml`."""
        return self.root / "journal" / f"{period}.toml"

    def journal(self, period: Period) -> list[Change]:
        """The period's journal, oldest first, with the values changed by hand since appended
        (computed, never written: the next write of the quarter records them)."""
        defs = self.defs_for(period)
        path = self.progress_path(period)
        self._probe(path)  # a link to nothing, or `progress` a file: said, not taken as empty
        from chitieu_tui.core import writer  # lazy: the writing stack, for the journal

        return writer.notice_hand_changes(path, defs, period, shown=self.shown(path))

    def journal_problems(self) -> list[ChitieuError]:
        """What is wrong with the journals (`chitieu check`): `journal` no folder, a journal
        that cannot be read, or of another unit or quarter than its place says — a quarter
        `set` would refuse."""
        folder = self.root / "journal"
        problem = folder_problem(folder, self.shown(folder))
        if problem is not None:
            return [problem]
        try:
            names = sorted(os.listdir(folder))
        except OSError:
            return []
        unit = self.definitions().unit.id
        from chitieu_tui.core.journal import read_journal  # lazy: journals, for `check`

        found: list[ChitieuError] = []
        for name in names:
            if name.startswith(".") or not name.endswith(".toml"):
                continue
            path = folder / name
            if not Period.is_valid(name[:-5]):
                found.append(DataError("err.progress.file_name", Place(self.shown(path))))
                continue
            try:
                read_journal(path, self.shown(path), unit=unit, period=Period.parse(name[:-5]))
            except ChitieuError as exc:
                found.extend(flatten(exc))
        return found

    def _indicator(self, indicator_id: str, period: Period | None = None) -> Indicator:
        """The indicator with this id (in `period`'s own year's definitions when it has
        them); DataError naming some known ids otherwise."""
        defs = self.defs_for(period) if period is not None else self.definitions()
        ind = defs.indicator(indicator_id)
        if ind is None:
            known = ", ".join(i.id for i in defs.indicators[:8])
            raise DataError(
                "err.indicator.unknown_known",
                Place(self.shown(self.definitions_path)),
                id=clean(indicator_id),
                known=known,
            )
        return ind

    def take_snapshot(self, board: Board) -> Path:
        """Write a snapshot of `board`; return its path."""
        source = f"file:progress/{board.period}.toml"
        from chitieu_tui.core.snapshots import write_snapshot  # lazy: only when one is taken

        return write_snapshot(self.snapshot_root(board.definitions.unit.id), board, source)
