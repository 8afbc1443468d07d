"""chitieu-tui: a terminal dashboard for a ward's yearly targets, quarter by quarter."""

from __future__ import annotations

DISTRIBUTION = "chitieu-tui"


def version() -> str:
    """The installed version, from the package's metadata (pyproject.toml's `version`, the
    one place it is written); `0+unknown` when run from sources that were never installed."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed(DISTRIBUTION)
    except PackageNotFoundError:
        return "0+unknown"


def __getattr__(name: str) -> str:
    """`__version__`, read from the metadata on first use (start-up stays small)."""
    if name == "__version__":
        return version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
