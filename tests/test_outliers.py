"""Outliers from a unit's own history and the follow-up mark (DESIGN section 15, last bullet):
the statistic against a naive computation, the quarterly value of each kind, the mark in the
progress file and the journal (and `verify` after marking and clearing), `set`, `followup`
and import refusing or marking."""

from __future__ import annotations

import json
import shutil
import statistics
import tomllib
from fractions import Fraction
from pathlib import Path

import pytest
from datadirs import HEAD, copy_sample, write
from hypothesis import given, settings
from hypothesis import strategies as st

from chitieu_tui.cli import main
from chitieu_tui.core import outliers
from chitieu_tui.core.chain import tamper_mark, walk
from chitieu_tui.core.datadir import BUNDLED, BUNDLED_COLLECTION, DataDir
from chitieu_tui.core.errors import DataError, EntryError, ErrorList
from chitieu_tui.core.journal import read_journal
from chitieu_tui.core.loader import load_definitions
from chitieu_tui.core.model import Followup, Indicator
from chitieu_tui.core.outliers import OutlierError, judge, spread
from chitieu_tui.core.periods import Period
from chitieu_tui.core.requests import Approve, ClearFollowup, Close, SetValue

P = Period.parse
LEVEL = Indicator(id="lv", group="g", name="Level", kind="level", target=100)
YTD = Indicator(id="cu", group="g", name="Cum", kind="cumulative", target=400)
QUARTERLY = Indicator(
    id="cq", group="g", name="Cum q", kind="cumulative", target=400, report="quarter"
)


# --- the statistic --------------------------------------------------------------------------


def naive_far(history: list[float], x: float, k: float) -> bool:
    """An independent computation: the variance in one pass, E[x²] − E[x]², over fractions."""
    n = len(history)
    xs = [Fraction(v) for v in history]
    mean = sum(xs) / n
    var = sum(v * v for v in xs) / n - mean * mean
    return var != 0 and (Fraction(x) - mean) ** 2 > Fraction(k) ** 2 * var


finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False)


@settings(max_examples=400, deadline=None)
@given(
    history=st.lists(finite, min_size=1, max_size=25),
    x=finite,
    k=st.sampled_from([0.5, 1.0, 2.0, 2.5, 3.0, 4.0]),
)
def test_spread_agrees_with_a_naive_computation(history: list[float], x: float, k: float) -> None:
    found = spread(history, x, k)
    assert found.far == naive_far(history, x, k)


@settings(max_examples=300, deadline=None)
@given(
    history=st.lists(st.integers(-10_000, 10_000), min_size=2, max_size=25),
    x=st.integers(-100_000, 100_000),
)
def test_spread_agrees_with_statistics_away_from_the_edge(history: list[int], x: int) -> None:
    """Against the standard library's float mean and pstdev, where rounding cannot matter."""
    mean = statistics.fmean(history)
    sd = statistics.pstdev(history)
    found = spread([float(v) for v in history], float(x), 3.0)
    assert found.mean == pytest.approx(mean)
    assert found.sd == pytest.approx(sd, abs=1e-9)
    if sd > 0 and abs(abs(x - mean) - 3 * sd) > 1e-6 * max(1.0, sd):
        assert found.far == (abs(x - mean) > 3 * sd)


def naive_mark(kind: str, report: str, values: list[float | None], x: float, k: float) -> bool:
    """Whether the last of eight quarters (2026-Q4, entered `x`) is an outlier, written out
    by hand: `values` are 2025-Q1 … 2026-Q3 (None: no value)."""
    quarters = [*values, x]
    figures: list[float | None] = []
    for i, v in enumerate(quarters):
        before = quarters[i - 1] if i > 0 else None
        if v is None:
            figures.append(None)
        elif kind == "cumulative" and (report == "quarter" or i % 4 == 0):
            figures.append(v)
        else:
            figures.append(None if before is None else v - before)
    earlier = [f for f in figures[:-1] if f is not None]
    now = figures[-1]
    if now is None or len(earlier) < 4:
        return False
    return naive_far(earlier, now, k)


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from([("level", "ytd"), ("cumulative", "ytd"), ("cumulative", "quarter")]),
    values=st.lists(st.one_of(st.none(), st.integers(0, 200).map(float)), min_size=7, max_size=7),
    x=st.integers(0, 400).map(float),
    k=st.sampled_from([1.0, 2.0, 3.0]),
)
def test_judge_agrees_with_a_naive_reading_of_each_kind(
    kind: tuple[str, str], values: list[float | None], x: float, k: float
) -> None:
    ind = YTD if kind == ("cumulative", "ytd") else QUARTERLY if kind[1] == "quarter" else LEVEL
    periods = [P(f"{y}-Q{q}") for y in (2025, 2026) for q in (1, 2, 3, 4)]
    stored = {p: v for p, v in zip(periods, values, strict=False) if v is not None}
    mark = judge(ind, periods[-1], x, stored, k)
    outlier = mark is not None and "outlier" in mark.why
    assert outlier == naive_mark(kind[0], kind[1], values, x, k)


def test_exactly_k_sigma_away_is_not_an_outlier() -> None:
    # mean 2, σ 1: 5 is exactly 3σ away (not further), 5.0001 is further
    assert not spread([1, 3, 1, 3], 5, 3).far
    assert spread([1, 3, 1, 3], 5.0001, 3).far
    assert not spread([1, 3, 1, 3], -1, 3).far
    assert spread([1, 3, 1, 3], -1.0001, 3).far


def test_zero_standard_deviation_is_skipped() -> None:
    """A history without spread says nothing of what is far: never an outlier."""
    assert not spread([100, 100, 100, 100], 99.5, 3).far
    assert not spread([100, 100, 100, 100], 0, 3).far
    stored = {P("2025-Q1"): 100.0, P("2025-Q2"): 100.0, P("2025-Q3"): 100.0, P("2025-Q4"): 100.0}
    assert judge(LEVEL, P("2026-Q1"), 3.0, stored) is None


# --- the quarterly value of each kind ------------------------------------------------------


def history(values: dict[str, float]) -> dict[Period, float]:
    return {P(k): v for k, v in values.items()}


def test_a_level_is_judged_by_its_change_and_needs_four_earlier_changes() -> None:
    """A level's quarterly figure is its change from the quarter before: a steady trend is
    in line, a jump is not."""
    four = history({"2025-Q1": 50, "2025-Q2": 52, "2025-Q3": 53, "2025-Q4": 55})  # 3 changes
    assert judge(LEVEL, P("2026-Q1"), 500.0, four) is None  # too little history: not judged
    five = {**four, P("2026-Q1"): 56.0}  # changes 2, 1, 2, 1: mean 1,5, σ 0,5
    mark = judge(LEVEL, P("2026-Q2"), 90.0, five)
    assert mark is not None and mark.why == ("outlier",)
    assert mark.mean == pytest.approx(1.5) and mark.sd == pytest.approx(0.5)
    assert mark.count == 4 and mark.k == 3.0 and mark.quarterly == 34.0
    assert judge(LEVEL, P("2026-Q2"), 59.0, five) is None  # +3: exactly 3σ, not further
    assert judge(LEVEL, P("2026-Q2"), 59.01, five) is not None
    assert judge(LEVEL, P("2026-Q2"), 56.5, five) is None  # +0,5: within 3σ of +1,5
    assert judge(LEVEL, P("2026-Q2"), 54.0, five) is not None  # −2: a fall, out of line
    assert judge(LEVEL, P("2026-Q2"), 58.5, five) is None
    assert judge(LEVEL, P("2026-Q2"), 58.5, five, k=1.0) is not None  # a lower k
    # a trend (a stock growing every quarter) is in line however far from the mean level
    trend = history({f"202{y}-Q{q}": 1000 + 7 * (4 * y + q) for y in (4, 5) for q in (1, 2, 3, 4)})
    assert judge(LEVEL, P("2026-Q1"), 1000 + 7 * 25, trend) is None
    # no value the quarter before: no change to judge
    assert judge(LEVEL, P("2026-Q3"), 500.0, five) is None


def test_a_year_to_date_cumulative_is_judged_by_its_quarter_increase() -> None:
    stored = history(
        {"2025-Q1": 10, "2025-Q2": 21, "2025-Q3": 30, "2025-Q4": 41, "2026-Q1": 10}
    )  # increases 10, 11, 9, 11, 10
    assert judge(YTD, P("2026-Q2"), 20.0, stored) is None  # +10: in line
    mark = judge(YTD, P("2026-Q2"), 60.0, stored)  # +50
    assert mark is not None and mark.why == ("outlier",) and mark.quarterly == 50.0
    assert mark.mean == pytest.approx(10.2) and mark.count == 5


def test_a_year_to_date_lower_than_the_quarter_before_is_flagged() -> None:
    stored = history({"2026-Q1": 40})
    mark = judge(YTD, P("2026-Q2"), 35.0, stored)
    assert mark is not None and mark.why == ("ytd_drop",) and mark.before == 40.0
    assert judge(YTD, P("2026-Q2"), 40.0, stored) is None  # equal: not lower
    # Q1 starts a new year: lower than last year's Q4 is no drop
    assert judge(YTD, P("2026-Q1"), 1.0, history({"2025-Q4": 400})) is None
    # no previous quarter in the year: neither a drop nor an increase to judge
    assert judge(YTD, P("2026-Q3"), 1.0, history({"2026-Q1": 40})) is None


def test_a_quarter_reported_cumulative_drops_only_with_a_negative_quarter() -> None:
    stored = history({"2025-Q1": 5, "2025-Q2": 6, "2025-Q3": 5, "2025-Q4": 6, "2026-Q1": 5})
    assert judge(QUARTERLY, P("2026-Q2"), 6.0, stored) is None
    mark = judge(QUARTERLY, P("2026-Q2"), -3.0, stored)
    assert mark is not None and mark.why == ("outlier", "ytd_drop") and mark.before is None
    assert judge(QUARTERLY, P("2026-Q2"), 60.0, stored) is not None


def test_a_milestone_is_never_judged() -> None:
    milestone = Indicator(id="m", group="g", name="M", kind="milestone", due="2026-Q4")
    assert judge(milestone, P("2026-Q2"), True, {}) is None


def test_the_mark_reads_back_as_written() -> None:
    mark = Followup(("outlier", "ytd_drop"), mean=1.5, sd=0.5, k=3.0, count=6, before=7.0)
    assert outliers.followup_from_raw(outliers.followup_to_toml(mark)) == mark
    assert outliers.followup_to_toml(mark)["k"] == 3  # whole numbers as integers


@pytest.mark.parametrize(
    "raw",
    [
        "outlier",
        {},
        {"why": []},
        {"why": ["odd"]},
        {"why": ["outlier", "outlier"]},
        {"why": ["outlier"], "mean": "x"},
        {"why": ["outlier"], "count": 1.5},
        {"why": ["outlier"], "colour": 1},
    ],
)
def test_a_malformed_mark_is_refused(raw: object) -> None:
    assert not isinstance(outliers.followup_from_raw(raw), Followup)


# --- a data folder ---------------------------------------------------------------------------

INDICATORS = """
[[indicator]]
id = "lv"
group = "g"
name = "Tỉ lệ"
kind = "level"
target = 100

[[indicator]]
id = "cu"
group = "g"
name = "Thu"
kind = "cumulative"
target = 400
"""

HISTORY = {
    "2025-Q1": (50, 10),
    "2025-Q2": (52, 21),
    "2025-Q3": (53, 30),
    "2025-Q4": (55, 41),
    "2026-Q1": (56, 10),
}
"""`lv` changes 2, 1, 2, 1 (mean 1,5, σ 0,5); `cu` increases 10, 11, 9, 11, 10."""


def folder(tmp_path: Path, dashboard: str = "") -> Path:
    root = tmp_path / "data"
    (root / "progress").mkdir(parents=True)
    (root / "chitieu.toml").write_text(HEAD + dashboard + INDICATORS, encoding="utf-8")
    for period, (lv, cu) in HISTORY.items():
        (root / "progress" / f"{period}.toml").write_text(
            f'schema = 1\nunit = "thu"\nperiod = "{period}"\n\n[values]\nlv = {lv}\ncu = {cu}\n',
            encoding="utf-8",
        )
    return root


Q2 = P("2026-Q2")
IND = "ket-nap-dang-vien"  # the sample's: 5, 9, 6, 8 a quarter in 2025 (mean 7, σ 1,58)


def set_req(ident: str, value: float, **more: object) -> SetValue:
    return SetValue(period=Q2, id=ident, value=value, confirm=True, by="Lan", **more)  # type: ignore[arg-type]


def progress_values(root: Path) -> dict[str, object]:
    text = (root / "progress" / "2026-Q2.toml").read_text(encoding="utf-8")
    values: dict[str, object] = tomllib.loads(text)["values"]
    return values


def chain_ok(root: Path) -> list[object]:
    changes = read_journal(root / "journal" / "2026-Q2.toml", unit="thu", period=Q2)
    walked = walk("thu", Q2, changes)
    assert not walked.broken
    return changes  # type: ignore[return-value]


def test_an_outlier_is_refused_unless_confirmed_and_nothing_is_written(tmp_path: Path) -> None:
    root = folder(tmp_path)
    with pytest.raises(OutlierError) as refused:
        write(root, set_req("lv", 90))
    text = refused.value.text("en")
    assert "90" in text and "34" in text and "1.5" in text and "standard deviations" in text
    assert not (root / "progress" / "2026-Q2.toml").exists()
    assert not (root / "journal").exists()


def test_a_confirmed_outlier_is_marked_in_the_file_and_the_journal(tmp_path: Path) -> None:
    root = folder(tmp_path)
    written = write(root, set_req("lv", 90, confirm_outlier=True))
    mark = written.progress.values["lv"].followup
    assert mark is not None and mark.why == ("outlier",) and mark.count == 4
    stored = progress_values(root)["lv"]
    assert isinstance(stored, dict)
    assert stored["followup"]["why"] == ["outlier"] and stored["followup"]["mean"] == 1.5
    assert stored["followup"]["quarterly"] == 34
    # read back by the loader as written
    assert DataDir(root).progress(Q2, DataDir(root).definitions()).values["lv"].followup == mark
    changes = chain_ok(root)
    assert changes[-1].followup == "outlier"  # type: ignore[attr-defined]


def test_a_value_in_line_gets_no_mark_and_replacing_a_marked_value_judges_afresh(
    tmp_path: Path,
) -> None:
    root = folder(tmp_path)
    write(root, set_req("lv", 90, confirm_outlier=True))
    written = write(root, set_req("lv", 57))
    assert written.progress.values["lv"].followup is None
    assert "followup" not in progress_values(root)["lv"]  # type: ignore[operator]


def test_a_note_changed_on_a_marked_value_keeps_the_mark(tmp_path: Path) -> None:
    root = folder(tmp_path)
    write(root, set_req("lv", 90, confirm_outlier=True))
    written = write(root, set_req("lv", 90, note="đúng: có đợt vận động"))
    assert written.progress.values["lv"].followup is not None  # not asked again
    assert chain_ok(root)[-1].followup == ""  # type: ignore[attr-defined]


def test_ytd_drop_in_a_folder(tmp_path: Path) -> None:
    root = folder(tmp_path)
    with pytest.raises(OutlierError) as refused:
        write(root, SetValue(period=Q2, id="cu", value=8.0, confirm=True))  # Q1 had 10
    assert refused.value.mark is not None
    assert refused.value.mark.why == ("outlier", "ytd_drop")
    assert "year to date is lower" in refused.value.text("en")
    assert "(10)" in refused.value.text("en")
    written = write(root, SetValue(period=Q2, id="cu", value=8.0, confirm_outlier=True))
    assert chain_ok(root)[-1].followup == "outlier ytd_drop"  # type: ignore[attr-defined]
    assert written.progress.values["cu"].followup == refused.value.mark


def test_several_outliers_of_one_write_are_all_listed(tmp_path: Path) -> None:
    root = folder(tmp_path)
    with pytest.raises(ErrorList) as refused:
        write(root, set_req("lv", 90), set_req("cu", 500))
    assert [e.index for e in refused.value.errors] == [0, 1]
    assert refused.value.index == 0


def test_outlier_k_from_the_definitions(tmp_path: Path) -> None:
    root = folder(tmp_path, "\n[dashboard]\noutlier_k = 100\n")  # 34 is 65 σ from 1,5
    assert write(root, set_req("lv", 90)).progress.values["lv"].followup is None


@pytest.mark.parametrize("k", ["0", "-1", "101", "nan", '"3"'])
def test_a_bad_outlier_k_is_refused(tmp_path: Path, k: str) -> None:
    root = folder(tmp_path, f"\n[dashboard]\noutlier_k = {k}\n")
    with pytest.raises(DataError) as bad:
        load_definitions(root / "chitieu.toml")
    assert "outlier_k" in bad.value.render("en")
    assert ":" in str(bad.value.place)


def test_clearing_needs_a_note_and_a_mark_and_is_journaled(tmp_path: Path) -> None:
    root = folder(tmp_path)
    write(root, set_req("lv", 90, confirm_outlier=True))
    with pytest.raises(EntryError):
        write(root, ClearFollowup(period=Q2, id="lv", note="   "))
    with pytest.raises(EntryError):
        write(root, ClearFollowup(period=Q2, id="cu", note="x"))  # no value, no mark
    written = write(root, ClearFollowup(period=Q2, id="lv", note="đã kiểm tra", by="Hoa"))
    assert written.progress.values["lv"].followup is None
    assert written.progress.values["lv"].value == 90  # the value stays
    assert "followup" not in progress_values(root)["lv"]  # type: ignore[operator]
    last = chain_ok(root)[-1]
    assert (last.via, last.note, last.by, last.old, last.new) == (  # type: ignore[attr-defined]
        "followup",
        "đã kiểm tra",
        "Hoa",
        90,
        90,
    )
    with pytest.raises(EntryError):  # cleared already
        write(root, ClearFollowup(period=Q2, id="lv", note="again"))


def test_clearing_a_mark_in_an_approved_quarter_leaves_it_approved_and_unmarked(
    tmp_path: Path,
) -> None:
    """The mark is not part of what closing and approval seal (docs/formats.md): clearing it
    after approval keeps the quarter approved, raises no tamper mark, and the chain holds."""
    root = folder(tmp_path)
    write(root, set_req("lv", 90, confirm_outlier=True))
    write(root, Close(period=Q2, reason="nộp", by="Phường"))
    write(root, Approve(period=Q2, note="đạt", by="Tỉnh"))
    written = write(root, ClearFollowup(period=Q2, id="lv", note="đã kiểm tra", by="Hoa"))
    assert written.progress.values["lv"].followup is None
    assert written.progress.closed is not None and written.progress.closed.approved
    assert tamper_mark(DataDir(root).progress(Q2, DataDir(root).definitions())) is None
    assert chain_ok(root)[-1].via == "followup"  # type: ignore[attr-defined]


def test_a_hand_written_mark_must_be_well_formed(tmp_path: Path) -> None:
    root = folder(tmp_path)
    path = root / "progress" / "2026-Q1.toml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "lv = 56", 'lv = { value = 56, followup = { why = ["odd"] } }'
        ),
        encoding="utf-8",
    )
    data = DataDir(root)
    with pytest.raises(DataError) as bad:
        data.progress(P("2026-Q1"), data.definitions())
    assert "2026-Q1.toml:" in bad.value.render("en") and "ytd_drop" in bad.value.render("en")


# --- the command line --------------------------------------------------------------------


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["--lang", "en", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_set_refuses_an_outlier_without_yes_and_marks_it_with_yes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = folder(tmp_path)
    base = ["--config", str(root), "--period", "2026-Q2", "--no-snapshot"]
    code, _, err = run(capsys, "set", *base, "lv", "90")
    assert code == 1
    assert "lv" in err and "90" in err and "1.5" in err and "--yes" in err
    assert "Traceback" not in err
    code, out, _ = run(capsys, "set", *base, "--yes", "--by", "Lan", "lv", "90")
    assert code == 0 and "marked for follow-up" in out
    code, out, _ = run(capsys, "followup", "--config", str(root))
    assert code == 0 and "lv" in out and "Lan" in out and "Q2 2026" in out
    code, out, _ = run(capsys, "followup", "--config", str(root), "--format", "json")
    doc = json.loads(out)
    assert doc["marked"][0]["id"] == "lv" and doc["marked"][0]["by"] == "Lan"
    assert doc["marked"][0]["followup"]["why"] == ["outlier"]
    code, out, _ = run(capsys, "followup", "--config", str(root), "--period", "2026-Q1")
    assert code == 0 and "no value marked" in out


def test_followup_clear_from_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = folder(tmp_path)
    write(root, set_req("lv", 90, confirm_outlier=True))
    before = (root / "progress" / "2026-Q2.toml").read_bytes()
    code, _, _ = run(capsys, "followup", "--config", str(root))  # reading never writes
    assert (root / "progress" / "2026-Q2.toml").read_bytes() == before
    code, _, err = run(capsys, "followup", "--config", str(root), "--clear", "lv")
    assert code == 2  # no --period
    args = ["followup", "--config", str(root), "--clear", "lv", "--period", "2026-Q2"]
    code, _, err = run(capsys, *args)
    assert code == 2  # no --note
    code, _, err = run(capsys, *args, "--note", " ")
    assert code == 1 and "note" in err
    code, out, _ = run(capsys, *args, "--note", "checked with the clerk", "--by", "Hoa")
    assert code == 0 and "cleared" in out
    code, out, _ = run(capsys, "followup", "--config", str(root))
    assert "no value marked" in out
    code, out, _ = run(capsys, "log", "--config", str(root), "--period", "2026-Q2")
    assert "marked for follow-up" in out and "checked with the clerk" in out
    code, out, _ = run(capsys, "verify", "--config", str(root), "--period", "2026-Q2")
    assert code == 0


def test_the_bundled_samples_flag_none_of_their_own_values() -> None:
    """Each value of the samples judged against the quarters before it: none is out of line,
    so `check` and the 8/20 stay as they were."""
    for root in [BUNDLED, *sorted(p for p in BUNDLED_COLLECTION.iterdir() if p.is_dir())]:
        if not (root / "chitieu.toml").is_file():
            continue
        data = DataDir(root)
        for period in data.periods():
            defs = data.defs_for(period)
            progress = data.progress(period, defs)
            assert progress is not None
            past = data.outlier_history(period, list(progress.values))
            for ident, entry in progress.values.items():
                ind = defs.indicator(ident)
                assert ind is not None
                mark = judge(ind, period, entry.value, past.get(ident, {}))
                assert mark is None, (root.name, str(period), ident, mark)


def test_import_lists_every_outlier_at_its_cell_and_marks_them_with_yes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`chitieu import`: outliers are refused like implausible values, every one named at
    its cell (nothing written); with --yes they are written and marked."""
    openpyxl = pytest.importorskip("openpyxl")
    ward = copy_sample(tmp_path)
    out = tmp_path / "t.xlsx"
    argv = ["--lang", "en", "template", "--config", str(ward), "--period", "2026-Q1"]
    assert main([*argv, "--output", str(out)]) == 0
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    ws.cell(rows["ket-nap-dang-vien"], 5).value = 60  # 5, 9, 6, 8 a quarter before
    ws.cell(rows["so-to-chuc-dang"], 5).value = 36  # in line
    ws.cell(rows["thu-ngan-sach"], 5).value = 200  # Q1's increase, 30 a quarter before
    wb.save(out)
    before = (ward / "progress" / "2026-Q1.toml").read_bytes()
    capsys.readouterr()
    assert main(["--lang", "en", "import", "--config", str(ward), str(out)]) == 1
    err = capsys.readouterr().err
    assert f"!E{rows['ket-nap-dang-vien']}" in err and f"!E{rows['thu-ngan-sach']}" in err
    assert err.count("--yes") == 2 and "Traceback" not in err
    assert (ward / "progress" / "2026-Q1.toml").read_bytes() == before
    assert main(["--lang", "en", "import", "--config", str(ward), "--yes", str(out)]) == 0
    said = capsys.readouterr().out
    assert "ket-nap-dang-vien is marked for follow-up" in said
    marked = tomllib.loads((ward / "progress" / "2026-Q1.toml").read_text("utf-8"))["values"]
    assert marked["ket-nap-dang-vien"]["followup"]["why"] == ["outlier"]
    assert marked["thu-ngan-sach"]["followup"]["why"] == ["outlier"]
    assert "followup" not in marked["so-to-chuc-dang"]


def test_followup_on_a_collection_folder_lists_each_unit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "wards"
    shutil.copytree(BUNDLED_COLLECTION, root)
    write(root / "my-thoi", SetValue(period=P("2026-Q1"), id=IND, value=60.0, confirm_outlier=True))
    code, out, _ = run(capsys, "followup", "--config", str(root))
    assert code == 0
    assert "Phường Bình Đức: no value marked" in out
    assert "Phường Mỹ Thới: 1 values marked" in out and IND in out
    code, out, _ = run(capsys, "followup", "--config", str(root), "--format", "json")
    units = {u["unit"]: u["marked"] for u in json.loads(out)["units"]}
    assert [m["id"] for m in units["my-thoi"]] == [IND] and units["binh-duc"] == []
    clear = ["followup", "--config", str(root), "--clear", IND, "--period", "2026-Q1"]
    code, _, _ = run(capsys, *clear, "--note", "x")
    assert code == 2  # one unit's folder
    code, _, _ = run(capsys, *clear[:2], str(root / "my-thoi"), *clear[3:], "--note", "x")
    assert code == 0
