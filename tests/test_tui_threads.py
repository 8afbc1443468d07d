"""Nothing blocks the UI thread (issue 19 item 5): the settings are read by the command line,
the polls' `stat` calls and the theme's save run in workers."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import Any

import pytest
from datadirs import copy_sample
from tuikit import RecordingApp, dash, rollup_of, settle

from chitieu_tui import settings
from chitieu_tui.core.collection import Collection, Member, open_folder
from chitieu_tui.core.datadir import BUNDLED_COLLECTION
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.core.periods import Period

SIZE = (100, 30)


class CountingSource(FileSource):
    """A file source remembering on which threads its stamp was asked."""

    threads: list[str]

    def stamp(self, period: Period | None) -> object:
        self.threads.append(threading.current_thread().name)
        return super().stamp(period)


async def test_the_dashboard_asks_its_stamps_off_the_ui_thread(tmp_path: Path) -> None:
    source = CountingSource(copy_sample(tmp_path))
    source.threads = []
    app = RecordingApp(source, None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dash(app)._poll_tick()
        await settle(pilot)
        dash(app).action_reload()
        await settle(pilot)
    ui = threading.main_thread().name
    assert len(source.threads) >= 3 and ui not in source.threads


async def test_the_rollup_polls_its_units_off_the_ui_thread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "province"
    shutil.copytree(BUNDLED_COLLECTION, root)
    collection = open_folder(root)
    collection.load()
    seen: list[str] = []
    due = Collection.due

    def counted(self: Collection) -> list[Member]:
        seen.append(threading.current_thread().name)
        return due(self)

    monkeypatch.setattr(Collection, "due", counted)
    app = RecordingApp(None, None, collection=collection, preloaded=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        rollup_of(app)._poll_tick()
        await settle(pilot)
    assert seen and threading.main_thread().name not in seen


async def test_the_app_never_reads_the_settings_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command line reads them once and passes them in; the app only writes a theme
    picked (in a thread)."""

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("settings read by the app")

    written: list[str] = []
    save = settings.save_theme

    def saving(name: str, path: Path | None = None) -> Path | None:
        written.append(threading.current_thread().name)
        return save(name, path)

    monkeypatch.setattr(settings, "effective", refused)
    monkeypatch.setattr(settings, "save_theme", saving)
    given = settings.AppSettings(theme="textual-light", save_theme=True)
    app = RecordingApp(FileSource(copy_sample(tmp_path)), None, settings=given)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.theme == "textual-light"
        app.theme = "ansi-dark"
        await settle(pilot)
    assert written and threading.main_thread().name not in written
    assert settings.read_file()[0].theme == "ansi-dark"
