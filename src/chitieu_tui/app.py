"""The Textual app, a shell around the screens that own the data; `run_app`, `run_rollup`
and the screenshots."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import os
import threading
import zlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.terminal_theme import TerminalTheme
from textual import work
from textual.app import App, SystemCommand
from textual.pilot import Pilot
from textual.screen import Screen
from textual.theme import Theme
from textual.worker import Worker, WorkerFailed, WorkerState

from chitieu_tui import settings as settings_file
from chitieu_tui.commands import LocalizedPalette, default_theme, screenshot_folder
from chitieu_tui.core.atomic import atomic_write
from chitieu_tui.core.errors import ChitieuError, InternalError
from chitieu_tui.core.oserrors import os_reason
from chitieu_tui.core.periods import Period
from chitieu_tui.core.source import CachingSource, Source, View
from chitieu_tui.i18n import LANGS, current, resolve_lang, t, use
from chitieu_tui.present.failure import worded
from chitieu_tui.present.time import local_now
from chitieu_tui.screens.controller import Command, Controller, ListedCommands
from chitieu_tui.settings import AppSettings
from chitieu_tui.themes import install

if TYPE_CHECKING:  # the roll-up is imported when first used
    from chitieu_tui.core.collection import Collection
    from chitieu_tui.core.rowcache import Frame, FrameCheck


class AppCommands(ListedCommands):
    """The app's own palette commands (besides the screen's): language, theme, screenshot."""

    def _listed(self, searching: bool) -> list[Command]:
        app = self.app
        if not isinstance(app, ChitieuApp):
            return []
        lang = current()
        other = next(code for code in LANGS if code != lang)
        return [
            (
                t("cmd.language"),
                t("cmd.language_help", language=t(f"lang_name.{other}")),
                lambda: app.run_worker(app.switch_language(other)),
            ),
            (t("cmd.theme"), t("cmd.theme_help"), app.action_change_theme),
            (t("cmd.screenshot"), t("cmd.screenshot_help"), app.take_screenshot),
        ]


class ChitieuApp(App[int]):
    """The shell: the theme, the settings, screenshots, the language and the first screen,
    a unit's dashboard (`source`) or, with a `collection`, the roll-up of many units. The
    screens own what they show (their source, view, workers, keys and commands)."""

    CSS_PATH = Path(__file__).with_name("app.tcss")
    TITLE = "chitieu"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]
    COMMANDS = App.COMMANDS | {AppCommands}

    def __init__(
        self,
        source: Source | None,
        period: Period | None = None,
        *,
        now: Callable[[], dt.datetime] = local_now,
        initial: tuple[View, object] | None = None,
        collection: Collection | None = None,
        preloaded: bool = False,
        settings: AppSettings | None = None,
        frame: Frame | None = None,
        read: bool = True,
        check: FrameCheck | None = None,
    ) -> None:
        """`settings`: read by the command line before (None: no theme, none saved)."""
        super().__init__()
        install(self)
        self._source = source
        self._collection = collection
        self._period = period
        self._initial = initial
        self._preloaded = preloaded
        """The collection was read before the app started (its first frame has data)."""
        self._frame = frame
        """The roll-up's cached frame, shown until the units are read (core/rowcache.py)."""
        self._read = read
        """False: the frame's units are never read (a screenshot of it, no key pressed)."""
        self._check = check
        """The frame's units' files being checked (`FrameCheck`; None: checked before)."""
        self.now = now
        self.settings = settings or AppSettings()
        self.persist_theme = self.settings.save_theme
        """Save a theme chosen in the app to the settings file."""
        self._warned: set[str] = set()
        self.crashed: Exception | None = None
        """The exception no handler caught, which ended the app (a bug; see `ended`)."""

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Textual's palette commands, but theme and screenshot: ours (AppCommands) word
        them and save the screenshot where the user can write."""
        for command in super().get_system_commands(screen):
            if command.title not in ("Theme", "Screenshot"):
                yield command

    async def on_mount(self) -> None:
        """The theme, then the first screen: the roll-up, or the unit's dashboard."""
        self._start_theme()
        if self._collection is not None:
            # lazy: the roll-up's screen, widgets and statistics (~30 ms), only for a roll-up
            from chitieu_tui.screens.rollup import RollupScreen

            rollup = RollupScreen(
                self._collection,
                period=self._period,
                preloaded=self._preloaded,
                now=self.now,
                warned=self._warned,
                frame=self._frame,
                read=self._read,
                check=self._check,
            )
            await self.push_screen(rollup)
        elif self._source is not None:
            # lazy: the unit's dashboard, not loaded for a roll-up (it loads it on Enter)
            from chitieu_tui.screens.dashboard import DashboardScreen

            first = DashboardScreen(
                self._source,
                period=self._period,
                initial=self._initial,
                now=self.now,
                warned=self._warned,
            )
            self._initial = None
            await self.push_screen(first)

    async def on_unmount(self) -> None:
        """Close the source's connections."""
        if self._collection is not None:
            await self._collection.aclose()
        elif self._source is not None:
            await self._source.aclose()

    # -- the theme -------------------------------------------------------------------------

    def _start_theme(self) -> None:
        """The settings' theme (CHITIEU_THEME, the file's, else the fallback for 16 colours),
        and (when the app persists it) save each theme the user picks afterwards: never the
        one it started with (a fallback saved would follow the user to every other terminal,
        CHITIEU_THEME saved would outlive the variable)."""
        name = self.settings.theme
        if name is None and not self.is_headless:
            fallback = default_theme(self.console.color_system, os.environ.get("COLORFGBG"))
            if fallback in self.available_themes:
                self.theme = fallback
        elif name is not None and name in self.available_themes:
            self.theme = name
        elif name is not None:
            self.notify(t("theme.unknown", name=name), severity="warning", markup=False)
        if self.persist_theme:
            # Setting `theme` above publishes its change on the next callback: subscribing
            # after it hears only the changes that come later, the user's.
            self.call_next(self.theme_changed_signal.subscribe, self, self._save_theme)

    def _save_theme(self, theme: Theme) -> None:
        if self.persist_theme:
            self._write_theme(theme.name)

    @work(thread=True, group="settings", exit_on_error=False, description="settings")
    def _write_theme(self, name: str) -> None:
        """The settings file written in a thread (a slow disk never holds a frame)."""
        settings_file.save_theme(name)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The app's own workers (saving the theme): a failure is a warning, never fatal."""
        if event.state is WorkerState.ERROR and event.worker.group == "settings":
            text = worded(event.worker.error)  # type: ignore[arg-type]
            self.notify(text, severity="warning", markup=False)

    # -- language, screenshots, keys of every screen --------------------------------------

    async def switch_language(self, lang: str) -> None:
        """Word the app in `lang`: its screens are made again and shown with the same data."""
        use(lang)
        stack = [s for s in self.screen_stack if isinstance(s, Controller)]
        if not stack:
            return
        base, *above = stack
        while self.screen is not base:
            await self.pop_screen()
        made = base.again()
        await self.switch_screen(made)
        for screen in above:
            await made.reopen(screen.again())
            made = screen

    def take_screenshot(self) -> None:
        """Save an SVG of the screen and say where (in a browser: download it)."""
        if self.is_web:
            self.deliver_screenshot()
            return
        folder = screenshot_folder()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = self.save_screenshot(path=str(folder))
        except OSError as exc:
            text = t("screenshot.failed", path=str(folder), reason=os_reason(exc))
            self.notify(text, severity="error", markup=False)
            return
        self.notify(t("screenshot.saved", path=path), markup=False, timeout=10)

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

    def action_help_quit(self) -> None:
        """Ctrl+C (which copies, never quits): say how to quit, in the reader's language."""
        for key, active in self.active_bindings.items():
            if active.binding.action in ("quit", "app.quit"):
                shown = active.binding.key_display or self.get_key_display(active.binding)
                text = t("quit_how", press=shown or key)
                self.notify(text, title=t("quit_title"), markup=False)
                return

    def action_command_palette(self) -> None:
        """Ctrl+P: Textual's palette, its own words (placeholder, no match) in ours."""
        if self.use_command_palette and not LocalizedPalette.is_open(self):
            self.push_screen(LocalizedPalette(id="--command-palette"))


def preload(source: Source, period: Period | None) -> tuple[View, object] | None:
    """Read local data before the app starts, so its first frame has data: the view and the
    source's stamp taken before reading; None when the source has nothing to preload."""
    stamp = source.stamp(period)
    view = source.preload(period)
    return None if view is None else (view, stamp)


def save_cache_first(source: Source, initial: object) -> threading.Thread | None:
    """A unit read before the app starts: its parse cache encoded and written here, before
    the first frame (about 0.1 s at 50,000 indicators; encoded by a thread beside the frame it
    took as long, the GIL shared, and the frame's peak held 11 MiB more), and finished (the
    file's digest, its sync and rename: no object touched, the GIL let go of) by a thread
    while the app starts and draws; that thread, joined before the command ends (the cache
    file whole when it does, as before). None: nothing to save (the dashboard's own save
    after its first frame then finds nothing either)."""
    if initial is None or not isinstance(source, CachingSource) or not source.unsaved():
        return None
    finish = source.begin_save_cache()
    if finish is None:
        return None
    saving = threading.Thread(target=finish, name="cache-save", daemon=True)
    saving.start()
    return saving


def run_app(source: Source, period: Period | None, settings: AppSettings | None = None) -> int:
    """Run the dashboard in the terminal (with the settings the command line read); the
    exit status."""
    initial = preload(source, period)
    saving = save_cache_first(source, initial)
    try:
        app = ChitieuApp(source, period, initial=initial, settings=settings)
        app.run()
    finally:
        if saving is not None:
            saving.join()
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
    theme: str | None = None,
    press: list[str] | None = None,
) -> Path:
    """Render the dashboard headless at `size`, once loaded, into an SVG file (in `theme`
    when given, e.g. LIGHT_THEME), after pressing the keys `press` (Textual's key names:
    `1`, `enter`, `down`)."""
    initial = preload(source, period)
    saving = save_cache_first(source, initial)
    app = ChitieuApp(source, period, initial=initial)

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
            await _press(pilot, press)
            svg = export_svg(app)
            shown = app.screen
            # lazy: loaded by now (the screenshot's first screen)
            from chitieu_tui.screens.dashboard import DashboardScreen

            failed = isinstance(shown, DashboardScreen) and shown.view is None
            error = shown.last_error if failed and isinstance(shown, DashboardScreen) else None
        if isinstance(error, ChitieuError):
            raise error
        return svg

    try:
        svg = asyncio.run(render())
    finally:
        if saving is not None:
            saving.join()
    return atomic_write(Path(output), svg.encode("utf-8"))


def run_rollup(
    collection: Collection,
    period: Period | None,
    settings: AppSettings | None = None,
    apart: bool = False,
) -> int:
    """Run the roll-up in the terminal (files read before the first frame, unless the
    roll-up has a cached frame: then it is shown at once, marked until its units' files are
    found unchanged (else put away), and the units are read after it); the exit status.
    `apart`: the frame's check may run in a forked child (chitieu's own process)."""
    # lazy: the roll-up's cache, only for a roll-up
    from chitieu_tui.core.rowcache import FrameCheck, unchecked_frame

    preloaded = collection.discover is None
    frame = unchecked_frame(collection, period) if preloaded else None
    check = FrameCheck(collection, frame, apart=apart) if frame is not None else None
    if preloaded and frame is None:
        # lazy: the cold frame's workers, only for a roll-up without a cached frame
        from chitieu_tui.present.coldframe import cold_frame

        cold = cold_frame(collection, period)
        frame = cold.frame if cold is not None else None
    if preloaded and frame is None:
        collection.load(period)
    app = ChitieuApp(
        None,
        period,
        collection=collection,
        preloaded=preloaded and frame is None,
        settings=settings,
        frame=frame,
        check=check,
    )
    app.run()
    return ended(app)


_UNIQUE = "terminal-chitieu-unique-id"
"""Written where the SVG's unique id goes, then replaced (`export_svg`)."""


def export_svg(app: App[Any], title: str = "chitieu", theme: TerminalTheme | None = None) -> str:
    """The screen as SVG, as `App.export_screenshot` makes it, but for the SVG's unique id
    (the prefix of its CSS classes, `terminal-<n>`): Rich derives it from the repr of every
    segment drawn (8 ms of a 120x40 screenshot); here it is the adler32 of the SVG itself,
    written with a placeholder id. Same content, same id; tests/test_startup.py checks that
    the SVG is otherwise Textual's own. `theme`: the terminal palette the SVG draws ANSI
    colours in (Rich's dark one when None)."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    screen_render = app.screen._compositor.render_update(
        full=True, screen_stack=app._background_screens
    )
    console.print(screen_render)
    svg = console.export_svg(title=title, theme=theme, unique_id=_UNIQUE)
    return svg.replace(_UNIQUE, f"terminal-{zlib.adler32(svg.encode('utf-8'))}")


async def _press(pilot: Pilot[ChitieuApp], keys: list[str] | None) -> None:
    """`chitieu screenshot --press`: the keys, one by one, each followed by its work done."""
    for key in keys or []:
        await pilot.press(key)
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerFailed:
            pass  # shown on screen, as for a person
        await pilot.pause()


def save_rollup_screenshot(
    collection: Collection,
    output: Path,
    size: tuple[int, int],
    theme: str | None = None,
    press: list[str] | None = None,
    frame: Frame | None = None,
    asked: Period | None = None,
    opened: bool = False,
    check: FrameCheck | None = None,
) -> Path:
    """Render the roll-up of a loaded collection headless at `size` into an SVG file (after
    pressing `press`). `opened`: the collection was opened at `asked` (the period given,
    None for the default; the roll-up's cache is keyed by it); with a cached `frame` (not
    read yet), the frame is rendered, and the units are read after it when keys are pressed
    (else the screenshot is of the first frame: nothing else is needed). `check`: the
    frame's units' files being checked: the file is written once it says they are
    unchanged, else of the units read."""
    period = asked if frame is not None or opened else collection.period
    app = ChitieuApp(
        None,
        period,
        collection=collection,
        preloaded=frame is None,
        frame=frame,
        read=bool(press),
        check=check,
    )

    async def render() -> str:
        async with app.run_test(size=size) as pilot:
            if theme is not None:
                app.theme = theme
            # lazy: the roll-up's screen, imported by the app when it mounted it
            from chitieu_tui.screens.rollup import RollupScreen

            screen = app.screen
            if check is not None and isinstance(screen, RollupScreen):
                # never saved before known true; its messages handled, not an idle wait
                # (which lasts as long as the check's thread works)
                await pilot.pause(0 if await screen.settled() else None)
            else:
                await pilot.pause()
            await _press(pilot, press)
            return export_svg(app)

    svg = asyncio.run(render())
    return atomic_write(Path(output), svg.encode("utf-8"))


def __getattr__(name: str) -> ChitieuApp:
    """`app`: the dashboard of `./config` or the bundled sample, made when asked, for
    `textual run --dev chitieu_tui.app:app`."""
    if name != "app":
        raise AttributeError(name)
    # lazy: the file stack, only for `textual run --dev` (the CLI hands the app its source)
    from chitieu_tui.core.datadir import resolve_data_dir
    from chitieu_tui.core.filesource import FileSource

    use(resolve_lang())
    source = FileSource(resolve_data_dir(None), own_cache=True)
    return ChitieuApp(source, None, initial=preload(source, None))
