"""A cache of parsed, validated files of a collection, in the user's cache folder.

One file per collection folder (`<cache>/parsed/<hash of the folder>.bin`, msgpack through
msgspec): for every chitieu.toml and progress file read cleanly (no error, no warning), the
validated `Definitions` or `Progress`, keyed by the file's path, size, mtime_ns, ctime_ns
and inode, and by `VERSION` (the cache's layout and the loader's rules). A progress file's
entry also names the definitions it was checked against (a digest of their encoding).

What it never does: write into a data folder (only into the cache folder, through the one
atomic writer); trust an entry blindly. An entry that does not decode, is of another version,
or whose content breaks a rule the loader checks (`sound_definitions`, `sound_progress`) is
ignored, and the file is read as if there were no cache (and the entry rebuilt).

`CHITIEU_CACHE_DIR` moves the cache folder; `CHITIEU_CACHE=off` turns it off.
"""

from __future__ import annotations

import dataclasses
import math
import os
import stat
import threading
from pathlib import Path
from typing import Any

import msgspec

from chitieu_tui.core.errors import ChitieuError, Place
from chitieu_tui.core.loader import ID_RE, SCHEMA, cleaned_definitions, value_problem
from chitieu_tui.core.model import Definitions, Progress
from chitieu_tui.core.numbers import MAX_MAGNITUDE, Num
from chitieu_tui.core.periods import Period
from chitieu_tui.core.text import clean
from chitieu_tui.i18n import Msg

try:  # blake2b without loading OpenSSL (hashlib imports _hashlib: 2 ms at every start)
    import _blake2 as hashlib
except ImportError:  # an interpreter without CPython's own blake2 module
    import hashlib  # type: ignore[no-redef]

VERSION = 2
"""Bumped when the cached objects or the rules that made them change (with SCHEMA)."""
MAX_BYTES = 1024 * 1024 * 1024
"""A cache file larger than this is not read (it is rebuilt)."""
MAGIC = b"chitieu-parsed\n"
"""The cache file begins with this, then a 32-byte digest of the rest (a damaged file: a bit
flipped in a number would still decode, and still be a sound value)."""
SHARE_FROM = 1000
"""From this many indicators, decoded definitions share their repeated strings and progress
values are keyed by the definitions' own ids, as a read leaves them: at 50,000 indicators
30 MiB less held, for 5% more time. Not below: at 1,000 units of 40 indicators it would hold
12 MiB less of 114 but cost 12% more time on a warm load (BENCHMARKS.md)."""
ENV_DIR = "CHITIEU_CACHE_DIR"
ENV_SWITCH = "CHITIEU_CACHE"
Key = tuple[int, int, int, int]
"""size, mtime_ns, ctime_ns, inode of a file."""


class Warned(msgspec.Struct, array_like=True, frozen=True):
    """A warning (a `ChitieuError`): its message as a tree and its place."""

    msg: Any
    where: str
    line: int | None = None
    col: int | None = None


def _enc_msg(msg: Msg) -> list[Any]:
    """A message as `["n", value]` (a `Num`) or `["m", key, {param: value}]`."""
    if isinstance(msg, Num):
        return ["n", msg.value]
    params: dict[str, Any] = {}
    for name, value in msg.params.items():
        if isinstance(value, Msg):
            params[name] = _enc_msg(value)
        elif isinstance(value, str | int | float) and not isinstance(value, bool):
            params[name] = value
        else:
            raise TypeError(type(value).__name__)
    return ["m", msg.key, params]


def _dec_msg(raw: Any) -> Msg:
    """`_enc_msg` undone; ValueError on anything it did not write."""
    if isinstance(raw, list) and len(raw) == 2 and raw[0] == "n":
        if isinstance(raw[1], int | float) and not isinstance(raw[1], bool):
            return Num(raw[1])
    if isinstance(raw, list) and len(raw) == 3 and raw[0] == "m" and isinstance(raw[1], str):
        if isinstance(raw[2], dict):
            params: dict[str, Any] = {}
            for name, value in raw[2].items():
                if not isinstance(name, str):
                    raise ValueError(name)
                if isinstance(value, list):
                    params[name] = _dec_msg(value)
                elif isinstance(value, str | int | float) and not isinstance(value, bool):
                    params[name] = value
                else:
                    raise ValueError(name)
            return Msg(raw[1], **params)
    raise ValueError("not a message")


def encode_warning(err: ChitieuError) -> Warned:
    """A plain ChitieuError as stored (TypeError for any other kind)."""
    if type(err) is not ChitieuError or err.index is not None:
        raise TypeError(type(err).__name__)
    place = err.place or Place("")
    return Warned(_enc_msg(err.msg), place.where, place.line, place.col)


def decode_warning(w: Warned) -> ChitieuError:
    """The ChitieuError `encode_warning` stored (ValueError when it is not one)."""
    return ChitieuError(_dec_msg(w.msg), Place(w.where, w.line, w.col))


class Entry(msgspec.Struct, array_like=True, frozen=True):
    """One file's parsed content and what it was read from."""

    key: Key
    kind: str
    """`defs` or `progress`."""
    payload: bytes
    """The object, msgpack-encoded."""
    checked: str = ""
    """For `progress`: the digest of the definitions it was checked against."""
    warnings: list[Warned] = msgspec.field(default_factory=list)
    """For `progress`: the warnings its read gave (unknown ids, values out of bounds)."""


class Store(msgspec.Struct, array_like=True):
    """The cache file: its version and one entry per file (absolute path)."""

    version: int
    schema: int
    entries: dict[str, Entry]


class LazyStore(msgspec.Struct, array_like=True):
    """`Store` as it is read: each entry left encoded (a view into the file's bytes) until
    its file is asked for. Decoding the country's 30,000 entries up front held each
    payload twice (the file and a copy per entry): a third of `report`'s peak memory."""

    version: int
    schema: int
    entries: dict[str, msgspec.Raw]


_DEFS = msgspec.msgpack.Decoder(Definitions)
_PROGRESS = msgspec.msgpack.Decoder(Progress)
_ENTRY = msgspec.msgpack.Decoder(Entry)
_STORE = msgspec.msgpack.Decoder(LazyStore)
_ENC = msgspec.msgpack.Encoder()


def cache_folder() -> Path | None:
    """Where the cache lives (`CHITIEU_CACHE_DIR`, else the user cache folder); None when
    `CHITIEU_CACHE=off` (or `0`, `no`)."""
    if os.environ.get(ENV_SWITCH, "").strip().lower() in ("off", "0", "no", "false"):
        return None
    override = os.environ.get(ENV_DIR)
    if override:
        return Path(override)
    # lazy: platformdirs only when a collection folder is opened
    from platformdirs import user_cache_path

    return user_cache_path("chitieu-tui", appauthor=False)


def cache_file(root: Path, kind: str) -> Path | None:
    """The cache file of kind `kind` (`parsed`, `rows`) for the folder `root`, named by a
    digest of its resolved path (None: the cache is off, or the folder cannot be named)."""
    folder = cache_folder()
    if folder is None:
        return None
    try:
        name = hashlib.blake2b(str(root.resolve()).encode(), digest_size=16).hexdigest()
    except (OSError, RuntimeError):
        return None
    return folder / kind / f"{name}.bin"


def read_sealed(path: Path, magic: bytes, max_bytes: int) -> tuple[memoryview | None, bool]:
    """The body of a sealed cache file (`magic`, a blake2b digest of the body, the body) and
    whether the file is there but unsound (not a regular file, too large, unreadable, the
    digest wrong): `(None, False)` when there is no file."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None, False
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > max_bytes:
            return None, True
        with os.fdopen(fd, "rb", closefd=False) as f:
            raw = f.read()
    except OSError:
        return None, True
    finally:
        os.close(fd)
    body = memoryview(raw)[len(magic) + 32 :]  # no copy of the file's bytes
    if raw[: len(magic) + 32] != magic + hashlib.blake2b(body, digest_size=32).digest():
        return None, True
    return body, False


def file_key(st: os.stat_result) -> Key:
    """The stat fields an entry is keyed by."""
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


def digest(payload: bytes) -> str:
    """A short digest of an encoded object (names the definitions a progress was checked
    against)."""
    return hashlib.blake2b(payload, digest_size=16).hexdigest()


class ParseCache:
    """The cache of one collection folder: read once, consulted per file, saved once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._entries: dict[str, Entry | msgspec.Raw] = {}
        self._fresh: dict[str, Entry] = {}
        """Entries put since the last save (merged into the file's at the next one)."""
        self._released = False
        """Saved once and let go of (a later save reads the file again to merge)."""
        self._dirty = False
        self._digests: dict[int, tuple[Definitions, str]] = {}
        self._id_map: tuple[Definitions, dict[str, str]] | None = None
        self.hits = 0
        """How many files were taken from the cache (for tests and benchmarks)."""
        self._entries = self._read()

    @classmethod
    def for_folder(cls, root: Path) -> ParseCache | None:
        """The cache of the collection folder `root` (None: the cache is off)."""
        path = cache_file(root, "parsed")
        return None if path is None else cls(path)

    def _read(self) -> dict[str, Entry | msgspec.Raw]:
        """The cache file's entries, each still encoded (`LazyStore`); anything wrong with
        the file: none (rebuilt at `save`)."""
        body, damaged = read_sealed(self.path, MAGIC, MAX_BYTES)
        if body is None:
            self._dirty = self._dirty or damaged
            return {}
        try:
            store = _STORE.decode(body)
        except (msgspec.DecodeError, ValueError, TypeError, OverflowError, RecursionError):
            self._dirty = True
            return {}
        if store.version != VERSION or store.schema != SCHEMA:
            self._dirty = True
            return {}
        return dict(store.entries)

    def _hit(self, path: Path, st: os.stat_result, kind: str) -> Entry | None:
        name = os.path.abspath(path)
        found = self._entries.get(name)
        if isinstance(found, msgspec.Raw):
            try:
                entry: Entry | None = _ENTRY.decode(found)
            except (msgspec.DecodeError, ValueError, TypeError, OverflowError, RecursionError):
                self._drop(path)
                return None
        else:
            entry = found
        if entry is None or entry.kind != kind or tuple(entry.key) != file_key(st):
            return None
        return entry

    def definitions(self, path: Path, st: os.stat_result) -> Definitions | None:
        """The cached definitions of `path` as it now is (None: not cached, or unsound)."""
        entry = self._hit(path, st, "defs")
        if entry is None:
            return None
        try:
            defs = _DEFS.decode(entry.payload)
        except (msgspec.DecodeError, ValueError, TypeError, OverflowError, RecursionError):
            self._drop(path)
            return None
        if not sound_definitions(defs):
            self._drop(path)
            return None
        if len(defs.indicators) >= SHARE_FROM:  # clean already: shares strings, as a read does
            defs = cleaned_definitions(defs)
        self.hits += 1
        with self._lock:
            self._digests[id(defs)] = (defs, digest(entry.payload))
        return defs

    def progress(
        self, path: Path, st: os.stat_result, defs: Definitions, period: Period
    ) -> tuple[Progress, list[ChitieuError]] | None:
        """The cached progress of `path` as it now is, checked against `defs`, and the
        warnings its read gave."""
        entry = self._hit(path, st, "progress")
        if entry is None or entry.checked != self._digest(defs):
            return None
        try:
            prog = _PROGRESS.decode(entry.payload)
            warnings = [decode_warning(w) for w in entry.warnings]
        except (msgspec.DecodeError, ValueError, TypeError, OverflowError, RecursionError):
            self._drop(path)
            return None
        if not sound_progress(prog, defs, period, len(warnings)):
            self._drop(path)
            return None
        self.hits += 1
        if len(defs.indicators) < SHARE_FROM:
            return prog, warnings
        # keyed by the definitions' own id strings, as a read keys them (not one copy each)
        ids = self._ids(defs)
        values = {ids[key]: entry for key, entry in prog.values.items()}
        return dataclasses.replace(prog, values=values), warnings

    def _ids(self, defs: Definitions) -> dict[str, str]:
        """The definitions' ids, each to itself (kept for the last definitions asked)."""
        with self._lock:
            known = self._id_map
        if known is not None and known[0] is defs:
            return known[1]
        ids = {ind.id: ind.id for ind in defs.indicators}
        with self._lock:
            self._id_map = (defs, ids)
        return ids

    def _drop(self, path: Path) -> None:
        with self._lock:
            self._entries.pop(os.path.abspath(path), None)
            self._fresh.pop(os.path.abspath(path), None)
            self._dirty = True
        return None

    def forget(self, defs: Definitions) -> None:
        """Let go of the digest kept for `defs` (and so of `defs`): a source that forgets
        what it read (`DataDir.forget`) says so, so that a collection read unit by unit
        does not keep every unit's definitions here."""
        with self._lock:
            known = self._digests.get(id(defs))
            if known is not None and known[0] is defs:
                del self._digests[id(defs)]
            if self._id_map is not None and self._id_map[0] is defs:
                self._id_map = None

    def _digest(self, defs: Definitions) -> str:
        with self._lock:
            known = self._digests.get(id(defs))
        if known is not None and known[0] is defs:
            return known[1]
        found = digest(_ENC.encode(defs))
        with self._lock:
            self._digests[id(defs)] = (defs, found)
        return found

    def put_definitions(self, path: Path, st: os.stat_result, defs: Definitions) -> None:
        """Remember definitions read cleanly from `path` (stat `st` taken before reading)."""
        payload = _ENC.encode(defs)
        with self._lock:
            self._digests[id(defs)] = (defs, digest(payload))
        self._put(path, Entry(file_key(st), "defs", payload))

    def put_progress(
        self,
        path: Path,
        st: os.stat_result,
        defs: Definitions,
        prog: Progress,
        warnings: list[ChitieuError],
    ) -> None:
        """Remember a progress read from `path` against `defs`, with its read's warnings."""
        try:
            payload = _ENC.encode(prog)
            warned = [encode_warning(w) for w in warnings]
        except (TypeError, OverflowError):
            return
        entry = Entry(file_key(st), "progress", payload, self._digest(defs), warned)
        self._put(path, entry)

    def _put(self, path: Path, entry: Entry) -> None:
        name = os.path.abspath(path)
        with self._lock:
            self._entries[name] = entry
            self._fresh[name] = entry
            self._dirty = True

    def save(self) -> None:
        """Write the cache file when anything changed (entries of files not read in this
        run are kept), then let go of the entries: the files they stand for are in the
        sources' own caches now (a collection's entries are a third of its memory); a later
        save reads the file again and adds what was read since. Best effort: a cache that
        cannot be written is no error."""
        with self._lock:
            dirty, released = self._dirty, self._released
            entries, fresh = self._entries, self._fresh
            self._entries, self._fresh = {}, {}
            self._dirty, self._released = False, True
        if not dirty:
            return
        if released:
            entries = {**self._read(), **fresh}
        head = len(MAGIC) + 32
        try:
            # `Store`'s layout; entries not read in this run are written back as they were
            # read (msgspec.Raw), into one buffer after the head (no copy of the body)
            data = bytearray(head)
            _ENC.encode_into([VERSION, SCHEMA, entries], data, head)
            with memoryview(data) as view:
                sealed = hashlib.blake2b(view[head:], digest_size=32).digest()
            data[:head] = MAGIC + sealed
            del entries
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if os.path.islink(self.path):  # never written through a link someone put there
                os.unlink(self.path)
            from chitieu_tui.core.atomic import atomic_write  # lazy: tempfile, when saving

            atomic_write(self.path, data)
        except Exception:  # noqa: BLE001 - the cache is an optimisation, never a failure
            return


def _finite(x: float | None) -> bool:
    return x is None or (math.isfinite(x) and abs(x) <= MAX_MAGNITUDE)


def _clean_texts(single: list[str], multiline: list[str]) -> bool:
    """Every text is as `clean` leaves it (one check for the usual case: all printable)."""
    if "".join(single).isprintable() and "".join(multiline).isprintable():
        return True
    return all(clean(x) == x for x in single) and all(
        clean(x, multiline=True) == x for x in multiline
    )


def sound_definitions(defs: Definitions) -> bool:
    """Cached definitions keep the rules the loader checked (ids, texts cleaned, numbers
    finite): a hand-made or damaged entry that breaks one is not used."""
    if not ID_RE.fullmatch(defs.unit.id) or not defs.indicators:
        return False
    single = [defs.unit.name]
    multi: list[str] = []
    groups = {g.id for g in defs.groups}
    for g in defs.groups:
        if not ID_RE.fullmatch(g.id):
            return False
        single.append(g.name)
    seen: set[str] = set()
    for ind in defs.indicators:
        if not ID_RE.fullmatch(ind.id) or ind.id in seen or ind.group not in groups:
            return False
        seen.add(ind.id)
        if not (
            _finite(ind.target) and _finite(ind.baseline) and _finite(ind.min) and _finite(ind.max)
        ):
            return False
        if ind.plan is not None and not all(_finite(p) for p in ind.plan):
            return False
        single += (ind.name, ind.unit, ind.owner, ind.basis)
        multi.append(ind.note)
    return _clean_texts(single, multi) and all(h in seen for h in defs.dashboard.headline)


def sound_progress(prog: Progress, defs: Definitions, period: Period, warned: int) -> bool:
    """A cached progress is of this unit and quarter, each value is one the loader takes (a
    known id, a bool for a milestone, a finite number), its texts are cleaned, and there are
    at least as many warnings as values out of bounds (`warned`: how many the entry has)."""
    if prog.unit != defs.unit.id or prog.period != period or prog.tamper is not None:
        return False
    index = {ind.id: ind for ind in defs.indicators}
    problems = 0
    single: list[str] = [prog.chain]
    multi: list[str] = []
    for key, entry in prog.values.items():
        ind = index.get(key)
        if ind is None:
            return False
        value = entry.value
        if ind.kind == "milestone":
            if value is not True and value is not False:
                return False
        elif isinstance(value, bool) or not _finite(value):
            return False
        elif value_problem(ind, value) is not None:
            problems += 1
        if entry.by or entry.note or entry.cause or entry.remedy:
            single.append(entry.by)
            multi += (entry.note, entry.cause, entry.remedy)
    for mark in (prog.closed, prog.returned):
        if mark is not None:
            single.append(mark.by)
            multi.append(mark.reason)
    if prog.closed is not None:
        single.append(prog.closed.digest)
        if prog.closed.approved is not None:
            single += (prog.closed.approved.by, prog.closed.approved.digest)
            multi.append(prog.closed.approved.note)
    return problems <= warned and _clean_texts(single, multi)


__all__ = ["ENV_DIR", "ENV_SWITCH", "VERSION", "ParseCache", "cache_file", "cache_folder"]
