"""A quarter's state in the views (issue 20): the header (Pilot) and the JSON report."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from datadirs import copy_sample, write
from tuikit import RecordingApp as App
from tuikit import dash, settle

from chitieu_tui.cli import main
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.core.periods import Period
from chitieu_tui.core.requests import Approve, Close, Return
from chitieu_tui.widgets import HeaderBar

pytestmark = pytest.mark.timeout(90)
Q1 = Period(2026, 1)


def header(app: Any) -> str:
    return str(dash(app).query_one(HeaderBar).render())


async def _header_of(root: Path) -> str:
    app = App(FileSource(root))
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        return header(app)


async def test_the_header_says_approved_and_returned_with_its_reason(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    write(root, Close(period=Q1, reason="nộp", by="Lan"))
    text = await _header_of(root)
    assert "đã nộp" in text and "đã chốt" not in text  # DESIGN 12: a closed quarter is submitted
    write(root, Approve(period=Q1, by="Sở"))
    text = await _header_of(root)
    assert "đã duyệt" in text and "đã nộp" not in text
    write(root, Return(period=Q1, reason="thiếu số BHYT", by="Sở"))
    text = await _header_of(root)
    assert "bị trả lại: thiếu số BHYT" in text


def _report(root: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    capsys.readouterr()
    code = main(["report", "--config", str(root), "--period", "2026-Q1", "--format", "json"])
    assert code == 0
    found: dict[str, Any] = json.loads(capsys.readouterr().out)
    return found


def test_the_json_report_carries_the_state(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_sample(tmp_path)
    report = _report(root, capsys)
    assert report["state"] == "open" and report["closed"] is None and report["returned"] is None
    write(root, Close(period=Q1, reason="nộp", by="Lan"))
    report = _report(root, capsys)
    assert report["state"] == "submitted" and report["closed"]["approved"] is None
    write(root, Approve(period=Q1, note="đạt", by="Sở"))
    report = _report(root, capsys)
    assert report["state"] == "approved"
    assert report["closed"]["approved"]["by"] == "Sở"
    assert report["closed"]["approved"]["note"] == "đạt"
    write(root, Return(period=Q1, reason="thiếu", by="Sở"))
    report = _report(root, capsys)
    assert report["state"] == "returned" and report["returned"]["reason"] == "thiếu"
