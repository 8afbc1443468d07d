"""A board's evaluations, made in one pass (`Board.evaluations`: the period's value looked
up once, the year's quarters summed only for a cumulative reported per quarter), are those
that evaluating each indicator from all its year's values gives (`Board._one`), judged and
unjudged, in every quarter of the sample."""

from __future__ import annotations

from pathlib import Path

import pytest
from datadirs import board_of, copy_sample

from chitieu_tui.core.arithmetic import Board
from chitieu_tui.core.periods import Period


@pytest.mark.parametrize("quarter", [1, 2, 3, 4])
def test_one_pass_gives_what_each_indicator_alone_gives(tmp_path: Path, quarter: int) -> None:
    board = board_of(copy_sample(tmp_path), Period(2026, quarter))
    kinds = {(ind.kind, ind.report) for ind in board.definitions.indicators}
    assert ("cumulative", "quarter") in kinds and len(kinds) > 1
    for judged in (True, False):
        again = Board(board.definitions, board.period, board.progress, judged, board.quarters)
        alone = [again._one(ind) for ind in board.definitions.indicators]
        assert (
            Board(
                board.definitions, board.period, board.progress, judged, board.quarters
            ).evaluations
            == alone
        )
