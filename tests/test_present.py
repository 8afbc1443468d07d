"""The presentation layer: status looks, summary parts, dates, ages and numbers, vi and en."""

from __future__ import annotations

import datetime as dt

import pytest

from chitieu_tui.core.arithmetic import STATUS_ORDER, Board, Status, evaluate
from chitieu_tui.core.datadir import BUNDLED
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.core.model import Entry, Indicator
from chitieu_tui.core.periods import Period
from chitieu_tui.core.source import View
from chitieu_tui.i18n import use
from chitieu_tui.i18n.en import MESSAGES as EN
from chitieu_tui.i18n.vi import MESSAGES as VI
from chitieu_tui.present import fmt
from chitieu_tui.present.cells import (
    card_detail,
    card_figure,
    due_text,
    report_headers,
    row_cells,
)
from chitieu_tui.present.origin import origin_text, source_text
from chitieu_tui.present.status import STATUS, colour, label, symbol
from chitieu_tui.present.summary import (
    group_parts,
    groups_line,
    summary_line,
    summary_parts,
)
from chitieu_tui.present.time import (
    age_since,
    age_text,
    clock_text,
    date_text,
    datetime_text,
    stamp_text,
)


@pytest.fixture(scope="module")
def view() -> View:
    return FileSource(BUNDLED).load(Period(2026, 1))


@pytest.fixture(scope="module")
def board(view: View) -> Board:
    return view.board


@pytest.mark.parametrize(
    ("status", "vi", "en", "colour_name", "mark", "ascii_mark"),
    [
        (Status.MET, "Đạt/vượt", "Met", "$success", "✓", "+"),
        (Status.ON_TRACK, "Đúng tiến độ", "On track", "$primary", "▲", "^"),
        (Status.BEHIND, "Chậm tiến độ", "Behind", "$error", "▼", "v"),
        (Status.NO_DATA, "Chưa có số liệu", "No data", "$foreground-muted", "·", "."),
    ],
)
def test_every_status_has_one_look(
    status: Status, vi: str, en: str, colour_name: str, mark: str, ascii_mark: str
) -> None:
    assert label(status) == fmt.status_label(status) == vi
    use("en")
    assert label(status) == fmt.status_label(status) == en
    assert colour(status) == colour_name
    assert symbol(status) == mark
    assert symbol(status, ascii_only=True) == ascii_mark
    assert ascii_mark.isascii() and len(mark) == 1


def test_the_status_table_covers_every_status_and_the_catalogs() -> None:
    assert set(STATUS) == set(Status) == {*STATUS_ORDER, Status.UNJUDGED}
    for look in STATUS.values():
        assert look.key in VI and look.key in EN


def test_catalogs_have_the_same_keys_and_placeholders() -> None:
    import string

    assert set(VI) == set(EN)
    for key in VI:
        fields = {f for _, f, _, _ in string.Formatter().parse(VI[key]) if f}
        assert fields == {f for _, f, _, _ in string.Formatter().parse(EN[key]) if f}, key


@pytest.mark.parametrize(
    ("lang", "texts"),
    [
        (
            "vi",
            [
                "8/20 chỉ tiêu đạt và vượt kế hoạch",
                "5 đúng tiến độ",
                "6 chậm",
                "1 chưa có số liệu",
            ],
        ),
        ("en", ["8/20 targets met or exceeded", "5 on track", "6 behind", "1 no data"]),
    ],
)
def test_summary_parts_of_the_sample(board: Board, lang: str, texts: list[str]) -> None:
    use(lang)
    parts = summary_parts(board)
    assert [(p.status, p.count) for p in parts] == [
        (Status.MET, 8),
        (Status.ON_TRACK, 5),
        (Status.BEHIND, 6),
        (Status.NO_DATA, 1),
    ]
    assert [p.text for p in parts] == texts
    use(lang)
    assert summary_line(board) == " · ".join(texts)


def test_group_parts_of_the_sample(board: Board) -> None:
    parts = group_parts(board)
    assert [(p.group_id, p.name, p.met, p.total) for p in parts] == [
        ("xay-dung-dang", "Xây dựng Đảng", 3, 6),
        ("kinh-te", "Kinh tế", 2, 6),
        ("van-hoa-xa-hoi", "Văn hóa – Xã hội", 2, 5),
        ("quoc-phong-an-ninh", "Quốc phòng – An ninh", 1, 3),
    ]
    expected = "Xây dựng Đảng 3/6 · Kinh tế 2/6 · Văn hóa – Xã hội 2/5 · Quốc phòng – An ninh 1/3"
    in_vi = groups_line(board)
    use("en")
    assert in_vi == groups_line(board) == expected
    # The parts add up to the board: nothing is counted twice or lost.
    assert sum(p.total for p in parts) == board.summary.total == 20
    assert sum(p.met for p in parts) == board.summary.met


@pytest.mark.parametrize(
    ("lang", "date", "moment", "stamp"),
    [
        ("vi", "02/04/2026", "08:30 02/04/2026", "01:30 02/04/2026 UTC"),
        ("en", "2026-04-02", "2026-04-02 08:30", "2026-04-02 01:30 UTC"),
    ],
)
def test_dates(lang: str, date: str, moment: str, stamp: str) -> None:
    when = dt.datetime(2026, 4, 2, 8, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    use(lang)
    assert date_text(when.date()) == date
    use(lang)
    assert date_text(when) == date
    use(lang)
    assert datetime_text(when) == moment
    use(lang)
    assert stamp_text(when) == stamp
    assert clock_text(when) == "08:30"
    assert clock_text(when, dt.UTC) == "01:30"


@pytest.mark.parametrize(
    ("seconds", "vi", "en"),
    [
        (-5, "vừa xong", "just now"),
        (0, "vừa xong", "just now"),
        (59, "vừa xong", "just now"),
        (60, "1 phút trước", "1 min ago"),
        (5 * 60 + 59, "5 phút trước", "5 min ago"),
        (3 * 3600, "3 giờ trước", "3 h ago"),
        (86400, "1 ngày trước", "1 day ago"),
        (2 * 86400 + 5, "2 ngày trước", "2 days ago"),
    ],
)
def test_ages(seconds: float, vi: str, en: str) -> None:
    assert age_text(seconds) == vi
    use("en")
    assert age_text(seconds) == en
    now = dt.datetime(2026, 4, 2, 12, 0, tzinfo=dt.UTC)
    assert age_since(now - dt.timedelta(seconds=seconds), now) == en


@pytest.mark.parametrize(
    ("call", "vi", "en"),
    [
        (lambda lang: fmt.number(1430), "1.430", "1,430"),
        (lambda lang: fmt.number(2487.0), "2.487", "2,487"),
        (lambda lang: fmt.number(-0.001), "0", "0"),
        (lambda lang: fmt.number(None), "–", "–"),
        (lambda lang: fmt.number(True), "Đã xong", "Done"),
        (lambda lang: fmt.number(False), "Chưa xong", "Not done"),
        (lambda lang: fmt.percent(13.75), "13,75%", "13.75%"),
        (lambda lang: fmt.with_unit(232.73, "tỉ đồng"), "232,73 tỉ đồng", "232.73 tỉ đồng"),
        (lambda lang: fmt.with_unit(90, "%"), "90%", "90%"),
        (lambda lang: fmt.with_unit(True, "%"), "Đã xong", "Done"),
        (lambda lang: fmt.number(1234567.891), "1.234.567,89", "1,234,567.89"),
    ],
)
def test_numbers(call: object, vi: str, en: str) -> None:
    assert call("vi") == vi  # type: ignore[operator]
    use("en")
    assert call("en") == en  # type: ignore[operator]


def test_round2() -> None:
    assert fmt.round2(None) is None
    assert fmt.round2(13.7549) == 13.75


MILESTONE = Indicator(id="m", group="g", name="M", kind="milestone", due="2026-Q3")


@pytest.mark.parametrize(
    ("lang", "long", "short"),
    [("vi", "hạn Quý III/2026", "hạn III/26"), ("en", "due Q3 2026", "due Q3 26")],
)
def test_due_words(lang: str, long: str, short: str) -> None:
    use(lang)
    assert due_text(MILESTONE) == long
    use(lang)
    assert due_text(MILESTONE, short=True) == short
    ev = evaluate(MILESTONE, Period(2026, 1), {1: Entry(False)})
    use(lang)
    assert row_cells(ev)["target"] == long
    use(lang)
    assert row_cells(ev, units=False, short=True)["target"] == short
    use(lang)
    assert card_detail(ev) == [long]
    use(lang)
    assert card_figure(ev) == ("Chưa xong" if lang == "vi" else "Not done")


def test_an_odd_due_is_shown_as_written() -> None:
    odd = Indicator(id="m", group="g", name="M", kind="milestone", due="cuối năm")
    use("en")
    assert due_text(odd) == "due cuối năm"


def test_row_cells_of_the_budget(board: Board) -> None:
    ev = board.get("thu-ngan-sach")
    assert ev is not None
    assert row_cells(ev) == {
        "id": "thu-ngan-sach",
        "name": "Tổng thu ngân sách nhà nước",
        "unit": "tỉ đồng",
        "owner": ev.indicator.owner,
        "value": "32 tỉ đồng",
        "target": "232,73 tỉ đồng",
        "percent": "13,75%",
        "expected": "58,18 tỉ đồng",
        "status": "Chậm tiến độ",
    }
    use("en")
    narrow = row_cells(ev, units=False)
    assert (narrow["value"], narrow["target"], narrow["percent"]) == ("32", "232.73", "13.75%")
    use("vi")
    assert card_figure(ev) == "13,75%"
    assert card_detail(ev)[0] == "32 / 232,73 tỉ đồng"


def test_report_headers() -> None:
    in_vi = report_headers()
    use("en")
    assert in_vi[0] == "Mã" and report_headers()[0] == "ID"
    assert len(in_vi) == len(report_headers()) == 7


def test_source_and_origin_words(view: View) -> None:
    import dataclasses

    sample = dataclasses.replace(view, source_kind="sample")
    assert source_text(sample) == "mẫu có sẵn"
    use("en")
    assert source_text(sample) == "bundled sample"
    api = dataclasses.replace(view, source_kind="api", source_label="api:http://x.invalid")
    assert source_text(api) == "api:http://x.invalid"
    progress = view.board.progress
    assert progress is not None
    use("vi")
    assert origin_text(progress) == "tệp 31/03/2026"
    use("en")
    assert origin_text(progress) == "file 2026-03-31"
    assert origin_text(None) == ""
