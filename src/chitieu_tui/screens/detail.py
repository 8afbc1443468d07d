"""One indicator in full: definition, this quarter, history by quarter and provenance."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from functools import partial

from rich.console import Group, JustifyMethod, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from chitieu_tui.core import rules
from chitieu_tui.core.arithmetic import Board, Evaluation, Status, pace
from chitieu_tui.core.datadir import DataDir
from chitieu_tui.core.errors import ChitieuError
from chitieu_tui.core.journal import Change, JournalSource
from chitieu_tui.core.periods import Period
from chitieu_tui.core.source import Source, View
from chitieu_tui.core.targets import Assignment, HandsDown, handed_down
from chitieu_tui.i18n import t
from chitieu_tui.present import fmt
from chitieu_tui.present import followup as present_followup
from chitieu_tui.present import rules as present_rules
from chitieu_tui.present.cells import due_period, quantity
from chitieu_tui.present.journal import change_line, closed_text, entered_text
from chitieu_tui.present.origin import origin_text, source_text
from chitieu_tui.present.path import YearPath, year_path
from chitieu_tui.present.status import label
from chitieu_tui.present.time import date_text, datetime_text
from chitieu_tui.screens.localized import LocalizedBindings
from chitieu_tui.widgets.path_chart import PathChart
from chitieu_tui.widgets.status_table import status_class, status_classes, status_css

YEAR_HISTORY = 8
"""Quarters read for the year's path: this year's and all of last year's (at Q4: 8)."""


def _value(ev: Evaluation, x: float | bool | None) -> str:
    return quantity(x, ev.indicator.unit)


class DetailScreen(LocalizedBindings, ModalScreen[None]):
    """Escape closes it."""

    BINDINGS = [Binding("escape", "dismiss", "close", key_display="Esc")]
    COMPONENT_CLASSES = status_classes("detail")
    DEFAULT_CSS = status_css("DetailScreen", "detail")
    """The status's colour, resolved by Textual like every other colour (a theme of the
    terminal's 16 colours names them `ansi_blue`, no `#rrggbb` to cut)."""

    def __init__(self, view: View, indicator_id: str, source: Source | None = None) -> None:
        super().__init__()
        self.view = view
        self.indicator_id = indicator_id
        self.source = source
        """Where the journal is read from (a JournalSource), if anywhere."""
        self.handed: tuple[Assignment, float] | None = None
        """What the province assigned this indicator to the unit (issue 21), once read."""

    def compose(self) -> ComposeResult:
        """A scrollable panel and the footer."""
        with VerticalScroll(id="detail"):
            yield PathChart(self.path(self.view.history), id="detail-path")
            yield Static(self.body(), id="detail-body", markup=False)
            yield Static(Text(""), id="detail-journal", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        """Title the panel with the indicator's name (as plain text); read the journal."""
        ev = self.view.board.get(self.indicator_id)
        if ev is not None:
            self.query_one("#detail").border_title = Text(ev.indicator.name)
        if isinstance(self.source, JournalSource):
            self.query_one("#detail-journal", Static).update(
                Text(t("d_journal_loading"), style="dim")
            )
            self._read_journal(self.source)
        data = getattr(self.source, "data", None)  # a data folder: its collection's targets
        year, iid = self.view.period.year, self.indicator_id
        if isinstance(data, DataDir) and self.view.board.judged:
            self._read_handed(lambda: asyncio.to_thread(handed_down, data.root, year, iid))
        elif isinstance(self.source, HandsDown) and self.view.board.judged:
            self._read_handed(partial(self.source.ahanded, year, iid))  # a server's
        if self.source is not None and not self._has_the_year():
            self._read_year(self.source)

    @work(exclusive=True, group="handed", exit_on_error=False, description="handed")
    async def _read_handed(
        self, find: Callable[[], Awaitable[tuple[Assignment, float] | None]]
    ) -> None:
        """The assignment of this indicator to the unit, when its collection (a folder, or
        the server's) has one."""
        found = await find()
        if found is not None and self.is_attached:
            self.handed = found
            for box in self.query("#detail-body").results(Static):
                box.update(self.body())

    def _has_the_year(self) -> bool:
        """True when the view's boards hold every quarter the path draws (last year's four,
        this year's so far); else they are read once more, further back."""
        period = self.view.board.period
        wanted = {Period(period.year - 1, q) for q in range(1, 5)}
        wanted |= {Period(period.year, q) for q in range(1, period.quarter)}
        return wanted <= {board.period for board in self.view.history}

    def path(self, boards: list[Board]) -> YearPath | None:
        """The indicator's year's path from `boards` (None for a milestone)."""
        ev = self.view.board.get(self.indicator_id)
        return None if ev is None else year_path(ev, boards, self.view.board.judged)

    @work(exclusive=True, group="year", exit_on_error=False, description="year")
    async def _read_year(self, source: Source) -> None:
        """Last year's every quarter for the path (the view has the last five quarters);
        a failure keeps the path drawn from what the view had."""
        try:
            fuller = await source.aload(self.view.period, history=YEAR_HISTORY)
        except ChitieuError:
            return
        if self.is_attached:
            for chart in self.query("#detail-path").results(PathChart):
                chart.show(self.path(fuller.history))

    @work(exclusive=True, group="journal", exit_on_error=False, description="journal")
    async def _read_journal(self, source: JournalSource) -> None:
        """The journal's lines for this indicator (and the quarter's closings), oldest first."""
        try:
            changes = await source.ajournal(self.view.period)
            shown = self.journal_text(changes)
        except ChitieuError as exc:
            shown = Text(exc.render())
        if self.is_attached:  # the screen may have been closed meanwhile
            for box in self.query("#detail-journal").results(Static):
                box.update(shown)

    def journal_text(self, changes: list[Change]) -> Text:
        """The `Nhật ký thay đổi` block."""
        mine = [c for c in changes if c.id in (self.indicator_id, "")]
        text = Text(t("d_journal"), style="bold")
        if not mine:
            text.append("\n" + t("d_journal_none"), style="dim")
        for change in mine:
            text.append("\n" + change_line(change))
        return text

    def _status(self, status: Status) -> Text:
        style = self.get_component_rich_style(f"detail--{status_class(status)}", partial=True)
        return Text(label(status), style=style + Style(bold=True))

    def _pace(self, ev: Evaluation) -> list[RenderableType]:
        """What is still needed by year end, the projection, and the same quarter last year."""
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style="bold", no_wrap=True)
        grid.add_column()
        p = pace(ev)
        # A decrease says what is still to be removed: "Còn phải giảm 22 hộ".
        down = "_decrease" if ev.indicator.direction == "decrease" else ""
        if p is not None and p.remaining is not None:
            if p.remaining <= 0:
                grid.add_row(Text(t("d_remaining" + down)), Text(t("d_met_already")))
            else:
                remaining = Text(_value(ev, p.remaining))
                grid.add_row(Text(t("d_remaining" + down)), remaining)
                if p.per_quarter is not None:
                    per_quarter = Text(_value(ev, p.per_quarter))
                    grid.add_row(Text(t("d_per_quarter" + down)), per_quarter)
                if p.per_month is not None:
                    per_month = Text(_value(ev, p.per_month))
                    grid.add_row(Text(t("d_per_month" + down)), per_month)
            if p.projection is not None:
                grid.add_row(Text(t("d_projection")), Text(_value(ev, p.projection)))
        last = self.view.last_year()
        lev = last.get(ev.indicator.id) if last is not None else None
        if lev is not None and lev.entry is not None:
            shown = lev.ytd if lev.ytd is not None else lev.value
            words = f"{_value(lev, shown)} ({lev.period.label()})"
            grid.add_row(Text(t("d_last_year")), Text(words))
        if not grid.row_count:
            return []
        return [Text(t("d_pace"), style="bold"), grid, Text("")]

    def _rules(self, indicator_id: str) -> list[RenderableType]:
        """The rules the indicator takes part in and their state this quarter (DESIGN
        section 15); nothing when it takes part in none."""
        board = self.view.board
        if not board.judged or not board.definitions.rules:
            return []
        values = board.progress.values if board.progress is not None else {}
        found = rules.evaluate(board.definitions, values, [indicator_id])
        if not found:
            return []
        lines: list[RenderableType] = [Text(t("d_rules"), style="bold")]
        for r in found:
            lines.append(
                Text(present_rules.detail_line(r), style="bold" if r.state == "broken" else "")
            )
        return [*lines, Text("")]

    def _followup(self, ev: Evaluation) -> list[RenderableType]:
        """The quarter's value marked for follow-up (an outlier, DESIGN section 15): why, who
        entered it and when, and how to clear the mark; nothing when it is not marked."""
        if ev.entry is None or ev.entry.followup is None:
            return []
        return [
            Text(present_followup.detail_line(ev.entry), style="bold"),
            Text(present_followup.clear_hint(ev.indicator.id, ev.period), style="dim"),
            Text(""),
        ]

    def body(self) -> RenderableType:
        """The whole detail as Rich renderables built from Text (never markup)."""
        board = self.view.board
        ev = board.get(self.indicator_id)
        if ev is None:
            return Text(self.indicator_id)
        ind = ev.indicator
        facts = Table.grid(padding=(0, 2))
        facts.add_column(style="bold", no_wrap=True)
        facts.add_column()

        def row(key: str, value: str | Text) -> None:
            if value:
                facts.add_row(Text(t(key)), value if isinstance(value, Text) else Text(value))

        row("d_group", board.definitions.group_name(ind.group))
        row("d_kind", f"{t('kind_' + ind.kind)} ({ind.id})")
        row("d_unit", ind.unit)
        judged = board.judged
        if not judged:
            row("d_judged", t("unjudged_year", year=board.period.year))
        shown_target = ind.target is not None and judged
        row("d_target", _value(ev, ind.target) if shown_target else "")
        if self.handed is not None and shown_target:
            assignment, assigned = self.handed
            adopted = fmt.number(ind.target)
            row("d_handed", t("d_handed_value", assigned=fmt.number(assigned), adopted=adopted))
            row("d_handed_basis", assignment.basis)
        row("d_basis", ind.basis)
        if ind.plan:
            row("d_plan", " · ".join(fmt.number(p) for p in ind.plan))
        row("d_baseline", _value(ev, ind.baseline) if ind.baseline is not None else "")
        if ind.direction == "decrease":
            row("d_direction", t("dir_decrease"))
        if ind.due:
            row("d_due", due_period(ind))
        row("d_owner", ind.owner)
        row("d_note", ind.note)
        facts.add_row(Text(""), Text(""))
        row("d_period", board.period.label())
        row("d_value", _value(ev, ev.value))
        if ind.kind == "cumulative" and ind.report == "quarter":
            row("d_ytd", _value(ev, ev.ytd))
        if judged:
            row("d_expected", _value(ev, ev.expected))
            row("d_percent", fmt.percent_of(ev))
            row("d_status", self._status(ev.status))
        row("d_value_note", ev.note)
        if ev.entry is not None:
            row("d_entered", entered_text(ev.entry))
            row("d_cause", ev.entry.cause)
            row("d_remedy", ev.entry.remedy)
        if board.progress is not None and board.progress.closed is not None:
            row("d_closed", closed_text(board.progress.closed))

        pace_rows = [*self._followup(ev), *self._pace(ev), *self._rules(ind.id)]

        history = Table(
            title=Text(t("d_history"), style="bold"),
            title_justify="left",
            expand=False,
            show_edge=False,
        )
        quarters = [past.period.label() for past in self.view.history]
        for key in ("d_period", "d_value", "d_percent", "d_status", "d_from"):
            justify: JustifyMethod = "right" if key in ("d_value", "d_percent") else "left"
            if key == "d_from":  # where a figure came from wraps; the quarter's name is whole
                history.add_column(Text(t(key)), overflow="fold")
                continue
            history.add_column(
                Text(t(key)),
                justify=justify,
                no_wrap=key == "d_period",
                overflow="ellipsis",
                min_width=max(map(len, quarters), default=None) if key == "d_period" else None,
            )
        for past in self.view.history:
            pev = past.get(ind.id)
            if pev is None:
                continue
            shown_text = _value(pev, pev.value)
            if ind.kind == "cumulative" and ind.report == "quarter" and pev.ytd is not None:
                shown_text += f" ({t('ytd_short')} {fmt.number(pev.ytd)})"
            origin = origin_text(past.progress)
            history.add_row(
                Text(past.period.label()),
                Text(shown_text),
                Text(fmt.percent_of(pev)),
                self._status(pev.status),
                Text(origin, style="dim"),
            )

        prov = Table.grid(padding=(0, 2))
        prov.add_column(style="bold", no_wrap=True)
        prov.add_column()
        prov.add_row(Text(t("source")), Text(source_text(self.view)))
        progress = board.progress
        if progress is not None:
            if progress.source:
                prov.add_row(Text(""), Text(progress.source))
            if progress.as_of is not None:
                prov.add_row(Text(t("d_as_of")), Text(date_text(progress.as_of)))
            if progress.modified is not None:
                shown = datetime_text(progress.modified.astimezone())
                prov.add_row(Text(t("d_modified")), Text(shown))
        return Group(
            facts,
            Text(""),
            *pace_rows,
            history,
            Text(""),
            Text(t("d_provenance"), style="bold"),
            prov,
        )
