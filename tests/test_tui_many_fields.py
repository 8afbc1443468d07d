"""A unit of many fields and indicators: the table keeps its room on screen, counts are
written with the separator (`1.200`), and the fields past three lines are counted."""

from __future__ import annotations

from pathlib import Path

import pytest
from tuikit import RecordingApp, dash, settle

from chitieu_tui.core.filesource import FileSource
from chitieu_tui.i18n import use
from chitieu_tui.widgets import IndicatorTable, SummaryBar

FIELDS, PER_FIELD = 150, 8


def many_fields(tmp_path: Path) -> Path:
    """150 fields of 8 indicators (1,200), one quarter reported, half of them met."""
    root = tmp_path / "many"
    (root / "progress").mkdir(parents=True)
    head = ["schema = 1", "", "[unit]", 'id = "thu"', 'name = "Phường Thử"', "year = 2026", ""]
    body = [f'[[group]]\nid = "g{g}"\nname = "Lĩnh vực {g}"\n' for g in range(FIELDS)]
    values = []
    for i in range(FIELDS * PER_FIELD):
        body.append(
            f'[[indicator]]\nid = "c{i}"\ngroup = "g{i // PER_FIELD}"\n'
            f'name = "Chỉ tiêu {i}"\nunit = "hộ"\nkind = "level"\ntarget = 10\n'
        )
        values.append(f"c{i} = {10 if i % 2 else 1}")
    (root / "chitieu.toml").write_text("\n".join(head + body), encoding="utf-8")
    (root / "progress" / "2026-Q1.toml").write_text(
        'schema = 1\nunit = "thu"\nperiod = "2026-Q1"\nas_of = 2026-03-31\n\n[values]\n'
        + "\n".join(values)
        + "\n",
        encoding="utf-8",
    )
    return root


@pytest.mark.parametrize(
    ("lang", "met", "more", "title"),
    [
        ("vi", "600/1.200 chỉ tiêu đạt", "và {n} lĩnh vực khác", "(1.200)"),
        ("en", "600/1,200 targets met", "and {n} more fields", "(1,200)"),
    ],
)
async def test_many_fields_leave_the_table_its_room(
    tmp_path: Path, lang: str, met: str, more: str, title: str
) -> None:
    use(lang)
    try:
        app = RecordingApp(FileSource(many_fields(tmp_path)))
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(pilot)
            bar = dash(app).query_one(SummaryBar)
            lines = bar.render().plain.splitlines()
            assert met in lines[0]
            assert len(lines) == 1 + 3 and bar.size.height == 4  # the fields: 3 lines
            fields = " · ".join(lines[1:])
            shown = fields.count("Lĩnh vực ")
            assert 0 < shown < FIELDS
            assert fields.rstrip().endswith(more.format(n=FIELDS - shown))
            # indented by a space, but a line the terminal's whole width (as with few fields)
            assert all(len(line) == 120 or line.startswith(" ") for line in lines)
            assert lines[-1].startswith(" ") and len(lines[-1]) < 120
            assert "Lĩnh vực 0 4/8" in fields  # each field's own count, as before
            table = dash(app).query_one(IndicatorTable)
            assert table.size.height >= 15  # rows on screen, not pushed off by the fields
            assert title in str(table.border_title)
            assert table.region.bottom <= 40
    finally:
        use("vi")


async def test_a_few_fields_are_all_shown(tmp_path: Path) -> None:
    """Below three lines nothing is counted away (the sample: every field named)."""
    root = many_fields(tmp_path)
    text = (root / "chitieu.toml").read_text(encoding="utf-8")
    cut = text.index('[[group]]\nid = "g4"')  # four fields, their 32 indicators
    kept = text[:cut] + "\n".join(
        block
        for block in text[cut:].split("\n\n")
        if block.startswith("[[indicator]]") and int(block.split('"c')[1].split('"')[0]) < 32
    )
    (root / "chitieu.toml").write_text(kept, encoding="utf-8")
    app = RecordingApp(FileSource(root))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        lines = dash(app).query_one(SummaryBar).render().plain.splitlines()
        assert len(lines) == 2 and "khác" not in lines[1]
        assert [f"Lĩnh vực {g} 4/8" in lines[1] for g in range(4)] == [True] * 4
