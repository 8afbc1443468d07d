"""Shared fixtures: an isolated environment for every test, wards and API servers."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

PROXY_VARIABLES = (
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)

SETTINGS_VARIABLES = (
    "CHITIEU_API_TOKEN",
    "CHITIEU_LANG",
    "CHITIEU_THEME",
    "CHITIEU_CONFIG",
    "CHITIEU_API",
    "CHITIEU_UNIT",
    "CHITIEU_SNAPSHOTS",
    "CHITIEU_USER",
    "CHITIEU_SETTINGS",
    "CHITIEU_TODAY",
    "CHITIEU_CACHE",
    "CHITIEU_CACHE_DIR",
    "NO_COLOR",
)
"""Nothing of the tester's own settings reaches a test (the settings file: XDG_CONFIG_HOME)."""


@pytest.fixture(autouse=True)
def xdg(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Snapshots never reach the real ~/.local/share; no token or proxy leaks in."""
    home = tmp_path / "xdg"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))  # the parse cache
    for name in SETTINGS_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return home


@pytest.fixture(autouse=True)
def vietnamese() -> Iterator[None]:
    """Every test starts in Vietnamese (the process's language is one module-level value:
    a test that speaks English says `use("en")`), and leaves it so for the next."""
    from chitieu_tui.i18n import use

    use("vi")
    yield
    use("vi")


@pytest.fixture
def ward(tmp_path: Path) -> Path:
    """A writable copy of the bundled sample, as a ward's data folder."""
    from hostile_server import make_ward

    return make_ward(tmp_path / "config")


@pytest.fixture
def start() -> Iterator[Callable[..., object]]:
    """Start the API app under uvicorn on 127.0.0.1 (port 0); stopped after the test."""
    from hostile_server import UvicornThread

    from chitieu_tui.remote.server import create_app

    servers: list[UvicornThread] = []

    def run(root: Path, token: str | None = None) -> UvicornThread:
        server = UvicornThread(create_app(root, token=token)).start()
        servers.append(server)
        return server

    yield run
    for server in servers:
        server.stop()


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The parse cache's folder (`CHITIEU_CACHE_DIR`), in tmp_path."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("CHITIEU_CACHE_DIR", str(folder))
    return folder
