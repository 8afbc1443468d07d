"""Two lines under the cards: statuses counted, and targets met per field."""

from __future__ import annotations

from textual.content import Content
from textual.widget import Widget

from chitieu_tui.core.arithmetic import Board
from chitieu_tui.present.status import colour
from chitieu_tui.present.summary import SEP, group_parts, summary_parts


class SummaryBar(Widget):
    """`8/20 chỉ tiêu đạt và vượt kế hoạch · 5 đúng tiến độ · …` and `Xây dựng Đảng 3/6 · …`."""

    DEFAULT_CSS = "SummaryBar { height: 2; }"

    def __init__(self, lang: str = "vi", **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.lang = lang
        self.lines: list[Content] = []

    def show(self, board: Board) -> None:
        """Count `board`'s statuses."""
        parts: list[str | tuple[str, str]] = []
        for i, part in enumerate(summary_parts(board, self.lang)):
            if i:
                parts.append(SEP)
            parts.append((part.text, f"{'bold ' if i == 0 else ''}{colour(part.status)}"))
        groups = SEP.join(part.text for part in group_parts(board, self.lang))
        lines = [Content.assemble(*parts), Content.styled(groups, "$foreground-muted")]
        if lines != self.lines:  # no repaint when the counts are the same
            self.lines = lines
            self.refresh()

    def render(self) -> Content:
        """The two lines, indented by one space when there is room, never wrapped."""
        width = self.size.width
        out = []
        for line in self.lines:
            if line.cell_length < width:
                line = Content(" ") + line
            out.append(line.truncate(width, ellipsis=True))
        return Content("\n").join(out)
