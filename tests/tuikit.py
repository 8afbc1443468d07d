"""Helpers for driving the dashboard with Pilot."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from textual.pilot import Pilot
from textual.worker import WorkerFailed

from chitieu_tui.app import AppCommands, ChitieuApp
from chitieu_tui.core.periods import Period
from chitieu_tui.core.source import View
from chitieu_tui.i18n import Msg
from chitieu_tui.screens.controller import ScreenCommands
from chitieu_tui.screens.dashboard import DashboardScreen
from chitieu_tui.screens.rollup import RollupScreen


class RecordingApp(ChitieuApp):
    """The app, remembering its notifications as (severity, text)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.notes: list[tuple[str, str]] = []

    def notify(self, message: str, *args: Any, severity: str = "information", **kw: Any) -> None:
        self.notes.append((severity, str(message)))
        super().notify(message, *args, severity=severity, **kw)  # type: ignore[arg-type]


async def settle(pilot: Pilot[Any]) -> None:
    """Wait for the workers (failed ones too) and for their messages to be shown."""
    for _ in range(2):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerFailed:
            pass
        await pilot.pause()
    await pilot.pause()


class FixedSource:
    """A source that always answers the same view, like a server that never changes."""

    label = "api:http://example.invalid"
    check_seconds = 3600.0

    def __init__(self, view: View) -> None:
        self.view = view
        self.calls: list[Period | None] = []
        self.closed = False

    def stamp(self, period: Period | None) -> object:
        return object()

    def preload(self, period: Period | None) -> View | None:
        return None

    def load(self, period: Period | None = None, history: int = 5) -> View:
        return self.view

    async def aload(self, period: Period | None = None, history: int = 5) -> View:
        self.calls.append(period)
        return self.view

    def last_checked(self) -> dt.datetime | None:
        return None

    def retry_hint(self) -> Msg:
        return Msg("retry_hint", n=3600)

    def snapshot(self, view: View) -> Path:
        raise AssertionError("not called")

    async def aclose(self) -> None:
        self.closed = True


def dash(app: Any) -> DashboardScreen:
    """The unit's dashboard screen of a running app (under any detail, help or form)."""
    return next(s for s in reversed(app.screen_stack) if isinstance(s, DashboardScreen))


def rollup_of(app: Any) -> RollupScreen:
    """The roll-up screen of a running app (under any unit's dashboard)."""
    return next(s for s in app.screen_stack if isinstance(s, RollupScreen))


async def drawn_rows(pilot: Any, table: Any) -> tuple[set[int], set[int], int]:
    """The rows a Line API table (widgets/line_table.py) draws on its first screen and after
    End, and its height in lines (every line is drawn again first)."""
    drawn: list[int] = []
    row_line = table._row_line

    def counting(index: int, cursor: bool, hover: bool) -> Any:
        drawn.append(index)
        return row_line(index, cursor, hover)

    table._row_line = counting
    table._restyle()
    await pilot.pause()
    first = set(drawn)
    drawn.clear()
    await pilot.press("end")
    await pilot.pause()
    return first, set(drawn), table.scrollable_content_region.height


class PaletteCommands:
    """What the palette offers over `screen`: the screen's commands, then the app's."""

    def __init__(self, screen: Any) -> None:
        self.providers = [ScreenCommands(screen), AppCommands(screen)]

    async def discover(self) -> AsyncIterator[Any]:
        for provider in self.providers:
            async for hit in provider.discover():
                yield hit

    async def search(self, query: str) -> AsyncIterator[Any]:
        for provider in self.providers:
            async for hit in provider.search(query):
                yield hit
