"""Messages that carry workers' results to the screen."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual.message import Message

from chitieu_tui.core.records import plain
from chitieu_tui.core.source import View

if TYPE_CHECKING:  # the roll-up's module is loaded only for a roll-up
    from chitieu_tui.core.collection import Member


@plain  # a dataclass without `exec` at import (core/records.py)
class ViewLoaded(Message):
    """A source produced a fresh view of one period."""

    view: View

    def __init__(self, view: View) -> None:
        self.view = view
        super().__init__()


@plain  # a dataclass without `exec` at import (core/records.py)
class SnapshotSaved(Message):
    """A snapshot was written to `path`."""

    path: Path

    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__()


@plain  # a dataclass without `exec` at import (core/records.py)
class OpenDetail(Message):
    """Show the details of one indicator."""

    indicator_id: str

    def __init__(self, indicator_id: str) -> None:
        self.indicator_id = indicator_id
        super().__init__()


@plain  # a dataclass without `exec` at import (core/records.py)
class OpenUnit(Message):
    """Open the dashboard of one unit of the roll-up (its position in the collection)."""

    index: int

    def __init__(self, index: int) -> None:
        self.index = index
        super().__init__()


@plain  # a dataclass without `exec` at import (core/records.py)
class Stamped(Message):
    """A source's stamp, taken in a worker: from a poll (`loading` False: reload when it
    changed), or when a load starts (`loading`: the stamp that load answers)."""

    stamp: object
    loading: bool = False

    def __init__(self, stamp: object, loading: bool = False) -> None:
        self.stamp = stamp
        self.loading = loading
        super().__init__()


@plain  # a dataclass without `exec` at import (core/records.py)
class RollupDue(Message):
    """A poll of the roll-up found these units changed (`Collection.due()`, in a thread)."""

    members: list[Member]

    def __init__(self, members: list[Member]) -> None:
        self.members = members
        super().__init__()


@plain  # a dataclass without `exec` at import (core/records.py)
class RollupLoaded(Message):
    """Units of the roll-up were read (the collection holds their views)."""

    full: bool = True

    def __init__(self, full: bool = True) -> None:
        self.full = full
        super().__init__()


@plain  # a dataclass without `exec` at import (core/records.py)
class RollupProgress(Message):
    """How many units of a load are done."""

    done: int
    total: int

    def __init__(self, done: int, total: int) -> None:
        self.done = done
        self.total = total
        super().__init__()


@plain  # a dataclass without `exec` at import (core/records.py)
class LookedAt(Message):
    """The official moved the cursor onto an indicator (its alert mark goes)."""

    indicator_id: str

    def __init__(self, indicator_id: str) -> None:
        self.indicator_id = indicator_id
        super().__init__()
