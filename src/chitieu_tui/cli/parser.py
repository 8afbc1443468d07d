"""The `chitieu` argument parser: the options table, the commands, argparse's words."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable, Sequence
from typing import Any

from chitieu_tui import version
from chitieu_tui.cli.completion import SHELLS, candidates
from chitieu_tui.core.errors import DataError, UsageError
from chitieu_tui.core.periods import Period
from chitieu_tui.i18n import t


def _period_type() -> Callable[[str], Period]:
    """`--period`'s type: a Period, or bad usage worded in the reader's language."""

    def period(text: str) -> Period:
        try:
            return Period.parse(text)
        except DataError as exc:
            raise argparse.ArgumentTypeError(exc.text()) from None

    return period


def _size_type() -> Callable[[str], tuple[int, int]]:
    """`--size`'s type: columns x lines within bounds, else bad usage worded in the current language."""

    def size(text: str) -> tuple[int, int]:
        try:
            w, h = (int(x) for x in text.lower().split("x"))
        except ValueError:
            raise argparse.ArgumentTypeError(t("err.cli.size_form", got=text)) from None
        if not (20 <= w <= 1000 and 10 <= h <= 500):
            raise argparse.ArgumentTypeError(t("err.cli.size_range", got=text))
        return w, h

    return size


def _port_type() -> Callable[[str], int]:
    """`--port`'s type: a whole number from 1 to 65535, else bad usage worded in the current language."""

    def port(text: str) -> int:
        try:
            number = int(text)
        except ValueError:
            number = 0
        if not 1 <= number <= 65535:
            raise argparse.ArgumentTypeError(t("err.server.port_range", port=text))
        return number

    return port


def _opt_config(parser: argparse.ArgumentParser, d: Any) -> None:
    parser.add_argument("--config", metavar="DIR", default=d, help=t("cli.opt.config"))


def _opt_remote(parser: argparse.ArgumentParser, d: Any) -> None:
    parser.add_argument("--api", metavar="URL", default=d, help=t("cli.opt.api"))
    parser.add_argument("--unit", metavar="ID", default=d, help=t("cli.opt.unit"))
    parser.add_argument(
        "--insecure-http",
        action="store_true",
        default=d if d is not None else False,
        help=t("cli.opt.insecure_http"),
    )


def _opt_offline(parser: argparse.ArgumentParser, d: Any) -> None:
    parser.add_argument(
        "--offline",
        action="store_true",
        default=d if d is not None else False,
        help=t("cli.opt.offline"),
    )


def _opt_snapshots(parser: argparse.ArgumentParser, d: Any) -> None:
    parser.add_argument("--snapshots", metavar="DIR", default=d, help=t("cli.opt.snapshots"))


def _completer(kind: str) -> Callable[..., list[str]]:
    """An argcomplete completer of indicator ids (`id`) or periods (`period`), read from the
    data folder named so far (cli/completion.py, imported only when the shell asks)."""

    def complete(prefix: str, parsed_args: argparse.Namespace, **_: Any) -> list[str]:
        return candidates(kind, prefix, parsed_args)

    return complete


def _opt_period(parser: argparse.ArgumentParser, d: Any) -> None:
    action = parser.add_argument(
        "--period", metavar="P", type=_period_type(), default=d, help=t("cli.opt.period")
    )
    action.completer = _completer("period")  # type: ignore[attr-defined]


def _opt_by(parser: argparse.ArgumentParser, d: Any) -> None:
    parser.add_argument("--by", metavar="NAME", default=d, help=t("cli.by_help"))


OPTION_GROUPS: dict[
    str, tuple[Callable[[argparse.ArgumentParser, Any, str], None], tuple[str, ...]]
] = {
    "config": (_opt_config, ("config",)),
    "remote": (_opt_remote, ("api", "unit", "insecure_http")),
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
    "set": ("config", "remote", "period", "by"),
    "unset": ("config", "remote", "period", "by"),
    "log": ("config", "period"),
    "followup": ("config", "period", "by"),
    "verify": ("config", "remote", "period"),
    "close": ("config", "remote", "period", "by"),
    "reopen": ("config", "remote", "period", "by"),
    "approve": ("config", "remote", "period", "by"),
    "return": ("config", "remote", "period", "by"),
    "template": ("config", "period"),
    "targets": ("config", "remote", "period"),
    "import": ("config", "remote", "period", "by"),
    "init": (),
    "serve": ("config",),
    "user": ("config",),
    "web": _READ,
    "config": (),
    "completion": (),
}
"""Which option groups each command accepts (anything else is bad usage, exit 2); `--lang`
and `--help` go everywhere. A new command needs one line here."""


def _command_name(parser: argparse.ArgumentParser) -> str | None:
    """`check` for the parser of `chitieu check`; None for the main parser."""
    parts = parser.prog.split()
    return parts[-1] if len(parts) > 1 else None


def _source_options(parser: argparse.ArgumentParser, sub: bool) -> None:
    """The option groups of the parser's command (COMMAND_OPTIONS, all when it is not
    listed) and --lang; on a command, defaults are SUPPRESSed so the main parser's stay
    (None for a group the main parser does not have, such as --by)."""
    if getattr(parser, "_chitieu_options", False):
        return  # added when the command's parser was made
    parser._chitieu_options = True  # type: ignore[attr-defined]
    for group in COMMAND_OPTIONS.get(_command_name(parser), _READ):
        shared = group in COMMAND_OPTIONS[None]
        d: Any = argparse.SUPPRESS if sub and shared else None
        OPTION_GROUPS[group][0](parser, d)
    parser.add_argument(
        "--lang",
        choices=("vi", "en"),
        default=argparse.SUPPRESS if sub else None,
        help=t("cli.opt.lang"),
    )


def _approve_parser(subs: Any) -> None:
    """`chitieu approve --unit U --period P [--note T]`."""
    approve = subs.add_parser("approve", help=t("cli.approve_help"))
    approve.add_argument("--note", metavar="TEXT", default="", help=t("cli.opt.approve_note"))
    _named_quarter(approve)


def _return_parser(subs: Any) -> None:
    """`chitieu return --unit U --period P --reason T`."""
    back = subs.add_parser("return", help=t("cli.return_help"))
    back.add_argument("--reason", metavar="TEXT", required=True, help=t("cli.opt.return_reason"))
    _named_quarter(back)


def _named_quarter(cmd: argparse.ArgumentParser) -> None:
    for action in cmd._actions:
        if action.dest == "period":  # no default here: the quarter is named
            action.help = t("cli.opt.close_period")


def _followup_parser(subs: Any) -> None:
    """`chitieu followup [--period P] [--format table|json]`, `--clear ID --period P --note T`."""
    followup = subs.add_parser("followup", help=t("cli.followup_help"))
    clear = followup.add_argument("--clear", metavar="ID", default=None, help=t("cli.opt.fu_clear"))
    clear.completer = _completer("id")  # type: ignore[attr-defined]
    followup.add_argument("--note", metavar="TEXT", default=None, help=t("cli.opt.fu_note"))
    followup.add_argument(
        "--format", choices=("table", "json"), default="table", help=t("cli.opt.fu_format")
    )
    for action in followup._actions:
        if action.dest == "period":  # default: every quarter (a clearing names its quarter)
            action.help = t("cli.opt.fu_period")


TARGETS_FORMATS = ("table", "markdown", "csv", "csv-excel", "json", "xlsx")
"""`targets --format`: xlsx is a file (`--output` required); the others print."""


def _targets_parser(subs: Any) -> None:
    """`chitieu targets [--year Y] [--format F] [--output FILE]` (cli/targets.py)."""
    targets = subs.add_parser("targets", help=t("cli.cmd.targets"))
    targets.add_argument("--year", type=int, metavar="Y", default=None, help=t("cli.opt.year"))
    targets.add_argument(
        "--format", choices=TARGETS_FORMATS, default="table", help=t("cli.opt.targets_format")
    )
    targets.add_argument("--output", "-o", metavar="FILE", default=None, help=t("cli.output"))


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


def _formatter() -> type[argparse.HelpFormatter]:
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
                text += t("cli.default")
            return text

    return Formatter


def _literal(help_text: str) -> str:
    """A help text argparse %-formats, its own `%` kept as written."""
    return help_text.replace("%", "%%")


class _Parsers(dict[str, Any]):
    """The commands' parsers by name, in order; a deferred command's parser (None until then)
    is built when first looked up, or when all are listed (`items`, `values`)."""

    def __init__(self, subs: Any) -> None:
        super().__init__()
        self.subs = subs
        self.pending: dict[str, Callable[[Any], None]] = {}

    def __getitem__(self, name: str) -> Any:
        build = self.pending.pop(name, None)
        if build is not None:
            build(self.subs)
        return super().__getitem__(name)

    def get(self, name: str, default: Any = None) -> Any:  # type: ignore[override]
        return self[name] if name in self else default

    def built(self) -> None:
        """Build every deferred parser."""
        for name in list(self.pending):
            self[name]

    def items(self) -> Any:
        self.built()
        return super().items()

    def values(self) -> Any:
        self.built()
        return super().values()


def _commands_action() -> type[argparse.Action]:
    """Subparsers whose commands get, from the catalog: help, description, the environment
    epilog, defaults shown, and their option groups; a command may be deferred (`defer`)."""

    class Commands(argparse._SubParsersAction):  # type: ignore[type-arg]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._name_parser_map = self.choices = _Parsers(self)

        def defer(self, name: str, build: Callable[[Any], None]) -> None:
            """List command `name` (its help line) now; `build(self)` makes its parser when
            argparse first looks it up."""
            line = _literal(t(f"cli.cmd.{name}"))
            self._choices_actions.append(self._ChoicesPseudoAction(name, (), line))
            parsers: _Parsers = self._name_parser_map  # type: ignore[assignment]
            parsers.pending[name] = build
            dict.__setitem__(parsers, name, None)

        def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
            key = f"cli.cmd.{name}"
            if t(key) != key:  # the catalog's words win over an English literal (same keys)
                kwargs["help"] = t(key)
            kwargs.setdefault("description", kwargs.get("help"))
            if "help" in kwargs:  # the help line is %-formatted (`% of assigned`: a literal %)
                kwargs["help"] = _literal(kwargs["help"])
            kwargs.setdefault("epilog", t("cli.epilog"))
            kwargs.setdefault("formatter_class", _formatter())
            if dict.get(self._name_parser_map, name, False) is None:  # deferred: listed
                kwargs.pop("help", None)
                kwargs.setdefault("prog", f"{self._prog_prefix} {name}")
                parser = self._parser_class(**kwargs)
                dict.__setitem__(self._name_parser_map, name, parser)
            else:
                parser = super().add_parser(name, **kwargs)
            _source_options(parser, sub=True)
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


def _word_argparse() -> None:
    """Make argparse's own messages (usage, errors, help headings) speak the current language."""

    def word(message: str) -> str:
        key = _ARGPARSE_KEYS.get(message)
        return t(key) if key is not None else message

    argparse._ = word  # type: ignore[attr-defined]


def _argv_lang(argv: Sequence[str]) -> str | None:
    """`--lang X` as typed, before the parser (which speaks that language) is built."""
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


REPORT_FORMATS = ("table", "markdown", "csv", "csv-excel", "json", "text", "xlsx", "docx", "pdf")
"""`report --format`: xlsx, docx and pdf are files (`--output` required); the others print."""


BINARY_FORMATS = ("xlsx", "docx", "pdf")


class _VersionAction(argparse.Action):
    """`--version`: `chitieu 0.1.0`, the installed package's metadata read only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        kwargs.update(nargs=0, default=argparse.SUPPRESS)
        super().__init__(option_strings, dest, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, *_: Any) -> None:
        print(f"chitieu {version()}")  # on standard output, as argparse's own
        parser.exit()


def _user_parser(subs: Any) -> None:
    """`chitieu user add|list|rotate|remove` (cli/users.py), each taking --users and --config."""
    user = subs.add_parser("user")
    actions = user.add_subparsers(
        dest="user_command", metavar="ACTION", required=True, help=t("cli.user_action_help")
    )
    for name, key in (
        ("add", "cli.user_add_help"),
        ("list", "cli.user_list_help"),
        ("rotate", "cli.user_rotate_help"),
        ("remove", "cli.user_remove_help"),
    ):
        sub = actions.add_parser(
            name,
            help=t(key),
            description=t(key),
            epilog=t("cli.epilog"),
            formatter_class=_formatter(),
        )
        if name != "list":
            sub.add_argument("name", metavar="NAME", help=t("cli.opt.user_name"))
        if name == "add":
            sub.add_argument(
                "--role",
                required=True,
                choices=("editor", "approver", "viewer"),
                help=t("cli.opt.role"),
            )
            sub.add_argument(
                "--unit",
                dest="user_units",
                metavar="ID",
                action="append",
                required=True,
                help=t("cli.opt.user_unit"),
            )
            sub.add_argument("--display", metavar="TEXT", default="", help=t("cli.opt.display"))
        sub.add_argument("--users", metavar="FILE", default=None, help=t("cli.opt.users"))
        _opt_config(sub, argparse.SUPPRESS)
        sub.add_argument(
            "--lang", choices=("vi", "en"), default=argparse.SUPPRESS, help=t("cli.opt.lang")
        )


def _check(subs: Any) -> None:
    check = subs.add_parser("check", help="validate the data folder; errors as path:line:col")
    _source_options(check, sub=True)


def _report(subs: Any) -> None:
    report = subs.add_parser("report", help="print one period without the TUI")
    _source_options(report, sub=True)
    report.add_argument(
        "--format", choices=REPORT_FORMATS, default="table", help=t("cli.opt.format")
    )
    report.add_argument("--output", "-o", metavar="FILE", default=None, help=t("cli.output"))
    report.add_argument("--date", metavar="YYYY-MM-DD", default=None, help=t("cli.opt.date"))
    report.add_argument("--rules", action="store_true", help=t("cli.opt.rules"))


def _snapshot(subs: Any) -> None:
    snap = subs.add_parser("snapshot", help="write a snapshot and print its path")
    _source_options(snap, sub=True)


def _screenshot(subs: Any) -> None:
    shot = subs.add_parser("screenshot", help="render the dashboard once to an SVG file")
    _source_options(shot, sub=True)
    shot.add_argument("--output", "-o", required=True, metavar="FILE.svg", help=t("cli.opt.output"))
    shot.add_argument(
        "--size",
        type=_size_type(),
        default="120x40",
        metavar="WxH",
        help=t("cli.opt.size"),
    )
    shot.add_argument("--light", action="store_true", help=t("cli.light_help"))
    shot.add_argument("--press", metavar="KEYS", default="", help=t("cli.opt.press"))


def _set(subs: Any) -> None:
    setp = subs.add_parser("set", help="enter one value (locked, atomic write), then snapshot")
    _source_options(setp, sub=True)
    setp_id = setp.add_argument("id", metavar="ID", help=t("cli.opt.id"))
    setp_id.completer = _completer("id")  # type: ignore[attr-defined]
    setp.add_argument("value", metavar="VALUE", help=t("cli.set_value"))
    setp.add_argument("--note", default=None, help=t("cli.opt.note"))
    setp.add_argument("--no-snapshot", action="store_true", help=t("cli.opt.no_snapshot"))
    setp.add_argument("--yes", action="store_true", help=t("cli.set_yes"))
    setp.add_argument("--cause", metavar="T", default=None, help=t("cli.cause_help"))
    setp.add_argument("--remedy", metavar="T", default=None, help=t("cli.remedy_help"))


def _unset(subs: Any) -> None:
    unset = subs.add_parser("unset", help=t("cli.unset_help"))
    _source_options(unset, sub=True)
    unset_id = unset.add_argument("id", metavar="ID", help=t("cli.opt.id"))
    unset_id.completer = _completer("id")  # type: ignore[attr-defined]
    unset.add_argument("--no-snapshot", action="store_true", help=t("cli.opt.no_snapshot"))


def _alerts(subs: Any) -> None:
    alerts = subs.add_parser("alerts", help=t("cli.alerts_help"))
    alerts.add_argument("--fail", action="store_true", help=t("cli.alerts_fail"))


def _log(subs: Any) -> None:
    log = subs.add_parser("log", help=t("cli.log_help"))
    log_id = log.add_argument("id", metavar="ID", nargs="?", default=None, help=t("cli.opt.log_id"))
    log_id.completer = _completer("id")  # type: ignore[attr-defined]


def _verify(subs: Any) -> None:
    verify = subs.add_parser("verify", help=t("cli.verify_help"))
    _source_options(verify, sub=True)


def _closing(name: str, key: str) -> Callable[[Any], None]:
    """`close` or `reopen`: the quarter named, and why."""

    def build(subs: Any) -> None:
        cmd = subs.add_parser(name, help=t(key))
        cmd.add_argument("--reason", metavar="TEXT", required=True, help=t("cli.reason_help"))
        _named_quarter(cmd)

    return build


def _template(subs: Any) -> None:
    template = subs.add_parser("template", help=t("cli.template_help"))
    template.add_argument(
        "--output", "-o", required=True, metavar="FILE.xlsx", help=t("cli.opt.xlsx_output")
    )
    template.add_argument("--targets", action="store_true", help=t("cli.opt.template_targets"))
    template.add_argument("--year", type=int, metavar="Y", default=None, help=t("cli.opt.year"))


def _import(subs: Any) -> None:
    imp = subs.add_parser("import", help=t("cli.import_help"))
    imp.add_argument("file", metavar="FILE.xlsx", help=t("cli.opt.import_file"))
    imp.add_argument("--targets", action="store_true", help=t("cli.opt.import_targets"))
    imp.add_argument("--yes", action="store_true", help=t("cli.set_yes"))
    imp.add_argument("--no-snapshot", action="store_true", help=t("cli.opt.no_snapshot"))


def _init(subs: Any) -> None:
    init = subs.add_parser("init", help="copy the bundled sample into DIR (default ./config)")
    init.add_argument("dest", nargs="?", default=None, metavar="DIR", help=t("cli.opt.dest"))
    init.add_argument("--collection", action="store_true", help=t("cli.opt.init_collection"))


def _serve(subs: Any) -> None:
    serve = subs.add_parser("serve", help="publish a data folder over the JSON API")
    _source_options(serve, sub=True)
    serve.add_argument("--host", default="127.0.0.1", help=t("cli.opt.host"))
    serve.add_argument("--port", type=_port_type(), default=8765, help=t("cli.opt.port"))
    serve.add_argument("--yes-public", action="store_true", help=t("cli.opt.serve_yes_public"))
    serve.add_argument("--users", metavar="FILE", default=None, help=t("cli.opt.users"))
    serve.add_argument("--tls-cert", metavar="FILE", default=None, help=t("cli.opt.tls_cert"))
    serve.add_argument("--tls-key", metavar="FILE", default=None, help=t("cli.opt.tls_key"))


def _web(subs: Any) -> None:
    web = subs.add_parser("web")
    web.add_argument("--host", default="127.0.0.1", help=t("cli.opt.web_host"))
    web.add_argument("--port", type=_port_type(), default=8000, help=t("cli.opt.port"))
    web.add_argument("--yes-public", action="store_true", help=t("cli.opt.yes_public"))


def _config(subs: Any) -> None:
    subs.add_parser("config")


def _completion(subs: Any) -> None:
    completion = subs.add_parser("completion")
    completion.add_argument("shell", choices=SHELLS, help=t("cli.opt.shell"))


BUILDERS: tuple[tuple[str, Callable[[Any], None]], ...] = (
    ("check", _check),
    ("report", _report),
    ("snapshot", _snapshot),
    ("screenshot", _screenshot),
    ("set", _set),
    ("unset", _unset),
    ("alerts", _alerts),
    ("log", _log),
    ("followup", _followup_parser),
    ("verify", _verify),
    ("close", _closing("close", "cli.close_help")),
    ("reopen", _closing("reopen", "cli.reopen_help")),
    ("approve", _approve_parser),
    ("return", _return_parser),
    ("targets", _targets_parser),
    ("template", _template),
    ("import", _import),
    ("init", _init),
    ("serve", _serve),
    ("user", _user_parser),
    ("web", _web),
    ("config", _config),
    ("completion", _completion),
)
"""Each command's parser, in the order `chitieu --help` lists them."""


def build_parser(lazy: bool = False) -> argparse.ArgumentParser:
    """The argument parser (exit status 2 on bad usage). `lazy`: each command's parser is
    built when argparse first looks it up (a run parses one command; building the other 22
    cost several milliseconds at every start); the help lists them all the same."""
    parser = argparse.ArgumentParser(
        prog="chitieu",
        description=t("cli.description"),
        epilog=t("cli.epilog"),
        formatter_class=_formatter(),
    )
    parser.add_argument(
        "--version",
        action=_VersionAction,
        help=t("argparse.version"),
    )
    _source_options(parser, sub=False)
    subs = parser.add_subparsers(dest="command", metavar="COMMAND", action=_commands_action())
    for name, build in BUILDERS:
        if lazy:
            subs.defer(name, build)  # type: ignore[attr-defined]
        else:
            build(subs)
    return parser


def _argcomplete(parser: argparse.ArgumentParser) -> None:
    """Shell completion, only when the shell asks (argcomplete: the `completion` extra).
    Asked without argcomplete installed (the extra removed, a script left in ~/.bashrc):
    exit quietly, offering nothing, never starting the dashboard in the shell's Tab."""
    if "_ARGCOMPLETE" not in os.environ:
        return
    try:
        # lazy: argcomplete (the `completion` extra) only when the shell asks
        import argcomplete
    except ImportError:
        raise SystemExit(0) from None
    argcomplete.autocomplete(parser)
