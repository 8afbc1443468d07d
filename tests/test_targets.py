"""targets/<year>.toml (issue 21 item 1): a strict schema, each problem at its line:col."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chitieu_tui.core import targets as targets_module
from chitieu_tui.core.collection import open_folder
from chitieu_tui.core.errors import ChitieuError, DataError, flatten
from chitieu_tui.core.targets import (
    UnitDefs,
    collection_units,
    load_targets,
    target_problems,
    targets_from_text,
    targets_path,
)
from chitieu_tui.core.tomlfile import parse_toml_text
from chitieu_tui.i18n import use
from tests.collectionkit import write_unit

THU = {"id": "thu", "kind": "cumulative", "unit": "tỉ đồng", "target": 100.0}
QUAN = {"id": "quan", "kind": "cumulative", "unit": "người", "target": 10, "integer": True}
MOC = {"id": "moc", "kind": "milestone", "unit": "mốc", "due": "2026-Q2"}


def province(tmp_path: Path, targets: str | None = None) -> Path:
    """Three units: `a` adopts 100 of thu, `b` 80, `c` lacks it; the targets file."""
    root = tmp_path / "tinh"
    write_unit(root, "a", [THU, QUAN, MOC], {"2026-Q1": {"thu": 30.0, "quan": 4}})
    write_unit(root, "b", [{**THU, "target": 80.0}, QUAN], {"2026-Q1": {"thu": 50.0}})
    write_unit(root, "c", [QUAN])
    if targets is not None:
        (root / "targets").mkdir()
        (root / "targets" / "2026.toml").write_text(targets, encoding="utf-8")
    return root


def load(root: Path, year: int = 2026) -> Any:
    collection = open_folder(root)
    units = collection_units(collection.members, year)
    return load_targets(targets_path(root, year), year, units, f"targets/{year}.toml"), units


GOOD = """\
# illustrative
[[indicator]]
id = "thu"
target = 250
basis = "Quyết định số 12/QĐ-UBND ngày 05/01/2026"
units = { a = 100, b = 90.5, "c" = 0 }

[[indicator]]
id = "quan"
units = { a = 10, b = 12 }
"""


def errors_of(root: Path) -> list[str]:
    use("en")
    with pytest.raises(ChitieuError) as info:
        load(root)
    return [e.render() for e in flatten(info.value)]


def test_a_good_file_reads_with_its_basis_and_numbers(tmp_path: Path) -> None:
    targets, _ = load(province(tmp_path, GOOD))
    thu = targets.assignment("thu")
    assert thu.target == 250.0
    assert thu.basis.startswith("Quyết định số 12")
    assert thu.units == {"a": 100.0, "b": 90.5, "c": 0.0}
    assert thu.assigned_sum == 190.5
    assert targets.assignment("quan").target is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '[[indicator]]\nid = "thu"\nunits = { a = 1, zz = 2 }\n',
            'targets/2026.toml:3:18: indicator "thu": the collection has no unit "zz"',
        ),
        (
            '[[indicator]]\nid = "khong"\nunits = { a = 1 }\n',
            'targets/2026.toml:2:1: indicator "khong": no unit of the collection has an indicator "khong" this year',
        ),
        (
            '[[indicator]]\nid = "thu"\nunits = { a = -1 }\n',
            'targets/2026.toml:3:11: indicator "thu": unit "a": a target cannot be negative, got -1',
        ),
        (
            '[[indicator]]\nid = "thu"\nunits = { a = nan }\n',
            'targets/2026.toml:3:11: indicator "thu": unit "a": must be a finite number, got nan',
        ),
        (
            '[[indicator]]\nid = "thu"\nunits = { a = inf }\n',
            'targets/2026.toml:3:11: indicator "thu": unit "a": must be a finite number, got inf',
        ),
        (
            '[[indicator]]\nid = "thu"\nunits = { a = "5" }\n',
            'targets/2026.toml:3:11: indicator "thu": unit "a": must be a number, got "5"',
        ),
        (
            '[[indicator]]\nid = "thu"\nunits = { a = true }\n',
            'targets/2026.toml:3:11: indicator "thu": unit "a": must be a number, got true',
        ),
        (
            '[[indicator]]\nid = "thu"\ntarget = -5\n',
            'targets/2026.toml:3:1: indicator "thu": a target cannot be negative, got -5',
        ),
        (
            '[[indicator]]\nid = "quan"\nunits = { a = 2.5 }\n',
            'targets/2026.toml:3:11: indicator "quan": unit "a": this indicator counts whole things, got 2.5',
        ),
        (
            '[[indicator]]\nid = "moc"\nunits = { a = 1 }\n',
            'targets/2026.toml:2:1: indicator "moc": a milestone cannot be assigned a number',
        ),
        (
            '[[indicator]]\nid = "thu"\ncolour = 1\n',
            'targets/2026.toml:3:1: indicator "thu": unknown field "colour"',
        ),
        (
            '[[indicator]]\nid = "thu"\nbasis = 5\n',
            'targets/2026.toml:3:1: indicator "thu": basis must be text, got 5',
        ),
        (
            "year = 2025\n",
            "targets/2026.toml:1:1: the file of year 2026 says year = 2025; year must match the file's name",
        ),
        (
            '[[indicator]]\nid = "thu"\n[[indicator]]\nid = "thu"\n',
            'targets/2026.toml:4:1: indicator "thu": indicator "thu" is assigned twice in the file',
        ),
        (
            '[[indicator]]\nid = "Thu!"\n',
            'targets/2026.toml:2:1: indicator "Thu!": id must use only a-z, 0-9 and -, got "Thu!"',
        ),
        ("schema = 2\n", "targets/2026.toml:1:1: schema must be 1, got 2"),
    ],
)
def test_each_problem_is_named_at_its_place(tmp_path: Path, text: str, expected: str) -> None:
    assert errors_of(province(tmp_path, text)) == [expected]


def test_units_in_a_table_of_their_own_are_found_too(tmp_path: Path) -> None:
    text = '[[indicator]]\nid = "thu"\n[indicator.units]\na = 1\nzz = 2\n'
    assert errors_of(province(tmp_path, text)) == [
        'targets/2026.toml:5:1: indicator "thu": the collection has no unit "zz"'
    ]


def test_a_sound_file_looks_for_no_units_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A unit's place in the file is looked for only when it has a problem to name there
    (issue 23: looked for on each of the country's 3,321 units, each a scan of the file,
    it was 17 s); a problem still names its place."""
    root = province(tmp_path, GOOD)

    def never(*_: object) -> None:
        raise AssertionError("a place looked for without a problem")

    monkeypatch.setattr(targets_module, "_key_place", never)
    targets, _ = load(root)
    assert targets.assignment("quan").units == {"a": 10.0, "b": 12.0}
    monkeypatch.undo()
    assert errors_of(province(tmp_path / "x", GOOD.replace("b = 12", "zz = 12"))) == [
        'targets/2026.toml:10:19: indicator "quan": the collection has no unit "zz"'
    ]


def test_a_unit_or_kind_mismatch_is_an_error(tmp_path: Path) -> None:
    root = province(tmp_path, '[[indicator]]\nid = "thu"\nunits = { a = 1, b = 2, d = 3 }\n')
    write_unit(root, "d", [{**THU, "unit": "triệu đồng"}])
    (found,) = errors_of(root)
    assert found.startswith('targets/2026.toml:3:25: indicator "thu": unit "d" defines this')
    assert '"triệu đồng"' in found and "d/chitieu.toml" in found and "cannot be added up" in found


def test_a_year_outside_the_collection_is_an_error(tmp_path: Path) -> None:
    root = province(tmp_path)
    (root / "targets").mkdir()
    targets_path(root, 2027).write_text('[[indicator]]\nid = "thu"\n', encoding="utf-8")
    use("en")
    with pytest.raises(DataError) as info:
        load(root, 2027)
    assert info.value.render() == (
        "targets/2027.toml: 2027 is none of the collection's years "
        "(the years its units have targets for: 2026)"
    )


def test_every_problem_is_said_at_once_and_in_vietnamese(tmp_path: Path) -> None:
    text = '[[indicator]]\nid = "thu"\nunits = { a = 1, zz = 2 }\n[[indicator]]\nid = "khong"\n'
    root = province(tmp_path, text)
    use("vi")
    with pytest.raises(ChitieuError) as info:
        load(root)
    lines = [e.render() for e in flatten(info.value)]
    assert lines == [
        'targets/2026.toml:3:18: chỉ tiêu "thu": không có đơn vị "zz" trong bộ',
        'targets/2026.toml:5:1: chỉ tiêu "khong": không đơn vị nào trong bộ có chỉ tiêu "khong" trong năm này',
    ]


def test_a_syntax_error_names_its_place(tmp_path: Path) -> None:
    (found,) = errors_of(province(tmp_path, "[[indicator]\n"))
    assert found.startswith("targets/2026.toml:1:")


def test_a_file_not_named_by_a_year_is_refused(tmp_path: Path) -> None:
    root = province(tmp_path, GOOD)
    bad = root / "targets" / "2026-old.toml"
    bad.write_text(GOOD, encoding="utf-8")
    use("en")
    with pytest.raises(DataError) as info:
        load_targets(bad, 2026, [], "targets/2026-old.toml")
    assert info.value.code == "err.targets.file_name"


def test_basis_in_a_units_own_definitions(tmp_path: Path) -> None:
    root = tmp_path / "tinh"
    write_unit(root, "a", [{**THU, "basis": "Nghị quyết số 05-NQ/ĐU\x1b[31m"}])
    targets_units = collection_units(open_folder(root).members, 2026)
    assert targets_units[0].defs is not None
    assert targets_units[0].defs.indicators[0].basis == "Nghị quyết số 05-NQ/ĐU[31m"


def test_basis_of_the_wrong_type_in_definitions_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "tinh"
    write_unit(root, "a", [{**THU, "basis": 12}])
    use("en")
    with pytest.raises(DataError) as info:
        open_folder(root).members[0].source.data.definitions()
    assert 'indicator "thu": basis must be text, got 12' in info.value.render()


def test_check_finds_short_below_and_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = '[[indicator]]\nid = "thu"\ntarget = 300\nunits = { a = 100, b = 90, c = 50 }\n'
    root = province(tmp_path, text)
    monkeypatch.chdir(root)
    targets, units = load(root)
    errors, warnings = target_problems(targets, units)
    use("en")
    assert [e.render() for e in errors] == [
        'targets/2026.toml: assigned short (giao thiếu): indicator "thu" assigned to the units '
        "adds up to 240, below the province's target 300 (short by 60)"
    ]
    assert [w.render() for w in warnings] == [
        'b/chitieu.toml: warning: unit "b" adopted 80 for indicator "thu", less than the 90 '
        "assigned (targets/2026.toml)",
        'c/chitieu.toml: warning: unit "c" is assigned indicator "thu" (50, targets/2026.toml) '
        "but does not have it",
    ]


def test_a_decrease_adopted_above_the_assignment_is_weaker(tmp_path: Path) -> None:
    root = tmp_path / "tinh"
    ngheo = {"id": "ngheo", "kind": "level", "unit": "%", "direction": "decrease"}
    write_unit(root, "a", [{**ngheo, "baseline": 6.0, "target": 3.0}])
    write_unit(root, "b", [{**ngheo, "baseline": 6.0, "target": 1.5}])
    (root / "targets").mkdir()
    targets_path(root, 2026).write_text(
        '[[indicator]]\nid = "ngheo"\nunits = { a = 2, b = 2 }\n', encoding="utf-8"
    )
    targets, units = load(root)
    errors, warnings = target_problems(targets, units)
    assert errors == []
    assert [w.msg.params["unit"] for w in warnings] == ["a"]


# -- hostile input: whatever the text, a coded error or a valid assignment, never a crash --

_UNITS = [UnitDefs("a", "a/chitieu.toml", None, frozenset({2026}))]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_text_is_an_error_or_an_assignment(text: str) -> None:
    try:
        data = parse_toml_text(text, "t.toml")
        targets_from_text(data, text, "t.toml", 2026, _UNITS)
    except ChitieuError as exc:
        assert exc.render("vi") and exc.render("en")


_scalar = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
)
_value = st.recursive(
    _scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)
_indicator = st.dictionaries(
    st.sampled_from(["id", "target", "basis", "units", "other"]), _value, max_size=5
) | st.fixed_dictionaries(
    {
        "id": st.sampled_from(["thu", "x", "THU"]),
        "units": st.dictionaries(st.sampled_from(["a", "b", "zz", ""]), _scalar, max_size=4),
    }
)


def _drop_none(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _drop_none(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, list):
        return [_drop_none(v) for v in obj if v is not None]
    return obj


@settings(max_examples=400, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["schema", "year", "indicator", "x"]),
        st.one_of(_value, st.lists(_indicator, max_size=3)),
        max_size=4,
    )
)
def test_any_document_is_an_error_or_a_sound_assignment(data: dict[str, Any]) -> None:
    data = _drop_none(data)
    defs_units = [UnitDefs("a", "a/chitieu.toml", _defs(), frozenset({2026}))]
    try:
        targets = targets_from_text(data, "", "t.toml", 2026, defs_units)
    except ChitieuError as exc:
        assert exc.render("vi") and exc.render("en")
        return
    for a in targets.indicators:
        assert a.id == "thu"
        assert set(a.units) <= {"a"}
        for value in [*a.units.values(), *([a.target] if a.target is not None else [])]:
            assert math.isfinite(value) and 0 <= value <= 1e15


def _defs() -> Any:
    from chitieu_tui.core.loader import definitions_from_dict
    from chitieu_tui.core.tomlfile import Locator

    doc = {
        "schema": 1,
        "unit": {"id": "a", "name": "A", "year": 2026},
        "group": [{"id": "g", "name": "G"}],
        "indicator": [{"group": "g", "name": "Thu", **THU}],
    }
    return definitions_from_dict(doc, Locator("a/chitieu.toml"))


SAMPLE = Path(__file__).resolve().parents[1] / "src" / "chitieu_tui" / "sample_collection"


def test_the_bundled_sample_assigns_one_unit_more_and_one_less_than_it_adopted() -> None:
    units = collection_units(open_folder(SAMPLE).members, 2026)
    targets = load_targets(targets_path(SAMPLE, 2026), 2026, units, "targets/2026.toml")
    thu = targets.assignment("thu-ngan-sach")
    adopted = {u.id: u.defs.indicator("thu-ngan-sach").target for u in units if u.defs}
    assert adopted["long-xuyen"] > thu.units["long-xuyen"]
    assert adopted["binh-duc"] < thu.units["binh-duc"]
    assert adopted["my-thoi"] == thu.units["my-thoi"] == 232.73
    errors, warnings = target_problems(targets, units)
    assert errors == []
    assert [(w.code, w.msg.params["unit"]) for w in warnings] == [
        ("warn.targets.below", "binh-duc")
    ]
    text = targets_path(SAMPLE, 2026).read_text(encoding="utf-8")
    assert "minh họa" in text and "invented" in text
