"""Office files (xlsx, docx): written and read with openpyxl and python-docx, the `office` extra."""

from __future__ import annotations

import importlib.util

from chitieu_tui import install_hint
from chitieu_tui.core.errors import UsageError

BINARY_FORMATS = ("xlsx", "docx", "pdf")
"""Report formats that are files, never printed to a terminal."""


def need(module: str) -> None:
    """Raise a coded UsageError when the `office` extra is not installed (saying the pip,
    pipx or uv command that adds it, as for `serve` and `web`)."""
    if importlib.util.find_spec(module) is None:
        raise UsageError("err.office.extra_missing", module=module, how=install_hint("office"))
