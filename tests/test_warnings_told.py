"""A load with many warnings tells the first few, then how many more (not one toast each)."""

from __future__ import annotations

from pathlib import Path

from datadirs import make_datadir
from tuikit import RecordingApp, settle

from chitieu_tui.core.filesource import FileSource
from chitieu_tui.screens.controller import TOLD


async def test_thousands_of_warnings_are_told_in_a_few_notifications(tmp_path: Path) -> None:
    n = 1200
    indicators = "".join(
        f'[[indicator]]\nid = "p-{i}"\ngroup = "g"\nname = "Tỷ lệ {i}"\nunit = "%"\n'
        'kind = "level"\ntarget = 90\n\n'
        for i in range(n)
    )
    values = "".join(f"p-{i} = 150\n" for i in range(n))  # each over the maximum 100
    root = make_datadir(tmp_path, indicators, {"2026-Q1": values})
    app = RecordingApp(FileSource(root))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        warnings = [text for severity, text in app.notes if severity == "warning"]
        assert len(warnings) == TOLD + 1
        assert "100" in warnings[0]
        assert warnings[
            -1
        ] == f"… và {n - TOLD:,} cảnh báo khác: lệnh chitieu check liệt kê đủ".replace(",", ".")
        await pilot.press("r")  # told once: a reload tells nothing again
        await settle(pilot)
        assert len([s for s, _ in app.notes if s == "warning"]) == TOLD + 1
