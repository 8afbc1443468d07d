"""A broken high rule refuses the write on every path through the one writer (`set`,
import, the API's single and bulk writes, `set --api`); medium and low rules are written
and listed (issue 25 item 2). The bundled sample's three illustrative rules all hold."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from datadirs import board_of, copy_sample, plain_values
from hostile_server import UvicornThread
from servers import call

from chitieu_tui.cli import main
from chitieu_tui.core import alerts as core_alerts
from chitieu_tui.core import rules
from chitieu_tui.core.periods import Period
from chitieu_tui.core.users import add_user
from chitieu_tui.remote.server import create_app

pytestmark = pytest.mark.timeout(120)
Q1 = Period(2026, 1)
UNIT = "my-thoi"
HIGH_VI = "Số đảng viên kết nạp trong quý không thể lớn hơn tổng số đảng viên"


def _run(*argv: str) -> int:
    try:
        return main(list(argv))
    except SystemExit as exc:
        return int(exc.code or 0)


def _flat(text: str) -> str:
    return " ".join(text.replace("│", " ").split())


def test_the_samples_rules_all_hold(tmp_path: Path) -> None:
    board = board_of(copy_sample(tmp_path), Q1)
    results = rules.board_results(board)
    assert [r.rule.importance for r in results] == ["high", "medium", "low"]
    assert [r.state for r in results] == ["holds", "holds", "holds"]
    assert board.summary.counts  # 8/20 unchanged: the rules judge no indicator
    assert sum(1 for ev in board.evaluations if ev.status.name == "MET") == 8


def test_set_refuses_a_broken_high_rule_with_both_values(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_sample(tmp_path)
    before = (root / "progress" / "2026-Q1.toml").read_bytes()
    capsys.readouterr()
    argv = ["set", "--config", str(root), "--period", "2026-Q1", "--no-snapshot", "--yes"]
    assert _run(*argv, "ket-nap-dang-vien", "2000") == 1
    err = _flat(capsys.readouterr().err)
    assert HIGH_VI in err
    assert "ket-nap-dang-vien = 2.000 <= dang-vien = 1.430 không đúng" in err
    assert (root / "progress" / "2026-Q1.toml").read_bytes() == before
    assert _run(*argv, "--lang", "en", "dang-vien", "5") == 1
    err = _flat(capsys.readouterr().err)
    assert "ket-nap-dang-vien = 6 <= dang-vien = 5 does not hold" in err


def test_set_writes_a_broken_medium_rule_and_lists_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_sample(tmp_path)
    capsys.readouterr()
    argv = ["set", "--config", str(root), "--period", "2026-Q1", "--no-snapshot", "--yes"]
    assert _run(*argv, "so-to-chuc-dang", "480") == 0
    out = capsys.readouterr().out
    assert "Đã ghi, nhưng 1 quy tắc bị vi phạm:" in out
    assert (
        "[cần xem] Mỗi tổ chức đảng có ít nhất 3 đảng viên: kiểm tra số tổ chức đảng và số "
        "đảng viên: so-to-chuc-dang * 3 = 1.440 <= dang-vien = 1.430"
    ) in out
    assert plain_values(root / "progress" / "2026-Q1.toml")["so-to-chuc-dang"] == 480
    assert _run(*argv, "so-to-chuc-dang", "38") == 0  # holds again: nothing listed
    assert "quy tắc" not in capsys.readouterr().out


def test_import_refuses_a_broken_high_rule_at_its_cell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    root = copy_sample(tmp_path)
    out = tmp_path / "t.xlsx"
    assert _run("template", "--config", str(root), "--period", "2026-Q1", "--output", str(out)) == 0
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    rows = {ws.cell(r, 1).value: r for r in range(6, ws.max_row + 1) if ws.cell(r, 1).value}
    ws.cell(rows["bhyt"], 5).value = 91
    ws.cell(rows["ket-nap-dang-vien"], 5).value = 2000
    wb.save(out)
    before = (root / "progress" / "2026-Q1.toml").read_bytes()
    capsys.readouterr()
    assert _run("import", "--config", str(root), "--yes", str(out)) == 1
    err = _flat(capsys.readouterr().err)
    assert f"'Phường Mỹ Thới'!E{rows['ket-nap-dang-vien']}" in err
    assert HIGH_VI in err
    assert (root / "progress" / "2026-Q1.toml").read_bytes() == before


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[UvicornThread, str, Path]]:
    root = copy_sample(tmp_path)
    token = add_user(root / "users.toml", "edi", "editor", [UNIT], "Ms editor")
    srv = UvicornThread(create_app(root)).start()
    yield srv, token, root
    srv.stop()


def test_the_api_answers_422_with_the_rules_code(
    served: tuple[UvicornThread, str, Path],
) -> None:
    srv, token, root = served
    before = (root / "progress" / "2026-Q1.toml").read_bytes()
    path = f"/units/{UNIT}/progress/{Q1}/values/ket-nap-dang-vien"
    resp = call(srv, "PUT", path, token, {"value": 2000, "confirm": True})
    assert resp.status_code == 422
    body = resp.json()
    assert body["code"] == "err.rule.refused"
    assert "ket-nap-dang-vien = 2,000 <= dang-vien = 1,430 does not hold" in body["detail"]
    bulk = {
        "values": [
            {"id": "bhyt", "value": 91},
            {"id": "dang-vien", "value": 3},
        ],
        "confirm": True,
    }
    resp = call(srv, "POST", f"/units/{UNIT}/progress/{Q1}/values", token, bulk, lang="vi")
    assert resp.status_code == 422
    body = resp.json()
    assert (body["code"], body["index"], body["id"]) == ("err.rule.refused", 1, "dang-vien")
    assert "dang-vien = 3 không đúng" in body["detail"]
    assert (root / "progress" / "2026-Q1.toml").read_bytes() == before


def test_set_over_the_api_is_refused_with_the_message(
    served: tuple[UvicornThread, str, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    srv, token, root = served
    monkeypatch.setenv("CHITIEU_API_TOKEN", token)
    api = ["--api", srv.url, "--unit", UNIT, "--period", "2026-Q1", "--no-snapshot", "--yes"]
    capsys.readouterr()
    assert _run("set", *api, "ket-nap-dang-vien", "2000") == 1
    err = _flat(capsys.readouterr().err)
    assert HIGH_VI in err and "2.000" in err and "1.430" in err
    assert _run("set", *api, "so-to-chuc-dang", "480") == 0
    assert "Đã ghi, nhưng 1 quy tắc bị vi phạm:" in capsys.readouterr().out
    assert (
        json.loads(json.dumps(plain_values(root / "progress" / "2026-Q1.toml")))["so-to-chuc-dang"]
        == 480
    )


def _break_by_hand(root: Path, high: bool = True) -> None:
    """A medium rule (and a high one) broken in the file itself: the writer would refuse
    the high one."""
    path = root / "progress" / "2026-Q1.toml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("so-to-chuc-dang = 37", "so-to-chuc-dang = 480")
    if high:
        text = text.replace("ket-nap-dang-vien = 6", "ket-nap-dang-vien = 1500")
    path.write_text(text, encoding="utf-8")


def test_check_exits_1_on_a_broken_high_rule_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_sample(tmp_path)
    capsys.readouterr()
    assert _run("check", "--config", str(root)) == 0
    _break_by_hand(root, high=False)
    assert _run("check", "--config", str(root)) == 0  # a medium rule: said, not failed
    captured = capsys.readouterr()
    assert "2026-Q1.toml: [cần xem] Mỗi tổ chức đảng" in captured.err
    assert "OK" in captured.out
    _break_by_hand(root)
    assert _run("check", "--config", str(root), "--lang", "en") == 1
    err = capsys.readouterr().err
    assert (
        "2026-Q1.toml: [high] Số đảng viên kết nạp trong quý không thể lớn hơn tổng số đảng "
        "viên: ket-nap-dang-vien = 1,500 <= dang-vien = 1,430"
    ) in err


def test_alerts_list_broken_rules_and_fail_on_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_sample(tmp_path)
    _break_by_hand(root)
    capsys.readouterr()
    assert _run("alerts", "--config", str(root), "--period", "2026-Q1") == 0
    out = capsys.readouterr().out
    assert "2 quy tắc bị vi phạm" in out
    assert "  [bắt buộc] Số đảng viên kết nạp" in out
    assert "  [cần xem] Mỗi tổ chức đảng" in out
    monkeypatch.setattr(core_alerts, "alerts", lambda board, on=None: [])  # rules alone
    assert _run("alerts", "--config", str(root), "--period", "2026-Q1", "--fail") == 1
    capsys.readouterr()
    copy = copy_sample(tmp_path / "fine")
    assert _run("alerts", "--config", str(copy), "--period", "2026-Q1", "--fail") == 0
    assert "quy tắc" not in capsys.readouterr().out


def test_the_json_report_carries_the_rules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_sample(tmp_path)
    _break_by_hand(root)
    capsys.readouterr()
    assert _run("report", "--config", str(root), "--period", "2026-Q1", "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    assert [(r["importance"], r["state"]) for r in data["rules"]] == [
        ("high", "broken"),
        ("medium", "broken"),
        ("low", "holds"),
    ]
    first = data["rules"][0]
    assert (first["left"], first["op"], first["right"]) == ("ket-nap-dang-vien", "<=", "dang-vien")
    assert (first["left_value"], first["right_value"], first["when"]) == (1500.0, 1430.0, "filled")
    assert first["message"] == HIGH_VI
    capsys.readouterr()
    assert _run("report", "--config", str(root), "--period", "2025-Q4", "--format", "json") == 0
    assert json.loads(capsys.readouterr().out)["rules"] == []  # 2025's definitions have none


def test_the_markdown_report_lists_broken_rules_under_the_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_sample(tmp_path)
    argv = ["report", "--config", str(root), "--period", "2026-Q1", "--format", "markdown"]
    capsys.readouterr()
    assert _run(*argv) == 0
    assert "quy tắc" not in capsys.readouterr().out
    _break_by_hand(root)
    assert _run(*argv) == 0
    out = capsys.readouterr().out
    assert "**2 quy tắc bị vi phạm**" in out
    assert "- \\[bắt buộc\\] Số đảng viên kết nạp" in out  # markup characters escaped
    assert "ket-nap-dang-vien = 1.500 \\<= dang-vien = 1.430" in out
