"""One headline card: figure, pace bar, target, status and trend of one indicator."""

from __future__ import annotations

from textual.content import Content
from textual.events import Click, Resize
from textual.widget import Widget

from chitieu_tui.core.arithmetic import Evaluation, Status
from chitieu_tui.core.source import View
from chitieu_tui.i18n import t
from chitieu_tui.i18n.vocabulary import TITLE_PREFIXES, TITLE_YEAR
from chitieu_tui.messages import OpenDetail
from chitieu_tui.present.cells import card_detail, card_figure, change_text, is_percentage
from chitieu_tui.present.status import STATUS, colour, label

SPARKS = "▁▂▃▄▅▆▇█"


def short_title(name: str, width: int) -> str:
    """The name shortened to `width` cells: generic opening and year dropped, then whole words."""
    if len(name) <= width:
        return name
    for prefix in TITLE_PREFIXES:
        if name.startswith(prefix) and len(name) > len(prefix):
            rest = name[len(prefix) :]
            name = rest[0].upper() + rest[1:]
            break
    name = TITLE_YEAR.sub("", name)
    if len(name) <= width:
        return name
    words: list[str] = []
    for word in name.split():
        if len(" ".join([*words, word])) + 1 > width:
            break
        words.append(word)
    return (" ".join(words) if words else name[: max(1, width - 1)]) + "…"


def fractions(ev: Evaluation) -> tuple[float, float | None]:
    """(how full the bar is, where the expected-pace mark goes), both 0..1."""
    ind = ev.indicator

    def clamp(x: float) -> float:
        return max(0.0, min(1.0, x))

    fill = clamp((ev.percent or 0.0) / 100)
    if ind.kind == "milestone" or ev.expected is None or not ind.target:
        return fill, None
    if ind.direction == "decrease" and ind.baseline is not None:
        span = ind.baseline - ind.target
        return fill, clamp((ind.baseline - ev.expected) / span) if span else None
    return fill, clamp(ev.expected / ind.target)


def bar(fill: float, mark: float | None, width: int, style: str) -> Content:
    """`████░░│░░░`: filled in the status colour, a mark at the expected pace."""
    if width <= 0:
        return Content("")
    filled = round(fill * width)
    if mark is not None and mark >= 0.999:
        mark = None  # "expected: the whole target" says nothing a full bar does not
    mark_at = None if mark is None else min(width - 1, max(0, round(mark * width) - 1))
    parts: list[tuple[str, str]] = []
    for i in range(width):
        if i == mark_at:
            parts.append(("│", "bold $foreground"))
        elif i < filled:
            parts.append(("█", style))
        else:
            parts.append(("░", "$foreground-muted"))
    return Content.assemble(*parts)


def sparkline(values: list[float]) -> str:
    """`▁▃▅█` over the values (empty when fewer than two)."""
    if len(values) < 2:
        return ""
    lo, hi = min(values), max(values)
    if hi == lo:
        return SPARKS[3] * len(values)
    return "".join(SPARKS[round((v - lo) / (hi - lo) * (len(SPARKS) - 1))] for v in values)


def trend(view: View, indicator_id: str) -> list[float]:
    """The indicator's year-to-date values over the view's history, oldest first."""
    out: list[float] = []
    for board in view.history:
        ev = board.get(indicator_id)
        if ev is not None and ev.figure is not None:
            out.append(ev.figure)
    return out


def year_on_year(view: View, ev: Evaluation) -> float | None:
    """Change of the year-to-date value against the same quarter last year, in percent; for
    an indicator measured in `%`, in percentage points (90% against 83,7%: +6,3)."""
    last = view.last_year()
    old = None if last is None else last.get(ev.indicator.id)
    if old is None or old.ytd is None or ev.ytd is None:
        return None
    if is_percentage(ev.indicator):
        return ev.ytd - old.ytd
    if old.ytd == 0:
        return None
    return (ev.ytd - old.ytd) / abs(old.ytd) * 100


class HeadlineCard(Widget):
    """A bordered card; click it for the indicator's details."""

    DEFAULT_CSS = f"HeadlineCard {{ border: round {colour(Status.NO_DATA)}; }}\n" + "\n".join(
        f"HeadlineCard.-{status.value} {{ border: round {look.colour}; }}"
        for status, look in STATUS.items()
    )
    """The border in the status's colour (from `present.status`)."""

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.evaluation: Evaluation | None = None
        self.values: list[float] = []
        self.change: float | None = None

    def show(self, view: View, ev: Evaluation) -> None:
        """Show `ev`, with its trend over `view.history` (no repaint when all is the same)."""
        values, change = trend(view, ev.indicator.id), year_on_year(view, ev)
        if (ev, values, change) == (self.evaluation, self.values, self.change):
            return
        self.evaluation = ev
        self.values = values
        self.change = change
        for status in Status:
            self.set_class(status is ev.status, f"-{status.value}")
        self._update_title()
        self.refresh()

    def _update_title(self) -> None:
        if self.evaluation is not None:
            room = max(4, self.outer_size.width - 5)
            self.border_title = Content(short_title(self.evaluation.indicator.name, room))

    def on_resize(self, event: Resize) -> None:
        """Shorten the title to the new width."""
        self._update_title()

    def on_click(self, event: Click) -> None:
        """Open the indicator's details."""
        if self.evaluation is not None:
            self.post_message(OpenDetail(self.evaluation.indicator.id))

    def lines(self, width: int, height: int) -> list[Content]:
        """The card's lines for a content area of `width` × `height`."""
        ev = self.evaluation
        if ev is None:
            return []
        style = colour(ev.status)
        fill, mark = fractions(ev)
        status = Content.styled(label(ev.status), f"bold {style}")
        options = card_detail(ev)
        spark = sparkline(self.values)
        trend_line = Content.styled(spark, "$foreground-muted")
        if self.change is not None:
            change = change_text(self.change, points=is_percentage(ev.indicator))
            words = f"{t('yoy')} {change}"
            if len(spark) + 1 + len(words) > width:
                words = change
            trend_line = Content.assemble(trend_line, " " if spark else "", words)
        ranked = [
            (0, Content.styled(card_figure(ev), f"bold {style}")),
            (1, bar(fill, mark, width - 1, style)),
            (3, Content(next((d for d in options if len(d) <= width), options[-1]))),
            (2, status),
            (4, trend_line),
        ]
        keep = sorted(rank for rank, _ in ranked)[: max(0, height)]
        return [line.truncate(width, ellipsis=True) for rank, line in ranked if rank in keep]

    def render(self) -> Content:
        """The lines that fit the card."""
        region = self.content_region
        return Content("\n").join(self.lines(region.width, region.height))
