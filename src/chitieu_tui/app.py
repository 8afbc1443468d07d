"""The Textual app: loads views in workers and shows them; `run_app` and `save_screenshot`."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable
from pathlib import Path

from textual import work
from textual.app import App
from textual.timer import Timer
from textual.worker import Worker, WorkerFailed, WorkerState

from chitieu_tui.core.errors import ChitieuError, InternalError
from chitieu_tui.core.journal import closed_msg
from chitieu_tui.core.periods import Period
from chitieu_tui.core.source import ClosableSource, Source, View, WritableSource
from chitieu_tui.i18n import t
from chitieu_tui.messages import OpenDetail, SnapshotSaved, ViewLoaded
from chitieu_tui.screens import DashboardScreen, DetailScreen, EntryScreen, HelpScreen
from chitieu_tui.screens.close import CloseScreen
from chitieu_tui.widgets import HeaderBar


def _local_now() -> dt.datetime:
    return dt.datetime.now().astimezone()


class ChitieuApp(App[int]):
    """The dashboard of one unit's targets, for a file or a remote source."""

    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "chitieu"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]

    def __init__(
        self,
        source: Source,
        period: Period | None = None,
        lang: str = "vi",
        *,
        now: Callable[[], dt.datetime] = _local_now,
        initial: tuple[View, object] | None = None,
    ) -> None:
        super().__init__()
        self._initial = initial
        self.source = source
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

    @property
    def dashboard(self) -> DashboardScreen:
        """The main screen (under any detail or help screen)."""
        return next(s for s in self.screen_stack if isinstance(s, DashboardScreen))

    async def on_mount(self) -> None:
        """Show the dashboard (with data when preloaded), load, and poll a remote source."""
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
        seconds = max(0.1, float(self.source.check_seconds))
        if self._poll is None or self._poll_seconds != seconds:
            if self._poll is not None:
                self._poll.stop()
            self._poll = self.set_interval(seconds, self._poll_tick)
            self._poll_seconds = seconds

    def _poll_tick(self) -> None:
        """Reload when the source says something changed, unless a load is still running."""
        if not self._loading() and self.source.stamp(self._shown_period()) != self._tried:
            self.reload()

    async def on_unmount(self) -> None:
        """Close the source's connections."""
        await self.source.aclose()

    def reload(self) -> None:
        """Load the current period again (from `r`, the poll timer or a change on disk)."""
        # Taken before reading, on this thread: a change during the read triggers another load.
        self._tried = self.source.stamp(self.period or self._shown_period())
        self._load(self.period)

    @work(exclusive=True, group="load", exit_on_error=False)
    async def _load(self, period: Period | None) -> None:
        self.post_message(ViewLoaded(await self.source.aload(period)))

    @work(thread=True, group="snapshot", exit_on_error=False)
    def _snapshot(self, view: View) -> None:
        self.post_message(SnapshotSaved(self.source.snapshot(view)))

    def on_view_loaded(self, message: ViewLoaded) -> None:
        """Keep the view, tell about new warnings, and show it."""
        view = message.view
        if view is self.view:  # nothing changed (a 304): only the freshness in the header
            self.dashboard.query_one(HeaderBar).show(view, self.now(), self._checked_at(view))
            return
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
        self._arm_poll()

    def _checked_at(self, view: View) -> dt.datetime:
        """When the source last confirmed the data (a server's last answer)."""
        checked = self.source.last_checked()
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
        if event.worker.group == "load":
            self.load_error = error
        if event.worker.group == "load" and self.view is not None:
            header = self.dashboard.query_one(HeaderBar)
            header.show(self.view, self.now(), self._checked_at(self.view), failing=True)
        if event.worker.group == "load" and self.view is None:
            text = f"{text}\n\n{self.source.retry_hint().text(self.lang)}"
            self.dashboard.show_error(text)

    def _log_bug(self, error: BaseException | None) -> None:
        """A bug, not bad input: its traceback goes to stderr with CHITIEU_DEBUG=1."""
        if error is not None and os.environ.get("CHITIEU_DEBUG"):
            import traceback

            traceback.print_exception(error, file=sys.__stderr__)

    def on_open_detail(self, message: OpenDetail) -> None:
        """Show one indicator in full."""
        if self.view is not None and not isinstance(self.screen, DetailScreen):
            self.push_screen(
                DetailScreen(self.view, message.indicator_id, self.lang, source=self.source)
            )

    def action_reload(self) -> None:
        """`r`."""
        self.reload()

    def action_snapshot(self) -> None:
        """`s`: write a snapshot of the period shown."""
        if self.view is None:
            self.notify(t(self.lang, "no_snapshot"), severity="warning")
        elif self.load_error is not None and not self.view.stale:
            self.notify(t(self.lang, "snapshot_failing"), severity="warning", markup=False)
        else:
            self._snapshot(self.view)

    def action_period(self, step: int) -> None:
        """`[` and `]`: the previous or next quarter."""
        current = self.period or (self.view.period if self.view else None)
        if current is not None:
            self.period = current.prev() if step < 0 else current.next()
            self.reload()

    def action_enter(self) -> None:
        """`e`: enter a value for the indicator under the cursor."""
        if self.view is None:
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

        self.push_screen(CloseScreen(self.source, self.view.period, closed, self.lang), done)

    def action_help(self) -> None:
        """`?`."""
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.lang))


def preload(source: Source, period: Period | None) -> tuple[View, object] | None:
    """Read local data before the app starts, so its first frame has data: the view and the
    source's stamp taken before reading; None when the source has nothing to preload."""
    stamp = source.stamp(period)
    view = source.preload(period)
    return None if view is None else (view, stamp)


def run_app(source: Source, period: Period | None, lang: str) -> int:
    """Run the dashboard in the terminal; the exit status."""
    app = ChitieuApp(source, period, lang, initial=preload(source, period))
    app.run()
    return app.return_code or 0


def save_screenshot(
    source: Source, output: Path, size: tuple[int, int], period: Period | None, lang: str
) -> Path:
    """Render the dashboard headless at `size`, once loaded, into an SVG file."""
    import asyncio

    initial = preload(source, period)
    app = ChitieuApp(source, period, lang, initial=initial)

    async def render() -> str:
        async with app.run_test(size=size) as pilot:
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
