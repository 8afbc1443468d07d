"""The Textual app: loads views in workers and shows them; `run_app` and `save_screenshot`."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import App, SystemCommand
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import Worker, WorkerFailed, WorkerState

from chitieu_tui.commands import ChitieuCommands
from chitieu_tui.core.arithmetic import Status
from chitieu_tui.core.errors import ChitieuError, InternalError
from chitieu_tui.core.journal import closed_msg
from chitieu_tui.core.periods import Period, current_period
from chitieu_tui.core.source import ClosableSource, Source, View, WritableSource
from chitieu_tui.i18n import t
from chitieu_tui.messages import (
    BackToRollup,
    LookedAt,
    OpenDetail,
    OpenUnit,
    RollupLoaded,
    RollupProgress,
    SnapshotSaved,
    ViewLoaded,
)
from chitieu_tui.screens import (
    DashboardScreen,
    DetailScreen,
    EntryScreen,
    HelpScreen,
)
from chitieu_tui.widgets import HeaderBar

if TYPE_CHECKING:  # the roll-up, alerts and closing are imported when first used
    from chitieu_tui.core.collection import Collection, Member
    from chitieu_tui.screens.rollup import RollupScreen


def _local_now() -> dt.datetime:
    return dt.datetime.now().astimezone()


class ChitieuApp(App[int]):
    """The dashboard of one unit's targets, for a file or a remote source; with a
    `collection`, it starts on the roll-up of many units and opens each unit's dashboard
    (its `source` is then that unit's)."""

    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "chitieu"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]
    COMMANDS = App.COMMANDS | {ChitieuCommands}
    persist_theme = False
    """Save a theme chosen in the app to the settings file (set by `run_app`)."""

    def __init__(
        self,
        source: Source | None,
        period: Period | None = None,
        lang: str = "vi",
        *,
        now: Callable[[], dt.datetime] = _local_now,
        initial: tuple[View, object] | None = None,
        collection: Collection | None = None,
        preloaded: bool = False,
    ) -> None:
        super().__init__()
        from chitieu_tui.themes import install

        install(self)
        self._initial = initial
        self.collection = collection
        """The roll-up's units (None: one unit only)."""
        self._rollup_period = period
        self._preloaded = preloaded
        """The collection was read before the app started (its first frame has data)."""
        self.source: Source | None = source
        """The unit shown (None on the roll-up before any unit was opened)."""
        self.period = period
        self.lang = lang
        self.now = now
        self.view: View | None = None
        self.last_error: BaseException | None = None
        self.load_error: BaseException | None = None
        """Set while the last load failed (the screen shows the last good view)."""
        self._warned: set[str] = set()
        self._poll: Timer | None = None
        self._poll_seconds = 0.0
        self._tried: object = None
        """The source's stamp when the last load started (UI thread only)."""
        self.marked: set[str] = set()
        """Indicators that turned behind on a refresh and were not looked at yet."""
        self.crashed: Exception | None = None
        """The exception no handler caught, which ended the app (a bug; see `ended`)."""

    @property
    def dashboard(self) -> DashboardScreen:
        """The main screen (under any detail or help screen)."""
        return next(s for s in self.screen_stack if isinstance(s, DashboardScreen))

    def _unit_source(self) -> Source:
        """The source of the unit shown (a bug to ask on the roll-up alone)."""
        if self.source is None:
            raise InternalError("err.internal", what="no unit source")
        return self.source

    def _on_rollup(self) -> bool:
        """True while the roll-up is the screen in use (no unit's dashboard above it)."""
        return self.collection is not None and not any(
            isinstance(s, DashboardScreen) for s in self.screen_stack
        )

    @property
    def rollup(self) -> RollupScreen:
        """The roll-up screen (under a unit's dashboard)."""
        from chitieu_tui.screens.rollup import RollupScreen

        return next(s for s in self.screen_stack if isinstance(s, RollupScreen))

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's palette commands, but theme and screenshot: ours (ChitieuCommands) word
        them and save the screenshot where the user can write."""
        for command in super().get_system_commands(screen):
            if command.title not in ("Theme", "Screenshot"):
                yield command

    async def on_mount(self) -> None:
        """Show the dashboard (with data when preloaded), load, and poll a remote source."""
        from chitieu_tui.commands import start

        start(self)
        if self.collection is not None:
            from chitieu_tui.screens.rollup import RollupScreen

            await self.push_screen(RollupScreen(self.lang))
            if self._preloaded:
                self.rollup.show(self.collection)
            else:
                self._load_rollup(self._rollup_period)
            self._arm_poll()
            return
        await self.push_screen(DashboardScreen(self.lang))
        if self._initial is not None:
            (view, self._tried), self._initial = self._initial, None
            self.on_view_loaded(ViewLoaded(view))
        else:
            self.reload()
        self._arm_poll()

    def _shown_period(self) -> Period | None:
        return self.period or (self.view.period if self.view else None)

    def _loading(self) -> bool:
        """True while a load worker runs."""
        return any(w.group == "load" and w.is_running for w in self.workers)

    def _arm_poll(self) -> None:
        """Ask the source every `check_seconds` (which new definitions may change)."""
        if self._on_rollup() and self.collection is not None:
            seconds = max(0.1, float(self.collection.check_seconds))
        else:
            seconds = max(0.1, float(self._unit_source().check_seconds))
        if self._poll is None or self._poll_seconds != seconds:
            if self._poll is not None:
                self._poll.stop()
            self._poll = self.set_interval(seconds, self._poll_tick)
            self._poll_seconds = seconds

    def _poll_tick(self) -> None:
        """Reload when the source says something changed, unless a load is still running."""
        if self._on_rollup():
            busy = any(w.group == "rollup" and w.is_running for w in self.workers)
            if self.collection is not None and not busy:
                due = self.collection.due()
                if due:
                    self._load_rollup(self.collection.period, due)
            return
        if not self._loading() and self._unit_source().stamp(self._shown_period()) != self._tried:
            self.reload()

    async def on_unmount(self) -> None:
        """Close the source's connections."""
        if self.collection is not None:
            await self.collection.aclose()
        elif self.source is not None:
            await self.source.aclose()

    @work(exclusive=True, group="rollup", exit_on_error=False)
    async def _load_rollup(self, period: Period | None, only: list[Member] | None = None) -> None:
        """Read the roll-up's units (all, or those `only` that changed)."""
        collection = self.collection
        if collection is None:
            return

        def progress(done: int, total: int) -> None:
            self.post_message(RollupProgress(done, total))

        remote = collection.kind != "file"
        await collection.aload(period, progress if remote else None, only)
        self.post_message(RollupLoaded(only is None))

    def on_rollup_progress(self, message: RollupProgress) -> None:
        """Loading a server's units: how many are done."""
        self.rollup.show_progress(message.done, message.total)

    def on_rollup_loaded(self, message: RollupLoaded) -> None:
        """Show the units read; tell about new warnings."""
        if self.collection is None:
            return
        for m in self.collection.members:
            for warning in m.view.warnings if m.view is not None else []:
                text = warning.render(self.lang)
                if text not in self._warned:
                    self._warned.add(text)
                    self.notify(text, severity="warning", timeout=10, markup=False)
        self.rollup.show(self.collection)
        self._arm_poll()

    async def on_open_unit(self, message: OpenUnit) -> None:
        """Enter on a unit: its full dashboard, with every key of the ward dashboard."""
        collection = self.collection
        if collection is None or not 0 <= message.index < len(collection.members):
            return
        if not self._on_rollup():
            return
        member = collection.members[message.index]
        if member.view is None:
            error = member.error
            text = error.render(self.lang) if error is not None else t(self.lang, "loading")
            self.notify(text, severity="error", timeout=15, markup=False)
            return
        self.source = member.source
        self.period = collection.period
        self.view = None
        self.last_error = self.load_error = None
        await self.push_screen(DashboardScreen(self.lang, back=True))
        self._tried = member.stamp
        if member.error is None:
            self.on_view_loaded(ViewLoaded(member.view))
        self.reload()  # with the history the roll-up does not read

    def on_back_to_rollup(self, message: BackToRollup) -> None:
        """Esc on a unit's dashboard: back to the roll-up, its cursor and sort as they were."""
        if self.collection is None or not isinstance(self.screen, DashboardScreen):
            return
        self.workers.cancel_group(self, "load")
        self.pop_screen()
        self.view = None
        self.period = None
        self.rollup.show(self.collection)
        self._arm_poll()
        self._poll_tick()  # values entered in the unit show at once

    def reload(self) -> None:
        """Load the current period again (from `r`, the poll timer or a change on disk)."""
        if self._on_rollup() and self.collection is not None:
            self._load_rollup(self.collection.period)
            return
        # Taken before reading, on this thread: a change during the read triggers another load.
        self._tried = self._unit_source().stamp(self.period or self._shown_period())
        self._load(self.period)

    @work(exclusive=True, group="load", exit_on_error=False)
    async def _load(self, period: Period | None) -> None:
        self.post_message(ViewLoaded(await self._unit_source().aload(period)))

    @work(thread=True, group="snapshot", exit_on_error=False)
    def _snapshot(self, view: View) -> None:
        self.post_message(SnapshotSaved(self._unit_source().snapshot(view)))

    def on_view_loaded(self, message: ViewLoaded) -> None:
        """Keep the view, tell about new warnings, and show it."""
        view = message.view
        if not any(isinstance(s, DashboardScreen) for s in self.screen_stack):
            return  # a unit's load finishing after Esc back to the roll-up
        if view is self.view:  # nothing changed (a 304): only the freshness in the header
            self.dashboard.query_one(HeaderBar).show(view, self.now(), self._checked_at(view))
            return
        self._mark_turned(self.view, view)
        self.view = view
        if self.load_error is not None and not view.stale:
            self.notify(t(self.lang, "reloaded"), markup=False)
        self.last_error = self.load_error = None
        if self.period is None and not view.stale:
            self.period = view.period  # stay on this quarter when a newer one appears
        for warning in view.warnings:
            text = warning.render(self.lang)
            if text not in self._warned:
                self._warned.add(text)
                self.notify(text, severity="warning", timeout=10, markup=False)
        self.dashboard.show_view(view, self.now(), self._checked_at(view))
        self.dashboard.table.set_marks(self.marked)
        self._arm_poll()

    def _mark_turned(self, old: View | None, new: View) -> None:
        """Notify and mark the indicators a refresh of the same quarter turned behind; keep
        the marks of those still behind, drop them all on another quarter."""
        if old is None or old.period != new.period:
            self.marked.clear()
            return
        from chitieu_tui.core.alerts import turned_behind

        turned = turned_behind(old.board, new.board)
        still = {ev.indicator.id for ev in new.board.evaluations if ev.status is Status.BEHIND}
        self.marked = (self.marked & still) | set(turned)
        if turned:
            names = ", ".join(ev.indicator.name for i in turned if (ev := new.board.get(i)))
            self.notify(
                t(self.lang, "alert.turned_behind", names=names, n=len(turned)),
                severity="warning",
                timeout=15,
                markup=False,
            )

    def _looked_at(self, indicator_id: str) -> None:
        """The official looked at an indicator: its mark goes."""
        if indicator_id in self.marked:
            self.marked.discard(indicator_id)
            self.dashboard.table.set_marks(self.marked)

    def on_looked_at(self, message: LookedAt) -> None:
        """The cursor moved onto a marked indicator."""
        self._looked_at(message.indicator_id)

    def action_alerts(self) -> None:
        """`!`: the alerts of the quarter shown."""
        from chitieu_tui.core import alerts as core_alerts
        from chitieu_tui.screens.alerts import AlertsScreen

        if self.view is None or isinstance(self.screen, AlertsScreen):
            return
        found = core_alerts.alerts(self.view.board, core_alerts.today())
        self.push_screen(AlertsScreen(self.view, found, self.lang))

    def _checked_at(self, view: View) -> dt.datetime:
        """When the source last confirmed the data (a server's last answer)."""
        checked = self._unit_source().last_checked()
        return checked if checked is not None and not view.stale else view.loaded_at

    def on_snapshot_saved(self, message: SnapshotSaved) -> None:
        """Say where the snapshot went."""
        self.notify(t(self.lang, "saved", path=str(message.path)), markup=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place where worker failures are shown; the last good view stays."""
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        self.last_error = error
        if not isinstance(error, ChitieuError) or isinstance(error, InternalError):
            self._log_bug(error)
        if isinstance(error, ChitieuError):
            text = error.render(self.lang)
        else:
            text = t(self.lang, "err.internal", what=type(error).__name__)
        self.notify(text, severity="error", timeout=15, markup=False)
        if event.worker.group == "rollup" and self.collection is not None:
            if not self.collection.members:
                self.rollup.show_error(text)
            return
        if not any(isinstance(s, DashboardScreen) for s in self.screen_stack):
            return
        if event.worker.group == "load":
            self.load_error = error
        if event.worker.group == "load" and self.view is not None:
            header = self.dashboard.query_one(HeaderBar)
            header.show(self.view, self.now(), self._checked_at(self.view), failing=True)
        if event.worker.group == "load" and self.view is None:
            text = f"{text}\n\n{self._unit_source().retry_hint().text(self.lang)}"
            self.dashboard.show_error(text)

    def _handle_exception(self, error: Exception) -> None:
        """An exception no handler caught (a bug): the app ends at once, exit status 1, and
        `ended` words it from the catalog. Textual's own way renders a traceback with every
        local variable first; a half-built one (a Rich Style whose colour failed) made that
        fail too, and the app was left frozen, deaf to every key but Ctrl+Q."""
        if self.crashed is None:
            self.crashed = error
        try:
            self._return_code = 1
            if self._exception is None:  # Pilot raises it when the test leaves the app
                self._exception = error
                self._exception_event.set()
        finally:
            self._close_messages_no_wait()

    def _log_bug(self, error: BaseException | None) -> None:
        """A bug, not bad input: its traceback goes to stderr with CHITIEU_DEBUG=1."""
        if error is not None and os.environ.get("CHITIEU_DEBUG"):
            import traceback

            traceback.print_exception(error, file=sys.__stderr__)

    def on_open_detail(self, message: OpenDetail) -> None:
        """Show one indicator in full."""
        if self.view is not None and not isinstance(self.screen, DetailScreen):
            self._looked_at(message.indicator_id)
            self.push_screen(
                DetailScreen(self.view, message.indicator_id, self.lang, source=self.source)
            )

    def action_reload(self) -> None:
        """`r`."""
        self.reload()

    def action_snapshot(self) -> None:
        """`s`: write a snapshot of the period shown."""
        if self._on_rollup():
            return
        if self.view is None:
            self.notify(t(self.lang, "no_snapshot"), severity="warning")
        elif self.load_error is not None and not self.view.stale:
            self.notify(t(self.lang, "snapshot_failing"), severity="warning", markup=False)
        else:
            self._snapshot(self.view)

    def _period_bounds(self, shown: Period) -> tuple[Period, Period]:
        """How far `[` and `]` go: from the first quarter with data (the unit's; on the
        roll-up, any unit's) to the last one, or to the current quarter when that is later
        (where the next values are entered); `shown` when nothing has data."""
        if self._on_rollup() and self.collection is not None:
            have = sorted({p for m in self.collection.members if m.view for p in m.view.periods})
        else:
            have = sorted(self.view.periods) if self.view is not None else []
        if not have:
            return shown, max(shown, current_period())
        return have[0], max(have[-1], current_period())

    def action_period(self, step: int) -> None:
        """`[` and `]`: the previous or next quarter (on the roll-up: for every unit), within
        `_period_bounds` (a note says why a key does nothing there)."""
        rollup = self._on_rollup() and self.collection is not None
        if rollup and self.collection is not None:
            current = self.collection.period
        else:
            current = self.period or (self.view.period if self.view else None)
        if current is None:
            return
        target = current.prev() if step < 0 else current.next()
        first, last = self._period_bounds(current)
        if (step < 0 and target < first) or (step > 0 and target > last):
            edge, key = (first, "period_first") if step < 0 else (last, "period_last")
            if step > 0 and last == current_period():
                key = "period_current"
            self.notify(t(self.lang, key, period=edge.label(self.lang)), markup=False)
            return
        if rollup:
            self._load_rollup(target)
            return
        self.period = target
        self.reload()

    def action_today(self) -> None:
        """`t`: back to the default quarter (the newest with data, not after this one)."""
        if self._on_rollup() and self.collection is not None:
            self._load_rollup(None)
            return
        self.period = None  # the source's default; kept once loaded (on_view_loaded)
        self.reload()

    def action_enter(self) -> None:
        """`e`: enter a value for the indicator under the cursor."""
        if self.view is None or self._on_rollup():
            return
        if self.view.read_only or not isinstance(self.source, WritableSource):
            why = self.view.read_only_reason
            text = why.text(self.lang) if why is not None else t(self.lang, "e_read_only")
            self.notify(text, severity="warning", markup=False)
            return
        progress = self.view.board.progress
        if progress is not None and progress.closed is not None:
            msg = closed_msg("err.closed.refused", self.view.period, progress.closed)
            self.notify(msg.text(self.lang), severity="warning", markup=False)
            return
        indicator_id = self.dashboard.table.current_id()
        ev = self.view.board.get(indicator_id) if indicator_id else None
        if ev is None:
            self.notify(t(self.lang, "e_no_row"), severity="warning", markup=False)
            return

        def saved(ok: bool | None) -> None:
            if ok:
                self.reload()

        self.push_screen(EntryScreen(self.source, ev, self.lang), saved)

    def action_close_quarter(self) -> None:
        """`c`: close the quarter shown (with a reason), or reopen it when closed."""
        if self.view is None:
            return
        if self.view.read_only or not isinstance(self.source, ClosableSource):
            why = self.view.read_only_reason
            text = why.text(self.lang) if why is not None else t(self.lang, "e_read_only")
            self.notify(text, severity="warning", markup=False)
            return
        progress = self.view.board.progress
        closed = progress.closed if progress is not None else None

        def done(ok: bool | None) -> None:
            if ok:
                self.reload()

        from chitieu_tui.screens.close import CloseScreen

        missing = [
            ev.indicator.name for ev in self.view.board.evaluations if ev.status is Status.NO_DATA
        ]
        form = CloseScreen(self.source, self.view.period, closed, self.lang, missing=missing)
        self.push_screen(form, done)

    def action_help(self) -> None:
        """`?`."""
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.lang, rollup=self._on_rollup()))

    def action_help_quit(self) -> None:
        """Ctrl+C (which copies, never quits): say how to quit, in the reader's language."""
        for key, active in self.active_bindings.items():
            if active.binding.action in ("quit", "app.quit"):
                shown = active.binding.key_display or self.get_key_display(active.binding)
                text = t(self.lang, "quit_how", press=shown or key)
                self.notify(text, title=t(self.lang, "quit_title"), markup=False)
                return

    def action_command_palette(self) -> None:
        """Ctrl+P: Textual's palette, its own words (placeholder, no match) in ours."""
        from chitieu_tui.commands import LocalizedPalette

        if self.use_command_palette and not LocalizedPalette.is_open(self):
            self.push_screen(LocalizedPalette(self.lang, id="--command-palette"))


def preload(source: Source, period: Period | None) -> tuple[View, object] | None:
    """Read local data before the app starts, so its first frame has data: the view and the
    source's stamp taken before reading; None when the source has nothing to preload."""
    stamp = source.stamp(period)
    view = source.preload(period)
    return None if view is None else (view, stamp)


def run_app(source: Source, period: Period | None, lang: str) -> int:
    """Run the dashboard in the terminal; the exit status."""
    app = ChitieuApp(source, period, lang, initial=preload(source, period))
    app.persist_theme = True
    app.run()
    return ended(app)


def ended(app: ChitieuApp) -> int:
    """The exit status of an app that ran; when a bug ended it, that error, raised for the
    command line to word (the catalog's internal error, exit 1; its traceback with
    CHITIEU_DEBUG=1)."""
    error = app.crashed
    if error is None:
        return app.return_code or 0
    if isinstance(error, ChitieuError):
        raise error
    raise InternalError("err.internal_debug", what=type(error).__name__) from error


LIGHT_THEME = "textual-light"
"""The theme of `chitieu screenshot --light`: dark text on white, fit for a printed page."""


def save_screenshot(
    source: Source,
    output: Path,
    size: tuple[int, int],
    period: Period | None,
    lang: str,
    theme: str | None = None,
) -> Path:
    """Render the dashboard headless at `size`, once loaded, into an SVG file (in `theme`
    when given, e.g. LIGHT_THEME)."""
    import asyncio

    initial = preload(source, period)
    app = ChitieuApp(source, period, lang, initial=initial)

    async def render() -> str:
        async with app.run_test(size=size) as pilot:
            if theme is not None:
                app.theme = theme
                await pilot.pause()
            if initial is None:  # loaded by a worker: wait for it to reach the screen
                try:
                    await app.workers.wait_for_complete()
                except WorkerFailed:
                    pass  # shown on screen; raised below when nothing could be loaded
                await pilot.pause()
            svg = app.export_screenshot(title="chitieu")
            error = app.last_error if app.view is None else None
        if isinstance(error, ChitieuError):
            raise error
        return svg

    svg = asyncio.run(render())
    from chitieu_tui.core.atomic import atomic_write

    return atomic_write(Path(output), svg.encode("utf-8"))


def run_rollup(collection: Collection, period: Period | None, lang: str) -> int:
    """Run the roll-up in the terminal (files read before the first frame); the exit status."""
    preloaded = collection.discover is None
    if preloaded:
        collection.load(period)
    app = ChitieuApp(None, period, lang, collection=collection, preloaded=preloaded)
    app.persist_theme = True
    app.run()
    return ended(app)


def save_rollup_screenshot(
    collection: Collection,
    output: Path,
    size: tuple[int, int],
    lang: str,
    theme: str | None = None,
) -> Path:
    """Render the roll-up of a loaded collection headless at `size` into an SVG file."""
    import asyncio

    app = ChitieuApp(None, collection.period, lang, collection=collection, preloaded=True)

    async def render() -> str:
        async with app.run_test(size=size) as pilot:
            if theme is not None:
                app.theme = theme
            await pilot.pause()
            return app.export_screenshot(title="chitieu")

    svg = asyncio.run(render())
    from chitieu_tui.core.atomic import atomic_write

    return atomic_write(Path(output), svg.encode("utf-8"))


def __getattr__(name: str) -> ChitieuApp:
    """`app`: the dashboard of `./config` or the bundled sample, made when asked, for
    `textual run --dev chitieu_tui.app:app`."""
    if name != "app":
        raise AttributeError(name)
    from chitieu_tui.core.datadir import resolve_data_dir
    from chitieu_tui.core.source import FileSource
    from chitieu_tui.i18n import resolve_lang

    source = FileSource(resolve_data_dir(None))
    return ChitieuApp(source, None, resolve_lang(), initial=preload(source, None))
