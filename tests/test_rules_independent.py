"""An independent check of the rules between figures (issue 25 item 6, DESIGN section 15).

Units are generated from a seed: a few numeric indicators, four quarters of progress with
gaps, and `[[rule]]`s whose sides are random expressions. Three rules are broken on purpose
in known quarters (a high one in Q2, a medium `==` in Q3, a low `both` in Q4). A second,
naive implementation written here (a tokenizer and a shunting-yard evaluation of the
expression strings; nothing from core/rules.py) says which rule holds, breaks or is skipped
in every quarter, and the product must agree: `report --format json` (states and both
sides' values), `chitieu check` (exit code and the rules it names), `chitieu set` (refused
exactly when a high rule the value takes part in would break; medium and low written and
listed) and `chitieu import` of a filled-in template (refused or written the same way).
Real files in tmp_path, the real command line."""

from __future__ import annotations

import csv
import io
import json
import math
import random
import re
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import tomli_w

from chitieu_tui.cli import main

pytestmark = pytest.mark.timeout(300)
QUARTERS = [f"2026-Q{q}" for q in (1, 2, 3, 4)]
IDS = ["tong", "moi", "x", "y", "hk-2", "dn"]
"""Indicator ids (all numeric, `level`); `hk-2` has a dash, as ids may."""
PLANTED = 3
"""Rules 1–3 are the planted ones; the others are random."""

# ---------------------------------------------------------------- the naive evaluator

_TOKEN = re.compile(r"\s*(?:(\d+(?:\.\d+)?)|([a-z][a-z0-9-]*)|([-+*/()]))")
_PREC = {"+": 1, "-": 1, "*": 2, "/": 2, "neg": 3}


def naive_tokens(text: str) -> list[tuple[str, str]]:
    """(kind, text) pairs: `num`, `id`, `op` (one of `+-*/()`)."""
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        assert m is not None, f"the generator wrote what it cannot read: {text!r}"
        num, ident, op = m.groups()
        out.append(("num", num) if num else ("id", ident) if ident else ("op", op))
        pos = m.end()
    return out


def _apply(op: str, nums: list[float | None]) -> None:
    """Apply `op` to the top of `nums`; no value (None) stays none, and a division by zero
    has none."""
    if op == "neg":
        top = nums.pop()
        nums.append(None if top is None else -top)
        return
    b, a = nums.pop(), nums.pop()
    if a is None or b is None or (op == "/" and b == 0):
        nums.append(None)
    elif op == "+":
        nums.append(a + b)
    elif op == "-":
        nums.append(a - b)
    elif op == "*":
        nums.append(a * b)
    else:
        nums.append(a / b)


def naive_value(text: str, values: dict[str, float], zero: bool) -> float | None:
    """Shunting-yard: operands onto one stack, operators onto another, applied by
    precedence (a leading `-` binds tightest; the four operators left-associative). An id
    without a value makes the side have none, unless `zero` (then it counts as 0)."""
    nums: list[float | None] = []
    ops: list[str] = []
    missing = False
    expect_operand = True
    for kind, tok in naive_tokens(text):
        if kind == "num":
            nums.append(float(tok))
            expect_operand = False
        elif kind == "id":
            missing = missing or tok not in values
            nums.append(values.get(tok, 0.0))
            expect_operand = False
        elif tok == "(":
            ops.append("(")
        elif tok == ")":
            while ops[-1] != "(":
                _apply(ops.pop(), nums)
            ops.pop()
        elif expect_operand and tok == "-":
            ops.append("neg")  # unary: pushed, never pops (it is right-associative)
        else:
            while ops and ops[-1] != "(" and _PREC[ops[-1]] >= _PREC[tok]:
                _apply(ops.pop(), nums)
            ops.append(tok)
            expect_operand = True
    while ops:
        _apply(ops.pop(), nums)
    (result,) = nums
    if result is None or (missing and not zero) or not math.isfinite(result):
        return None
    return result


def naive_ids(text: str) -> set[str]:
    return {tok for kind, tok in naive_tokens(text) if kind == "id"}


def naive_equal(a: float, b: float) -> bool:
    """Equal within 10⁻⁹, relative, or absolute near zero (docs/formats.md)."""
    return abs(a - b) <= max(1e-9 * max(abs(a), abs(b)), 1e-9)


def naive_judge(rule: dict[str, Any], values: dict[str, float]) -> tuple[str, Any, Any]:
    """(state, left value, right value) of one rule over one quarter's values."""
    left, right = str(rule["left"]), str(rule["right"])
    if rule["op"] == "both":
        filled_l = naive_ids(left) <= values.keys()
        filled_r = naive_ids(right) <= values.keys()
        lv = naive_value(left, values, False) if filled_l else None
        rv = naive_value(right, values, False) if filled_r else None
        return ("holds" if filled_l == filled_r else "broken"), lv, rv
    zero = rule.get("when", "filled") == "always"
    lv, rv = naive_value(left, values, zero), naive_value(right, values, zero)
    if lv is None or rv is None:
        return "skipped", lv, rv
    eq = naive_equal(lv, rv)
    held = {
        "==": eq,
        "!=": not eq,
        "<=": lv < rv or eq,
        ">=": lv > rv or eq,
        "<": lv < rv and not eq,
        ">": lv > rv and not eq,
    }[rule["op"]]
    return ("holds" if held else "broken"), lv, rv


def naive_all(rules: list[dict[str, Any]], values: dict[str, float]) -> list[tuple[str, Any, Any]]:
    return [naive_judge(rule, values) for rule in rules]


def test_the_naive_evaluator_itself() -> None:
    vals = {"a": 6.0, "b": 2.0, "hk-2": 3.0}
    assert naive_value("a - b - 1", vals, False) == 3.0
    assert naive_value("a - b * 2", vals, False) == 2.0
    assert naive_value("-a * b", vals, False) == -12.0
    assert naive_value("(a - hk-2) / b", vals, False) == 1.5
    assert naive_value("a - -b", vals, False) == 8.0
    assert naive_value("a / (b - 2)", vals, False) is None
    assert naive_value("a + c", vals, False) is None
    assert naive_value("a + c", vals, True) == 6.0
    assert naive_value("2.5 * 2", vals, False) == 5.0
    assert naive_judge({"left": "a", "op": "both", "right": "c"}, vals)[0] == "broken"
    assert naive_judge({"left": "0.1 + 0.2", "op": "==", "right": "0.3"}, vals)[0] == "holds"


# ---------------------------------------------------------------- the generated units


def _expr(rnd: random.Random, depth: int) -> str:
    """A random side: ids, whole and decimal numbers, `+ - * /`, parentheses, a leading `-`."""
    roll = rnd.random()
    if depth == 0 or roll < 0.35:
        if rnd.random() < 0.7:
            return rnd.choice(IDS)
        return str(rnd.randint(0, 9)) if rnd.random() < 0.7 else f"{rnd.randint(0, 9)}.5"
    if roll < 0.45:
        return "-" + (rnd.choice(IDS) if rnd.random() < 0.5 else f"({_expr(rnd, depth - 1)})")
    if roll < 0.55:
        return f"({_expr(rnd, depth - 1)})"
    op = rnd.choice("+-*/")
    return f"{_expr(rnd, depth - 1)} {op} {_expr(rnd, depth - 1)}"


def generated_rules(rnd: random.Random) -> list[dict[str, Any]]:
    """The three planted rules, then random ones (each message `R<n>: …`, unique)."""
    found: list[dict[str, Any]] = [
        {"left": "moi", "op": "<=", "right": "tong", "importance": "high"},
        {"left": "x + y", "op": "==", "right": "tong", "importance": "medium"},
        {"left": "moi", "op": "both", "right": "x * 2", "importance": "low"},
    ]
    for _ in range(rnd.randint(4, 8)):
        rule: dict[str, Any] = {
            "left": _expr(rnd, 3),
            "op": rnd.choice(["<=", "<", "==", "!=", ">=", ">", "both"]),
            "right": _expr(rnd, 2) if rnd.random() < 0.8 else rnd.choice([0, 40, 12.5]),
            "importance": rnd.choice(["high", "medium", "medium", "low", "low"]),
        }
        if rnd.random() < 0.3:
            rule["when"] = "always"
        found.append(rule)
    for n, rule in enumerate(found, start=1):
        rule["message"] = f"R{n}: kiểm tra số liệu"
    return found


def generated_values(rnd: random.Random) -> dict[str, dict[str, int]]:
    """Four quarters, each id missing one time in six; rule 1 broken in Q2 (moi > tong),
    rule 2 in Q3 (x + y != tong), rule 3 in Q4 (moi filled, x empty); elsewhere the planted
    rules hold."""
    out: dict[str, dict[str, int]] = {}
    for q, period in enumerate(QUARTERS, start=1):
        vals = {i: rnd.randint(0, 60) for i in IDS if rnd.random() > 1 / 6}
        tong = rnd.randint(40, 90)
        moi = rnd.randint(0, 30)
        x = rnd.randint(0, tong)
        vals.update(tong=tong, moi=moi, x=x, y=tong - x)
        if q == 2:
            vals["moi"] = tong + rnd.randint(1, 9)
        if q == 3:
            vals["y"] = tong - x + rnd.randint(1, 5)
        if q == 4:
            del vals["x"]
        out[period] = vals
    return out


def write_generated(root: Path, seed: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """A unit made from `seed`; its rules and its values by quarter."""
    rnd = random.Random(seed)
    rules = generated_rules(rnd)
    values = generated_values(rnd)
    (root / "progress").mkdir(parents=True)
    doc = {
        "schema": 1,
        "unit": {"id": f"u{seed}", "name": f"Phường {seed}", "year": 2026},
        "group": [{"id": "g", "name": "Nhóm"}],
        "indicator": [
            {
                "id": i,
                "group": "g",
                "name": f"Chỉ tiêu {i}",
                "kind": "level",
                "unit": "người",
                "target": 100,
            }
            for i in IDS
        ],  # fmt: skip
        "rule": rules,
    }
    (root / "chitieu.toml").write_text(tomli_w.dumps(doc), encoding="utf-8")
    for period, vals in values.items():
        prog = {"schema": 1, "unit": f"u{seed}", "period": period, "values": vals}
        (root / "progress" / f"{period}.toml").write_text(tomli_w.dumps(prog), encoding="utf-8")
    return rules, {p: {k: float(v) for k, v in vals.items()} for p, vals in values.items()}


# ---------------------------------------------------------------- the product, compared


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    try:
        code = main(["--lang", "en", *argv])
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def _close(a: float | None, b: float | None) -> bool:
    if a is None or b is None:
        return a is b
    return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-12)


def assert_report_agrees(
    capsys: pytest.CaptureFixture[str], root: Path, rules: list[dict[str, Any]], values: Any
) -> None:
    for period in QUARTERS:
        code, out, _ = _run(capsys, "report", "--config", str(root), "--period", period,
                            "--format", "json")  # fmt: skip
        assert code == 0
        got = json.loads(out)["rules"]
        expected = naive_all(rules, values[period])
        assert [g["state"] for g in got] == [e[0] for e in expected], period
        for g, (_, lv, rv) in zip(got, expected, strict=True):
            assert _close(g["left_value"], lv) and _close(g["right_value"], rv), (period, g)


_CHECK_LINE = re.compile(r"(\d{4}-Q\d)\.toml: \[(high|medium|low)\] R(\d+): ")


def assert_check_agrees(
    capsys: pytest.CaptureFixture[str], root: Path, rules: list[dict[str, Any]], values: Any
) -> None:
    code, _, err = _run(capsys, "check", "--config", str(root))
    named = {(m[1], int(m[3]), m[2]) for m in _CHECK_LINE.finditer(err)}
    expected = {
        (period, n, rules[n - 1]["importance"])
        for period in QUARTERS
        for n, (state, _, _) in enumerate(naive_all(rules, values[period]), start=1)
        if state == "broken"
    }
    assert named == expected
    assert code == (1 if any(imp == "high" for _, _, imp in expected) else 0)


def _listed(rules: list[dict[str, Any]], after: dict[str, float], changed: set[str]) -> set[int]:
    """The broken rules (numbers) one of `changed` takes part in, in the quarter as it would
    stand: listed after a write."""
    return {
        n
        for n, rule in enumerate(rules, start=1)
        if changed & (naive_ids(str(rule["left"])) | naive_ids(str(rule["right"])))
        and naive_judge(rule, after)[0] == "broken"
    }


def _refused(rules: list[dict[str, Any]], after: dict[str, float], changed: set[str]) -> bool:
    """What the naive side says of a write: refused when one of those is high."""
    return any(rules[n - 1]["importance"] == "high" for n in _listed(rules, after, changed))


_LISTED = re.compile(r"^\[(?:high|medium|low)\] R(\d+): ", re.M)


def _set_one(
    capsys: pytest.CaptureFixture[str],
    root: Path,
    rules: list[dict[str, Any]],
    values: Any,
    period: str,
    ident: str,
    value: int,
) -> bool:
    """`chitieu set` of one value, compared with the naive side; True when written."""
    path = root / "progress" / f"{period}.toml"
    before = path.read_bytes()
    after = {**values[period], ident: float(value)}
    refuse = _refused(rules, after, {ident})
    argv = ["set", "--config", str(root), "--period", period, "--no-snapshot", "--yes"]
    code, out, err = _run(capsys, *argv, ident, str(value))
    if refuse:
        assert code == 1, (period, ident, value, out)
        assert "a high rule is broken" in err
        assert path.read_bytes() == before
        return False
    assert code == 0, (period, ident, value, err)
    assert {int(n) for n in _LISTED.findall(out)} == _listed(rules, after, {ident})
    values[period] = after
    return True


def _import(
    capsys: pytest.CaptureFixture[str],
    root: Path,
    rules: list[dict[str, Any]],
    values: Any,
    period: str,
    changes: dict[str, int],
    tmp: Path,
) -> None:
    """A template of the quarter filled in with `changes` and imported, compared with the
    naive side: refused (nothing written) or written, as a whole."""
    book = tmp / f"{period}.xlsx"
    argv = ["template", "--config", str(root), "--period", period, "--output", str(book)]
    assert _run(capsys, *argv)[0] == 0
    wb = openpyxl.load_workbook(book)
    ws = wb.active
    assert ws is not None
    rows = {ws.cell(r, 1).value: r for r in range(6, ws.max_row + 1) if ws.cell(r, 1).value}
    for ident, value in changes.items():
        ws.cell(rows[ident], 5).value = value
    wb.save(book)
    path = root / "progress" / f"{period}.toml"
    before = path.read_bytes()
    after = {**values[period], **{k: float(v) for k, v in changes.items()}}
    code, out, err = _run(capsys, "import", "--config", str(root), "--yes", "--no-snapshot",
                          str(book))  # fmt: skip
    if _refused(rules, after, set(changes)):
        assert code == 1, (period, changes, out)
        assert "a high rule is broken" in err
        assert path.read_bytes() == before
        return
    assert code == 0, (period, changes, err)
    values[period] = after


@pytest.mark.parametrize("seed", range(12))
def test_the_product_agrees_with_the_naive_evaluator(
    seed: int, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "unit"
    rules, values = write_generated(root, seed)
    # the planted breaks are where they were put, by the naive side's own word
    states = {p: [s for s, _, _ in naive_all(rules, values[p])] for p in QUARTERS}
    assert [states[p][0] for p in QUARTERS] == ["holds", "broken", "holds", "holds"]
    assert [states[p][1] for p in QUARTERS] == ["holds", "holds", "broken", "skipped"]
    assert [states[p][2] for p in QUARTERS] == ["holds", "holds", "holds", "broken"]
    assert_report_agrees(capsys, root, rules, values)
    assert_check_agrees(capsys, root, rules, values)
    rnd = random.Random(1000 + seed)
    q1 = values["2026-Q1"]
    # planted: a new member count above the total is refused (rule 1, high)
    assert not _set_one(capsys, root, rules, values, "2026-Q1", "moi", int(q1["tong"]) + 3)
    written, refused = 0, 1
    for period in QUARTERS:
        for _ in range(3):
            ident = rnd.choice(IDS)
            ok = _set_one(capsys, root, rules, values, period, ident, rnd.randint(0, 95))
            written, refused = written + ok, refused + (not ok)
        changes = {i: rnd.randint(0, 95) for i in rnd.sample(IDS, rnd.randint(1, 2))}
        _import(capsys, root, rules, values, period, changes, tmp_path)
    assert written  # both outcomes were exercised
    assert_report_agrees(capsys, root, rules, values)
    assert_check_agrees(capsys, root, rules, values)


def test_import_refuses_a_planted_high_break(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "unit"
    rules, values = write_generated(root, 42)
    tong = int(values["2026-Q3"]["tong"])
    before = (root / "progress" / "2026-Q3.toml").read_bytes()
    _import(capsys, root, rules, values, "2026-Q3", {"moi": tong + 1}, tmp_path)
    assert (root / "progress" / "2026-Q3.toml").read_bytes() == before
    _import(capsys, root, rules, values, "2026-Q3", {"moi": tong, "tong": tong}, tmp_path)
    assert values["2026-Q3"]["moi"] == tong  # written: moi <= tong holds at equality


def test_the_collections_report_agrees_unit_by_unit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A folder of generated units: each unit's `rules` and `rules_broken` in the
    collection's JSON, and its rows of `--format csv --rules`, as the naive side says."""
    root = tmp_path / "tinh"
    made = {f"u{seed}": write_generated(root / f"u{seed}", seed) for seed in range(20, 25)}
    for period in QUARTERS:
        argv = ["report", "--config", str(root), "--period", period]
        code, out, _ = _run(capsys, *argv, "--format", "json")
        assert code == 0
        units = {u["unit"]: u for u in json.loads(out)["units"]}
        code, out, _ = _run(capsys, *argv, "--format", "csv", "--rules")
        assert code == 0
        table = list(csv.reader(io.StringIO(out)))[1:]
        for uid, (rules, values) in made.items():
            expected = [s for s, _, _ in naive_all(rules, values[period])]
            assert [r["state"] for r in units[uid]["rules"]] == expected
            assert units[uid]["rules_broken"] == expected.count("broken")
            mine = [row for row in table if row[0] == uid]
            assert [int(row[2]) for row in mine] == list(range(1, len(rules) + 1))
            assert [row[8] for row in mine] == expected
