"""SVG snapshots of the dashboard (update with `pytest --snapshot-update`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from tuikit import settle

from chitieu_tui.app import ChitieuApp
from chitieu_tui.core.datadir import BUNDLED
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.core.periods import Period
from chitieu_tui.core.source import View
from chitieu_tui.i18n import Msg

VN = dt.timezone(dt.timedelta(hours=7))
LOADED = dt.datetime(2026, 4, 2, 8, 30, tzinfo=VN)


class FrozenSource:
    """The bundled sample, labelled `config/` and always loaded at 08:30 (UTC+7)."""

    read_only = False
    label = "config/"

    def __init__(self, snapshots: Path) -> None:
        self.inner = FileSource(BUNDLED, snapshots=snapshots)

    def load(self, period: Period | None = None, history: int = 5) -> View:
        view = self.inner.load(period)
        board = view.board
        if board.progress is not None:  # the file's mtime depends on the checkout
            progress = dataclasses.replace(board.progress, modified=LOADED)
            board = dataclasses.replace(board, progress=progress)
        return dataclasses.replace(
            view,
            board=board,
            loaded_at=LOADED,
            source_label=self.label,
            source_kind="file",
            read_only=False,
        )

    check_seconds = 3600.0

    def stamp(self, period: Period | None) -> object:
        return None  # never changes: no reload during a snapshot test

    def preload(self, period: Period | None) -> View | None:
        return None

    async def aload(self, period: Period | None = None, history: int = 5) -> View:
        return self.load(period)

    def last_checked(self) -> dt.datetime | None:
        return None

    def retry_hint(self) -> Msg:
        return Msg("retry_files")

    async def aclose(self) -> None:
        pass

    def snapshot(self, view: View) -> Path:
        raise AssertionError("snapshot tests never write")


@pytest.fixture
def app(tmp_path: Path) -> ChitieuApp:
    return ChitieuApp(FrozenSource(tmp_path / "snapshots"), now=lambda: LOADED)


def test_dashboard_120x40(snap_compare: Any, app: ChitieuApp) -> None:
    assert snap_compare(app, terminal_size=(120, 40), run_before=settle)


def test_dashboard_80x24(snap_compare: Any, app: ChitieuApp) -> None:
    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)


def test_behind_only_80x24(snap_compare: Any, app: ChitieuApp) -> None:
    async def behind(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("b")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=behind)


def test_detail_100x32(snap_compare: Any, app: ChitieuApp) -> None:
    async def detail(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("down", "enter")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(100, 32), run_before=detail)


def test_path_80x24(snap_compare: Any, app: ChitieuApp) -> None:
    """The first headline card's year's path (key 1): chart, legend, at 80×24."""

    async def path(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        await pilot.press("1")
        await pilot.pause()

    assert snap_compare(app, terminal_size=(80, 24), run_before=path)
