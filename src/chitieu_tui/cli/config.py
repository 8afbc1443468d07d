"""`chitieu config`, and the settings layered under the options (language, source)."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING

from chitieu_tui.cli.parser import _READ, COMMAND_OPTIONS, _argv_lang
from chitieu_tui.core.errors import ChitieuError, Place
from chitieu_tui.core.text import clean
from chitieu_tui.i18n import LANG_ENV, LANGS, resolve_lang, t

if TYPE_CHECKING:
    from chitieu_tui.settings import SettingsFile


def import_hiding(name: str, hidden: str) -> None:
    """Import module `name` for the first time with module `hidden` out of its sight, when
    nothing else runs (one thread) and neither is imported yet; a `name` that cannot do
    without it is imported again, as usual, by the next `import`.

    Made for msgspec's first import in a command's run: msgspec takes `get_type_hints`,
    `Required` and `NotRequired` from `typing_extensions` when it can import it, else from
    `typing`. On Python 3.11 and later they are the same for msgspec, which always asks for
    `include_extras=True`: typing_extensions' `get_type_hints` then returns what `typing`'s
    does (it is `typing`'s from 3.13 on), and its `Required` and `NotRequired` are `typing`'s.
    Importing `typing_extensions` cost every start 2.7 ms (the report of the sample, 1.6× its
    floor: BENCHMARKS.md, "Issue 23, ninth session: start-up"); Textual imports it later, as
    before, where the app is shown."""
    if name in sys.modules or hidden in sys.modules or threading.active_count() != 1:
        return
    sys.modules[hidden] = None  # type: ignore[assignment]  # `import hidden` fails: not found
    try:
        importlib.import_module(name)
    except ImportError:  # a version that needs it: forgotten, imported again as usual
        for loaded in [m for m in sys.modules if m == name or m.startswith(f"{name}.")]:
            del sys.modules[loaded]
    finally:
        if hidden in sys.modules and sys.modules[hidden] is None:
            del sys.modules[hidden]


def cmd_config(args: argparse.Namespace) -> int:
    """Print every effective setting and where it came from (command line > environment >
    settings file > default)."""
    # lazy: settings pulls msgspec and platformdirs (not needed for `--lang … --help`)
    from chitieu_tui import settings

    # lazy: core.datadir pulls the data pipeline; only `config` shows the default folder
    from chitieu_tui.core.datadir import resolve_data_dir

    path = settings.settings_path()
    state = "settings.file_found" if path.is_file() else "settings.file_missing"
    print(t(state, path=str(path)))
    values = getattr(args, "settings", None) or settings.effective(getattr(args, "given", {}))
    rows: list[tuple[str, str, str, str]] = []
    for s in settings.SETTINGS:
        v = values[s.name]
        shown = v.value
        origin = t(f"settings.origin_{v.origin}", detail=v.detail)
        if shown is None and s.name == "lang":
            shown, origin = args.lang, t("settings.origin_locale")
        elif shown is None and s.name == "config" and values["api"].value is None:
            shown = str(resolve_data_dir(None))
        elif shown is None and s.name == "theme":
            shown = "textual-dark"
        text = shown if shown is not None else t("settings.unset")
        rows.append((s.name, text, origin, t(s.key)))
    for name, key in settings.ENV_ONLY:
        present = bool(os.environ.get(name))
        if name == settings.PATH_ENV and present:
            state_text = os.environ[name]
        else:
            state_text = t("settings.set" if present else "settings.unset")
        rows.append((name, state_text, "", t(key)))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for row in rows:
        cells = [c.ljust(w) for c, w in zip(row[:3], widths, strict=True)]
        print("  ".join([*cells, row[3]]).rstrip())
    return 0


def _lang(
    argv: Sequence[str],
) -> tuple[str, ChitieuError | None, tuple[SettingsFile, str] | None]:
    """`--lang`, else CHITIEU_LANG, else the settings file's `lang`, else the locale; the
    warning to print once that language is in use (a CHITIEU_LANG not understood); and the
    settings file as read for it (None: not read), for `_apply_settings` not to read again."""
    typed = _argv_lang(argv)
    raw = os.environ.get(LANG_ENV, "")
    env = raw.strip().lower()[:2]
    if typed or env in LANGS:
        return resolve_lang(typed), None, None
    import_hiding("msgspec", "typing_extensions")  # the run's first import of msgspec
    # lazy: settings pulls msgspec and platformdirs; not read when --lang or CHITIEU_LANG decides
    from chitieu_tui import settings

    try:
        read = settings.read_file()
    except ChitieuError:
        read = None  # reported once the parser speaks (read again then)
    lang = (read[0].lang if read else None) or resolve_lang()
    if raw.strip():  # CHITIEU_LANG=fr: said, in the language spoken instead, not ignored
        accepted = ", ".join(LANGS)
        got = repr(clean(raw)[:40])
        warning = ChitieuError("warn.lang_unknown", Place(LANG_ENV), got=got, accepted=accepted)
        return lang, warning, read
    return lang, None, read


def _apply_settings(args: argparse.Namespace, read: tuple[SettingsFile, str] | None = None) -> None:
    """Fill the options not given from the environment and the settings file (the source
    options config/api/unit together, from the strongest layer that names any); `read`:
    the file as `_lang` read it in this run (else it is read here)."""
    import_hiding("msgspec", "typing_extensions")  # the run's first import of msgspec
    # lazy: settings pulls msgspec and platformdirs (not needed for `--lang … --help`)
    from chitieu_tui import settings

    given = {n: getattr(args, n, None) for n in ("config", "api", "unit", "snapshots")}
    args.given = dict(given)
    if getattr(args, "lang_typed", None):
        args.given["lang"] = args.lang_typed
    accepted = COMMAND_OPTIONS.get(args.command, _READ)
    by = getattr(args, "by", None) if "by" in accepted else None
    values = settings.effective({**args.given, "by": by}, read=read)  # read once per run
    args.settings = values  # what `chitieu config` lists
    if "by" in accepted:  # else the login name, in core.journal.current_user
        args.by = values["by"].value
    if "snapshots" in accepted and args.snapshots is None:
        args.snapshots = values["snapshots"].value
    if any(given[n] for n in settings.SOURCE_GROUP) or getattr(args, "offline", False):
        return
    if "config" in accepted:
        args.config = values["config"].value
    if "remote" in accepted:
        args.api, args.unit = values["api"].value, values["unit"].value
    elif values["config"].value is None:
        args.api = args.unit = None
