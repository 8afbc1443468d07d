"""Textual conventions: the palette's own commands, themes kept, screenshots, the key line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.command import CommandPalette
from tuikit import PaletteCommands, RecordingApp, dash, settle

from chitieu_tui import settings
from chitieu_tui.app import ChitieuApp, preload
from chitieu_tui.commands import default_theme
from chitieu_tui.core.datadir import BUNDLED
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.i18n import current, use
from chitieu_tui.screens import DashboardScreen
from chitieu_tui.widgets import KeyBar


def make(
    lang: str = "vi",
    cls: type[ChitieuApp] = RecordingApp,
    read: settings.AppSettings | None = None,
) -> ChitieuApp:
    use(lang)  # the process's language, as the CLI sets it
    source = FileSource(BUNDLED)
    return cls(source, None, initial=preload(source, None), settings=read)


async def hits(app: ChitieuApp, query: str) -> list[str]:
    provider = PaletteCommands(app.screen)
    return [str(hit.text) async for hit in provider.search(query)]


async def test_the_palette_offers_the_apps_commands_in_its_language() -> None:
    app = make("en")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        provider = PaletteCommands(app.screen)
        names = [str(hit.display) async for hit in provider.discover()]
        for name in ("Reload", "Save a snapshot", "Previous quarter", "Next quarter"):
            assert name in names
        assert "Behind only" in names and "Enter a value" in names
        assert "Switch language" in names and "Change theme" in names
        assert "Screenshot" in names
    vi = make("vi")
    async with vi.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        provider = PaletteCommands(vi.screen)
        names = [str(hit.display) async for hit in provider.discover()]
        assert "Làm mới" in names and "Quý trước" in names and "Đổi ngôn ngữ" in names


async def test_go_to_an_indicator_by_name_accents_optional() -> None:
    app = make("vi")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        found = await hits(app, "bhyt")
        assert any("BHYT" in h for h in found)
        found = await hits(app, "ket nap")
        assert found and found[0].startswith("Đến: Kết nạp")
        provider = PaletteCommands(app.screen)
        hit = [h async for h in provider.search("ket nap dang vien")][0]
        dash(app).table.toggle_behind()
        dash(app).table.set_query("bhyt")
        hit.command()
        await pilot.pause()
        assert dash(app).table.current_id() == "ket-nap-dang-vien"


async def test_palette_commands_run(tmp_path: Path) -> None:
    app = make("vi")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        provider = PaletteCommands(app.screen)
        by_name = {str(h.display): h async for h in provider.discover()}
        period = dash(app).view.period if dash(app).view else None
        by_name["Quý trước"].command()
        await settle(pilot)
        assert (
            dash(app).view is not None
            and period is not None
            and dash(app).view.period == period.prev()
        )
        by_name["Chỉ hiện chỉ tiêu chậm"].command()
        await pilot.pause()
        assert dash(app).table.behind_only


async def test_switching_language_rewords_the_screen() -> None:
    app = make("vi")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        provider = PaletteCommands(app.screen)
        by_name = {str(h.display): h async for h in provider.discover()}
        by_name["Đổi ngôn ngữ"].command()
        await settle(pilot)
        assert current() == "en"
        screen = app.screen
        assert isinstance(screen, DashboardScreen)
        keys = screen.query_one(KeyBar)
        assert "quit" in str(keys.render())
        assert "On track" in app.export_screenshot() or "Behind" in app.export_screenshot()


async def test_the_palette_opens_with_our_commands() -> None:
    app = make("en")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        app.action_command_palette()
        await pilot.pause()
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"reload")
        from textual.widgets import OptionList

        options = app.screen.query_one(OptionList)
        for _ in range(50):
            await pilot.pause(0.05)
            if options.option_count:
                break
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any("Reload" in p for p in prompts), prompts


async def test_screenshot_goes_to_the_user_data_folder(xdg: Path) -> None:
    app = make("en")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        provider = PaletteCommands(app.screen)
        by_name = {str(h.display): h async for h in provider.discover()}
        by_name["Screenshot"].command()
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
    shots = list((xdg / "chitieu-tui" / "screenshots").glob("*.svg"))
    assert len(shots) == 1 and "<svg" in shots[0].read_text(encoding="utf-8")
    assert any("Screenshot saved" in text for _, text in app.notes)  # type: ignore[attr-defined]
    assert "Screenshot" not in titles and "Theme" not in titles


async def test_the_chosen_theme_persists_and_comes_back() -> None:
    app = make("en", read=settings.app_settings())  # read by the CLI
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.theme = "textual-light"
        await settle(pilot)  # saved in a thread worker
    assert settings.read_file()[0].theme == "textual-light"
    again = make("en", read=settings.app_settings())
    async with again.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert again.theme == "textual-light"


async def test_a_test_app_does_not_write_the_settings() -> None:
    app = make("en")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        app.theme = "textual-light"
        await pilot.pause()
    assert not settings.settings_path().exists()


def test_sixteen_colours_use_the_terminals_own_colours() -> None:
    assert default_theme("standard") == "ansi-dark"
    assert default_theme("standard", "0;15") == "ansi-light"
    assert default_theme("truecolor") is None and default_theme("256") is None


async def test_group_counts_keep_a_visible_colour_after_a_theme_switch() -> None:
    app = make("vi")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        dash(app).action_help()
        await pilot.pause()
        app.theme = "textual-light"
        await pilot.pause()
        app.pop_screen()
        await settle(pilot)
        table = dash(app).table
        cell: Any = table.get_cell("group:xay-dung-dang", "status")
        style = cell.style
        want = table.get_component_rich_style("indicator-table--muted", partial=True)
        assert str(style) == str(want)
        assert style.color is not None and style.color.triplet is not None
        assert sum(style.color.triplet) < 3 * 160  # dark text on the light theme


@pytest.mark.parametrize("size", [(60, 20), (80, 24), (120, 30)])
async def test_the_key_line_always_shows_help(size: tuple[int, int]) -> None:
    app = make("vi")
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        keys = dash(app).query_one(KeyBar)
        shown = keys.keys()
        assert "?" in shown and "q" in shown
        assert keys.render().cell_length <= size[0] + 1
        if size[0] >= 120:
            assert "o" in shown and "Enter" in shown


def test_a_module_level_app_for_textual_run() -> None:
    import chitieu_tui.app as module

    assert isinstance(module.app, ChitieuApp)
    with pytest.raises(AttributeError):
        module.nothing  # noqa: B018


def test_every_screen_words_its_keys_from_the_catalog() -> None:
    import importlib
    import inspect
    import pkgutil

    from textual.screen import Screen

    import chitieu_tui.screens
    from chitieu_tui.screens.localized import LocalizedBindings

    names = [m.name for m in pkgutil.iter_modules(chitieu_tui.screens.__path__)]
    assert {"alerts", "close", "dashboard", "detail", "entry", "help", "rollup"} <= set(names)
    for name in names:
        module = importlib.import_module(f"chitieu_tui.screens.{name}")
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Screen) and cls.__module__ == module.__name__:
                assert issubclass(cls, LocalizedBindings), cls
    use("en")
    screen = DashboardScreen(FileSource(BUNDLED))
    assert isinstance(screen, DashboardScreen)
    descriptions = {b.description for b in screen.BINDINGS if hasattr(b, "description")}
    assert "quit" in descriptions and "reload" in descriptions


async def test_the_palette_closes_the_quarter_and_lists_the_alerts(
    tmp_path: Path, xdg: Path
) -> None:
    from datadirs import copy_sample

    from chitieu_tui.screens.alerts import AlertsScreen
    from chitieu_tui.screens.close import CloseScreen

    settings.settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings.settings_path().write_text('by = "Chủ tịch phường"\n', encoding="utf-8")
    source = FileSource(copy_sample(tmp_path))
    app = RecordingApp(source, None, initial=preload(source, None))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        provider = PaletteCommands(app.screen)
        by_name = {str(h.display): h async for h in provider.discover()}
        assert "Mở lại quý" not in by_name
        by_name["Cảnh báo"].command()
        await pilot.pause()
        assert isinstance(app.screen, AlertsScreen)
        await pilot.press("escape")
        await pilot.pause()
        by_name["Chốt số liệu quý"].command()
        await pilot.pause()
        assert isinstance(app.screen, CloseScreen)
        await pilot.press(*"họp quý", "enter")
        await settle(pilot)
        assert not isinstance(app.screen, CloseScreen)
        view = dash(app).view
        assert view is not None and view.board.progress is not None
        closed = view.board.progress.closed
        assert closed is not None and closed.by == "Chủ tịch phường"  # the settings file's
        provider = PaletteCommands(app.screen)
        names = [str(h.display) async for h in provider.discover()]
        assert "Mở lại quý" in names and "Chốt số liệu quý" not in names
    en = make("en")
    async with en.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        names = [str(h.display) async for h in PaletteCommands(en.screen).discover()]
        assert "Close the quarter" in names and "Alerts" in names


async def test_the_entry_form_writes_as_the_settings_files_by(tmp_path: Path, xdg: Path) -> None:
    from datadirs import copy_sample

    from chitieu_tui.core.datadir import DataDir
    from chitieu_tui.screens import EntryScreen

    settings.settings_path().parent.mkdir(parents=True, exist_ok=True)
    settings.settings_path().write_text('by = "Cán bộ Lan"\n', encoding="utf-8")
    root = copy_sample(tmp_path)
    source = FileSource(root)
    app = RecordingApp(source, None, initial=preload(source, None))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = dash(app).table
        table.move_cursor(row=table.get_row_index("bhyt"))
        await pilot.pause()
        await pilot.press("e")
        await pilot.pause()
        assert isinstance(app.screen, EntryScreen)
        await pilot.press(*"93", "enter", "enter")  # the value, then the note
        await settle(pilot)
        assert not isinstance(app.screen, EntryScreen)
        shown = dash(app).view
    data = DataDir(root)
    assert shown is not None
    progress = data.progress(shown.period, data.definitions())
    assert progress is not None and progress.values["bhyt"].by == "Cán bộ Lan"
