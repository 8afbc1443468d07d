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
from collections.abc import Callable

from chitieu_tui.core.cores import ENV_WORKERS, asked_workers, core_free_now, cores, serial_asked  # noqa: F401
from chitieu_tui.core.errors import ChitieuError
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.core.periods import Period
from chitieu_tui.core.records import frozen

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


def _pread_exactly(fd: int, size: int) -> bytes | None:
    """`size` bytes from the start of the file `fd` (None: it holds fewer)."""
    chunks: list[bytes] = []
    got = 0
    while got < size:
        chunk = os.pread(fd, min(size - got, 1 << 24), got)
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


__all__ = ["MAX_BYTES", "MIN_BYTES", "Worker", "eligible", "read_apart"]
