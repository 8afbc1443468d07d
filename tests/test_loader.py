"""Loading and validation: real TOML files in tmp_path, good and bad."""

from __future__ import annotations

import errno
import os
import subprocess
import sys
from pathlib import Path

import pytest
from datadirs import HEAD, board_of, make_datadir

from chitieu_tui.cli import main
from chitieu_tui.core.datadir import DataDir
from chitieu_tui.core.errors import ChitieuError, DataError, flatten
from chitieu_tui.core.loader import load_definitions
from chitieu_tui.core.oserrors import os_reason
from chitieu_tui.core.periods import Period
from chitieu_tui.core.tomlfile import parse_toml_text, read_toml

GOOD = """
[dashboard]
headline = ["thu"]

[[indicator]]
id = "thu"
group = "g"
name = "Thu ngân sách"
unit = "tỉ đồng"
kind = "cumulative"
target = 232.73
"""


def check(root: Path, capsys: pytest.CaptureFixture[str], lang: str = "en") -> tuple[int, str, str]:
    code = main(["check", "--config", str(root), "--lang", lang])
    out, err = capsys.readouterr()
    return code, out, err


def test_good_file_checks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_datadir(tmp_path, GOOD, {"2026-Q1": "thu = 32.0\n"})
    code, out, err = check(root, capsys)
    assert code == 0, err
    assert "OK" in out and "indicators: 1, progress files: 1" in out
    code, out, err = check(root, capsys, "vi")
    assert code == 0 and "1 chỉ tiêu, 1 tệp số liệu" in out


# (replacement of GOOD's text, expected line, words in the message)
BROKEN_DEFINITIONS = [
    (
        "target = 232.73",
        21,
        'indicator "thu": target must be a number, got "232"',
        'target = "232"',
    ),
    ("target = 232.73", 21, "target must be a finite number, got nan", "target = nan"),
    ("target = 232.73", 21, "target must be a finite number, got inf", "target = inf"),
    (
        'kind = "cumulative"',
        20,
        "kind must be one of cumulative, level, milestone",
        'kind = "tong"',
    ),
    (
        'kind = "cumulative"',
        21,
        "direction must be one of increase, decrease",
        'kind = "cumulative"\ndirection = "down"',
    ),
    (
        "target = 232.73",
        22,
        'direction = "decrease" needs a baseline',
        'target = 232.73\ndirection = "decrease"',
    ),
    ("target = 232.73", 22, "plan must be four numbers", "target = 232.73\nplan = [1, 2, 3]"),
    ("target = 232.73", 22, "plan must be a list", 'target = 232.73\nplan = "1,2,3,4"'),
    (
        "target = 232.73",
        22,
        'plan[2] must be a number, got "x"',
        'target = 232.73\nplan = [1, "x", 3, 4]',
    ),
    ('group = "g"', 17, 'unknown group "kinh-te"', 'group = "kinh-te"'),
    (
        'headline = ["thu"]',
        13,
        'headline names unknown indicator "bhyt"',
        'headline = ["thu", "bhyt"]',
    ),
    ("target = 232.73", 22, 'unknown field "tagret"', "target = 232.73\ntagret = 1"),
    ('name = "Thu ngân sách"', 15, 'missing required field "name"', ""),
    ('id = "thu"', 16, "id must use only a-z, 0-9 and -", 'id = "Thu Ngân"'),
    ("target = 232.73", 21, "target is out of range", "target = 1e-300"),
    ("target = 232.73", 21, "target is out of range", "target = 1e300"),
    ('headline = ["thu"]', 14, '[dashboard] unknown field "foo"', 'headline = ["thu"]\nfoo = 1'),
]


@pytest.mark.parametrize(("old", "line", "words", "new"), BROKEN_DEFINITIONS)
def test_broken_definitions_name_file_line_and_field(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, line: int, words: str, new: str
) -> None:
    root = make_datadir(tmp_path, GOOD.replace(old, new))
    code, _, err = check(root, capsys)
    assert code == 1
    assert words in err
    assert f"chitieu.toml:{line}:" in err
    assert "Traceback" not in err


def test_duplicate_ids(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_datadir(
        tmp_path, GOOD + GOOD.split("[dashboard]")[1].split('headline = ["thu"]')[1]
    )
    code, _, err = check(root, capsys)
    assert code == 1
    assert 'duplicate indicator id "thu"' in err
    assert "chitieu.toml:25:1:" in err


def test_several_problems_are_all_listed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = GOOD.replace('group = "g"', 'group = "x"').replace(
        'headline = ["thu"]', 'headline = ["y"]'
    )
    code, _, err = check(make_datadir(tmp_path, text), capsys)
    assert code == 1
    assert 'unknown group "x"' in err and 'unknown indicator "y"' in err


def test_syntax_error_has_line_and_column(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_datadir(tmp_path, GOOD.replace("target = 232.73", "target = = 232"))
    code, _, err = check(root, capsys)
    assert code == 1
    assert "chitieu.toml:21:10: TOML syntax error" in err


def test_bom_is_accepted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_datadir(tmp_path, GOOD, {"2026-Q1": "thu = 32.0\n"})
    for path in (root / "chitieu.toml", root / "progress" / "2026-Q1.toml"):
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    code, _, err = check(root, capsys)
    assert code == 0, err


def test_bytes_that_are_not_utf8(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_datadir(tmp_path, GOOD)
    path = root / "chitieu.toml"
    path.write_bytes(
        path.read_bytes().replace("Thu ngân sách".encode(), "Thu ng\xe2n".encode("latin-1"))
    )
    code, _, err = check(root, capsys)
    assert code == 1
    assert "chitieu.toml:18:" in err and "not UTF-8" in err


@pytest.mark.parametrize(
    ("content", "words"),
    [(None, "file not found"), (b"", "file is empty"), (b"  \n\n", "file is empty")],
)
def test_missing_or_empty(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes | None, words: str
) -> None:
    root = make_datadir(tmp_path, GOOD)
    path = root / "chitieu.toml"
    if content is None:
        path.unlink()
    else:
        path.write_bytes(content)
    code, _, err = check(root, capsys)
    assert code == 1
    assert words in err and "chitieu.toml" in err


def test_missing_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = check(tmp_path / "nowhere", capsys)
    assert code == 1
    assert "nowhere" in err


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("x = " + "[" * 10_000 + "]" * 10_000 + "\n", "nesting is too deep"),
        ("x = " + "{a = " * 10_000 + "1" + "}" * 10_000 + "\n", "nesting is too deep"),
        ("x = " + "9" * 5_000 + "\n", "number is too long"),
    ],
)
def test_absurd_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, words: str
) -> None:
    root = make_datadir(tmp_path, GOOD)
    (root / "chitieu.toml").write_text(HEAD + text)
    code, _, err = check(root, capsys)
    assert code == 1
    assert words in err
    assert "Traceback" not in err


def test_huge_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_datadir(tmp_path, GOOD)
    with (root / "chitieu.toml").open("ab") as fh:
        fh.truncate(100 * 1024 * 1024)
    code, _, err = check(root, capsys)
    assert code == 1
    assert "too large" in err


# Progress files.
@pytest.mark.parametrize(
    ("header_change", "values", "words", "line"),
    [
        (
            ('period = "2026-Q1"', 'period = "2026-Q2"'),
            "thu = 1.0\n",
            'period "2026-Q2" disagrees with the file name',
            3,
        ),
        (('unit = "thu"', 'unit = "khac"'), "thu = 1.0\n", 'unit must be "thu"', 2),
        (None, 'thu = "32"\n', 'indicator "thu": must be a number, got "32"', 7),
        (None, "thu = true\n", "must be a number, got true", 7),
        (None, "thu = nan\n", "must be a finite number", 7),
        (None, "thu = { value = 1.0, ghi = 1 }\n", 'unknown field "ghi"', 7),
        (None, 'thu = { note = "x" }\n', "needs value", 7),
        (("as_of = 2026-03-31", 'as_of = "hôm qua"'), "thu = 1.0\n", "as_of must be a date", 4),
        (("schema = 1", "schema = 2"), "thu = 1.0\n", "schema must be 1", 1),
    ],
)
def test_broken_progress(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    header_change: tuple[str, str] | None,
    values: str,
    words: str,
    line: int,
) -> None:
    root = make_datadir(tmp_path, GOOD, {"2026-Q1": values})
    path = root / "progress" / "2026-Q1.toml"
    if header_change:
        path.write_text(path.read_text().replace(*header_change))
    code, _, err = check(root, capsys)
    assert code == 1
    assert words in err
    assert f"2026-Q1.toml:{line}:" in err


def test_unknown_indicator_in_progress_is_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_datadir(tmp_path, GOOD, {"2026-Q1": "thu = 1.0\nbhyt = 90.0\n"})
    code, _, err = check(root, capsys)
    assert code == 0
    assert "2026-Q1.toml:8:1: warning:" in err and '"bhyt"' in err


def test_milestone_needs_a_boolean(tmp_path: Path) -> None:
    text = (
        GOOD
        + '\n[[indicator]]\nid = "m"\ngroup = "g"\nname = "M"\nkind = "milestone"\ndue = "2026-Q2"\n'
    )
    root = make_datadir(tmp_path, text, {"2026-Q1": "m = 1\n"})
    data = DataDir(root)
    with pytest.raises(ChitieuError, match="a milestone takes true or false"):
        board_of(data)


def test_milestone_rules(tmp_path: Path) -> None:
    text = (
        GOOD
        + '\n[[indicator]]\nid = "m"\ngroup = "g"\nname = "M"\nkind = "milestone"\ntarget = 1\n'
    )
    root = make_datadir(tmp_path, text)
    with pytest.raises(ChitieuError) as info:
        load_definitions(root / "chitieu.toml")
    messages = [e.message for e in flatten(info.value)]
    assert any("a milestone has no target" in m for m in messages)
    assert any("needs due" in m for m in messages)


def test_control_characters_are_stripped(tmp_path: Path) -> None:
    text = GOOD.replace(
        'name = "Thu ngân sách"', 'name = "Thu\\u001b[2J\\u001b]52;c;aGk=\\u0007 ngân\\u0085 sách"'
    )
    root = make_datadir(tmp_path, text)
    defs = load_definitions(root / "chitieu.toml")
    assert defs.indicators[0].name == "Thu[2J]52;c;aGk= ngân sách"


def test_a_misnamed_progress_file_is_a_warning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_datadir(tmp_path, GOOD, {"2026-Q1": "thu = 1.0\n"})
    (root / "progress" / "quy1.toml").write_text("x = 1\n")
    code, _, err = check(root, capsys)
    assert code == 0
    assert "quy1.toml: warning: not named like 2026-Q1.toml" in err
    code, _, err = check(root, capsys, "vi")
    assert code == 0
    assert "quy1.toml: cảnh báo: tên tệp không có dạng 2026-Q1.toml; bỏ qua" in err


def test_unknown_key_in_unit_names_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_datadir(tmp_path, GOOD)
    path = root / "chitieu.toml"
    path.write_text(path.read_text().replace("year = 2026", "year = 2026\nfoo = 1"))
    code, _, err = check(root, capsys)
    assert code == 1
    assert 'chitieu.toml:7:1: [unit] unknown field "foo"' in err


def test_absurd_values_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_datadir(tmp_path, GOOD, {"2026-Q1": "thu = 1e300\n"})
    code, _, err = check(root, capsys)
    assert code == 1
    assert "number is too large" in err and "2026-Q1.toml:7:" in err


# --- Vietnamese wording, coded errors, files that are not regular files ---


@pytest.mark.parametrize(
    ("old", "new", "en", "vi"),
    [
        (
            "target = 232.73",
            "target = = 232",
            "chitieu.toml:21:10: TOML syntax error: Invalid value",
            "chitieu.toml:21:10: lỗi cú pháp TOML: giá trị không hợp lệ",
        ),
        (
            "target = 232.73",
            "target 232.73",
            "chitieu.toml:21:8: TOML syntax error: Expected '=' after a key in a key/value pair",
            "chitieu.toml:21:8: lỗi cú pháp TOML: thiếu dấu '=' sau tên khóa",
        ),
        (
            "target = 232.73",
            "target = 232.73\ntagret = 1",
            'indicator "thu": unknown field "tagret"',
            'chỉ tiêu "thu": trường lạ "tagret"',
        ),
        (
            "target = 232.73",
            'target = "232"',
            'indicator "thu": target must be a number, got "232"',
            'chỉ tiêu "thu": target phải là một số, nhưng đang là "232"',
        ),
        (
            'group = "g"',
            'group = "x"',
            'indicator "thu": unknown group "x" (not a [[group]] id)',
            'chỉ tiêu "thu": lĩnh vực "x" không có (không phải id của một [[group]])',
        ),
        (
            'kind = "cumulative"',
            'kind = "sum"',
            'indicator "thu": kind must be one of cumulative, level, milestone, got "sum"',
            'chỉ tiêu "thu": kind phải là một trong cumulative (cộng dồn), level (mức đạt), '
            'milestone (mốc việc), nhưng đang là "sum"',
        ),
    ],
)
def test_errors_are_worded_in_both_languages(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, en: str, vi: str
) -> None:
    root = make_datadir(tmp_path, GOOD.replace(old, new))
    assert en in check(root, capsys, "en")[2]
    assert vi in check(root, capsys, "vi")[2]
    with pytest.raises(ChitieuError) as info:
        DataDir(root).definitions()
    assert en in str(info.value) and vi in info.value.render("vi")


def test_file_not_found_in_both_languages(tmp_path: Path) -> None:
    with pytest.raises(DataError) as info:
        load_definitions(tmp_path / "chitieu.toml", "chitieu.toml")
    err = info.value
    assert err.code == "err.file.not_found"
    assert err.render("en") == "chitieu.toml: file not found"
    assert err.render("vi") == "chitieu.toml: không tìm thấy tệp"


def test_a_folder_is_not_a_toml_file(tmp_path: Path) -> None:
    (tmp_path / "chitieu.toml").mkdir()
    with pytest.raises(DataError) as info:
        load_definitions(tmp_path / "chitieu.toml")
    assert info.value.code == "err.file.is_folder"


def test_unreadable_files_are_worded_by_errno_class() -> None:
    assert os_reason(PermissionError(errno.EACCES, "Permission denied")).text("vi") == (
        "không có quyền truy cập"
    )
    assert os_reason(OSError(errno.EIO, "Input/output error")).text("vi") == "lỗi hệ thống EIO"
    assert os_reason(OSError(errno.EIO, "Input/output error")).text("en") == "system error EIO"


def test_every_syntax_message_has_vietnamese_words(tmp_path: Path) -> None:
    broken = {
        "a = [1, 2\n": "toml.unclosed_array",
        'a = "x\n': "toml.illegal_char",
        "[a]\n[a]\n": "toml.declared_twice",
        "a = 1\na = 2\n": "toml.overwrite",
        "a = 1 b = 2\n": "toml.expected_newline",
        "a = 1979-02-30\n": "toml.invalid_date",
        "a = {b = 1\n": "toml.unclosed_inline_table",
    }
    for text, key in broken.items():
        with pytest.raises(DataError) as info:
            parse_toml_text(text, "x.toml")
        detail = info.value.msg.params["detail"]
        assert detail.key == key, text
        assert info.value.text("vi").startswith("lỗi cú pháp TOML: "), text
        assert "Unclosed" not in info.value.text("vi") and "Cannot" not in info.value.text("vi")
    with pytest.raises(DataError) as info:
        parse_toml_text("a = [1,", "x.toml")
    assert str(info.value) == "x.toml: TOML syntax error: Invalid value at the end of the file"
    assert info.value.text("vi") == "lỗi cú pháp TOML: giá trị không hợp lệ ở cuối tệp"
    with pytest.raises(DataError) as info:
        parse_toml_text("[a]\n[a]\n", "x.toml")
    assert info.value.text("en") == "TOML syntax error: Cannot declare [a] twice"


def test_an_unknown_syntax_message_falls_back_to_plain_words(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from chitieu_tui.core import tomlfile

    parser = tomlfile._judge()  # tomli, or tomllib without it

    def fail(_: str) -> None:
        if parser.__name__ == "tomli":  # tomli words the place itself, from doc and pos
            doc = "a = 1\n\n      x"
            raise parser.TOMLDecodeError("Something new", doc, doc.index("x"))
        raise parser.TOMLDecodeError("Something new (at line 3, column 7)")

    monkeypatch.setattr(parser, "loads", fail)
    monkeypatch.setattr(tomlfile, "_fast", None)  # the fast parser would read it
    with pytest.raises(DataError) as info:
        parse_toml_text("a = 1\n", "x.toml")
    assert info.value.render("vi") == "x.toml:3:7: cú pháp TOML sai"
    assert info.value.render("en") == "x.toml:3:7: TOML syntax error"


def test_a_bad_period_is_a_coded_data_error() -> None:
    with pytest.raises(DataError) as info:
        Period.parse("2026-Q5")
    assert info.value.code == "err.period.format"
    assert info.value.text("vi") == "quý phải có dạng 2026-Q1, nhưng đang là '2026-Q5'"
    assert (Period(2026, 1).label("vi"), Period(2026, 4).label("en")) == ("Quý I/2026", "Q4 2026")
    assert (Period(2026, 3).short_label("vi"), Period(2025, 2).short_label("en")) == (
        "III/26",
        "Q2 25",
    )


needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")


@needs_fifo
def test_read_toml_refuses_a_fifo_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "chitieu.toml"
    os.mkfifo(fifo)
    with pytest.raises(DataError) as info:
        read_toml(fifo, "chitieu.toml")  # would hang forever on a plain open()
    assert info.value.code == "err.file.not_regular"
    assert "không phải tệp thông thường" in info.value.render("vi")


def test_read_toml_refuses_a_device_and_follows_symlinks(tmp_path: Path) -> None:
    if Path("/dev/zero").exists():
        with pytest.raises(DataError) as info:
            read_toml(Path("/dev/zero"))
        assert info.value.code == "err.file.not_regular"
    real = tmp_path / "real.toml"
    real.write_text("a = 1\n")
    link = tmp_path / "link.toml"
    link.symlink_to(real)
    assert read_toml(link)[0] == {"a": 1}


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    import chitieu_tui

    src = str(Path(chitieu_tui.__file__).resolve().parents[1])  # this copy, whatever the cwd
    env = {**os.environ, "PYTHONPATH": src}
    return subprocess.run(
        [sys.executable, "-m", "chitieu_tui", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        timeout=30,  # a hang on the FIFO fails the test instead of hanging CI
    )


@needs_fifo
@pytest.mark.parametrize("command", ["check", "report"])
def test_commands_refuse_a_fifo(tmp_path: Path, command: str) -> None:
    root = make_datadir(tmp_path, GOOD, {"2026-Q1": "thu = 32.0\n"})
    (root / "chitieu.toml").unlink()
    os.mkfifo(root / "chitieu.toml")
    proc = _run(command, "--config", str(root), "--lang", "en", cwd=tmp_path)
    assert proc.returncode == 1
    assert "chitieu.toml" in proc.stderr and "not a regular file" in proc.stderr
    assert "Traceback" not in proc.stderr


@needs_fifo
def test_check_refuses_a_fifo_progress_file_in_vietnamese(tmp_path: Path) -> None:
    root = make_datadir(tmp_path, GOOD)
    os.mkfifo(root / "progress" / "2026-Q1.toml")
    proc = _run("check", "--config", str(root), cwd=tmp_path)
    assert proc.returncode == 1
    assert "2026-Q1.toml: không phải tệp thông thường" in proc.stderr


def test_progress_values_are_keyed_by_the_definitions_own_ids(tmp_path: Path) -> None:
    """One string per id, not the parser's copy as well (18.7 MiB at 50,000 indicators)."""
    root = make_datadir(
        tmp_path,
        '[[indicator]]\nid = "a"\ngroup = "g"\nname = "A"\nkind = "cumulative"\ntarget = 10\n'
        '[[indicator]]\nid = "b-hai"\ngroup = "g"\nname = "B"\nkind = "cumulative"\ntarget = 5\n',
        {"2026-Q1": "b-hai = 2\na = 3\n"},
    )
    data = DataDir(root)
    defs = data.definitions()
    prog = data.progress(Period(2026, 1), defs)
    assert prog is not None and list(prog.values) == ["b-hai", "a"]
    own = {ind.id: ind.id for ind in defs.indicators}
    assert all(key is own[key] for key in prog.values)
