"""Data safety of the files (issue 18): reading never writes, writes stay inside the data
folder, a journal belongs to its unit and quarter, a refused write journals nothing."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest
from datadirs import copy_sample, enter
from tuikit import RecordingApp, dash, settle

from chitieu_tui.cli import main
from chitieu_tui.core.datadir import DataDir
from chitieu_tui.core.errors import DataError, WriteError
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.core.journal import read_journal
from chitieu_tui.core.periods import Period
from chitieu_tui.screens import DetailScreen

Q1 = Period(2026, 1)


@pytest.fixture(autouse=True)
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """Error panels on one line, so that messages are not cut by the frame."""
    monkeypatch.setenv("COLUMNS", "400")


def tree(root: Path) -> dict[str, tuple[int, bytes | str]]:
    """Every path under `root` (hidden ones too) with its mtime and content (a link: its
    target; a folder: its listing changes its mtime)."""
    found: dict[str, tuple[int, bytes | str]] = {}
    for folder, dirs, files in os.walk(root):
        for name in [*dirs, *files]:
            path = Path(folder) / name
            st = path.lstat()
            rel = str(path.relative_to(root))
            if path.is_symlink():
                found[rel] = (st.st_mtime_ns, os.readlink(path))
            elif path.is_dir():
                found[rel] = (st.st_mtime_ns, "")
            else:
                found[rel] = (st.st_mtime_ns, path.read_bytes())
    found["."] = (root.stat().st_mtime_ns, "")
    return found


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """`chitieu --lang en ARGV` in this process: exit status, stdout, stderr."""
    code = main(["--lang", "en", *argv])
    out = capsys.readouterr()
    return code, out.out, " ".join(out.err.replace("│", " ").split())


def hand_edit(root: Path, value: str = "80") -> None:
    """Change bhyt in the progress file as a text editor would."""
    path = root / "progress" / "2026-Q1.toml"
    text = path.read_text()
    start = text.index("bhyt = ")
    end = text.index("\n", start)
    path.write_text(text[:start] + f"bhyt = {value}" + text[end:])


READS = (
    ("log",),
    ("log", "bhyt"),
    ("report",),
    ("report", "--format", "json"),
    ("report", "--format", "csv"),
    ("check",),
    ("alerts",),
    ("report", "--period", "2025-Q4"),
    ("log", "--period", "2025-Q4"),
)


@pytest.mark.parametrize("journaled", [False, True], ids=["no-journal", "journal-and-hand-edit"])
def test_reading_commands_never_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], journaled: bool
) -> None:
    root = copy_sample(tmp_path)
    if journaled:  # a journal, then a value changed by hand: shown, not recorded by a reader
        enter(DataDir(root), Q1, "bhyt", "91", by="A")
        hand_edit(root)
    before = tree(root)
    for argv in READS:
        code, out, err = run(capsys, "--config", str(root), *argv)
        assert code == 0, (argv, err)
        assert tree(root) == before, argv
    if journaled:
        code, out, _ = run(capsys, "--config", str(root), "log", "bhyt")
        assert "(edited by hand)" in out and "91 → 80" in out
    else:
        code, out, _ = run(capsys, "--config", str(root), "log")
        assert "(in the file before the journal began)" in out
    assert not (root / "journal").exists() or journaled


@pytest.mark.parametrize("journaled", [False, True], ids=["no-journal", "journal-and-hand-edit"])
async def test_the_dashboard_and_its_detail_view_never_write(
    tmp_path: Path, journaled: bool
) -> None:
    root = copy_sample(tmp_path)
    if journaled:
        enter(DataDir(root), Q1, "bhyt", "91", by="A")
        hand_edit(root)
    before = tree(root)
    app = RecordingApp(FileSource(root))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table: Any = dash(app).table
        table.move_cursor(row=table.get_row_index("bhyt"))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailScreen)
        text = str(app.screen.query_one("#detail-journal").render())
        assert ("91 → 80" in text) if journaled else ("(có sẵn" in text)
        await pilot.press("escape")
        await settle(pilot)
    assert tree(root) == before


def test_hand_changes_seen_by_a_reader_are_recorded_by_the_next_write(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    data = DataDir(root)
    shown = data.journal(Q1)  # no journal yet: the file's values are "found", in memory
    assert shown and all(c.via == "found" for c in shown)
    assert not (root / "journal").exists()
    assert not list((root / "progress").glob(".*.lock"))
    enter(data, Q1, "bhyt", "91", by="A")
    stored = read_journal(root / "journal" / "2026-Q1.toml")
    assert [c for c in stored if c.via == "found"] == shown  # as shown, at the file's time
    assert stored[-1].by == "A" and stored[-1].new == 91.0


# --- item 6: links ---------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["dangling", "loop", "outside"])
def test_a_progress_link_to_nothing_or_outside_is_a_coded_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    root = copy_sample(tmp_path)
    nowhere = tmp_path / "nonexistent" / "deep" / "x.toml"
    link = root / "progress" / "2026-Q2.toml"
    if kind == "dangling":
        link.symlink_to(nowhere)
    elif kind == "loop":
        link.symlink_to(link.name)
    else:
        outside = tmp_path / "elsewhere" / "2026-Q2.toml"
        outside.parent.mkdir()
        outside.write_text('schema = 1\nunit = "my-thoi"\nperiod = "2026-Q2"\n\n[values]\n')
    if kind == "outside":
        link.symlink_to(outside)
    before = tree(root)
    words = {
        "dangling": "where there is no file",
        "loop": "a link (symlink) that loops",
        "outside": "outside the data folder",
    }[kind]
    code, out, err = run(capsys, "--config", str(root), "set", "--no-snapshot", "bhyt", "90")
    assert code == 1 and words in err and "2026-Q2.toml" in err, err
    assert "internal" not in err
    assert not (tmp_path / "nonexistent").exists()
    assert tree(root) == before  # no folder, no lock file, no journal
    if kind == "outside":
        assert "[values]\n" == outside.read_text()[-9:]
        return
    for argv in (("check",), ("report",), ("log",), ("report", "--period", "2026-Q2")):
        code, out, err = run(capsys, "--config", str(root), *argv)
        assert code == 1 and words in err, (argv, out, err)
        assert "OK" not in out and "internal" not in err
    with pytest.raises(DataError):
        FileSource(root).load()
    assert tree(root) == before


def test_a_journal_link_leading_outside_is_refused(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    (root / "journal").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    with pytest.raises(WriteError) as info:
        enter(DataDir(root), Q1, "bhyt", "90", by="A")
    assert info.value.code == "err.write.outside"
    assert not (tmp_path / "elsewhere").exists()


@pytest.mark.parametrize("name", ["progress", "years"])
def test_progress_or_years_being_a_file_is_a_coded_error_everywhere(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    root = copy_sample(tmp_path)
    folder = root / name
    for f in folder.iterdir():
        f.unlink()
    folder.rmdir()
    folder.write_text("not a folder\n")
    for argv in (
        ("check",),
        ("report",),
        ("alerts",),
        ("log",),
        ("set", "--period", "2026-Q1", "--no-snapshot", "bhyt", "90"),
    ):
        code, out, err = run(capsys, "--config", str(root), *argv)
        assert code == 1, (argv, out)
        assert f"{name}: is a file, but must be a folder" in err, (argv, err)
    assert folder.read_text() == "not a folder\n"


# --- item 8: a journal of another unit or quarter ---------------------------------------


@pytest.mark.parametrize("field", ["unit", "period"])
def test_a_journal_copied_from_another_unit_or_quarter_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], field: str
) -> None:
    root = copy_sample(tmp_path)
    enter(DataDir(root), Q1, "bhyt", "91", by="A")
    journal = root / "journal" / "2026-Q1.toml"
    text = journal.read_text()
    if field == "unit":
        text = text.replace('unit = "my-thoi"', 'unit = "tan-an"')
    else:
        text = text.replace('period = "2026-Q1"', 'period = "2025-Q4"')
    journal.write_text(text)
    before = tree(root)
    code, out, err = run(capsys, "--config", str(root), "set", "--no-snapshot", "bhyt", "92")
    assert code == 1, out
    words = "journal of unit tan-an, not of my-thoi" if field == "unit" else "period 2025-Q4"
    assert "journal/2026-Q1.toml:" in err and words in err, err
    assert tree(root) == before  # no invented "by hand" entries, no value
    for argv in (("log",), ("check",)):
        code, out, err = run(capsys, "--config", str(root), *argv)
        assert code == 1 and words in err, (argv, out, err)
    with pytest.raises(DataError):
        DataDir(root).journal(Q1)


# --- item 14: refused writes, odd file systems, odd paths -------------------------------


def test_a_read_only_progress_file_journals_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The mode bits are checked by the writer itself (not os.access), so root is refused too.
    root = copy_sample(tmp_path)
    enter(DataDir(root), Q1, "bhyt", "91", by="A")
    path = root / "progress" / "2026-Q1.toml"
    path.chmod(0o444)
    before = tree(root)
    code, out, err = run(capsys, "--config", str(root), "set", "--no-snapshot", "bhyt", "92")
    assert code == 1 and "read-only" in err, err
    assert tree(root) == before
    assert [c for c in DataDir(root).journal(Q1) if c.via == "interrupted"] == []


@pytest.mark.parametrize("existed", [False, True], ids=["first-write", "later-write"])
def test_a_rename_refused_after_the_journal_puts_the_journal_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, existed: bool
) -> None:
    # A refusal root also gets (tests run as root, who may write a 0444 file): the rename of
    # the progress file fails as on a read-only mount, after the journal was written.
    root = copy_sample(tmp_path)
    data = DataDir(root)
    if existed:
        enter(data, Q1, "bhyt", "91", by="A")
    before = tree(root)
    real_replace = os.replace

    def refuse(src: Any, dst: Any, *args: Any, **kw: Any) -> None:
        if Path(dst).name == "2026-Q1.toml" and Path(dst).parent.name == "progress":
            raise PermissionError(errno.EROFS, "Read-only file system")
        real_replace(src, dst, *args, **kw)

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(WriteError) as info:
        enter(data, Q1, "bhyt", "92", by="B")
    assert "progress/2026-Q1.toml" in info.value.render("en")
    monkeypatch.setattr(os, "replace", real_replace)
    after = tree(root)
    after.pop("journal", None)  # the folder's mtime moves when the journal is put back
    before.pop("journal", None)
    if not existed:
        after.pop(".", None)
        before.pop(".", None)
        assert not (root / "journal" / "2026-Q1.toml").exists()
    after = {k: v for k, v in after.items() if not k.endswith(".lock")}
    before = {k: v for k, v in before.items() if not k.endswith(".lock")}
    assert {k: v[1] for k, v in after.items()} == {k: v[1] for k, v in before.items()}
    assert not [c for c in DataDir(root).journal(Q1) if c.by == "B"]


def test_a_chmod_the_file_system_cannot_do_is_not_fatal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # FAT through FUSE answers ENOSYS to chmod: the file keeps the mode it was created with.
    root = copy_sample(tmp_path)

    def nosys(*args: Any, **kw: Any) -> None:
        raise OSError(errno.ENOSYS, "Function not implemented")

    monkeypatch.setattr(os, "chmod", nosys)
    enter(DataDir(root), Q1, "bhyt", "92", by="A")
    assert "value = 92" in (root / "progress" / "2026-Q1.toml").read_text()
    assert read_journal(root / "journal" / "2026-Q1.toml")[-1].new == 92.0


def test_a_name_over_255_bytes_is_a_coded_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    long = str(tmp_path / ("ư" * 130))  # 260 bytes in UTF-8
    for argv in (
        ("--config", long, "report"),
        ("--config", long, "check"),
        ("--config", long, "set", "bhyt", "1"),
        ("--config", str(copy_sample(tmp_path)), "report", "--output", long),
    ):
        code, out, err = run(capsys, *argv)
        assert code == 1, (argv, out)
        assert "too long" in err and "internal" not in err, (argv, err)


def test_a_deleted_working_folder_is_a_coded_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_sample(tmp_path)
    gone = tmp_path / "gone"
    gone.mkdir()
    monkeypatch.chdir(gone)
    gone.rmdir()
    for argv in (("report",), ("--config", "../config", "report"), ("set", "bhyt", "1")):
        code, out, err = run(capsys, *argv)
        assert code == 1, (argv, out)
        assert "the working folder no longer exists" in err, (argv, err)
    code, out, err = run(capsys, "--config", str(root), "report", "--format", "json")
    assert code == 0, err  # a folder named in full still works


# --- item 9: one unit id, one unit in a collection --------------------------------------


def _twins(root: Path) -> None:
    from collectionkit import write_unit

    ind = [{"id": "x", "kind": "cumulative", "unit": "hộ", "target": 100}]
    write_unit(root, "a", ind, {"2026-Q1": {"x": 30}}, folder="a-first")
    write_unit(root, "a", ind, {"2026-Q1": {"x": 30}}, folder="b-copy")
    write_unit(root, "c", ind, {"2026-Q1": {"x": 10}})


async def test_a_unit_id_twice_in_a_collection_is_an_error_naming_both_and_counted_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from chitieu_tui.core.collection import DuplicateUnitError, open_folder, totals

    root = tmp_path / "wards"
    _twins(root)
    for loaded in ("load", "aload"):
        collection = open_folder(root)
        if loaded == "load":
            collection.load()
        else:
            await collection.aload()
        first, copy, other = collection.members
        assert first.board is not None and other.board is not None
        assert copy.board is None and isinstance(copy.error, DuplicateUnitError)
        said = copy.error.render("en")
        assert "b-copy" in said and "a-first" in said and '"a"' in said
        (total,) = totals(collection.boards(), ["x"])
        assert (total.value, total.units) == (40.0, 2)
    code, out, err = run(capsys, "--config", str(root), "report", "--format", "json")
    assert code == 0 and "b-copy" in err
    import json

    doc = json.loads(out)
    assert [u["unit"] for u in doc["units"] if u.get("error") is None] == ["a", "c"]
    assert [t["value"] for t in doc["totals"] if t["id"] == "x"] == [40]


def test_the_server_keeps_the_same_folder_of_a_unit_id_twice(tmp_path: Path) -> None:
    from chitieu_tui.remote.server.units import Units

    root = tmp_path / "wards"
    _twins(root)
    served = Units(root)
    assert [u[0] for u in served.units()] == ["a", "c"]
    assert served.find("a", {}).root.name == "a-first"
