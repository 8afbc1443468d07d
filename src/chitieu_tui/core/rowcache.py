"""A cache of the roll-up's first frame (issue 23: the country's second open), in the user's
cache folder beside the parse cache (core/parsecache.py).

One file per collection folder (`<cache>/rows/<hash of the folder>.bin`): what the roll-up
showed when its units were last read (each unit's row, the totals, the texts, the charts),
with the key it was made under (`frame_key`: the folder, the caches' versions, the period
asked and the period shown, today's date, the language, the stamps of collection.toml and
of targets/, the members' names) and, per unit, the stamps of its watched files
(`DataDir.fingerprint`, as the poll takes them). An open whose key and every unit's stamps
match shows the cached frame at once, then reads the units as always.

What it never does: write into a data folder (only into the cache folder, through the one
atomic writer); use a file that is damaged (a digest seals it), of another version, or
that does not decode as a `Frame` (each is ignored: the open reads the units, as without a
cache). The frame's content is data made by `present/rollup.py`; this module only keeps it.
`CHITIEU_CACHE_DIR` moves the cache folder; `CHITIEU_CACHE=off` turns it off.
"""

from __future__ import annotations

import gc
import math
import os
import sys
import threading
from pathlib import Path
from typing import Any

import msgspec

from chitieu_tui.core.arithmetic import Status
from chitieu_tui.core.atomic import atomic_write
from chitieu_tui.core.collection import Collection
from chitieu_tui.core.datadir import stamps_of, watched_files
from chitieu_tui.core.errors import ChitieuError
from chitieu_tui.core.loader import SCHEMA
from chitieu_tui.core.parsecache import VERSION as PARSED
from chitieu_tui.core.parsecache import cache_file, read_sealed
from chitieu_tui.core.periods import Period, today
from chitieu_tui.core.source import Source
from chitieu_tui.core.text import clean
from chitieu_tui.i18n import current

try:  # blake2b without loading OpenSSL (hashlib imports _hashlib: 3 ms of the first frame)
    import _blake2 as hashlib
except ImportError:  # an interpreter without CPython's own blake2 module
    import hashlib  # type: ignore[no-redef]

VERSION = 3
"""Bumped when the frame's layout or what makes its texts changes."""
MAGIC = b"chitieu-rows\n"
"""The file begins with this, then a 32-byte digest of the rest."""
MAX_BYTES = 64 * 1024 * 1024
"""A larger file is not read."""

# The frame's parts are `gc=False`: plain data that cannot make a cycle (texts, numbers,
# statuses, lists of them), kept out of the cyclic collector's sight. Tracked (a `Status` in
# each), the country's 13,284 cells and 13,284 chart bars made its passes longer (a full
# pass during a sort at 3,321 units: 0.12 s against 0.085 s).


class CellData(msgspec.Struct, array_like=True, frozen=True, gc=False):
    """A scorecard cell: its text, the status that colours it (None: plain) and its percent
    (for sorting; None sorts last). The scorecard's own cell (`present/rollup.py` `Cell`):
    a cached frame's rows are drawn as decoded."""

    text: str
    status: Status | None = None
    percent: float | None = None


class RowData(msgspec.Struct, array_like=True, frozen=True, gc=False):
    """One unit's row (`present/rollup.py` `UnitRow`), without its member."""

    rank: int | None
    name: str
    met: int
    total: int
    behind: int
    cells: list[CellData]
    error: str
    offline: bool
    mark: str
    state: str
    late: bool
    rules: int | None
    rules_worst: str
    mix: list[int]
    """The status mix (met, on track, behind, no data: `STATUS_ORDER`)."""
    reporting: bool
    unit_id: str


class BarData(msgspec.Struct, array_like=True, frozen=True, gc=False):
    """One bar of a column's chart."""

    name: str
    percent: float
    status: Status


class ChartData(msgspec.Struct, array_like=True, frozen=True, gc=False):
    """One column's chart (`present/rollup_chart.py` `ColumnChart`)."""

    title: str
    bars: list[BarData]
    missing: list[str]


class Frame(msgspec.Struct, array_like=True, frozen=True):
    """What the roll-up showed, and what it was made from."""

    version: int
    key: list[Any]
    """`frame_key` when it was made."""
    stamps: list[tuple[tuple[int, int] | None, ...]]
    """Each member's stamps (`Source.stamp(period)`: a unit folder's `fingerprint`), in
    member order."""
    period: list[int]
    """The period shown: [year, quarter] (empty: none)."""
    header: str
    summary: str
    note: str
    left_out: str
    role: str
    columns: list[str]
    names: list[str]
    rows: list[RowData]
    totals: list[CellData]
    charts: list[ChartData]
    """One per column."""


_FRAME = msgspec.msgpack.Decoder(Frame)
_ENC = msgspec.msgpack.Encoder()


def _stamp(path: Path) -> list[int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_mtime_ns, st.st_size, st.st_ino]


def frame_key(
    root: Path, asked: object, words: str, today: str, columns: list[str], members: list[str]
) -> list[Any]:
    """The key a frame is made and used under: the folder (resolved), the versions of this
    cache, of the parse cache and of the schema, the period asked (its text, "" for the
    default), today's date, the language (`words`), collection.toml's stamp and columns, targets/
    (each file's stamp), and the members' folder names in order."""
    folder = root / "targets"
    targets: list[Any] = []
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        names = []
    for name in names:
        targets.append([name, _stamp(folder / name)])
    return [
        VERSION,
        PARSED,
        SCHEMA,
        str(root.resolve()),
        "" if asked is None else str(asked),
        today,
        words,
        _stamp(root / "collection.toml"),
        _stamp(folder),
        targets,
        list(columns),
        list(members),
    ]


def path_for(root: Path) -> Path | None:
    """The frame file of the collection folder `root` (None: the cache is off, or the
    folder cannot be named)."""
    return cache_file(root, "rows")


def read_frame(path: Path) -> Frame | None:
    """The frame in `path`; None when absent, damaged, too large or of another version."""
    body, _damaged = read_sealed(path, MAGIC, MAX_BYTES)
    if body is None:
        return None
    try:
        frame = _FRAME.decode(body)
    except (msgspec.DecodeError, ValueError, TypeError, OverflowError, RecursionError):
        return None
    if frame.version != VERSION or len(frame.period) not in (0, 2):
        return None
    if len(frame.stamps) != len(frame.rows) or len(frame.names) != len(frame.columns):
        return None
    if len(frame.totals) != len(frame.columns) or len(frame.charts) != len(frame.columns):
        return None
    if any(len(r.cells) != len(frame.columns) for r in frame.rows):
        return None
    return frame if sound(frame) else None


def sound(frame: Frame) -> bool:
    """Every text is as `clean` leaves it (text is data: a forged file shows no control
    character) and every percent is finite (a chart scales by them)."""
    single = [frame.role, *frame.columns, *frame.names]
    multi = [frame.header, frame.summary, frame.note, frame.left_out]
    cells = [c for r in frame.rows for c in r.cells] + list(frame.totals)
    for r in frame.rows:
        single += (r.name, r.mark, r.state, r.rules_worst, r.unit_id)
        multi.append(r.error)
    single += (c.text for c in cells)
    percents = [c.percent for c in cells]
    for chart in frame.charts:
        single += (chart.title, *chart.missing, *(b.name for b in chart.bars))
        percents += (b.percent for b in chart.bars)
    try:  # every percent finite: then so is their sum (an overflow: refused, not wrong)
        if not math.isfinite(math.fsum([p for p in percents if p is not None])):
            return False
    except OverflowError:
        return False
    if "".join(single).isprintable() and "".join(multi).replace("\n", "").isprintable():
        return True
    return all(clean(x) == x for x in single) and all(clean(x, multiline=True) == x for x in multi)


def encode(frame: Frame) -> bytes:
    """The file's bytes: the magic, the digest, the frame."""
    body = _ENC.encode(frame)
    return MAGIC + hashlib.blake2b(body, digest_size=32).digest() + body


def write_frame(path: Path, frame: Frame) -> None:
    """Save `frame` (best effort: a cache that cannot be written is no error)."""
    try:
        data = encode(frame)
        path.parent.mkdir(parents=True, exist_ok=True)
        if os.path.islink(path):  # never written through a link someone put there
            os.unlink(path)
        atomic_write(path, data)
    except Exception:  # noqa: BLE001 - the cache is an optimisation, never a failure
        return


def cached_frame(collection: Collection, asked: Period | None) -> Frame | None:
    """The cached frame of a collection folder opened at `asked` (None: the default
    period), when it was made under the same key and every member's watched files have the
    stamps they had then; else None (the open reads the units, as without a cache)."""
    frame = unchecked_frame(collection, asked)
    return frame if frame is not None and still_true(collection, frame) else None


def unchecked_frame(collection: Collection, asked: Period | None) -> Frame | None:
    """`cached_frame` before its units' stamps are checked (`FrameCheck` checks them, in a
    thread, while the app starts): the frame when its file is sound and its key matches."""
    root = collection.root
    if root is None or collection.kind != "file" or collection.discover is not None:
        return None
    path = path_for(root)
    if path is None:
        return None
    frame = read_frame(path)
    if frame is None:
        return None
    try:
        key = key_of(collection, asked)
    except ChitieuError:
        return None
    return frame if frame.key == key else None


def still_true(collection: Collection, frame: Frame) -> bool:
    """Every member's watched files have the stamps they had when `frame` was made."""
    period = Period(frame.period[0], frame.period[1]) if frame.period else None
    return stamps_now(collection, period) == frame.stamps


class FrameCheck:
    """`still_true` of a frame, begun at once beside the app's imports and start: the
    26,568 `stat`s of the country's units. `wait` gives the answer; the frame is never taken
    as true before it says so (the roll-up marks it as being checked, a screenshot waits).

    `apart` (chitieu's own process, on Linux, no other thread running): the check runs in a
    forked child that writes its answer to a pipe. In a thread of this process it held the
    interpreter's lock between its `stat`s, and the two threads handed the lock back and
    forth thousands of times: the country's warm first frame took ~0.1 s longer than
    without the check (BENCHMARKS.md, "Issue 23, seventh session"). Else, a thread."""

    def __init__(self, collection: Collection, frame: Frame, apart: bool = False) -> None:
        self.frame = frame
        self._ok = False
        self._lock = threading.Lock()
        self._pid = 0
        self._pipe = -1
        self._thread: threading.Thread | None = None
        if apart and _may_fork():
            self._fork(collection)
            return
        self._thread = threading.Thread(
            target=self._run, args=(collection,), name="frame-check", daemon=True
        )
        self._thread.start()

    def _run(self, collection: Collection) -> None:
        try:
            self._ok = still_true(collection, self.frame)
        except Exception:  # noqa: BLE001 - a check that fails says "changed": the units are read
            self._ok = False

    def _fork(self, collection: Collection) -> None:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: the check, its answer (one byte), and out at once
            code = 1
            try:
                os.close(read)
                gc.disable()  # a short life: no collector pass writing to every shared page
                answer = b"1" if still_true(collection, self.frame) else b"0"
                os.write(write, answer)
                code = 0
            finally:
                os._exit(code)  # never the parent's exit: no atexit, no buffers flushed
        os.close(write)
        self._pid, self._pipe = pid, read

    def wait(self) -> bool:
        """True when nothing changed since the frame was made (blocks until known)."""
        with self._lock:
            if self._thread is not None:
                self._thread.join()
            elif self._pid:
                try:
                    answer = os.read(self._pipe, 1)  # b"": the child died unanswered
                except OSError:
                    answer = b""
                finally:
                    os.close(self._pipe)
                try:
                    os.waitpid(self._pid, 0)
                except ChildProcessError:  # reaped elsewhere
                    pass
                self._ok, self._pid = answer == b"1", 0
        return self._ok


def _may_fork() -> bool:
    """A child may be forked here: Linux (elsewhere a fork without exec is unsafe or
    missing) and no other thread running (it would be copied mid-work)."""
    return sys.platform == "linux" and hasattr(os, "fork") and threading.active_count() == 1


def stamps_now(collection: Collection, period: Period | None) -> list[object]:
    """Each member's stamps at `period`, as `Source.stamp` gives them; a unit folder's
    straight from its files (`FolderSource.folder`): its source is not made for it."""
    out: list[object] = []
    for m in collection.members:
        folder = getattr(m.source, "folder", None)
        if period is not None and isinstance(folder, str):
            out.append(stamps_of(watched_files(folder, period)))
        else:
            out.append(m.source.stamp(period))
    return out


def key_of(collection: Collection, asked: Period | None) -> list[Any]:
    """`frame_key` of a collection folder opened at `asked`, in the current language and on
    today's date (DataError: `CHITIEU_TODAY` is no date)."""
    assert collection.root is not None
    members = [m.key for m in collection.members]
    day = today().isoformat()
    return frame_key(collection.root, asked, current(), day, collection.columns, members)


def stamps_as_read(read: list[tuple[Source, object]], period: Period) -> list[Any] | None:
    """Each source's stamps at `period` (as `cached_frame` takes them), when each still has
    the stamp taken before its read (`Member.stamp`: of `period`, or of the default period
    for a unit read at its own); None when any file changed since (the frame would not be
    of the files its stamps name)."""
    out: list[Any] = []
    for source, before in read:
        now = source.stamp(period)
        if now != before and source.stamp(None) != before:
            return None
        out.append(now)
    return out


__all__ = [
    "Frame",
    "FrameCheck",
    "cached_frame",
    "key_of",
    "path_for",
    "read_frame",
    "still_true",
    "unchecked_frame",
    "write_frame",
]
