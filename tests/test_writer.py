"""Entering values: parsing, comments kept, locked read-modify-write, atomic under SIGKILL."""

from __future__ import annotations

import inspect
import os
import signal
import subprocess
import sys
import textwrap
import tomllib
import unicodedata
from pathlib import Path

import pytest
from datadirs import board_of, copy_sample, plain, plain_values, set_value

from chitieu_tui.cli import main
from chitieu_tui.core import requests
from chitieu_tui.core.datadir import DataDir
from chitieu_tui.core.errors import ChitieuError, EntryError
from chitieu_tui.core.model import Indicator
from chitieu_tui.core.periods import Period
from chitieu_tui.core.requests import ANY, SetValue
from chitieu_tui.core.writer import parse_value, write

NUM = Indicator(id="x", group="g", name="X", kind="level", target=1.0, min=-1e15)
MILE = Indicator(id="m", group="g", name="M", kind="milestone", due="2026-Q2")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("32,5", 32.5),
        ("1.430", 1430.0),
        ("2.487", 2487.0),
        ("1.234,5", 1234.5),
        ("1.234.567", 1234567.0),
        ("-3", -3.0),
        ("13,75", 13.75),
        ("0,43", 0.43),
        ("0", 0.0),
        ("1\u00a0430", 1430.0),
        ("1\u202f430,5", 1430.5),
    ],
)
def test_parse_numbers_in_vietnamese(text: str, value: float) -> None:
    assert parse_value(text, NUM, "vi") == value


@pytest.mark.parametrize(
    ("text", "value"),
    [("32.5", 32.5), ("1,430", 1430.0), ("1,234.5", 1234.5), ("1,234,567", 1234567.0)],
)
def test_parse_numbers_in_english(text: str, value: float) -> None:
    assert parse_value(text, NUM, "en") == value


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "err.entry.empty"),
        ("abc", "err.entry.not_number"),
        ("1,2.3,4", "err.entry.two_decimal_marks"),
        ("1.2,3.4", "err.entry.grouping"),
        ("32.5", "err.entry.grouping"),
        ("0.430", "err.entry.grouping"),
        ("1.43", "err.entry.grouping"),
        ("1,,2", "err.entry.two_decimal_marks"),
        ("1..200", "err.entry.separator_place"),
        ("1 2 3", "err.entry.space"),
        (".430", "err.entry.separator_place"),
        ("1.430.", "err.entry.separator_place"),
        ("32,", "err.entry.separator_place"),
        (",5", "err.entry.separator_place"),
        ("١٢٣", "err.entry.non_ascii_digit"),
        ("nan", "err.entry.invalid_number"),
        ("inf", "err.entry.invalid_number"),
        ("1e400", "err.entry.not_number"),
        ("9" * 17, "err.entry.invalid_number"),
        ("1" * 41, "err.entry.too_long"),
        ("3 tỉ", "err.entry.not_number"),
        ("-", "err.entry.not_number"),
    ],
)
def test_parse_rejects_nonsense_in_vietnamese(text: str, code: str) -> None:
    with pytest.raises(EntryError) as info:
        parse_value(text, NUM, "vi")
    assert info.value.code == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("1,,2", "err.entry.separator_place"),
        ("1,5,6", "err.entry.grouping"),
        ("12.345,6", "err.entry.grouping"),
        ("32,5", "err.entry.grouping"),
        ("1.2.3", "err.entry.two_decimal_marks"),
        ("1,430,", "err.entry.separator_place"),
    ],
)
def test_parse_rejects_nonsense_in_english(text: str, code: str) -> None:
    with pytest.raises(EntryError) as info:
        parse_value(text, NUM, "en")
    assert info.value.code == code


def test_english_reads_back_what_the_english_screen_shows() -> None:
    assert parse_value("1,261", NUM, "en") == 1261.0
    assert parse_value("1.261", NUM, "en") == 1.261


def test_a_bad_value_is_worded_in_both_languages() -> None:
    with pytest.raises(EntryError) as info:
        parse_value("chín mươi", NUM)
    assert info.value.text("vi") == "không phải là số: 'chín mươi'"
    assert str(info.value) == "not a number: 'chín mươi'"
    with pytest.raises(EntryError) as info:
        parse_value("", NUM)
    assert (info.value.text("vi"), info.value.text("en")) == ("chưa nhập số liệu", "no value typed")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("có", True),
        ("Có", True),
        (unicodedata.normalize("NFD", "có"), True),
        ("Đã xong", True),
        ("đã  xong", True),
        ("rồi", True),
        ("x", True),
        ("yes", True),
        ("DONE", True),
        ("true", True),
        ("chưa", False),
        ("Chưa xong", False),
        ("không", False),
        ("no", False),
        ("false", False),
    ],
)
def test_parse_milestones(text: str, value: bool) -> None:
    assert parse_value(text, MILE) is value


@pytest.mark.parametrize("text", ["cơ", "co", "khong", "chua", "roi", "da xong", "0", "1", "ok"])
def test_milestone_words_are_exact(text: str) -> None:
    with pytest.raises(EntryError) as info:
        parse_value(text, MILE)
    assert info.value.code == "err.entry.milestone"


def test_milestone_refuses_a_number() -> None:
    with pytest.raises(EntryError) as info:
        parse_value("3", MILE)
    assert "'có'" in info.value.text("vi") and "'yes'" in info.value.text("en")


def test_set_keeps_comments_and_other_values(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    path = root / "progress" / "2026-Q1.toml"
    before = path.read_text()
    data = DataDir(root)
    set_value(data, Period(2026, 1), "bhyt", 91.5)
    after = path.read_text()
    assert "# Các số liệu khác là minh họa." in after
    # one line more: `chain`, the journal's head (tamper evidence, docs/formats.md)
    assert len(after.splitlines()) == len(before.splitlines()) + 1
    assert sum(line.startswith("chain = ") for line in after.splitlines()) == 1
    board = board_of(DataDir(root), Period(2026, 1))
    assert board.get("bhyt").value == 91.5  # type: ignore[union-attr]
    assert board.get("thu-ngan-sach").value == 32.0  # type: ignore[union-attr]
    assert board.get("hoc-tap-nghi-quyet").note == "còn 193 đảng viên chưa học"  # type: ignore[union-attr]


def test_set_keeps_an_existing_note_unless_told(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    data = DataDir(root)
    set_value(data, Period(2026, 1), "hoc-tap-nghi-quyet", 90.0)
    assert board_of(DataDir(root)).get("hoc-tap-nghi-quyet").note == "còn 193 đảng viên chưa học"  # type: ignore[union-attr]
    set_value(data, Period(2026, 1), "hoc-tap-nghi-quyet", 95.0, "")
    assert board_of(DataDir(root)).get("hoc-tap-nghi-quyet").note == ""  # type: ignore[union-attr]


def test_set_creates_a_new_period(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = copy_sample(tmp_path)
    assert main(["set", "--config", str(root), "--period", "2026-Q2", "thu-ngan-sach", "70,5"]) == 0
    doc = tomllib.loads((root / "progress" / "2026-Q2.toml").read_text())
    assert doc["period"] == "2026-Q2" and doc["unit"] == "my-thoi"
    assert {k: plain(v) for k, v in doc["values"].items()} == {"thu-ngan-sach": 70.5}
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "Đã ghi vào Quý II/2026: thu-ngan-sach = 70,5 (đã hiểu: 70,5)"
    assert out[2].endswith(".toml") and "snapshots/2026-Q2/" in out[2]


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["khong-co", "1"], 'unknown indicator "khong-co"'),
        (["bhyt", "chín mươi"], "not a number"),
        (["--period", "2199-Q4", "bhyt", "1"], "chitieu.toml is for 2026"),
        (["--period", "2027-Q1", "bhyt", "1"], "not 2027-Q1"),
    ],
)
def test_set_bad_input_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], words: str
) -> None:
    root = copy_sample(tmp_path)
    assert main(["set", "--config", str(root), "--lang", "en", *args]) == 1
    assert words in capsys.readouterr().err


def test_a_held_lock_gives_a_clear_message(tmp_path: Path) -> None:
    import filelock

    root = copy_sample(tmp_path)
    path = root / "progress" / "2026-Q1.toml"
    data = DataDir(root)
    with filelock.FileLock(str(path.parent / f".{path.name}.lock")):
        with pytest.raises(ChitieuError, match="lock held") as info:
            request = SetValue(period=Period(2026, 1), id="bhyt", value=1.0)
            write(path, data.definitions(), Period(2026, 1), [request], lock_seconds=0.2)
    assert info.value.code == "err.write.locked" and "khóa quá" in info.value.render("vi")


WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from chitieu_tui.core.datadir import DataDir
    from chitieu_tui.core.periods import Period
    from chitieu_tui.core.requests import SetValue
    root, ident, count = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    data = DataDir(root)
    for i in range(1, count + 1):
        request = SetValue(period=Period(2026, 2), id=ident, value=float(i), confirm_outlier=True)
        data.write([request])
    """
)


def test_two_processes_saving_concurrently_lose_no_update(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    ids = ["bhyt", "thu-ngan-sach"]
    procs = [
        subprocess.Popen([sys.executable, str(script), str(root), ident, "60"]) for ident in ids
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    values = plain_values(root / "progress" / "2026-Q2.toml")
    assert {k: v["value"] if isinstance(v, dict) else v for k, v in values.items()} == {
        "bhyt": 60.0,
        "thu-ngan-sach": 60.0,
    }


KILLED_WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from chitieu_tui.core.atomic import atomic_write
    path = Path(sys.argv[1])
    i = 0
    while True:
        i += 1
        body = f"n = {i}\\npad = '{'x' * 200_000}'\\nend = {i}\\n".encode()
        atomic_write(path, body)
    """
)


def test_a_writer_killed_mid_write_leaves_old_or_new(tmp_path: Path) -> None:
    path = tmp_path / "p.toml"
    path.write_text("n = 0\nend = 0\n")
    script = tmp_path / "killed.py"
    script.write_text(KILLED_WRITER)
    for round_ in range(12):
        proc = subprocess.Popen([sys.executable, str(script), str(path)])
        # Let it write a few times, then kill it at an arbitrary point.
        for _ in range(20 + round_ * 7):
            doc = tomllib.loads(path.read_text())
            assert doc["n"] == doc["end"]
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        doc = tomllib.loads(path.read_text())
        assert doc["n"] == doc["end"]
    leftovers = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert len(leftovers) <= 12  # a killed writer may leave its temp file, never a half target


def test_whole_numbers_stay_whole_and_the_mode_is_kept(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    path = root / "progress" / "2026-Q1.toml"
    path.chmod(0o664)  # shared with the group
    set_value(DataDir(root), Period(2026, 1), "dang-vien", 1431.0)
    assert "dang-vien = {value = 1431," in path.read_text()
    assert path.stat().st_mode & 0o777 == 0o664


def test_bad_api_url_and_unwritable_init_are_clear(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["report", "--lang", "en", "--api", "http://[::1", "--unit", "my-thoi"]) == 2
    assert "--api is not a URL" in capsys.readouterr().err
    blocker = tmp_path / "file"
    blocker.write_text("x")
    assert main(["--lang", "en", "init", str(blocker / "config")]) == 1
    err = capsys.readouterr().err
    assert "cannot copy the sample here" in err and "unexpected" not in err


def test_report_into_a_closed_pipe_is_quiet(tmp_path: Path) -> None:
    proc = subprocess.run(
        f"{sys.executable} -m chitieu_tui report --format csv | head -1",
        shell=True,
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
    )
    assert proc.stdout.startswith("id,group")
    assert "unexpected" not in proc.stderr and "Traceback" not in proc.stderr


def test_one_save_reads_and_validates_the_progress_file_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A save through the source: one read and one validation of the quarter's file, the
    snapshot after it built from what was written (no second read)."""
    import chitieu_tui.core.datadir as datadir
    import chitieu_tui.core.writer as writer
    from chitieu_tui.core.filesource import FileSource
    from chitieu_tui.core.requests import SetValue

    source = FileSource(copy_sample(tmp_path), snapshots=tmp_path / "snaps")
    source.load(Period(2026, 1))  # cached, as the app has it
    calls: list[str] = []
    for module, name in (
        (writer, "read_toml"),
        (writer, "progress_from_dict"),
        (datadir, "load_progress"),
    ):
        real = getattr(module, name)

        def counted(*args: object, _real: object = real, _name: str = name, **kw: object) -> object:
            calls.append(_name)
            return _real(*args, **kw)  # type: ignore[operator]

        monkeypatch.setattr(module, name, counted)
    written = source.write([SetValue(period=Period(2026, 1), id="bhyt", value="91")])
    assert written.snapshot is not None and written.progress.values["bhyt"].value == 91.0
    assert calls == ["read_toml", "progress_from_dict"]


REQUIRED = inspect.Parameter.empty
REQUEST_PARAMETERS = {
    "SetValue": {
        "period": REQUIRED,
        "id": REQUIRED,
        "value": REQUIRED,
        "note": None,
        "cause": None,
        "remedy": None,
        "confirm": False,
        "confirm_outlier": False,
        "lang": "vi",
        "expect": ANY,
        "by": None,
        "account": "",
        "via": "set",
    },
    "ClearFollowup": {
        "period": REQUIRED,
        "id": REQUIRED,
        "note": REQUIRED,
        "expect": ANY,
        "by": None,
        "account": "",
    },
    "Unset": {
        "period": REQUIRED,
        "id": REQUIRED,
        "expect": ANY,
        "by": None,
        "account": "",
        "via": "unset",
    },
    "Close": {"period": REQUIRED, "reason": REQUIRED, "by": None, "account": ""},
    "Reopen": {"period": REQUIRED, "reason": REQUIRED, "by": None, "account": ""},
    "Approve": {"period": REQUIRED, "note": "", "by": None, "account": ""},
    "Return": {"period": REQUIRED, "reason": REQUIRED, "by": None, "account": ""},
}


def test_each_request_is_built_by_keyword_with_its_own_fields_and_defaults() -> None:
    """The shared bases (`Asked`, `OneValue`, `Reasoned`) change no request's constructor:
    keyword-only, the same names, the same defaults; a request of one kind never equals
    one of another with the same fields."""
    for name, expected in REQUEST_PARAMETERS.items():
        params = inspect.signature(getattr(requests, name)).parameters.values()
        assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params), name
        assert {p.name: p.default for p in params} == expected, name
    q1 = Period(2026, 1)
    assert requests.Close(period=q1, reason="x") != requests.Reopen(period=q1, reason="x")
    assert requests.Unset(period=q1, id="a").via == "unset"
