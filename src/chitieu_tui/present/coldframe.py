"""The roll-up's first frame of a cold open (no cached frame), made in two worker processes
(issue 23: the country cold).

A cold open of 3,321 units parses, validates and evaluates every unit before its first
frame, one unit after another, and the GIL keeps threads from sharing it. Here two forked
workers read the units (the same reads as `Collection.load`), taking them chunk by chunk
from a shared queue as they go (`_take`: neither waits for the other at the end), and send
back, for each unit, only what the roll-up's frame is made of (`_rows`, `Part`): its row's
part and its shown columns' parts as the screen's functions make them (present/rollup.py
`row_part`, `column_parts`), and a *thin* view (the unit's name and id, its summary, the
quarter's state, the indicators the targets handed down assign; `_thin`), never the whole
unit. The main process puts the thin views on its members, makes the frame with the screen's
own functions given those parts (`_frame`: the same frame as `frame_of` of the units
read), lets them go, and hands the frame to the roll-up as a cached frame
(core/rowcache.py): the screen draws it, then reads the units after it as a warm open does.

Every step of `Collection.load` is kept: each unit read at the period asked, the common
period, the units shown at another period read again, the later folders of a duplicate unit
id marked, the columns (collection.toml's, else the headline ids most units share), the
targets handed down (targets/<year>.toml) read and checked against the units: the workers
send, with each thin view, what those checks read of its unit (`collection_units`: its id,
years and definitions of the year, thinned to the indicators the file assigns; `_unit`), so
that the main process reads no unit's definitions again. Any failure of a worker (an
exception, a worker that dies, a totals reference not sent) gives None: the caller
reads serially as before, with the same messages. Not used for a server's units, fewer than
`MIN_UNITS` units, one core, or `CHITIEU_WORKERS=1`.
"""

from __future__ import annotations

import asyncio
import copyreg
import gc
import io
import os
import pickle
import signal
import socket
import threading
import traceback
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any, NamedTuple

import msgspec

from chitieu_tui.core.arithmetic import Board
from chitieu_tui.core.collection import (
    Collection,
    Count,
    Member,
    default_columns,
    gc_paused,
    mark_duplicates,
    read_member,
)
from chitieu_tui.core.cores import ENV_WORKERS, cores, serial_asked  # noqa: F401 - ENV_WORKERS: tests
from chitieu_tui.core.errors import ChitieuError
from chitieu_tui.core.model import Indicator
from chitieu_tui.core.parsecache import ParseCache
from chitieu_tui.core.periods import Period
from chitieu_tui.core.records import changed
from chitieu_tui.core.rowcache import Frame, path_for, stamps_as_read, write_frame
from chitieu_tui.core.source import View
from chitieu_tui.core.targets import (
    UnitDefs,
    thin_unit,
    unit_defs,
)
from chitieu_tui.present.rollup import (
    Columns,
    RowPart,
    column_names,
    column_parts,
    column_totals,
    header_text,
    row_part,
    summary_text,
    total_cell,
    unit_rows,
)
from chitieu_tui.present.rollup_frame import file_role, frame_from, note_text, words_text

MIN_UNITS = 200
"""From this many units a cold open's frame is made in workers (below, forking costs more
than half the read saves)."""
WORKERS = 2
HAND_OVER_SECONDS = 60.0
"""How long the workers keep what they parsed for a read after the frame (the app reads
its units as soon as the frame is drawn); then they end."""


# -- the frame as the screen makes it --------------------------------------------------------


def frame_of(collection: Collection, asked: Period | None) -> Frame:
    """The frame the roll-up shows (and keeps) for a collection folder whose units are read
    at its period: what `RollupScreen.show` puts on screen and `_keep_frame` caches, without
    the screen (its stamps empty: `keep` adds them). DataError: `CHITIEU_TODAY` is no date."""
    assert collection.period is not None
    columns = collection.shown_columns()
    totals = column_totals(collection, columns)
    names = column_names(collection, columns)
    texts = (
        header_text(collection),
        summary_text(collection),
        note_text(collection),
        words_text(collection, columns, totals),
    )
    rows = unit_rows(collection, columns)
    cells = [total_cell(x) for x in totals]
    return frame_from(collection, asked, texts, file_role(collection), columns, names, rows, cells)


# -- the workers -----------------------------------------------------------------------------


def _rebuild_error(cls: type[ChitieuError], state: dict[str, Any]) -> ChitieuError:
    error = cls.__new__(cls)
    error.__dict__.update(state)
    return error


def _error_classes() -> list[type[ChitieuError]]:
    found: list[type[ChitieuError]] = []
    todo: list[type[ChitieuError]] = [ChitieuError]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return found


def _reduce_error(error: ChitieuError) -> tuple[Any, ...]:
    return _rebuild_error, (type(error), dict(error.__dict__))


def _send(sock: socket.socket, obj: object) -> None:
    """`obj` pickled, its `ChitieuError`s by their state (an `ErrorList` cannot be made
    again from an exception's `args`), after its length (the pickle held once: a worker's
    peak is at its largest answer)."""
    buf = io.BytesIO()
    pickler = pickle.Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL)
    table: dict[type, Any] = dict(copyreg.dispatch_table)
    table.update((cls, _reduce_error) for cls in _error_classes())
    pickler.dispatch_table = table
    pickler.dump(obj)
    data = buf.getbuffer()  # sent as it lies: not copied out, nor again behind its length
    sock.sendall(len(data).to_bytes(8, "little"))
    sock.sendall(data)


def _recv_exact(sock: socket.socket, size: int) -> memoryview:
    buf = bytearray(size)
    view = memoryview(buf)
    got = 0
    while got < size:
        n = sock.recv_into(view[got:], size - got)
        if n == 0:
            raise EOFError("the worker ended")
        got += n
    return view


def _recv(sock: socket.socket) -> Any:
    size = int.from_bytes(_recv_exact(sock, 8), "little")
    return pickle.loads(_recv_exact(sock, size))


def _read(m: Member, period: Period | None) -> None:
    """One member read as `Collection.load` reads it."""
    read_member(m, period)


Info = tuple[tuple[int, int], str, list[str]] | None
"""A member as the main process needs it to decide the period, the duplicates and the
columns: (its period, its unit id, its headline ids (else its first four)), None when it
has no board."""


def _info(members: list[Member]) -> list[Info]:
    out: list[Info] = []
    for m in members:
        if m.view is None or m.error is not None:
            out.append(None)
            continue
        defs = m.view.board.definitions
        ids = defs.dashboard.headline or [ind.id for ind in defs.indicators[:4]]
        period = m.view.period
        out.append(((period.year, period.quarter), defs.unit.id, list(ids)))
    return out


def _thin(view: View, assigned: frozenset[str] = frozenset()) -> View:
    """The view with only what the roll-up's frame asks of it beyond its `Part`: the
    definitions' unit and dashboard and the indicators the targets handed down assign
    (`assigned`: their marks and note); the summary; the progress's state (not its values:
    the rules are judged in the worker). Its board has no evaluations: the columns' are
    sent as `column_parts`."""
    board = view.board
    defs = board.definitions
    indicators = [ind for ind in defs.indicators if ind.id in assigned]
    thin_defs = msgspec.structs.replace(defs, indicators=indicators, rules=[], groups=[])
    progress = board.progress
    if progress is not None:
        progress = changed(progress, values={})
    thin = Board(thin_defs, board.period, progress, board.judged, (), [])
    thin.__dict__["summary"] = board.summary
    return changed(view, board=thin, history=[thin], periods=[])


def _unit(m: Member, year: int, assigned: frozenset[str], view: View | None) -> UnitDefs | None:
    """What the checks of targets/<year>.toml read of a member (`collection_units`: None
    without a data folder), its definitions thinned to the indicators `assigned` (its thin
    view's when they are the same: sent once)."""
    data = getattr(m.source, "data", None)
    if data is None:
        return None
    unit = unit_defs(m.key, data, year)
    if view is not None and m.view is not None and unit.defs is m.view.board.definitions:
        return replace(unit, defs=view.board.definitions)  # holds every indicator assigned
    return thin_unit(unit, assigned)


Rows = tuple[list[str], frozenset[str], int | None, frozenset[int]]
"""What `rows` is asked with: the columns, the indicator ids the targets assign, the year
whose targets/<year>.toml is read (None: there is none), and the members that are later
folders of a unit id (duplicates: counted by none of the totals)."""

Part = tuple[
    View | None,
    ChitieuError | None,
    UnitDefs | None,
    RowPart | None,
    Columns | None,
    dict[int, Indicator],
]
"""A member as the main process makes the frame of it: its thin view (`_thin`), its error,
what the targets' checks read of it (`_unit`), its row's part (`row_part`), its columns'
parts (`column_parts`) and, by column, the indicators the totals take as their reference
when its (id, unit, kind) is new: the first of this worker's members that has it."""


def _rows(
    collection: Collection, members: list[Member], indices: list[int], arg: Rows
) -> list[Part]:
    columns, assigned, year, later = arg
    out: list[Part] = []
    seen: set[tuple[str, str, str]] = set()
    words: dict[str, str] = {}  # equal texts as one object: pickled once
    for i, m in zip(indices, members, strict=True):
        view = m.view
        thin = _thin(view, assigned) if view is not None else None
        unit = _unit(m, year, assigned, thin) if year is not None else None
        board = m.board
        part: RowPart | None = None
        cols: Columns | None = None
        firsts: dict[int, Indicator] = {}
        if board is not None:
            part = row_part(collection, board, columns)
            cols = [
                None
                if c is None
                else (
                    words.setdefault(c[0], c[0]),
                    words.setdefault(c[1], c[1]),
                    c[2],
                    words.setdefault(c[3], c[3]),
                    c[4],
                )
                for c in column_parts(board, columns)
            ]
            if i not in later:
                for j, (c, col) in enumerate(zip(columns, cols, strict=True)):
                    if col is not None and (key := (c, col[0], col[1])) not in seen:
                        seen.add(key)
                        ev = board.get(c)
                        assert ev is not None
                        firsts[j] = ev.indicator
        out.append((thin, m.error, unit, part, cols, firsts))
    return out


def _take(queue: int, members: list[Member], period: Period | None) -> list[int]:
    """The chunks of `members` taken from `queue` (a pipe of chunk numbers, `CHUNK` bytes
    each, shared by the workers: each read takes one whole), each member read; the indices
    read, in order."""
    taken: list[int] = []
    while len(got := os.read(queue, CHUNK)) == CHUNK:
        first, end = _chunk_span(int.from_bytes(got, "little"), len(members))
        for i in range(first, end):
            _read(members[i], period)
        taken.extend(range(first, end))
    if got:
        raise RuntimeError("a chunk number cut in two")
    return taken


def _work(
    sock: socket.socket,
    collection: Collection,
    members: list[Member],
    cache: ParseCache | None,
    queue: int | None = None,
) -> None:
    """A worker's loop: `read` (every member at the period asked), `take` (the members of
    the chunks it takes from `queue`, at the period asked: from then on its members are
    those; answered with their indices), `again` (those shown at another period, at the
    common one), `rows` (the thin views for the columns, and what the targets' checks read
    of each unit, the rows' and the columns' parts: `Rows`, `Part`), `parsed` (what its reads put in the parse cache, encoded:
    `ParseCache.fresh_bytes`), `stamps` (each member's, when none changed since its read),
    `quit`. `collection`: the members' (its deadline, for their rows' state)."""
    indices = list(range(len(members)))
    while True:
        command, arg = _recv(sock)
        if command == "read":
            for m in members:
                _read(m, arg)
            _send(sock, ("ok", _info(members)))
        elif command == "take" and queue is not None:
            taken = _take(queue, members, arg)
            os.close(queue)
            queue = None
            members = [members[i] for i in taken]
            indices = taken
            _send(sock, ("ok", (taken, _info(members))))
        elif command == "again":
            for m in members:
                if m.view is not None and m.error is None and m.view.period != arg:
                    _read(m, arg)
            _send(sock, ("ok", _info(members)))
        elif command == "rows":
            _send(sock, ("ok", _rows(collection, members, indices, arg)))
        elif command == "parsed":
            _send(sock, ("ok", cache.fresh_bytes() if cache is not None else b""))
        elif command == "stamps":
            # each member's stamps now, when no file changed since its read (for the frame
            # kept: screens/rollup.py `_write_frame`), while the main process draws
            read = [(m.source, m.stamp) for m in members]
            _send(sock, ("ok", stamps_as_read(read, arg)))
        else:
            return


def _child(
    sock: socket.socket,
    collection: Collection,
    members: list[Member],
    cache: ParseCache | None,
    cached: bool,
    sent: bool,
    queue: int | None = None,
) -> None:
    """The forked worker: its loop, any failure told, then out (no clean-up of the parent's
    state: `os._exit`). `cache`: the collection's parse cache (its copy); `cached`: it was
    read from a file (in the main process, before the fork): asked for each file as the
    serial read asks it. `sent`: what the reads put in it is sent to the main process after
    the frame (`parsed`), for the read after it; without a cache file it then holds what is
    put, encoded only when sent. Neither: no cache (its puts would be lost). `queue`: the
    pipe of chunks its `take` reads."""

    def body() -> None:
        held = cache
        if held is not None and not cached:
            held.hold = True
        if not cached and not sent:
            for m in members:
                data = getattr(m.source, "data", None)
                if data is not None:
                    data.cache = None
            held = None
        _work(sock, collection, members, held, queue)

    child_life(sock, body)


def child_life(sock: socket.socket, body: Callable[[], None]) -> None:
    """A forked worker's life: `body` with the collector off (reading makes no cycles; the
    process ends after) and Ctrl+C as by default; any failure told to the main process
    (`failed`, which reads on by itself); then out (`os._exit`: nothing of the parent's, its
    stdout's buffer above all, flushed or cleaned up here)."""
    status = 0
    try:
        gc.disable()
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        body()
    except BaseException:  # noqa: BLE001 - told to the main process, which reads on
        status = 1
        try:
            _send(sock, ("failed", traceback.format_exc()))
        except BaseException:  # noqa: BLE001, S110 - the main process sees the end
            pass
    finally:
        os._exit(status)


@dataclass
class _Worker:
    pid: int
    sock: socket.socket
    members: list[Member]
    indices: list[int] | None = None
    """The positions in the collection of the members it read (`take`), in its order."""

    def ask(self, command: str, arg: object) -> None:
        _send(self.sock, (command, arg))

    def answer(self) -> Any:
        status, value = _recv(self.sock)
        if status != "ok":
            raise RuntimeError(value)
        return value


def _start(
    collection: Collection,
    members: list[Member],
    cache: ParseCache | None,
    cached: bool,
    sent: bool,
    queue: int | None = None,
) -> _Worker:
    """A forked worker for `members` (`_child`); `queue`: the read end of the pipe of
    chunks its `take` reads (the caller closes its own)."""
    mine, theirs = socket.socketpair()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child (its coverage is not collected)
        mine.close()
        _child(theirs, collection, members, cache, cached, sent, queue)
    theirs.close()
    return _Worker(pid, mine, members)


CHUNK = 4
"""Bytes of a chunk number in the queue of chunks."""
CHUNKS = 256
"""About how many chunks the units are cut into (at least `CHUNK_UNITS` units each): the
workers take them one at a time as they go, so that neither waits for the other at the
end, whatever the units' sizes, their order, or another process taking a core."""
CHUNK_UNITS = 4
"""The fewest units of a chunk."""


def _chunk_size(count: int) -> int:
    return max(CHUNK_UNITS, -(-count // CHUNKS))


def _chunk_span(number: int, count: int) -> tuple[int, int]:
    """The members [first, end) of chunk `number` of `count` members."""
    size = _chunk_size(count)
    return number * size, min(count, (number + 1) * size)


def _queue(count: int) -> int:
    """A pipe holding every chunk number of `count` members, its write end closed: its
    read end (the workers' `take`)."""
    chunks = -(-count // _chunk_size(count))
    read, write = os.pipe()
    try:
        data = b"".join(n.to_bytes(CHUNK, "little") for n in range(chunks))
        os.write(write, data)  # CHUNKS x CHUNK bytes: far below a pipe's capacity
    except BaseException:
        os.close(read)
        raise
    finally:
        os.close(write)
    return read


def _stop(workers: list[_Worker], kill: bool = False) -> None:
    """End the workers (`kill`: at once, a failure elsewhere: one may be in a long read)
    and reap them."""
    for w in workers:
        try:
            if kill:
                os.kill(w.pid, signal.SIGKILL)
            else:
                w.ask("quit", None)
        except OSError:
            pass
        w.sock.close()
    for w in workers:
        try:
            os.waitpid(w.pid, 0)
        except ChildProcessError:
            pass


def eligible(collection: Collection) -> bool:
    """A collection folder a cold frame can be made of in workers (see the module)."""
    if serial_asked():
        return False
    if not hasattr(os, "fork") or cores() < 2:
        return False
    root = collection.root
    if root is None or collection.kind != "file" or collection.discover is not None:
        return False
    return collection.bulk is None and len(collection.members) >= MIN_UNITS


@dataclass
class Cold:
    """A cold open's frame made in workers."""

    frame: Frame
    said: list[ChitieuError]
    """Each member's error, else its view's warnings, in order (as the CLI says them after
    a serial load: cli/sources.py `warned_members`)."""
    writer: threading.Thread | None = None
    """Writing the frame into the roll-up's cache (not when a file changed during its
    read), then ending the workers (None: `keep` was not asked)."""


def _common(infos: list[Info], asked: Period | None) -> Period | None:
    if asked is not None:
        return asked
    shown = [Period(*i[0]) for i in infos if i is not None]
    return max(shown) if shown else None


def _columns(collection: Collection, infos: list[Info]) -> list[str]:
    """`Collection.shown_columns` after `mark_duplicates`, from the members' infos."""
    if collection.columns:
        return list(collection.columns)
    first: set[str] = set()
    heads: list[Any] = []
    for info in infos:
        if info is None or info[1] in first:
            continue  # no board, or a later folder of a unit id (a duplicate: no board)
        first.add(info[1])
        heads.append(SimpleNamespace(dashboard=SimpleNamespace(headline=info[2]), indicators=[]))
    return default_columns(heads)


def cold_frame(
    collection: Collection,
    asked: Period | None,
    keep: bool = True,
    parsed: bool = True,
    meanwhile: Callable[[], object] | None = None,
) -> Cold | None:
    """The roll-up's first frame of a cold open of `collection` at `asked` (None: the
    default period), its units read in `WORKERS` forked processes; None when not
    `eligible` or when anything failed (the collection is then as it was: read it serially).
    The members are left unread (as for a cached frame); `keep`: the frame is written into
    the roll-up's cache in a thread (`Cold.writer`), for the next open. `parsed`: the units
    will be read after the frame (the app; not a screenshot of the first frame): what the
    workers parsed is put in the collection's parse cache for that read (`_adopt`; with
    `keep`, when the first read after the frame asks the cache for it: `_hand_over`).
    `meanwhile`:
    run in the main process while the workers read (it would wait for them), e.g. the
    screenshot's import of Textual."""
    if not eligible(collection):
        return None
    members = collection.members
    cache = collection.cache
    cached = cache is not None and cache.path.is_file()
    sent = cache if parsed else None
    workers: list[_Worker] = []
    cold: Cold | None = None
    try:
        queue = _queue(len(members))
        try:
            for _ in range(WORKERS):
                workers.append(_start(collection, members, cache, cached, sent is not None, queue))
        finally:
            os.close(queue)
        with gc_paused():
            cold = _made(collection, asked, workers, meanwhile)
    except Exception:  # noqa: BLE001 - any failure: the caller reads serially
        if os.environ.get("CHITIEU_DEBUG"):  # a worker's traceback, for whoever debugs it
            traceback.print_exc()
        for m in members:
            m.view, m.error, m.stamp = None, None, None
        collection.period = None
        return None
    finally:
        if cold is None:
            _stop(workers, kill=True)
    if not keep or collection.root is None:
        try:
            _adopt(workers, sent)
        finally:
            _stop(workers)
        return cold
    # the workers are the writer's to end, or, when the units are read after the frame,
    # the hand-over's (after the writer's: one conversation at a time with each worker)
    lazy = collection.parse_cache if sent is not None else None
    cold.writer = _keep(collection.root, cold.frame, workers, stop=lazy is None)
    if sent is not None and lazy is not None:
        lazy.on_get(_hand_over(workers, sent, cold.writer))
    return cold


def _hand_over(
    workers: list[_Worker], cache: ParseCache, writer: threading.Thread
) -> Callable[[], None]:
    """What the parse cache's `get` calls (each time; the first asks): the workers' parsed
    files put in `cache` (`_adopt`), once the writer is done with them and a unit is read
    after the frame (not while the app starts and draws it: the workers' encoding and the
    adoption would hold it back), then the workers ended; a daemon thread waits for that
    ask, `HAND_OVER_SECONDS` at most (an app quit before reading any unit leaves; the
    workers see the end of their socket and end too). Asked in the app's event loop (a
    source first used there), it does not wait: the keys froze ~0.4 s once the frame
    was drawn."""
    wanted, ready = threading.Event(), threading.Event()

    def hand() -> None:
        try:
            writer.join()
            if wanted.wait(HAND_OVER_SECONDS):
                _adopt(workers, cache)
        finally:
            ready.set()
            _stop(workers)

    threading.Thread(target=hand, name="parsed", daemon=True).start()

    def asked() -> None:
        wanted.set()
        if not _in_event_loop():  # the app's own thread never waits: it reads unhelped
            ready.wait()

    return asked


def _in_event_loop() -> bool:
    """Called in a thread running an asyncio loop (the app's): a wait would freeze it."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _adopt(workers: list[_Worker], cache: ParseCache | None) -> None:
    """What the workers' reads put in the parse cache, put in `cache` (None: nothing);
    best effort: a worker that fails leaves the rest to be parsed again."""
    if cache is None:
        return
    try:
        for part in _gather_each(workers, "parsed", None):
            cache.adopt(part)
    except Exception:  # noqa: BLE001, S110 - the cache is an optimisation, never a failure
        pass


def _gather_each(
    workers: list[_Worker],
    command: str,
    arg: object,
    meanwhile: Callable[[], object] | None = None,
) -> list[Any]:
    """Each worker's answer to `command`, in order (asked of all first: they work at once;
    `meanwhile` run before the answers are awaited)."""
    for w in workers:
        w.ask(command, arg)
    if meanwhile is not None:
        meanwhile()
    return [w.answer() for w in workers]


def _gather(
    workers: list[_Worker],
    command: str,
    arg: object,
    meanwhile: Callable[[], object] | None = None,
) -> list[Any]:
    """The workers' answers to `command` (lists, one item a member), joined in order."""
    return [item for part in _gather_each(workers, command, arg, meanwhile) for item in part]


def _in_order(workers: list[_Worker], parts: list[list[Any]]) -> list[Any]:
    """The workers' answers (one item a member each read, in its order), in the
    collection's order of members."""
    out: list[Any] = [None] * sum(len(p) for p in parts)
    for w, part in zip(workers, parts, strict=True):
        assert w.indices is not None and len(w.indices) == len(part)
        for i, item in zip(w.indices, part, strict=True):
            out[i] = item
    return out


def _made(
    collection: Collection,
    asked: Period | None,
    workers: list[_Worker],
    meanwhile: Callable[[], object] | None = None,
) -> Cold:
    members = collection.members
    parts = _gather_each(workers, "take", asked, meanwhile)
    for w, (taken, _) in zip(workers, parts, strict=True):
        w.indices, w.members = taken, [members[i] for i in taken]
    if sorted(i for w in workers for i in w.indices or ()) != list(range(len(members))):
        raise RuntimeError("not every member read once")
    infos: list[Info] = _in_order(workers, [infos for _, infos in parts])
    period = _common(infos, asked)
    if period is not None and any(i is not None and Period(*i[0]) != period for i in infos):
        infos = _in_order(workers, _gather_each(workers, "again", period))
    columns = _columns(collection, infos)
    year, assigned = collection.assignment(period)
    rows: Rows = (columns, assigned, year, _later(infos))
    got: list[Part] = _in_order(workers, _gather_each(workers, "rows", rows))
    units: list[UnitDefs | None] = []
    for m, (view, error, unit, *_) in zip(members, got, strict=True):
        m.view, m.error = view, error
        units.append(unit)
    collection.period = period
    mark_duplicates(members)
    # the units as `collection_units` finds them (the later folders of a unit id left out),
    # from the workers' reads: none read again here
    collection.read_targets(
        [u for m, u in zip(members, units, strict=True) if u is not None and not m.duplicate],
        assigned,
    )
    if period is None:
        raise RuntimeError("no period")
    frame = _frame(collection, asked, columns, got)
    said: list[ChitieuError] = []
    for m in members:
        if m.error is not None:
            said.append(m.error)
        elif m.view is not None:
            said.extend(m.view.warnings)
    for m in members:  # unread, as a cached frame's open leaves them
        m.view, m.error = None, None
    collection.period = None
    return Cold(frame, said)


def _later(infos: list[Info]) -> frozenset[int]:
    """The members that are later folders of a unit id (`mark_duplicates`), from infos."""
    first: set[str] = set()
    later: set[int] = set()
    for i, info in enumerate(infos):
        if info is None:
            continue
        if info[1] in first:
            later.add(i)
        first.add(info[1])
    return frozenset(later)


class _Key(NamedTuple):
    """An indicator as `RunningTotals` counts it when it is not its shape's first."""

    id: str
    unit: str
    kind: str


def _frame(
    collection: Collection, asked: Period | None, columns: list[str], got: list[Part]
) -> Frame:
    """`frame_of` of the members' thin views and parts (the same frame: the rows, the
    columns' names and totals and the left-out line made from the parts)."""
    parts = [p[3] for p in got]
    cols = [p[4] for p in got]
    counts: list[list[Count] | None] = []
    keys: dict[tuple[str, str, str], Any] = {}  # each (id, unit, kind) once
    for m, (*_, mine, firsts) in zip(collection.members, got, strict=True):
        if mine is None or m.board is None:
            counts.append(None)
            continue
        counted: list[Count] = []
        for j, (c, col) in enumerate(zip(columns, mine, strict=True)):
            if col is None:
                continue
            ind = keys.get(key := (c, col[0], col[1]))
            if ind is None:
                if j not in firsts:  # its first indicator was not sent: read serially
                    raise RuntimeError("a shape's first indicator missing")
                keys[key] = _Key(*key)
                ind = firsts[j]
            counted.append((ind, col[4]))
        counts.append(counted)
    totals = column_totals(collection, columns, counts)
    names = column_names(collection, columns, cols)
    texts = (
        header_text(collection),
        summary_text(collection),
        note_text(collection),
        words_text(collection, columns, totals, cols),
    )
    rows = unit_rows(collection, columns, parts)
    cells = [total_cell(x) for x in totals]
    return frame_from(collection, asked, texts, file_role(collection), columns, names, rows, cells)


def _keep(root: Path, frame: Frame, workers: list[_Worker], stop: bool) -> threading.Thread:
    """In a thread: the frame written into the roll-up's cache with the stamps the workers
    take (none written when a file changed during its read, or a worker failed), then, when
    `stop`, the workers ended."""
    path = path_for(root)
    assert frame.period

    def write() -> None:
        try:
            if path is None:
                return
            period = Period(frame.period[0], frame.period[1])
            parts = _gather_each(workers, "stamps", period)
            if any(part is None for part in parts):
                return
            stamps = _in_order(workers, parts)
            write_frame(path, msgspec.structs.replace(frame, stamps=stamps))
        except Exception:  # noqa: BLE001, S110 - the cache is an optimisation, never a failure
            pass
        finally:
            if stop:
                _stop(workers)

    thread = threading.Thread(target=write, name="rows", daemon=False)
    thread.start()
    return thread


__all__ = ["Cold", "cold_frame", "eligible", "frame_of"]
