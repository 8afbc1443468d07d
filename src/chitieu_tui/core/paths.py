"""How a path is named in messages."""

from __future__ import annotations

import os
import stat
from pathlib import Path

_CWD: tuple[str, Path] | None = None
"""The current folder as last asked, and its resolved form (`resolved_cwd`)."""


def resolved_cwd() -> Path:
    """The current folder, resolved; the resolution kept while the folder is the same (a
    collection names 3,321 folders at open, each would `realpath` it again)."""
    global _CWD
    cwd = os.getcwd()
    if _CWD is None or _CWD[0] != cwd:
        _CWD = (cwd, Path(cwd).resolve())
    return _CWD[1]


def shown_path(path: Path, real: Path | None = None) -> str:
    """A path as the user would type it: relative to the current folder when inside it.
    `real`: the path already resolved (`path.resolve()`), when the caller knows it."""
    try:
        return str((real or path.resolve()).relative_to(resolved_cwd()))
    except (ValueError, OSError, RuntimeError):  # outside; no working folder; a link loop
        return str(path)


def shown_real(path: Path | str, real: str, cwd: str | None = None) -> str:
    """`shown_path(path, Path(real))` from strings, no `Path` made: `real` (a resolved,
    absolute path) relative to the current folder (`cwd`: `resolved_cwd()` as a string,
    when the caller has it) when inside it, else `path` as given."""
    if cwd is None:
        try:
            cwd = str(resolved_cwd())
        except (OSError, RuntimeError):  # no working folder
            return str(path)
    if real == cwd:
        return "."
    prefix = cwd if cwd.endswith(os.sep) else cwd + os.sep
    if real.startswith(prefix):
        return real[len(prefix) :]
    return str(path)


def real_path(path: Path, parent_real: str | None = None) -> str:
    """`str(path.resolve())`. `parent_real`: its folder's resolved path, when the caller
    knows it (a collection's units): then a unit folder that is a folder, no link, is its
    folder's resolved path and its name, after one `lstat` (not a `realpath` of every part
    of the path: two a unit were a tenth of a cold read of the country)."""
    if parent_real is not None:
        name = path.name
        if name not in ("", ".", ".."):
            try:
                st = os.lstat(path)
            except OSError:
                st = None
            if st is not None and stat.S_ISDIR(st.st_mode):
                return os.path.join(parent_real, name)
    return str(path.resolve())
