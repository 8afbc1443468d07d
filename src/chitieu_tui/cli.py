"""The `chitieu` command: the dashboard, and check/report/snapshot/screenshot/serve."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from chitieu_tui.core.errors import (
    ChitieuError,
    DataError,
    EntryError,
    Place,
    UsageError,
    WriteError,
    flatten,
)
from chitieu_tui.core.periods import Period


def _period(text: str) -> Period:
    try:
        return Period.parse(text)
    except DataError as exc:
        from chitieu_tui.i18n import resolve_lang

        raise argparse.ArgumentTypeError(exc.text(resolve_lang())) from None


def _size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(x) for x in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"size must look like 120x40, got {text!r}") from None
    if not (20 <= w <= 1000 and 10 <= h <= 500):
        raise argparse.ArgumentTypeError(f"size {text} is out of range")
    return w, h


def _source_options(parser: argparse.ArgumentParser, sub: bool) -> None:
    """--config / --api / --unit / --period / --lang, on the main parser and each command."""
    d: Any = argparse.SUPPRESS if sub else None
    parser.add_argument("--config", metavar="DIR", default=d, help="data folder (chitieu.toml)")
    parser.add_argument("--api", metavar="URL", default=d, help="read from a chitieu API server")
    parser.add_argument("--unit", metavar="ID", default=d, help="unit id on the API server")
    parser.add_argument("--snapshots", metavar="DIR", default=d, help="where snapshots go")
    parser.add_argument("--period", metavar="P", type=_period, default=d, help="e.g. 2026-Q1")
    parser.add_argument("--lang", choices=("vi", "en"), default=argparse.SUPPRESS if sub else "vi")


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exit status 2 on bad usage)."""
    parser = argparse.ArgumentParser(
        prog="chitieu",
        description="Theo dõi chỉ tiêu theo quý — a dashboard of a ward's yearly targets.",
    )
    from chitieu_tui import __version__

    parser.add_argument("--version", action="version", version=f"chitieu {__version__}")
    _source_options(parser, sub=False)
    subs = parser.add_subparsers(dest="command", metavar="COMMAND")
    check = subs.add_parser("check", help="validate the data folder; errors as path:line:col")
    _source_options(check, sub=True)
    report = subs.add_parser("report", help="print one period without the TUI")
    _source_options(report, sub=True)
    report.add_argument("--format", choices=("table", "markdown", "csv", "json"), default="table")
    snap = subs.add_parser("snapshot", help="write a snapshot and print its path")
    _source_options(snap, sub=True)
    shot = subs.add_parser("screenshot", help="render the dashboard once to an SVG file")
    _source_options(shot, sub=True)
    shot.add_argument("--output", "-o", required=True, metavar="FILE.svg")
    shot.add_argument("--size", type=_size, default=(120, 40), metavar="WxH")
    setp = subs.add_parser("set", help="enter one value (locked, atomic write), then snapshot")
    _source_options(setp, sub=True)
    setp.add_argument("id", metavar="ID", help="indicator id")
    setp.add_argument("value", metavar="VALUE", help="32,5 or 32.5; có/chưa for a milestone")
    setp.add_argument("--note", default=None, help="note kept with the value")
    setp.add_argument("--no-snapshot", action="store_true", help="do not take a snapshot")
    init = subs.add_parser("init", help="copy the bundled sample into DIR (default ./config)")
    init.add_argument("dest", nargs="?", default="config", metavar="DIR")
    serve = subs.add_parser("serve", help="publish a data folder over the JSON API")
    _source_options(serve, sub=True)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8765)
    return parser


def make_source(args: argparse.Namespace) -> Any:
    """A FileSource for --config (or the default folder), an ApiSource for --api."""
    snapshots = Path(args.snapshots) if args.snapshots else None
    if args.api:
        if args.config:
            raise UsageError("use either --config or --api, not both")
        if not args.unit:
            raise UsageError("--api needs --unit ID (the ward or commune on the server)")
        from chitieu_tui.remote.source import ApiSource

        return ApiSource(args.api, args.unit, snapshots=snapshots)
    from chitieu_tui.core.datadir import resolve_data_dir
    from chitieu_tui.core.source import FileSource

    return FileSource(resolve_data_dir(args.config), snapshots=snapshots)


def _load_view(source: Any, period: Period | None) -> Any:
    """One View, for the one-shot commands (API sources within 30 s in all)."""
    if getattr(source, "is_remote", False):
        import asyncio

        view = asyncio.run(source.load_once(period))
        if view.stale:
            age = source.describe_age(view)
            warn(
                ChitieuError(
                    f"cannot use the server; showing the snapshot of {age} (stale)",
                    Place(source.url),
                )
            )
        return view
    return source.load(period, history=0)


def warn(error: ChitieuError) -> None:
    """A warning on stderr, in yellow when it is a terminal."""
    from rich.console import Console
    from rich.text import Text

    Console(stderr=True, highlight=False).print(Text(f"{error}", style="yellow"))


def print_error(error: ChitieuError) -> None:
    """A short red panel on stderr, never a traceback."""
    from rich.console import Console
    from rich.panel import Panel
    from rich.text import Text

    body = Text("\n".join(str(e) for e in flatten(error)))
    Console(stderr=True, highlight=False).print(
        Panel(body, title=Text("chitieu: lỗi"), border_style="red", expand=False)
    )


def cmd_check(args: argparse.Namespace) -> int:
    """Validate chitieu.toml and every progress file; print every problem found."""
    from chitieu_tui.core.datadir import DataDir, resolve_data_dir
    from chitieu_tui.i18n import t

    data = DataDir(resolve_data_dir(args.config))
    try:
        defs = data.definitions()
    except ChitieuError as exc:
        for e in flatten(exc):
            print(e.render(args.lang), file=sys.stderr)
        return 1
    problems: list[ChitieuError] = []
    periods = data.periods()
    for period in periods:
        try:
            data.progress(period, defs)
        except ChitieuError as exc:
            problems.extend(flatten(exc))
    progress_dir = data.root / "progress"
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


def cmd_report(args: argparse.Namespace) -> int:
    """Print one period."""
    from chitieu_tui.report import render

    source = make_source(args)
    view = _load_view(source, args.period)
    for w in view.warnings:
        warn(w)
    sys.stdout.write(render(view, args.format, args.lang))
    if args.format == "json":
        sys.stdout.write("\n")
    return 0


def cmd_snapshot(args: argparse.Namespace) -> int:
    """Write one snapshot; print its path."""
    source = make_source(args)
    view = _load_view(source, args.period)
    print(source.snapshot(view))
    return 0


def cmd_set(args: argparse.Namespace) -> int:
    """Enter one value from the command line."""
    from chitieu_tui.core.datadir import DataDir, resolve_data_dir

    if args.api:
        raise UsageError("the API source is read-only; use --config DIR")
    data = DataDir(resolve_data_dir(args.config))
    period = args.period or data.default_period(data.definitions())
    try:
        path = data.enter(period, args.id, args.value, args.note)
    except EntryError as exc:
        from chitieu_tui.i18n import Msg

        item = Msg("item.indicator", id=args.id)
        raise DataError(Msg("err.in_item", item=item, detail=exc.msg), Place("VALUE")) from None
    print(data.shown(path))
    if not args.no_snapshot:
        print(data.take_snapshot(data.board(period)))
    return 0


def cmd_init(args: argparse.Namespace) -> int:
    """Copy the bundled sample to a folder the user owns."""
    import shutil

    from chitieu_tui.core.datadir import BUNDLED

    dest = Path(args.dest)
    if dest.exists() and any(dest.iterdir()):
        raise WriteError("folder exists and is not empty", Place(str(dest)))
    try:
        shutil.copytree(
            BUNDLED, dest, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__")
        )
    except OSError as exc:
        raise WriteError(
            f"cannot copy the sample here: {exc.strerror or exc}", Place(str(dest))
        ) from None
    print(dest)
    return 0


def cmd_screenshot(args: argparse.Namespace) -> int:
    """Render the dashboard once, headless, and save it as SVG."""
    from chitieu_tui.app import save_screenshot

    source = make_source(args)
    width, height = args.size
    path = save_screenshot(source, Path(args.output), (width, height), args.period, args.lang)
    print(path)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve a data folder over the JSON API."""
    try:
        from chitieu_tui.remote.server import serve
    except ImportError:
        raise UsageError(
            "chitieu serve needs the server extra: pip install 'chitieu-tui[server]'"
        ) from None
    from chitieu_tui.core.datadir import resolve_data_dir

    return serve(resolve_data_dir(args.config), args.host, args.port)


def cmd_tui(args: argparse.Namespace) -> int:
    """Open the dashboard."""
    from chitieu_tui.app import run_app

    return run_app(make_source(args), args.period, args.lang)


COMMANDS = {
    None: cmd_tui,
    "check": cmd_check,
    "report": cmd_report,
    "snapshot": cmd_snapshot,
    "screenshot": cmd_screenshot,
    "set": cmd_set,
    "init": cmd_init,
    "serve": cmd_serve,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: 0 done, 1 bad input, 2 bad usage."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:
        parser.print_usage(sys.stderr)
        print(f"chitieu: error: {exc.message}", file=sys.stderr)
        return 2
    except ChitieuError as exc:
        print_error(exc)
        return 1
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `chitieu report | head`: the reader left; not an error
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except Exception as exc:  # noqa: BLE001 - an official never sees a traceback
        if os.environ.get("CHITIEU_DEBUG"):
            raise
        print_error(
            ChitieuError(
                f"unexpected error ({type(exc).__name__}: {exc}); set CHITIEU_DEBUG=1 for details"
            )
        )
        return 1
