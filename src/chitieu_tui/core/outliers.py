"""Outliers from a unit's own history (DESIGN section 15, last bullet) and the follow-up mark.

A value entered is judged against the same indicator's earlier quarters in the unit's own
files (progress files, else the snapshot archive; every year the folder holds):

- **its quarterly value** is the quarter's own movement: for a `cumulative` reported per
  quarter (`report = "quarter"`) the value as entered; for a `cumulative` reported year to
  date (`report = "ytd"`, the default) the quarter's increase, the value minus the same
  year's previous quarter's (Q1: the value itself); for a `level` (a rate or a stock) its
  change from the quarter before (across a year's end too). None when the quarter before
  has no value (nothing to judge then). A level is judged by its change, not its height,
  so that a stock growing steadily (party members, households) is in line however far it
  has moved from its old mean, and a slip of a digit is not. Milestones are never judged.
- **outlier**: at least `MIN_HISTORY` earlier quarterly values (of the latest `WINDOW`
  quarters before the one entered), and the quarterly value further than `k` standard
  deviations from their mean: `|x − mean| > k·σ`, σ the population standard deviation.
  Computed exactly (fractions, no rounding), so a value exactly `k·σ` away is not an
  outlier. When σ is 0 (every earlier quarter the same) the rule is skipped: a history
  without spread says nothing of what is far (a ward at 100% every quarter that enters
  99.5 is not alarmed; the bounds and the 5× check still hold).
- **ytd drop**: a cumulative's year to date lower than the same year's previous quarter's
  (for `report = "ytd"`: the value below the previous quarter's value; for `report =
  "quarter"`: a negative quarter).

Quarters in which the indicator was defined with another kind or report (that year's own
definitions) are left out: their values mean something else.

A value judged so is refused unless confirmed; confirmed, it is written with a mark
(`followup`, model.Followup) that `chitieu followup` lists until it is cleared with a note.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from chitieu_tui.core.errors import EntryError
from chitieu_tui.core.model import Followup, Indicator
from chitieu_tui.core.numbers import Num
from chitieu_tui.core.periods import Period
from chitieu_tui.core.text import clean
from chitieu_tui.i18n import Msg

OUTLIER_K = 3.0
"""The default `[dashboard] outlier_k`."""
MIN_HISTORY = 4
"""The fewest earlier quarterly values an outlier is judged from."""
WINDOW = 20
"""The most earlier quarters looked at (five years)."""
WHY = ("outlier", "ytd_drop")
"""The reasons a mark may give, in the order they are said."""


@dataclass(frozen=True, slots=True)
class Spread:
    """`x` against earlier values: their mean, σ, and whether `x` is further than k·σ."""

    far: bool
    mean: float
    sd: float


def spread(history: Sequence[float], x: float, k: float) -> Spread:
    """Whether `x` lies further than `k` population standard deviations from the mean of
    `history` (non-empty), exactly: `(x − mean)² > k²·var` over fractions. σ = 0: never
    far."""
    xs = [Fraction(v) for v in history]
    n = len(xs)
    mean = sum(xs, Fraction(0)) / n
    var = sum(((v - mean) ** 2 for v in xs), Fraction(0)) / n
    kk = Fraction(k)
    far = var > 0 and (Fraction(x) - mean) ** 2 > kk * kk * var
    return Spread(far, float(mean), math.sqrt(var))


def comparable(now: Indicator, then: Indicator | None) -> bool:
    """True when a value of `then` (an earlier year's definition) means what `now`'s does."""
    if then is None or then.kind != now.kind or now.kind == "milestone":
        return False
    return now.kind != "cumulative" or then.report == now.report


def quarterly(
    ind: Indicator, period: Period, value: float, stored: Mapping[Period, float]
) -> float | None:
    """The quarter's own figure for `value` entered for `period` (the module's definition);
    `stored`: the values entered for earlier quarters (the one before, for a change)."""
    if ind.kind == "cumulative" and (ind.report == "quarter" or period.quarter == 1):
        return value
    before = stored.get(period.prev())
    return None if before is None else value - before


def quarterly_series(ind: Indicator, period: Period, stored: Mapping[Period, float]) -> list[float]:
    """The quarterly values of the latest `WINDOW` quarters before `period` that have one,
    oldest first."""
    out: list[float] = []
    earlier = sorted(p for p in stored if p < period)[-WINDOW:]
    for p in earlier:
        q = quarterly(ind, p, stored[p], stored)
        if q is not None:
            out.append(q)
    return out


def judge(
    ind: Indicator,
    period: Period,
    value: float | bool,
    stored: Mapping[Period, float],
    k: float = OUTLIER_K,
) -> Followup | None:
    """The mark `value` entered for `period` would carry, or None when it is not judged
    out of line. `stored`: the indicator's values of earlier quarters (comparable ones
    only, `comparable`)."""
    if isinstance(value, bool) or ind.kind == "milestone":
        return None
    why: list[str] = []
    mean = sd = increase = None
    count = None
    x = quarterly(ind, period, value, stored)
    history = quarterly_series(ind, period, stored)
    if x is not None and len(history) >= MIN_HISTORY:
        found = spread(history, x, k)
        if found.far:
            why.append("outlier")
            mean, sd, count = found.mean, found.sd, len(history)
            increase = x if x != value else None
    before: float | None = None
    if ind.kind == "cumulative" and period.quarter > 1:
        if ind.report == "quarter":
            if value < 0:
                why.append("ytd_drop")
        else:
            prev = stored.get(period.prev())
            if prev is not None and value < prev:
                why.append("ytd_drop")
                before = prev
    if not why:
        return None
    return Followup(
        tuple(why),
        mean=mean,
        sd=sd,
        k=k if "outlier" in why else None,
        count=count,
        before=before,
        quarterly=increase,
    )


class OutlierError(EntryError):
    """A value out of line with the unit's own history: written only when confirmed (then
    with a follow-up mark). `mark`: what it would carry (None when the refusal came from a
    server, in its words)."""

    def __init__(self, msg: Msg, mark: Followup | None = None) -> None:
        super().__init__(msg)
        self.mark = mark


def outlier_error(indicator_id: str, value: float | bool, mark: Followup) -> OutlierError:
    """The refusal of `value` for `indicator_id`, with the mark it would carry."""
    return OutlierError(why_msg(indicator_id, value, mark), mark)


def _short(x: float | None) -> float:
    """A mean or σ as a message shows it: four significant digits."""
    return float(f"{x:.4g}") if x is not None else 0.0


def reasons(mark: Followup) -> Msg:
    """Why a value is marked, with the numbers (`far from the mean 31,2 of 8 quarters …`)."""
    parts: list[Msg] = []
    if "outlier" in mark.why:
        key = "outlier.why.outlier" if mark.quarterly is None else "outlier.why.increase"
        parts.append(
            Msg(
                key,
                x=Num(mark.quarterly if mark.quarterly is not None else 0.0),
                mean=Num(_short(mark.mean)),
                sd=Num(_short(mark.sd)),
                k=Num(mark.k if mark.k is not None else OUTLIER_K),
                n=mark.count or 0,
            )
        )
    if "ytd_drop" in mark.why:
        if mark.before is not None:
            parts.append(Msg("outlier.why.ytd_drop", before=Num(mark.before)))
        else:
            parts.append(Msg("outlier.why.negative_quarter"))
    said = parts[0]
    for more in parts[1:]:
        said = Msg("outlier.and", first=said, second=more)
    return said


def why_msg(indicator_id: str, value: float | bool, mark: Followup) -> Msg:
    """`"thu-ngan-sach": 320 is out of line with …` with each reason and its numbers."""
    shown: Msg | Num = Msg("done") if isinstance(value, bool) else Num(value)
    return Msg("err.entry.outlier", id=clean(indicator_id), value=shown, why=reasons(mark))


_MARK_KEYS = {"why", "mean", "sd", "k", "count", "before", "quarterly"}


def _number(raw: Any) -> float | None | str:
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
        return "bad"
    return float(raw)


def followup_from_raw(raw: Any) -> Followup | Msg:
    """A value's `followup` table (`why`, a list of `outlier` / `ytd_drop`; `mean`, `sd`,
    `k`, `count`, `before` optional numbers), or what is wrong with it."""
    if not isinstance(raw, dict):
        return Msg("err.followup.table")
    extra = set(raw) - _MARK_KEYS
    if extra:
        return Msg("err.followup.unknown_key", field=clean(sorted(extra)[0]))
    why = raw.get("why")
    if (
        not isinstance(why, list)
        or not why
        or any(w not in WHY for w in why)
        or len(set(why)) != len(why)
    ):
        return Msg("err.followup.why")
    numbers: dict[str, float | None] = {}
    for key in ("mean", "sd", "k", "before", "quarterly"):
        got = _number(raw.get(key))
        if isinstance(got, str):
            return Msg("err.followup.number", field=key)
        numbers[key] = got
    count = raw.get("count")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 0):
        return Msg("err.followup.number", field="count")
    ordered = tuple(w for w in WHY if w in why)
    return Followup(ordered, count=count, **numbers)


def followup_to_toml(mark: Followup) -> dict[str, Any]:
    """The `followup` table as stored (absent numbers left out; whole numbers as ints)."""
    out: dict[str, Any] = {"why": list(mark.why)}
    for key in ("mean", "sd", "k", "count", "before", "quarterly"):
        value = getattr(mark, key)
        if value is None:
            continue
        if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
            value = int(value)
        out[key] = value
    return out
