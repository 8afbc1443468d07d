"""User settings: command line > CHITIEU_* environment > settings.toml > default."""

# No `from __future__ import annotations` here: msgspec reads SettingsFile's annotations
# as objects; as strings it compiles and evaluates each one when a type is first decoded
# (0.5 ms of every start: BENCHMARKS.md, "Issue 23, eighth session: start-up").

import os
from pathlib import Path
from typing import Any, Literal, NamedTuple

import msgspec
from platformdirs import user_config_path

from chitieu_tui.core.errors import DataError, Place
from chitieu_tui.core.loader import validation_error
from chitieu_tui.core.tomlfile import Locator, read_toml
from chitieu_tui.i18n import Msg

APP_NAME = "chitieu-tui"
FILE_NAME = "settings.toml"
PATH_ENV = "CHITIEU_SETTINGS"
"""Another settings file than the platform's (for tests, or several setups)."""


class SettingsFile(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """What settings.toml may hold (every key optional; anything else is an error)."""

    lang: Literal["vi", "en"] | None = None
    theme: str | None = None
    config: str | None = None
    api: str | None = None
    unit: str | None = None
    snapshots: str | None = None
    by: str | None = None


class Setting(NamedTuple):
    """One setting: its name, its environment variable, its option, its catalog key.

    The small records of this module are named tuples, not dataclasses: every start reads
    the settings, and a frozen dataclass costs 0.4 ms to make (Python compiles each of its
    methods), a named tuple 0.06 ms."""

    name: str
    env: str
    option: str | None
    key: str


SETTINGS: tuple[Setting, ...] = (
    Setting("lang", "CHITIEU_LANG", "--lang", "settings.lang"),
    Setting("theme", "CHITIEU_THEME", None, "settings.theme"),
    Setting("config", "CHITIEU_CONFIG", "--config", "settings.config"),
    Setting("api", "CHITIEU_API", "--api", "settings.api"),
    Setting("unit", "CHITIEU_UNIT", "--unit", "settings.unit"),
    Setting("snapshots", "CHITIEU_SNAPSHOTS", "--snapshots", "settings.snapshots"),
    Setting("by", "CHITIEU_USER", "--by", "settings.by"),
)
"""Every setting, in the order `chitieu config` lists them."""
ENV_ONLY = (
    ("CHITIEU_API_TOKEN", "settings.env_token"),
    ("CHITIEU_DEBUG", "settings.env_debug"),
    (PATH_ENV, "settings.env_settings"),
)
"""Variables that are no setting of the file (a secret, a developer switch, the file itself)."""
SOURCE_GROUP = ("config", "api", "unit")
"""Where data come from: taken together from the strongest layer that names any of them."""


def settings_path() -> Path:
    """`$CHITIEU_SETTINGS`, else the platform's config folder / settings.toml."""
    override = os.environ.get(PATH_ENV)
    if override:
        return Path(override).expanduser()
    return user_config_path(APP_NAME) / FILE_NAME


class Value(NamedTuple):
    """An effective setting and where it came from: `cli`, `env`, `file` or `default`."""

    value: str | None
    origin: str
    detail: str = ""
    """The option, the variable, or `path:line` of the file."""


def _line_of(text: str, key: str) -> int | None:
    place = Locator.scan("", text).place("", 0, key)
    return place.line


def read_file(path: Path | None = None) -> tuple[SettingsFile, str]:
    """The settings file (empty when it does not exist) and its text; a broken one is a
    DataError naming file, line and column."""
    path = path or settings_path()
    if not path.exists():
        return SettingsFile(), ""
    shown = str(path)
    try:
        data, text = read_toml(path, shown)
    except DataError as exc:
        if exc.code == "err.file.empty":
            return SettingsFile(), ""
        raise
    try:
        found = msgspec.convert(data, SettingsFile)
    except msgspec.ValidationError as exc:
        raise validation_error(exc, data, Locator.scan(shown, text)) from None
    if found.config and found.api:
        line = _line_of(text, "api")
        raise DataError(Msg("err.settings.config_and_api"), Place(shown, line, 1 if line else None))
    return found, text


def effective(
    cli: dict[str, Any] | None = None,
    path: Path | None = None,
    read: tuple[SettingsFile, str] | None = None,
) -> dict[str, Value]:
    """Every setting's value and origin; `cli` holds the options given (name → value);
    `read`: the file as `read_file()` gave it already in this run (not read again)."""
    cli = {k: v for k, v in (cli or {}).items() if v not in (None, False, "")}
    path = path or settings_path()
    found, text = read or read_file(path)
    env = {s.name: os.environ[s.env] for s in SETTINGS if os.environ.get(s.env)}
    layers: list[tuple[str, dict[str, Any]]] = [
        ("cli", cli),
        ("env", env),
        ("file", {k: v for k, v in msgspec.structs.asdict(found).items() if v is not None}),
    ]
    out: dict[str, Value] = {}
    lines: Locator | None = None  # the file's keys' lines, indexed once when one is shown
    source_layer = next((n for n, layer in layers if any(k in layer for k in SOURCE_GROUP)), None)
    for s in SETTINGS:
        value: Value | None = None
        for name, layer in layers:
            if s.name in SOURCE_GROUP and name != source_layer:
                continue
            if s.name in layer:
                raw = layer[s.name]
                if name == "cli":
                    detail = s.option or ""
                elif name == "env":
                    detail = s.env
                else:
                    lines = lines or Locator.scan("", text)
                    line = lines.place("", 0, s.name).line
                    detail = f"{path}:{line}" if line else str(path)
                value = Value(str(raw), name, detail)
                break
        out[s.name] = value or Value(None, "default", "")
    return out


def by_name(cli_value: str | None = None) -> str | None:
    """Who enters values (`by`): `--by`, else CHITIEU_USER, else the file's `by`, else None.

    For the commands and forms that record who changed a value."""
    return effective({"by": cli_value})["by"].value


def theme() -> str | None:
    """The theme to start with (CHITIEU_THEME, else the file's), None for Textual's default;
    a broken settings file gives None here (the command line reports it)."""
    try:
        return effective()["theme"].value
    except DataError:
        return None


class AppSettings(NamedTuple):
    """What the app takes from the settings: read once by the command line before the app
    starts (never on its UI thread), and passed in."""

    theme: str | None = None
    """CHITIEU_THEME, else the file's; None: Textual's default (or the 16-colour fallback)."""
    save_theme: bool = False
    """Save a theme the user picks in the app (a real run; not screenshots and tests)."""


def app_settings(save: bool = True) -> AppSettings:
    """The app's settings, read now (for the command line, before the app starts)."""
    return AppSettings(theme(), save)


def save_theme(name: str, path: Path | None = None) -> Path | None:
    """Write `theme = name` into the settings file, keeping its comments and other keys;
    a broken file is left alone (None)."""
    import tomlkit  # lazy: the comment-keeping TOML writer, only when a theme is picked

    from chitieu_tui.core.atomic import atomic_write  # lazy: tempfile, only when one is saved

    path = path or settings_path()
    try:
        _found, text = read_file(path)
    except DataError:
        return None
    doc = tomlkit.parse(text) if text else tomlkit.document()
    if doc.get("theme") == name:
        return path
    doc["theme"] = name
    path.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write(path, tomlkit.dumps(doc).encode("utf-8"))
