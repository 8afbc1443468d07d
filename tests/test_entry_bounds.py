"""Bounds (min, max, integer), implausible values, expectations and undo."""

from __future__ import annotations

from pathlib import Path

import pytest
from datadirs import copy_sample, enter, make_datadir, plain_values, unset

from chitieu_tui.cli import main
from chitieu_tui.core.datadir import BUNDLED, DataDir
from chitieu_tui.core.errors import ChitieuError, DataError, EntryError, ErrorList, flatten
from chitieu_tui.core.loader import load_definitions
from chitieu_tui.core.model import Entry
from chitieu_tui.core.periods import Period
from chitieu_tui.core.writer import ConflictError, ImplausibleError

Q1 = Period(2026, 1)
COUNTS = {
    "ket-nap-dang-vien",
    "dang-vien",
    "so-to-chuc-dang",
    "doanh-nghiep",
    "ho-kinh-doanh",
    "ho-ngheo",
    "giai-quyet-viec-lam",
    "truong-chuan-quoc-gia",
}


def values(root: Path) -> dict[str, object]:
    return plain_values(root / "progress" / "2026-Q1.toml")


def test_the_sample_declares_its_counts_integer() -> None:
    defs = load_definitions(BUNDLED / "chitieu.toml")
    assert {i.id for i in defs.indicators if i.integer} == COUNTS
    bhyt = defs.indicator("bhyt")
    assert bhyt is not None and (bhyt.min, bhyt.upper) == (0.0, 100.0)
    thu = defs.indicator("thu-ngan-sach")
    assert thu is not None and thu.upper is None


@pytest.mark.parametrize(
    ("extra", "words", "line"),
    [
        ("min = 10\nmax = 5", "min (10) is above max (5)", 7),
        ('min = "abc"', 'min must be a number, got "abc"', 7),
        ("max = inf", "max", 7),
        ("integer = 3", "integer must be", 7),
        ('unit = "%"\nmin = 150', "min (150) is above max (100)", 8),
    ],
)
def test_bad_bounds_are_refused_with_a_place(
    tmp_path: Path, extra: str, words: str, line: int
) -> None:
    body = (
        f'[[indicator]]\nid = "a"\ngroup = "g"\nname = "A"\nkind = "level"\ntarget = 10\n{extra}\n'
    )
    root = make_datadir(tmp_path, body)
    with pytest.raises(DataError) as info:
        DataDir(root).definitions()
    errors = flatten(info.value) if isinstance(info.value, ErrorList) else [info.value]
    assert any(words in e.render("en") for e in errors), [e.render("en") for e in errors]
    assert any(e.place is not None and e.place.line is not None for e in errors)


@pytest.mark.parametrize(
    ("ind", "text", "code"),
    [
        ("bhyt", "100,5", "err.bounds.above_max"),
        ("bhyt", "-1", "err.bounds.below_min"),
        ("ket-nap-dang-vien", "6,5", "err.bounds.not_integer"),
        ("thu-ngan-sach", "-2", "err.bounds.below_min"),
    ],
)
def test_values_outside_the_bounds_are_refused(
    tmp_path: Path, ind: str, text: str, code: str
) -> None:
    root = copy_sample(tmp_path)
    before = (root / "progress" / "2026-Q1.toml").read_bytes()
    with pytest.raises(EntryError) as info:
        enter(DataDir(root), Q1, ind, text)
    assert info.value.code == code
    assert (root / "progress" / "2026-Q1.toml").read_bytes() == before


def test_the_bound_is_named_in_both_languages(tmp_path: Path) -> None:
    with pytest.raises(EntryError) as info:
        enter(copy_sample(tmp_path), Q1, "bhyt", "100,5")
    assert info.value.text("vi") == "100,5 lớn hơn mức tối đa 100 (max)"
    assert info.value.text("en") == "100.5 is above the maximum 100 (max)"


def test_a_declared_min_allows_negatives(tmp_path: Path) -> None:
    body = (
        '[[indicator]]\nid = "a"\ngroup = "g"\nname = "A"\nkind = "level"\ntarget = 10\nmin = -50\n'
    )
    root = make_datadir(tmp_path, body)
    enter(DataDir(root), Q1, "a", "-3,5")
    assert values(root)["a"] == -3.5


def test_check_warns_about_stored_values_out_of_bounds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_sample(tmp_path)
    path = root / "progress" / "2026-Q1.toml"
    path.write_text(path.read_text().replace("bhyt = 90.0", "bhyt = 120.0"))
    assert main(["check", "--config", str(root)]) == 0
    err = capsys.readouterr().err
    assert "bhyt" in err and "120" in err and "100" in err


@pytest.mark.parametrize(
    ("ind", "ok", "implausible"),
    [
        ("ket-nap-dang-vien", "150", "151"),  # 5 × target 30
        ("ho-ngheo", "480", "481"),  # a level: 5 × the larger of target 70 and baseline 96
    ],
)
def test_implausible_values_need_confirming(
    tmp_path: Path, ind: str, ok: str, implausible: str
) -> None:
    data = DataDir(copy_sample(tmp_path))
    enter(data, Q1, ind, ok, confirm_outlier=True)  # far from its history too: marked
    with pytest.raises(ImplausibleError):
        enter(data, Q1, ind, implausible, confirm_outlier=True)
    enter(data, Q1, ind, implausible, confirmed=True, confirm_outlier=True)
    stored = values(data.root)[ind]
    assert (stored["value"] if isinstance(stored, dict) else stored) == int(implausible)


def test_set_refuses_implausible_without_yes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_sample(tmp_path)
    args = ["set", "--config", str(root), "--lang", "en", "--no-snapshot"]
    assert main([*args, "ket-nap-dang-vien", "600"]) == 1
    assert "--yes" in capsys.readouterr().err
    assert values(root)["ket-nap-dang-vien"] == 6
    assert main([*args, "--yes", "ket-nap-dang-vien", "600"]) == 0
    assert values(root)["ket-nap-dang-vien"]["value"] == 600  # --yes: marked for follow-up
    assert values(root)["ket-nap-dang-vien"]["followup"]["why"] == ["outlier"]


def test_set_in_english_reads_english_numbers(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    args = ["set", "--config", str(root), "--lang", "en", "--no-snapshot"]
    assert main([*args, "dang-vien", "1,261"]) == 0
    assert values(root)["dang-vien"] == 1261
    assert main([*args, "thu-ngan-sach", "32.25"]) == 0
    assert values(root)["thu-ngan-sach"] == 32.25


def test_an_out_of_date_expectation_is_a_conflict(tmp_path: Path) -> None:
    data = DataDir(copy_sample(tmp_path))
    seen = Entry(6.0)
    enter(data, Q1, "ket-nap-dang-vien", "5", "chi bộ 3")
    with pytest.raises(ConflictError) as info:
        enter(data, Q1, "ket-nap-dang-vien", "4", expect=seen)
    current = info.value.current
    assert current is not None and (current.value, current.note) == (5, "chi bộ 3")
    assert "5" in info.value.text("vi") and "chi bộ 3" in info.value.text("vi")
    assert isinstance(info.value, EntryError)
    enter(data, Q1, "ket-nap-dang-vien", "4", expect=info.value.current)
    assert values(data.root)["ket-nap-dang-vien"] == {"value": 4, "note": "chi bộ 3"}


def test_an_up_to_date_expectation_writes(tmp_path: Path) -> None:
    data = DataDir(copy_sample(tmp_path))
    note = "còn 193 đảng viên chưa học"
    enter(data, Q1, "hoc-tap-nghi-quyet", "87", expect=Entry(86.5, note))
    enter(data, Q1, "khu-dan-cu-an-toan", "90", expect=None)
    with pytest.raises(ConflictError):
        enter(data, Q1, "khu-dan-cu-an-toan", "91", expect=None)
    assert values(data.root)["khu-dan-cu-an-toan"] == 90


def test_unset_removes_and_says_when_absent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = copy_sample(tmp_path)
    text = (root / "progress" / "2026-Q1.toml").read_text()
    assert main(["unset", "--config", str(root), "bhyt"]) == 0
    assert "bhyt" not in values(root)
    assert "# Xây dựng Đảng" in (root / "progress" / "2026-Q1.toml").read_text()
    assert len(list((root / "snapshots" / "2026-Q1").glob("*.toml"))) == 1
    capsys.readouterr()
    assert main(["unset", "--config", str(root), "--lang", "en", "bhyt"]) == 1
    assert "nothing to remove" in capsys.readouterr().err
    assert main(["unset", "--config", str(root), "--period", "2026-Q3", "bhyt"]) == 1
    assert not (root / "progress" / "2026-Q3.toml").exists()
    assert text != (root / "progress" / "2026-Q1.toml").read_text()


def test_unset_refuses_the_bundled_sample() -> None:
    with pytest.raises(ChitieuError) as info:
        unset(DataDir(BUNDLED), Q1, "bhyt")
    assert info.value.code == "err.sample.read_only"
