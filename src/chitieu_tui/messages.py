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
class LookedAt(Message):
    """The official moved the cursor onto an indicator (its alert mark goes)."""

    indicator_id: str
