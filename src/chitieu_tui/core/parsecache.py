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
import functools
import math
import operator
import os
import re
import stat
import threading
from array import array
from collections.abc import Callable, Iterator
from itertools import chain
from pathlib import Path
from typing import Any, BinaryIO

import msgspec

from chitieu_tui.core.errors import ChitieuError, Place
from chitieu_tui.core.loader import SCHEMA
from chitieu_tui.core.model import Definitions, Progress
from chitieu_tui.core.model import Entry as Value
from chitieu_tui.core.numbers import MAX_MAGNITUDE, Num
from chitieu_tui.core.periods import Period
from chitieu_tui.core.records import FACTORY, frozen
from chitieu_tui.core.text import clean
from chitieu_tui.i18n import Msg

try:  # blake2b without loading OpenSSL (hashlib imports _hashlib: 2 ms at every start)
    import _blake2 as hashlib
except ImportError:  # an interpreter without CPython's own blake2 module
    import hashlib  # type: ignore[no-redef]

VERSION = 4
"""Bumped when the cached objects or the rules that made them change (with SCHEMA)."""
MAX_BYTES = 1024 * 1024 * 1024
"""A cache file larger than this is not read (it is rebuilt)."""
MAGIC = b"chitieu-parsed\n"
"""The cache file begins with this, then a 32-byte digest of the rest (a damaged file: a bit
flipped in a number would still decode, and still be a sound value)."""
SHARE_FROM = 1000
"""From this many indicators, decoded definitions share their repeated strings, as a read
leaves them (not below: at 1,000 units of 40 indicators the sharing cost more time than the
memory it saved, BENCHMARKS.md). Progress values are keyed by the definitions' own ids in
every unit: they are stored by position (`_PROGRESS`)."""
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


@frozen
class Held:
    """An entry put but not encoded yet (a cache that `holds`): the object itself, which its
    source holds anyway, encoded into the file at `save`."""

    key: Key
    obj: Definitions | Progress
    defs: Definitions | None = None
    """For a progress: the definitions it was checked against."""
    warned: list[Warned] = dataclasses.field(default_factory=list)

    def __init__(
        self,
        key: Key,
        obj: Definitions | Progress,
        defs: Definitions | None = None,
        warned: list[Warned] = FACTORY,
    ) -> None:
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "obj", obj)
        object.__setattr__(self, "defs", defs)
        object.__setattr__(self, "warned", [] if warned is FACTORY else warned)


class EntryView(msgspec.Struct, array_like=True, frozen=True):
    """`Entry` as it is read from the file: its payload a view into the bytes it was decoded
    from (no copy of each file's encoding made and dropped: a large unit's copies left the
    heap in holes, 10 MB of RSS at 50,000 indicators)."""

    key: Key
    kind: str
    payload: memoryview
    checked: str = ""
    warnings: list[Warned] = msgspec.field(default_factory=list)


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
_PROGRESS = msgspec.msgpack.Decoder(tuple[Progress, bytes, list[Value]])
"""A progress as stored (`_packed`): itself without its values, then each value's indicator
as its position in the definitions it was checked against (`POSITION`s, as bytes: no
number object made for each, writing or reading), and the values, in the file's order."""
POSITION = "I" if array("I").itemsize == 4 else "L"
"""The `array` type of a position: 4 bytes, unsigned, in the machine's order (the cache is
this machine's)."""
_ENTRY = msgspec.msgpack.Decoder(EntryView)
_STORE = msgspec.msgpack.Decoder(LazyStore)
_ENC = msgspec.msgpack.Encoder()
_FRESH = msgspec.msgpack.Decoder(dict[str, Entry])


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


def digest(payload: bytes | bytearray | memoryview) -> str:
    """A short digest of an encoded object (names the definitions a progress was checked
    against)."""
    return hashlib.blake2b(payload, digest_size=16).hexdigest()


class ParseCache:
    """The cache of one collection folder: read once, consulted per file, saved once."""

    def __init__(self, path: Path, *, hold: bool = False) -> None:
        self.path = path
        self.hold = hold
        """Keep what is put as the objects, encoded at `save` (a unit's own cache: its source
        holds them anyway, and the first frame pays no encoding); else encode each when put
        (a collection's: its units are let go of, one by one, before the save)."""
        self._lock = threading.Lock()
        self._entries: dict[str, Entry | msgspec.Raw | bytes] = {}
        self._fresh: dict[str, Entry | Held] = {}
        """Entries put since the last save (merged into the file's at the next one)."""
        self._released = False
        """Saved once and let go of (a later save reads the file again to merge)."""
        self._dirty = False
        self._digests: dict[int, tuple[Definitions, str]] = {}
        self._id_map: tuple[Definitions, list[str]] | None = None
        """The last definitions read with: their ids in order."""
        self._place_map: tuple[Definitions, dict[str, int]] | None = None
        """The last definitions saved with: each id's position."""
        self._value_rules: tuple[Definitions, ValueRules] | None = None
        self.hits = 0
        """How many files were taken from the cache (for tests and benchmarks)."""
        self._entries = self._read()

    @classmethod
    def for_folder(cls, root: Path, *, hold: bool = False) -> ParseCache | None:
        """The cache of the folder `root` (None: the cache is off)."""
        path = cache_file(root, "parsed")
        return None if path is None else cls(path, hold=hold)

    def _read(self) -> dict[str, Entry | msgspec.Raw | bytes]:
        """The cache file's entries, each still encoded (`LazyStore`); anything wrong with
        the file: none (rebuilt at `save`). A cache that `holds` (one unit's) copies each
        entry out of the file's bytes and lets the file go, and lets each entry go once it
        is taken (`_hit`): the whole file is not held beside the unit it decodes into (35 MB
        at 50,000 indicators); a collection's keeps views into the file (no copy: the
        country's file is large and most of its entries are taken)."""
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
        if self.hold:
            return {name: bytes(raw) for name, raw in store.entries.items()}
        return dict(store.entries)

    def _hit(self, path: Path, st: os.stat_result, kind: str) -> Entry | EntryView | None:
        if not self._entries:  # no file read (a cold read): nothing to look for
            return None
        name = os.path.abspath(path)
        if self.hold:  # taken once: the unit's source keeps what it decodes into
            with self._lock:
                found = self._entries.pop(name, None)
                self._released = self._released or found is not None  # a save reads again
        else:
            found = self._entries.get(name)
        if isinstance(found, msgspec.Raw | bytes):
            try:
                entry: Entry | EntryView | None = _ENTRY.decode(found)
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
            _share_strings(defs)
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
            bare, packed, values = _PROGRESS.decode(entry.payload)
            positions = array(POSITION, packed)  # ValueError: not a whole number of them
            warnings = [decode_warning(w) for w in entry.warnings]
        except (msgspec.DecodeError, ValueError, TypeError, OverflowError, RecursionError):
            self._drop(path)
            return None
        # keyed by the definitions' own id strings, as a read keys them (not one copy each,
        # nor a key decoded for each value: one position, a small number)
        ids = self._ids(defs)
        if len(positions) != len(values) or (positions and max(positions) >= len(ids)):
            self._drop(path)
            return None
        by_id = dict(zip(map(ids.__getitem__, positions), values, strict=True))
        if len(by_id) != len(positions):  # an indicator twice
            self._drop(path)
            return None
        object.__setattr__(bare, "values", by_id)  # decoded here: nothing else holds it
        prog = bare
        if not sound_progress(prog, defs, period, len(warnings), self._rules(defs)):
            self._drop(path)
            return None
        self.hits += 1
        return prog, warnings

    def _rules(self, defs: Definitions) -> ValueRules:
        """`ValueRules` of `defs` (kept for the last definitions asked)."""
        with self._lock:
            known = self._value_rules
        if known is not None and known[0] is defs:
            return known[1]
        rules = ValueRules.of(defs)
        with self._lock:
            self._value_rules = (defs, rules)
        return rules

    def _ids(self, defs: Definitions) -> list[str]:
        """The definitions' ids in order (kept for the last definitions asked)."""
        with self._lock:
            known = self._id_map
        if known is not None and known[0] is defs:
            return known[1]
        ids = [ind.id for ind in defs.indicators]
        with self._lock:
            self._id_map = (defs, ids)
        return ids

    def _places(self, defs: Definitions) -> dict[str, int]:
        """Each id of the definitions with its position (kept for the last definitions
        asked, as `_ids`)."""
        with self._lock:
            known = self._place_map
        if known is not None and known[0] is defs:
            return known[1]
        ids = self._ids(defs)
        places = dict(zip(ids, range(len(ids)), strict=True))
        with self._lock:
            self._place_map = (defs, places)
        return places

    def _packed(self, prog: Progress, defs: Definitions) -> tuple[Progress, bytes, list[Value]]:
        """`prog` as it is stored (`_PROGRESS`): its values' positions in the definitions,
        looked up in C (one index of the ids made per save, a few ms at 50,000; a search for
        them in order, then checked, took 3-5 times as long). KeyError when it has a value of
        an id that `defs` do not know (a read keeps none: `loader.progress_from_dict` warns
        and leaves it out; a save that meets one writes nothing, as any failed save)."""
        values = prog.values
        positions = array(POSITION, map(self._places(defs).__getitem__, values))
        return dataclasses.replace(prog, values={}), positions.tobytes(), list(values.values())

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
            if self._place_map is not None and self._place_map[0] is defs:
                self._place_map = None
            if self._value_rules is not None and self._value_rules[0] is defs:
                self._value_rules = None

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
        if self.hold:
            self._put(path, Held(file_key(st), defs))
            return
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
            warned = [encode_warning(w) for w in warnings]
            if self.hold:
                _ENC.encode(warned)  # what `save` will encode (the progress: checked there)
                self._put(path, Held(file_key(st), prog, defs, warned))
                return
            payload = _ENC.encode(self._packed(prog, defs))
        except (TypeError, OverflowError, KeyError):
            return
        entry = Entry(file_key(st), "progress", payload, self._digest(defs), warned)
        self._put(path, entry)

    def _put(self, path: Path, entry: Entry | Held) -> None:
        name = os.path.abspath(path)
        with self._lock:
            if isinstance(entry, Held):  # not looked up again: its source holds the object
                self._entries.pop(name, None)
            else:
                self._entries[name] = entry
            self._fresh[name] = entry
            self._dirty = True

    def _held_into(self, entry: Held, buf: bytearray) -> tuple[str, str]:
        """Encode a held object into `buf` as the file holds it (a progress by its values'
        positions); its entry's kind and the digest of the definitions it was checked with."""
        obj = entry.obj
        if isinstance(obj, Definitions):
            _ENC.encode_into(obj, buf)
            with self._lock:
                self._digests[id(obj)] = (obj, digest(buf))
            return "defs", ""
        assert entry.defs is not None  # a held progress names its definitions
        _ENC.encode_into(self._packed(obj, entry.defs), buf)
        return "progress", self._digest(entry.defs)

    def fresh_bytes(self) -> bytes:
        """What was put since the last save, each entry encoded as the file holds it (held
        objects encoded here, definitions first), as one msgpack map: a cold frame's worker
        process sends it to the main process, which `adopt`s it."""
        with self._lock:
            fresh = dict(self._fresh)
        out: dict[str, Entry] = {}
        for name in sorted(fresh, key=lambda n: not _is_defs(fresh[n])):
            entry = fresh[name]
            if isinstance(entry, Held):
                buf = bytearray()
                kind, checked = self._held_into(entry, buf)
                entry = Entry(entry.key, kind, bytes(buf), checked, entry.warned)
            out[name] = entry
        return _ENC.encode(out)

    def adopt(self, data: bytes) -> None:
        """Entries another process read for this cache (`fresh_bytes`): taken as if put
        here (looked up by the next reads, written by the next save); what does not decode
        is ignored."""
        try:
            entries = _FRESH.decode(data)
        except (msgspec.DecodeError, ValueError, TypeError, OverflowError, RecursionError):
            return
        if not entries:
            return
        with self._lock:
            self._entries.update(entries)
            self._fresh.update(entries)
            self._dirty = True

    def take(self, data: bytes) -> bool:
        """Entries another process read and saves into this cache's file itself
        (`fresh_bytes`: a cold unit's worker, present/coldunit.py): looked up by the next
        reads as if read from the file, not saved again from here. False when they do not
        decode (nothing taken)."""
        try:
            entries = _FRESH.decode(data)
        except (msgspec.DecodeError, ValueError, TypeError, OverflowError, RecursionError):
            return False
        with self._lock:
            self._entries.update(entries)
        return True

    @property
    def dirty(self) -> bool:
        """Something was put (or found unsound) since the last save."""
        with self._lock:
            return self._dirty

    def release(self) -> None:
        """Let go of the entries read from the file (views into its bytes: the whole file)
        once the files asked for are read, and of the ids and bounds kept to check and key
        them; what was put is kept for `save`, which reads the file again to keep the
        entries of files not read."""
        with self._lock:
            self._entries = {}
            self._released = True
            self._id_map = self._value_rules = None  # 50,000 ids and bounds: made again
            self._place_map = None

    def save(self) -> None:
        """Write the cache file when anything changed (entries of files not read in this
        run are kept), then let go of the entries: the files they stand for are in the
        sources' own caches now (a collection's entries are a third of its memory); a later
        save reads the file again and adds what was read since. The file is written piece
        by piece (each held object encoded in turn into one reused buffer), never held
        whole. Best effort: a cache that cannot be written is no error."""
        finish = self.begin_save()
        if finish is not None:
            finish()

    def begin_save(self) -> Callable[[], None] | None:
        """`save`'s encoding and writing, done here; what is left (the body's digest, read
        back where it could not be made as it was written, then the sync and the rename: no
        object of the unit touched, the GIL let go of) done by the function returned, in any
        one thread (a large unit's first frame is drawn meanwhile: `app.save_cache_first`).
        None: nothing to finish (nothing to save, or it cannot be written)."""
        with self._lock:
            dirty, released = self._dirty, self._released
            entries, fresh = self._entries, self._fresh
            self._entries, self._fresh = {}, {}
            self._dirty, self._released = False, True
        if not dirty:
            return None
        merged: dict[str, Entry | Held | msgspec.Raw | bytes]
        merged = {**self._read(), **fresh} if released else {**entries, **fresh}
        del entries, fresh
        seal = _Seal()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if os.path.islink(self.path):  # never written through a link someone put there
                os.unlink(self.path)
            from chitieu_tui.core.atomic import begin_write  # lazy: tempfile, when saving

            begun = begin_write(self.path, lambda fh: self._write(fh, merged, seal))
        except Exception:  # noqa: BLE001 - the cache is an optimisation, never a failure
            return None
        finally:
            with self._lock:
                self._place_map = None  # 50,000 positions: a save's alone, made again by the next

        def finish() -> None:
            try:
                begun.finish(seal.put)
            except Exception:  # noqa: BLE001 - as above (no file left half written)
                pass

        return finish

    def _write(
        self, fh: BinaryIO, entries: dict[str, Entry | Held | msgspec.Raw | bytes], seal: _Seal
    ) -> None:
        """`Store`'s layout: the head (`MAGIC`, then room for the digest of the body, which
        `seal` puts in last), then the body piece by piece. Entries not read in this run are
        written back as they were read (msgspec.Raw); held objects are encoded here,
        definitions first (a progress entry names the digest of the definitions it was
        checked against)."""

        def out(chunk: bytes | bytearray | memoryview) -> None:
            seal.update(chunk)
            fh.write(chunk)

        fh.write(MAGIC + bytes(32))
        out(_ARRAY3 + _ENC.encode(VERSION) + _ENC.encode(SCHEMA))
        out(b"\xdf" + len(entries).to_bytes(4, "big"))  # a map of this many entries
        buf = bytearray()
        order = sorted(entries, key=lambda n: not _is_defs(entries[n]))
        for name in order:
            entry = entries[name]
            out(_ENC.encode(name))
            if isinstance(entry, msgspec.Raw | bytes):
                out(memoryview(entry))
            elif isinstance(entry, Entry):
                out(_ENC.encode(entry))
            elif isinstance(entry.obj, Definitions) and len(entry.obj.indicators) > ENCODE_ITEMS:
                out(_ARRAY5 + _ENC.encode(entry.key) + _ENC.encode("defs"))
                seal.stop(fh.tell())
                self._defs_into(fh, entry.obj)
                out(_ENC.encode("") + _ENC.encode(entry.warned))
            else:
                kind, checked = self._held_into(entry, buf)
                # `Entry`'s layout: key, kind, payload (bin 32), checked, warnings
                out(_ARRAY5 + _ENC.encode(entry.key) + _ENC.encode(kind))
                out(b"\xc6" + len(buf).to_bytes(4, "big"))
                out(buf)
                out(_ENC.encode(checked) + _ENC.encode(entry.warned))

    def _defs_into(self, fh: BinaryIO, defs: Definitions) -> None:
        """Large definitions written as a payload (bin 32), encoded once, `ENCODE_ITEMS`
        indicators at a time (no buffer of the whole: 12-16 MiB at 50,000 indicators, a
        save's peak): its length, which comes first, filled in after them (the body's digest
        then made by reading it back: `_Seal`), their own digest as they go."""
        head = fh.tell()
        fh.write(b"\xc6" + bytes(4))
        size, sum_ = 0, hashlib.blake2b(digest_size=16)
        for chunk in _defs_chunks(defs):
            size += len(chunk)
            sum_.update(chunk)
            fh.write(chunk)
        if size >= 1 << 32:
            raise OverflowError("definitions too large for the cache")
        fh.seek(head + 1)
        fh.write(size.to_bytes(4, "big"))
        fh.seek(0, os.SEEK_END)
        with self._lock:
            self._digests[id(defs)] = (defs, sum_.hexdigest())


class _Seal:
    """The digest of a cache file's body (blake2b, at the head after `MAGIC`), made as the
    body is written up to where a length is filled in after the bytes it counts (`stop`);
    from there read back from the file when it is put (`put`: the file open to read too)."""

    def __init__(self) -> None:
        self.digest = hashlib.blake2b(digest_size=32)
        self.start: int | None = None

    def update(self, chunk: bytes | bytearray | memoryview) -> None:
        if self.start is None:
            self.digest.update(chunk)

    def stop(self, at: int) -> None:
        """From `at` on, the body is read back to be sealed."""
        if self.start is None:
            self.start = at

    def put(self, fh: BinaryIO) -> None:
        """The digest made and written at the head; the file left at its end."""
        fh.flush()
        end = fh.tell()
        at = end if self.start is None else self.start
        while at < end:
            block = os.pread(fh.fileno(), min(end - at, 1 << 22), at)
            if not block:
                raise OSError("the cache file ended early")
            self.digest.update(block)
            at += len(block)
        fh.seek(len(MAGIC))
        fh.write(self.digest.digest())
        fh.seek(0, os.SEEK_END)


_ARRAY3 = b"\x93"
_ARRAY5 = b"\x95"
"""msgpack's headers of an array of 3 (`Store`) and of 5 (`Entry`)."""


ENCODE_ITEMS = 2000
"""Definitions of more indicators than this are written into the cache file in pieces of this
many (`_defs_chunks`), not encoded whole into one buffer first."""


def _array_head(n: int) -> bytes:
    """msgpack's header of an array of `n` items, as msgspec writes it (the shortest)."""
    if n <= 15:
        return bytes([0x90 | n])
    if n <= 0xFFFF:
        return b"\xdc" + n.to_bytes(2, "big")
    return b"\xdd" + n.to_bytes(4, "big")


def _defs_chunks(defs: Definitions) -> Iterator[bytes]:
    """`_ENC.encode(defs)` in pieces (joined: the same bytes): what comes before the
    indicators' array, its header, the indicators `ENCODE_ITEMS` at a time, what follows.
    Where the array is: where the encodings without indicators and with the first one part."""
    inds = defs.indicators
    bare = _ENC.encode(msgspec.structs.replace(defs, indicators=[]))
    one = _ENC.encode(msgspec.structs.replace(defs, indicators=inds[:1]))
    at = next(i for i, (a, b) in enumerate(zip(bare, one, strict=False)) if a != b)
    yield bare[:at]
    yield _array_head(len(inds))
    for start in range(0, len(inds), ENCODE_ITEMS):
        part = inds[start : start + ENCODE_ITEMS]
        yield _ENC.encode(part)[len(_array_head(len(part))) :]
    yield bare[at + 1 :]


def _is_defs(entry: Entry | Held | msgspec.Raw | bytes) -> bool:
    return isinstance(entry, Held) and isinstance(entry.obj, Definitions)


def _share_strings(defs: Definitions) -> None:
    """Share the strings that repeat from one indicator to the next (field, unit, owner, due
    quarter), as `loader.cleaned_definitions` does on a read, in the indicators just decoded
    (nothing else holds them yet): no second copy of 50,000 indicators made and dropped."""
    shared: dict[str, str] = {}
    put = msgspec.structs.force_setattr
    for ind in defs.indicators:
        for name in ("group", "unit", "owner", "due"):
            text = getattr(ind, name)
            if text is not None:
                same = shared.setdefault(text, text)
                if same is not text:
                    put(ind, name, same)


def _clean_texts(single: list[str], multiline: list[str]) -> bool:
    """Every text is as `clean` leaves it (one check for the usual case: all printable)."""
    if "".join(single).isprintable() and "".join(multiline).isprintable():
        return True
    return all(clean(x) == x for x in single) and all(
        clean(x, multiline=True) == x for x in multiline
    )


def sound_definitions(defs: Definitions) -> bool:
    """Cached definitions keep the rules the loader checked (ids, texts cleaned, numbers
    finite): a hand-made or damaged entry that breaks one is not used. Each rule is checked
    over a whole column at once (the ids joined and matched once, the numbers summed and
    bounded, the texts joined): a loop over 50,000 indicators cost a third of a warm load's
    definitions."""
    inds = defs.indicators
    if not inds:
        return False
    ids = list(map(_ID, inds))
    seen = set(ids)
    group_ids = list(map(_ID, defs.groups))
    if len(seen) != len(ids) or not _all_ids([defs.unit.id, *group_ids, *ids]):
        return False
    if not set(map(_GROUP, inds)) <= set(group_ids):
        return False
    numbers = list(filter(_SOME, chain.from_iterable(map(_NUMBERS, inds))))
    plans = list(chain.from_iterable(filter(_SOME, map(_PLAN, inds))))
    if not (_all_finite(numbers) and _all_finite(plans)):
        return False
    single = [defs.unit.name, *map(_NAME, defs.groups), *chain.from_iterable(map(_TEXTS, inds))]
    multi = list(map(_NOTE, inds))
    return _clean_texts(single, multi) and all(h in seen for h in defs.dashboard.headline)


_SOME = functools.partial(operator.is_not, None)
"""Not None (`filter`'s test; 0 and 0.0 are kept)."""
_ID = operator.attrgetter("id")
_GROUP = operator.attrgetter("group")
_NAME = operator.attrgetter("name")
_NOTE = operator.attrgetter("note")
_PLAN = operator.attrgetter("plan")
_NUMBERS = operator.attrgetter("target", "baseline", "min", "max")
_TEXTS = operator.attrgetter("name", "unit", "owner", "basis")
_IDS = re.compile(r"[a-z0-9-]+(?:\n[a-z0-9-]+)*")
"""`loader.ID_RE` for ids joined by newlines: each one or more of its characters."""


def _all_ids(ids: list[str]) -> bool:
    """Every one of `ids` passes `loader.ID_RE` (one match over them all, joined by a
    newline, which is no id character: there are as many newlines as joins, else an id
    had one of its own)."""
    joined = "\n".join(ids)
    return joined.count("\n") == len(ids) - 1 and _IDS.fullmatch(joined) is not None


def _all_finite(numbers: list[float]) -> bool:
    """Every number is finite and at most `MAX_MAGNITUDE` either way: their sum is finite only when none is NaN or infinite, then the least and the largest
    are bounded."""
    if not numbers:
        return True
    return (
        math.isfinite(sum(numbers))
        and -MAX_MAGNITUDE <= min(numbers)
        and max(numbers) <= MAX_MAGNITUDE
    )


@frozen
class ValueRules:
    """What `sound_progress` checks each value against, per id, made once per definitions:
    the milestones (a bool each), every other indicator's least value, the effective `max`
    of those that have one, and the `integer` ones (`loader.value_problem`'s bounds); every
    id (`known`: made once, not for each of a large unit's eight quarters)."""

    milestones: frozenset[str]
    lows: dict[str, float]
    highs: dict[str, float]
    integers: frozenset[str]
    known: frozenset[str]

    def __init__(
        self,
        milestones: frozenset[str],
        lows: dict[str, float],
        highs: dict[str, float],
        integers: frozenset[str],
        known: frozenset[str],
    ) -> None:
        object.__setattr__(self, "milestones", milestones)
        object.__setattr__(self, "lows", lows)
        object.__setattr__(self, "highs", highs)
        object.__setattr__(self, "integers", integers)
        object.__setattr__(self, "known", known)

    @classmethod
    def of(cls, defs: Definitions) -> ValueRules:
        """The rules of `defs`."""
        lows: dict[str, float] = {}
        highs: dict[str, float] = {}
        milestones: set[str] = set()
        integers: set[str] = set()
        for ind in defs.indicators:
            if ind.kind == "milestone":
                milestones.add(ind.id)
                continue
            lows[ind.id] = ind.min
            upper = ind.upper
            if upper is not None:
                highs[ind.id] = upper
            if ind.integer:
                integers.add(ind.id)
        known = frozenset(milestones.union(lows))
        return cls(frozenset(milestones), lows, highs, frozenset(integers), known)


def sound_progress(
    prog: Progress, defs: Definitions, period: Period, warned: int, rules: ValueRules | None = None
) -> bool:
    """A cached progress is of this unit and quarter, each value is one the loader takes (a
    known id, a bool for a milestone, a finite number), its texts are cleaned, and there are
    at least as many warnings as values out of bounds (`warned`: how many the entry has).
    `rules`: `ValueRules.of(defs)`, when the caller keeps it."""
    if prog.unit != defs.unit.id or prog.period != period or prog.tamper is not None:
        return False
    rules = rules or ValueRules.of(defs)
    milestones, lows, highs, integers = rules.milestones, rules.lows, rules.highs, rules.integers
    if not prog.values.keys() <= rules.known:  # every id a known indicator
        return False
    problems = 0
    single: list[str] = [prog.chain]
    multi: list[str] = []
    top = MAX_MAGNITUDE
    for key, entry in prog.values.items():
        value = entry.value
        if key in milestones:
            if value is not True and value is not False:
                return False
        elif value is True or value is False or not -top <= value <= top:  # NaN fails too
            return False
        elif (
            value < lows[key]
            or ((high := highs.get(key)) is not None and value > high)
            or (key in integers and not float(value).is_integer())
        ):
            problems += 1  # as `loader.value_problem` finds it
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
