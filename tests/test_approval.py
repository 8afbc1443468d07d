"""Approval and return (issue 20, DESIGN section 12 "Approval"): write requests carried by
the one transaction, the quarter's state, the journal and `chitieu verify` after them."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import pytest
from datadirs import copy_sample, enter, write

from chitieu_tui.cli import main
from chitieu_tui.core.approval import deadline, quarter_state, standing
from chitieu_tui.core.chain import quarter_digest, walk
from chitieu_tui.core.datadir import DataDir
from chitieu_tui.core.errors import ChitieuError, EntryError, WriteError
from chitieu_tui.core.journal import read_journal
from chitieu_tui.core.periods import Period
from chitieu_tui.core.requests import Approve, Close, Reopen, Return, SetValue
from chitieu_tui.core.writer import ClosedError

Q1 = Period(2026, 1)


def _progress(root: Path) -> dict:
    return tomllib.loads((root / "progress" / "2026-Q1.toml").read_text(encoding="utf-8"))


def _submitted(tmp_path: Path) -> Path:
    root = copy_sample(tmp_path)
    enter(root, Q1, "bhyt", "91", by="Lan")
    write(root, Close(period=Q1, reason="giao ban", by="Lan"))
    return root


def _loaded(root: Path):
    folder = DataDir(root)
    return folder.progress(Q1, folder.defs_for(Q1))


def _verify(root: Path) -> int:
    return main(["verify", "--config", str(root), "--lang", "en"])


def test_approve_records_the_digest_and_the_state(tmp_path: Path) -> None:
    root = _submitted(tmp_path)
    written = write(root, Approve(period=Q1, note="đạt", by="Sở Nội vụ"))
    approved = written.progress.closed.approved
    assert approved is not None and approved.by == "Sở Nội vụ" and approved.note == "đạt"
    assert approved.digest == quarter_digest(written.progress)
    stored = _progress(root)["closed"]["approved"]
    assert stored["by"] == "Sở Nội vụ" and stored["digest"] == approved.digest
    progress = _loaded(root)
    assert quarter_state(progress) == "approved"
    changes = read_journal(root / "journal" / "2026-Q1.toml", "j")
    assert changes[-1].via == "approve" and changes[-1].note == "đạt"
    assert walk("my-thoi", Q1, changes).broken is None
    assert _verify(root) == 0


def test_nobody_writes_an_approved_quarter(tmp_path: Path) -> None:
    root = _submitted(tmp_path)
    write(root, Approve(period=Q1, by="Sở"))
    with pytest.raises(ClosedError) as caught:
        write(root, SetValue(period=Q1, id="bhyt", value="92", by="Lan"))
    assert caught.value.code == "err.approved.refused"
    with pytest.raises(WriteError) as reopen:
        write(root, Reopen(period=Q1, reason="sửa", by="Lan"))
    assert reopen.value.code == "err.approved.reopen"
    with pytest.raises(WriteError) as again:
        write(root, Approve(period=Q1, by="Sở"))
    assert again.value.code == "err.approved.already"


def test_approve_needs_a_submitted_quarter(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    enter(root, Q1, "bhyt", "91", by="Lan")
    with pytest.raises(WriteError) as caught:
        write(root, Approve(period=Q1, by="Sở"))
    assert caught.value.code == "err.approved.not_closed"
    with pytest.raises(WriteError) as back:
        write(root, Return(period=Q1, reason="thiếu", by="Sở"))
    assert back.value.code == "err.returned.not_closed"


@pytest.mark.parametrize("approve_first", [False, True])
def test_return_reopens_with_the_reason_until_the_next_close(
    tmp_path: Path, approve_first: bool
) -> None:
    root = _submitted(tmp_path)
    if approve_first:
        write(root, Approve(period=Q1, by="Sở"))
    written = write(root, Return(period=Q1, reason="thiếu số BHYT", by="Sở"))
    assert written.progress.closed is None
    assert written.progress.returned is not None
    assert written.progress.returned.reason == "thiếu số BHYT"
    data = _progress(root)
    assert "closed" not in data and data["returned"]["reason"] == "thiếu số BHYT"
    progress = _loaded(root)
    assert quarter_state(progress) == "returned"
    assert progress.returned.by == "Sở"
    assert _verify(root) == 0
    # the ward corrects and submits again: the return is answered
    enter(root, Q1, "bhyt", "93", by="Lan")
    write(root, Close(period=Q1, reason="nộp lại", by="Lan"))
    assert "returned" not in _progress(root)
    assert quarter_state(_loaded(root)) == "submitted"
    assert _verify(root) == 0


def test_return_needs_a_reason(tmp_path: Path) -> None:
    root = _submitted(tmp_path)
    with pytest.raises(EntryError) as caught:
        write(root, Return(period=Q1, reason="  ", by="Sở"))
    assert caught.value.code == "err.returned.no_reason"


def test_returned_table_is_strict(tmp_path: Path) -> None:
    root = _submitted(tmp_path)
    write(root, Return(period=Q1, reason="thiếu", by="Sở"))
    path = root / "progress" / "2026-Q1.toml"
    path.write_text(path.read_text(encoding="utf-8") + 'extra = "x"\n', encoding="utf-8")
    with pytest.raises(ChitieuError):
        _loaded(root)


def test_states() -> None:
    assert quarter_state(None) == "open"


def test_deadline_counts_working_days() -> None:
    # 2026-03-14 is a Saturday: Mon 16, Tue 17
    assert deadline(Q1, 14, 2) == dt.date(2026, 3, 17)
    # 2026-06-14 is a Sunday: Mon 15, Tue 16
    assert deadline(Period(2026, 2), 14, 2) == dt.date(2026, 6, 16)
    assert deadline(Period(2026, 4), 31, 0) == dt.date(2026, 12, 31)
    late = standing(None, dt.date(2026, 3, 17), dt.date(2026, 3, 18))
    assert late.overdue and late.late and late.state == "open"
    assert not standing(None, dt.date(2026, 3, 17), dt.date(2026, 3, 17)).overdue


# --- the command line ----------------------------------------------------------------------


def _collection(tmp_path: Path) -> Path:
    import shutil

    from chitieu_tui.core.collection import COLLECTION_FILE

    src = Path(__file__).parent.parent / "src" / "chitieu_tui" / "sample_collection"
    dest = tmp_path / "col"
    shutil.copytree(src, dest)
    assert (dest / COLLECTION_FILE).exists()
    return dest


def test_cli_approve_and_return_on_a_collection(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    col = _collection(tmp_path)
    unit = col / "my-thoi"
    base = ["--period", "2026-Q1", "--lang", "en"]
    assert main(["close", "--config", str(unit), "--reason", "nộp", "--by", "Lan", *base]) == 0
    code = main(
        ["approve", "--config", str(col), "--unit", "my-thoi", "--note", "ok", "--by", "Sở", *base]
    )
    assert code == 0
    assert "Approved Q1 2026" in capsys.readouterr().out
    assert main(["set", "--config", str(unit), "bhyt", "3", *base]) == 1
    assert "err" not in capsys.readouterr().out
    code = main(["return", "--config", str(col), "--unit", "my-thoi", "--reason", "thiếu", *base])
    assert code == 0
    assert "reason: thiếu" in capsys.readouterr().out
    assert main(["verify", "--config", str(col), "--lang", "en"]) == 0
    data = tomllib.loads((unit / "progress" / "2026-Q1.toml").read_text(encoding="utf-8"))
    assert data["returned"]["reason"] == "thiếu" and "closed" not in data


def test_cli_approve_names_the_unit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    col = _collection(tmp_path)
    assert main(["approve", "--config", str(col), "--period", "2026-Q1", "--lang", "en"]) == 2
    code = main(
        [
            "approve",
            "--config",
            str(col),
            "--unit",
            "nowhere",
            "--period",
            "2026-Q1",
            "--lang",
            "en",
        ]
    )
    assert code == 1
    assert "no unit nowhere" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:  # --reason is required
        main(["return", "--config", str(col), "--unit", "my-thoi", "--period", "2026-Q1"])
    assert usage.value.code == 2
