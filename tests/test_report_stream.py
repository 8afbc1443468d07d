"""`chitieu report --format json|csv` of a collection streams unit by unit (issue 23): the
same bytes as the whole document built at once (the oracle below is the code it replaced)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from collectionkit import random_collection, write_unit

from chitieu_tui.cli import main
from chitieu_tui.core import rules
from chitieu_tui.core.collection import Collection, open_folder, totals
from chitieu_tui.core.datadir import BUNDLED_COLLECTION
from chitieu_tui.core.numbers import whole
from chitieu_tui.i18n import use
from chitieu_tui.present import fmt
from chitieu_tui.report import CSV_COLUMNS, _csv_cell, broken_cells, csv_cells
from chitieu_tui.rollup_report import (
    CSV_ROLLUP_COLUMNS,
    render_collection,
    stream_collection,
    to_json_collection,
)


def _whole_csv(collection: Collection) -> str:
    """The collection CSV as it was built before streaming (issue 22), kept as the oracle
    (with the `rules_broken` column of issue 25 last)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_ROLLUP_COLUMNS)
    for m in collection.members:
        board = m.board
        if board is None:
            blank = [""] * (len(CSV_COLUMNS) - 1)
            writer.writerow(
                ["unit", m.key, _csv_cell(m.name), *blank[:10], "error", *blank[10:], "", ""]
            )
            continue
        unit = [board.definitions.unit.id, _csv_cell(board.definitions.unit.name)]
        broken = broken_cells(rules.board_results(board))
        for ev in board.evaluations:
            found = broken.get(ev.indicator.id, "")
            writer.writerow(["unit", *unit, *csv_cells(ev, board.judged), "", found])
    for total in totals(collection.boards()):
        ind = total.indicator
        integer = ind is not None and ind.integer
        writer.writerow(
            [
                "total", "", "", total.id,
                _csv_cell(ind.group) if ind is not None else "",
                _csv_cell(total.name),
                ind.kind if ind is not None else "",
                _csv_cell(total.unit),
                "" if total.value is None else whole(total.value, integer),
                "",
                "" if total.target is None else whole(total.target, integer),
                "",
                "" if total.percent is None else fmt.round2(total.percent),
                total.status.value if total.percent is not None else "",
                *[""] * (len(CSV_COLUMNS) - 11),
                total.units,
                "",
            ]
        )  # fmt: skip
    return out.getvalue()


@pytest.fixture(params=["sample", "generated", "empty-units"])
def root(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    if request.param == "sample":
        found = tmp_path / "sample"
        shutil.copytree(BUNDLED_COLLECTION, found)
        return found
    found = random_collection(tmp_path / "wards", 40)
    write_unit(
        found,
        "zz-texts",
        [{"id": "a", "kind": "level", "unit": '"%", ;', "target": 90}],
        {"2026-Q1": {"a": {"value": 95, "note": 'dòng 1\ndòng "2", ;'}}},
        name='Phường "Lạ", ;\ttab',
    )
    if request.param == "empty-units":
        write_unit(found, "zz-none", [{"id": "b", "kind": "level", "target": 3}])
    return found


@pytest.mark.parametrize("form", ["json", "csv"])
def test_the_streamed_report_is_byte_for_byte_the_whole_one(
    root: Path, form: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code = main(["--lang", "en", "report", "--config", str(root), "--format", form])
    out, _ = capsys.readouterr()
    assert code == 0
    use("en")
    collection = open_folder(root)
    collection.load()
    if form == "json":
        whole_doc = json.dumps(to_json_collection(collection), ensure_ascii=False, indent=2)
        expected = whole_doc + "\n"
    else:
        expected = _whole_csv(collection)
    assert out == expected
    pieces = stream_collection(collection, form)
    assert pieces is not None
    assert "".join(pieces) + ("\n" if form == "json" else "") == expected
    assert render_collection(collection, form) + ("\n" if form == "json" else "") == expected
    # --output writes the same bytes
    target = tmp_path / f"out.{form}"
    assert main(["--lang", "en", "report", "--config", str(root), "--format", form,
                 "-o", str(target)]) == 0  # fmt: skip
    capsys.readouterr()
    assert target.read_text(encoding="utf-8") == expected


def test_a_collection_of_one_unreadable_unit_streams_too(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "wards"
    unit = write_unit(root, "a", [{"id": "x", "kind": "cumulative", "target": 1}])
    (unit / "chitieu.toml").write_text("schema = 1\n[unit\n", encoding="utf-8")
    main(["--lang", "en", "report", "--config", str(root), "--format", "json"])
    out, _ = capsys.readouterr()
    use("en")
    collection = open_folder(root)
    collection.load()
    expected = json.dumps(to_json_collection(collection), ensure_ascii=False, indent=2)
    assert out == expected + "\n"
    assert json.loads(out)["units"][0]["error"]
