"""Messages that carry workers' results to the screen."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message

from chitieu_tui.core.source import View

if TYPE_CHECKING:  # the roll-up's module is loaded only for a roll-up
    from chitieu_tui.core.collection import Member


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


@dataclass
class Stamped(Message):
    """A source's stamp, taken in a worker: from a poll (`loading` False: reload when it
    changed), or when a load starts (`loading`: the stamp that load answers)."""

    stamp: object
    loading: bool = False


@dataclass
class RollupDue(Message):
    """A poll of the roll-up found these units changed (`Collection.due()`, in a thread)."""

    members: list[Member]


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
