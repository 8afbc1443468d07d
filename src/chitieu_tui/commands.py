"""The command palette's own commands (a textual.command Provider), screenshots and themes."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.align import Align
from rich.text import Text
from textual.command import CommandList, CommandPalette, DiscoveryHit, Hit, Hits, Provider
from textual.widgets.option_list import Option

from chitieu_tui.i18n import LANGS, fold, t

if TYPE_CHECKING:
    from chitieu_tui.app import ChitieuApp


def _app(provider: Provider) -> ChitieuApp:
    from chitieu_tui.app import ChitieuApp

    app = provider.app
    assert isinstance(app, ChitieuApp)
    return app


class LocalizedPalette(CommandPalette):
    """Textual's command palette with its own words in the app's language: the placeholder
    (a constructor argument) and *No matches found* (drawn by a private countdown of
    Textual 8's CommandPalette, reproduced here with the catalog's words)."""

    def __init__(self, lang: str = "vi", **kwargs: Any) -> None:
        super().__init__(placeholder=t(lang, "palette.placeholder"), **kwargs)
        self.lang = lang

    def _start_no_matches_countdown(self, search_value: str) -> None:
        self._stop_no_matches_countdown()

        def show_no_matches() -> None:
            if search_value:
                words = Text(t(self.lang, "palette.no_matches"), style="not bold")
                self.query_one(CommandList).add_option(
                    Option(Align.center(words), disabled=True, id=self._NO_MATCHES)
                )
                self._list_visible = True
            else:
                self._list_visible = False

        self._no_matches_timer = self.set_timer(self._NO_MATCHES_COUNTDOWN, show_no_matches)


class ChitieuCommands(Provider):
    """reload, snapshot, quarters, behind only, go to an indicator, enter a value, close or
    reopen the quarter, alerts, language, theme and screenshot, in the app's language."""

    def _commands(self) -> list[tuple[str, str, Callable[[], Any]]]:
        app = _app(self)
        lang = app.lang
        other = next(code for code in LANGS if code != lang)
        found: list[tuple[str, str, Callable[[], Any]]] = [
            (t(lang, "cmd.reload"), t(lang, "cmd.reload_help"), app.action_reload),
            (t(lang, "cmd.prev"), t(lang, "cmd.prev_help"), partial(app.action_period, -1)),
            (t(lang, "cmd.next"), t(lang, "cmd.next_help"), partial(app.action_period, 1)),
        ]
        if not app._on_rollup():
            found += [
                (t(lang, "cmd.snapshot"), t(lang, "cmd.snapshot_help"), app.action_snapshot),
                (t(lang, "cmd.behind"), t(lang, "cmd.behind_help"), partial(toggle_behind, app)),
                (t(lang, "cmd.enter"), t(lang, "cmd.enter_help"), app.action_enter),
                _close_command(app),
                (t(lang, "cmd.alerts"), t(lang, "cmd.alerts_help"), app.action_alerts),
            ]
        found += [
            (
                t(lang, "cmd.language"),
                t(lang, "cmd.language_help", language=t(lang, f"lang_name.{other}")),
                lambda: app.run_worker(switch_language(app, other)),
            ),
            (t(lang, "cmd.theme"), t(lang, "cmd.theme_help"), app.action_change_theme),
            (t(lang, "cmd.screenshot"), t(lang, "cmd.screenshot_help"), partial(screenshot, app)),
            (t(lang, "cmd.help"), t(lang, "cmd.help_help"), app.action_help),
        ]
        return found

    def _indicators(self) -> list[tuple[str, str, Callable[[], Any]]]:
        app = _app(self)
        if app.view is None or app._on_rollup():
            return []
        lang = app.lang
        return [
            (
                t(lang, "cmd.goto", name=ev.indicator.name),
                t(lang, "cmd.goto_help", id=ev.indicator.id),
                partial(go_to, app, ev.indicator.id),
            )
            for ev in app.view.board.evaluations
        ]

    async def discover(self) -> Hits:
        """The commands, before anything is typed."""
        for name, help_text, command in self._commands():
            yield DiscoveryHit(name, command, help=help_text)

    async def search(self, query: str) -> Hits:
        """Fuzzy over the commands and the indicators' names (accents optional)."""
        matcher = self.matcher(fold(query))
        plain = self.matcher(query)
        for name, help_text, command in self._commands() + self._indicators():
            score = matcher.match(fold(name))
            if score > 0:
                shown = plain.highlight(name) if plain.match(name) > 0 else name
                yield Hit(score, shown, command, text=name, help=help_text)


def _close_command(app: ChitieuApp) -> tuple[str, str, Callable[[], Any]]:
    """Close the quarter shown, or reopen it when it is closed (as `c`)."""
    lang = app.lang
    progress = app.view.board.progress if app.view is not None else None
    if progress is not None and progress.closed is not None:
        return (t(lang, "cmd.reopen"), t(lang, "cmd.reopen_help"), app.action_close_quarter)
    return (t(lang, "cmd.close"), t(lang, "cmd.close_help"), app.action_close_quarter)


def toggle_behind(app: ChitieuApp) -> None:
    """Only the indicators behind (toggle), as `b`."""
    app.dashboard.action_behind()


def go_to(app: ChitieuApp, indicator_id: str) -> None:
    """Put the cursor on an indicator (clearing a filter or *behind only* that hides it)."""
    table = app.dashboard.table
    if indicator_id not in table.indicator_ids():
        if table.behind_only:
            table.toggle_behind()
        if table.query_text:
            app.dashboard.action_clear_filter()
    if indicator_id in table.indicator_ids():
        table.move_cursor(row=table.get_row_index(indicator_id), animate=False, scroll=True)
        table.focus()


async def switch_language(app: ChitieuApp, lang: str) -> None:
    """Word the app in `lang`: its screens are made again and shown with the same data."""
    from chitieu_tui.screens import DashboardScreen
    from chitieu_tui.screens.rollup import RollupScreen

    app.lang = lang
    ours = (DashboardScreen, RollupScreen)
    stack = [s for s in app.screen_stack if isinstance(s, ours)]
    if not stack:
        return
    while app.screen is not stack[0]:
        await app.pop_screen()
    had_unit = any(isinstance(s, DashboardScreen) for s in stack)
    if isinstance(stack[0], RollupScreen) and app.collection is not None:
        await app.switch_screen(RollupScreen(lang))
        app.rollup.show(app.collection)
        if not had_unit or app.view is None:
            return
        await app.push_screen(DashboardScreen(lang))
    else:
        await app.switch_screen(DashboardScreen(lang))
    if app.view is not None:
        app.dashboard.show_view(app.view, app.now(), app._checked_at(app.view))
        app.dashboard.table.set_marks(app.marked)


def screenshot_folder() -> Path:
    """Where the palette's screenshots go: the user data folder's `screenshots/`."""
    from platformdirs import user_data_path

    return user_data_path("chitieu-tui") / "screenshots"


def screenshot(app: ChitieuApp) -> None:
    """Save an SVG of the screen and say where (in a browser: download it)."""
    if app.is_web:
        app.deliver_screenshot()
        return
    folder = screenshot_folder()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        path = app.save_screenshot(path=str(folder))
    except OSError as exc:
        from chitieu_tui.core.oserrors import os_reason

        text = t(app.lang, "screenshot.failed", path=str(folder), reason=os_reason(exc))
        app.notify(text, severity="error", markup=False)
        return
    app.notify(t(app.lang, "screenshot.saved", path=path), markup=False, timeout=10)


def default_theme(color_system: str | None, colorfgbg: str | None = None) -> str | None:
    """With 16 colours or fewer, a theme of the terminal's own colours (its default
    foreground and background: readable on light and dark terminals; `ansi-light` when
    COLORFGBG says the background is light); else None (Textual's default)."""
    if color_system not in ("standard", "windows"):
        return None
    background = (colorfgbg or "").split(";")[-1]
    return "ansi-light" if background in ("7", "15") else "ansi-dark"


def start(app: ChitieuApp) -> None:
    """On mount: the settings' theme (CHITIEU_THEME, the file's, else the fallback for 16
    colours), and (when the app persists it) save each theme the user picks afterwards:
    never the one it started with (a fallback saved would follow the user to every other
    terminal, CHITIEU_THEME saved would outlive the variable)."""
    from chitieu_tui import settings

    name = settings.theme()
    if name is None and not app.is_headless:
        import os

        fallback = default_theme(app.console.color_system, os.environ.get("COLORFGBG"))
        if fallback in app.available_themes:
            app.theme = fallback
    elif name is not None and name in app.available_themes:
        app.theme = name
    elif name is not None:
        app.notify(t(app.lang, "theme.unknown", name=name), severity="warning", markup=False)
    if app.persist_theme:

        def persist(theme: Any) -> None:
            try:
                settings.save_theme(theme.name)
            except Exception as exc:  # a settings folder not writable: say so, keep going
                from chitieu_tui.present.failure import worded

                app.notify(worded(exc, app.lang), severity="warning", markup=False)

        # Setting `app.theme` above publishes its change on the next callback: subscribing
        # after it hears only the changes that come later, the user's.
        app.call_next(app.theme_changed_signal.subscribe, app, persist)
