"""The quarter's cycle: who and when, the journal, closing, the default period (issue 10)."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

import pytest
from datadirs import copy_sample, enter, make_datadir

from chitieu_tui.core.datadir import DataDir
from chitieu_tui.core.errors import DataError
from chitieu_tui.core.journal import current_user, read_journal
from chitieu_tui.core.periods import Period

Q1 = Period(2026, 1)
Q2 = Period(2026, 2)
SRC = str(Path(__file__).resolve().parents[1] / "src")


def chitieu(root: Path, *args: str, user: str | None = None) -> subprocess.CompletedProcess[str]:
    """`chitieu --config root …` as its own process (a second official, a restart)."""
    env = {**os.environ, "PYTHONPATH": SRC, "COLUMNS": "200"}
    env.pop("CHITIEU_USER", None)
    if user is not None:
        env["CHITIEU_USER"] = user
    return subprocess.run(
        [sys.executable, "-m", "chitieu_tui", "--config", str(root), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def values(root: Path, period: str = "2026-Q1") -> dict[str, object]:
    return tomllib.loads((root / "progress" / f"{period}.toml").read_text())["values"]


def log_lines(root: Path, *args: str) -> list[str]:
    proc = chitieu(root, "log", *args)
    assert proc.returncode == 0, proc.stderr
    return [line for line in proc.stdout.splitlines() if "(có sẵn" not in line]


def test_two_officials_set_unset_close_reopen_and_the_log_after_restarts(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    a = chitieu(root, "set", "--by", "Nguyễn Văn A", "bhyt", "91", "--note", "đợt 1")
    assert a.returncode == 0, a.stderr
    assert a.stdout.splitlines()[0] == "Đã ghi vào Quý I/2026: bhyt = 91 (đã hiểu: 91)"
    b = chitieu(
        root, "set", "--by", "Trần Thị B", "bhyt", "92", "--cause", "thiếu", "--no-snapshot"
    )
    assert b.returncode == 0, b.stderr
    entry = values(root)["bhyt"]
    assert isinstance(entry, dict)
    assert entry["value"] == 92 and entry["by"] == "Trần Thị B" and entry["cause"] == "thiếu"
    assert entry["note"] == "đợt 1"  # kept: --note not given
    at = entry["at"]
    assert isinstance(at, dt.datetime) and at.utcoffset() is not None
    assert abs((dt.datetime.now(dt.UTC) - at).total_seconds()) < 600
    assert chitieu(root, "unset", "--by", "Trần Thị B", "ket-nap-dang-vien").returncode == 0
    closed = chitieu(
        root, "close", "--period", "2026-Q1", "--reason", "họp quý", "--by", "Chủ tịch"
    )
    assert closed.returncode == 0, closed.stderr
    assert "snapshots/2026-Q1/" in closed.stdout
    refused = chitieu(root, "set", "--period", "2026-Q1", "--by", "Nguyễn Văn A", "bhyt", "93")
    assert refused.returncode == 1
    said = " ".join(refused.stderr.split())
    assert "Chủ tịch" in said and "họp quý" in said and "đã chốt" in said
    assert values(root)["bhyt"]["value"] == 92  # type: ignore[index]
    assert chitieu(root, "unset", "--period", "2026-Q1", "bhyt").returncode == 1
    assert chitieu(root, "reopen", "--period", "2026-Q1", "--reason", "sửa số").returncode == 0
    again = chitieu(root, "set", "--by", "Nguyễn Văn A", "bhyt", "93", "--no-snapshot")
    assert again.returncode == 0, again.stderr
    lines = log_lines(root)
    assert len(lines) == 6, lines
    assert "Nguyễn Văn A" in lines[0] and "bhyt: 90 → 91" in lines[0] and "đợt 1" in lines[0]
    assert "Trần Thị B" in lines[1] and "bhyt: 91 → 92" in lines[1]
    assert "Trần Thị B" in lines[2] and "ket-nap-dang-vien: 6 → (trống)" in lines[2]
    assert "Chủ tịch" in lines[3] and "họp quý" in lines[3]
    assert "sửa số" in lines[4]
    assert "bhyt: 92 → 93" in lines[5]
    assert [line for line in log_lines(root, "bhyt")] == [lines[0], lines[1], lines[5]]
    english = chitieu(root, "--lang", "en", "log", "bhyt").stdout
    assert "bhyt: 92 → 93" in english and "set command" in english


def test_two_officials_at_once_each_keep_their_value_and_journal_entry(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    env = {**os.environ, "PYTHONPATH": SRC}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "chitieu_tui", "--config", str(root), "set", "--by", who]
            + ["--no-snapshot", ident, "50"],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        for who, ident in (("A", "bhyt"), ("B", "tiem-chung"))
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    changes = read_journal(root / "journal" / "2026-Q1.toml")
    mine = {(c.by, c.id, c.new) for c in changes if not c.hand}
    assert mine == {("A", "bhyt", 50.0), ("B", "tiem-chung", 50.0)}


def test_who_defaults_to_chitieu_user_then_the_login_name(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CHITIEU_USER", "Lê Văn C")
    assert current_user(None) == "Lê Văn C"
    assert current_user("Đặt tay") == "Đặt tay"
    monkeypatch.delenv("CHITIEU_USER")
    import getpass

    monkeypatch.setattr(getpass, "getuser", lambda: "canbo")
    assert current_user(None) == "canbo"

    def fail() -> str:
        raise OSError("no login")

    monkeypatch.setattr(getpass, "getuser", fail)
    assert current_user(None) == "unknown"


def test_chitieu_user_is_recorded(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    assert chitieu(root, "set", "bhyt", "91", user="Phó Chủ tịch").returncode == 0
    assert values(root)["bhyt"]["by"] == "Phó Chủ tịch"  # type: ignore[index]


def test_a_hand_edit_is_listed_as_such(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    assert chitieu(root, "set", "--by", "A", "bhyt", "91").returncode == 0
    path = root / "progress" / "2026-Q1.toml"
    text = path.read_text()
    start = text.index("bhyt = {")
    end = text.index("}", start) + 1
    path.write_text(text[:start] + "bhyt = 88" + text[end:])
    journal = root / "journal" / "2026-Q1.toml"
    before = journal.read_bytes()
    lines = log_lines(root)
    assert "(sửa tay)" in lines[-1] and "bhyt: 91 → 88" in lines[-1]
    assert log_lines(root) == lines  # shown the same each time, and never written by reading
    assert journal.read_bytes() == before
    assert "(edited by hand)" in chitieu(root, "--lang", "en", "log", "bhyt").stdout
    assert chitieu(root, "set", "--by", "B", "--no-snapshot", "tiem-chung", "99").returncode == 0
    stored = read_journal(journal)  # the next write recorded it, before its own change
    assert stored[-2].hand and stored[-2].via == "hand" and stored[-2].new == 88.0
    assert stored[-1].by == "B" and stored[-1].id == "tiem-chung"
    assert log_lines(root)[:-1] == lines  # recorded as it was shown


async def test_the_app_notices_a_hand_edit(tmp_path: Path) -> None:
    from chitieu_tui.core.filesource import FileSource

    root = copy_sample(tmp_path)
    data = DataDir(root)
    enter(data, Q1, "bhyt", "91", by="A")
    path = root / "progress" / "2026-Q1.toml"
    text = path.read_text()
    start = text.index("bhyt = {")
    path.write_text(text[:start] + "bhyt = 80" + text[text.index("}", start) + 1 :])
    journal = root / "journal" / "2026-Q1.toml"
    before = journal.read_bytes()
    source = FileSource(root)
    source.load()
    shown = await source.ajournal(Q1)
    assert shown[-1].hand and shown[-1].old == 91.0 and shown[-1].new == 80.0
    assert journal.read_bytes() == before  # shown, not written: the next write records it
    enter(data, Q1, "tiem-chung", "99", by="B")
    stored = read_journal(journal)
    assert stored[-2].hand and stored[-2].old == 91.0 and stored[-2].new == 80.0


def test_a_broken_journal_is_a_message_with_its_line(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    enter(DataDir(root), Q1, "bhyt", "91", by="A")
    journal = root / "journal" / "2026-Q1.toml"
    journal.write_text(journal.read_text().replace('via = "set"', 'via = "fax"'))
    with pytest.raises(DataError) as info:
        enter(DataDir(root), Q1, "bhyt", "92", by="A")
    assert "journal/2026-Q1.toml:" in info.value.render("en") and "fax" in info.value.render("en")
    assert values(root)["bhyt"]["value"] == 91  # type: ignore[index]


KILLED = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from chitieu_tui.core.datadir import DataDir
    from chitieu_tui.core.periods import Period
    from chitieu_tui.core.requests import SetValue

    data = DataDir(Path(sys.argv[1]))
    n = 0
    while True:
        n += 1
        data.write([SetValue(period=Period(2026, 1), id="bhyt", value=float(n % 97), by="robot")])
    """
)


def test_a_killed_writer_never_loses_a_journal_entry(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    script = tmp_path / "writer.py"
    script.write_text(KILLED)
    env = {**os.environ, "PYTHONPATH": SRC}
    for i in range(12):
        proc = subprocess.Popen([sys.executable, str(script), str(root)], env=env)
        import time

        time.sleep(0.4 + 0.07 * i)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        progress = tomllib.loads((root / "progress" / "2026-Q1.toml").read_text())["values"]
        changes = read_journal(root / "journal" / "2026-Q1.toml")
        value = progress["bhyt"]["value"] if isinstance(progress["bhyt"], dict) else None
        if value is None:
            continue  # killed before its first write reached the file
        mine = [c for c in changes if c.id == "bhyt" and not c.hand]
        at = progress["bhyt"]["at"]
        # the value in the file has its journal entry: same value, same moment, same writer
        assert any(c.new == float(value) and c.at == at and c.by == "robot" for c in mine), i
    # the next reader reconciles: whatever was journaled but never written is said so
    lines = log_lines(root, "bhyt")
    assert all("robot" in line or "(lần ghi bị ngắt" in line for line in lines)


def test_default_period_after_a_new_quarter_and_closing_the_one_before(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    first = chitieu(root, "set", "--period", "2026-Q2", "--by", "A", "bhyt", "91")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("Đã ghi vào Quý II/2026: bhyt = 91")
    report = json.loads(chitieu(root, "report", "--format", "json").stdout)
    assert report["period"] == "2026-Q2" and report["closed"] is None
    bhyt = next(i for i in report["indicators"] if i["id"] == "bhyt")
    assert bhyt["by"] == "A" and bhyt["at"] is not None and bhyt["cause"] == ""
    assert chitieu(root, "close", "--period", "2026-Q1", "--reason", "xong").returncode == 0
    second = chitieu(root, "set", "--by", "B", "tiem-chung", "50", "--no-snapshot", "--yes")
    assert second.returncode == 0, second.stderr
    assert second.stdout.startswith("Đã ghi vào Quý II/2026:")
    assert json.loads(chitieu(root, "report", "--format", "json").stdout)["period"] == "2026-Q2"
    # closing the newest: the report still shows it, `set` without --period refuses it
    assert (
        chitieu(root, "close", "--period", "2026-Q2", "--reason", "chốt", "--by", "C").returncode
        == 0
    )
    report = json.loads(chitieu(root, "report", "--format", "json").stdout)
    assert report["period"] == "2026-Q2"
    assert report["closed"]["by"] == "C" and report["closed"]["reason"] == "chốt"
    refused = chitieu(root, "set", "bhyt", "92")
    assert refused.returncode == 1
    said = " ".join(refused.stderr.split())
    assert "--period" in said and "C" in said and "chốt" in said
    assert not (root / "progress" / "2026-Q3.toml").exists()


def test_only_period_creates_the_first_file(tmp_path: Path) -> None:
    body = '[[indicator]]\nid = "a"\ngroup = "g"\nname = "A"\nkind = "level"\ntarget = 10\n'
    root = make_datadir(tmp_path, body)
    refused = chitieu(root, "set", "a", "3")
    assert refused.returncode == 1 and "--period" in refused.stderr
    assert not list((root / "progress").iterdir())
    assert chitieu(root, "set", "--period", "2026-Q1", "a", "3").returncode == 0


def test_close_needs_a_reason_a_period_and_an_open_quarter(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    assert chitieu(root, "close", "--reason", "x").returncode == 2
    assert chitieu(root, "close", "--period", "2026-Q1", "--reason", " ").returncode == 1
    assert chitieu(root, "close", "--period", "2026-Q3", "--reason", "x").returncode == 1
    assert chitieu(root, "reopen", "--period", "2026-Q1", "--reason", "x").returncode == 1
    assert (
        chitieu(root, "close", "--period", "2026-Q1", "--reason", "x", "--by", "A").returncode == 0
    )
    twice = chitieu(root, "close", "--period", "2026-Q1", "--reason", "y")
    assert twice.returncode == 1 and "A" in twice.stderr
    doc = tomllib.loads((root / "progress" / "2026-Q1.toml").read_text())
    assert doc["closed"]["by"] == "A" and doc["closed"]["reason"] == "x"
    assert isinstance(doc["closed"]["at"], dt.datetime)
    assert chitieu(root, "check").returncode == 0


@pytest.mark.parametrize(
    ("line", "words"),
    [
        ("bhyt = { value = 90, by = 3 }", "by must be text"),
        ('bhyt = { value = 90, at = "hôm qua" }', "at must be a date and time"),
        ("bhyt = { value = 90, cause = true }", "cause must be text"),
        ('bhyt = { value = 90, who = "A" }', 'unknown field "who"'),
    ],
)
def test_the_loader_is_strict_about_who_and_when(tmp_path: Path, line: str, words: str) -> None:
    root = copy_sample(tmp_path)
    path = root / "progress" / "2026-Q1.toml"
    text = path.read_text()
    start = text.index("bhyt = ")
    path.write_text(text[:start] + line + text[text.index("\n", start) :])
    with pytest.raises(DataError) as info:
        DataDir(root).progress(Q1, DataDir(root).definitions())
    rendered = info.value.render("en")
    assert words in rendered and "progress/2026-Q1.toml:" in rendered


def test_a_bad_closed_table_is_refused(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    path = root / "progress" / "2026-Q1.toml"
    path.write_text(path.read_text() + '\n[closed]\nby = "A"\nreason = "x"\n')
    with pytest.raises(DataError) as info:
        DataDir(root).progress(Q1, DataDir(root).definitions())
    assert "[closed]" in info.value.render("en") and "at must be" in info.value.render("en")


def test_snapshots_and_csv_markdown_carry_who_and_when(tmp_path: Path) -> None:
    from chitieu_tui.core.snapshots import latest_snapshot, read_snapshot

    root = copy_sample(tmp_path)
    assert (
        chitieu(
            root, "set", "--by", "A", "bhyt", "80", "--cause", "dịch", "--remedy", "vận động"
        ).returncode
        == 0
    )
    assert chitieu(root, "close", "--period", "2026-Q1", "--reason", "họp").returncode == 0
    snap = latest_snapshot(root / "snapshots", Q1)
    assert snap is not None
    back = read_snapshot(snap)
    entry = back.progress.values["bhyt"]
    assert (entry.by, entry.cause, entry.remedy) == ("A", "dịch", "vận động")
    assert entry.at is not None and back.progress.closed is not None
    csv_out = chitieu(root, "report", "--format", "csv").stdout.splitlines()
    assert csv_out[0].endswith(",note,by,at,cause,remedy,rules_broken")
    assert any(
        line.startswith("bhyt,") and ",A," in line and "dịch,vận động" in line for line in csv_out
    )
    md = chitieu(root, "report", "--format", "markdown").stdout
    assert "Người nhập" in md and "vận động" in md and "Đã chốt số liệu" in md


def test_a_hand_written_journal_time_without_offset_is_read_as_local(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    enter(DataDir(root), Q1, "bhyt", "91", by="A")
    journal = root / "journal" / "2026-Q1.toml"
    text = journal.read_text()
    start = text.index("at = ", text.rindex("[[change]]"))  # the app's change of bhyt
    end = text.index("\n", start)
    journal.write_text(text[:start] + "at = 2026-04-02T08:30:00" + text[end:])
    path = root / "progress" / "2026-Q1.toml"
    text = path.read_text()
    start = text.index("bhyt = {")
    path.write_text(text[:start] + "bhyt = 90" + text[text.index("}", start) + 1 :])
    changes = DataDir(root).journal(Q1)
    assert all(c.at.tzinfo is not None for c in changes)
    assert changes[-1].id == "bhyt" and changes[-1].new == 90.0 and changes[-1].hand


@pytest.mark.parametrize("raw", ["nan", "inf", "-inf", "1e300"])
def test_a_journal_value_that_is_no_number_is_a_message(tmp_path: Path, raw: str) -> None:
    root = copy_sample(tmp_path)
    enter(DataDir(root), Q1, "bhyt", "91", by="A")
    journal = root / "journal" / "2026-Q1.toml"
    journal.write_text(journal.read_text().replace("new = 91.0", f"new = {raw}"))
    with pytest.raises(DataError) as info:
        read_journal(journal, "journal/2026-Q1.toml")
    assert "journal/2026-Q1.toml:" in info.value.render("en")
