"""How a path is named in messages."""

from __future__ import annotations

from pathlib import Path


def shown_path(path: Path) -> str:
    """A path as the user would type it: relative to the current folder when inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError, RuntimeError):  # outside; no working folder; a link loop
        return str(path)
