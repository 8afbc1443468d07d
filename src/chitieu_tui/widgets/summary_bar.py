"""Two lines under the cards: statuses counted, and targets met per field."""

from __future__ import annotations

from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget

from chitieu_tui.core.alerts import marked
from chitieu_tui.core.arithmetic import Board
from chitieu_tui.core.rules import board_results
from chitieu_tui.i18n import t
from chitieu_tui.present import fmt
from chitieu_tui.present.followup import count_text
from chitieu_tui.present.rules import broken_count
from chitieu_tui.present.status import colour
from chitieu_tui.present.summary import SEP, group_parts, summary_parts


class SummaryBar(Widget):
    """`8/20 chỉ tiêu đạt và vượt kế hoạch · 5 đúng tiến độ · …` and `Xây dựng Đảng 3/6 · …`."""

    DEFAULT_CSS = "SummaryBar { height: auto; }"

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.lines: list[list[Content]] = []
        """Each line as its parts (joined by ` · `, wrapped between parts when narrow)."""
        self._wraps: tuple[int, list[list[Content]], list[Content]] | None = None
        """The last `_wrapped`: its width, the lines it wrapped and the result (layout and
        render ask for the same width: a unit of 1,000 fields has 1,000 parts to join)."""

    def show(self, board: Board) -> None:
        """Count `board`'s statuses."""
        first = [
            Content.styled(part.text, f"{'bold ' if i == 0 else ''}{colour(part.status)}")
            for i, part in enumerate(summary_parts(board))
        ]
        rules_broken = broken_count(board_results(board))  # DESIGN section 15
        if rules_broken:
            first.append(Content.styled(rules_broken, "bold $error"))
        to_follow = count_text(len(marked(board)))  # values marked for follow-up
        if to_follow:
            first.append(Content.styled(to_follow, "bold $warning"))
        groups = [Content.styled(part.text, "$foreground-muted") for part in group_parts(board)]
        lines = [first, groups]
        if lines != self.lines:  # no repaint when the counts are the same
            self.lines = lines
            self.refresh(layout=True)

    def render(self) -> Content:
        """The lines, indented by one space, wrapped between parts when the terminal is
        narrow (a part itself is cut only when it alone is wider than the terminal)."""
        return Content("\n").join(self._wrapped(self.size.width))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """As many lines as the wrapped parts need at `width`."""
        return len(self._wrapped(width))

    def _wrapped(self, width: int) -> list[Content]:
        width = max(1, width)
        known = self._wraps
        if known is not None and known[0] == width and known[1] is self.lines:
            return known[2]
        wrapped = self._wrap(width)
        self._wraps = (width, self.lines, wrapped)
        return wrapped

    def _wrap(self, width: int) -> list[Content]:
        out: list[Content] = []
        for n, parts in enumerate(self.lines):
            lines = _fill(parts, width)
            if n == 1 and len(lines) > FIELD_LINES:
                lines = _cut(lines, width)
            out += [Content(SEP).join(line) for line in lines]
        return [
            (Content(" ") + line if line.cell_length < width else line).truncate(
                width, ellipsis=True
            )
            for line in out
        ]


FIELD_LINES = 3
"""At most this many lines of targets met per field; past them the rest is counted (a unit
of 1,000 fields would leave its table no room on screen; each field's count is also its
heading in the table)."""
_SEP_CELLS = len(SEP)


def _fill(parts: list[Content], width: int) -> list[list[Content]]:
    """`parts` in lines of at most `width` cells (joined by ` · `; a part alone may be wider)."""
    lines: list[list[Content]] = [[]]
    used = 0
    for part in parts:
        cells = part.cell_length
        if lines[-1] and used + _SEP_CELLS + cells > width:
            lines.append([])
            used = 0
        used += (_SEP_CELLS if lines[-1] else 0) + cells
        lines[-1].append(part)
    return lines


def _cut(lines: list[list[Content]], width: int) -> list[list[Content]]:
    """The first `FIELD_LINES` lines, the last ending with how many fields are left out."""
    kept = [list(line) for line in lines[:FIELD_LINES]]
    left = sum(len(line) for line in lines[FIELD_LINES:])
    last = kept[-1]
    while True:
        more = Content.styled(t("summary.more_fields", n=fmt.number(left)), "$foreground-muted")
        cells = sum(p.cell_length for p in last) + _SEP_CELLS * len(last) + more.cell_length
        if cells < width or len(last) <= 1:  # with its indent
            break
        last.pop()
        left += 1
    last.append(more)
    return kept
