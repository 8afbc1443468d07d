"""A unit id in two folders is one unit in the roll-up's header, summary and left-out line,
as in the totals (issue 18, item 9's leftover): the later folder is listed with its error,
never counted as a unit not reporting. Real folders in tmp_path, Pilot for the TUI."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.widgets import Static
from tuikit import RecordingApp, settle

from chitieu_tui.core.collection import open_folder, totals
from chitieu_tui.core.datadir import BUNDLED_COLLECTION
from chitieu_tui.i18n import use
from chitieu_tui.present.rollup import header_text, left_out_text, summary_text

pytestmark = pytest.mark.timeout(90)


@pytest.fixture
def province(tmp_path: Path) -> Path:
    """The five-unit sample (four report in 2026-Q1) and a copy of my-thoi in `zz-copy`."""
    root = tmp_path / "province"
    shutil.copytree(BUNDLED_COLLECTION, root)
    shutil.copytree(root / "my-thoi", root / "zz-copy")
    return root


def test_a_duplicate_folder_is_not_counted_as_a_unit(province: Path) -> None:
    collection = open_folder(province)
    collection.load()
    assert len(collection.members) == 6  # still listed, with its error
    (dup,) = [m for m in collection.members if m.error is not None]
    assert dup.key == "zz-copy" and dup.duplicate
    assert len(collection.units()) == 5
    assert header_text(collection).endswith(" · 4/5 đơn vị báo cáo")
    use("en")
    assert header_text(collection).endswith(" · 4/5 units reporting")
    use("vi")
    assert "/5 đơn vị đạt mọi chỉ tiêu" in summary_text(collection)
    # the totals count my-thoi once: the left-out line does not say it is left out
    columns = collection.shown_columns()
    alone = open_folder(BUNDLED_COLLECTION)
    alone.load()
    assert totals(collection.boards(), columns) == totals(alone.boards(), columns)
    assert "Mỹ Thới" not in left_out_text(collection, columns)


async def test_the_rollup_header_counts_a_duplicate_once(province: Path) -> None:
    collection = open_folder(province)
    collection.load()
    app = RecordingApp(None, None, collection=collection, preloaded=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        header = str(app.screen.query_one("#rollup-header", Static).render())
        assert header.endswith("4/5 đơn vị báo cáo"), header
