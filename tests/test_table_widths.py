"""The indicator table's column widths, worked out from the numbers in bulk
(`present.cells.table_widths`), agree with measuring the texts it draws, for every kind of
cell: numbers of every size and sign, `-0`, halves, `%`, milestones, no data, a year without
definitions, values marked for follow-up, in both languages."""

from __future__ import annotations

import random
from pathlib import Path

import msgspec
import pytest
from datadirs import board_of, copy_sample

from chitieu_tui.core.arithmetic import Evaluation, Status
from chitieu_tui.core.model import Entry, Followup
from chitieu_tui.i18n import use
from chitieu_tui.present.cells import TABLE_COLUMNS, number_widths, table_widths
from chitieu_tui.present.fmt import number
from chitieu_tui.widgets.indicator_table import cells
from chitieu_tui.widgets.line_table import width_of

ODD = [
    0.0,
    -0.0,
    -0.001,
    0.004,
    0.005,
    0.015,
    1.0,
    -1.5,
    999.995,
    1000.0,
    1234.5678,
    -98765.4321,
    1e9 + 0.1,
    123456789012.34,
    7.1,
    0.1 + 0.2,
    99.999,
    100.0,
    1e-7,
    -1e-7,
]


def _variants(evs: list[Evaluation]) -> list[Evaluation]:
    """The sample's evaluations, and each numeric one again with odd numbers everywhere."""
    rng = random.Random(23)
    out = list(evs)
    numbers = ODD + [rng.uniform(-1e7, 1e7) for _ in range(200)]
    for n, x in enumerate(numbers):
        ev = evs[n % len(evs)]
        if ev.entry is None or isinstance(ev.entry.value, bool):
            continue
        ind = msgspec.structs.replace(ev.indicator, target=numbers[-n - 1])
        if n % 3 == 0:
            ind = msgspec.structs.replace(ind, unit="%")
        entry = msgspec.structs.replace(ev.entry, value=x)
        if n % 7 == 0:
            entry = msgspec.structs.replace(
                entry, followup=Followup(("outlier",), 1.0, 2.0, 3.0, 4)
            )
        status = (Status.MET, Status.BEHIND, Status.ON_TRACK, Status.UNJUDGED)[n % 4]
        out.append(
            msgspec.structs.replace(
                ev,
                indicator=ind,
                entry=entry,
                ytd=x,
                expected=None if n % 5 == 0 else x / 3,
                percent=None if n % 6 == 0 else 99.996 + x % 3,
                status=status,
            )
        )
    return out


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_widths_agree_with_the_texts(tmp_path: Path, lang: str) -> None:
    use(lang)
    try:
        board = board_of(copy_sample(tmp_path))
        evs = _variants(board.evaluations)
        marked = Entry(value=True, followup=Followup(("ytd_drop",), before=3.0))
        milestone = next(ev for ev in evs if ev.indicator.kind == "milestone")
        evs.append(msgspec.structs.replace(milestone, entry=marked))
        evs.append(msgspec.structs.replace(milestone, entry=None, status=Status.NO_DATA))
        kinds = {ev.indicator.kind for ev in evs}
        assert {"milestone", "cumulative"} <= kinds
        widths = table_widths(evs, width_of)
        for i, ev in enumerate(evs):
            texts = cells(ev)
            got = {col: widths[col][i] for col in TABLE_COLUMNS}
            assert got == {col: width_of(texts[col]) for col in TABLE_COLUMNS}, texts
    finally:
        use("vi")


def test_number_widths_are_those_of_the_numbers() -> None:
    rng = random.Random(5)
    xs = ODD + [rng.uniform(-1e12, 1e12) for _ in range(500)] + [rng.random() for _ in range(500)]
    assert number_widths(xs) == [len(number(x)) for x in xs]


def test_number_widths_of_numbers_that_repeat() -> None:
    """Each distinct number is formatted once (a unit's targets repeat): every repeat gets its
    own width, `-0.0` and `0.0` (one key) both that of `0`, and the order is kept."""
    rng = random.Random(7)
    pool = ODD + [-0.0, 0.0, 0.004, -0.004, 1.0, 1, 999.995, 1234.5]
    xs = [rng.choice(pool) for _ in range(3000)]
    assert len(set(map(repr, xs))) < len(xs)
    assert number_widths(xs) == [len(number(x)) for x in xs]
    assert number_widths([-0.0, 0.0, -0.0]) == [1, 1, 1]
