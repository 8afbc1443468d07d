"""The main screen: header, headline cards, summary and the table of all indicators."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Callable, Iterable
from functools import partial

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.timer import Timer
from textual.widgets import Input, Static

from chitieu_tui.core import alerts as core_alerts
from chitieu_tui.core.alerts import turned_behind
from chitieu_tui.core.arithmetic import Evaluation, Status
from chitieu_tui.core.periods import Period, step_period
from chitieu_tui.core.source import CachingSource, ClosableSource, Source, View, WritableSource
from chitieu_tui.i18n import t
from chitieu_tui.messages import LookedAt, OpenDetail, SnapshotSaved, Stamped, ViewLoaded
from chitieu_tui.present.path import headline as headline_of
from chitieu_tui.present.time import local_now
from chitieu_tui.screens.controller import Command, Controller
from chitieu_tui.screens.filtering import FilterActions
from chitieu_tui.widgets import HeaderBar, HeadlineCard, IndicatorTable, KeyBar, SummaryBar

MAX_CARDS = 6
DEFAULT_CARDS = 4
"""Headline cards composed in advance (docs/README.md names four headline indicators)."""
LARGE = 500
"""Above this many rows, the filter waits for a pause in typing."""


def headline(view: View) -> list[Evaluation]:
    """The evaluations of the headline cards (the first four indicators when none are named)."""
    return headline_of(view.board)[:MAX_CARDS]


class DashboardScreen(FilterActions, Controller):
    """Everything an official looks at first, of one unit: the screen owns its source, the
    view shown, the quarter, the alert marks, the last load's failure, its load, poll and
    snapshot workers (they end with it) and its keys and palette commands."""

    AUTO_FOCUS = "#table"
    """Focused while composing, so the first frame already has the focused table's styles."""

    BINDINGS = [
        Binding("q", "app.quit", "quit"),
        Binding("r", "reload", "reload"),
        Binding("e", "enter", "enter"),
        Binding("c", "close_quarter", "close_key", show=False),
        Binding("left_square_bracket", "period(-1)", "quarter", key_display="[ ]"),
        Binding("right_square_bracket", "period(1)", show=False),
        Binding("t", "today", "today_key", show=False),
        Binding("slash", "filter", "filter", key_display="/"),
        Binding("b", "behind", "behind"),
        Binding("o", "sort", "sort"),
        Binding("s", "snapshot", "snapshot"),
        Binding("enter", "open_row", "key.details", key_display="Enter"),
        Binding("question_mark", "help", "help", key_display="?"),
        Binding("exclamation_mark", "alerts", "alerts", key_display="!"),
        *(Binding(str(n), f"path({n})", show=False) for n in range(1, MAX_CARDS + 1)),
        Binding("ctrl+p", "app.command_palette", "key.palette", key_display="Ctrl+P"),
        Binding("escape", "clear_filter", "key.back", key_display="Esc"),
    ]

    def __init__(
        self,
        source: Source,
        *,
        period: Period | None = None,
        initial: tuple[View, object] | None = None,
        reload: bool = False,
        back: bool = False,
        now: Callable[[], dt.datetime] = local_now,
        warned: set[str] | None = None,
        marked: set[str] | None = None,
    ) -> None:
        """`initial`: a view read before (and the source's stamp taken before reading it),
        shown at once; `reload`: read again all the same (the roll-up's view has no history);
        `back`: opened from the roll-up (Esc goes back to it)."""
        super().__init__()
        self.source = source
        self.period = period
        """The quarter shown (None: the source's default, kept once loaded)."""
        self.back = back
        """Opened from the roll-up: Esc goes back to it (and the key line says so)."""
        self.now = now
        self.view: View | None = None
        self.load_error: BaseException | None = None
        """Set while the last load failed (the screen shows the last good view)."""
        self.marked: set[str] = set(marked or ())
        """Indicators that turned behind on a refresh and were not looked at yet."""
        self.warned = warned if warned is not None else set()
        """Warnings already told (shared with the roll-up: each is told once)."""
        self._initial = initial
        self._reload_at_mount = reload or initial is None
        self._tried: object = None
        """The source's stamp when the last load started (UI thread only)."""
        self._poll: Timer | None = None
        self._poll_seconds = 0.0
        self._typing: Timer | None = None

    def again(self) -> DashboardScreen:
        """The same unit, quarter, view and marks, worded in the current language (after `use`)."""
        initial = (self.view, self._tried) if self.view is not None else None
        return DashboardScreen(
            self.source,
            period=self.period,
            initial=initial,
            back=self.back,
            now=self.now,
            warned=self.warned,
            marked=self.marked,
        )

    def compose(self) -> ComposeResult:
        """Header, cards, summary, message, filter, table, footer."""
        yield HeaderBar(id="header")
        with Horizontal(id="cards"):
            # Composed with the screen (hidden until there is data): mounting them later,
            # when the first view arrives, costs a second styling pass over the screen.
            for _ in range(DEFAULT_CARDS):
                card = HeadlineCard()
                card.display = False
                yield card
        yield SummaryBar(id="summary")
        yield Static(Text(t("loading")), id="message", markup=False)
        box = Input(placeholder=t("filter_placeholder"), id="filter", compact=True)
        box.display = False
        yield box
        yield IndicatorTable(id="table")
        yield KeyBar(hide=() if self.back else ("escape",))

    def on_mount(self) -> None:
        """Keys go to the table first; show the view read before, load, and poll."""
        self.table.focus()
        if self._initial is not None:
            (view, self._tried), self._initial = self._initial, None
            self.on_view_loaded(ViewLoaded(view))
        if self._reload_at_mount:
            self.reload()
        self._arm_poll()

    # -- loading and polling ---------------------------------------------------------------

    def _loading(self) -> bool:
        """True while a load worker runs."""
        return any(w.group == "load" and w.is_running for w in self.workers)

    def _shown_period(self) -> Period | None:
        return self.period or (self.view.period if self.view else None)

    def _arm_poll(self) -> None:
        """Ask the source every `check_seconds` (which new definitions may change)."""
        seconds = max(0.1, float(self.source.check_seconds))
        if self._poll is None or self._poll_seconds != seconds:
            if self._poll is not None:
                self._poll.stop()
            self._poll = self.set_interval(seconds, self._poll_tick)
            self._poll_seconds = seconds

    def _poll_tick(self) -> None:
        """Ask the source's stamp (a few `stat` calls: in a thread), unless busy."""
        busy = any(w.group in ("load", "poll") and w.is_running for w in self.workers)
        if not busy:
            self._stamp(self.source, self._shown_period())

    @work(thread=True, group="poll", exit_on_error=False, description="poll")
    def _stamp(self, source: Source, period: Period | None) -> None:
        self.post_message(Stamped(source.stamp(period)))

    def on_stamped(self, message: Stamped) -> None:
        """A poll's stamp: reload when the source says something changed."""
        if message.loading:
            self._tried = message.stamp
        elif not self._loading() and message.stamp != self._tried:
            self._tried = message.stamp
            self._load(self.source, self.period, None)

    def reload(self) -> None:
        """Load the quarter shown again (from `r`, the poll or a write)."""
        self._load(self.source, self.period, [self.period or self._shown_period()])

    @work(exclusive=True, group="load", exit_on_error=False, description="load")
    async def _load(
        self, source: Source, period: Period | None, stamp_of: list[Period | None] | None
    ) -> None:
        """Read `period` from `source` (both captured when the worker starts). The stamp of
        `stamp_of` (when the poll has not just taken it) is taken first, in a thread, so a
        change during the read triggers another load."""
        if stamp_of is not None:
            stamp = await asyncio.to_thread(source.stamp, stamp_of[0])
            self.post_message(Stamped(stamp, loading=True))
        self.post_message(ViewLoaded(await source.aload(period)))

    def on_view_loaded(self, message: ViewLoaded) -> None:
        """Keep the view, tell about new warnings, and show it."""
        view = message.view
        if view is self.view:  # nothing changed (a 304): only the freshness in the header
            self.query_one(HeaderBar).show(view, self.now(), self._checked_at(view))
            return
        self._mark_turned(self.view, view)
        self.view = view
        if self.load_error is not None and not view.stale:
            self.notify(t("reloaded"), markup=False)
        self.last_error = self.load_error = None
        if self.period is None and not view.stale:
            self.period = view.period  # stay on this quarter when a newer one appears
        self.tell_once((w.render() for w in view.warnings), self.warned)
        self.show_view(view, self.now(), self._checked_at(view))
        self.table.set_marks(self.marked)
        self._arm_poll()
        if isinstance(self.source, CachingSource) and self.source.unsaved():
            self.call_after_refresh(self._save_cache, self.source)

    @work(thread=True, group="cache", exit_on_error=False, description="cache")
    def _save_cache(self, source: CachingSource) -> None:
        """Save what the source read (its parse cache) once the view is on screen: the first
        frame of a large unit opened for the first time does not wait for it."""
        source.save_cache()

    def _checked_at(self, view: View) -> dt.datetime:
        """When the source last confirmed the data (a server's last answer)."""
        checked = self.source.last_checked()
        return checked if checked is not None and not view.stale else view.loaded_at

    def worker_failed(self, group: str, error: BaseException | None, text: str) -> None:
        """A failed load: the last good view stays with its header saying so; with none yet,
        the failure and how to retry fill the screen."""
        if group != "load":
            return
        self.load_error = error
        if self.view is not None:
            header = self.query_one(HeaderBar)
            header.show(self.view, self.now(), self._checked_at(self.view), failing=True)
        else:
            self.show_error(f"{text}\n\n{self.source.retry_hint().text()}")

    # -- alert marks ---------------------------------------------------------------------

    def _mark_turned(self, old: View | None, new: View) -> None:
        """Notify and mark the indicators a refresh of the same quarter turned behind; keep
        the marks of those still behind, drop them all on another quarter."""
        if old is None or old.period != new.period:
            self.marked.clear()
            return
        turned = turned_behind(old.board, new.board)
        still = {ev.indicator.id for ev in new.board.evaluations if ev.status is Status.BEHIND}
        self.marked = (self.marked & still) | set(turned)
        if turned:
            names = ", ".join(ev.indicator.name for i in turned if (ev := new.board.get(i)))
            self.notify(
                t("alert.turned_behind", names=names, n=len(turned)),
                severity="warning",
                timeout=15,
                markup=False,
            )

    def _looked_at(self, indicator_id: str) -> None:
        """The official looked at an indicator: its mark goes."""
        if indicator_id in self.marked:
            self.marked.discard(indicator_id)
            self.table.set_marks(self.marked)

    def on_looked_at(self, message: LookedAt) -> None:
        """The cursor moved onto a marked indicator."""
        self._looked_at(message.indicator_id)

    # -- actions -------------------------------------------------------------------------

    def action_reload(self) -> None:
        """`r`."""
        self.reload()

    @work(thread=True, group="snapshot", exit_on_error=False, description="snapshot")
    def _snapshot(self, source: Source, view: View) -> None:
        self.post_message(SnapshotSaved(source.snapshot(view)))

    def action_snapshot(self) -> None:
        """`s`: write a snapshot of the period shown (with the source of this screen)."""
        if self.view is None:
            self.notify(t("no_snapshot"), severity="warning")
        elif self.load_error is not None and not self.view.stale:
            self.notify(t("snapshot_failing"), severity="warning", markup=False)
        else:
            self._snapshot(self.source, self.view)

    def on_snapshot_saved(self, message: SnapshotSaved) -> None:
        """Say where the snapshot went."""
        self.notify(t("saved", path=str(message.path)), markup=False)

    def action_period(self, step: int) -> None:
        """`[` and `]`: the previous or next quarter, from the first quarter with data to the
        last one, or to the current quarter when that is later (a note says why a key does
        nothing there)."""
        current = self._shown_period()
        if current is None:
            return
        target = step_period(current, step, self.view.periods if self.view is not None else ())
        if isinstance(target, tuple):
            key, edge = target
            self.notify(t(key, period=edge.label()), markup=False)
            return
        self.period = target
        self.reload()

    def action_today(self) -> None:
        """`t`: back to the default quarter (the newest with data, not after this one)."""
        self.period = None  # the source's default; kept once loaded (on_view_loaded)
        self.reload()

    def _written(self, ok: bool | None) -> None:
        if ok:
            self.reload()

    def action_enter(self) -> None:
        """`e`: enter a value for the indicator under the cursor."""
        if self.view is None:
            return
        if self.view.read_only or not isinstance(self.source, WritableSource):
            why = self.view.read_only_reason
            text = why.text() if why is not None else t("e_read_only")
            self.notify(text, severity="warning", markup=False)
            return
        progress = self.view.board.progress
        if progress is not None and progress.closed is not None:
            from chitieu_tui.core.journal import closed_msg  # lazy: the journal, when refused

            msg = closed_msg("err.closed.refused", self.view.period, progress.closed)
            self.notify(msg.text(), severity="warning", markup=False)
            return
        indicator_id = self.table.current_id()
        ev = self.view.board.get(indicator_id) if indicator_id else None
        if ev is None:
            self.notify(t("e_no_row"), severity="warning", markup=False)
            return
        # lazy: each screen is imported when first opened (the first frame shows the board)
        from chitieu_tui.screens.entry import EntryScreen

        self.app.push_screen(EntryScreen(self.source, ev, self.view.board), self._written)

    def action_close_quarter(self) -> None:
        """`c`: close the quarter shown (with a reason), or reopen it when closed."""
        if self.view is None:
            return
        if self.view.read_only or not isinstance(self.source, ClosableSource):
            why = self.view.read_only_reason
            text = why.text() if why is not None else t("e_read_only")
            self.notify(text, severity="warning", markup=False)
            return
        progress = self.view.board.progress
        closed = progress.closed if progress is not None else None
        missing = [
            ev.indicator.name for ev in self.view.board.evaluations if ev.status is Status.NO_DATA
        ]
        from chitieu_tui.screens.close import CloseScreen  # lazy: a screen, when opened

        form = CloseScreen(self.source, self.view.period, closed, missing=missing)
        self.app.push_screen(form, self._written)

    def action_alerts(self) -> None:
        """`!`: the alerts of the quarter shown; Enter there opens an indicator's detail."""
        if self.view is None or self.app.screen is not self:
            return
        found = core_alerts.alerts(self.view.board, core_alerts.today())
        from chitieu_tui.screens.alerts import AlertsScreen  # lazy: a screen, when opened

        self.app.push_screen(AlertsScreen(self.view, found), self._open_detail)

    def _open_detail(self, indicator_id: str | None) -> None:
        if indicator_id is not None:
            self.post_message(OpenDetail(indicator_id))

    def on_open_detail(self, message: OpenDetail) -> None:
        """Show one indicator in full."""
        from chitieu_tui.screens.detail import DetailScreen  # lazy: a screen, when opened

        if self.view is not None and not isinstance(self.app.screen, DetailScreen):
            self._looked_at(message.indicator_id)
            self.app.push_screen(DetailScreen(self.view, message.indicator_id, source=self.source))

    def action_path(self, n: int) -> None:
        """`1`–`6`: the year's path of headline card `n` (issue 24)."""
        if self.view is None or self.app.screen is not self:
            return
        evs = headline(self.view)
        if 1 <= n <= len(evs):
            from chitieu_tui.screens.path import PathScreen  # lazy: a screen, when opened

            self.app.push_screen(PathScreen(self.view, evs[n - 1]))

    def action_help(self) -> None:
        """`?`."""
        if self.app.screen is self:
            from chitieu_tui.screens.help import HelpScreen  # lazy: a screen, when opened

            self.app.push_screen(HelpScreen(rollup=False))

    def go_to(self, indicator_id: str) -> None:
        """Put the cursor on an indicator (clearing a filter or *behind only* that hides it)."""
        table = self.table
        if indicator_id not in table.indicator_ids():
            if table.behind_only:
                table.toggle_behind()
            if table.query_text:
                self.close_filter()
        if indicator_id in table.indicator_ids():
            table.move_cursor(row=table.get_row_index(indicator_id), animate=False, scroll=True)
            table.focus()

    # -- the palette ---------------------------------------------------------------------

    def palette_commands(self) -> Iterable[Command]:
        """reload, quarters, snapshot, behind only, enter, close or reopen, alerts, help."""
        progress = self.view.board.progress if self.view is not None else None
        closed = progress is not None and progress.closed is not None
        close, close_help = (
            ("cmd.reopen", "cmd.reopen_help") if closed else ("cmd.close", "cmd.close_help")
        )
        return [
            (t("cmd.reload"), t("cmd.reload_help"), self.action_reload),
            (t("cmd.prev"), t("cmd.prev_help"), partial(self.action_period, -1)),
            (t("cmd.next"), t("cmd.next_help"), partial(self.action_period, 1)),
            (t("cmd.snapshot"), t("cmd.snapshot_help"), self.action_snapshot),
            (t("cmd.behind"), t("cmd.behind_help"), self.action_behind),
            (t("cmd.enter"), t("cmd.enter_help"), self.action_enter),
            (t(close), t(close_help), self.action_close_quarter),
            (t("cmd.alerts"), t("cmd.alerts_help"), self.action_alerts),
            (t("cmd.help"), t("cmd.help_help"), self.action_help),
        ]

    def palette_targets(self) -> Iterable[Command]:
        """*Đến: …* for every indicator."""
        if self.view is None:
            return []
        return [
            (
                t("cmd.goto", name=ev.indicator.name),
                t("cmd.goto_help", id=ev.indicator.id),
                partial(self.go_to, ev.indicator.id),
            )
            for ev in self.view.board.evaluations
        ]

    @property
    def table(self) -> IndicatorTable:
        """The table of all indicators."""
        return self.query_one(IndicatorTable)

    def show_view(
        self, view: View, now: dt.datetime, checked_at: dt.datetime | None = None
    ) -> None:
        """Put a freshly loaded view on screen."""
        self.query_one(HeaderBar).show(view, now, checked_at)
        self.query_one("#message").display = False
        evs = headline(view)
        box = self.query_one("#cards", Horizontal)
        cards = list(box.query(HeadlineCard))
        if len(cards) != len(evs):
            box.remove_children()
            cards = [HeadlineCard() for _ in evs]
            box.mount_all(cards)
        for card, ev in zip(cards, evs, strict=True):
            card.show(view, ev)
            card.display = True
        self.query_one(SummaryBar).show(view.board)
        self.table.show(view.board)

    def on_indicator_table_highlighted(self, event: IndicatorTable.Highlighted) -> None:
        """The cursor on an indicator: it has been looked at (its alert mark goes)."""
        key = event.key
        if key in self.table.marked:
            self.post_message(LookedAt(key))

    def show_error(self, text: str) -> None:
        """Say in the body why there is nothing to show (first load failed)."""
        message = self.query_one("#message", Static)
        message.update(Text(f"{t('load_failed')}\n\n{text}"))
        message.add_class("-error")
        message.display = True

    def action_open_row(self) -> None:
        """Enter outside the table: the detail view of the row under the cursor."""
        indicator_id = self.table.current_id()
        if indicator_id is not None:
            self.post_message(OpenDetail(indicator_id))

    def action_clear_filter(self) -> None:
        """Close the filter box and show every row again; with no filter, back to the roll-up
        (when the dashboard was opened from one)."""
        if not self.query_one("#filter", Input).display and not self.table.query_text:
            if self.back:
                self.dismiss()
            return
        self.close_filter()

    def _stop_typing(self) -> None:
        """Drop a filtering still waiting for a pause in typing."""
        if self._typing is not None:
            self._typing.stop()
            self._typing = None

    def on_input_changed(self, event: Input.Changed) -> None:
        """Filter as the official types (after a short pause when the table is large)."""
        self._stop_typing()
        if self.table.row_count <= LARGE:
            self.table.set_query(event.value)
        else:
            value = event.value
            self._typing = self.set_timer(0.2, lambda: self.table.set_query(value))
