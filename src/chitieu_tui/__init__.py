"""chitieu-tui: a terminal dashboard for a ward's yearly targets, quarter by quarter."""

from __future__ import annotations

import sys

DISTRIBUTION = "chitieu-tui"


def version() -> str:
    """The installed version, from the package's metadata (pyproject.toml's `version`, the
    one place it is written); `0+unknown` when run from sources that were never installed."""
    # lazy: importlib.metadata (email, zipfile, csv) only for --version
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed(DISTRIBUTION)
    except PackageNotFoundError:
        return "0+unknown"


def install_hint(extra: str) -> str:
    """How to add an extra, for the way chitieu was installed (pipx, uv tool, else pip)."""
    prefix = sys.prefix.replace("\\", "/")
    if "/pipx/venvs/" in prefix:
        return f"pipx install --force 'chitieu-tui[{extra}]'  (pipx install --force '.[{extra}]' from a checkout)"
    if "/uv/tools/" in prefix:
        return f"uv tool install --force 'chitieu-tui[{extra}]'  (uv tool install --force '.[{extra}]' from a checkout)"
    return f"pip install 'chitieu-tui[{extra}]'"


def __getattr__(name: str) -> str:
    """`__version__`, read from the metadata on first use (start-up stays small)."""
    if name == "__version__":
        return version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
