"""The year's path drawn: `present.path` lays it out, this widget only colours it."""

from __future__ import annotations

import sys

from textual.content import Content
from textual.geometry import Size
from textual.widget import Widget

from chitieu_tui.i18n import t
from chitieu_tui.present.path import Role, YearPath, legend, raster, table_rows
from chitieu_tui.present.status import colour

CHART_ROWS = (9, 16)
"""The plot's height in lines (with the quarters' line under it): half the terminal's
height within these bounds (11 at 80×24, 16 from 100×34)."""

STYLES: dict[Role, str] = {
    "plan": "$foreground",
    "last": "$foreground-muted",
    "projection": "$primary",
    "target": "bold $foreground",
    "axis": "$foreground-muted",
}
"""Each series's colour, a theme variable (16-colour themes map them to the terminal's own);
the actual path takes its status's colour."""


def draws_unicode() -> bool:
    """True when the terminal's encoding can show the chart's lines (else ASCII)."""
    encoding = getattr(sys.__stdout__, "encoding", None) or "ascii"
    try:
        "●━╌┤".encode(encoding)
    except (UnicodeEncodeError, LookupError):
        return False
    return True


class PathChart(Widget):
    """The chart, its legend, and on an ASCII terminal the same numbers as a small table."""

    DEFAULT_CSS = "PathChart { height: auto; margin-bottom: 1; }"

    def __init__(self, path: YearPath | None = None, ascii_only: bool | None = None, **kw: str):
        super().__init__(**kw)  # type: ignore[arg-type]
        self.path = path
        self.ascii_only = (not draws_unicode()) if ascii_only is None else ascii_only

    def show(self, path: YearPath | None) -> None:
        """Draw `path` (None: say why there is nothing to draw)."""
        if path != self.path:
            self.path = path
            self.refresh(layout=True)

    def style(self, role: Role | None) -> str:
        if role is None:
            return ""
        if role == "actual":
            return f"bold {colour(self.path.status)}" if self.path is not None else ""
        return STYLES[role]

    def lines(self, width: int) -> list[Content]:
        """Every line for `width` columns."""
        path = self.path
        if path is None:
            return [Content.styled(t("path.none"), "$foreground-muted")]
        out = [Content.styled(t("path.title"), "bold")]
        low, high = CHART_ROWS
        rows = min(max(self.app.size.height // 2 - 1, low), high)
        for row in raster(path, width, rows, self.ascii_only):
            parts: list[tuple[str, str] | str] = []
            for char, role in row:
                parts.append((char, self.style(role)) if role else char)
            out.append(Content.assemble(*parts).rstrip())
        pieces: list[Content] = []
        for role, words in legend(path, self.ascii_only):
            mark, _, rest = words.partition(" ")
            pieces.append(Content.assemble((mark, self.style(role)), " ", rest))
        out.extend(_wrap(pieces, width))
        if self.ascii_only:
            rows = table_rows(path)
            widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
            for r in rows:
                cells = [r[0].ljust(widths[0])] + [
                    c.rjust(w) for c, w in zip(r[1:], widths[1:], strict=True)
                ]
                out.append(Content("  ".join(cells)))
        return [line.truncate(width) for line in out]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))

    def render(self) -> Content:
        return Content("\n").join(self.lines(self.content_region.width or 80))


def _wrap(pieces: list[Content], width: int, gap: str = "   ") -> list[Content]:
    """Legend entries side by side, a new line when the next does not fit."""
    lines: list[Content] = []
    line = Content("")
    for piece in pieces:
        if line.cell_length and line.cell_length + len(gap) + piece.cell_length > width:
            lines.append(line)
            line = Content("")
        line = Content.assemble(line, gap, piece) if line.cell_length else piece
    if line.cell_length:
        lines.append(line)
    return lines
