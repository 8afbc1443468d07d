"""The basis of each target (the decision or resolution that set it), as the footnote of the
official table (xlsx, docx): `Căn cứ — Tổng thu ngân sách nhà nước: Nghị quyết số …`."""

from __future__ import annotations

from chitieu_tui.core.arithmetic import Board
from chitieu_tui.i18n import t


def basis_lines(board: Board) -> list[str]:
    """One line per indicator with a `basis`, in the table's order; empty when none has one."""
    return [
        t("o.basis_line", name=ev.indicator.name, basis=ev.indicator.basis)
        for ev in board.evaluations
        if ev.indicator.basis
    ]


def basis_title() -> str:
    """The footnote's heading."""
    return t("o.basis_title")
