"""`chitieu targets` (issue 21 item 2), checked against an independent reading of the raw TOML."""

from __future__ import annotations

import csv
import io
import json
import random
import tomllib
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from openpyxl import load_workbook

from chitieu_tui.cli import main
from tests.collectionkit import write_unit


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def generated(root: Path, seed: int = 21) -> Path:
    """A province of 9 units with random targets and Q1/Q2 values (gaps), and an assignment
    made independently: some units assigned more than they adopted, some less, one unit
    without the indicator, a rate (mean) and a count (integer)."""
    rnd = random.Random(seed)
    assign: dict[str, dict[str, float]] = {"thu": {}, "kn": {}, "bhyt": {}}
    for u in range(9):
        uid = f"x{u}"
        thu_target = round(rnd.uniform(50, 500), 2)
        inds: list[dict[str, Any]] = [
            {"id": "thu", "kind": "cumulative", "unit": "tỉ đồng", "target": thu_target},
            {"id": "bhyt", "kind": "level", "unit": "%", "target": rnd.choice([90, 95])},
        ]
        if u != 4:  # x4 lacks the count
            kn = {"id": "kn", "kind": "cumulative", "unit": "người", "integer": True}
            inds.append({**kn, "target": rnd.randint(5, 40)})
        values: dict[str, dict[str, Any]] = {}
        for q in (1, 2):
            vals: dict[str, Any] = {}
            if rnd.random() > 0.2:
                vals["thu"] = round(thu_target * q * rnd.uniform(0.1, 0.3), 2)
            if rnd.random() > 0.2:
                vals["bhyt"] = round(rnd.uniform(80, 99), 1)
            if u != 4 and rnd.random() > 0.2:
                vals["kn"] = rnd.randint(0, 10) * q
            values[f"2026-Q{q}"] = vals
        write_unit(root, uid, inds, values)
        assign["thu"][uid] = round(thu_target * rnd.choice([0.9, 1.0, 1.1]), 2)
        assign["bhyt"][uid] = 95
        assign["kn"][uid] = rnd.randint(5, 40)
    doc = {
        "indicator": [
            {"id": "thu", "target": 1500.5, "basis": "QĐ 1", "units": assign["thu"]},
            {"id": "kn", "target": 150, "basis": "KH 2", "units": assign["kn"]},
            {"id": "bhyt", "target": 95, "units": assign["bhyt"]},
        ]
    }
    (root / "targets").mkdir(parents=True)
    (root / "targets" / "2026.toml").write_text(tomli_w.dumps(doc), encoding="utf-8")
    return root


def independent(root: Path, period: str) -> dict[str, Any]:
    """What `targets --format json` must say, read from the raw TOML alone."""
    raw = tomllib.loads((root / "targets" / "2026.toml").read_text(encoding="utf-8"))
    found: dict[str, Any] = {}
    for item in raw["indicator"]:
        units = {}
        for uid, assigned in item["units"].items():
            defs = tomllib.loads((root / uid / "chitieu.toml").read_text(encoding="utf-8"))
            own = next((i for i in defs["indicator"] if i["id"] == item["id"]), None)
            prog = root / uid / "progress" / f"{period}.toml"
            vals = (
                tomllib.loads(prog.read_text(encoding="utf-8"))["values"] if prog.exists() else {}
            )
            value = vals.get(item["id"]) if own is not None else None
            units[uid] = {
                "assigned": assigned,
                "adopted": own["target"] if own else None,
                "difference": round(own["target"] - assigned, 6) if own else None,
                "value": value,
                "percent": None if value is None else round(value / assigned * 100, 2),
                "below": bool(own) and own["target"] < assigned,
                "missing": own is None,
            }
        total = sum(item["units"].values())
        found[item["id"]] = {
            "assigned": round(total, 6),
            "target": item.get("target"),
            "units": units,
        }
    return found


@pytest.mark.parametrize("period", ["2026-Q1", "2026-Q2"])
def test_json_matches_an_independent_computation(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], period: str
) -> None:
    root = generated(tmp_path / "tinh")
    code, out, _ = run(
        capsys, "targets", "--config", str(root), "--format", "json", "--period", period
    )
    assert code == 0
    doc = json.loads(out)
    assert doc["year"] == 2026 and doc["period"] == period
    expected = independent(root, period)
    assert [b["id"] for b in doc["indicators"]] == list(expected)
    for block in doc["indicators"]:
        want = expected[block["id"]]
        assert block["assigned"] == pytest.approx(want["assigned"])
        assert block["target"] == want["target"]
        if block["aggregate"] == "sum":
            assert block["difference"] == pytest.approx(round(want["assigned"] - want["target"], 6))
            assert block["short"] == (want["assigned"] < want["target"])
        else:
            assert block["difference"] is None and block["short"] is False
        assert [u["unit"] for u in block["units"]] == sorted(want["units"])
        for u in block["units"]:
            w = want["units"][u["unit"]]
            assert u["assigned"] == w["assigned"]
            assert u["adopted"] == w["adopted"]
            assert u["difference"] == (
                None if w["difference"] is None else pytest.approx(w["difference"])
            )
            assert u["value"] == w["value"]
            assert u["percent_of_assigned"] == w["percent"]
            assert u["below"] == w["below"] and u["missing"] == w["missing"]
    kn = next(b for b in doc["indicators"] if b["id"] == "kn")
    assert isinstance(kn["assigned"], int)  # a count stays whole: 150, not 150.0
    assert next(u for u in kn["units"] if u["unit"] == "x4")["missing"] is True


def test_the_year_of_the_quarter_is_the_default_and_year_picks_another(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = generated(tmp_path / "tinh")
    code, out, _ = run(
        capsys, "targets", "--config", str(root), "--format", "json", "--year", "2026"
    )
    assert code == 0 and json.loads(out)["period"] == "2026-Q2"
    code, _, err = run(capsys, "--lang", "en", "targets", "--config", str(root), "--year", "2027")
    assert code == 1
    assert "2027.toml" in err and "no targets assigned for 2027" in err


def test_csv_has_one_row_per_indicator_and_unit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = generated(tmp_path / "tinh")
    code, out, _ = run(capsys, "targets", "--config", str(root), "--format", "csv")
    assert code == 0
    table = list(csv.DictReader(io.StringIO(out)))
    assert [r["row"] for r in table].count("indicator") == 3
    assert [r["row"] for r in table].count("unit") == 27
    thu = next(r for r in table if r["row"] == "indicator" and r["indicator_id"] == "thu")
    assert thu["province_target"] == "1500.5" and thu["basis"] == "QĐ 1"
    x4 = next(r for r in table if r["unit_id"] == "x4" and r["indicator_id"] == "kn")
    assert x4["flag"] == "missing" and x4["adopted"] == ""


def test_table_markdown_and_csv_excel_speak_the_readers_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = generated(tmp_path / "tinh")
    code, out, _ = run(capsys, "targets", "--config", str(root))
    assert code == 0 and "Chỉ tiêu giao năm 2026" in out and "1.500,5" in out
    code, out, _ = run(
        capsys, "--lang", "en", "targets", "--config", str(root), "--format", "markdown"
    )
    assert code == 0 and out.startswith("# Targets assigned for 2026")
    assert "| Indicator / Unit | Unit | Province target | Assigned | Adopted |" in out
    assert "1,500.5" in out and "does not have it" in out
    code, out, _ = run(capsys, "targets", "--config", str(root), "--format", "csv-excel")
    assert code == 0 and out.startswith("\ufeff") and ";1500,5;" in out


def test_xlsx_holds_numbers_as_numbers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = generated(tmp_path / "tinh")
    target = tmp_path / "giao.xlsx"
    code, _, _ = run(
        capsys, "targets", "--config", str(root), "--format", "xlsx", "-o", str(target)
    )
    assert code == 0
    ws = load_workbook(target).active
    cells = [[c.value for c in row] for row in ws.iter_rows()]
    thu = next(r for r in cells if str(r[0]).startswith("Chỉ tiêu thu"))
    assert thu[2] == 1500.5 and isinstance(thu[3], float)
    code, _, err = run(capsys, "targets", "--config", str(root), "--format", "xlsx")
    assert code == 2


def test_a_name_is_never_a_formula_in_the_workbook(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "tinh"
    write_unit(root, "a", [{"id": "thu", "kind": "cumulative", "target": 5}], name="=1+1")
    (root / "targets").mkdir()
    (root / "targets" / "2026.toml").write_text(
        '[[indicator]]\nid = "thu"\nbasis = "=HYPERLINK(1)"\nunits = { a = 5 }\n', encoding="utf-8"
    )
    target = tmp_path / "g.xlsx"
    assert (
        run(capsys, "targets", "--config", str(root), "--format", "xlsx", "-o", str(target))[0] == 0
    )
    ws = load_workbook(target).active
    kinds = {c.data_type for row in ws.iter_rows() for c in row if c.value is not None}
    assert "f" not in kinds


def test_on_one_unit_it_is_bad_usage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    unit = write_unit(tmp_path, "a", [{"id": "thu", "kind": "cumulative", "target": 5}])
    code, _, err = run(capsys, "--lang", "en", "targets", "--config", str(unit))
    assert code == 2 and "needs a collection folder" in err


def test_a_broken_targets_file_is_named_with_its_place(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = generated(tmp_path / "tinh")
    (root / "targets" / "2026.toml").write_text(
        '[[indicator]]\nid = "thu"\nunits = { x1 = -3 }\n', encoding="utf-8"
    )
    code, _, err = run(capsys, "--lang", "en", "targets", "--config", str(root))
    assert code == 1
    assert "2026.toml:3:11" in err and "cannot be negative" in err and "Traceback" not in err


def test_the_bundled_sample_shows_both_cases(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sample = Path(__file__).resolve().parents[1] / "src" / "chitieu_tui" / "sample_collection"
    code, out, _ = run(capsys, "targets", "--config", str(sample), "--format", "json")
    assert code == 0
    thu = json.loads(out)["indicators"][0]
    by_unit = {u["unit"]: u for u in thu["units"]}
    assert by_unit["long-xuyen"]["difference"] > 0
    assert by_unit["binh-duc"]["difference"] < 0 and by_unit["binh-duc"]["below"]
    assert by_unit["my-thoi"]["assigned"] == by_unit["my-thoi"]["adopted"] == 232.73
    assert by_unit["my-thoi"]["percent_of_assigned"] == 13.75


def _province_for_check(tmp_path: Path, text: str) -> Path:
    root = tmp_path / "tinh"
    thu = {"id": "thu", "kind": "cumulative", "unit": "tỉ đồng", "target": 100.0}
    write_unit(root, "a", [thu])
    write_unit(root, "b", [{**thu, "target": 80.0}])
    write_unit(root, "c", [{"id": "bhyt", "kind": "level", "unit": "%", "target": 90}])
    (root / "targets").mkdir()
    (root / "targets" / "2026.toml").write_text(text, encoding="utf-8")
    return root


def test_check_says_giao_thieu_is_an_error_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _province_for_check(
        tmp_path, '[[indicator]]\nid = "thu"\ntarget = 300\nunits = { a = 100, b = 90 }\n'
    )
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "--lang", "en", "check", "--config", "tinh")
    assert code == 1
    assert (
        'tinh/targets/2026.toml: assigned short (giao thiếu): indicator "thu" assigned to the '
        "units adds up to 190, below the province's target 300 (short by 110)"
    ) in err
    assert (
        'tinh/b/chitieu.toml: warning: unit "b" adopted 80 for indicator "thu", less than the 90 '
        "assigned (tinh/targets/2026.toml)"
    ) in err
    assert "the targets assigned have errors" in out
    code, out, err = run(capsys, "check", "--config", "tinh")
    assert code == 1 and 'giao thiếu: chỉ tiêu "thu"' in err and "cảnh báo" in err


def test_check_warns_of_a_unit_without_the_indicator_and_passes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _province_for_check(
        tmp_path, '[[indicator]]\nid = "thu"\ntarget = 200\nunits = { a = 100, b = 80, c = 20 }\n'
    )
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "--lang", "en", "check", "--config", "tinh")
    assert code == 0, err
    assert (
        'tinh/c/chitieu.toml: warning: unit "c" is assigned indicator "thu" (20, '
        "tinh/targets/2026.toml) but does not have it"
    ) in err
    assert "OK: tinh/targets/2026.toml: 1 indicators assigned" in out
    assert root.is_dir()


def test_check_names_a_broken_targets_file_and_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _province_for_check(tmp_path, '[[indicator]]\nid = "thu"\nunits = { zz = 1 }\n')
    (root / "targets" / "2026-cu.toml").write_text("", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "--lang", "en", "check", "--config", "tinh")
    assert code == 1
    assert 'tinh/targets/2026.toml:3:11: indicator "thu": the collection has no unit "zz"' in err
    assert "tinh/targets/2026-cu.toml: the file name must be a four-digit year" in err
