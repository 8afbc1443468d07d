"""The loader's quick checks (issue 23, the country cold) say exactly what its full checks
say: a value read straight (`progress_from_dict`'s plain numbers and true/false) against
`_entry` and `value_problem`, an indicator passed by `_plainly_sound` against
`_check_indicator`."""

from __future__ import annotations

import math
from typing import Any

import msgspec
import pytest

from chitieu_tui.core import loader
from chitieu_tui.core.errors import ChitieuError, DataError
from chitieu_tui.core.loader import definitions_from_dict, progress_from_dict
from chitieu_tui.core.model import Indicator
from chitieu_tui.core.tomlfile import Locator
from chitieu_tui.i18n import Msg

INDICATORS: list[dict[str, Any]] = [
    {"id": "n", "kind": "cumulative", "unit": "người", "target": 10, "integer": True},
    {"id": "pct", "kind": "level", "unit": "%", "target": 90},
    {"id": "lo", "kind": "level", "unit": "độ", "target": 3, "min": -5, "max": 10},
    {"id": "m", "kind": "milestone", "unit": "mốc", "due": "2026-Q2"},
]
RAWS: list[Any] = [
    0, 5, 5.0, 5.5, -1, -0.0, 100, 100.5, 1e15, 1e15 * (1 + 1e-15), 10**15, 10**15 + 1,
    10**30, -(10**30), math.nan, math.inf, -math.inf, True, False, "x", {"value": 3, "note": "a"},
]  # fmt: skip


def _defs() -> Any:
    data = {
        "schema": 1,
        "unit": {"id": "u", "name": "U", "year": 2026},
        "group": [{"id": "g", "name": "G"}],
        "indicator": [{"group": "g", "name": i["id"], **i} for i in INDICATORS],
    }
    return definitions_from_dict(data, Locator.scan("chitieu.toml", ""))


def _said(error: ChitieuError) -> list[str]:
    return [e.text("en") for e in getattr(error, "errors", [error])]


def _in_item(iid: str, detail: Msg) -> str:
    return Msg("err.in_item", item=Msg("item.indicator", id=iid), detail=detail).text("en")


@pytest.mark.parametrize("raw", RAWS, ids=repr)
@pytest.mark.parametrize("iid", [i["id"] for i in INDICATORS])
def test_a_value_read_straight_is_what_entry_says(iid: str, raw: Any) -> None:
    defs = _defs()
    ind = defs.indicator(iid)
    assert ind is not None
    data = {"schema": 1, "unit": "u", "period": "2026-Q1", "values": {iid: raw}}
    loc = Locator.scan("p.toml", "")
    expected = loader._entry(ind, raw)
    if isinstance(expected, Msg):
        with pytest.raises(DataError) as caught:
            progress_from_dict(data, defs, loc)
        assert _said(caught.value) == [_in_item(iid, expected)]
        return
    progress, warnings = progress_from_dict(data, defs, loc)
    assert progress.values == {iid: expected}
    assert type(progress.values[iid].value) is type(expected.value)
    problem = loader.value_problem(ind, expected.value)
    assert [w.text("en") for w in warnings] == ([] if problem is None else [_in_item(iid, problem)])


SHAPES: list[dict[str, Any]] = [
    {},
    {"target": 0},
    {"target": -3},
    {"target": 1e-7},
    {"target": 1e16},
    {"target": math.nan},
    {"min": 120, "unit": "%"},
    {"min": 5, "max": 1},
    {"min": math.inf},
    {"max": math.nan},
    {"report": "quarter"},
    {"kind": "level", "report": "quarter"},
    {"due": "2026-Q1"},
    {"kind": "milestone", "target": None, "due": "2026-Q5"},
    {"kind": "milestone", "target": None, "due": "2026-Q1"},
    {"kind": "milestone", "target": None, "due": None},
    {"kind": "milestone", "target": None, "due": "2026-Q1", "aggregate": "sum"},
    {"kind": "milestone", "target": 4, "due": "2026-Q1"},
    {"direction": "decrease", "baseline": 9},
    {"direction": "decrease", "baseline": 1},
    {"plan": [1, 2, 3, 4]},
    {"plan": [1, 2, 3]},
    {"baseline": 2},
    {"group": "other"},
    {"id": "Bad"},
]


_NUMBERS = [0, 1e-7, 2, 9, 1e15, 1e16, -3, math.nan, math.inf, -math.inf]
SHAPES += [
    {"baseline": b, "direction": d, "kind": k, "target": 5}
    for b in _NUMBERS
    for d in ("increase", "decrease")
    for k in ("level", "cumulative")
]
SHAPES += [
    {"plan": p, "target": t, "baseline": b}
    for p in ([1, 2, 3, 4], [1, 2, 3], [1, 2, 3, 4, 5], [1, math.nan, 3, 4], [1, 2, 1e16, 4])
    for t in (10, 0)
    for b in (None, 4, 20)
]
SHAPES += [
    {"kind": "milestone", "target": None, "due": "2026-Q2", **extra}
    for extra in ({"plan": [1, 2, 3, 4]}, {"baseline": 3}, {"direction": "decrease"})
]
SHAPES += [{"direction": "decrease", "baseline": 9, "target": t} for t in (0, -2, 9, 8.5, 1e16)]
SHAPES += [{"direction": "decrease", "target": 5}, {"min": -2, "baseline": -1, "target": 4}]


@pytest.mark.parametrize("shape", SHAPES, ids=repr)
def test_plainly_sound_only_when_the_full_check_finds_nothing(shape: dict[str, Any]) -> None:
    fields: dict[str, Any] = {"id": "a", "group": "g", "name": "A", "kind": "cumulative"}
    fields.update({"unit": "người", "target": 10}, **shape)
    ind = msgspec.convert({k: v for k, v in fields.items() if v is not None}, Indicator)
    where = loader._Where({}, Locator.scan("chitieu.toml", ""))
    full = loader._check_indicator(ind, 0, {"g"}, where)
    if loader._plainly_sound(ind, {"g"}):
        assert full == []
    if not shape:  # the common shape is the quick one
        assert loader._plainly_sound(ind, {"g"})


@pytest.mark.parametrize(
    "shape",
    [
        {"kind": "level", "baseline": 80},
        {"plan": [1, 4, 6, 10]},
        {"kind": "level", "direction": "decrease", "baseline": 20},
    ],
    ids=repr,
)
def test_the_sample_made_shapes_are_quick(shape: dict[str, Any]) -> None:
    """A baseline, a plan, a decrease from above (15,000 of 50,000 sample-made indicators
    were checked one message at a time: issue 23, one large unit cold)."""
    fields: dict[str, Any] = {"id": "a", "group": "g", "name": "A", "kind": "cumulative"}
    fields.update({"unit": "người", "target": 10}, **shape)
    ind = msgspec.convert(fields, Indicator)
    assert loader._plainly_sound(ind, {"g"})


def test_valid_rules_do_not_index_the_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Any) -> None:
    """A valid chitieu.toml with `[[rule]]`s is not scanned line by line (the places of its
    rules' sides are asked only for an error: a 5,000-indicator file's scan was a third of its
    validation); a rule that is wrong still names its line and column."""
    from chitieu_tui.core.datadir import BUNDLED

    scans: list[str] = []
    index = Locator._index

    def counted(self: Locator) -> None:
        scans.append(self.path)
        index(self)

    monkeypatch.setattr(Locator, "_index", counted)
    text = (BUNDLED / "chitieu.toml").read_text(encoding="utf-8")
    assert "[[rule]]" in text
    path = tmp_path / "chitieu.toml"
    path.write_text(text, encoding="utf-8")
    defs = loader.load_definitions(path, "chitieu.toml")
    assert defs.rules and scans == []
    left = defs.rules[0].left
    broken = text.replace(f'left = "{left}"', 'left = "khong-co + 1"', 1)
    assert broken != text
    path.write_text(broken, encoding="utf-8")
    with pytest.raises(ChitieuError) as err:
        loader.load_definitions(path, "chitieu.toml")
    place = err.value.place
    assert place is not None and place.line is not None and place.col is not None
    assert broken.splitlines()[place.line - 1].lstrip().startswith("left")
    assert scans == ["chitieu.toml"]
