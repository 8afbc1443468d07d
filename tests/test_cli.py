"""The command line: the bundled sample, report formats, snapshots, exit codes."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from datadirs import copy_sample, make_datadir

from chitieu_tui.cli import main
from chitieu_tui.core.snapshots import read_snapshot


def run(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "chitieu_tui", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=60,
    )


def test_report_json_in_an_empty_folder_is_the_bundled_sample(tmp_path: Path) -> None:
    proc = run("report", "--format", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout)
    assert data["unit"] == "my-thoi" and data["period"] == "2026-Q1"
    assert data["summary"] == {"met": 8, "on_track": 5, "behind": 6, "no_data": 1, "total": 20}
    rows = {r["id"]: r for r in data["indicators"]}
    assert rows["thu-ngan-sach"]["value"] == 32.0
    assert rows["thu-ngan-sach"]["percent_of_target"] == 13.75
    assert rows["thu-ngan-sach"]["expected"] == 58.18
    assert rows["thu-ngan-sach"]["status"] == "behind"
    assert rows["bhyt"]["value"] == 90.0
    assert rows["giao-quan"]["status"] == "met"
    assert rows["ket-nap-dang-vien"]["value"] == 6
    no_data = rows["khu-dan-cu-an-toan"]
    assert (no_data["status"], no_data["value"], no_data["ytd"]) == ("no_data", None, None)
    assert (no_data["expected"], no_data["percent_of_target"]) == (None, None)
    milestone = rows["so-tay-dien-tu"]
    assert milestone["value"] is True and milestone["ytd"] is None and milestone["expected"] is None
    assert set(rows["thu-ngan-sach"]) == {
        "id",
        "group",
        "name",
        "kind",
        "value",
        "ytd",
        "target",
        "expected",
        "percent_of_target",
        "status",
        "note",
        "by",
        "at",
        "cause",
        "remedy",
        "followup",
    }


def test_report_table_and_markdown_in_vietnamese(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report"]) == 0
    out = capsys.readouterr().out
    assert "8/20 chỉ tiêu đạt và vượt kế hoạch" in out
    assert "13,75%" in out and "1.430" in out
    assert main(["report", "--format", "markdown", "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "8/20 targets met" in out and "13.75%" in out


def test_report_period_option(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["report", "--format", "json", "--period", "2025-Q4"]) == 0
    assert json.loads(capsys.readouterr().out)["period"] == "2025-Q4"


def test_bad_usage_exits_2(tmp_path: Path) -> None:
    proc = run("report", "--period", "2026-Q5", cwd=tmp_path)
    assert proc.returncode == 2
    assert "2026-Q1" in proc.stderr


MARKUP = "[@click=app.quit]x[/] [bold]đậm[/bold]"


def test_markup_in_names_is_literal_in_every_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = f"""
[[indicator]]
id = "thu"
group = "g"
name = "{MARKUP}"
kind = "level"
target = 1
"""
    root = make_datadir(tmp_path, text, {"2026-Q1": "thu = 1\n"})
    for form in ("table", "csv", "json"):
        assert main(["report", "--config", str(root), "--format", form]) == 0
        out = capsys.readouterr().out
        if form == "json":
            assert json.loads(out)["indicators"][0]["name"] == MARKUP
        elif form == "csv":
            assert list(csv.DictReader(io.StringIO(out)))[0]["name"] == MARKUP
        else:
            assert "[@click=app.quit]x[/]" in out
    assert main(["report", "--config", str(root), "--format", "markdown"]) == 0
    out = capsys.readouterr().out
    assert r"\[@click=app.quit\]x\[/\]" in out


def test_snapshot_writes_a_new_file_when_the_figures_changed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_sample(tmp_path)
    paths = []
    for _ in range(3):
        assert main(["snapshot", "--config", str(root)]) == 0
        paths.append(Path(capsys.readouterr().out.strip()))
    assert len(set(paths)) == 1  # the same figures: the newest snapshot's path, nothing new
    assert len(list(paths[0].parent.iterdir())) == 1
    for p in paths:
        assert p.parent == root / "snapshots" / "2026-Q1"
        doc = tomllib.loads(p.read_text())
        assert doc["source"] == "file:progress/2026-Q1.toml"
        assert doc["summary"] == {"met": 8, "on_track": 5, "behind": 6, "no_data": 1, "total": 20}
        rows = {r["id"]: r for r in doc["indicator"]}
        assert rows["thu-ngan-sach"]["percent_of_target"] == 13.75
        assert "value" not in rows["khu-dan-cu-an-toan"]
        snap = read_snapshot(p)
        assert snap.progress.values["thu-ngan-sach"].value == 32.0


def test_snapshot_of_the_bundled_sample_goes_to_the_user_data_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)
    assert main(["snapshot"]) == 0
    path = Path(capsys.readouterr().out.strip())
    assert path.is_relative_to(
        tmp_path / "xdg" / "chitieu-tui" / "my-thoi" / "snapshots" / "2026-Q1"
    )


def test_broken_file_gives_a_red_message_and_exit_1(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    (root / "progress" / "2026-Q1.toml").write_text("schema = 1\nunit = \n")
    proc = run("report", "--config", str(root), cwd=tmp_path)
    assert proc.returncode == 1
    assert "2026-Q1.toml:2:8" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_default_period_is_the_newest_with_progress(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_sample(tmp_path)
    (root / "progress" / "2026-Q1.toml").rename(root / "progress" / "2025-Q1.bak")
    assert main(["report", "--config", str(root), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["period"] == "2025-Q4"


def test_screenshot_renders_the_dashboard_to_svg(tmp_path: Path) -> None:
    out = tmp_path / "board.svg"
    proc = run("screenshot", "--output", str(out), "--size", "80x24", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    svg = out.read_text()
    assert svg.startswith("<svg") and "13,75%" in svg
    assert "8/20&#160;chỉ&#160;tiêu" in svg or "8/20 chỉ tiêu" in svg


def test_screenshot_of_broken_data_exits_1(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    (root / "chitieu.toml").write_text("schema = 1\n[unit\n")
    proc = run(
        "screenshot", "--config", str(root), "--output", str(tmp_path / "x.svg"), cwd=tmp_path
    )
    assert proc.returncode == 1
    assert "chitieu.toml:2" in proc.stderr and "Traceback" not in proc.stderr


def test_a_decrease_shows_the_value_it_is_judged_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = """
[[indicator]]
id = "tai-nan"
group = "g"
name = "Tai nạn giao thông"
kind = "cumulative"
report = "quarter"
direction = "decrease"
baseline = 100
target = 40
"""
    root = make_datadir(tmp_path, text, {"2026-Q1": "tai-nan = 60\n", "2026-Q2": "tai-nan = 50\n"})
    assert (
        main(["report", "--config", str(root), "--period", "2026-Q2", "--format", "markdown"]) == 0
    )
    row = next(line for line in capsys.readouterr().out.splitlines() if "tai-nan" in line)
    cells = [c.strip() for c in row.split("|")]
    assert cells[3] == "50" and cells[5] == "83,33%"  # v = 50 (not the sum 110): (100-50)/(100-40)
