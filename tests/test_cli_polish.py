"""Issue 18, the command line: set's echo, a missing --config folder, check and alerts on a
collection, shell completion, the version, stale docs, an unknown CHITIEU_LANG."""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from datadirs import copy_sample

from chitieu_tui.cli import main
from chitieu_tui.core.datadir import BUNDLED_COLLECTION

ROOT = Path(__file__).resolve().parents[1]
SRC = str(ROOT / "src")


def run(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "chitieu_tui", *args],
        env={**os.environ, "PYTHONPATH": SRC, "COLUMNS": "200", **env},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
    )


# --- item 11: set echoes the number stored, as the reader writes numbers ----------------


def test_set_echoes_what_it_understood(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_sample(tmp_path)
    assert main(["set", "--config", str(root), "bhyt", "91,5", "--no-snapshot"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        "Đã ghi vào Quý I/2026: bhyt = 91,5 (đã hiểu: 91,5)"
    )
    args = ["set", "--lang", "en", "--config", str(root), "--yes", "--no-snapshot"]
    assert main([*args, "thu-ngan-sach", "1.430"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == (
        "Entered into Q1 2026: thu-ngan-sach = 1.430 (understood: 1.43)"
    )
    assert main([*args, "thu-ngan-sach", "1,430"]) == 0
    assert "(understood: 1,430)" in capsys.readouterr().out


# --- item 12: --config naming a missing folder; check and alerts on a collection ---------


def test_a_missing_config_folder_exits_1_without_the_dashboard(tmp_path: Path) -> None:
    proc = run("--config", str(tmp_path / "khong-co"), cwd=tmp_path)
    assert proc.returncode == 1
    assert "khong-co" in proc.stderr and "không tìm thấy thư mục số liệu" in proc.stderr
    assert "\x1b[?1049h" not in proc.stdout  # no full-screen app was started
    proc = run(cwd=tmp_path, CHITIEU_CONFIG=str(tmp_path / "cung-khong-co"))
    assert proc.returncode == 1 and "cung-khong-co" in proc.stderr


@pytest.fixture
def province(tmp_path: Path) -> Path:
    root = tmp_path / "tinh"
    shutil.copytree(BUNDLED_COLLECTION, root)
    return root


def test_check_on_a_collection_checks_every_unit(
    province: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", "--config", str(province)]) == 0
    out = capsys.readouterr().out
    units = sorted(p.name for p in province.iterdir() if (p / "chitieu.toml").exists())
    assert len(units) == 5
    for name in units:
        assert f"── {province.name}/{name}" in out or f"{name}" in out
    assert out.count("OK: ") == 7 and "cả 5 đơn vị" in out  # 5 units, targets/2026.toml, all
    broken = province / "long-xuyen" / "progress" / "2026-Q1.toml"
    broken.write_text(broken.read_text(encoding="utf-8") + "\n[values\n", encoding="utf-8")
    assert main(["check", "--config", str(province)]) == 1
    captured = capsys.readouterr()
    assert "long-xuyen/progress/2026-Q1.toml" in captured.err
    assert "1/5 đơn vị có lỗi" in captured.out
    assert captured.out.count("OK: ") == 5  # the other four units (and the targets) checked


def test_alerts_on_a_collection_names_each_unit(
    province: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["alerts", "--config", str(province)]) == 0
    out = capsys.readouterr().out
    for name in ("Bình Đức", "Châu Đốc", "Long Xuyên", "Mỹ Hòa Hưng", "Mỹ Thới"):
        assert name in out
    assert main(["alerts", "--config", str(province), "--fail"]) == 1


# --- item 19: shell completion ----------------------------------------------------------


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_completion_prints_the_script(shell: str, capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("argcomplete")
    assert main(["completion", shell]) == 0
    assert "chitieu" in capsys.readouterr().out


def complete(line: str, cwd: Path) -> list[str]:
    pytest.importorskip("argcomplete")
    out = cwd / "completions"
    proc = subprocess.run(
        [sys.executable, "-m", "chitieu_tui"],
        env={
            **os.environ,
            "PYTHONPATH": SRC,
            "_ARGCOMPLETE": "1",
            "_ARGCOMPLETE_IFS": "\n",
            "COMP_LINE": line,
            "COMP_POINT": str(len(line)),
            "_ARGCOMPLETE_STDOUT_FILENAME": str(out),
        },
        capture_output=True,
        text=True,
        timeout=60,
        cwd=cwd,
    )
    assert proc.returncode == 0, proc.stderr
    return out.read_text().split()


def test_completion_offers_indicator_ids_and_periods(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    assert complete(f"chitieu set --config {root} thu-", tmp_path) == ["thu-ngan-sach"]
    assert "bhyt" in complete(f"chitieu log --config {root} ", tmp_path)
    periods = complete(f"chitieu report --config {root} --period 2025", tmp_path)
    assert periods == ["2025-Q4", "2025-Q3", "2025-Q2", "2025-Q1"]


def test_argcomplete_asked_but_missing_exits_quietly(monkeypatch: pytest.MonkeyPatch) -> None:
    import chitieu_tui.cli.tui as tui

    def never(*_: object) -> int:
        raise AssertionError("the dashboard was started")

    monkeypatch.setitem(sys.modules, "argcomplete", None)  # `import argcomplete` fails
    monkeypatch.setattr(tui, "cmd_tui", never)
    monkeypatch.setenv("_ARGCOMPLETE", "1")
    with pytest.raises(SystemExit) as caught:
        main([])
    assert caught.value.code == 0


def test_completion_without_argcomplete_names_the_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setitem(sys.modules, "argcomplete", None)
    assert main(["completion", "bash"]) == 2
    assert "completion" in capsys.readouterr().err


# --- item 20: packaging and docs --------------------------------------------------------


def test_the_version_is_the_packages(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["--version"])
    assert caught.value.code == 0
    assert capsys.readouterr().out == f"chitieu {importlib.metadata.version('chitieu-tui')}\n"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    written = re.escape(project["version"])
    for path in (ROOT / "src").rglob("*.py"):  # the one place is pyproject.toml
        assert not re.search(rf"""["']{written}["']""", path.read_text(encoding="utf-8"))


def test_no_curses_classifier() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert "Environment :: Console :: Curses" not in project["classifiers"]


def test_docs_name_no_design_sections_and_no_refused_entry_due_days() -> None:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "§" not in text, page.name  # a section of a document the repository lacks
        assert not re.search(r"entry_due_days`?\.? Today it is refused", text), page.name
    anchors = re.findall(r"cli\.md#([a-z0-9-]+)", "\n".join(p.read_text() for p in pages))
    headings = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    slugs = {
        re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-")
        for h in re.findall(r"^#+ (.*)$", headings, re.M)
    }
    assert set(anchors) <= slugs


def test_an_unknown_chitieu_lang_is_warned_about(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CHITIEU_LANG", "fr")
    monkeypatch.setenv("LANG", "C.UTF-8")
    assert main(["check"]) == 0
    err = capsys.readouterr().err
    assert "CHITIEU_LANG" in err and "'fr'" in err and "vi, en" in err
    assert "không có ngôn ngữ" in err
    monkeypatch.setenv("CHITIEU_LANG", "en")
    assert main(["check"]) == 0
    assert "CHITIEU_LANG" not in capsys.readouterr().err
