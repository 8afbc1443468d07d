"""Office files (xlsx, docx): written and read with openpyxl and python-docx, the `office` extra."""

from __future__ import annotations

from chitieu_tui.core.errors import UsageError

BINARY_FORMATS = ("xlsx", "docx")
"""Report formats that are files, never printed to a terminal."""


def need(module: str) -> None:
    """Raise a coded UsageError when the `office` extra is not installed (saying the pip,
    pipx or uv command that adds it, as for `serve` and `web`)."""
    import importlib.util

    if importlib.util.find_spec(module) is None:
        from chitieu_tui.cli import install_hint

        raise UsageError("err.office.extra_missing", module=module, how=install_hint("office"))
