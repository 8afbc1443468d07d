"""The cyclic garbage collector paused while many objects are read (a collection's units,
or one large unit opened alone): one counter for every load of the process."""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator


class _GcPause:
    """Counts the loads that want the cyclic collector off (nested, threaded)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.holds = 0
        self.was_enabled = False
        self.freeze = False

    @contextlib.contextmanager
    def paused(self, freeze: bool = False) -> Iterator[None]:
        with self.lock:
            self.holds += 1
            self.freeze = self.freeze or freeze
            if self.holds == 1:
                self.was_enabled = gc.isenabled()
                if freeze and self.was_enabled:
                    # garbage already in cycles is collected now, while what is not yet
                    # frozen is small (the app, not the units): frozen, it would stay
                    gc.collect()
                gc.disable()
        try:
            yield
        finally:
            with self.lock:
                self.holds -= 1
                if self.holds == 0:
                    if self.freeze:
                        gc.freeze()
                        self.freeze = False
                    if self.was_enabled:
                        gc.enable()


_GC = _GcPause()


def gc_paused(freeze: bool = False) -> contextlib.AbstractContextManager[None]:
    """The cyclic garbage collector off while many units are read: reading 3,321 units
    makes millions of objects, none in cycles, and the collector's passes over them cost a
    quarter of the time (benchmarks/rollup.py). Back as it was after the last one.

    `freeze`: when the last pause ends, every object alive is moved out of the collector's
    sight (`gc.freeze`) before it is turned on again. Otherwise the millions of objects
    made while it was off sit in its youngest generation, and its next passes walk them all
    (0.6-0.8 s at 3,321 units, during the roll-up's first frame). What is frozen is still
    freed by reference counting when let go of. Cyclic garbage left from before is collected
    when the pause begins (a pass over what is not frozen yet: the app, not the units), so
    only cycles made by other threads during the read could stay (reading makes none:
    `gc.collect()` after a country reload finds 0)."""
    return _GC.paused(freeze)
