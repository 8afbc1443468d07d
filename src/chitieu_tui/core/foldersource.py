"""A unit folder of a collection: a `FileSource` made when it is first used."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chitieu_tui.core.filesource import FileSource

if TYPE_CHECKING:
    from chitieu_tui.core.parsecache import ParseCache

_MAKING = threading.Lock()


class LazyCache:
    """A collection folder's parse cache, read from its file when a unit is first read: a
    cached frame (core/rowcache.py) reads no unit, and the country's file is 60 MB."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._lock = threading.Lock()
        self._made = False
        self._cache: ParseCache | None = None
        self._hook: Callable[[], None] | None = None

    def on_get(self, hook: Callable[[], None]) -> None:
        """`get` calls `hook` first, each time (a cold frame's workers hand over what they
        parsed, for the units' read after the frame, and `hook` waits for it:
        present/coldframe.py)."""
        self._hook = hook

    def get(self) -> ParseCache | None:
        """The cache (read now if not yet); None when the cache is off."""
        if self._hook is not None:
            self._hook()
        with self._lock:
            if not self._made:
                # lazy: the parse cache's module when a collection's unit is first read
                from chitieu_tui.core.parsecache import ParseCache

                self._cache = ParseCache.for_folder(self.root)
                self._made = True
            return self._cache

    def save(self) -> None:
        """Save the cache, if it was read."""
        with self._lock:
            cache = self._cache
        if cache is not None:
            cache.save()


class FolderSource(FileSource):
    """A unit folder of a collection (`open_folder`): a `FileSource` made when first used.
    Made at once, the country's 3,321 cost half a second before a cached frame (two
    `realpath`s each, for its label and the bundled check, and the parse cache's 60 MB read),
    which needs none of them. `folder`: its path, known without making it; `parent_real`:
    the collection folder resolved (once, by `open_folder`): a unit's own path is resolved
    from it (`paths.real_path`)."""

    def __init__(
        self,
        folder: str,
        snapshots: Path | None,
        cache: LazyCache | None,
        parent_real: str | None = None,
    ) -> None:
        # not FileSource.__init__: that is run by the first use of what it sets
        self.folder = folder
        self._pending = (snapshots, cache, parent_real)

    def __getattr__(self, name: str) -> Any:
        # only asked for a name not found: those FileSource.__init__ sets. The source is made
        # now, once; a thread asking meanwhile waits; a name it does not set stays missing
        if name.startswith("__") or name == "_pending" or "_pending" not in self.__dict__:
            raise AttributeError(name)  # made: what is missing is missing (no lock)
        with _MAKING:
            pending = self.__dict__.get("_pending")
            if pending is not None:
                snapshots, lazy, parent_real = pending
                cache = lazy.get() if lazy is not None else None
                made = FileSource(
                    Path(self.folder), snapshots=snapshots, cache=cache, parent_real=parent_real
                )
                self.__dict__.update(made.__dict__)  # all at once: never half made
                del self.__dict__["_pending"]
        return object.__getattribute__(self, name)

    @property
    def made(self) -> bool:
        """The file source was made (used once)."""
        return "_pending" not in self.__dict__


__all__ = ["FolderSource", "LazyCache"]
