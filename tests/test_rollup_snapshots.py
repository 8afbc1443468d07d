"""SVG snapshots of the roll-up of the bundled many-units sample (update with
`pytest --snapshot-update`). The roll-up shows no clock; the unit's dashboard is frozen in
test_tui_snapshots.py."""

from __future__ import annotations

from typing import Any

import pytest
from textual.pilot import Pilot

from chitieu_tui.app import ChitieuApp
from chitieu_tui.core.collection import open_folder
from chitieu_tui.core.datadir import BUNDLED_COLLECTION


@pytest.fixture
def app() -> ChitieuApp:
    collection = open_folder(BUNDLED_COLLECTION)
    collection.load()
    return ChitieuApp(None, None, collection=collection, preloaded=True)


async def _shown(pilot: Pilot[Any]) -> None:
    await pilot.pause()


def test_rollup_120x40(snap_compare: Any, app: ChitieuApp) -> None:
    assert snap_compare(app, terminal_size=(120, 40), run_before=_shown)


def test_rollup_80x24(snap_compare: Any, app: ChitieuApp) -> None:
    assert snap_compare(app, terminal_size=(80, 24), run_before=_shown)
