"""Targets handed down as data (`chitieu targets`): built once, rendered by every format.

Per indicator: the province's target and basis, the sum assigned; per unit assigned ·
adopted (its own definitions) · value this quarter · % of assigned (DESIGN 13).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from chitieu_tui.core.arithmetic import Board
from chitieu_tui.core.collection import Collection, Total
from chitieu_tui.core.model import Indicator, aggregate_of
from chitieu_tui.core.numbers import whole
from chitieu_tui.core.periods import Period
from chitieu_tui.core.targets import (
    Assignment,
    Targets,
    UnitDefs,
    below_assignment,
    missing_assignment,
    reference,
    short_of,
    weaker,
)
from chitieu_tui.i18n import t
from chitieu_tui.present import fmt
from chitieu_tui.present.rollup import BELOW_MARK, MISSING_MARK, PROVINCE_MARK


@dataclass(frozen=True)
class UnitLine:
    """One unit of an assignment."""

    unit: str
    name: str
    assigned: float
    adopted: float | None
    """The unit's own target (None: it does not have the indicator)."""
    basis: str
    """The basis of the unit's own target (its definitions' `basis`)."""
    value: float | None
    """The figure this quarter (year to date; a decrease: the quarter's value)."""
    percent: float | None
    """The value as a share of the target assigned."""
    below: bool
    """Adopted less than assigned (more, for a decrease)."""
    missing: bool
    """The unit does not have the indicator."""

    @property
    def difference(self) -> float | None:
        """Adopted minus assigned (None when the unit does not have it)."""
        return None if self.adopted is None else _tidy(self.adopted - self.assigned)


@dataclass(frozen=True)
class IndicatorBlock:
    """One assigned indicator, its units in the collection's order."""

    id: str
    name: str
    unit: str
    """The unit of measure."""
    aggregate: str
    integer: bool
    target: float | None
    """The province's own target."""
    basis: str
    assigned: float
    """The assignments added up."""
    short: bool
    """Giao thiếu: a sum indicator assigned less than the province's target."""
    units: list[UnitLine] = field(default_factory=list)

    @property
    def difference(self) -> float | None:
        """The sum assigned minus the province's target (None without one, and for an
        indicator not added up across units: a rate's assignments have no sum to compare)."""
        if self.target is None or self.aggregate != "sum":
            return None
        return _tidy(self.assigned - self.target)


@dataclass(frozen=True)
class TargetsTable:
    """Everything `chitieu targets` shows."""

    collection: str
    year: int
    period: str | None
    """The quarter whose values are shown (None: none of that year)."""
    source: str
    """The targets file, as named in messages."""
    indicators: list[IndicatorBlock]


def _tidy(x: float) -> float:
    """A sum or difference without the float noise of adding decimals (`2.730000000000018`)."""
    return round(x, 9)


def percent_of_assigned(ind: Indicator, value: float | None, assigned: float) -> float | None:
    """The value as a share of the target assigned, by the rules of a share of the target
    (docs/arithmetic.md): an increase `v / assigned`; a decrease `(baseline − v) /
    (baseline − assigned)`; None when it cannot be said."""
    if value is None:
        return None
    if ind.direction == "decrease":
        if ind.baseline is None or ind.baseline <= assigned:
            return None
        found = (ind.baseline - value) / (ind.baseline - assigned) * 100
    else:
        if assigned <= 0:
            return None
        found = value / assigned * 100
    return found if math.isfinite(found) else None


def _value(board: Board | None, indicator_id: str, year: int) -> float | None:
    if board is None or board.period.year != year or not board.judged:
        return None
    for ev in board.evaluations:
        if ev.indicator.id == indicator_id:
            return ev.figure
    return None


def build(collection: Collection, targets: Targets, units: Sequence[UnitDefs]) -> TargetsTable:
    """The table of `targets` against the units' own definitions and this quarter's values
    (`collection` loaded; `units` its units for the targets' year, `collection_units`)."""
    boards: dict[str, Board] = {}
    names: dict[str, str] = {}
    for m in collection.units():
        board = m.board
        if board is not None:
            boards.setdefault(board.definitions.unit.id, board)
    for u in units:
        names[u.id] = u.defs.unit.name if u.defs is not None else u.id
    order = {u.id: i for i, u in enumerate(units)}
    blocks = []
    for a in targets.indicators:
        ref = reference(a.id, units)
        if ref is None:
            continue
        blocks.append(_block(a, ref, units, boards, names, order, targets.year))
    period = collection.period
    shown = str(period) if period is not None and period.year == targets.year else None
    return TargetsTable(collection.name, targets.year, shown, targets.where, blocks)


def _block(
    a: Assignment,
    ref: Indicator,
    units: Sequence[UnitDefs],
    boards: dict[str, Board],
    names: dict[str, str],
    order: dict[str, int],
    year: int,
) -> IndicatorBlock:
    by_id = {u.id: u for u in units}
    lines = []
    for key in sorted(a.units, key=lambda k: order.get(k, len(order))):
        assigned = a.units[key]
        u = by_id.get(key)
        own = u.defs.indicator(a.id) if u is not None and u.defs is not None else None
        value = _value(boards.get(key), a.id, year) if own is not None else None
        lines.append(
            UnitLine(
                unit=key,
                name=names.get(key, key),
                assigned=assigned,
                adopted=own.target if own is not None else None,
                basis=own.basis if own is not None else "",
                value=value,
                percent=percent_of_assigned(own or ref, value, assigned),
                below=own is not None
                and own.target is not None
                and weaker(own, own.target, assigned),
                missing=own is None,
            )
        )
    how = aggregate_of(ref)
    return IndicatorBlock(
        id=a.id,
        name=ref.name,
        unit=ref.unit,
        aggregate=how,
        integer=ref.integer,
        target=a.target,
        basis=a.basis,
        assigned=_tidy(a.assigned_sum),
        short=short_of(a, how),
        units=lines,
    )


# -- as JSON (docs/formats.md) --


def to_json(table: TargetsTable) -> dict[str, Any]:
    """`{"collection", "year", "period", "source", "indicators": [...]}`."""
    return {
        "collection": {"name": table.collection},
        "year": table.year,
        "period": table.period,
        "source": table.source,
        "indicators": [_block_json(b) for b in table.indicators],
    }


def _block_json(b: IndicatorBlock) -> dict[str, Any]:
    n = b.integer
    return {
        "id": b.id,
        "name": b.name,
        "unit": b.unit,
        "aggregate": b.aggregate,
        "target": whole(b.target, n),
        "basis": b.basis,
        "assigned": whole(b.assigned, n),
        "difference": whole(b.difference, n),
        "short": b.short,
        "units": [
            {
                "unit": u.unit,
                "name": u.name,
                "assigned": whole(u.assigned, n),
                "adopted": whole(u.adopted, n),
                "difference": whole(u.difference, n),
                "basis": u.basis,
                "value": whole(u.value, n),
                "percent_of_assigned": fmt.round2(u.percent),
                "below": u.below,
                "missing": u.missing,
            }
            for u in b.units
        ],
    }


# -- as words (table, Markdown, csv-excel, xlsx) --

COLUMNS = ("name", "unit", "province", "assigned", "adopted", "value", "percent", "basis")
"""The columns of the table, in order."""
NUMBER_COLUMNS = ("province", "assigned", "adopted", "value")
_BLANK = {"indicator": ("adopted", "value", "percent"), "unit": ("province", "unit")}
"""The cells left empty in each kind of row."""
_HEADS = {
    "name": "tg.col_name",
    "unit": "tg.col_unit",
    "province": "tg.col_province",
    "assigned": "tg.col_assigned",
    "adopted": "tg.col_adopted",
    "value": "tg.col_value",
    "percent": "tg.col_percent",
    "basis": "tg.col_basis",
}


def headers() -> list[str]:
    """The column headings in the reader's language."""
    return [t(_HEADS[c]) for c in COLUMNS]


def title(table: TargetsTable) -> str:
    """`Chỉ tiêu giao năm 2026 — Tỉnh An Giang (minh họa)`."""
    return t("tg.title", year=table.year, name=table.collection)


def provenance(table: TargetsTable) -> list[tuple[str, str]]:
    """Where the figures come from: the targets file, the quarter of the values."""
    quarter = t("tg.no_quarter") if table.period is None else _period_label(table.period)
    return [(t("o.source"), table.source), (t("tg.values_of"), quarter)]


def _period_label(text: str) -> str:
    return Period.parse(text).label()


def mark(line: UnitLine) -> str:
    """What is wrong with a unit's own target, in words (empty when nothing)."""
    if line.missing:
        return t("tg.missing")
    if line.below:
        return t("tg.below")
    return ""


def rows(table: TargetsTable) -> list[tuple[str, dict[str, Any]]]:
    """The rows as cells by column (numbers as numbers, None for none), each tagged
    `indicator` or `unit`; for every format to word or place as it does."""
    out: list[tuple[str, dict[str, Any]]] = []
    for b in table.indicators:
        n = b.integer
        name = b.name + (f" ({t('tg.short')})" if b.short else "")
        out.append(
            (
                "indicator",
                {
                    "name": name,
                    "unit": b.unit,
                    "province": whole(b.target, n),
                    "assigned": whole(b.assigned, n) if b.aggregate == "sum" else None,
                    "adopted": None,
                    "value": None,
                    "percent": None,
                    "basis": b.basis,
                },
            )
        )
        for u in b.units:
            flag = mark(u)
            adopted: Any = whole(u.adopted, n)
            out.append(
                (
                    "unit",
                    {
                        "name": u.name,
                        "unit": "",
                        "province": None,
                        "assigned": whole(u.assigned, n),
                        "adopted": adopted,
                        "value": whole(u.value, n),
                        "percent": u.percent,
                        "basis": u.basis + (f" ({flag})" if flag and u.basis else flag),
                    },
                )
            )
    return out


def text_rows(table: TargetsTable) -> list[list[str]]:
    """The rows as text (numbers as the reader writes them; a unit's name indented)."""
    found = []
    for kind, cells in rows(table):
        row = []
        for c in COLUMNS:
            value = cells[c]
            if c in _BLANK[kind]:
                row.append("")
            elif c in NUMBER_COLUMNS:
                row.append(fmt.number(value))
            elif c == "percent":
                row.append(fmt.percent(value))
            elif c == "name" and kind == "unit":
                row.append("  " + value)
            else:
                row.append(value)
        found.append(row)
    return found


__all__ = [
    "COLUMNS",
    "IndicatorBlock",
    "TargetsTable",
    "UnitLine",
    "build",
    "headers",
    "percent_of_assigned",
    "rollup_note",
    "provenance",
    "rows",
    "text_rows",
    "title",
    "to_json",
]


# -- in the roll-up (the totals row against the province's target, units below it) --


def rollup_note(collection: Collection, totals: Sequence[Total]) -> str:
    """What the roll-up's marks of the targets handed down mean, and which units adopted
    less than assigned; empty without an assignment."""
    targets = collection.targets
    if targets is None:
        return ""
    lines: list[str] = []
    if any(x.province is not None for x in totals):
        lines.append(t("rollup.province_note", mark=PROVINCE_MARK, file=targets.where))
    below: list[str] = []
    for board in collection.boards():
        for iid, (adopted, assigned) in below_assignment(targets, board.definitions).items():
            ind = board.definitions.indicator(iid)
            below.append(
                t(
                    "rollup.below_unit",
                    name=board.definitions.unit.name,
                    indicator=ind.name if ind is not None else iid,
                    adopted=fmt.number(adopted),
                    assigned=fmt.number(assigned),
                )
            )
    if below:
        lines.append(t("rollup.below_note", mark=BELOW_MARK, units=_capped(below)))
    lacking: list[str] = []
    for board in collection.boards():
        for iid, assigned in missing_assignment(targets, board.definitions).items():
            ref = reference(iid, units_of(collection, targets.year))
            lacking.append(
                t(
                    "rollup.missing_unit",
                    name=board.definitions.unit.name,
                    indicator=ref.name if ref is not None else iid,
                    assigned=fmt.number(assigned),
                )
            )
    if lacking:
        lines.append(t("rollup.missing_note", mark=MISSING_MARK, units=_capped(lacking)))
    return "\n".join(lines)


NOTE_SHOWN = 4
"""Cases a roll-up note names before "and N more": a province where hundreds of units
adopted less than assigned had a note that pushed the scorecard off the screen."""


def _capped(cases: list[str]) -> str:
    shown = "; ".join(cases[:NOTE_SHOWN])
    if len(cases) > NOTE_SHOWN:
        return t("rollup.more_cases", shown=shown, n=fmt.number(len(cases) - NOTE_SHOWN))
    return shown


def units_of(collection: Collection, year: int) -> list[UnitDefs]:
    """The collection's units for `year`, from the boards read (no file is read again)."""
    return [
        UnitDefs(b.definitions.unit.id, "", b.definitions)
        for b in collection.boards()
        if b.definitions.unit.year == year
    ]
