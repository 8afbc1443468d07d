"""The history's boards evaluate an indicator when it is asked for (`Board.get`), all of them
only when their evaluations or summary are used; the board shown is evaluated while the view
is built (in the loading thread, not on the screen's)."""

from __future__ import annotations

from pathlib import Path

from chitieu_tui.core.arithmetic import Board, summarize
from chitieu_tui.core.filesource import FileSource
from tests.datadirs import copy_sample


def _evaluated(board: Board) -> bool:
    return "evaluations" in board.__dict__


def test_the_shown_board_is_evaluated_the_history_only_when_asked(tmp_path: Path) -> None:
    view = FileSource(copy_sample(tmp_path)).load(None)
    assert _evaluated(view.board) and "summary" in view.board.__dict__
    earlier = [b for b in view.history if b is not view.board]
    assert len(earlier) >= 3  # the sample has a year and more of quarters
    assert not any(_evaluated(b) for b in earlier)


def test_a_lazy_board_gives_what_an_evaluated_one_gives(tmp_path: Path) -> None:
    view = FileSource(copy_sample(tmp_path)).load(None)
    for board in view.history:
        ids = [ind.id for ind in board.definitions.indicators]
        asked = {i: board.get(i) for i in ids[::2]}  # some, one by one, before all
        assert board.get("no-such-indicator") is None
        fresh = Board(board.definitions, board.period, board.progress, board.judged, board.quarters)
        assert board.evaluations == fresh.evaluations
        assert [ev.indicator.id for ev in board.evaluations] == ids
        for i, ev in asked.items():  # the same objects, before and after
            assert ev is not None
            assert board.get(i) is ev
            assert ev in board.evaluations
        assert board.summary == summarize(board.definitions, fresh.evaluations)
        assert all(board.get(i) is ev for i, ev in zip(ids, board.evaluations, strict=True))
