"""How a path is named in messages."""

from __future__ import annotations

import os
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
