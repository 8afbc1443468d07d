"""`chitieu report --format json|csv` of a collection folder made in two worker processes
(issue 23: the country's report, cold).

A cold report of 3,321 units parses, validates, evaluates and writes every unit one after
another (`Collection.stream`), on one core. Here two forked workers read the units (the same
reads as the stream), each unit's text is made there (`unit_json_text`, `unit_csv_text`),
and the main process writes the texts out in the collection's order as they come. The units
go in chunks of `CHUNK`: each worker takes the next chunk's token from a pipe they share as
soon as it is free (a worker slowed by the machine's other work does not hold the other
back), and the main process writes the tokens at most `WINDOW` chunks ahead of the chunk it
writes out, so that it holds a few chunks at most: nothing is ever held whole. The output is
the serial stream's byte for byte; the warnings and errors of the units are said in the
same order.

What the main process keeps of the stream's work: the common period (each worker lists the periods of every other chunk, the
main process asks the worker of a unit of the newest to confirm it, as
`Collection._newest_period`; a unit's definitions read for it are kept for its read in the
stream when the same worker reads it), the later folders of a unit id marked duplicates (the worker sends
each readable unit's id and folder; a duplicate's text is made here), the totals (each
board's evaluations as numbers, `board_counts`, their definitions sent once by each worker),
the checks of targets/<year>.toml (what the stream keeps of each unit, `thin_unit`), and the
parse cache (what the workers parsed is sent after the last unit and saved here).

Any failure of a worker before the first unit: None (the caller streams serially); after
it, the units not received yet are read here, one by one, as the serial stream reads them.
Only for a collection folder of `MIN_UNITS` units or more, on 2 cores or more not kept busy
by other work (`IDLE`), with no parse cache file yet (a warm report reads the cache faster than two
processes would share the work), unless `CHITIEU_WORKERS=1` (or 0). The worker primitives are the roll-up's cold
frame's (present/coldframe.py).
"""

from __future__ import annotations

import os
import selectors
import socket
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chitieu_tui.core.collection import (
    Collection,
    Count,
    Member,
    RunningTotals,
    board_counts,
    duplicate_error,
    read_member,
)
from chitieu_tui.core.cores import ENV_WORKERS, asked_workers, cores, idle_cores, serial_asked  # noqa: F401
from chitieu_tui.core.errors import ChitieuError
from chitieu_tui.core.gcpause import gc_paused
from chitieu_tui.core.model import Indicator
from chitieu_tui.core.parsecache import ParseCache, cache_file
from chitieu_tui.core.periods import Period, preferred
from chitieu_tui.core.targets import UnitDefs, thin_unit, unit_defs
from chitieu_tui.rollup_report import (
    _gathered,
    csv_pieces,
    json_pieces,
    unit_csv_text,
    unit_json_text,
)

if TYPE_CHECKING:
    from chitieu_tui.present.coldframe import _Worker

MIN_UNITS = 200
"""From this many units a cold report is made in workers (as the cold frame's)."""
WORKERS = 2
CHUNK = 8
"""Units a message: a worker sends the texts of this many at once."""
WINDOW = 32
"""Chunks a worker may read ahead of the one written out (what the main process may hold)."""
BUFFER = 4 << 20
"""Bytes each socket buffers: how far a worker may get ahead of the main process writing."""
IDLE = -1.0
"""The idle cores (the cores less the load average of the last minute) below which a cold
report is made serially: from a load of 3 on 2 cores (a benchmark running one process after
another keeps it at about 1, and one other busy process at 2: the workers still pay there,
0.77x the serial report at load 1.9-2.2). Beyond, on a machine kept busy by other sessions
(Linux puts each session's processes in a group of its own that shares the cores with the
others as one: `sched_autogroup`), the two workers share what one process would get and pay
their overhead: 1.05-1.40x the serial report at load 3.1-5.5 (BENCHMARKS.md, "Issue 23,
eighth session: the country's report in workers")."""


def eligible(collection: Collection) -> bool:
    """A collection folder whose report pays to be made in workers (see the module)."""
    asked = asked_workers()
    if serial_asked():
        return False
    if not hasattr(os, "fork") or _cores() < 2:
        return False
    if not asked and _idle() < IDLE:
        return False
    root = collection.root
    if root is None or collection.kind != "file" or collection.discover is not None:
        return False
    if collection.bulk is not None or len(collection.members) < MIN_UNITS:
        return False
    if not all(callable(getattr(m.source, "forget", None)) for m in collection.members):
        return False
    path = cache_file(root, "parsed") if collection.parse_cache is not None else None
    return path is None or not path.is_file()


_idle = idle_cores  # module names, so that tests can set them
_cores = cores


# -- one unit, as the stream reads and writes it ---------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What each unit is read and written with."""

    period: Period | None
    """The period asked (None: each unit's newest, then the common one)."""
    common: Period | None
    year: int | None
    """The year of the targets file (None: none): what its checks read of each unit is kept."""
    assigned: frozenset[str]
    form: str
    rules_only: bool


Made = tuple[
    str,
    list[ChitieuError],
    ChitieuError | None,
    tuple[str, str, str] | None,
    list[Count] | None,
    UnitDefs | None,
]
"""One unit as read: its text; what is said of it (its error, else its warnings); its error;
when readable, its unit id, its folder's label and its name (a duplicate's text is made from
them); its board's counts for the totals; what the targets' checks read of it."""


def _text(m: Member, plan: Plan) -> str:
    if plan.form == "json":
        return unit_json_text(m)
    return unit_csv_text(m, plan.rules_only)


def _made(m: Member, plan: Plan) -> Made:
    """Read one member as `Collection._streamed` reads it, its text made; then let go of."""
    read_member(m, plan.period, stamp=False)
    if m.view is not None and m.error is None and m.view.period != plan.common:
        read_member(m, plan.common, stamp=False)
    said: list[ChitieuError] = []
    ident = None
    if m.error is not None:
        said.append(m.error)
    elif m.view is not None:
        said.extend(m.view.warnings)
        ident = (m.view.board.definitions.unit.id, m.source.label, m.name)
    board = m.board
    counts = board_counts(board) if board is not None else None
    unit = None
    data = getattr(m.source, "data", None)
    if plan.year is not None and data is not None:
        unit = thin_unit(unit_defs(m.key, data, plan.year), plan.assigned)
    text = _text(m, plan)
    m.view = None
    m.source.forget()
    return text, said, m.error, ident, counts, unit


# -- the workers -----------------------------------------------------------------------------


Sent = tuple[str, str, ChitieuError | None, Any, list[Any] | None, UnitDefs | None]


CANDIDATES = 4
"""Definitions of one id, unit and kind a worker numbers (beyond: sent whole, unnumbered)."""


class _Interned:
    """A worker's definitions sent so far: each evaluation's counted by its number, the
    definition itself sent the first time (`Indicator`s are equal across units made from one
    template). At most `CANDIDATES` of one id, unit and kind are numbered: where every unit
    has its own target (data written unit by unit) each definition is compared with those
    few, not with every one sent before (that was quadratic: a cold report of 3,321 such
    units took 28 s), and sent whole, unnumbered (-1), kept by neither process."""

    def __init__(self) -> None:
        self.known: dict[tuple[str, str, str], list[tuple[Indicator, int]]] = {}
        self.count = 0

    def encode(self, counts: list[Count]) -> list[tuple[int, Indicator | None, Any]]:
        out: list[tuple[int, Indicator | None, Any]] = []
        for ind, taking in counts:
            same = self.known.setdefault((ind.id, ind.unit, ind.kind), [])
            for seen, number in same:
                if seen is ind or seen == ind:
                    out.append((number, None, taking))
                    break
            else:
                if len(same) < CANDIDATES:
                    same.append((ind, self.count))
                    out.append((self.count, ind, taking))
                    self.count += 1
                else:
                    out.append((-1, ind, taking))
        return out


def _decode(known: list[Indicator], sent: list[tuple[int, Indicator | None, Any]]) -> list[Count]:
    """`_Interned.encode`'s numbers back to definitions (`known`: the worker's, so far)."""
    out: list[Count] = []
    for number, ind, taking in sent:
        if number < 0 and ind is not None:  # unnumbered: this unit's own
            out.append((ind, taking))
            continue
        if ind is not None:
            known.append(ind)
        out.append((known[number], taking))
    return out


def _default_period(m: Member) -> tuple[int, int] | None:
    """`_default_period_of` (the definitions read for it kept for the unit's read)."""
    data = getattr(m.source, "data", None)
    if data is None:
        return None
    try:
        newest = preferred(data.periods())
        found = newest[0] if newest else Period(data.definitions().unit.year, 1)
    except ChitieuError:
        return None
    return found.year, found.quarter


@dataclass
class _Job:
    """What a worker is forked with."""

    members: list[Member]
    mine: list[list[int]]
    """The chunks whose periods it lists."""
    cache: ParseCache | None
    """The collection's parse cache (its copy)."""
    tokens: int
    """The token pipe's end it reads the chunks to read from."""


def _work(sock: socket.socket, job: _Job) -> None:
    """A worker's loop: `periods` (the default periods of its units, `job.mine`), `confirm`
    (a unit's read at its newest period succeeds), `stream` (chunks, each taken from the
    token pipe as the worker is free, each unit `_made`, sent chunk by chunk without being
    asked again, until the pipe ends), `parsed` (what its reads put in the parse cache),
    `quit`."""
    members, cache = job.members, job.cache
    # lazy: the cold frame's worker primitives, only once a report goes to workers
    from chitieu_tui.present.coldframe import _recv, _send

    while True:
        command, arg = _recv(sock)
        if command == "periods":
            found = [(i, _default_period(members[i])) for chunk in job.mine for i in chunk]
            _send(sock, ("ok", found))
        elif command == "confirm":
            index, newest = arg
            m = members[index]
            read_member(m, None, stamp=False)
            ok = m.view is not None and m.error is None and m.view.period == Period(*newest)
            m.view, m.error, m.stamp = None, None, None
            m.source.forget()
            _send(sock, ("ok", ok))
        elif command == "stream":
            plan, chunks = arg
            interned = _Interned()
            while (c := _token(job.tokens)) is not None:
                sent: list[Sent] = []
                for i in chunks[c]:
                    text, said, error, ident, counts, unit = _made(members[i], plan)
                    coded = interned.encode(counts) if counts is not None else None
                    sent.append((text, said, error, ident, coded, unit))  # type: ignore[arg-type]
                _send(sock, ("ok", (c, sent)))
        elif command == "parsed":  # its size, then the bytes as they are (not pickled:
            # the country's are 30 MB a worker, and pickling copies them twice)
            data = cache.fresh_bytes() if cache is not None else b""
            _send(sock, ("ok", ("parsed", len(data))))
            sock.sendall(data)
        else:
            return


def _token(fd: int) -> int | None:
    """The next chunk to read, taken from the token pipe (None: the pipe ended). Each token
    is written whole (4 bytes, below `PIPE_BUF`) and read whole: the workers share it."""
    data = os.read(fd, 4)
    return int.from_bytes(data, "little") if len(data) == 4 else None


def _child(sock: socket.socket, job: _Job) -> None:
    """The forked worker: its loop, any failure told, then out (`os._exit`: nothing of the
    parent's, its stdout's buffer above all, is flushed or cleaned up here)."""
    # lazy: as in _work
    from chitieu_tui.present.coldframe import child_life

    child_life(sock, lambda: _work(sock, job))


def _start(
    members: list[Member], mine: list[list[int]], cache: ParseCache | None, pipe: tuple[int, int]
) -> _Worker:
    # lazy: as in _work
    from chitieu_tui.present.coldframe import _Worker

    ours, theirs = socket.socketpair()
    for s in (ours, theirs):
        try:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, BUFFER)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, BUFFER)
        except OSError:
            pass
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child (its coverage is not collected)
        ours.close()
        os.close(pipe[1])  # the main process's end: the pipe ends when it closes it
        _child(theirs, _Job(members, mine, cache, pipe[0]))
    theirs.close()
    return _Worker(pid, ours, [members[i] for chunk in mine for i in chunk])


def _stop(workers: list[_Worker], kill: bool = False) -> None:
    # lazy: as in _work
    from chitieu_tui.present.coldframe import _stop as stop

    stop(workers, kill=kill)


# -- the main process ------------------------------------------------------------------------


Warn = Callable[[ChitieuError], None]


def stream_report(
    collection: Collection, period: Period | None, form: str, rules_only: bool, warn: Warn
) -> Iterator[str] | None:
    """The report of `collection` (`json`, or `csv` with `rules_only` for `--rules`) in
    pieces, as `stream_collection(collection, form, warned_members(collection.stream(period)))`
    gives it, its units read in `WORKERS` forked processes, each one's error or warnings
    given to `warn` as it passes; None when not `eligible` or when the workers failed before
    the first unit (nothing said yet: stream serially). The common period is found before
    this returns (`collection.period`); after the last unit, `targets` is read and the parse
    cache saved (what the workers parsed in it)."""
    if form not in ("json", "csv") or not eligible(collection):
        return None
    members = collection.members
    chunks = [list(range(i, min(i + CHUNK, len(members)))) for i in range(0, len(members), CHUNK)]
    cache = collection.cache  # made before the fork: each worker puts into its own copy
    workers: list[Any] = []
    pipe = os.pipe()  # the chunks' tokens: each worker takes the next as it is free
    try:
        try:
            for w in range(WORKERS):
                workers.append(_start(members, chunks[w::WORKERS], cache, pipe))
        finally:
            os.close(pipe[0])  # the workers' end: theirs only
        with gc_paused():
            common = period if period is not None else _newest(members, chunks, workers)
    except Exception:  # noqa: BLE001 - any failure: the caller streams serially
        _debug()
        _stop(workers, kill=True)
        os.close(pipe[1])
        return None
    collection.period = common
    year, assigned = collection.assignment(common)
    plan = Plan(period, common, year, assigned, form, rules_only)
    running = RunningTotals()
    texts = _texts(collection, chunks, _Pool(workers, pipe[1], len(chunks)), plan, running, warn)
    if form == "json":
        return _gathered(json_pieces(collection, texts, running))
    return _gathered(csv_pieces(texts, running, rules_only))


def _debug() -> None:
    if os.environ.get("CHITIEU_DEBUG"):  # a worker's traceback, for whoever debugs it
        traceback.print_exc()


def _newest(
    members: list[Member], chunks: list[list[int]], workers: list[_Worker]
) -> Period | None:
    """`Collection._newest_period`, each unit's default period found by the worker that
    reads it, and confirmed there."""
    for w in workers:
        w.ask("periods", None)
    owner: dict[int, _Worker] = {}
    guesses: list[tuple[int, tuple[int, int]]] = []
    for w in workers:
        for i, found in w.answer():
            owner[i] = w
            if found is not None:
                guesses.append((i, found))
    guesses.sort()
    for newest in sorted({p for _, p in guesses}, reverse=True):
        for i, p in guesses:
            if p != newest:
                continue
            owner[i].ask("confirm", (i, newest))
            if owner[i].answer():
                return Period(*newest)
    return None


class _Pool:
    """The workers of a stream, the chunks they are given (tokens written into their pipe,
    at most `WINDOW` ahead of the chunk written out) and what they sent, kept until its turn
    (a chunk read by one worker may come before an earlier one read by the other)."""

    def __init__(self, workers: list[_Worker], tokens: int, count: int) -> None:
        self.workers = workers
        self.tokens: int | None = tokens
        self.count = count
        self.given = 0
        self.known: list[list[Indicator]] = [[] for _ in workers]
        """Each worker's definitions, numbered as it sent them (`_Interned`)."""
        self.pending: dict[int, list[Any]] = {}
        self.parsed: dict[int, memoryview] = {}
        self.selector = selectors.DefaultSelector()
        for k, w in enumerate(workers):
            self.selector.register(w.sock, selectors.EVENT_READ, k)
        self.live = True
        """The workers run (else: ended, the rest read in the main process)."""

    def start(self, plan: Plan, chunks: list[list[int]]) -> None:
        for w in self.workers:
            w.ask("stream", (plan, chunks))
            w.ask("parsed", None)  # its parsed files, sent once the pipe ended
        self.give(WINDOW)

    def give(self, upto: int) -> None:
        """Tokens of the chunks below `upto` written; the pipe closed after the last."""
        if self.tokens is None:
            return
        while self.given < min(upto, self.count):
            os.write(self.tokens, self.given.to_bytes(4, "little"))
            self.given += 1
        if self.given == self.count:
            self.close()

    def close(self) -> None:
        if self.tokens is not None:
            os.close(self.tokens)
            self.tokens = None

    def take(self, c: int) -> list[Any]:
        """Chunk `c` as sent (its counts decoded), waiting for it; the next token given."""
        while c not in self.pending:
            for key, _ in self.selector.select():
                k = key.data
                value = self.workers[k].answer()
                if value[0] == "parsed":  # its parsed files: it has ended its stream
                    self.parsed[k] = _raw(self.workers[k], value)
                    self.selector.unregister(key.fileobj)
                    continue
                n, sent = value
                known = self.known[k]
                self.pending[n] = [
                    (*x[:4], _decode(known, x[4]) if x[4] else x[4], x[5]) for x in sent
                ]
        self.give(c + 1 + WINDOW)
        return self.pending.pop(c)

    def end(self) -> list[memoryview]:
        """What the workers' reads put in their parse caches (best effort: none from a
        worker that fails; its files are parsed again next time); the workers ended."""
        found: list[memoryview] = []
        try:
            for k, w in enumerate(self.workers):
                found.append(self.parsed.pop(k) if k in self.parsed else _raw(w, w.answer()))
        except Exception:  # noqa: BLE001 - the cache is an optimisation, never a failure
            found = []
        self.stop(kill=False)
        return found

    def stop(self, kill: bool = True) -> None:
        if self.live:
            self.live = False
            self.close()
            self.selector.close()
            self.pending.clear()
            _stop(self.workers, kill=kill)


def _raw(worker: _Worker, told: tuple[str, int]) -> memoryview:
    """The bytes a worker sends after telling their size (`parsed`)."""
    # lazy: as in _work
    from chitieu_tui.present.coldframe import _recv_exact

    kind, size = told
    if kind != "parsed":
        raise RuntimeError(f"a worker sent {kind!r}, not its parsed files")
    return _recv_exact(worker.sock, size)


def _texts(
    collection: Collection,
    chunks: list[list[int]],
    pool: _Pool,
    plan: Plan,
    running: RunningTotals,
    warn: Warn,
) -> Iterator[str]:
    """Each unit's text in order, its error or warnings said and its board counted as it
    passes; after a worker failed, the units not written yet read here."""
    members = collection.members
    owners: dict[str, str] = {}
    units: list[UnitDefs] = []
    try:
        with gc_paused():
            pool.start(plan, chunks)
            for c, chunk in enumerate(chunks):
                got: list[Any] | None = None
                if pool.live:
                    try:
                        got = pool.take(c)
                    except Exception:  # noqa: BLE001 - read here from this unit on
                        _debug()
                        pool.stop()
                for n, i in enumerate(chunk):
                    m = members[i]
                    if got is not None:
                        text, said, error, ident, counts, unit = got[n]
                    else:
                        text, said, error, ident, counts, unit = _made(m, plan)
                    m.error = error
                    if ident is not None:
                        uid, label, name = ident
                        first = owners.setdefault(uid, label)
                        if first != label:  # a later folder of a unit id: listed, not counted
                            m.error = duplicate_error(label, uid, first)
                            text = _text(Member(m.key, m.source, error=m.error, title=name), plan)
                            said, counts, unit = [m.error], None, None
                    for w in said:
                        warn(w)
                    if counts is not None:
                        running.add_counts(counts)
                    if unit is not None:
                        units.append(unit)
                    yield text
            parsed = pool.end() if pool.live else []
        cache = collection.cache
        while parsed:  # each let go of once taken (the country's are 30 MB a worker)
            part = parsed.pop(0)
            if cache is not None:
                cache.adopt(part)
            del part
        collection.read_targets(units if plan.year is not None else None, plan.assigned)
        collection.save_cache()
    finally:
        pool.stop()  # the caller stopped early, or failed


__all__ = ["eligible", "stream_report"]
