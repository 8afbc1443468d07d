"""The `chitieu` command: the dashboard, and check/report/snapshot/screenshot/serve."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chitieu_tui.core.errors import (
    ChitieuError,
    DataError,
    EntryError,
    InternalError,
    Place,
    UsageError,
    WriteError,
    flatten,
)
from chitieu_tui.core.periods import Period
from chitieu_tui.i18n import resolve_lang, t

if TYPE_CHECKING:
    from chitieu_tui.core.collection import Collection
    from chitieu_tui.core.datadir import DataDir
    from chitieu_tui.core.source import Source, View


def _period_type(lang: str) -> Callable[[str], Period]:
    """`--period`'s type: a Period, or bad usage worded in the reader's language."""

    def period(text: str) -> Period:
        try:
            return Period.parse(text)
        except DataError as exc:
            raise argparse.ArgumentTypeError(exc.text(lang)) from None

    return period


def _size_type(lang: str) -> Callable[[str], tuple[int, int]]:
    """`--size`'s type: columns x lines within bounds, else bad usage worded in `lang`."""

    def size(text: str) -> tuple[int, int]:
        try:
            w, h = (int(x) for x in text.lower().split("x"))
        except ValueError:
            raise argparse.ArgumentTypeError(t(lang, "err.cli.size_form", got=text)) from None
        if not (20 <= w <= 1000 and 10 <= h <= 500):
            raise argparse.ArgumentTypeError(t(lang, "err.cli.size_range", got=text))
        return w, h

    return size


def _port_type(lang: str) -> Callable[[str], int]:
    """`--port`'s type: a whole number from 1 to 65535, else bad usage worded in `lang`."""

    def port(text: str) -> int:
        try:
            number = int(text)
        except ValueError:
            number = 0
        if not 1 <= number <= 65535:
            raise argparse.ArgumentTypeError(t(lang, "err.server.port_range", port=text))
        return number

    return port


def _opt_config(parser: argparse.ArgumentParser, d: Any, lang: str) -> None:
    parser.add_argument("--config", metavar="DIR", default=d, help=t(lang, "cli.opt.config"))


def _opt_remote(parser: argparse.ArgumentParser, d: Any, lang: str) -> None:
    parser.add_argument("--api", metavar="URL", default=d, help=t(lang, "cli.opt.api"))
    parser.add_argument("--unit", metavar="ID", default=d, help=t(lang, "cli.opt.unit"))


def _opt_offline(parser: argparse.ArgumentParser, d: Any, lang: str) -> None:
    parser.add_argument(
        "--offline",
        action="store_true",
        default=d if d is not None else False,
        help=t(lang, "cli.opt.offline"),
    )


def _opt_snapshots(parser: argparse.ArgumentParser, d: Any, lang: str) -> None:
    parser.add_argument("--snapshots", metavar="DIR", default=d, help=t(lang, "cli.opt.snapshots"))


def _opt_period(parser: argparse.ArgumentParser, d: Any, lang: str) -> None:
    parser.add_argument(
        "--period", metavar="P", type=_period_type(lang), default=d, help=t(lang, "cli.opt.period")
    )


def _opt_by(parser: argparse.ArgumentParser, d: Any, lang: str) -> None:
    parser.add_argument("--by", metavar="NAME", default=d, help=t(lang, "cli.by_help"))


OPTION_GROUPS: dict[
    str, tuple[Callable[[argparse.ArgumentParser, Any, str], None], tuple[str, ...]]
] = {
    "config": (_opt_config, ("config",)),
    "remote": (_opt_remote, ("api", "unit")),
    "offline": (_opt_offline, ("offline",)),
    "snapshots": (_opt_snapshots, ("snapshots",)),
    "period": (_opt_period, ("period",)),
    "by": (_opt_by, ("by",)),
}
"""The option groups shared by commands: how to add them, and the `args` names they fill."""
_READ = ("config", "remote", "offline", "snapshots", "period")
COMMAND_OPTIONS: dict[str | None, tuple[str, ...]] = {
    None: _READ,  # the dashboard
    "check": ("config",),
    "report": _READ,
    "alerts": _READ,
    "snapshot": ("config", "remote", "snapshots", "period"),
    "screenshot": _READ,
    "set": ("config", "period", "by"),
    "unset": ("config", "period", "by"),
    "log": ("config", "period"),
    "close": ("config", "period", "by"),
    "reopen": ("config", "period", "by"),
    "template": ("config", "period"),
    "import": ("config", "period", "by"),
    "init": (),
    "serve": ("config",),
    "web": _READ,
    "config": (),
}
"""Which option groups each command accepts (anything else is bad usage, exit 2); `--lang`
and `--help` go everywhere. A new command needs one line here."""


def _command_name(parser: argparse.ArgumentParser) -> str | None:
    """`check` for the parser of `chitieu check`; None for the main parser."""
    parts = parser.prog.split()
    return parts[-1] if len(parts) > 1 else None


def _source_options(parser: argparse.ArgumentParser, sub: bool, lang: str = "vi") -> None:
    """The option groups of the parser's command (COMMAND_OPTIONS, all when it is not
    listed) and --lang; on a command, defaults are SUPPRESSed so the main parser's stay
    (None for a group the main parser does not have, such as --by)."""
    if getattr(parser, "_chitieu_options", False):
        return  # added when the command's parser was made
    parser._chitieu_options = True  # type: ignore[attr-defined]
    for group in COMMAND_OPTIONS.get(_command_name(parser), _READ):
        shared = group in COMMAND_OPTIONS[None]
        d: Any = argparse.SUPPRESS if sub and shared else None
        OPTION_GROUPS[group][0](parser, d, lang)
    parser.add_argument(
        "--lang",
        choices=("vi", "en"),
        default=argparse.SUPPRESS if sub else None,
        help=t(lang, "cli.opt.lang"),
    )


def _refuse_foreign(args: argparse.Namespace) -> None:
    """An option given before the command name that the command does not take: exit 2."""
    accepted = COMMAND_OPTIONS.get(args.command, _READ)
    for group, (_add, names) in OPTION_GROUPS.items():
        if group in accepted:
            continue
        for name in names:
            if getattr(args, name, None) not in (None, False):
                option = "--" + name
                raise UsageError("err.usage.not_an_option", option=option, command=args.command)


def _formatter(lang: str) -> type[argparse.HelpFormatter]:
    """Help that keeps the epilog's lines and shows each default, in the reader's words."""

    class Formatter(argparse.RawDescriptionHelpFormatter):
        def _get_help_string(self, action: argparse.Action) -> str | None:
            text = action.help or ""
            default = action.default
            if (
                "%(default)" not in text
                and default not in (None, False, True, argparse.SUPPRESS)
                and (action.option_strings or action.nargs == "?")
            ):
                text += t(lang, "cli.default")
            return text

    return Formatter


def _commands_action(lang: str) -> type[argparse.Action]:
    """Subparsers whose commands get, from the catalog: help, description, the environment
    epilog, defaults shown, and their option groups."""

    class Commands(argparse._SubParsersAction):  # type: ignore[type-arg]
        def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
            key = f"cli.cmd.{name}"
            if t("en", key) != key:  # the catalog's words win over an English literal
                kwargs["help"] = t(lang, key)
            kwargs.setdefault("description", kwargs.get("help"))
            kwargs.setdefault("epilog", t(lang, "cli.epilog"))
            kwargs.setdefault("formatter_class", _formatter(lang))
            parser = super().add_parser(name, **kwargs)
            _source_options(parser, sub=True, lang=lang)
            return parser

    return Commands


_ARGPARSE_KEYS = {
    "usage: ": "argparse.usage",
    "%(prog)s: error: %(message)s\n": "argparse.error",
    "argument %(argument_name)s: %(message)s": "argparse.argument",
    "unrecognized arguments: %s": "argparse.unrecognized",
    "the following arguments are required: %s": "argparse.required",
    "invalid choice: %(value)r (choose from %(choices)s)": "argparse.invalid_choice",
    "invalid %(type)s value: %(value)r": "argparse.invalid_value",
    "expected one argument": "argparse.expected_one",
    "ambiguous option: %(option)s could match %(matches)s": "argparse.ambiguous",
    "not allowed with argument %s": "argparse.not_allowed",
    "positional arguments": "argparse.positionals",
    "options": "argparse.options",
    "show this help message and exit": "argparse.help",
    "show program's version number and exit": "argparse.version",
}
"""argparse's own words (it looks them up through its module-level `_`) and their keys."""


def _word_argparse(lang: str) -> None:
    """Make argparse's own messages (usage, errors, help headings) speak `lang`."""

    def word(message: str) -> str:
        key = _ARGPARSE_KEYS.get(message)
        return t(lang, key) if key is not None else message

    argparse._ = word  # type: ignore[attr-defined]


def _argv_lang(argv: Sequence[str]) -> str | None:
    """`--lang X` as typed, before the parser (which speaks that language) is built."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def build_parser(lang: str = "vi") -> argparse.ArgumentParser:
    """The argument parser (exit status 2 on bad usage)."""
    parser = argparse.ArgumentParser(
        prog="chitieu",
        description=t(lang, "cli.description"),
        epilog=t(lang, "cli.epilog"),
        formatter_class=_formatter(lang),
    )
    from chitieu_tui import __version__

    parser.add_argument(
        "--version",
        action="version",
        version=f"chitieu {__version__}",
        help=t(lang, "argparse.version"),
    )
    _source_options(parser, sub=False, lang=lang)
    subs = parser.add_subparsers(dest="command", metavar="COMMAND", action=_commands_action(lang))
    check = subs.add_parser("check", help="validate the data folder; errors as path:line:col")
    _source_options(check, sub=True, lang=lang)
    report = subs.add_parser("report", help="print one period without the TUI")
    _source_options(report, sub=True, lang=lang)
    report.add_argument(
        "--format", choices=REPORT_FORMATS, default="table", help=t(lang, "cli.opt.format")
    )
    report.add_argument("--output", "-o", metavar="FILE", default=None, help=t(lang, "cli.output"))
    snap = subs.add_parser("snapshot", help="write a snapshot and print its path")
    _source_options(snap, sub=True, lang=lang)
    shot = subs.add_parser("screenshot", help="render the dashboard once to an SVG file")
    _source_options(shot, sub=True, lang=lang)
    shot.add_argument(
        "--output", "-o", required=True, metavar="FILE.svg", help=t(lang, "cli.opt.output")
    )
    shot.add_argument(
        "--size",
        type=_size_type(lang),
        default="120x40",
        metavar="WxH",
        help=t(lang, "cli.opt.size"),
    )
    shot.add_argument("--light", action="store_true", help=t(lang, "cli.light_help"))
    setp = subs.add_parser("set", help="enter one value (locked, atomic write), then snapshot")
    _source_options(setp, sub=True, lang=lang)
    setp.add_argument("id", metavar="ID", help=t(lang, "cli.opt.id"))
    setp.add_argument("value", metavar="VALUE", help=t(lang, "cli.set_value"))
    setp.add_argument("--note", default=None, help=t(lang, "cli.opt.note"))
    setp.add_argument("--no-snapshot", action="store_true", help=t(lang, "cli.opt.no_snapshot"))
    setp.add_argument("--yes", action="store_true", help=t(lang, "cli.set_yes"))
    setp.add_argument("--cause", metavar="T", default=None, help=t(lang, "cli.cause_help"))
    setp.add_argument("--remedy", metavar="T", default=None, help=t(lang, "cli.remedy_help"))
    unset = subs.add_parser("unset", help=t(lang, "cli.unset_help"))
    _source_options(unset, sub=True, lang=lang)
    unset.add_argument("id", metavar="ID", help=t(lang, "cli.opt.id"))
    unset.add_argument("--no-snapshot", action="store_true", help=t(lang, "cli.opt.no_snapshot"))
    alerts = subs.add_parser("alerts", help=t(lang, "cli.alerts_help"))
    alerts.add_argument("--fail", action="store_true", help=t(lang, "cli.alerts_fail"))
    log = subs.add_parser("log", help=t(lang, "cli.log_help"))
    log.add_argument("id", metavar="ID", nargs="?", default=None, help=t(lang, "cli.opt.log_id"))
    for name, key in (("close", "cli.close_help"), ("reopen", "cli.reopen_help")):
        cmd = subs.add_parser(name, help=t(lang, key))
        cmd.add_argument("--reason", metavar="TEXT", required=True, help=t(lang, "cli.reason_help"))
        for action in cmd._actions:
            if action.dest == "period":  # no default here: the quarter is named
                action.help = t(lang, "cli.opt.close_period")
    template = subs.add_parser("template", help=t(lang, "cli.template_help"))
    template.add_argument(
        "--output", "-o", required=True, metavar="FILE.xlsx", help=t(lang, "cli.opt.xlsx_output")
    )
    imp = subs.add_parser("import", help=t(lang, "cli.import_help"))
    imp.add_argument("file", metavar="FILE.xlsx", help=t(lang, "cli.opt.import_file"))
    imp.add_argument("--yes", action="store_true", help=t(lang, "cli.set_yes"))
    imp.add_argument("--no-snapshot", action="store_true", help=t(lang, "cli.opt.no_snapshot"))
    init = subs.add_parser("init", help="copy the bundled sample into DIR (default ./config)")
    init.add_argument(
        "dest", nargs="?", default="config", metavar="DIR", help=t(lang, "cli.opt.dest")
    )
    serve = subs.add_parser("serve", help="publish a data folder over the JSON API")
    _source_options(serve, sub=True, lang=lang)
    serve.add_argument("--host", default="127.0.0.1", help=t(lang, "cli.opt.host"))
    serve.add_argument("--port", type=_port_type(lang), default=8765, help=t(lang, "cli.opt.port"))
    web = subs.add_parser("web")
    web.add_argument("--host", default="127.0.0.1", help=t(lang, "cli.opt.web_host"))
    web.add_argument("--port", type=_port_type(lang), default=8000, help=t(lang, "cli.opt.port"))
    web.add_argument("--yes-public", action="store_true", help=t(lang, "cli.opt.yes_public"))
    subs.add_parser("config")
    return parser


def make_source(args: argparse.Namespace) -> Source:
    """A FileSource for --config (or the default folder), an ApiSource for --api, the
    snapshot archive for --offline."""
    snapshots = Path(args.snapshots) if args.snapshots else None
    if args.api and args.config:
        raise UsageError("err.usage.config_and_api")
    if getattr(args, "offline", False):
        if not args.unit:
            raise UsageError("err.usage.offline_needs_unit")
        from chitieu_tui.core.archive import ArchiveSource
        from chitieu_tui.core.snapshots import default_snapshot_root

        return ArchiveSource(snapshots or default_snapshot_root(args.unit), args.unit)
    if args.api:
        if not args.unit:
            raise UsageError("err.usage.api_needs_unit")
        from chitieu_tui.remote.source import ApiSource

        return ApiSource(args.api, args.unit, snapshots=snapshots, lang=args.lang)
    from chitieu_tui.core.source import FileSource

    return FileSource(_data_dir(args), snapshots=snapshots)


def _data_dir(args: argparse.Namespace) -> Path:
    """The data folder of `--config` (or ./config, or the bundled sample); a one-shot command
    that falls back to the bundled sample says so on stderr."""
    from chitieu_tui.core.datadir import BUNDLED, resolve_data_dir

    root = resolve_data_dir(args.config)
    if args.config is None and args.command is not None and root == BUNDLED:
        warn(ChitieuError("warn.bundled_sample"), args.lang)
    return root


def _load_view(source: Source, period: Period | None, lang: str, history: int = 0) -> View:
    """One View, for the one-shot commands (API sources within 30 s in all); `history`
    earlier quarters too (the official reports' quarter and same-quarter-last-year columns)."""
    view = source.load(period, history=history)
    if view.stale and view.stale_since is not None:
        from chitieu_tui.present.time import age_since, stamp_text

        since = view.stale_since
        age = age_since(since, dt.datetime.now(dt.UTC), lang)
        when = f"{age} ({stamp_text(since, lang)})"
        warn(ChitieuError("warn.stale_copy", Place(source.label), since=when), lang)
    return view


def warn(error: ChitieuError, lang: str | None = None) -> None:
    """A warning on stderr, in yellow on a terminal (without loading Rich)."""
    from chitieu_tui.report import use_colour

    text = error.render(lang or resolve_lang())
    if use_colour(sys.stderr):
        text = f"\x1b[33m{text}\x1b[0m"
    print(text, file=sys.stderr)


def print_error(error: ChitieuError, lang: str) -> None:
    """A short red panel on stderr, never a traceback."""
    from rich.console import Console
    from rich.panel import Panel
    from rich.text import Text

    body = Text("\n".join(e.render(lang) for e in flatten(error)))
    title = Text(t(lang, "error_title"))
    Console(stderr=True, highlight=False).print(
        Panel(body, title=title, border_style="red", expand=False)
    )


def cmd_check(args: argparse.Namespace) -> int:
    """Validate chitieu.toml and every progress file; print every problem found."""
    from chitieu_tui.core.datadir import DataDir
    from chitieu_tui.i18n import t

    data = DataDir(_data_dir(args))
    try:
        defs = data.definitions()
    except ChitieuError as exc:
        for e in flatten(exc):
            print(e.render(args.lang), file=sys.stderr)
        return 1
    problems: list[ChitieuError] = []
    broken_years: set[int] = set()
    for path in data.year_files():  # years/<year>.toml: other years' definitions
        if not (len(path.stem) == 4 and path.stem.isdigit()):
            problems.append(DataError("err.years.file_name", Place(data.shown(path))))
            continue
        try:
            data.year_definitions(int(path.stem))
        except ChitieuError as exc:
            broken_years.add(int(path.stem))
            problems.extend(flatten(exc))
    periods = data.periods()
    for period in periods:
        try:
            own = None if period.year in broken_years else data.year_definitions(period.year)
            data.progress(period, own or defs)
        except ChitieuError as exc:
            problems.extend(flatten(exc))
    progress_dir = data.root / "progress"
    if progress_dir.exists() and not progress_dir.is_dir():
        problems.append(DataError("err.folder.is_file", Place(data.shown(progress_dir))))
    if progress_dir.is_dir():
        for path in sorted(progress_dir.iterdir()):
            if path.suffix == ".toml" and not Period.is_valid(path.stem):
                where = data.shown(path)
                print(t(args.lang, "check.misnamed", where=where), file=sys.stderr)
    for w in data.warnings:
        print(f"{w.place}: warning: {w.message}" if w.place else f"warning: {w}", file=sys.stderr)
    for p in problems:
        print(p.render(args.lang), file=sys.stderr)
    if problems:
        return 1
    shown = data.shown(data.definitions_path)
    print(
        t(args.lang, "check.ok", where=shown, indicators=len(defs.indicators), files=len(periods))
    )
    return 0


REPORT_FORMATS = ("table", "markdown", "csv", "csv-excel", "json", "text", "xlsx", "docx")
"""`report --format`: xlsx and docx are files (`--output` required); the others print."""
BINARY_FORMATS = ("xlsx", "docx")


def _check_output(args: argparse.Namespace) -> None:
    """A binary format needs `--output FILE`, and never goes to a terminal (exit 2)."""
    if args.format not in BINARY_FORMATS:
        return
    if not args.output:
        raise UsageError("err.office.needs_output", format=args.format)
    if args.output == "-" and sys.stdout.isatty():
        raise UsageError("err.office.terminal", format=args.format)


def _emit(args: argparse.Namespace, data: bytes | str) -> None:
    """Write the report to `--output` (atomically; `-` is stdout) or print it."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    if args.output and args.output != "-":
        from chitieu_tui.core.atomic import atomic_write

        print(atomic_write(Path(args.output), data, shown=args.output))
        return
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def cmd_report(args: argparse.Namespace) -> int:
    """Print one period (or write it to `--output`)."""
    from chitieu_tui.report import render

    _check_output(args)
    collection = make_collection(args)
    if collection is not None:
        return report_collection(args, collection)
    source = make_source(args)
    official = args.format in ("xlsx", "docx", "text")
    history = 5 if official or args.format == "csv-excel" else 0  # quarter and last year's
    view = _load_view(source, args.period, args.lang, history=history)
    for w in view.warnings:
        warn(w, args.lang)
    if official:
        from chitieu_tui.office.render import render_official

        _emit(args, render_official(view, args.format, args.lang))
        return 0
    text = render(view, args.format, args.lang)
    if args.format == "json":
        text += "\n"
    if args.output:
        _emit(args, text)
    else:
        sys.stdout.write(text)
    return 0


def cmd_alerts(args: argparse.Namespace) -> int:
    """List the period's alerts; with --fail, exit 1 when there is any."""
    from chitieu_tui.core import alerts as core_alerts
    from chitieu_tui.present.alerts import line, title

    source = make_source(args)
    view = _load_view(source, args.period, args.lang)
    for w in view.warnings:
        warn(w, args.lang)
    found = core_alerts.alerts(view.board, core_alerts.today())
    print(title(view.board, len(found), args.lang))
    for alert in found:
        print(line(alert, view.board, args.lang))
    return 1 if args.fail and found else 0


def cmd_snapshot(args: argparse.Namespace) -> int:
    """Write one snapshot; print its path."""
    collection = make_collection(args)
    if collection is not None:
        return snapshot_collection(args, collection)
    source = make_source(args)
    view = _load_view(source, args.period, args.lang)
    print(source.snapshot(view))
    return 0


def _set_period(args: argparse.Namespace, data: DataDir) -> Period:
    """`--period`, else the newest quarter with progress while it is open (docs/cli.md)."""
    from chitieu_tui.core.journal import closed_msg

    if args.period is not None:
        chosen: Period = args.period
        return chosen
    defs = data.definitions()
    periods = data.periods()
    if not periods:
        raise WriteError(
            "err.set.no_period", Place("--period"), example=str(Period(defs.unit.year, 1))
        )
    period = periods[-1]
    progress = data.progress(period, defs)
    if progress is not None and progress.closed is not None:
        msg = closed_msg("err.set.default_closed", period, progress.closed, next=str(period.next()))
        raise WriteError(msg, Place(data.shown(data.progress_path(period))))
    return period


def cmd_set(args: argparse.Namespace) -> int:
    """Enter one value from the command line (the last writer wins)."""
    from chitieu_tui.core.datadir import DataDir, resolve_data_dir
    from chitieu_tui.core.writer import ImplausibleError
    from chitieu_tui.i18n import Msg

    if args.api:
        raise UsageError("err.usage.set_api")
    data = DataDir(resolve_data_dir(args.config))
    period = _set_period(args, data)
    try:
        path = data.enter(
            period,
            args.id,
            args.value,
            args.note,
            lang=args.lang,
            confirmed=args.yes,
            by=args.by,
            cause=args.cause,
            remedy=args.remedy,
        )
    except EntryError as exc:
        detail = exc.msg
        if isinstance(exc, ImplausibleError):
            detail = Msg("err.entry.needs_yes", detail=detail)
        item = Msg("item.indicator", id=args.id)
        raise DataError(Msg("err.in_item", item=item, detail=detail), Place("VALUE")) from None
    label = period.label(args.lang)
    print(t(args.lang, "cli.set_done", period=label, id=args.id, value=args.value.strip()))
    print(data.shown(path))
    if not args.no_snapshot:
        print(data.take_snapshot(data.board(period)))
    return 0


def cmd_unset(args: argparse.Namespace) -> int:
    """Remove one value (locked, atomic); exit 1 when there is none."""
    from chitieu_tui.core.datadir import DataDir, resolve_data_dir

    if args.api:
        raise UsageError("err.usage.set_api")
    data = DataDir(resolve_data_dir(args.config))
    period = args.period or data.default_period(data.definitions())
    path = data.unset(period, args.id, by=args.by)
    print(t(args.lang, "cli.unset_removed", id=args.id, path=data.shown(path)))
    if not args.no_snapshot:
        print(data.take_snapshot(data.board(period)))
    return 0


def cmd_log(args: argparse.Namespace) -> int:
    """List every change of a quarter, oldest first (values changed by hand noticed)."""
    from chitieu_tui.core.datadir import DataDir, resolve_data_dir
    from chitieu_tui.present.journal import change_line

    if args.api:
        raise UsageError("err.usage.log_api")
    data = DataDir(resolve_data_dir(args.config))
    defs = data.definitions()
    period = args.period or data.default_period(defs)
    changes = data.journal(period)
    if args.id is not None:
        if defs.indicator(args.id) is None:
            raise DataError("err.indicator.unknown", Place("ID"), id=args.id)
        changes = [c for c in changes if c.id == args.id]
    if not changes:
        print(t(args.lang, "cli.log_empty", period=period.label(args.lang)))
    for change in changes:
        print(change_line(change, args.lang))
    return 0


def _cmd_close(args: argparse.Namespace, reopen: bool) -> int:
    from chitieu_tui.core.datadir import DataDir, resolve_data_dir

    if args.api:
        raise UsageError("err.usage.set_api")
    if args.period is None:
        raise UsageError("err.usage.close_needs_period")
    data = DataDir(resolve_data_dir(args.config))
    period: Period = args.period
    closed = data.close(period, args.reason, by=args.by, reopen=reopen)
    label = period.label(args.lang)
    if closed is None:
        print(t(args.lang, "cli.reopened", period=label))
    else:
        from chitieu_tui.present.journal import closed_text

        print(t(args.lang, "cli.closed", period=label, detail=closed_text(closed, args.lang)))
        print(data.take_snapshot(data.board(period)))
    return 0


def cmd_close(args: argparse.Namespace) -> int:
    """Close a quarter (chốt số liệu): `[closed]`, journaled, and a final snapshot."""
    return _cmd_close(args, reopen=False)


def cmd_reopen(args: argparse.Namespace) -> int:
    """Reopen a closed quarter, journaled."""
    return _cmd_close(args, reopen=True)


def cmd_init(args: argparse.Namespace) -> int:
    """Copy the bundled sample to a folder the user owns."""
    import shutil

    from chitieu_tui.core.datadir import BUNDLED

    dest = Path(args.dest)
    if dest.exists() and any(dest.iterdir()):
        raise WriteError("err.init.not_empty", Place(str(dest)))
    try:
        shutil.copytree(
            BUNDLED, dest, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__")
        )
    except OSError as exc:
        from chitieu_tui.core.oserrors import os_reason

        raise WriteError("err.init.copy", Place(str(dest)), reason=os_reason(exc)) from None
    print(dest)
    return 0


def _theme(args: argparse.Namespace) -> str | None:
    """`--light`: the light theme, for a printed page."""
    if not getattr(args, "light", False):
        return None
    from chitieu_tui.app import LIGHT_THEME

    return LIGHT_THEME


def cmd_screenshot(args: argparse.Namespace) -> int:
    """Render the dashboard once, headless, and save it as SVG."""
    from chitieu_tui.app import save_screenshot

    collection = make_collection(args)
    if collection is not None:
        from chitieu_tui.app import save_rollup_screenshot

        load_collection(collection, args.period, args.lang)
        path = save_rollup_screenshot(
            collection, Path(args.output), args.size, args.lang, theme=_theme(args)
        )
        print(path)
        return 0
    source = make_source(args)
    width, height = args.size
    path = save_screenshot(
        source, Path(args.output), (width, height), args.period, args.lang, theme=_theme(args)
    )
    print(path)
    return 0


def install_hint(extra: str) -> str:
    """How to add an extra, for the way chitieu was installed (pipx, uv tool, else pip)."""
    prefix = sys.prefix.replace("\\", "/")
    if "/pipx/venvs/" in prefix:
        return f"pipx install --force 'chitieu-tui[{extra}]'  (pipx install --force '.[{extra}]' from a checkout)"
    if "/uv/tools/" in prefix:
        return f"uv tool install --force 'chitieu-tui[{extra}]'  (uv tool install --force '.[{extra}]' from a checkout)"
    return f"pip install 'chitieu-tui[{extra}]'"


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve a data folder over the JSON API (exit 1 when host:port cannot be used)."""
    try:
        from chitieu_tui.remote.server import serve
    except ImportError:
        raise UsageError("err.extra_missing", command="serve", how=install_hint("server")) from None
    return serve(_data_dir(args), args.host, args.port, lang=args.lang)


def cmd_tui(args: argparse.Namespace) -> int:
    """Open the dashboard."""
    from chitieu_tui.app import run_app

    collection = make_collection(args)
    if collection is not None:
        from chitieu_tui.app import run_rollup

        return run_rollup(collection, args.period, args.lang)
    return run_app(make_source(args), args.period, args.lang)


def make_collection(args: argparse.Namespace) -> Collection | None:
    """A collection for `--api URL` without `--unit`, or `--config ROOT` where ROOT holds data
    folders (or collection.toml) and no chitieu.toml; else None (one unit)."""
    if getattr(args, "offline", False) or (args.api and args.config):
        return None
    snapshots = Path(args.snapshots) if args.snapshots else None
    if args.api and not args.unit:
        from chitieu_tui.remote.collection import api_collection

        return api_collection(args.api, snapshots=snapshots, lang=args.lang)
    if args.config and not args.api:
        from chitieu_tui.core.collection import is_collection, open_folder

        root = Path(args.config)
        if is_collection(root):
            return open_folder(root, snapshots=snapshots)
    return None


def load_collection(collection: Collection, period: Period | None, lang: str) -> None:
    """Read every unit (servers: concurrently, bounded, within the one-shot deadline); a
    broken unit is warned about and kept; a refused token is an error."""
    if collection.discover is None:
        collection.load(period)
    else:
        import asyncio

        async def fetch() -> None:
            try:
                await collection.aload(period)
            finally:
                await collection.aclose()

        asyncio.run(fetch())
        from chitieu_tui.core.errors import AuthError

        for m in collection.members:
            last = getattr(m.source, "last_error", None)
            if isinstance(last, AuthError):
                raise last
    for m in collection.members:
        if m.error is not None:
            warn(m.error, lang)
        elif m.view is not None:
            for w in m.view.warnings:
                warn(w, lang)


def report_collection(args: argparse.Namespace, collection: Collection) -> int:
    """`chitieu report` on a collection."""
    from chitieu_tui.rollup_report import render_collection

    load_collection(collection, args.period, args.lang)
    if args.format in ("xlsx", "docx", "text"):
        from chitieu_tui.office.render import render_collection_official

        _emit(args, render_collection_official(collection, args.format, args.lang))
        return 0
    text = render_collection(collection, args.format, args.lang)
    if args.format == "json":
        text += "\n"
    if args.output:
        _emit(args, text)
    else:
        sys.stdout.write(text)
    return 0


def snapshot_collection(args: argparse.Namespace, collection: Collection) -> int:
    """`chitieu snapshot` on a collection: one snapshot per readable unit, each path printed;
    exit 1 when a unit could not be read or written (the others are still written)."""
    load_collection(collection, args.period, args.lang)
    failed = False
    for m in collection.members:
        if m.view is None or m.error is not None:
            failed = True
            continue
        try:
            print(m.source.snapshot(m.view))
        except ChitieuError as exc:
            warn(exc, args.lang)
            failed = True
    return 1 if failed else 0


def cmd_config(args: argparse.Namespace) -> int:
    """Print every effective setting and where it came from (command line > environment >
    settings file > default)."""
    from chitieu_tui import settings
    from chitieu_tui.core.datadir import resolve_data_dir

    path = settings.settings_path()
    state = "settings.file_found" if path.is_file() else "settings.file_missing"
    print(t(args.lang, state, path=str(path)))
    values = settings.effective(getattr(args, "given", {}))
    rows: list[tuple[str, str, str, str]] = []
    for s in settings.SETTINGS:
        v = values[s.name]
        shown = v.value
        origin = t(args.lang, f"settings.origin_{v.origin}", detail=v.detail)
        if shown is None and s.name == "lang":
            shown, origin = args.lang, t(args.lang, "settings.origin_locale")
        elif shown is None and s.name == "config" and values["api"].value is None:
            shown = str(resolve_data_dir(None))
        elif shown is None and s.name == "theme":
            shown = "textual-dark"
        text = shown if shown is not None else t(args.lang, "settings.unset")
        rows.append((s.name, text, origin, t(args.lang, s.key)))
    for name, key in settings.ENV_ONLY:
        present = bool(os.environ.get(name))
        if name == settings.PATH_ENV and present:
            state_text = os.environ[name]
        else:
            state_text = t(args.lang, "settings.set" if present else "settings.unset")
        rows.append((name, state_text, "", t(args.lang, key)))
    widths = [max(len(r[i]) for r in rows) for i in range(3)]
    for row in rows:
        cells = [c.ljust(w) for c, w in zip(row[:3], widths, strict=True)]
        print("  ".join([*cells, row[3]]).rstrip())
    return 0


def cmd_web(args: argparse.Namespace) -> int:
    """Serve the dashboard to a browser with textual-serve (the `web` extra)."""
    from chitieu_tui.web import serve_web

    return serve_web(args)


def _entry_units(args: argparse.Namespace) -> list[DataDir]:
    """The data folders `template` and `import` work on: one, or each unit of a collection."""
    from chitieu_tui.core.datadir import DataDir, resolve_data_dir

    if args.api or getattr(args, "offline", False):
        raise UsageError("err.usage.set_api")
    collection = make_collection(args)
    if collection is None:
        return [DataDir(resolve_data_dir(args.config))]
    units = []
    for m in collection.members:
        data = getattr(m.source, "data", None)
        if data is not None:
            units.append(data)
    return units


def cmd_template(args: argparse.Namespace) -> int:
    """Write an entry workbook (a sheet per unit) for a quarter."""
    from chitieu_tui.office import need

    need("openpyxl")
    from chitieu_tui.core.atomic import atomic_write
    from chitieu_tui.office.entry import template_bytes

    boards = []
    for data in _entry_units(args):
        try:
            defs = data.definitions()
            boards.append(data.board(args.period or data.default_period(defs)))
        except ChitieuError as exc:
            warn(exc, args.lang)
    if not boards:
        raise DataError("err.import.no_units", Place(args.config or "."))
    print(atomic_write(Path(args.output), template_bytes(boards, args.lang), shown=args.output))
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    """Check every filled cell of an entry workbook, then write them all (nothing when any
    cell is bad), one locked, journaled write per unit and quarter."""
    from chitieu_tui.office import need

    need("openpyxl")
    from chitieu_tui.office.entry import plan, read_sheets

    units = {}
    for data in _entry_units(args):
        try:
            units[data.definitions().unit.id] = data
        except ChitieuError as exc:
            warn(exc, args.lang)
    sheets = read_sheets(Path(args.file), args.file)
    plans = plan(sheets, units, args.period, args.lang, confirmed=args.yes)
    if not plans:
        print(t(args.lang, "o.i_nothing", file=args.file))
        return 0
    done: list[str] = []
    for p in plans:
        try:
            path = p.data.enter_many(p.period, p.items, by=args.by, via="import")
        except ChitieuError as exc:
            if done:
                from chitieu_tui.i18n import Msg

                written = "; ".join(done)
                raise WriteError(
                    Msg("err.import.partial", detail=exc.msg, written=written), exc.place
                ) from None
            raise
        unit = p.data.definitions().unit.name
        done.append(f"{p.sheet} ({len(p.items)})")
        label = p.period.label(args.lang)
        print(t(args.lang, "o.i_written", n=len(p.items), period=label, unit=unit))
        print(p.data.shown(path))
        if not args.no_snapshot:
            print(p.data.take_snapshot(p.data.board(p.period)))
    return 0


COMMANDS = {
    None: cmd_tui,
    "check": cmd_check,
    "report": cmd_report,
    "alerts": cmd_alerts,
    "snapshot": cmd_snapshot,
    "screenshot": cmd_screenshot,
    "set": cmd_set,
    "unset": cmd_unset,
    "log": cmd_log,
    "close": cmd_close,
    "reopen": cmd_reopen,
    "template": cmd_template,
    "import": cmd_import,
    "init": cmd_init,
    "serve": cmd_serve,
    "web": cmd_web,
    "config": cmd_config,
}


def _lang(argv: Sequence[str]) -> str:
    """`--lang`, else CHITIEU_LANG, else the settings file's `lang`, else the locale."""
    from chitieu_tui.i18n import LANG_ENV, LANGS

    typed = _argv_lang(argv)
    env = os.environ.get(LANG_ENV, "").strip().lower()[:2]
    if typed or env in LANGS:
        return resolve_lang(typed)
    from chitieu_tui import settings

    try:
        found = settings.read_file()[0].lang
    except ChitieuError:
        found = None  # reported once the parser speaks
    return found or resolve_lang()


def _apply_settings(args: argparse.Namespace) -> None:
    """Fill the options not given from the environment and the settings file (the source
    options config/api/unit together, from the strongest layer that names any)."""
    from chitieu_tui import settings

    given = {n: getattr(args, n, None) for n in ("config", "api", "unit", "snapshots")}
    args.given = dict(given)
    if getattr(args, "lang_typed", None):
        args.given["lang"] = args.lang_typed
    values = settings.effective(given)
    accepted = COMMAND_OPTIONS.get(args.command, _READ)
    if "by" in accepted:  # else the login name, in core.journal.current_user
        args.by = settings.by_name(args.by)
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


def _argcomplete(parser: argparse.ArgumentParser) -> None:
    """Shell completion, only when the shell asks (argcomplete: the `completion` extra)."""
    if "_ARGCOMPLETE" not in os.environ:
        return
    try:
        import argcomplete
    except ImportError:
        return
    argcomplete.autocomplete(parser)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: 0 done, 1 bad input, 2 bad usage."""
    from chitieu_tui.terminal import safe_streams

    safe_streams()
    argv = list(sys.argv[1:] if argv is None else argv)
    lang = _lang(argv)
    _word_argparse(lang)
    parser = build_parser(lang)
    _argcomplete(parser)
    args = parser.parse_args(argv)
    args.lang, args.lang_typed = lang, _argv_lang(argv)
    try:
        _refuse_foreign(args)
        _apply_settings(args)
        return COMMANDS[args.command](args)
    except UsageError as exc:
        parser.print_usage(sys.stderr)
        print(t(lang, "usage_error", message=exc.text(lang)), file=sys.stderr)
        return 2
    except ChitieuError as exc:
        if isinstance(exc, InternalError) and os.environ.get("CHITIEU_DEBUG"):
            raise
        print_error(exc, lang)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `chitieu report | head`: the reader left; not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # a bug: said as such, never a traceback for an official
        if os.environ.get("CHITIEU_DEBUG"):
            raise
        print_error(InternalError("err.internal_debug", what=type(exc).__name__), lang)
        return 1
