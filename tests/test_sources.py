"""The source seam: one protocol, one pipeline, and a third source (the snapshot archive)."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest
from datadirs import copy_sample
from tuikit import RecordingApp, settle

from chitieu_tui.cli import main
from chitieu_tui.core.archive import ArchiveSource
from chitieu_tui.core.errors import InternalError
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.core.periods import Period
from chitieu_tui.core.source import ClosableSource, Source, WritableSource
from chitieu_tui.remote.source import ApiSource
from chitieu_tui.report import to_json
from chitieu_tui.widgets import HeaderBar, SummaryBar

SRC = Path(__file__).resolve().parents[1] / "src" / "chitieu_tui"
Q1 = Period(2026, 1)


def test_every_source_speaks_the_protocol(tmp_path: Path) -> None:
    files = FileSource(copy_sample(tmp_path))
    api = ApiSource("http://127.0.0.1:1", "my-thoi", snapshots=tmp_path / "s")
    archive = ArchiveSource(tmp_path / "s", "my-thoi")
    assert all(isinstance(s, Source) for s in (files, api, archive))
    assert isinstance(files, WritableSource)
    # an ApiSource writes over the API (issue 20); whether it may is the server's /me to say
    assert isinstance(api, ClosableSource) and api.origin.read_only
    assert not isinstance(archive, WritableSource)


def test_a_view_is_built_in_one_place() -> None:
    """`View(...)` (however it is reached: a name, an attribute, a `replace`) is constructed
    only inside `build_view`; every module is looked at, none exempted by name."""
    offenders = []
    for path in SRC.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        allowed: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name == "build_view":
                allowed |= {id(n) for n in ast.walk(node)}
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or id(node) in allowed:
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name == "View":
                offenders.append(f"{path.relative_to(SRC)}:{node.lineno}")
    assert offenders == []
    assert (SRC / "core" / "source.py").read_text(encoding="utf-8").count("View(") == 1


def test_the_core_has_no_import_circle() -> None:
    """No circle in chitieu_tui.core's imports (function-level imports counted too), and the
    seam loads no implementation: importing `View` does not load the writer or a source."""
    import subprocess
    import sys

    import grimp

    graph = grimp.build_graph("chitieu_tui")
    core = sorted(m for m in graph.modules if m.startswith("chitieu_tui.core."))
    circles = []
    for module in core:
        for other in graph.find_modules_directly_imported_by(module):
            if other.startswith("chitieu_tui.core.") and graph.find_shortest_chain(
                importer=other, imported=module
            ):
                circles.append(f"{module} -> {other}")
    assert circles == []
    code = (
        "import sys; from chitieu_tui.core.source import View; "
        "print(sorted(m for m in sys.modules if m.startswith('chitieu_tui.core')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    for heavy in ("writer", "datadir", "filesource", "archive", "loader", "journal"):
        assert f"chitieu_tui.core.{heavy}'" not in loaded.stdout, heavy


def test_the_app_does_not_probe_its_source() -> None:
    for name in ("app.py", "screens/dashboard.py", "screens/rollup.py", "screens/controller.py"):
        text = (SRC / name).read_text(encoding="utf-8")
        for probe in ("hasattr(", "getattr(", "is_remote", ": Any"):
            assert probe not in text, (name, probe)


def _archive_of_the_ward(tmp_path: Path) -> Path:
    root = copy_sample(tmp_path)
    source = FileSource(root, snapshots=tmp_path / "snaps")
    for period in (Period(2025, 4), Q1):
        source.snapshot(source.load(period))
    return tmp_path / "snaps"


def test_the_archive_is_a_source_of_its_own(tmp_path: Path) -> None:
    snaps = _archive_of_the_ward(tmp_path)
    live = FileSource(tmp_path / "config").load(Q1, history=0)
    view = ArchiveSource(snaps, "my-thoi").load(None)
    assert view.stale and view.read_only and view.source_kind == "snapshot"
    assert view.period == Q1 and to_json(view.board) == to_json(live.board)
    assert [b.period for b in view.history] == [Period(2025, 4), Q1]
    older = ArchiveSource(snaps, "my-thoi").load(Period(2025, 4))
    # judged against its own year's definitions (the sample's years/2025.toml: 19 targets)
    assert older.period == Period(2025, 4) and older.board.summary.total == 19
    assert ArchiveSource(snaps, "other-unit").preload(None) is None  # another unit's: nothing


async def test_the_dashboard_opens_the_archive_without_changing_the_app(tmp_path: Path) -> None:
    snaps = _archive_of_the_ward(tmp_path)
    from chitieu_tui.app import preload

    source = ArchiveSource(snaps, "my-thoi")
    app = RecordingApp(source, initial=preload(source, None))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert "8/20" in str(app.screen.query_one(SummaryBar).render())
        header = str(app.screen.query_one(HeaderBar).render())
        assert "ngoại tuyến" in header
        await pilot.press("e")
        await pilot.pause()
        assert any("bản chụp số liệu" in text for _, text in app.notes)


def test_report_offline_reads_the_archive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    snaps = _archive_of_the_ward(tmp_path)
    argv = ["report", "--offline", "--unit", "my-thoi", "--snapshots", str(snaps)]
    assert main([*argv, "--format", "json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["summary"]["met"] == 8 and out["period"] == "2026-Q1"
    assert main(["report", "--offline", "--snapshots", str(snaps)]) == 2  # needs --unit
    capsys.readouterr()
    empty = ["report", "--offline", "--unit", "my-thoi", "--snapshots", "none"]
    assert main(["--lang", "en", *empty]) == 1
    assert "no readable snapshot" in capsys.readouterr().err


async def test_a_bug_in_a_refresh_is_not_a_network_failure(
    ward: Path, start: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    server = start(ward)
    source = ApiSource(server.url, "my-thoi", snapshots=tmp_path / "snaps")
    good = await source.aload(None)

    def broken(*args: Any) -> Any:
        raise KeyError("a bug")

    monkeypatch.setattr(source, "_assemble", broken)
    with pytest.raises(InternalError) as err:
        await source.aload(None)
    assert isinstance(err.value.__cause__, KeyError)
    assert "internal error" in str(err.value) and "lỗi nội bộ" in err.value.render("vi")
    assert source.last_error is None  # the server did nothing wrong: no offline copy
    await source.aclose()
    assert not good.stale


@pytest.mark.parametrize(
    ("lang", "words"),
    [("vi", "lỗi: tham số --period: quý phải có dạng"), ("en", "error: argument --period: period")],
)
def test_bad_usage_is_worded_in_the_readers_language(
    lang: str, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as leave:
        main(["--lang", lang, "report", "--period", "2026-Q9"])
    assert leave.value.code == 2
    assert words in capsys.readouterr().err
