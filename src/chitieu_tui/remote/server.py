"""`chitieu serve`: publish one data folder, or a folder of them, over the read-only JSON API."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import errno
import hashlib
import hmac
import logging
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import anyio
import anyio.to_thread
import msgspec
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from chitieu_tui.core.datadir import DEFINITIONS, DataDir
from chitieu_tui.core.errors import ChitieuError, DataError, Place, flatten
from chitieu_tui.core.model import Definitions, Progress
from chitieu_tui.core.periods import Period
from chitieu_tui.i18n import Msg, t
from chitieu_tui.remote import schema
from chitieu_tui.remote.wire import (
    API_PREFIX,
    definitions_to_json,
    encode_as,
    journal_to_json,
    progress_to_json,
)

log = logging.getLogger("chitieu.serve")
TOKEN_ENV = "CHITIEU_API_TOKEN"
PROBLEM_TYPE = "application/problem+json"
READ_BOUND = 5.0
"""Seconds one request may spend reading a unit's files before it answers 503."""
HEAD_TIMEOUT = 10.0
"""Seconds a client may take to send its request head (after connecting or a response)."""
BACKLOG = 32
"""Pending connections the kernel keeps; asyncio accepts up to this many in one burst."""
LOG_INTERVAL = 60.0
"""Repeated warnings of one kind (accept errors, evictions) are logged once per interval."""
STATUSES = (400, 401, 403, 404, 405, 500, 503)
_YEAR_RE = re.compile(r"[0-9]{4}")
_UNIT_RE = re.compile(r"[a-z0-9-]{1,64}")
_KEY_RE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)+")
T = TypeVar("T")


def request_lang(header: str | None) -> str:
    """`vi` or `en` from an Accept-Language header (by q-value); `en` when none fits."""
    best, best_q = "en", -1.0
    for part in (header or "").split(","):
        tag, _, params = part.strip().partition(";")
        code = tag.strip().lower()[:2]
        if code not in ("vi", "en"):
            continue
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > best_q and q > 0:
            best, best_q = code, q
    return best


def _lang_of(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"accept-language":
            return request_lang(value.decode("latin-1"))
    return "en"


def _inside(path: Path, real_root: str) -> bool:
    """True when `path`, with every symlink resolved, stays under `real_root`."""
    real = os.path.realpath(path)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


class Problem(Exception):
    """An error answered as application/problem+json (RFC 9457), worded per request."""

    def __init__(self, status: int, msg: Msg, headers: dict[str, str] | None = None) -> None:
        super().__init__(msg.key)
        self.status = status
        self.msg = msg
        self.headers = headers or {}


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


def _safe(text: str, limit: int = 80) -> str:
    """User input echoed in a message: printable and short."""
    text = "".join(ch for ch in text if ch.isprintable())
    return text if len(text) <= limit else text[:limit] + "…"


_LOG_LANG = ["en"]
_logged_once: set[tuple[str, str]] = set()


def _log_text(key: str, **params: Any) -> str:
    return t(_LOG_LANG[0], key, **params)


def _log_once(ident: tuple[str, str], key: str, **params: Any) -> None:
    if ident not in _logged_once:
        _logged_once.add(ident)
        log.warning(_log_text(key, **params))


def problem_response(
    status: int, msg: Msg, lang: str, headers: dict[str, str] | None = None
) -> Response:
    """An RFC 9457 problem document, worded in `lang`."""
    body = schema.ProblemDetails(
        title=t(lang, f"err.server.status_{status}"),
        status=status,
        detail=msg.text(lang),
        code=msg.key,
    )
    return Response(
        msgspec.json.encode(body),
        status_code=status,
        media_type=PROBLEM_TYPE,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def _kind(error: ChitieuError) -> Msg | str:
    """What went wrong, without quoting the file: the error's code when it is a catalog key."""
    return error.code if _KEY_RE.fullmatch(error.code) else Msg("err.server.kind_invalid")


def _data_problem(error: ChitieuError, data: DataDir) -> Problem:
    """A broken file: 500 naming the file, line and column and the kind of problem only (the
    message itself may quote the file, so it goes to the log, never to the client)."""
    errors = flatten(error)
    root = str(data.root.resolve())
    text = "; ".join(e.render(_LOG_LANG[0]) for e in errors)
    text = text.replace(root, data.root.name).replace(str(data.root), data.root.name)
    log.error(_log_text("server.log.data_error", folder=data.root.name, error=text))
    first = errors[0]
    where = str(first.place) if first.place is not None else DEFINITIONS
    where = _safe(where.replace(root, ".").replace(str(data.root), "."))
    more = len(errors) - 1
    msg = "err.server.broken_file_more" if more else "err.server.broken_file"
    return Problem(500, Msg(msg, file=where, kind=_kind(first), more=more))


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    """Weak comparison (RFC 9110 13.1.2): `*`, or any listed tag equal up to `W/`."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    want = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == want for tag in if_none_match.split(","))


def _encode(data: Any, shape: Any) -> tuple[bytes, str]:
    """The body (through its wire shape; the OpenAPI document as it is) and its ETag."""
    body = msgspec.json.encode(data) if shape is None else encode_as(data, shape)
    return body, _etag(body)


def json_response(request: Request, data: Any, shape: Any) -> Response:
    """200 with an ETag, or 304 when the client already has it; `data` is encoded through
    `shape` (a type of remote/schema.py), None for the OpenAPI document only."""
    return _respond(request, *_encode(data, shape))


def cached_json_response(
    request: Request,
    key: tuple[Any, ...],
    source: object,
    to_json: Callable[[Any], Any],
    shape: Any,
) -> Response:
    """Like `json_response(request, to_json(source), shape)`, with the body and ETag kept
    while `source` is the same object (DataDir keeps its parsed files until they change on
    disk), so that a poll of 5,000 indicators is not serialised and hashed again for a 304."""
    return _respond(request, *_cached_body(request, key, source, to_json, shape))


def _cached_body(
    request: Request,
    key: tuple[Any, ...],
    source: object,
    to_json: Callable[[Any], Any],
    shape: Any,
) -> tuple[bytes, str]:
    """The body and ETag of `to_json(source)`, kept while `source` is the same object."""
    cache: dict[tuple[Any, ...], tuple[object, bytes, str]] = request.app.state.bodies
    hit = cache.get(key)
    if hit is not None and hit[0] is source:
        return hit[1], hit[2]
    body, etag = _encode(to_json(source), shape)
    cache[key] = (source, body, etag)
    return body, etag


def _respond(request: Request, body: bytes, etag: str) -> Response:
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def _period(text: str) -> Period:
    if not Period.is_valid(text):
        raise Problem(400, Msg("err.server.bad_period", period=_safe(text, 20)))
    return Period.parse(text)


def _units(request: Request) -> Units:
    units: Units = request.app.state.units
    return units


async def _off_loop(request: Request, unit: str, work: Callable[[dict[str, Any]], T]) -> T:
    """Run `work(job)` in a worker thread; 503 naming the file being read when it outlasts
    the bound (the thread is left to finish; later requests for that unit answer 503 at once
    while it holds the unit's folder)."""
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
    items = [{"id": uid, "name": name} for uid, name in found]
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
    fast = units.fast((unit, "unit"))
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
    fast = units.fast((unit, "progress", text))
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
        request, (root, "progress", period), progress, progress_to_json, schema.ProgressDocument
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
            return journal_to_json(defs.unit.id, period, data.journal(period, record=False))
        except ChitieuError as exc:
            raise _data_problem(exc, data) from None

    found = await _off_loop(request, unit, lambda job: units.run(unit, work, job))
    return json_response(request, found, schema.Journal)


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
        "progress": progress_to_json(progress[period]) if period in progress else None,
        "earlier": [progress_to_json(p) for q, p in sorted(progress.items()) if q != period],
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
    """The unit's newest period with progress (Q1 of its year when none)."""
    defs = _definitions(data)
    periods = data.periods()
    return periods[-1] if periods else Period(defs.unit.year, 1)


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
        title=t(lang, f"err.server.status_{problem.status}"),
        status=problem.status,
        detail=problem.msg.text(lang),
        code=problem.msg.key,
    )
    entry = {"unit": uid, "name": name, "etag": _ENTRY_TAG, "progress": None, "error": detail}
    return _tagged(entry)[0]


async def bulk_progress(request: Request) -> Response:
    """`GET /api/v1/progress/{period}` (and `/api/v1/progress`: the newest period any readable
    unit has progress for): every unit's entry in one answer, with one ETag."""
    text = request.path_params.get("period")
    units = _units(request)
    period = _period(text) if text is not None else None
    listed = await _off_loop(request, "", units.folders)
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
    head = msgspec.json.encode(key)
    body = b'{"period":' + head + b',"units":[' + b",".join(parts) + b"]}"
    return _respond(request, body, _etag(body))


async def openapi(request: Request) -> Response:
    """`GET /api/v1/openapi.json`: the API described in OpenAPI 3.1."""
    return json_response(request, openapi_document(), None)


class BearerAuth:
    """ASGI middleware: every request needs `Authorization: Bearer <token>` when a token is set."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token.encode("utf-8") if token else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.token is None:
            await self.app(scope, receive, send)
            return
        given = b""
        present = False
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                scheme, _, cred = value.partition(b" ")
                if scheme.lower() == b"bearer":
                    given, present = cred.strip(), True
                break
        if present and hmac.compare_digest(given, self.token):
            await self.app(scope, receive, send)
            return
        if present:
            msg = Msg("err.server.token_invalid")
            challenge = 'Bearer realm="chitieu", error="invalid_token"'
        else:
            msg = Msg("err.server.token_missing")
            challenge = 'Bearer realm="chitieu"'
        response = problem_response(401, msg, _lang_of(scope), {"WWW-Authenticate": challenge})
        await response(scope, receive, send)


def _lang(request: Request) -> str:
    return request_lang(request.headers.get("accept-language"))


async def _on_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return problem_response(exc.status, exc.msg, _lang(request), exc.headers)


async def _on_http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    status = exc.status_code if exc.status_code in STATUSES else 500
    if status == 404:
        msg = Msg(
            "err.server.no_route",
            path=_safe(request.url.path),
            openapi=f"{API_PREFIX}/openapi.json",
        )
    elif status == 405:
        msg = Msg("err.server.read_only")
    else:
        msg = Msg(f"err.server.status_{status}")
    return problem_response(status, msg, _lang(request), headers)


async def _on_error(request: Request, exc: Exception) -> Response:
    log.error(
        _log_text("server.log.unexpected", path=_safe(request.url.path), kind=type(exc).__name__)
    )
    return problem_response(500, Msg("err.server.unexpected"), _lang(request))


def create_app(
    root: Path, token: str | None = None, read_bound: float = READ_BOUND, *, bulk: bool = True
) -> Starlette:
    """The API application for the data folder(s) under `root`; token from the env by default.

    `read_bound`: seconds a request may wait for one unit's files before it answers 503.
    `bulk=False` leaves out `/api/v1/progress[/{period}]` (a server of per-unit routes only,
    as before them; for tests and benchmarks of the client's fallback).
    """
    if token is None:
        token = os.environ.get(TOKEN_ENV) or None
    routes = [
        Route(f"{API_PREFIX}/units", list_units, methods=["GET"]),
        Route(f"{API_PREFIX}/units/{{unit}}", get_unit, methods=["GET"]),
        Route(f"{API_PREFIX}/units/{{unit}}/periods", list_periods, methods=["GET"]),
        Route(f"{API_PREFIX}/units/{{unit}}/progress/{{period}}", get_progress, methods=["GET"]),
        Route(f"{API_PREFIX}/units/{{unit}}/years/{{year}}", get_year, methods=["GET"]),
        Route(f"{API_PREFIX}/units/{{unit}}/journal/{{period}}", get_journal, methods=["GET"]),
        Route(f"{API_PREFIX}/openapi.json", openapi, methods=["GET"]),
    ]
    if bulk:
        routes += [
            Route(f"{API_PREFIX}/progress", bulk_progress, methods=["GET"]),
            Route(f"{API_PREFIX}/progress/{{period}}", bulk_progress, methods=["GET"]),
        ]
    app = Starlette(
        routes=routes,
        exception_handlers={
            Problem: _on_problem,
            HTTPException: _on_http,
            Exception: _on_error,
        },
    )
    app.state.units = Units(root, read_bound)
    app.state.bodies = {}
    app.add_middleware(BearerAuth, token=token)
    return app


class RateLimit(logging.Filter):
    """One line per condition per interval: repeats are dropped, tracebacks cut to one line."""

    def __init__(self, interval: float = LOG_INTERVAL) -> None:
        super().__init__()
        self.interval = interval
        self.last: dict[tuple[str, str], float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        """Drop a WARNING or worse seen within the interval; shorten what passes."""
        if record.levelno < logging.WARNING:
            return True
        first = record.getMessage().split("\n", 1)[0]
        key = (record.name, getattr(record, "rate_key", None) or first)
        now = time.monotonic()
        if now - self.last.get(key, -self.interval - 1) < self.interval:
            return False
        self.last[key] = now
        if record.exc_info and record.exc_info[1] is not None:
            first = f"{first}: {record.exc_info[1]}"
        record.msg, record.args = first, None
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


def connection_limit(backlog: int = BACKLOG) -> int:
    """How many connections to keep open: under the open-file limit by a margin for files,
    threads and one burst of `backlog` connections accepted before any is looked at."""
    try:
        import resource

        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        if soft == resource.RLIM_INFINITY:
            soft = 4096
    except (ImportError, ValueError, OSError):
        soft = 1024
    spare = soft - 64 - backlog if soft >= 192 else soft // 3
    return max(8, min(1000, spare))


def guarded_protocol(max_connections: int, head_timeout: float = HEAD_TIMEOUT) -> type:
    """uvicorn's h11 protocol with a limit on open connections and on the time a client may
    take to send its request head: above the limit the oldest idle connections are closed,
    so slow clients cannot use up the open files and stop the server answering others."""
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class Guarded(H11Protocol):  # type: ignore[misc]
        _timer: asyncio.TimerHandle | None = None
        _since: float = 0.0

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()
            if len(self.connections) > max_connections:
                self._evict()

        def _arm(self) -> None:
            if self._timer is not None:
                self._timer.cancel()
            self._since = self.loop.time()
            self._timer = self.loop.call_later(head_timeout, self._expired)

        def _idle(self) -> bool:
            return self.cycle is None or self.cycle.response_complete

        def _expired(self) -> None:
            self._timer = None
            if self._idle() and not self.transport.is_closing():
                self.transport.close()

        def _evict(self) -> None:
            open_ = [c for c in self.connections if not c.transport.is_closing()]
            excess = len(open_) - max_connections
            if excess <= 0:
                return
            idle = [c for c in open_ if c is not self and isinstance(c, Guarded) and c._idle()]
            idle.sort(key=lambda c: c._since)
            for conn in idle[:excess]:
                conn.transport.close()
            if excess > len(idle):
                self.transport.close()
            log.warning(
                _log_text("server.log.evicted", count=len(open_)), extra={"rate_key": "evicted"}
            )

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if not self._idle() and self._timer is not None:
                self._timer.cancel()
                self._timer = None

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            super().connection_lost(exc)

    return Guarded


def _bind(host: str, port: int, backlog: int) -> socket.socket:
    """A listening socket on host:port; a ChitieuError naming them when that fails."""
    address = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    try:
        info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError):
        raise ChitieuError("err.server.bad_host", address=address) from None
    family, kind, proto, _, sockaddr = info[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(sockaddr)
        sock.listen(backlog)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise ChitieuError("err.server.port_in_use", address=address) from None
        reason = exc.strerror or type(exc).__name__
        raise ChitieuError("err.server.cannot_bind", address=address, reason=reason) from None
    sock.set_inheritable(True)
    return sock


def serve(root: Path, host: str = "127.0.0.1", port: int = 8765, lang: str = "vi") -> int:
    """Run the API under uvicorn until interrupted; return the exit status.

    Raises ChitieuError (exit 1) when no folder holds data or host:port cannot be used.
    """
    import uvicorn

    _LOG_LANG[0] = lang
    units = Units(root)
    good = units.units()
    broken = units.broken()
    if not good and not broken:
        raise DataError("err.server.no_data", Place(str(root)))
    token = os.environ.get(TOKEN_ENV) or None
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(message)s")
    limiter = RateLimit()
    for name in ("asyncio", "uvicorn.error", "chitieu.serve"):
        logging.getLogger(name).addFilter(limiter)
    auth = "server.log.token_on" if token else "server.log.token_off"
    log.info(
        _log_text(
            "server.log.serving",
            count=len(good),
            units=", ".join(uid for uid, _ in good) or Msg("server.log.none_valid"),
            root=root,
            url=f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}",
            auth=Msg(auth),
        )
    )
    for name in broken:
        log.warning(_log_text("server.log.broken_folder", folder=name, file=DEFINITIONS))
    if token is None and host not in ("127.0.0.1", "::1", "localhost"):
        log.warning(_log_text("server.log.no_token_public", host=host, env=TOKEN_ENV))
    limit = connection_limit(BACKLOG)
    sock = _bind(host, port, BACKLOG)
    config = uvicorn.Config(
        create_app(root, token),
        log_level="info",
        server_header=False,
        proxy_headers=False,
        http=guarded_protocol(limit),
        limit_concurrency=limit + 16,
        backlog=BACKLOG,
        timeout_keep_alive=5,
    )
    try:
        uvicorn.Server(config).run(sockets=[sock])
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 1
    except KeyboardInterrupt:
        return 0
    finally:
        sock.close()
    return 0


_REF = "#/components/schemas/{name}"
_BODY = "$response.body#"


@dataclass(frozen=True)
class _Operation:
    """One GET operation of the document."""

    op_id: str
    path: str
    summary: str
    shape: Any
    params: tuple[str, ...]
    errors: tuple[int, ...]
    links: dict[str, tuple[str, dict[str, str]]]


_OPERATIONS = (
    _Operation(
        "listUnits",
        "/units",
        "The units served, in folder order",
        schema.UnitList,
        (),
        (500, 503),
        {
            "unit": ("getUnit", {"unit": _BODY + "/0/id"}),
            "periods": ("listPeriods", {"unit": _BODY + "/0/id"}),
            "progress": ("getProgress", {"unit": _BODY + "/0/id"}),
            "bulk": ("getBulkNewest", {}),
        },
    ),
    _Operation(
        "getUnit",
        "/units/{unit}",
        "A unit's definitions: chitieu.toml as JSON",
        schema.UnitDocument,
        ("unit",),
        (404, 500, 503),
        {
            "periods": ("listPeriods", {"unit": _BODY + "/unit/id"}),
            "year": ("getYear", {"unit": _BODY + "/unit/id", "year": _BODY + "/unit/year"}),
        },
    ),
    _Operation(
        "listPeriods",
        "/units/{unit}/periods",
        "The periods that have a progress file, oldest first",
        schema.PeriodList,
        ("unit",),
        (404, 500, 503),
        {
            "progress": ("getProgress", {"unit": _BODY + "/unit", "period": _BODY + "/periods/0"}),
            "journal": ("getJournal", {"unit": _BODY + "/unit", "period": _BODY + "/periods/0"}),
            "bulk": ("getBulk", {"period": _BODY + "/periods/0"}),
        },
    ),
    _Operation(
        "getProgress",
        "/units/{unit}/progress/{period}",
        "One period's progress (404 when the period has no progress file)",
        schema.ProgressDocument,
        ("unit", "period"),
        (400, 404, 500, 503),
        {
            "journal": ("getJournal", {"unit": _BODY + "/unit", "period": _BODY + "/period"}),
            "unit": ("getUnit", {"unit": _BODY + "/unit"}),
        },
    ),
    _Operation(
        "getYear",
        "/units/{unit}/years/{year}",
        "A year's own definitions (years/<year>.toml, or chitieu.toml for its own year); "
        "404 when that year has none",
        schema.UnitDocument,
        ("unit", "year"),
        (400, 404, 500, 503),
        {},
    ),
    _Operation(
        "getJournal",
        "/units/{unit}/journal/{period}",
        "One period's journal, oldest first, with values changed by hand since listed "
        "(`changes` is empty when there is no journal)",
        schema.Journal,
        ("unit", "period"),
        (400, 404, 500, 503),
        {
            "progress": ("getProgress", {"unit": _BODY + "/unit", "period": _BODY + "/period"}),
        },
    ),
    _Operation(
        "getBulkNewest",
        "/progress",
        "Every unit at the newest period any readable unit has progress for, in one answer "
        "(as getBulk); 404 when no unit can be read",
        schema.BulkProgress,
        (),
        (404, 500, 503),
        {
            "bulk": ("getBulk", {"period": _BODY + "/period"}),
            "unit": ("getUnit", {"unit": _BODY + "/units/0/unit"}),
        },
    ),
    _Operation(
        "getBulk",
        "/progress/{period}",
        "Every unit served, in folder order, with what a roll-up needs for one period: its "
        "definitions, periods, the period's progress (null when it has none) and the earlier "
        "quarters of that year; a unit that cannot be read carries its problem instead",
        schema.BulkProgress,
        ("period",),
        (400, 500, 503),
        {
            "unit": ("getUnit", {"unit": _BODY + "/units/0/unit"}),
            "journal": (
                "getJournal",
                {"unit": _BODY + "/units/0/unit", "period": _BODY + "/period"},
            ),
        },
    ),
    _Operation("getOpenApi", "/openapi.json", "This document", None, (), (500, 503), {}),
)

_PROBLEM_WHEN = {
    400: "A path parameter of the wrong form (a period not like 2026-Q1, a year not four digits)",
    401: "A token is required and is missing or wrong (see WWW-Authenticate)",
    404: "No such unit, period, year or resource",
    500: "A file of that unit is broken on disk (the detail names it), or a server bug",
    503: "Reading that unit's files takes too long, or too many connections",
}

_DESCRIPTION = """Read-only API of chitieu-tui: the yearly targets (chi tieu) of wards and communes and their progress by quarter. The JSON mirrors chitieu.toml, progress/*.toml and journal/*.toml.

- Every 200 carries a strong `ETag` and `Cache-Control: no-cache`; a request whose `If-None-Match` matches (weak comparison, `*` matches) gets 304 with no body.
- Errors are `application/problem+json` (RFC 9457) with `Cache-Control: no-store`: `type`, `title`, `status`, `detail` (worded in the request's Accept-Language: vi or en) and `code` (the error's stable key). A method other than GET or HEAD answers 405 with `Allow: GET, HEAD`.
- When the server has a token, every request (this document too) needs `Authorization: Bearer <token>`.
- Compatibility of /api/v1: changes are additive only (new optional fields, new endpoints); clients must ignore fields they do not know. Field names, types, patterns, status codes and ETag semantics stay as described here. A field listed as required is always sent by `chitieu serve`; a client should accept its absence when the schema gives a default.
- This document is generated from the msgspec Structs the server encodes its answers through (src/chitieu_tui/remote/schema.py); the examples are the bundled sample as served."""


def _components() -> tuple[dict[str, Any], dict[str, Any]]:
    """The schema (or $ref) of each operation's 200 body and the problem, and the
    components, generated by msgspec; `required` lists every field the server always sends."""
    shapes = [op.shape for op in _OPERATIONS if op.shape is not None] + [schema.ProblemDetails]
    refs, components = msgspec.json.schema_components(shapes, ref_template=_REF)
    for name, doc in components.items():
        struct = getattr(schema, name, None)
        if isinstance(struct, type) and issubclass(struct, msgspec.Struct):
            doc["required"] = schema.sent_fields(struct)
    by_shape = {id(shape): ref for shape, ref in zip(shapes, refs, strict=True)}
    return by_shape, components


def _examples() -> dict[str, Any]:
    """The 200 bodies of every operation for the bundled sample, as the server encodes them,
    and a problem (the examples of the document)."""
    from chitieu_tui.core.datadir import BUNDLED

    data = DataDir(BUNDLED)
    defs = data.definitions()
    periods = data.periods()
    newest = periods[-1]
    progress = data.progress(newest, defs)
    years = [y for y in sorted({p.year for p in periods}) if y != defs.unit.year]
    year_defs = data.year_definitions(years[0]) if years else defs
    # Noticed changes are timed when noticed: the example fixes one time, so that the
    # document is the same whichever second it is built in.
    when = dt.datetime(2026, 4, 2, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    changes = [dataclasses.replace(c, at=when) for c in data.journal(newest, record=False)[:3]]
    raw: dict[str, tuple[Any, Any]] = {
        "listUnits": ([{"id": defs.unit.id, "name": defs.unit.name}], schema.UnitList),
        "getUnit": (definitions_to_json(defs), schema.UnitDocument),
        "listPeriods": (
            {"unit": defs.unit.id, "periods": [str(p) for p in periods]},
            schema.PeriodList,
        ),
        "getProgress": (
            progress_to_json(progress) if progress is not None else None,
            schema.ProgressDocument,
        ),
        "getYear": (
            definitions_to_json(year_defs) if year_defs is not None else None,
            schema.UnitDocument,
        ),
        "getJournal": (journal_to_json(defs.unit.id, newest, changes), schema.Journal),
    }
    out = {
        key: msgspec.json.decode(encode_as(body, shape))
        for key, (body, shape) in raw.items()
        if body is not None
    }
    served = _ServedDir(BUNDLED).setup(os.path.realpath(BUNDLED))
    entry = _tagged(_bulk_entry(served, newest)[2])[0]
    bulk = msgspec.json.decode(b'{"period":"%s","units":[%s]}' % (str(newest).encode(), entry))
    out["getBulk"] = out["getBulkNewest"] = msgspec.to_builtins(
        msgspec.convert(bulk, schema.BulkProgress)
    )
    out["params"] = {
        "unit": defs.unit.id,
        "period": str(newest),
        "year": str(years[0] if years else defs.unit.year),
    }
    out["problem"] = msgspec.to_builtins(
        schema.ProblemDetails(
            title=t("en", "err.server.status_404"),
            status=404,
            detail=Msg("err.server.unknown_unit", unit="nowhere").text("en"),
            code="err.server.unknown_unit",
        )
    )
    return out


def _parameters(examples: dict[str, Any]) -> dict[str, Any]:
    def path(name: str, pattern: str, description: str) -> dict[str, Any]:
        return {
            "name": name,
            "in": "path",
            "required": True,
            "description": description,
            "schema": {"type": "string", "pattern": pattern},
            "examples": {"sample": {"value": examples["params"][name]}},
        }

    return {
        "unit": path("unit", schema.UNIT_PATTERN, "A unit id, as listed by /units"),
        "period": path("period", schema.PERIOD_PATTERN, "A quarter: 2026-Q1"),
        "year": path("year", schema.YEAR_PATTERN, "A year: four digits"),
        "IfNoneMatch": {
            "name": "If-None-Match",
            "in": "header",
            "required": False,
            "description": "ETags of a previous answer: 304 when one matches",
            "schema": {"type": "string"},
        },
    }


def _problem_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "headers": {"Cache-Control": {"$ref": "#/components/headers/NoStore"}},
        "content": {PROBLEM_TYPE: {"schema": {"$ref": _REF.format(name="ProblemDetails")}}},
    }


def _operation(
    op: _Operation, by_shape: dict[int, Any], examples: dict[str, Any]
) -> dict[str, Any]:
    body: dict[str, Any] = {"schema": by_shape[id(op.shape)]} if op.shape else {}
    if op.shape is None:
        body = {"schema": {"type": "object", "description": "An OpenAPI 3.1 document"}}
    if op.op_id in examples:
        body["examples"] = {"sample": {"value": examples[op.op_id]}}
    ok: dict[str, Any] = {
        "description": op.summary,
        "headers": {
            "ETag": {"$ref": "#/components/headers/ETag"},
            "Cache-Control": {"$ref": "#/components/headers/NoCache"},
        },
        "content": {"application/json": body},
    }
    if op.links:
        ok["links"] = {
            name: {"operationId": target, "parameters": params}
            for name, (target, params) in op.links.items()
        }
    responses: dict[str, Any] = {
        "200": ok,
        "304": {
            "description": "Not modified: If-None-Match matched the ETag (no body)",
            "headers": {"ETag": {"$ref": "#/components/headers/ETag"}},
        },
        "401": {"$ref": "#/components/responses/Unauthorized"},
    }
    for status in op.errors:
        ref = "Unavailable" if status == 503 else f"Problem{status}"
        responses[str(status)] = {"$ref": f"#/components/responses/{ref}"}
    return {
        "get": {
            "operationId": op.op_id,
            "summary": op.summary,
            "parameters": [{"$ref": f"#/components/parameters/{p}"} for p in op.params]
            + [{"$ref": "#/components/parameters/IfNoneMatch"}],
            "responses": dict(sorted(responses.items())),
        }
    }


def build_openapi() -> dict[str, Any]:
    """The OpenAPI 3.1 document of /api/v1, generated from remote/schema.py."""
    by_shape, components = _components()
    examples = _examples()
    problem_example = {"sample": {"value": examples["problem"]}}
    responses: dict[str, Any] = {
        f"Problem{status}": _problem_response(text)
        for status, text in _PROBLEM_WHEN.items()
        if status not in (401, 503)
    }
    responses["Problem404"]["content"][PROBLEM_TYPE]["examples"] = problem_example
    unauthorized = _problem_response(_PROBLEM_WHEN[401])
    unauthorized["headers"]["WWW-Authenticate"] = {
        "description": 'Bearer realm="chitieu" (plus error="invalid_token" when it is wrong)',
        "schema": {"type": "string"},
    }
    responses["Unauthorized"] = unauthorized
    unavailable = _problem_response(_PROBLEM_WHEN[503])
    unavailable["content"]["text/plain"] = {"schema": {"type": "string"}}
    responses["Unavailable"] = unavailable
    return {
        "openapi": "3.1.0",
        "info": {"title": "chitieu API", "version": "1", "description": _DESCRIPTION},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {}],
        "paths": {API_PREFIX + op.path: _operation(op, by_shape, examples) for op in _OPERATIONS},
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "parameters": _parameters(examples),
            "headers": {
                "ETag": {
                    "description": "A strong tag of the body",
                    "schema": {"type": "string", "pattern": '^"[0-9a-f]{32}"$'},
                },
                "NoCache": {"schema": {"type": "string", "enum": ["no-cache"]}},
                "NoStore": {"schema": {"type": "string", "enum": ["no-store"]}},
            },
            "responses": responses,
            "schemas": components,
        },
    }


_OPENAPI: list[dict[str, Any]] = []


def openapi_document() -> dict[str, Any]:
    """The OpenAPI document, built on first use and kept."""
    if not _OPENAPI:
        _OPENAPI.append(build_openapi())
    return _OPENAPI[0]
