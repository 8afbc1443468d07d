"""The first frame of one large unit opened cold (no parse cache yet): its files read in a
forked worker while the main process imports Textual (issue 23: one large unit, cold).

A cold open of a unit of thousands of indicators parses and validates its files (tomli,
then the loader's checks) and only then draws; importing Textual and the app waits for
nothing the read makes, and the GIL keeps a thread from sharing the read. Here a forked
worker reads the unit exactly as the main process would (`FileSource.load` at the period
asked: the same files, the same checks) and writes the unit's parse cache
(core/parsecache.py: what the first frame would otherwise save after it), then ends; the
main process imports Textual meanwhile, then reads the unit from that cache file as on a
second open (a warm open: decoding, no parsing). Nothing else changes: the view is made by
the main process's own load, so every screen, warning and error is that of a read (a file
that does not parse is not cached: the main process parses it again and says the same
message, file and line).

Used only for a data folder opened alone with its own parse cache, no cache file yet, a
chitieu.toml of `MIN_BYTES` to `MAX_BYTES`, two cores, and `fork`; `CHITIEU_WORKERS=1` (or 0)
reads serially. A worker that fails or dies leaves no cache file (the atomic writer writes
whole files only) or a sound one: the main process then reads what is not in it, as before.
"""

from __future__ import annotations

import gc
import os
import signal
import sys
from collections.abc import Callable

from chitieu_tui.core.errors import ChitieuError
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.core.parsecache import ParseCache
from chitieu_tui.core.periods import Period

MIN_BYTES = 170_000
"""From this size of chitieu.toml (about 1,000 indicators) a cold open reads in a worker
(below, the fork costs about what the overlap with Textual's import saves)."""
MAX_BYTES = 2_000_000
"""Up to this size (about 11,000 indicators of `benchmarks/gen.py`, 7,000 made from the
sample): beyond, the main process's decoding of what the worker read (a warm open's load,
which grows with the unit) costs more than the import it overlaps (≈ 0.16 s) and the save
after the frame it spares: at 50,000 indicators the worker's open was ≈ 0.5 s slower
(BENCHMARKS.md, "Issue 23, eighth session: one large unit, cold")."""
ENV_WORKERS = "CHITIEU_WORKERS"
"""`CHITIEU_WORKERS=1` (or 0): a cold open reads serially (as for a collection)."""


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def eligible(source: object) -> bool:
    """A unit whose cold open is read in a worker (see the module)."""
    if os.environ.get(ENV_WORKERS, "").strip() in ("0", "1"):
        return False
    if not hasattr(os, "fork") or _cores() < 2 or not isinstance(source, FileSource):
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


def _child(source: FileSource, period: Period | None, ready: int) -> None:  # pragma: no cover
    """The worker: the unit read as the main process reads it, its parse cache written (what
    was read cleanly, also when a file is broken: the main process says the error), `ready`
    told (one byte: the main process reads on while this process's memory is let go of),
    then out at once (`os._exit`: no clean-up of the parent's state, no buffer flushed
    twice)."""
    status = 1
    try:
        gc.disable()  # reading makes no cycles; the process ends after
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        try:
            source.load(period)
        except ChitieuError:
            pass
        source.save_cache()
        os.write(ready, b"1")
        status = 0
    except BaseException:  # noqa: BLE001, S110 - the main process reads serially
        pass
    finally:
        os._exit(status)


def read_apart(
    source: object, period: Period | None, meanwhile: Callable[[], object] | None = None
) -> bool:
    """A cold open of a large unit: its files read and cached by a forked worker while
    `meanwhile` runs here (e.g. the import of Textual), then the source's parse cache read
    again from the file the worker wrote; True when the worker did so (the next load of
    `source` is a warm one). False (not `eligible`, or the worker failed): `meanwhile` was
    run all the same, and the source reads as before."""
    if not eligible(source):
        if meanwhile is not None:
            meanwhile()
        return False
    assert isinstance(source, FileSource)
    sys.stdout.flush()
    sys.stderr.flush()
    theirs, ours = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child (its coverage is not collected)
        os.close(theirs)
        _child(source, period, ours)
    os.close(ours)
    told = b""
    try:
        if meanwhile is not None:
            meanwhile()
        told = os.read(theirs, 1)  # b"" when the worker ended without telling
    finally:
        os.close(theirs)
        if not told:  # it failed, or `meanwhile` did (an interrupt): not waited for
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
            os.waitpid(pid, 0)
    if not told:
        return False
    cache = source.data.cache
    assert cache is not None
    source.data.cache = ParseCache(cache.path, hold=True)
    os.waitpid(pid, 0)  # it has ended meanwhile
    return True


__all__ = ["MAX_BYTES", "MIN_BYTES", "eligible", "read_apart"]
