"""A failed write, worded from the catalog for a form or a notification."""

from __future__ import annotations

from chitieu_tui.core.errors import ChitieuError, InternalError, WriteError
from chitieu_tui.core.oserrors import os_reason


def worded(exc: BaseException) -> str:
    """Any failure of a write as a message: coded errors as they are, OS errors by class,
    anything else as the catalog's internal error (never a frozen form)."""
    if isinstance(exc, ChitieuError):
        return exc.render()
    if isinstance(exc, OSError):
        return WriteError("err.write.file", reason=os_reason(exc)).render()
    return InternalError("err.internal", what=type(exc).__name__).render()
