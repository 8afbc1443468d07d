"""The first frame of one large unit opened cold (no parse cache yet): its files read in a
forked worker while the main process imports Textual (issue 23: one large unit, cold).

A cold open of a unit of thousands of indicators parses and validates its files (tomli,
then the loader's checks) and only then draws; importing Textual and the app waits for
nothing the read makes, and the GIL keeps a thread from sharing the read. Here a forked
worker reads the unit exactly as the main process would (`FileSource.load` at the period
asked: the same files, the same checks) and hands what it put in the unit's parse cache
over through a pipe, encoded as the cache file holds it (core/parsecache.py, `VERSION` 3:
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
import hashlib
import os
import signal
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from chitieu_tui.core.cores import ENV_WORKERS, asked_workers, core_free_now, cores, serial_asked  # noqa: F401
from chitieu_tui.core.datadir import PROGRESS
from chitieu_tui.core.errors import ChitieuError
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.core.loader import period_named
from chitieu_tui.core.periods import Period
from chitieu_tui.core.records import frozen
from chitieu_tui.core.tomlfile import hand_over, loads, read_toml_text

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


def eligible(source: object) -> bool:
    """A unit whose cold open is read in a worker (see the module)."""
    asked = asked_workers()
    if serial_asked():
        return False
    if not hasattr(os, "fork") or _cores() < 2 or not isinstance(source, FileSource):
        return False
    if not asked and not _core_free():  # `CHITIEU_WORKERS=2`: read apart however busy
        return False
    cache = source.data.cache
    if cache is None or not cache.hold:  # not a unit's own cache (a collection's member)
        return False
    try:
        if os.path.lexists(cache.path):  # a second open (or a stale cache): read as today
            return False
        return MIN_BYTES <= source.data.definitions_path.stat().st_size <= MAX_BYTES
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
_MESSAGE = 8 + 8 + 8 + 16
"""One file parsed ahead, told on the pipe: its place in the list, where its pickle is in
the shared file and how long, and the digest of the text it parsed."""


def _text_digest(text: str) -> bytes:
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _ahead_paths(source: object) -> list[Path] | None:
    """The progress files a cold open of a large unit will read, when they are parsed ahead
    (see `parse_ahead`); None: not."""
    if serial_asked() or not hasattr(os, "fork") or _cores() < 2:
        return None
    if not isinstance(source, FileSource):
        return None
    cache = source.data.cache
    if cache is None or not cache.hold:  # not a unit opened alone
        return None
    if not asked_workers() and not _core_free():
        return None
    try:
        if os.path.lexists(cache.path):  # warm: its files come from the cache
            return None
        if source.data.definitions_path.stat().st_size <= MAX_BYTES:  # `read_apart`'s
            return None
        names = [n for n in os.listdir(source.data.root / PROGRESS) if n.endswith(".toml")]
    except OSError:
        return None
    periods = sorted((p for n in names if (p := period_named(n[:-5])) is not None), reverse=True)
    return [source.data.progress_path(p) for p in periods[:AHEAD_FILES]] or None


def _ahead_child(paths: list[Path], held: int, out: int) -> None:  # pragma: no cover - forked
    """The worker: each file read and parsed as `read_toml` would (`read_toml_text`,
    `loads`), its data pickled into `held` and told on `out`; a file that does not read or
    parse cleanly is skipped (the main process reads it and says what is wrong)."""
    status = 1
    try:
        gc.disable()  # parsing makes no cycles; the process ends after
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        import pickle  # lazy: only where files are parsed ahead (a warm open never is)

        at = 0
        for i, path in enumerate(paths):
            try:
                text = read_toml_text(path)
                blob = pickle.dumps(loads(text), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:  # noqa: BLE001, S112 - parsed by the main process instead
                continue
            view = memoryview(blob)
            while view:
                view = view[os.pwrite(held, view, at + len(blob) - len(view)) :]
            told = b"".join(n.to_bytes(8, "little") for n in (i, at, len(blob)))
            os.write(out, told + _text_digest(text))
            at += len(blob)
        status = 0
    except BaseException:  # noqa: BLE001, S110 - the main process parses what is left
        pass
    finally:
        os._exit(status)


class Ahead:
    """The progress files a worker parses while this process imports Textual and reads
    chitieu.toml (`parse_ahead`): handed to `read_toml` (`tomlfile.Handed`)."""

    def __init__(self, pid: int, paths: list[Path], held: int, told: int) -> None:
        self._pid: int | None = pid
        self._at = {os.path.abspath(p): i for i, p in enumerate(paths)}
        self._held, self._told = held, told
        self._got: dict[int, tuple[int, int, bytes]] = {}
        self._ended = False
        self._lock = threading.Lock()

    def parsed(self, path: Path, text: str) -> dict[str, Any] | None:
        """`path`'s data as the worker parsed it, when it parsed this very text (the file
        read here after it may have changed); None: parse it here."""
        with self._lock:
            i = self._at.pop(os.path.abspath(path), None)
            if i is None:
                return None
            while i not in self._got and not self._ended:  # not told yet: it is parsing it
                told = _read_exactly(self._told, _MESSAGE) if self._pid is not None else None
                if told is None:
                    self._ended = True
                    break
                n, at, size = (int.from_bytes(told[k : k + 8], "little") for k in (0, 8, 16))
                self._got[n] = (at, size, told[24:])
            got = self._got.pop(i, None)
            if got is None or got[2] != _text_digest(text):
                return None
            blob = _pread_exactly(self._held, got[1], got[0])
        if blob is None:
            return None
        import pickle  # lazy: as in `_ahead_child`

        try:
            data = pickle.loads(blob)  # noqa: S301 - made by our own fork, a moment ago
        except Exception:  # noqa: BLE001 - parsed here instead
            return None
        return data if isinstance(data, dict) else None

    def close(self) -> None:
        """The worker ended (it writes nothing: killed when it is still parsing files not
        asked for) and reaped; the shared file and the pipe closed."""
        with self._lock:
            pid, self._pid = self._pid, None
            self._ended = True
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


def parse_ahead(source: object) -> Ahead | None:
    """A large unit opened cold (chitieu.toml above `MAX_BYTES`, where `read_apart` does
    not pay): its progress files (the newest `AHEAD_FILES`) parsed by a forked worker while
    this process imports Textual and reads chitieu.toml, and handed to `read_toml`
    (`tomlfile.hand_over`) as pickles in a file both processes hold, each keyed by its path
    and the digest of the text parsed: this process still reads every file's text (every
    check of its bytes as before) and validates the data (`progress_from_dict`), without
    parsing; a file changed meanwhile, or one the worker could not parse, is parsed here (its
    error, file and line as ever). `FileSource.preload` lets go of it after the first read
    (`hand_over(None)`: the worker reaped). Only with `fork`, two cores, one of them idle
    now; None: not."""
    paths = _ahead_paths(source)
    if paths is None:
        return None
    sys.stdout.flush()
    sys.stderr.flush()
    held = _shared_file()
    theirs, ours = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(theirs)
        _ahead_child(paths, held, ours)
    os.close(ours)
    ahead = Ahead(pid, paths, held, theirs)
    hand_over(ahead)
    return ahead


@frozen
class Saver:
    """A forked child saving a unit's parse cache (`save_apart`), reaped by a thread of
    this process as soon as it ends (never left a zombie); `wait`: until it has."""

    pid: int
    reaper: threading.Thread

    def __init__(self, pid: int) -> None:
        object.__setattr__(self, "pid", pid)
        reaper = threading.Thread(target=_reap, args=(pid,), name="cache-saver", daemon=True)
        object.__setattr__(self, "reaper", reaper)
        reaper.start()

    def wait(self) -> None:
        """Until the child has written the cache file (or failed) and ended."""
        self.reaper.join()


def _reap(pid: int) -> None:
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def _may_save_apart(source: object) -> bool:
    """A unit's parse cache saved by a forked child (see `save_apart`)."""
    if serial_asked() or not hasattr(os, "fork") or _cores() < 2:
        return False
    if not isinstance(source, FileSource) or not source.unsaved():
        return False
    if threading.active_count() != 1:  # a fork copies only the thread that forks
        return False
    if not asked_workers() and not _core_free():
        return False
    try:
        return source.data.definitions_path.stat().st_size >= MIN_BYTES
    except OSError:
        return False


def _saver(source: FileSource) -> None:  # pragma: no cover - forked
    """The child: the cache saved as the main process would (`save_cache`: the one atomic
    writer, a whole file or none), silently, then out at once."""
    status = 1
    try:
        gc.disable()  # encoding makes no cycles; the process ends after
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        null = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):  # nothing said on the terminal, whatever happens
            os.dup2(null, fd)
        _before_save()
        source.save_cache()
        status = 0
    except BaseException:  # noqa: BLE001, S110 - the next open is cold again
        pass
    finally:
        os._exit(status)


def _before_save() -> None:
    """Nothing (tests make the child die here)."""


def save_apart(source: object) -> Saver | None:
    """A large unit read cold, before its first frame: its parse cache saved by a forked
    child while this process draws (the save, 0.1-0.5 s at 50,000 indicators, was paid by
    the frame's process after it: a thread sharing the GIL, waited for by `screenshot` at its
    end). This process takes the cache as saved (`ParseCache.saved_apart`: the dashboard
    does not save it again; a later save waits for the child first), and waits for the child
    before it ends (`Saver.wait`). Only with `fork`, two cores, one of them idle now (as
    `eligible`), a chitieu.toml of `MIN_BYTES` or more, and this process's only thread
    (before the app starts); else None: the cache is saved as before, after the frame. A
    child that fails or is killed leaves no cache file (the next open is cold again)."""
    if not _may_save_apart(source):
        return None
    assert isinstance(source, FileSource)
    cache = source.data.cache
    assert cache is not None
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        _saver(source)
    saver = Saver(pid)
    cache.saved_apart(saver.wait)
    return saver


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
    sys.stdout.flush()
    sys.stderr.flush()
    held = _shared_file()
    theirs, ours = os.pipe()
    pid = os.fork()
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
    "Saver",
    "parse_ahead",
    "Worker",
    "eligible",
    "read_apart",
    "save_apart",
]
