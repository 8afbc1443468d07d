"""`report --format json` written by msgspec is byte for byte what json.dumps wrote."""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path
from typing import Any

import pytest
from datadirs import board_of

from chitieu_tui.core.datadir import BUNDLED, DataDir
from chitieu_tui.report import _plain, json_text, to_json

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
from gen import generate  # noqa: E402


def _reference(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


@pytest.mark.parametrize("count", [0, 300])
def test_boards_encode_as_json_dumps_did(tmp_path: Path, count: int) -> None:
    root = BUNDLED if count == 0 else generate(tmp_path / "data", count)
    data = DataDir(root)
    for period in data.periods():
        doc = to_json(board_of(data, period))
        assert _plain(doc)
        assert json_text(doc) == _reference(doc)


EDGES: list[Any] = [
    0.0,
    -0.0,
    1.0,
    -3.0,
    0.1 + 0.2,
    12.35,
    1e-4,
    9.99e-5,
    1e-6,
    1.5e-7,
    1e15,
    999999999999999.9,
    1e16,
    1e22,
    5e-324,
    float("nan"),
    float("inf"),
    -float("inf"),
    True,
    False,
    None,
    7,
    10**20,
    "",
    'a"b\\c\n\t\r\x01\x1f\x7f\u2028\u2029 é ư Quận',
    "\U0001f600",
    [],
    {},
    [[]],
    {"a": []},
    {"": {}},
]


@pytest.mark.parametrize("value", EDGES, ids=repr)
def test_edge_values_encode_as_json_dumps_did(value: Any) -> None:
    doc = {"x": value, "rows": [value, {"y": value}], "empty": [], "n": {"z": [value]}}
    assert json_text(doc) == _reference(doc)


def test_random_floats_encode_as_json_dumps_did() -> None:
    rnd = random.Random(12)
    values: list[Any] = []
    for _ in range(20_000):
        exp = rnd.uniform(-3.9, 15.9)
        values.append(round(rnd.uniform(0.1, 1) * 10**exp, rnd.choice([2, 6, 12])))
    values = [v for v in values if _plain(v)]
    doc = {"values": values + [-v for v in values]}
    assert _plain(doc)  # written by msgspec, not by the fallback
    assert json_text(doc) == _reference(doc)
