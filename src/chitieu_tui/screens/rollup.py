"""The roll-up: many units side by side, their totals, and a way into each unit."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from functools import partial

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.timer import Timer
from textual.widgets import Input, ProgressBar, Static
from textual.worker import Worker, WorkerState

from chitieu_tui.core.collection import Collection, Member
from chitieu_tui.core.periods import Period, current_period
from chitieu_tui.i18n import t
from chitieu_tui.messages import OpenUnit, RollupDue, RollupLoaded, RollupProgress
from chitieu_tui.present.rollup import (
    column_totals,
    header_text,
    left_out_text,
    legend,
    offline_text,
    summary_text,
)
from chitieu_tui.present.targets import rollup_note
from chitieu_tui.screens.controller import Command, Controller
from chitieu_tui.screens.dashboard import DashboardScreen, _local_now
from chitieu_tui.screens.filtering import FilterActions
from chitieu_tui.screens.help import HelpScreen
from chitieu_tui.widgets.key_bar import KeyBar
from chitieu_tui.widgets.scorecard import Scorecard


def legend_content() -> Content:
    """`✓ Đạt/vượt  ▲ Đúng tiến độ  ▼ Chậm tiến độ  · Chưa có số liệu`, marks in colour."""
    parts: list[Content | tuple[str, str] | str] = []
    for mark, word, colour in legend():
        if parts:
            parts.append("   ")
        parts += [(mark, f"bold {colour}"), " ", (word, "$foreground-muted")]
    return Content.assemble(*parts)


class RollupScreen(FilterActions, Controller):
    """Header, summary, loading and offline notes, filter box, scorecard, keys. The screen
    owns the collection: its load and poll workers, the quarter, the progress of a load;
    Enter pushes a unit's dashboard with its source and the view it already has."""

    AUTO_FOCUS = "#scorecard"
    FILTER_BOX = "rollup-filter"
    DEFAULT_CSS = """
    #rollup-legend, #rollup-left-out { height: auto; padding: 0 1; }
    """

    BINDINGS = [
        Binding("q", "app.quit", "quit"),
        Binding("r", "reload", "reload"),
        Binding("enter", "open", "rollup.open", key_display="Enter"),
        Binding("left_square_bracket", "period(-1)", "quarter", key_display="[ ]"),
        Binding("right_square_bracket", "period(1)", show=False),
        Binding("t", "today", "today_key", show=False),
        Binding("slash", "filter", "filter", key_display="/"),
        Binding("b", "behind", "behind"),
        Binding("o", "sort", "sort"),
        Binding("question_mark", "help", "help", key_display="?"),
        Binding("ctrl+p", "app.command_palette", "key.palette", key_display="Ctrl+P"),
        Binding("escape", "clear_filter", show=False),
    ]

    def __init__(
        self,
        collection: Collection,
        *,
        period: Period | None = None,
        preloaded: bool = False,
        now: Callable[[], dt.datetime] = _local_now,
        warned: set[str] | None = None,
    ) -> None:
        """`preloaded`: the collection was read before (the first frame has data); else the
        units of `period` are read when the screen is mounted."""
        super().__init__()
        self.collection = collection
        self.now = now
        self.warned = warned if warned is not None else set()
        """Warnings already told (shared with the units' dashboards: each is told once)."""
        self._period = period
        self._preloaded = preloaded
        self._poll: Timer | None = None
        self._poll_seconds = 0.0
        self._unit_open = False
        """A unit's dashboard is over this screen (it polls its own source)."""

    def again(self) -> RollupScreen:
        """The same collection, worded in the current language (after `use`)."""
        return RollupScreen(self.collection, preloaded=True, now=self.now, warned=self.warned)

    async def reopen(self, screen: Controller) -> None:
        """A unit's dashboard made again: pushed as Enter pushes it."""
        self._unit_open = True
        await self.app.push_screen(screen, self._back)

    def on_mount(self) -> None:
        """Show the units read before, or read them; then poll."""
        if self._preloaded:
            self.show(self.collection)
        else:
            self._load(self.collection, self._period)
        self._arm_poll()

    # -- loading and polling ---------------------------------------------------------------

    def _busy(self) -> bool:
        return any(w.group in ("load", "poll") and w.is_running for w in self.workers)

    def _arm_poll(self) -> None:
        """Ask the units every `check_seconds`."""
        seconds = max(0.1, float(self.collection.check_seconds))
        if self._poll is None or self._poll_seconds != seconds:
            if self._poll is not None:
                self._poll.stop()
            self._poll = self.set_interval(seconds, self._poll_tick)
            self._poll_seconds = seconds

    def _poll_tick(self) -> None:
        """Ask which units changed (their `stat` calls: in a thread), unless busy or under a
        unit's dashboard."""
        if not self._busy() and not self._unit_open:
            self._due(self.collection)

    @work(thread=True, group="poll", exit_on_error=False)
    def _due(self, collection: Collection) -> None:
        self.post_message(RollupDue(collection.due()))

    def on_rollup_due(self, message: RollupDue) -> None:
        """Read again the units that changed."""
        loading = any(w.group == "load" and w.is_running for w in self.workers)
        if message.members and not loading:
            self._load(self.collection, self.collection.period, message.members)

    @work(exclusive=True, group="load", exit_on_error=False)
    async def _load(
        self, collection: Collection, period: Period | None, only: list[Member] | None = None
    ) -> None:
        """Read the roll-up's units (all, or those `only` that changed)."""

        def progress(done: int, total: int) -> None:
            self.post_message(RollupProgress(done, total))

        remote = collection.kind != "file"
        await collection.aload(period, progress if remote else None, only)
        self.post_message(RollupLoaded(only is None))

    def on_rollup_progress(self, message: RollupProgress) -> None:
        """Loading a server's units: how many are done."""
        self.show_progress(message.done, message.total)

    def on_rollup_loaded(self, message: RollupLoaded) -> None:
        """Show the units read; tell about new warnings."""
        texts = (w.render() for m in self.collection.members if m.view for w in m.view.warnings)
        self.tell_once(texts, self.warned)
        self.show(self.collection)
        self._arm_poll()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place where this screen's worker failures are shown (never fatal)."""
        if event.state is not WorkerState.ERROR:
            return
        text = self.failure_text(event.worker.error)
        self.notify(text, severity="error", timeout=15, markup=False)
        if event.worker.group == "load" and not self.collection.members:
            self.show_error(text)

    # -- actions -------------------------------------------------------------------------

    def action_reload(self) -> None:
        """`r`: read every unit again."""
        self._load(self.collection, self.collection.period)

    def action_period(self, step: int) -> None:
        """`[` and `]`: the previous or next quarter for every unit, from the first quarter
        any unit has data for to the last (or the current quarter when later)."""
        current = self.collection.period
        if current is None:
            return
        target = current.prev() if step < 0 else current.next()
        have = sorted({p for m in self.collection.members if m.view for p in m.view.periods})
        first, last = (
            (have[0], max(have[-1], current_period()))
            if have
            else (current, max(current, current_period()))
        )
        if (step < 0 and target < first) or (step > 0 and target > last):
            edge, key = (first, "period_first") if step < 0 else (last, "period_last")
            if step > 0 and last == current_period():
                key = "period_current"
            self.notify(t(key, period=edge.label()), markup=False)
            return
        self._load(self.collection, target)

    def action_today(self) -> None:
        """`t`: back to the default quarter."""
        self._load(self.collection, None)

    def action_help(self) -> None:
        """`?`."""
        if self.app.screen is self:
            self.app.push_screen(HelpScreen(rollup=True))

    def on_open_unit(self, message: OpenUnit) -> None:
        """Enter on a unit: its full dashboard, with every key of the ward dashboard."""
        collection = self.collection
        if not 0 <= message.index < len(collection.members) or self.app.screen is not self:
            return
        member = collection.members[message.index]
        if member.view is None:
            error = member.error
            text = error.render() if error is not None else t("loading")
            self.notify(text, severity="error", timeout=15, markup=False)
            return
        initial = (member.view, member.stamp) if member.error is None else None
        unit = DashboardScreen(
            member.source,
            period=collection.period,
            initial=initial,
            reload=True,  # with the history the roll-up does not read
            back=True,
            now=self.now,
            warned=self.warned,
        )
        self._unit_open = True
        self.app.push_screen(unit, self._back)

    def _back(self, _result: None = None) -> None:
        """Back from a unit (Esc): the roll-up as it was; values entered there show at once."""
        self._unit_open = False
        self.show(self.collection)
        self._arm_poll()
        self._poll_tick()

    def palette_commands(self) -> Iterable[Command]:
        """reload, quarters, help."""
        return [
            (t("cmd.reload"), t("cmd.reload_help"), self.action_reload),
            (t("cmd.prev"), t("cmd.prev_help"), partial(self.action_period, -1)),
            (t("cmd.next"), t("cmd.next_help"), partial(self.action_period, 1)),
            (t("cmd.help"), t("cmd.help_help"), self.action_help),
        ]

    def compose(self) -> ComposeResult:
        """The parts of the screen (the notes hidden until needed)."""
        yield Static(Text(t("loading")), id="rollup-header", markup=False)
        yield Static(Text(""), id="rollup-summary", markup=False)
        bar = ProgressBar(show_eta=False, id="rollup-progress")
        bar.display = False
        yield bar
        note = Static(Text(""), id="rollup-note", markup=False)
        note.display = False
        yield note
        box = Input(placeholder=t("rollup.filter_placeholder"), id="rollup-filter", compact=True)
        box.display = False
        yield box
        yield Scorecard(id="scorecard")
        yield Static(legend_content(), id="rollup-legend")
        left_out = Static(Text(""), id="rollup-left-out", markup=False)
        left_out.display = False
        yield left_out
        yield KeyBar()

    @property
    def table(self) -> Scorecard:
        """The scorecard."""
        return self.query_one(Scorecard)

    def show(self, collection: Collection) -> None:
        """Put the collection's current views on screen."""
        self.query_one("#rollup-header", Static).update(Text(header_text(collection)))
        self.query_one("#rollup-summary", Static).update(Text(summary_text(collection)))
        notes = [offline_text(collection)]
        broken = sum(1 for m in collection.members if m.error is not None)
        if broken:
            notes.append(t("rollup.broken", n=broken))
        note = self.query_one("#rollup-note", Static)
        text = " · ".join(n for n in notes if n)
        note.update(Text(text))
        note.display = bool(text)
        self.table.show(collection)
        left_out = self.query_one("#rollup-left-out", Static)
        columns = self.table.columns_ids
        words = left_out_text(collection, columns)
        handed = rollup_note(collection, column_totals(collection, columns))  # issue 21
        words = "\n".join(w for w in (words, handed) if w)
        left_out.update(Text(words))
        left_out.display = bool(words)

    def show_progress(self, done: int, total: int) -> None:
        """`Đang tải 12/150 đơn vị…` and a bar, while a server's units load."""
        bar = self.query_one("#rollup-progress", ProgressBar)
        bar.update(total=total, progress=done)
        bar.display = done < total
        header = self.query_one("#rollup-header", Static)
        if done < total:
            header.update(Text(t("rollup.loading", done=done, total=total)))

    def show_error(self, text: str) -> None:
        """Why nothing could be shown (the unit list could not be had)."""
        note = self.query_one("#rollup-note", Static)
        note.update(Text(f"{t('load_failed')}\n\n{text}"))
        note.add_class("-error")
        note.display = True
        self.query_one("#rollup-progress", ProgressBar).display = False

    def action_open(self) -> None:
        """Enter: open the unit under the cursor."""
        index = self.table.current_index()
        if index is not None:
            self.post_message(OpenUnit(index))

    def on_input_changed(self, event: Input.Changed) -> None:
        """Filter as the official types."""
        self.table.set_query(event.value)
