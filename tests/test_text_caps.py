"""Notes, causes and remedies (2,000 characters) and `by` (200) are capped where every write
passes (core.model.check_lengths): the CLI `set` and `close`, the `e` form, `import`."""

from __future__ import annotations

from pathlib import Path

import pytest
from datadirs import close, copy_sample
from textual.widgets import Input
from tuikit import RecordingApp as App

from chitieu_tui.cli import main
from chitieu_tui.core.datadir import DataDir
from chitieu_tui.core.errors import EntryError
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.core.model import BY_MAX, TEXT_MAX
from chitieu_tui.core.periods import Period
from chitieu_tui.core.requests import SetValue
from chitieu_tui.i18n import use
from chitieu_tui.screens import EntryScreen

Q1 = Period(2026, 1)


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def _said(err: str) -> str:
    """The red panel's text on one line (its borders and wrapping removed)."""
    lines = [line.strip().strip("│╭╮╰╯─").strip() for line in err.splitlines()]
    return " ".join(line for line in lines if line)


def test_the_caps() -> None:
    assert (TEXT_MAX, BY_MAX) == (2000, 200)


@pytest.mark.parametrize(
    ("option", "words"),
    [
        ("--note", "the note is too long: at most 2,000 characters, this one has 2,001"),
        ("--cause", "the cause is too long: at most 2,000 characters, this one has 2,001"),
        ("--remedy", "the remedy is too long: at most 2,000 characters, this one has 2,001"),
    ],
)
def test_cli_set_refuses_a_text_over_the_cap(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, words: str
) -> None:
    root = copy_sample(tmp_path)
    before = _files(root)
    argv = ["--lang", "en", "set", "--config", str(root), "dang-vien", "1431"]
    assert main([*argv, option, "x" * 2001]) == 1
    assert words in _said(capsys.readouterr().err)
    assert _files(root) == before  # nothing written, not even the journal
    assert main([*argv, option, "x" * 2000]) == 0  # the cap itself is allowed


def test_cli_set_refuses_a_long_by_in_vietnamese(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_sample(tmp_path)
    before = _files(root)
    argv = ["set", "--config", str(root), "dang-vien", "1431", "--by", "B" * 201]
    assert main(argv) == 1
    err = _said(capsys.readouterr().err)
    assert "tên người nhập" in err and "tối đa 200 ký tự, ở đây có 201" in err
    assert _files(root) == before


def test_close_refuses_a_long_reason_or_by(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    before = _files(root)
    data = DataDir(root)
    for reason, by in (("r" * 2001, None), ("checked", "B" * 201)):
        with pytest.raises(EntryError) as caught:
            close(data, Q1, reason, by=by)
        assert caught.value.msg.key == "err.entry.text_long"
    assert _files(root) == before


def test_import_and_every_batch_share_the_cap(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    before = _files(root)
    requests = [
        SetValue(period=Q1, id="dang-vien", value=1431.0, via="import"),
        SetValue(period=Q1, id="bhyt", value=91.0, remedy="y" * 2001, via="import"),
    ]
    with pytest.raises(EntryError) as caught:
        DataDir(root).write(requests)
    assert caught.value.msg.key == "err.entry.text_long"
    assert "giải pháp quá dài: tối đa 2.000 ký tự, ở đây có 2.001" in caught.value.text("vi")
    assert _files(root) == before  # all or nothing


def test_import_of_a_workbook_with_a_long_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    root = copy_sample(tmp_path)
    out = tmp_path / "t.xlsx"
    assert main(["template", "--config", str(root), "--output", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    row = next(r for r in range(6, ws.max_row + 1) if ws.cell(r, 1).value == "dang-vien")
    ws.cell(row, 5).value = 1431
    ws.cell(row, 6).value = "n" * 2001
    wb.save(out)
    before = _files(root)
    capsys.readouterr()
    assert main(["--lang", "en", "import", "--config", str(root), str(out)]) == 1
    assert "the note is too long: at most 2,000 characters" in _said(capsys.readouterr().err)
    assert _files(root) == before


async def test_the_form_refuses_a_note_over_the_cap(tmp_path: Path) -> None:
    from test_entry_form import SIZE, open_form, press, shown, type_value

    root = copy_sample(tmp_path)
    before = _files(root)
    use("en")
    app = App(FileSource(root))
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, app, "dang-vien")
        await type_value(pilot, app, "1,431")
        app.screen.query_one("#entry-note", Input).value = "n" * 2001
        await pilot.pause()
        await press(pilot, app, "#entry-save")
        assert isinstance(app.screen, EntryScreen)  # still open, saying why
        assert "the note is too long: at most 2,000 characters" in shown(app, "#entry-message")
    assert _files(root) == before
