"""The served folders: unit discovery, per-unit locks, parsed-file caches and fast paths."""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from chitieu_tui.core.collection import COLLECTION_FILE, CollectionInfo, load_collection_info
from chitieu_tui.core.datadir import DEFINITIONS, DataDir
from chitieu_tui.core.errors import ChitieuError, DataError, Place
from chitieu_tui.core.model import Definitions, Progress
from chitieu_tui.core.periods import Period
from chitieu_tui.i18n import Msg
from chitieu_tui.remote.server.problems import (
    _LOG_LANG,
    Problem,
    _log_once,
    _log_text,
    _safe,
    log,
)

READ_BOUND = 5.0
"""Seconds one request may spend reading a unit's files before it answers 503."""
_UNIT_RE = re.compile(r"[a-z0-9-]{1,64}")
T = TypeVar("T")


def _inside(path: Path, real_root: str) -> bool:
    """True when `path`, with every symlink resolved, stays under `real_root`."""
    real = os.path.realpath(path)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


class _Busy(Exception):
    """A unit's files are held by a read that has not finished within the bound."""

    def __init__(self, unit: str, file: str) -> None:
        super().__init__(file)
        self.unit = unit
        self.file = file


class _ServedDir(DataDir):
    """A DataDir that names files relative to its folder and never follows a symlink out of
    the served root; one read at a time (a lock), with the file being read noted for a 503."""

    real_root: str = ""
    lock: threading.Lock
    busy_since: float | None = None
    reading: str = DEFINITIONS

    def setup(self, real_root: str) -> _ServedDir:
        """Attach the served root and the lock."""
        self.real_root = real_root
        self.lock = threading.Lock()
        return self

    def shown(self, path: Path) -> str:
        """`progress/2026-Q1.toml`, relative to the unit's folder."""
        try:
            rel = path.relative_to(self.root).as_posix()
        except ValueError:
            return path.name
        return rel or "."

    def allowed(self, path: Path) -> bool:
        """False (and logged once) for a file that a symlink leads outside the served root."""
        if _inside(path, self.real_root):
            return True
        _log_once(
            ("outside", str(path)),
            "server.log.outside",
            folder=self.root.name,
            file=self.shown(path),
        )
        return False

    def definitions(self) -> Definitions:
        """chitieu.toml; refused as not found when it leads outside the served root."""
        self.reading = DEFINITIONS
        if not self.allowed(self.definitions_path):
            raise DataError("err.server.outside", Place(DEFINITIONS))
        return super().definitions()

    def periods(self) -> list[Period]:
        """The periods whose progress file stays inside the served root."""
        self.reading = "progress/"
        return [p for p in super().periods() if _inside(self.progress_path(p), self.real_root)]

    def progress(self, period: Period, defs: Definitions) -> Progress | None:
        """One period's progress; None when its file is absent or leads outside the root."""
        path = self.progress_path(period)
        self.reading = self.shown(path)
        if os.path.lexists(path) and not self.allowed(path):
            return None
        return super().progress(period, defs)

    def year_definitions(self, year: int) -> Definitions | None:
        """`years/<year>.toml`; None when absent or leading outside the served root."""
        path = self.year_path(year)
        if year != self.definitions().unit.year:
            self.reading = self.shown(path)
            if os.path.lexists(path) and not self.allowed(path):
                return None
        return super().year_definitions(year)

    @contextmanager
    def held(self, bound: float, wait: float | None = None) -> Iterator[_ServedDir]:
        """Hold the folder's lock (waiting up to `wait`, default `bound`); `_Busy` at once
        when a read has held it for longer than `bound`."""
        since = self.busy_since
        stuck = since is not None and time.monotonic() - since > bound
        if not self.lock.acquire(timeout=0 if stuck else bound if wait is None else wait):
            raise _Busy(self.root.name, self.reading)
        self.busy_since = time.monotonic()
        try:
            yield self
        finally:
            self.busy_since = None
            self.warnings.clear()
            self.lock.release()


@dataclass
class _Listing:
    """The data folders found under the root, and what decides when to look again."""

    key: tuple[int, ...] | None
    folders: list[Path]
    pending: list[Path]
    """Subfolders without chitieu.toml yet: checked on every request (a ward being copied)."""


def _stamp(path: Path) -> tuple[int, ...] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size, st.st_ino


_Stamps = tuple[tuple[Path, tuple[int, ...] | None], ...]


def _stamps(*paths: Path) -> _Stamps:
    """`(path, stamp)` of files, taken before they are read (so a change during the read
    leaves a stamp that no longer matches)."""
    return tuple((path, _stamp(path)) for path in paths)


@dataclass
class _Fast:
    """A response body, its ETag and the stamps of the files it was made from."""

    folder: Path
    data: _ServedDir
    stamps: tuple[tuple[str, tuple[int, ...] | None], ...]
    body: bytes
    etag: str


class Units:
    """The units under a root: the root itself when it has chitieu.toml, else its subfolders.

    The folder list is cached on the root's stat (listed again when the root changes, or
    while its mtime is too recent to trust) and each unit id on its chitieu.toml's stat, so
    a request for one unit costs a few stats whatever the number of folders, and a ward
    added to a district folder appears without a restart. Runs in worker threads.
    """

    def __init__(self, root: Path, bound: float = READ_BOUND) -> None:
        self.root = root
        self.bound = bound
        self.real_root = os.path.realpath(root)
        self._root_str = str(root)
        self._lock = threading.Lock()
        self._listing = _Listing(None, [], [])
        self._dirs: dict[Path, _ServedDir] = {}
        self._known: dict[Path, tuple[tuple[int, ...], str, str]] = {}
        self._ids: dict[str, Path] = {}
        self._broken: dict[str, Path] = {}
        self._warned: set[str] = set()
        self._fast: dict[tuple[Any, ...], _Fast] = {}
        self._info: tuple[tuple[int, ...] | None, CollectionInfo | None] = (None, None)

    def _dir(self, folder: Path) -> _ServedDir:
        with self._lock:
            data = self._dirs.get(folder)
            if data is None:
                data = self._dirs[folder] = _ServedDir(folder).setup(self.real_root)
            return data

    def _has_definitions(self, folder: Path) -> bool:
        path = folder / DEFINITIONS
        return path.is_file() and _inside(path, self.real_root)

    def _list(self) -> tuple[_Listing, bool]:
        """The current listing, and whether it changed since the last call."""
        with self._lock:
            try:
                st = os.stat(self.root)
                key: tuple[int, ...] | None = (st.st_mtime_ns, st.st_ino, st.st_dev)
                fresh = time.time_ns() - st.st_mtime_ns < 2_000_000_000
            except OSError:
                key, fresh = None, True
            old = self._listing
            if key is not None and key == old.key:
                if not any(self._has_definitions(p) for p in old.pending):
                    return old, False
            self._listing = self._scan_root(None if fresh else key)
            return self._listing, self._listing.folders != old.folders

    def _scan_root(self, key: tuple[int, ...] | None) -> _Listing:
        if self._has_definitions(self.root):
            return _Listing(key, [self.root], [])
        try:
            entries = sorted(self.root.iterdir())
        except OSError:
            return _Listing(key, [], [])
        folders, pending = [], []
        for path in entries:
            if path.name.startswith(".") or not path.is_dir():
                continue
            if not _inside(path, self.real_root):
                _log_once(("outside", str(path)), "server.log.outside", folder=path.name, file=".")
                continue
            (folders if self._has_definitions(path) else pending).append(path)
        return _Listing(key, folders, pending)

    def _unit_of(self, folder: Path, job: dict[str, Any]) -> tuple[str, str] | None:
        """(id, name) of a folder's unit, cached on chitieu.toml's stat; None when broken."""
        stamp = _stamp(folder / DEFINITIONS)
        known = self._known.get(folder)
        if stamp is not None and known is not None and known[0] == stamp:
            return known[1], known[2]
        data = job["data"] = self._dir(folder)
        with data.held(self.bound, wait=self.bound / 2):
            try:
                unit = data.definitions().unit
            except ChitieuError:
                return None
        if stamp is not None:
            self._known[folder] = (stamp, unit.id, unit.name)
        return unit.id, unit.name

    def _rescan(self, folders: list[Path], job: dict[str, Any]) -> list[tuple[str, str]]:
        """Every folder's (id, name), first folder wins; the maps of ids and broken folders."""
        ids: dict[str, Path] = {}
        found: list[tuple[str, str]] = []
        broken: dict[str, Path] = {}
        for folder in folders:
            try:
                unit = self._unit_of(folder, job)
            except _Busy:  # keep what it was: its requests answer 503 while it is stuck
                for uid, where in self._ids.items():
                    if where == folder:
                        ids.setdefault(uid, folder)
                continue
            if unit is None:
                if self._has_definitions(folder):
                    broken[folder.name] = folder
                continue
            if unit[0] in ids:
                if unit[0] not in self._warned:
                    self._warned.add(unit[0])
                    log.warning(_log_text("server.log.duplicate", unit=unit[0]))
                continue
            ids[unit[0]] = folder
            found.append(unit)
        with self._lock:
            self._ids, self._broken = ids, broken
        return found

    def units(self, job: dict[str, Any] | None = None) -> list[tuple[str, str]]:
        """(id, name) of every readable unit, in folder order."""
        listing, _ = self._list()
        return self._rescan(listing.folders, job if job is not None else {})

    def folders(self, job: dict[str, Any] | None = None) -> list[tuple[str, str, bool]]:
        """(id, name, readable) of every folder with a chitieu.toml, in folder order: a
        readable unit by its id and name, a broken one by its folder's name (twice)."""
        listing, _ = self._list()
        found = dict(self._rescan(listing.folders, job if job is not None else {}))
        with self._lock:
            ids, broken = dict(self._ids), dict(self._broken)
        by_folder = {folder: uid for uid, folder in ids.items()}
        out: list[tuple[str, str, bool]] = []
        for folder in listing.folders:
            uid = by_folder.get(folder)
            if uid is not None and uid in found:
                out.append((uid, found[uid], True))
            elif folder.name in broken and _UNIT_RE.fullmatch(folder.name):
                out.append((folder.name, folder.name, False))
        return out

    def collection_name(self) -> str | None:
        """The `name` of the served collection's collection.toml; None when it has none (see
        `collection_info`). Runs in a worker thread."""
        info = self.collection_info()
        return (info.name.strip() or None) if info is not None else None

    def collection_info(self) -> CollectionInfo | None:
        """The served collection's collection.toml (cached on its stat): its name, deadline
        and report head; None when one unit is served, or the file is absent, broken (logged
        once) or leads outside the served root. Runs in a worker thread."""
        path = self.root / COLLECTION_FILE
        stamp = _stamp(path)
        if stamp is None or self._has_definitions(self.root):
            return None
        if self._info[0] == stamp:
            return self._info[1]
        info: CollectionInfo | None = None
        if _inside(path, self.real_root):
            try:
                info = load_collection_info(path, COLLECTION_FILE)
            except ChitieuError as exc:
                error = exc.render(_LOG_LANG[0])
                _log_once(
                    ("collection", str(stamp)), "server.log.data_error", folder=".", error=error
                )
        else:
            _log_once(
                ("outside", str(path)), "server.log.outside", folder=".", file=COLLECTION_FILE
            )
        self._info = (stamp, info)
        return info

    def broken(self) -> list[str]:
        """Folder names whose chitieu.toml cannot be used (after `units()`)."""
        return list(self._broken)

    def find(self, unit_id: str, job: dict[str, Any]) -> _ServedDir:
        """The data folder of one unit (or of a broken folder by its name); 404 when none."""
        listing, changed = self._list()
        folder = None if changed else self._ids.get(unit_id)
        unit = None
        if folder is not None and folder in listing.folders:
            unit = self._unit_of(folder, job)
        if unit is None or unit[0] != unit_id:
            self._rescan(listing.folders, job)
            folder = self._ids.get(unit_id) or self._broken.get(unit_id)
        if folder is None:
            raise Problem(404, Msg("err.server.unknown_unit", unit=_safe(unit_id)))
        return self._dir(folder)

    def run(self, unit_id: str, work: Callable[[_ServedDir], T], job: dict[str, Any]) -> T:
        """`work(data)` on one unit's folder, holding its lock (in a worker thread)."""
        data = job["data"] = self.find(unit_id, job)
        with data.held(self.bound):
            return work(data)

    def fast(self, key: tuple[Any, ...]) -> tuple[bytes, str] | None:
        """A body kept by `keep` when a few `stat` calls show that nothing it was made from
        changed: the root's listing, the unit's folder and files, and no read in progress.
        None sends the request to a worker thread. Runs on the event loop: stats only."""
        hit = self._fast.get(key)
        if hit is None:
            return None
        listing = self._listing
        if listing.key is None or listing.pending or self._ids.get(key[0]) != hit.folder:
            return None
        if hit.data.busy_since is not None:
            return None
        try:
            st = os.stat(self._root_str)
            if (st.st_mtime_ns, st.st_ino, st.st_dev) != listing.key:
                return None
            for path, stamp in hit.stamps:
                st = os.stat(path)
                if (st.st_mtime_ns, st.st_size, st.st_ino) != stamp:
                    return None
        except OSError:
            return None
        return hit.body, hit.etag

    def keep(
        self, key: tuple[Any, ...], folder: Path, stamps: _Stamps, body: bytes, etag: str
    ) -> None:
        """Remember a body made from files whose stamps were taken before they were read."""
        data = self._dirs.get(folder)
        if data is not None and all(stamp is not None for _, stamp in stamps):
            kept = tuple((str(path), stamp) for path, stamp in stamps)
            self._fast[key] = _Fast(folder, data, kept, body, etag)
