"""Collections and their totals (docs/rollup.md): hand-computed, table-driven."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from collectionkit import independent_totals, random_collection, write_unit

from chitieu_tui.core.collection import (
    Collection,
    default_columns,
    is_collection,
    load_collection_info,
    open_folder,
    totals,
)
from chitieu_tui.core.datadir import BUNDLED, BUNDLED_COLLECTION
from chitieu_tui.core.errors import ChitieuError, DataError
from chitieu_tui.core.model import Indicator, aggregate_of
from chitieu_tui.core.periods import Period
from chitieu_tui.i18n import use
from chitieu_tui.present.rollup import header_text
from chitieu_tui.rollup_report import to_json_collection

CUM = {"kind": "cumulative", "unit": "tỉ đồng"}
PCT = {"kind": "level", "unit": "%"}

# (name, units as [(indicator fields, {period: value or None})], period, expected total)
CASES: list[tuple[str, list[tuple[dict[str, Any], dict[str, Any]]], str, dict[str, Any]]] = [
    (
        "sum of values and of different targets",
        [({**CUM, "target": 100}, {"2026-Q1": 30}), ({**CUM, "target": 50}, {"2026-Q1": 10})],
        "2026-Q1",
        {"aggregate": "sum", "value": 40.0, "target": 150.0, "percent": 26.67, "units": 2},
    ),
    (
        "a unit without data takes no part (nor its target)",
        [({**CUM, "target": 100}, {"2026-Q1": 30}), ({**CUM, "target": 50}, {})],
        "2026-Q1",
        {"aggregate": "sum", "value": 30.0, "target": 100.0, "percent": 30.0, "units": 1},
    ),
    (
        "mean of a level in %",
        [({**PCT, "target": 95}, {"2026-Q1": 90}), ({**PCT, "target": 100}, {"2026-Q1": 80})],
        "2026-Q1",
        {"aggregate": "mean", "value": 85.0, "target": 97.5, "percent": 87.18, "units": 2},
    ),
    (
        "a different unit of measure takes no part",
        [
            ({**CUM, "target": 100}, {"2026-Q1": 30}),
            ({**CUM, "target": 50}, {"2026-Q1": 10}),
            ({**CUM, "unit": "triệu đồng", "target": 20000}, {"2026-Q1": 5000}),
        ],
        "2026-Q1",
        {"aggregate": "sum", "value": 40.0, "target": 150.0, "percent": 26.67, "units": 2},
    ),
    (
        "a different kind takes no part (tie: the first unit's definition)",
        [
            ({**CUM, "target": 100}, {"2026-Q1": 30}),
            ({**CUM, "kind": "level", "target": 50}, {"2026-Q1": 10}),
        ],
        "2026-Q1",
        {"aggregate": "sum", "value": 30.0, "target": 100.0, "percent": 30.0, "units": 1},
    ),
    (
        "year to date of quarter-reported values",
        [
            ({**CUM, "report": "quarter", "target": 30}, {"2026-Q1": 5, "2026-Q2": 3}),
            ({**CUM, "report": "quarter", "target": 20}, {"2026-Q2": 4}),
        ],
        "2026-Q2",
        {"aggregate": "sum", "value": 12.0, "target": 50.0, "percent": 24.0, "units": 2},
    ),
    (
        "a level not in %: none",
        [
            ({"kind": "level", "unit": "hộ", "target": 10}, {"2026-Q1": 5}),
            ({"kind": "level", "unit": "hộ", "target": 20}, {"2026-Q1": 5}),
        ],
        "2026-Q1",
        {"aggregate": "none", "value": None, "target": None, "percent": None, "units": 2},
    ),
    (
        "aggregate = sum on a level",
        [
            ({"kind": "level", "unit": "hộ", "aggregate": "sum", "target": 10}, {"2026-Q1": 5}),
            ({"kind": "level", "unit": "hộ", "aggregate": "sum", "target": 30}, {"2026-Q1": 15}),
        ],
        "2026-Q1",
        {"aggregate": "sum", "value": 20.0, "target": 40.0, "percent": 50.0, "units": 2},
    ),
    (
        "aggregate = none on a cumulative",
        [({**CUM, "aggregate": "none", "target": 100}, {"2026-Q1": 30})],
        "2026-Q1",
        {"aggregate": "none", "value": None, "target": None, "percent": None, "units": 1},
    ),
    (
        "nobody has a value",
        [({**CUM, "target": 100}, {}), ({**CUM, "target": 50}, {})],
        "2026-Q1",
        {"aggregate": "sum", "value": None, "target": None, "percent": None, "units": 0},
    ),
]


def _collection(
    root: Path, units: list[tuple[dict[str, Any], dict[str, Any]]], period: str = "2026-Q1"
) -> Collection:
    for n, (fields, values) in enumerate(units):
        by_period = {p: ({"x": v} if v is not None else {}) for p, v in values.items()}
        inds = [{"id": "x", **fields}]
        # every unit reports something up to `period`, so all share it
        inds.append({"id": "y", "kind": "level", "unit": "", "target": 1})
        for p in ("2026-Q1", "2026-Q2")[: int(period[-1])]:
            by_period.setdefault(p, {})["y"] = 1
        write_unit(root, f"u{n}", inds, by_period)
    return open_folder(root)


@pytest.mark.parametrize(("name", "units", "period", "want"), CASES, ids=[c[0] for c in CASES])
def test_totals_by_hand(
    tmp_path: Path,
    name: str,
    units: list[tuple[dict[str, Any], dict[str, Any]]],
    period: str,
    want: dict[str, Any],
) -> None:
    collection = _collection(tmp_path / "c", units, period)
    collection.load()
    assert collection.period == Period.parse(period)
    (total,) = totals(collection.boards(), ["x"])
    assert total.aggregate == want["aggregate"]
    assert total.value == pytest.approx(want["value"])
    assert total.target == pytest.approx(want["target"])
    got = None if total.percent is None else round(total.percent, 2)
    assert got == want["percent"]
    assert total.units == want["units"]


def test_a_broken_unit_is_kept_and_hides_nothing(tmp_path: Path) -> None:
    root = tmp_path / "c"
    units = [({**CUM, "target": 100}, {"2026-Q1": 30}), ({**CUM, "target": 50}, {"2026-Q1": 10})]
    _collection(root, units)
    broken = write_unit(root, "zz", [{"id": "x", **CUM, "target": 1}], {"2026-Q1": {"x": 1}})
    (broken / "chitieu.toml").write_text('schema = 1\n[unit]\nid = "zz"\nname = 5\n')
    collection = open_folder(root)
    collection.load()
    assert collection.period == Period(2026, 1)
    bad = collection.members[-1]
    assert bad.key == "zz" and bad.board is None
    assert isinstance(bad.error, DataError)
    assert "zz/chitieu.toml:4" in bad.error.render("en")
    (total,) = totals(collection.boards(), ["x"])
    assert (total.value, total.units) == (40.0, 2)
    use("en")
    doc = to_json_collection(collection)
    assert [u["unit"] for u in doc["units"]] == ["u0", "u1", "zz"]
    assert doc["units"][2]["summary"] is None
    assert "zz/chitieu.toml:4" in doc["units"][2]["error"]


def test_the_common_period_is_the_newest_any_unit_has(tmp_path: Path) -> None:
    root = tmp_path / "c"
    write_unit(root, "a", [{"id": "x", **CUM, "target": 10}], {"2026-Q1": {"x": 1}})
    write_unit(root, "b", [{"id": "x", **CUM, "target": 10}], {"2026-Q2": {"x": 4}})
    collection = open_folder(root)
    collection.load()
    assert collection.period == Period(2026, 2)
    assert all(m.view is not None and m.view.period == Period(2026, 2) for m in collection.members)
    assert [m.reporting for m in collection.members] == [False, True]


def test_default_aggregates() -> None:
    def ind(**kw: Any) -> Indicator:
        return Indicator(id="x", group="g", name="x", **kw)

    assert aggregate_of(ind(kind="cumulative", target=1)) == "sum"
    assert aggregate_of(ind(kind="level", unit="%", target=1)) == "mean"
    assert aggregate_of(ind(kind="level", unit="hộ", target=1)) == "none"
    assert aggregate_of(ind(kind="milestone", due="2026-Q1")) == "none"
    assert aggregate_of(ind(kind="level", unit="hộ", target=1, aggregate="sum")) == "sum"


def test_aggregate_is_validated(tmp_path: Path) -> None:
    from chitieu_tui.core.datadir import DataDir

    unit = write_unit(
        tmp_path, "a", [{"id": "m", "kind": "milestone", "due": "2026-Q1", "aggregate": "sum"}]
    )
    with pytest.raises(ChitieuError) as info:
        DataDir(unit).definitions()
    assert info.value.code == "err.in_item"
    assert "aggregate" in info.value.render("en")
    bad = write_unit(tmp_path, "b", [{"id": "x", **CUM, "target": 1, "aggregate": "total"}])
    with pytest.raises(DataError) as info2:
        DataDir(bad).definitions()
    assert "sum, mean, none" in info2.value.render("en")
    assert ":" in str(info2.value.place)


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ('name = "X"\ncolour = 1\n', "chitieu.toml"),
        ('name = "X"\ncolumns = "bhyt"\n', "columns"),
        ('name = "X"\ncolumns = ["bhyt", "BHYT"]\n', "columns"),
        ('name = "X"\ncolumns = ["bhyt", "bhyt"]\n', "twice"),
        ("name = [\n", "collection.toml:"),
    ],
)
def test_collection_toml_is_strict(tmp_path: Path, text: str, want: str) -> None:
    path = tmp_path / "collection.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ChitieuError) as info:
        load_collection_info(path, "c/collection.toml")
    rendered = info.value.render("en")
    assert rendered.startswith("c/collection.toml:")
    if want != "chitieu.toml":
        assert want in rendered


def test_collection_toml_unknown_key_has_line(tmp_path: Path) -> None:
    path = tmp_path / "collection.toml"
    path.write_text('name = "X"\n\ncolour = 1\n', encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_collection_info(path, "collection.toml")
    assert str(info.value.place) == "collection.toml:3:1"
    assert "colour" in info.value.render("en")


def test_columns_default_to_the_shared_headline_ids(tmp_path: Path) -> None:
    root = tmp_path / "c"
    inds = [{"id": i, **CUM, "target": 1} for i in ("a", "b", "c", "d")]
    write_unit(root, "u1", inds, headline=["a", "b"])
    write_unit(root, "u2", inds, headline=["b", "c"])
    write_unit(root, "u3", inds, headline=["b", "a"])
    collection = open_folder(root)
    collection.load()
    assert collection.shown_columns() == ["a", "b"]
    (root / "collection.toml").write_text('columns = ["d", "c"]\n', encoding="utf-8")
    again = open_folder(root)
    again.load()
    assert again.shown_columns() == ["d", "c"]
    assert default_columns([]) == []


def test_what_is_a_collection(tmp_path: Path) -> None:
    assert is_collection(BUNDLED_COLLECTION)
    assert not is_collection(BUNDLED)
    assert not is_collection(tmp_path / "missing")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert not is_collection(empty)
    (empty / "collection.toml").write_text('name = "X"\n', encoding="utf-8")
    assert is_collection(empty)
    with pytest.raises(DataError) as info:
        open_folder(empty)
    assert info.value.code == "err.collection.empty"


def test_the_sample_keeps_my_thoi_unchanged() -> None:
    mine = BUNDLED_COLLECTION / "my-thoi"
    files = sorted(p.relative_to(BUNDLED) for p in BUNDLED.rglob("*.toml"))
    assert files == sorted(p.relative_to(mine) for p in mine.rglob("*.toml"))
    for rel in files:
        assert (mine / rel).read_bytes() == (BUNDLED / rel).read_bytes(), rel


def test_the_sample_collection_loads(tmp_path: Path) -> None:
    collection = open_folder(BUNDLED_COLLECTION)
    collection.load()
    assert collection.period == Period(2026, 1)
    assert all(m.error is None for m in collection.members)
    my_thoi = next(m for m in collection.members if m.key == "my-thoi")
    assert my_thoi.board is not None and my_thoi.board.summary.met == 8
    assert my_thoi.source.label.endswith("my-thoi/")
    assert my_thoi.view is not None and my_thoi.view.read_only  # never written


@pytest.mark.parametrize("period", ["2026-Q1", "2026-Q2"])
def test_report_json_matches_an_independent_computation(tmp_path: Path, period: str) -> None:
    root = random_collection(tmp_path / "c", 40)
    collection = open_folder(root)
    collection.load(Period.parse(period))
    use("en")
    doc = json.loads(json.dumps(to_json_collection(collection)))
    assert_matches(doc, independent_totals(root, period))


def assert_matches(doc: dict[str, Any], want: dict[str, dict[str, Any]]) -> None:
    """Every total of the report equals the independent one."""
    got = {x["id"]: x for x in doc["totals"]}
    assert set(got) == set(want)
    for iid, w in want.items():
        g = got[iid]
        assert g["aggregate"] == w["aggregate"], iid
        assert g["units"] == w["units"], iid
        assert g["value"] == pytest.approx(w["value"]), iid
        assert g["target"] == pytest.approx(w["target"]), iid
        assert g["percent_of_target"] == pytest.approx(w["percent_of_target"], abs=0.011), iid
    broken = [u for u in doc["units"] if u["summary"] is None]
    assert [u["unit"] for u in broken] == ["u002"]


def test_sample_copied_is_writable(tmp_path: Path) -> None:
    copy = tmp_path / "c"
    shutil.copytree(BUNDLED_COLLECTION, copy)
    collection = open_folder(copy)
    collection.load()
    assert not any(m.view is not None and m.view.read_only for m in collection.members)


def test_the_header_writes_its_counts_as_numbers() -> None:
    """The country's header says `2.657/3.321 đơn vị báo cáo` (vi) and `2,657/3,321` (en),
    not `2657/3321`."""
    units = [SimpleNamespace(reporting=i < 2657) for i in range(3321)]
    fake: Any = SimpleNamespace(period=Period(2026, 1), name="Tỉnh", units=lambda: units)
    use("vi")
    assert header_text(fake) == "Tỉnh · Quý I/2026 · 2.657/3.321 đơn vị báo cáo"
    use("en")
    assert header_text(fake).endswith(" · 2,657/3,321 units reporting")
