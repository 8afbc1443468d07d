"""Messages that carry workers' results to the screen."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.message import Message

from chitieu_tui.core.source import View


@dataclass
class ViewLoaded(Message):
    """A source produced a fresh view of one period."""

    view: View


@dataclass
class SnapshotSaved(Message):
    """A snapshot was written to `path`."""

    path: Path


@dataclass
class OpenDetail(Message):
    """Show the details of one indicator."""

    indicator_id: str


@dataclass
class OpenUnit(Message):
    """Open the dashboard of one unit of the roll-up (its position in the collection)."""

    index: int


class BackToRollup(Message):
    """Leave a unit's dashboard for the roll-up it was opened from."""


@dataclass
class RollupLoaded(Message):
    """Units of the roll-up were read (the collection holds their views)."""

    full: bool = True


@dataclass
class RollupProgress(Message):
    """How many units of a load are done."""

    done: int
    total: int


@dataclass
class LookedAt(Message):
    """The official moved the cursor onto an indicator (its alert mark goes)."""

    indicator_id: str
