"""docs/arithmetic.md, table by table: expected, year to date, percent and status."""

from __future__ import annotations

import pytest

from chitieu_tui.core.arithmetic import Status, evaluate, expected_at
from chitieu_tui.core.model import Entry, Indicator
from chitieu_tui.core.periods import Period


def ind(**kw: object) -> Indicator:
    base: dict[str, object] = {"id": "x", "group": "g", "name": "X", "kind": "level"}
    base.update(kw)
    return Indicator(**base)  # type: ignore[arg-type]


CUM = ind(kind="cumulative", target=100.0)
CUM_Q = ind(kind="cumulative", report="quarter", target=100.0)
CUM_PLAN = ind(kind="cumulative", target=100.0, plan=[10.0, 40.0, 70.0, 100.0])
LEVEL = ind(target=95.0)
LEVEL_BASE = ind(target=95.0, baseline=87.0)
LEVEL_PLAN = ind(target=95.0, baseline=87.0, plan=[90.0, 91.0, 93.0, 95.0])
DEC = ind(direction="decrease", target=70.0, baseline=100.0)
DEC_PLAN = ind(direction="decrease", target=70.0, baseline=100.0, plan=[95.0, 90.0, 80.0, 70.0])
DEC_CUM = ind(kind="cumulative", direction="decrease", target=20.0, baseline=40.0)
MILE = ind(kind="milestone", due="2026-Q2")


@pytest.mark.parametrize(
    ("indicator", "quarter", "expected"),
    [
        (CUM, 1, 25.0),
        (CUM, 3, 75.0),
        (CUM_Q, 2, 50.0),
        (CUM_PLAN, 2, 40.0),
        (LEVEL, 1, 95.0),
        (LEVEL, 4, 95.0),
        (LEVEL_BASE, 1, 89.0),
        (LEVEL_BASE, 2, 91.0),
        (LEVEL_PLAN, 3, 93.0),
        (DEC, 1, 92.5),
        (DEC, 2, 85.0),
        (DEC_PLAN, 2, 90.0),
        (DEC_CUM, 2, 10.0),
        (MILE, 1, None),
    ],
)
def test_expected_at(indicator: Indicator, quarter: int, expected: float | None) -> None:
    assert expected_at(indicator, quarter) == expected


def E(v: float | bool) -> Entry:
    return Entry(v)


# (indicator, period, {quarter: value}, ytd, percent, status)
CASES = [
    # cumulative, year to date
    (CUM, "2026-Q1", {1: 30.0}, 30.0, 30.0, Status.ON_TRACK),
    (CUM, "2026-Q1", {1: 25.0}, 25.0, 25.0, Status.ON_TRACK),  # exactly on pace
    (CUM, "2026-Q2", {1: 30.0, 2: 45.0}, 45.0, 45.0, Status.BEHIND),  # ytd value, not a sum
    (CUM, "2026-Q3", {3: 100.0}, 100.0, 100.0, Status.MET),
    (CUM, "2026-Q4", {4: 120.0}, 120.0, 120.0, Status.MET),
    (CUM, "2026-Q2", {1: 30.0}, None, None, Status.NO_DATA),
    # cumulative, reported per quarter: ytd sums Q1..q
    (CUM_Q, "2026-Q1", {1: 20.0}, 20.0, 20.0, Status.BEHIND),
    (CUM_Q, "2026-Q2", {1: 20.0, 2: 35.0}, 55.0, 55.0, Status.ON_TRACK),
    (CUM_Q, "2026-Q2", {1: 20.0, 2: 20.0}, 40.0, 40.0, Status.BEHIND),
    (CUM_Q, "2026-Q3", {1: 40.0, 3: 40.0}, 80.0, 80.0, Status.ON_TRACK),  # Q2 missing
    (CUM_Q, "2026-Q4", {1: 30.0, 2: 30.0, 3: 30.0, 4: 10.0}, 100.0, 100.0, Status.MET),
    (CUM_Q, "2026-Q3", {1: 40.0, 2: 40.0}, None, None, Status.NO_DATA),
    # cumulative with a plan
    (CUM_PLAN, "2026-Q1", {1: 10.0}, 10.0, 10.0, Status.ON_TRACK),
    (CUM_PLAN, "2026-Q2", {2: 39.0}, 39.0, 39.0, Status.BEHIND),
    # level without baseline: expected is the target itself
    (LEVEL, "2026-Q1", {1: 94.0}, 94.0, 94.0 / 95 * 100, Status.BEHIND),
    (LEVEL, "2026-Q1", {1: 95.0}, 95.0, 100.0, Status.MET),
    # level with baseline
    (LEVEL_BASE, "2026-Q1", {1: 90.0}, 90.0, 90 / 95 * 100, Status.ON_TRACK),
    (LEVEL_BASE, "2026-Q2", {2: 90.0}, 90.0, 90 / 95 * 100, Status.BEHIND),
    (LEVEL_BASE, "2026-Q4", {4: 96.0}, 96.0, 96 / 95 * 100, Status.MET),
    (LEVEL_PLAN, "2026-Q3", {3: 93.0}, 93.0, 93 / 95 * 100, Status.ON_TRACK),
    # decrease: percent = (baseline - v) / (baseline - target)
    (DEC, "2026-Q1", {1: 92.0}, 92.0, 8 / 30 * 100, Status.ON_TRACK),
    (DEC, "2026-Q1", {1: 95.0}, 95.0, 5 / 30 * 100, Status.BEHIND),
    (DEC, "2026-Q2", {2: 70.0}, 70.0, 100.0, Status.MET),
    (DEC, "2026-Q2", {2: 60.0}, 60.0, 40 / 30 * 100, Status.MET),
    (DEC, "2026-Q1", {1: 105.0}, 105.0, -5 / 30 * 100, Status.BEHIND),
    (DEC_PLAN, "2026-Q2", {2: 90.0}, 90.0, 10 / 30 * 100, Status.ON_TRACK),
    (DEC_PLAN, "2026-Q2", {2: 91.0}, 91.0, 9 / 30 * 100, Status.BEHIND),
    (DEC, "2026-Q3", {}, None, None, Status.NO_DATA),
    # milestone: 100 when done, else 0; on track while due is after this quarter
    (MILE, "2026-Q1", {1: True}, None, 100.0, Status.MET),
    (MILE, "2026-Q1", {1: False}, None, 0.0, Status.ON_TRACK),
    (MILE, "2026-Q2", {2: False}, None, 0.0, Status.BEHIND),
    (MILE, "2026-Q3", {3: False}, None, 0.0, Status.BEHIND),
    (MILE, "2026-Q4", {4: True}, None, 100.0, Status.MET),
    (MILE, "2026-Q1", {}, None, None, Status.NO_DATA),
]


@pytest.mark.parametrize(("indicator", "period", "values", "ytd", "percent", "status"), CASES)
def test_evaluate(
    indicator: Indicator,
    period: str,
    values: dict[int, float | bool],
    ytd: float | None,
    percent: float | None,
    status: Status,
) -> None:
    ev = evaluate(indicator, Period.parse(period), {q: E(v) for q, v in values.items()})
    assert ev.status is status
    assert ev.ytd == pytest.approx(ytd) if ytd is not None else ev.ytd is None
    assert ev.percent == pytest.approx(percent) if percent is not None else ev.percent is None


def test_float_noise_does_not_make_a_met_target_behind() -> None:
    quarterly = ind(kind="cumulative", report="quarter", target=0.3)
    ev = evaluate(quarterly, Period(2026, 2), {1: E(0.1), 2: E(0.2)})
    assert ev.status is Status.MET


def test_decrease_uses_the_period_value() -> None:
    # docs/arithmetic.md: decrease compares v (the reported value), not a quarter sum.
    ev = evaluate(DEC_CUM, Period(2026, 2), {1: E(15.0), 2: E(9.0)})
    assert ev.status is Status.MET
    assert ev.percent == pytest.approx((40 - 9) / 20 * 100)


@pytest.mark.parametrize(
    ("indicator", "period", "values", "remaining", "per_quarter", "projection"),
    [
        (CUM, "2026-Q1", {1: 30.0}, 70.0, 70 / 3, 120.0),
        (CUM_Q, "2026-Q2", {1: 20.0, 2: 20.0}, 60.0, 30.0, 80.0),
        (CUM, "2026-Q4", {4: 90.0}, 10.0, None, 90.0),
        (CUM, "2026-Q2", {2: 120.0}, 0.0, None, 240.0),
        (LEVEL_BASE, "2026-Q2", {2: 91.0}, 4.0, 2.0, 95.0),
        (LEVEL, "2026-Q1", {1: 90.0}, 5.0, 5 / 3, 90.0),
        (DEC, "2026-Q1", {1: 95.0}, 25.0, 25 / 3, 80.0),
    ],
)
def test_pace(
    indicator: Indicator,
    period: str,
    values: dict[int, float],
    remaining: float,
    per_quarter: float | None,
    projection: float,
) -> None:
    from chitieu_tui.core.arithmetic import pace

    got = pace(evaluate(indicator, Period.parse(period), {q: E(v) for q, v in values.items()}))
    assert got is not None
    assert got.remaining == pytest.approx(remaining)
    assert got.per_quarter == (pytest.approx(per_quarter) if per_quarter is not None else None)
    assert got.projection == pytest.approx(projection)


def test_no_pace_for_milestones_or_missing_data() -> None:
    from chitieu_tui.core.arithmetic import pace

    assert pace(evaluate(MILE, Period(2026, 1), {1: E(False)})) is None
    assert pace(evaluate(CUM, Period(2026, 1), {})) is None


def test_a_target_not_met_never_shows_100_percent() -> None:
    from chitieu_tui.present import fmt

    ev = evaluate(LEVEL, Period(2026, 1), {1: E(94.9999)})
    assert ev.status is Status.BEHIND
    assert fmt.percent_of(ev) == "99,99%"
    met = evaluate(LEVEL, Period(2026, 1), {1: E(95.0)})
    assert fmt.percent_of(met) == "100%"


def test_infinite_percent_becomes_none() -> None:
    tiny = ind(kind="cumulative", target=1e-300)
    assert evaluate(tiny, Period(2026, 1), {1: E(1e300)}).percent is None


INT_CUM = ind(kind="cumulative", report="quarter", target=30.0, integer=True)
INT_LEVEL = ind(target=1450.0, baseline=1420.0, integer=True)
INT_DEC = ind(direction="decrease", target=70.0, baseline=96.0, integer=True)


@pytest.mark.parametrize(
    ("indicator", "quarter", "expected"),
    [
        (INT_CUM, 1, 8.0),  # 7.5: halves up
        (INT_CUM, 2, 15.0),
        (INT_LEVEL, 1, 1428.0),  # 1427.5
        (INT_LEVEL, 3, 1443.0),  # 1442.5
        (INT_DEC, 1, 90.0),  # 89.5
        (INT_DEC, 3, 77.0),  # 76.5
        (ind(kind="cumulative", target=30.0), 1, 7.5),  # not counted in whole things
    ],
)
def test_an_integer_indicator_expects_whole_numbers(
    indicator: Indicator, quarter: int, expected: float
) -> None:
    assert expected_at(indicator, quarter) == expected


def test_an_integer_indicator_is_judged_against_the_whole_number_shown() -> None:
    # 7.25 is expected, 7 is shown: 7 admitted is on track, as the screen says.
    seven = ind(kind="cumulative", target=29.0, integer=True)
    assert evaluate(seven, Period(2026, 1), {1: E(7.0)}).status is Status.ON_TRACK


def test_what_an_integer_indicator_still_needs_is_rounded_up() -> None:
    from chitieu_tui.core.arithmetic import pace

    got = pace(evaluate(INT_CUM, Period(2026, 1), {1: E(6.0)}))
    assert got is not None
    assert (got.remaining, got.per_quarter, got.per_month) == (24.0, 8.0, 3.0)  # 24/9 = 2.67
    got = pace(evaluate(INT_CUM, Period(2026, 2), {1: E(6.0), 2: E(3.0)}))
    assert got is not None and (got.per_quarter, got.per_month) == (11.0, 4.0)  # 10.5, 3.5
    dec = pace(evaluate(INT_DEC, Period(2026, 1), {1: E(92.0)}))
    assert dec is not None and (dec.remaining, dec.per_quarter) == (22.0, 8.0)  # 7.33
    level = pace(evaluate(INT_LEVEL, Period(2026, 1), {1: E(1425.0)}))
    assert level is not None and level.projection == 1440.0  # 1425 + 5 × 3 = 1440
