"""The top line: unit and period on the left, source and freshness on the right."""

from __future__ import annotations

import datetime as dt

from textual.content import Content
from textual.widget import Widget

from chitieu_tui.core.source import View
from chitieu_tui.i18n import t
from chitieu_tui.present.origin import source_text
from chitieu_tui.present.time import age_since, clock_text, date_text


class HeaderBar(Widget):
    """`Phường Mỹ Thới · Quý I/2026 … nguồn: config/ · 08:30 ✓`."""

    DEFAULT_CSS = "HeaderBar { height: 1; }"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.left = Content("chitieu")
        self.right = Content("")
        self.shorter: list[Content] = []
        """Shorter forms of the right part, for narrow terminals (the date stays whole)."""

    def show(
        self,
        view: View,
        now: dt.datetime,
        checked_at: dt.datetime | None = None,
        failing: bool = False,
    ) -> None:
        """Describe `view`; `now` (aware) gives the time zone and the age of stale data.

        `failing`: the last reload failed, so the figures shown are the last good ones.
        """
        board = view.board
        left: list[tuple[str, str] | str] = [
            (board.definitions.unit.name, "bold"),
            " · ",
            (board.period.label(), "bold $accent"),
        ]
        if board.progress is None:
            left.extend([" · ", (t("no_progress"), "italic $warning")])
        elif board.progress.as_of is not None:
            as_of = date_text(board.progress.as_of)
            left.extend([" · ", (t("as_of", date=as_of), "$foreground-muted")])
        self.left = Content.assemble(*left)
        loaded = clock_text(checked_at or view.loaded_at, now.tzinfo)
        closed: list[tuple[str, str] | str] = []
        progress = board.progress
        if progress is not None and progress.returned is not None and progress.closed is None:
            back = t("state.returned_reason", reason=progress.returned.reason)
            closed = [(back, "bold $error"), " · "]  # the ward sees why, first
        if progress is not None and progress.closed is not None:
            # closed is submitted (DESIGN section 12: *đã nộp*), then approved
            word = "state.approved" if progress.closed.approved is not None else "state.submitted"
            closed = [(t(word), "bold $warning"), " · "]  # kept first, always
            # lazy: the digest chain (hashlib, json, the journal), only for a closed quarter
            from chitieu_tui.core.chain import MARK_KEYS, tamper_mark

            mark = tamper_mark(board.progress)  # values unlike the digest closing recorded
            if mark is not None:
                closed[1:1] = [" ", (f"⚠ {t(MARK_KEYS[mark])}", "bold $error")]
        label: list[tuple[str, str] | str] = [f"{t('source')}: "]
        where: list[tuple[str, str] | str] = [source_text(view), " · "]
        parts: list[tuple[str, str] | str] = []
        if failing and not view.stale:
            parts.append((f"{t('failing')} · {loaded} ⚠", "bold $warning"))
        elif view.stale:
            since = view.stale_since or view.loaded_at
            parts.append((f"{t('offline')} · {age_since(since, now)} ⚠", "bold $warning"))
        else:
            parts.extend([loaded, " ", ("✓", "bold $success")])
        tail: list[tuple[str, str] | str] = []
        if view.read_only:
            tail = [" · ", (t("read_only"), "$foreground-muted")]
        self.right = Content.assemble(*closed, *label, *where, *parts, *tail)
        self.shorter = [
            Content.assemble(*closed, *where, *parts, *tail),
            Content.assemble(*closed, *parts, *tail),
            Content.assemble(*closed, *parts),
            Content.assemble(*closed, *parts[-1:]),
        ]
        self.refresh()

    def render(self) -> Content:
        """Left and right parts on one line; the left is cut first when it is narrow."""
        width = self.size.width
        right = self.right
        for shorter in self.shorter:  # the left part (unit, quarter, date) goes whole first
            if self.left.cell_length + right.cell_length + 3 <= width:
                break
            right = shorter
        if right.cell_length > width - 12:
            right = right.truncate(max(0, width - 12), ellipsis=True)
        room = max(0, width - right.cell_length - 2)
        left = self.left.truncate(room, ellipsis=True)
        gap = max(1, width - left.cell_length - right.cell_length - 1)
        return Content.assemble(" ", left, " " * gap, right)
