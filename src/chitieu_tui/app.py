"""The Textual app: loads views in workers and shows them; `run_app` and `save_screenshot`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual import work
from textual.app import App
from textual.timer import Timer
from textual.worker import Worker, WorkerFailed, WorkerState, get_current_worker

from chitieu_tui.core.errors import ChitieuError
from chitieu_tui.core.periods import Period
from chitieu_tui.core.source import View
from chitieu_tui.i18n import t
from chitieu_tui.messages import OpenDetail, SnapshotSaved, ViewLoaded
from chitieu_tui.screens import DashboardScreen, DetailScreen, EntryScreen, HelpScreen
from chitieu_tui.widgets import HeaderBar

WATCH_SECONDS = 0.5
"""How often the file source is checked for changes on disk."""


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
        source: Any,
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
        self.is_remote = bool(getattr(source, "is_remote", False))
        self._poll: Timer | None = None
        self._poll_seconds = 0.0
        self._fingerprint: object = None
        self._watching = hasattr(source, "fingerprint") and not self.is_remote

    @property
    def dashboard(self) -> DashboardScreen:
        """The main screen (under any detail or help screen)."""
        return next(s for s in self.screen_stack if isinstance(s, DashboardScreen))

    async def on_mount(self) -> None:
        """Show the dashboard (with data when preloaded), load, and poll a remote source."""
        await self.push_screen(DashboardScreen(self.lang))
        if self._initial is not None:
            view, self._fingerprint = self._initial
            self._initial = None
            self.on_view_loaded(ViewLoaded(view))
        else:
            self.reload()
        self._arm_poll()
        if self._watching:
            self.set_interval(WATCH_SECONDS, self._watch_files)

    def _shown_period(self) -> Period | None:
        return self.period or (self.view.period if self.view else None)

    def _loading(self) -> bool:
        """True while a load worker runs."""
        return any(w.group == "load" and w.is_running for w in self.workers)

    def _watch_files(self) -> None:
        """Reload when a file shown on screen changed on disk (a few stat calls)."""
        if self._loading():
            return
        if self.source.fingerprint(self._shown_period()) != self._fingerprint:
            self.reload()

    def _arm_poll(self) -> None:
        """Poll a remote source every `refresh_seconds` (which the definitions may change)."""
        if not self.is_remote:
            return
        seconds = max(1.0, float(self.source.refresh_seconds))
        if self._poll is None or self._poll_seconds != seconds:
            if self._poll is not None:
                self._poll.stop()
            self._poll = self.set_interval(seconds, self._poll_tick)
            self._poll_seconds = seconds

    def _poll_tick(self) -> None:
        """Reload unless a load is still running."""
        if not self._loading():
            self.reload()

    async def on_unmount(self) -> None:
        """Close a remote source's connections."""
        if self.is_remote:
            await self.source.aclose()

    def reload(self) -> None:
        """Load the current period again (from `r`, the poll timer or a file watcher)."""
        if self.is_remote:
            self._load_remote(self.period)
        else:
            self._load_file(self.period)

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def _load_file(self, period: Period | None) -> None:
        if self._watching:
            # Taken before reading: a change during the read triggers another load.
            self._fingerprint = self.source.fingerprint(period or self._shown_period())
        view = self.source.load(period)
        if not get_current_worker().is_cancelled:
            self.post_message(ViewLoaded(view))

    @work(exclusive=True, group="load", exit_on_error=False)
    async def _load_remote(self, period: Period | None) -> None:
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
        if self.load_error is not None and self._watching:
            self.notify(t(self.lang, "reloaded"), markup=False)
        self.last_error = self.load_error = None
        if self._watching and self.period is None:
            self.period = view.period  # stay on this quarter when a newer file appears
        for warning in view.warnings:
            text = str(warning)
            if text not in self._warned:
                self._warned.add(text)
                self.notify(text, severity="warning", timeout=10, markup=False)
        self.dashboard.show_view(view, self.now(), self._checked_at(view))
        self._arm_poll()

    def _checked_at(self, view: View) -> dt.datetime:
        """When the source last confirmed the data (a remote source's last answer)."""
        checked = getattr(self.source, "checked_at", None)
        return checked if isinstance(checked, dt.datetime) and not view.stale else view.loaded_at

    def on_snapshot_saved(self, message: SnapshotSaved) -> None:
        """Say where the snapshot went."""
        self.notify(t(self.lang, "saved", path=str(message.path)), markup=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place where worker failures are shown; the last good view stays."""
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        self.last_error = error
        if isinstance(error, ChitieuError):
            text = str(error)
        else:
            text = f"{type(error).__name__}: {error}"
        self.notify(text, severity="error", timeout=15, markup=False)
        if event.worker.group == "load":
            self.load_error = error
        if event.worker.group == "load" and self.view is not None:
            header = self.dashboard.query_one(HeaderBar)
            header.show(self.view, self.now(), self._checked_at(self.view), failing=True)
        if event.worker.group == "load" and self.view is None:
            if self.is_remote:
                seconds = max(1, round(float(self.source.refresh_seconds)))
                text = f"{text}\n\n{t(self.lang, 'retry_hint', n=seconds)}"
            self.dashboard.show_error(text)

    def on_open_detail(self, message: OpenDetail) -> None:
        """Show one indicator in full."""
        if self.view is not None and not isinstance(self.screen, DetailScreen):
            self.push_screen(DetailScreen(self.view, message.indicator_id, self.lang))

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
        if self.view.read_only or not hasattr(self.source, "enter"):
            reason = getattr(self.source, "read_only_reason", None)
            why = reason.text(self.lang) if reason else t(self.lang, "e_read_only")
            self.notify(why, severity="warning", markup=False)
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

    def action_help(self) -> None:
        """`?`."""
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.lang))


def preload(source: Any, period: Period | None) -> tuple[View, object] | None:
    """Read a file source before the app starts, so its first frame has data.

    Returns the view and the files' fingerprint taken before reading; None when
    the source is remote or the files are broken (the app then loads and reports).
    """
    if getattr(source, "is_remote", False) or not hasattr(source, "fingerprint"):
        return None
    try:
        stamp = source.fingerprint(period)
        view = source.load(period)
    except ChitieuError:
        return None
    return view, stamp


def run_app(source: Any, period: Period | None, lang: str) -> int:
    """Run the dashboard in the terminal; the exit status."""
    app = ChitieuApp(source, period, lang, initial=preload(source, period))
    app.run()
    return app.return_code or 0


def save_screenshot(
    source: Any, output: Path, size: tuple[int, int], period: Period | None, lang: str
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
