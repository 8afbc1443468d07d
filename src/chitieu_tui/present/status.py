"""One table per status: its catalog key, theme colour and symbol, for every output."""

from __future__ import annotations

from chitieu_tui.core.arithmetic import STATUS_ORDER, Status
from chitieu_tui.core.records import frozen
from chitieu_tui.i18n import t


@frozen  # a dataclass without `exec` at import (core/records.py)
class StatusLook:
    """How one status is shown."""

    key: str
    """The catalog key of its label (`Đạt/vượt`, `Met`)."""
    colour: str
    """A Textual theme variable, as data (`$success`); outputs without a theme map it."""
    symbol: str
    """A one-cell mark (`✓`)."""
    ascii: str
    """The mark where only ASCII is safe (`+`)."""
    strong: bool
    """Drawn in bold in lists (the table), to catch the eye."""

    def __init__(self, key: str, colour: str, symbol: str, ascii: str, strong: bool) -> None:  # noqa: A002 (the field)
        object.__setattr__(self, "key", key)
        object.__setattr__(self, "colour", colour)
        object.__setattr__(self, "symbol", symbol)
        object.__setattr__(self, "ascii", ascii)
        object.__setattr__(self, "strong", strong)


STATUS: dict[Status, StatusLook] = {
    Status.MET: StatusLook("status_met", "$success", "✓", "+", True),
    Status.ON_TRACK: StatusLook("status_on_track", "$primary", "▲", "^", False),
    Status.BEHIND: StatusLook("status_behind", "$error", "▼", "v", True),
    Status.NO_DATA: StatusLook("status_no_data", "$foreground-muted", "·", ".", False),
    Status.UNJUDGED: StatusLook("status_unjudged", "$foreground", " ", " ", False),
}
"""Every status's look; `STATUS_ORDER` is the order they are counted and listed in.
`UNJUDGED` (a year without definitions) is no status: a dash, no mark, no colour."""

__all__ = ["STATUS", "STATUS_ORDER", "StatusLook", "colour", "label", "rank", "symbol"]


def rank(status: Status) -> int:
    """Where a status sorts: `STATUS_ORDER`, then `UNJUDGED`."""
    return STATUS_ORDER.index(status) if status in STATUS_ORDER else len(STATUS_ORDER)


def label(status: Status) -> str:
    """The word for a status: `Đạt/vượt`, `On track`."""
    return t(STATUS[status].key)


def colour(status: Status) -> str:
    """The theme variable of a status (`$error`)."""
    return STATUS[status].colour


def symbol(status: Status, ascii_only: bool = False) -> str:
    """The status's mark: `✓ ▲ ▼ ·`, or `+ ^ v .` in ASCII."""
    look = STATUS[status]
    return look.ascii if ascii_only else look.symbol
