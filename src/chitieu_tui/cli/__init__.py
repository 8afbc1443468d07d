"""The `chitieu` command: `main()`, its exit statuses, and the command modules it dispatches to."""

from __future__ import annotations

import atexit
import gc
import importlib
import os
import sys
import threading
import types
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any


def _launched() -> bool:
    """True when this import is chitieu's own start: the `chitieu` console script, or
    `python -m chitieu_tui` (whose main reads sys.argv and ends the process)."""
    launcher = sys.modules.get("__main__")
    spec = getattr(launcher, "__spec__", None)
    if spec is not None and spec.name == "chitieu_tui.__main__":
        return True
    script = os.path.basename(getattr(launcher, "__file__", None) or "")
    return script in ("chitieu", "chitieu-script.py")


_IMPORT_PAUSED = _launched() and gc.isenabled()
"""chitieu's own start pauses the cyclic collector from here, not only from `main` on: the
imports below (argparse, dataclasses, the catalog's errors …) made 8 young collections,
about 1 ms of every start, over objects that live as long as the process (`settle` freezes
them). A caller importing this module is given its collector back by `main(argv)`."""


def _import_with_stand_in(name: str, used: str) -> None:
    """Import module `name` for the first time with a stand-in for module `used`, which it
    imports but uses only in a function: the stand-in imports `used` when one of its
    attributes is first asked for and gives that. `used` itself stays unimported until then,
    and any other `import` of it gets the real module."""
    if name in sys.modules or used in sys.modules:
        return
    stand_in = types.ModuleType(used)

    def __getattr__(attr: str) -> Any:
        return getattr(importlib.import_module(used), attr)

    stand_in.__getattr__ = __getattr__  # type: ignore[method-assign]
    sys.modules[used] = stand_in
    try:
        importlib.import_module(name)
    finally:
        if sys.modules.get(used) is stand_in:
            del sys.modules[used]


if _IMPORT_PAUSED:
    gc.disable()
    # `dataclasses` (core/records.py) imports `inspect` (with `ast`, `dis`, `tokenize`: 5 ms
    # of every start) for one use, a class without a docstring (none of chitieu's records):
    # the report and `check` never ask it; Textual imports it in the app (BENCHMARKS.md,
    # "Issue 23, ninth session: start-up"). Only at chitieu's own start, no other thread.
    _import_with_stand_in("dataclasses", "inspect")

from chitieu_tui.cli.config import _apply_settings, _lang  # noqa: E402
from chitieu_tui.cli.console import install_hint, print_error, warn  # noqa: E402
from chitieu_tui.cli.parser import (  # noqa: E402
    COMMAND_OPTIONS,
    REPORT_FORMATS,
    _argcomplete,
    _argv_lang,
    _refuse_foreign,
    _word_argparse,
    build_parser,
)
from chitieu_tui.core.errors import ChitieuError, InternalError, UsageError  # noqa: E402
from chitieu_tui.i18n import t, use  # noqa: E402
from chitieu_tui.terminal import safe_streams  # noqa: E402

if TYPE_CHECKING:
    import argparse

__all__ = [
    "COMMANDS",
    "COMMAND_OPTIONS",
    "REPORT_FORMATS",
    "build_parser",
    "install_hint",
    "load_collection",
    "main",
    "make_collection",
    "make_source",
    "print_error",
    "warn",
]

HOMES: dict[str | None, str] = {
    None: "tui",  # the dashboard
    "check": "read",
    "report": "read",
    "alerts": "read",
    "snapshot": "read",
    "screenshot": "tui",
    "set": "write",
    "unset": "write",
    "log": "read",
    "followup": "followup",
    "verify": "verify",
    "close": "write",
    "reopen": "write",
    "approve": "approval",
    "return": "approval",
    "template": "write",
    "targets": "targets",
    "import": "write",
    "init": "write",
    "serve": "serve",
    "user": "users",
    "web": "serve",
    "config": "config",
    "completion": "completion",
}
"""The module of `chitieu.cli` each command's `cmd_<name>` lives in (imported only when run)."""

_LAZY = {"make_source": "sources", "make_collection": "sources", "load_collection": "sources"}


def command(name: str | None) -> Callable[[argparse.Namespace], int]:
    """The function of command `name` (None: the dashboard), importing only its module."""
    module = importlib.import_module(f"chitieu_tui.cli.{HOMES[name]}")
    found: Callable[[argparse.Namespace], int] = getattr(module, f"cmd_{name or 'tui'}")
    return found


def __getattr__(name: str) -> Any:
    """`COMMANDS` and the source helpers, imported on first use (start-up stays small)."""
    if name == "COMMANDS":
        return {c: command(c) for c in HOMES}
    if name in _LAZY:
        return getattr(importlib.import_module(f"chitieu_tui.cli.{_LAZY[name]}"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_OWN_PROCESS = False
"""True in `chitieu` itself (main() reading sys.argv: the process ends with the command);
False when main is called with its arguments (tests, embedding), which keep their own GC."""


def own_process() -> bool:
    """True in `chitieu` itself (main reading sys.argv), whose process ends with the command:
    it may fork a child of its own (the roll-up's frame check)."""
    return _OWN_PROCESS


def settle() -> None:
    """The imports are done: in chitieu's own process, put every object made so far out of
    the cyclic collector's sight (`gc.freeze`: modules, classes, functions, the catalog,
    which live as long as the process) and turn the collector back on (main pauses it while
    importing). A start-up otherwise paid full collections scanning ~50,000 such objects,
    15–45 ms of the dashboard's first frame. Called again after a later import (Textual)."""
    if _OWN_PROCESS:
        gc.freeze()
        gc.enable()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: 0 done, 1 bad input, 2 bad usage."""
    global _IMPORT_PAUSED
    if argv is not None and _IMPORT_PAUSED:  # imported as chitieu's start, called as a library
        _IMPORT_PAUSED = False
        gc.enable()
    code = _main(argv)
    if argv is None:
        leave(code)
    return code


def leave(code: int) -> None:
    """chitieu's own process, its command done: exit at once (`os._exit`) when no other
    thread runs, after what an exit does first — the `atexit` callbacks (coverage's data,
    a temporary folder's clean-up) and the standard streams flushed. The interpreter's
    shutdown then freed every module and object one by one: ~4 ms of CPU of a 70 ms
    `report`, nothing that outlives the process. Else (another thread, a stream that cannot
    be flushed) the usual exit, after main returns."""
    run_callbacks = getattr(atexit, "_run_exitfuncs", None)  # CPython's, as at exit
    if run_callbacks is None or threading.active_count() != 1:
        return
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed or broken stream: the usual exit says so
        return
    run_callbacks()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)


def _main(argv: Sequence[str] | None) -> int:
    global _OWN_PROCESS
    if argv is None:  # `chitieu …`: the collector waits until the imports are done (settle)
        _OWN_PROCESS = True
        gc.disable()
    safe_streams()
    argv = list(sys.argv[1:] if argv is None else argv)
    lang, warning, read = _lang(argv)  # read: the settings file, when read for it
    use(lang)  # the one place the command line sets the language; `t(key)` words in it
    if warning is not None:  # CHITIEU_LANG=fr: said, in the language spoken instead
        warn(warning)
    _word_argparse()
    parser = build_parser(lazy="_ARGCOMPLETE" not in os.environ)  # the shell's Tab walks all
    _argcomplete(parser)
    args = parser.parse_args(argv)
    args.lang, args.lang_typed = lang, _argv_lang(argv)
    try:
        _refuse_foreign(args)
        _apply_settings(args, read)
        run = command(args.command)
        if HOMES[args.command] != "tui":  # the dashboard's settle once Textual is imported
            settle()
        return run(args)
    except UsageError as exc:
        parser.print_usage(sys.stderr)
        print(t("usage_error", message=exc.text()), file=sys.stderr)
        return 2
    except ChitieuError as exc:
        if isinstance(exc, InternalError) and os.environ.get("CHITIEU_DEBUG"):
            raise
        print_error(exc)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `chitieu report | head`: the reader left; not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # a bug: said as such, never a traceback for an official
        if os.environ.get("CHITIEU_DEBUG"):
            raise
        print_error(InternalError("err.internal_debug", what=type(exc).__name__))
        return 1
