"""The first frame of one large unit opened cold (no parse cache yet): its files read in a
forked worker while the main process imports Textual (issue 23: one large unit, cold).

A cold open of a unit of thousands of indicators parses and validates its files (tomli,
then the loader's checks) and only then draws; importing Textual and the app waits for
nothing the read makes, and the GIL keeps a thread from sharing the read. Here a forked
worker reads the unit exactly as the main process would (`FileSource.load` at the period
asked: the same files, the same checks) and hands what it put in the unit's parse cache
over through a pipe, encoded as the cache file holds it (core/parsecache.py, `VERSION` 4:
`fresh_bytes`); the main process, which imported Textual meanwhile, takes it into its
cache (`ParseCache.take`) and loads as on a second open (decoding, no parsing); the worker
then writes the cache file from that same encoding (what the first frame would otherwise
save after it) and ends. Nothing else changes: the view is made by the main process's own
load, so every screen, warning and error is that of a read (a file that does not parse is
not cached: the main process parses it again and says the same message, file and line).

Used only for a data folder opened alone with its own parse cache, no cache file yet, a
chitieu.toml of `MIN_BYTES` to `MAX_BYTES`, two cores, one of them idle (`_core_free`),
and `fork`; `CHITIEU_WORKERS=1` (or 0) reads serially. A worker that fails or dies before its hand-over is ended and the unit read
serially; one that dies after it leaves no cache file (the atomic writer writes whole files
only): the next open is cold again.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import msgspec

from chitieu_tui.core import loader
from chitieu_tui.core.cores import ENV_WORKERS, asked_workers, core_free_now, cores, serial_asked  # noqa: F401
from chitieu_tui.core.datadir import PROGRESS
from chitieu_tui.core.errors import ChitieuError
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.core.loader import period_named
from chitieu_tui.core.model import Indicator
from chitieu_tui.core.periods import Period
from chitieu_tui.core.records import frozen
from chitieu_tui.core.tomlfile import Converted, array_cuts, hand_over, loads, read_toml_text

MIN_BYTES = 170_000
"""From this size of chitieu.toml (about 1,000 indicators) a cold open reads in a worker
(below, the fork costs about what the overlap with Textual's import saves)."""
MAX_BYTES = 2_000_000
"""Up to this size (about 11,000 indicators of `benchmarks/gen.py`, 7,000 made from the
sample): beyond, the main process's decoding of what the worker read (a warm open's load,
which grows with the unit) costs more than the import it overlaps (about 0.16 s) and the save
after the frame it spares: at 50,000 indicators the worker's open was about 0.5 s slower
(BENCHMARKS.md, "Issue 23, eighth session: one large unit, cold")."""
# `_core_free`: on a busy machine the worker's share of a core is taken from someone else,
# and its extra work (the unit decoded again here) made a cold open 12–18% slower at a load
# of 5–6 on two cores (BENCHMARKS.md). Module names, so that tests can set them.
_cores = cores
_core_free = core_free_now


def _second_core() -> bool:
    """A forked worker may pay: `fork`, two cores, one of them idle now (`CHITIEU_WORKERS=2`:
    however busy; `=1` or `0`: never). The one gate of every worker here."""
    if serial_asked() or not hasattr(os, "fork") or _cores() < 2:
        return False
    return bool(asked_workers()) or _core_free()


def _cold_alone(source: object) -> FileSource | None:
    """`source` when it is a unit opened alone (its own parse cache: not a collection's
    member) with no cache file yet (a second open, or a stale cache, reads as ever)."""
    if not isinstance(source, FileSource):
        return None
    cache = source.data.cache
    if cache is None or not cache.hold or os.path.lexists(cache.path):
        return None
    return source


def _fork() -> int:
    """`os.fork`, what is buffered for stdout and stderr written first (not twice)."""
    sys.stdout.flush()
    sys.stderr.flush()
    return os.fork()


def eligible(source: object) -> bool:
    """A unit whose cold open is read in a worker (see the module)."""
    unit = _cold_alone(source) if _second_core() else None
    if unit is None:
        return False
    try:
        return MIN_BYTES <= unit.data.definitions_path.stat().st_size <= MAX_BYTES
    except OSError:
        return False


def _child(
    source: FileSource, period: Period | None, held: int, out: int
) -> None:  # pragma: no cover - forked
    """The worker: the unit read as the main process reads it; what it put in the parse
    cache written into `held` (a file in memory both processes have), encoded as the cache
    file holds it (`ParseCache.fresh_bytes`: what was read cleanly, also when a file is
    broken: the main process says the error), and its length told on `out`; then the cache
    file written from that same encoding (`adopt`, `save`), and out at once (`os._exit`: no
    clean-up of the parent's state, no buffer flushed twice)."""
    status = 1
    try:
        gc.disable()  # reading makes no cycles; the process ends after
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        try:
            source.load(period)
        except ChitieuError:
            pass
        cache = source.data.cache
        assert cache is not None
        data = cache.fresh_bytes()
        view = memoryview(data)
        while view:  # into the shared file first: one wake-up of the main process, not one
            view = view[os.write(held, view) :]  # per pipe's buffer (64 KB) of a busy machine
        os.write(out, len(data).to_bytes(8, "little"))
        cache.adopt(data)  # its entries encoded already: the file is written from them
        cache.save()
        status = 0
    except BaseException:  # noqa: BLE001, S110 - the main process reads serially
        pass
    finally:
        os._exit(status)


def _shared_file() -> int:
    """A file both processes write and read (in memory where the system allows)."""
    if hasattr(os, "memfd_create"):
        try:
            return os.memfd_create("chitieu-cold-unit", os.MFD_CLOEXEC)
        except OSError:
            pass
    # lazy: tempfile, only where there is no memfd_create
    import tempfile

    return os.dup(tempfile.TemporaryFile().fileno())


def _pread_exactly(fd: int, size: int, start: int = 0) -> bytes | None:
    """`size` bytes from `start` in the file `fd` (None: it holds fewer)."""
    chunks: list[bytes] = []
    got = 0
    while got < size:
        chunk = os.pread(fd, min(size - got, 1 << 24), start + got)
        if not chunk:
            return None
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _read_exactly(fd: int, size: int) -> bytes | None:
    """`size` bytes from `fd` (None: it ended before)."""
    chunks: list[bytes] = []
    while size > 0:
        chunk = os.read(fd, min(size, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


@frozen
class Worker:
    """The worker that read a cold unit: it writes the unit's parse cache after handing
    what it read over (`wait`: until it has, and has ended)."""

    pid: int

    def __init__(self, pid: int) -> None:
        object.__setattr__(self, "pid", pid)

    def wait(self) -> None:
        """Until the worker has written the cache file and ended (a one-shot command leaves
        a whole file, as after a serial read)."""
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass


AHEAD_FILES = 16
"""At most this many progress files (the newest) are parsed ahead (`parse_ahead`): a first
open reads the quarters of the year shown and five before."""
_MESSAGE = 8 * 4 + 16
"""One task done, told on the pipe: its number, where its result is in the shared file, the
lengths of its two parts, and the digest of the text it parsed."""
_CLAIMS = 1 << 16
"""The shared file's first bytes: one a task, set by the main process when it does the task
itself (the worker then skips it); the results come after."""


def _text_digest(text: str) -> bytes:
    # lazy: hashlib loads OpenSSL (3 ms, ~1 MiB): only a cold open's files are digested
    import hashlib

    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _ahead_paths(source: object) -> list[Path] | None:
    """The progress files a cold open of a large unit will read, when they are parsed ahead
    (see `parse_ahead`); None: not."""
    unit = _cold_alone(source) if _second_core() else None
    if unit is None:
        return None
    try:
        if unit.data.definitions_path.stat().st_size <= MAX_BYTES:  # `read_apart`'s
            return None
        names = [n for n in os.listdir(unit.data.root / PROGRESS) if n.endswith(".toml")]
    except OSError:
        names = []
    periods = sorted((p for n in names if (p := period_named(n[:-5])) is not None), reverse=True)
    return [unit.data.progress_path(p) for p in periods[:AHEAD_FILES]]


def _cut(text: str) -> list[int] | None:
    """Where `loader.load_definitions` cuts chitieu.toml's text (None: read whole)."""
    large = len(text) >= loader.PIECES_FROM  # as `loader.load_definitions` cuts it
    return array_cuts(text, "indicator", loader.PIECE_CHARS) if large else None


def _stat_key(path: Path) -> tuple[int, ...]:
    st = os.stat(path)
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _early_text(path: Path) -> tuple[str, tuple[int, ...]] | None:
    """chitieu.toml's text read before the worker is forked, so that the two processes share
    it (its 8-16 MB at 50,000 indicators, once), and what `os.stat` said before the read;
    None when it does not read (the loader reads it again and says what is wrong)."""
    try:
        key = _stat_key(path)
        return read_toml_text(path), key
    except (ChitieuError, OSError):
        return None


def _piece_done(text: str) -> tuple[bytes, bytes] | None:
    """A piece of chitieu.toml as `array_items` and the loader make it: its indicators
    converted (msgpack, decoded into the model's types by the main process) and the rest of
    what it parses to (pickled); None when anything is off (the main process reads it)."""
    import pickle  # lazy: only where files are parsed ahead (a warm open never is)

    part = loads(text)
    items = part.pop("indicator", None)
    if not isinstance(items, list):
        return None
    converted = msgspec.convert(items, list[Indicator])
    return msgspec.msgpack.encode(converted), pickle.dumps(part, protocol=pickle.HIGHEST_PROTOCOL)


def _file_done(path: Path) -> tuple[str, bytes]:
    """A progress file read and parsed as `read_toml` would, pickled."""
    import pickle  # lazy: as in `_piece_done`

    text = read_toml_text(path)
    return text, pickle.dumps(loads(text), protocol=pickle.HIGHEST_PROTOCOL)


def _trimmer() -> Callable[[], object]:
    """glibc's `malloc_trim(0)`: what was freed given back to the system (a task's tables,
    made and freed, would stay in the worker's memory); elsewhere nothing."""
    try:
        import ctypes  # lazy: loaded already where `malloc_threshold_fixed` found glibc

        trim = ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError, ImportError, TypeError):
        return lambda: None
    return lambda: trim(0)


def _ahead_child(
    shared: list[str], paths: list[Path], held: int, out: int
) -> None:  # pragma: no cover - forked
    """The worker: chitieu.toml's pieces (its text, read by the main process before the fork,
    taken from `shared`) from the last back (the main process reads them from the first on:
    they meet in the middle), then the progress files, each skipped once the
    main process has claimed it (`_CLAIMS`), each result written into `held` and told on
    `out`; whatever does not read, parse or convert cleanly is left to the main process
    (which says what is wrong)."""
    status = 1
    try:
        gc.disable()  # parsing makes no cycles; the process ends after
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        at = _CLAIMS
        trim = _trimmer()
        whole = shared.pop() if shared else None
        cuts = _cut(whole) if whole is not None else None
        pieces = len(cuts) - 2 if cuts is not None else 0  # the head is the main's
        files = len(paths)  # tasks 1..files: the progress files; then files + n: piece n
        tasks = [*range(files + pieces, files, -1), *range(1, files + 1)]
        for task in tasks:
            if task >= _CLAIMS:
                continue
            if task <= files:  # the pieces done: their text let go of (once the main process
                whole = None  # has too, its pages would be this process's alone)
            if os.pread(held, 1, task) == b"\1":  # the main process did it itself
                continue
            try:
                if task > files:
                    assert whole is not None and cuts is not None
                    n = task - files
                    text = whole[cuts[n] : cuts[n + 1]]
                    done = _piece_done(text)
                    if done is None:
                        continue
                    first, second = done
                else:
                    text, first = _file_done(paths[task - 1])
                    second = b""
            except Exception:  # noqa: BLE001, S112 - done by the main process instead
                continue
            for blob in (first, second):
                view = memoryview(blob)
                while view:
                    view = view[os.pwrite(held, view, at + len(blob) - len(view)) :]
                at += len(blob)
            told = (task, at - len(first) - len(second), len(first), len(second))
            os.write(out, b"".join(n.to_bytes(8, "little") for n in told) + _text_digest(text))
            text = first = second = done = None  # let go of before the trim
            trim()
        status = 0
    except BaseException:  # noqa: BLE001, S110 - the main process does what is left
        pass
    finally:
        os._exit(status)


class Ahead:
    """What a worker parses while this process imports Textual and reads chitieu.toml
    (`parse_ahead`): handed to `read_toml` and `array_items` (`tomlfile.Handed`). This
    process never waits for it: a task not told done yet is done here (and claimed, so that
    the worker skips it)."""

    def __init__(
        self,
        pid: int,
        paths: list[Path],
        held: int,
        told: int,
        early: tuple[str, str, tuple[int, ...]] | None = None,
    ) -> None:
        self._pid: int | None = pid
        self._early = early
        self._files = len(paths)
        self._at = {os.path.abspath(p): 1 + i for i, p in enumerate(paths)}
        self._held, self._told = held, told
        self._got: dict[int, tuple[int, int, int, bytes]] = {}
        self._part = b""
        self._lock = threading.Lock()

    def _take(self, task: int, text: str) -> tuple[bytes, bytes] | None:
        """Task `task`'s two parts, when the worker did it on this very `text`; else None,
        the task claimed (done here)."""
        with self._lock:
            if self._pid is None:
                return None
            try:
                self._hear()
                got = self._got.pop(task, None)
                if got is None:
                    os.pwrite(self._held, b"\1", task)  # done here: the worker skips it
                    return None
                at, first, second, digest = got
                if digest != _text_digest(text):  # changed since the worker read it
                    return None
                blob = _pread_exactly(self._held, first + second, at)
            except OSError:  # done here
                return None
        if blob is None:
            return None
        return blob[:first], blob[first:]

    def _hear(self) -> None:
        """What the worker told so far, without waiting for more."""
        while True:
            try:
                told = os.read(self._told, _MESSAGE * 64)
            except BlockingIOError:
                return
            if not told:  # it ended
                return
            told = self._part + told
            whole = len(told) - len(told) % _MESSAGE
            self._part = told[whole:]  # (each message is written at once: none, in fact)
            for k in range(0, whole, _MESSAGE):
                n, at, first, second = (
                    int.from_bytes(told[k + i : k + i + 8], "little") for i in (0, 8, 16, 24)
                )
                self._got[n] = (at, first, second, told[k + 32 : k + _MESSAGE])

    def text(self, path: Path) -> str | None:
        """chitieu.toml's text as read before the worker was forked (`_early_text`), once,
        when the file's `os.stat` is still what it was before that read; None: read it now."""
        with self._lock:
            early = self._early
            if early is None or os.path.abspath(path) != early[0]:
                return None
            self._early = None
        try:
            return early[1] if _stat_key(path) == early[2] else None
        except OSError:
            return None

    def parsed(self, path: Path, text: str) -> dict[str, Any] | None:
        """`path`'s data as the worker parsed it, when it parsed this very text (the file
        read here after it may have changed); None: parse it here."""
        task = self._at.pop(os.path.abspath(path), None)
        got = self._take(task, text) if task is not None else None
        if got is None:
            return None
        import pickle  # lazy: as in `_piece_done`

        try:
            data = pickle.loads(got[0])  # noqa: S301 - made by our own fork, a moment ago
        except Exception:  # noqa: BLE001 - parsed here instead
            return None
        return data if isinstance(data, dict) else None

    def piece(self, n: int, text: str) -> tuple[dict[str, Any], Converted] | None:
        """Piece `n` of chitieu.toml (`array_items`) as the worker parsed and converted it:
        what else it holds, and its indicators; None: parse it here."""
        task = self._files + n
        got = self._take(task, text) if 0 < n and task < _CLAIMS else None
        if got is None:
            return None
        import pickle  # lazy: as in `_piece_done`

        try:
            items = _INDICATORS.decode(got[0])
            part = pickle.loads(got[1])  # noqa: S301 - as in `parsed`
        except Exception:  # noqa: BLE001 - parsed here instead
            return None
        return (part, Converted(items)) if isinstance(part, dict) else None

    def close(self) -> None:
        """The worker ended (it writes nothing: killed when it is still parsing what was not
        asked for) and reaped; the shared file and the pipe closed."""
        with self._lock:
            pid, self._pid = self._pid, None
            self._early = None
            self._at.clear()
            self._got.clear()
            if pid is None:
                return
            os.close(self._told)
            os.close(self._held)
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass


_INDICATORS = msgspec.msgpack.Decoder(list[Indicator])


def parse_ahead(source: object) -> Ahead | None:
    """A large unit opened cold (chitieu.toml above `MAX_BYTES`, where `read_apart` does
    not pay): a forked worker parses while this process imports Textual and reads
    chitieu.toml, and hands over what it parsed (`tomlfile.hand_over`; results in a file both
    processes hold, told on a pipe with the digest of the text parsed). chitieu.toml is read
    here first (`_early_text`) and its text shared with the worker (one copy of it, not two;
    the load takes it when the file's stat has not changed since: `Ahead.text`); its pieces
    (`tomlfile.array_items`), from the last back, parsed and their indicators converted
    (decoded here in a tenth of the time: msgpack into the model's types), then its progress
    files (the newest `AHEAD_FILES`), parsed and pickled. This process reads every progress
    file's text itself as before (every check of its bytes), cuts chitieu.toml itself, takes what
    the worker did on that very text, and does the rest itself as before: what the worker has
    not told yet (it never waits: the two meet in the middle), what it could not read, parse
    or convert cleanly, what changed meanwhile; so every check, error, file and line is as
    ever (the pieces' checks, `_checked_definitions`, `progress_from_dict`).
    `FileSource.preload` lets go of it after the first read (`hand_over(None)`: the worker
    reaped). Only with `fork`, two cores, one of them idle now; None: not."""
    paths = _ahead_paths(source)
    if paths is None:
        return None
    assert isinstance(source, FileSource)
    definitions = source.data.definitions_path
    loader.malloc_threshold_fixed()  # before the read: in both processes
    early = _early_text(definitions)
    held = _shared_file()
    theirs, ours = os.pipe()
    pid = _fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(theirs)
        shared = [early[0]] if early is not None else []
        early = None  # the text held by `shared` alone: let go of by the child once cut up
        _ahead_child(shared, paths, held, ours)
    os.close(ours)
    os.set_blocking(theirs, False)  # never waited for
    shared = (os.path.abspath(definitions), *early) if early is not None else None
    ahead = Ahead(pid, paths, held, theirs, shared)
    hand_over(ahead)
    return ahead


def read_apart(
    source: object, period: Period | None, meanwhile: Callable[[], object] | None = None
) -> Worker | None:
    """A cold open of a large unit: its files read by a forked worker while `meanwhile` runs
    here (e.g. the import of Textual), then what the worker read taken into the source's
    parse cache, as a second open finds it in the cache file (the next load of `source` is
    a warm one); the worker (which writes the cache file meanwhile: `Worker.wait`). None
    (not `eligible`, or the worker failed): `meanwhile` was run all the same, and the
    source reads as before."""
    if not eligible(source):
        if meanwhile is not None:
            meanwhile()
        return None
    assert isinstance(source, FileSource)
    cache = source.data.cache
    assert cache is not None
    held = _shared_file()
    theirs, ours = os.pipe()
    pid = _fork()
    if pid == 0:  # pragma: no cover - the child (its coverage is not collected)
        os.close(theirs)
        _child(source, period, held, ours)
    os.close(ours)
    taken = False
    try:
        if meanwhile is not None:
            meanwhile()
        head = _read_exactly(theirs, 8)  # None: the worker ended without telling
        data = _pread_exactly(held, int.from_bytes(head, "little")) if head else None
        taken = data is not None and cache.take(data)
    finally:
        os.close(theirs)
        os.close(held)
        if not taken:  # it failed, or `meanwhile` did (an interrupt): not waited for
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
            os.waitpid(pid, 0)
    return Worker(pid) if taken else None


__all__ = [
    "MAX_BYTES",
    "MIN_BYTES",
    "Ahead",
    "parse_ahead",
    "Worker",
    "eligible",
    "read_apart",
]
