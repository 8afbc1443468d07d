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
from chitieu_tui.core.collection import Collection, RunningTotals, open_folder, totals
from chitieu_tui.core.datadir import BUNDLED_COLLECTION
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.core.numbers import whole
from chitieu_tui.core.periods import Period
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


def _awkward(root: Path) -> Path:
    """A collection `load` has to think about: a broken unit, mismatched shapes, units without
    Q2, a second folder of a unit id, a unit whose newest quarter cannot be read (it must not
    set the common period), one that stopped in Q1 (read again at the common period), one
    with no progress at all, and numbers Python writes in exponent form."""
    random_collection(root, 24)
    ind = [{"id": "thu", "kind": "cumulative", "unit": "tỉ đồng", "target": 100}]
    write_unit(root, "u005", ind, {"2026-Q2": {"thu": 7}}, folder="zz-again")
    broken = write_unit(root, "zz-newer", ind, {"2026-Q2": {"thu": 3}})
    (broken / "progress" / "2026-Q3.toml").write_text("schema = 1\n[values\n", encoding="utf-8")
    write_unit(root, "zz-old", ind, {"2026-Q1": {"thu": 4}})
    write_unit(root, "zz-none", ind)
    tiny = [{"id": "nho", "kind": "cumulative", "unit": "tấn", "target": 1e15}]
    write_unit(root, "zz-tiny", tiny, {"2026-Q2": {"nho": 0.00002}})  # exponent form: json's
    return root


TARGETS = """
[[indicator]]
id = "thu"
target = 305
basis = "Quyết định số 1/QĐ-UBND (thử)"
units = { zz-newer = 200, zz-old = 5, zz-none = 100 }
"""


@pytest.mark.parametrize("targets", [False, True])
@pytest.mark.parametrize("period", [None, "2026-Q1", "2026-Q3"])
@pytest.mark.parametrize("form", ["json", "csv"])
def test_a_streamed_awkward_collection_is_the_whole_report(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    form: str,
    period: str | None,
    targets: bool,
) -> None:
    """`targets`: with a targets/2026.toml (its checks take what the stream read of each
    unit, not every unit's definitions read again after it)."""
    root = _awkward(tmp_path / "wards")
    if targets:
        (root / "targets").mkdir()
        (root / "targets" / "2026.toml").write_text(TARGETS, encoding="utf-8")
    chosen = ["--period", period] if period else []
    code = main(["--lang", "en", "report", "--config", str(root), "--format", form, *chosen])
    out, err = capsys.readouterr()
    assert code == 0
    use("en")
    collection = open_folder(root)
    collection.load(Period.parse(period) if period else None)
    assert (collection.targets is not None) == targets
    if form == "json":
        expected = json.dumps(to_json_collection(collection), ensure_ascii=False, indent=2) + "\n"
    else:
        expected = _whole_csv(collection)
    assert out == expected
    if period is None:
        assert str(collection.period) == "2026-Q2"  # zz-newer's broken Q3 does not count
    # the same warnings, in the same order, as a report that reads every unit first
    main(["--lang", "en", "report", "--config", str(root), "--format", "markdown", *chosen])
    assert err == capsys.readouterr().err
    assert "zz-again" in err
    assert ("zz-newer" in err) == (period != "2026-Q1")  # its Q3 is read unless Q1 is asked
    target = tmp_path / f"out.{form}"  # --output: the same bytes, streamed too
    argv = ["--lang", "en", "report", "--config", str(root), "--format", form, *chosen]
    assert main([*argv, "-o", str(target)]) == 0
    assert target.read_bytes() == expected.encode("utf-8")


def test_the_stream_holds_one_unit_at_a_time(tmp_path: Path) -> None:
    root = _awkward(tmp_path / "wards")
    collection = open_folder(root)
    seen = 0
    for m in collection.stream():
        held = [x for x in collection.members if x.view is not None]
        assert held in ([], [m])
        read = [x for x in collection.members if isinstance(x.source, FileSource)]
        assert all(x.source.data._defs is None for x in read if x is not m)
        seen += 1
    assert seen == len(collection.members)
    assert all(m.view is None for m in collection.members)
    assert str(collection.period) == "2026-Q2"
    assert sum(m.duplicate for m in collection.members) == 1


@pytest.mark.parametrize("seed", range(6))
def test_running_totals_are_the_totals_number_for_number(tmp_path: Path, seed: int) -> None:
    root = random_collection(tmp_path / f"w{seed}", 30, seed=seed)
    collection = open_folder(root)
    collection.load()
    running = RunningTotals()
    for board in collection.boards():
        running.add(board)
    assert running.totals() == totals(collection.boards())
    some = ["kn", "nothing-here", "thu"]
    assert running.totals(some) == totals(collection.boards(), some)


def test_a_targets_file_changed_during_the_stream_is_checked_against_whole_units(
    tmp_path: Path,
) -> None:
    """The stream keeps of each unit only the indicators the targets file assigned when it
    began; a file that assigns another one by the end (edited meanwhile) is checked against
    the units' whole definitions, as a load reads it, not against what the stream kept."""
    root = _awkward(tmp_path / "wards")
    (root / "targets").mkdir()
    path = root / "targets" / "2026.toml"
    path.write_text(TARGETS, encoding="utf-8")
    more = '\n[[indicator]]\nid = "nho"\ntarget = 10\nbasis = "Thử"\nunits = { zz-tiny = 10 }\n'
    collection = open_folder(root)
    for n, _ in enumerate(collection.stream()):
        if n == 0:
            path.write_text(TARGETS + more, encoding="utf-8")
    whole = open_folder(root)
    whole.load()
    assert whole.targets is not None and whole.targets.assignment("nho") is not None
    assert collection.targets == whole.targets
