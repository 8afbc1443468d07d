"""Commands that read: check, report, alerts, snapshot, log."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from chitieu_tui.cli.console import warn
from chitieu_tui.cli.parser import BINARY_FORMATS
from chitieu_tui.cli.sources import (
    _data_dir,
    _load_view,
    load_collection,
    make_collection,
    make_source,
    warned_members,
)
from chitieu_tui.core import rules
from chitieu_tui.core.approval import deadline
from chitieu_tui.core.datadir import DataDir, resolve_data_dir
from chitieu_tui.core.errors import (
    ChitieuError,
    DataError,
    Place,
    ToolError,
    UsageError,
    flatten,
)
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.core.periods import Period
from chitieu_tui.i18n import t
from chitieu_tui.present import fmt
from chitieu_tui.present import rules as present_rules
from chitieu_tui.present.journal import change_line
from chitieu_tui.present.time import date_text

if TYPE_CHECKING:
    from chitieu_tui.core.arithmetic import Board
    from chitieu_tui.core.collection import Collection


def cmd_check(args: argparse.Namespace) -> int:
    """Validate chitieu.toml and every progress file; print every problem found (on a
    collection: every unit's, each named)."""
    collection = make_collection(args)
    if collection is not None:
        return check_collection(args, collection)
    data = DataDir(_data_dir(args))
    try:
        defs = data.definitions()
    except ChitieuError as exc:
        for e in flatten(exc):
            print(e.render(), file=sys.stderr)
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
    broken_rules: list[tuple[bool, str]] = []  # (high, line): DESIGN section 15
    for period in periods:
        try:
            own = None if period.year in broken_years else data.year_definitions(period.year)
            progress = data.progress(period, own or defs)
        except ChitieuError as exc:
            problems.extend(flatten(exc))
            continue
        if progress is not None:
            where = data.shown(data.progress_path(period))
            for r in rules.broken(rules.evaluate(own or defs, progress.values)):
                line = f"{where}: {present_rules.item(r)}"
                broken_rules.append((r.rule.importance == "high", line))
    problems.extend(data.journal_problems())  # a quarter `set` would refuse is not OK
    progress_dir = data.root / "progress"
    if progress_dir.exists() and not progress_dir.is_dir():
        problems.append(DataError("err.folder.is_file", Place(data.shown(progress_dir))))
    if progress_dir.is_dir():
        for path in sorted(progress_dir.iterdir()):
            if path.suffix == ".toml" and not Period.is_valid(path.stem):
                where = data.shown(path)
                year = Period.problem(path.stem)  # 0000-Q1.toml: a period of no sane year
                if year is not None and year.key == "err.period.year_range":
                    problems.append(DataError(year, Place(where)))
                    continue
                print(t("check.misnamed", where=where), file=sys.stderr)
    for w in data.warnings:
        print(f"{w.place}: warning: {w.message}" if w.place else f"warning: {w}", file=sys.stderr)
    for p in problems:
        print(p.render(), file=sys.stderr)
    for _, line in broken_rules:
        print(line, file=sys.stderr)
    if problems or any(high for high, _ in broken_rules):
        return 1
    shown = data.shown(data.definitions_path)
    print(
        t(
            "check.ok",
            where=shown,
            indicators=fmt.number(len(defs.indicators)),
            files=fmt.number(len(periods)),
        )
    )
    return 0


def check_collection(args: argparse.Namespace, collection: Collection) -> int:
    """`chitieu check` on a collection: each unit checked as `chitieu check --config UNIT`,
    under a line naming it; then the collection read as `report` reads it (streamed: one
    unit held at a time), so that what only the whole shows (two folders of one unit) is
    said too. Exit 1 when any unit fails."""
    failed: list[str] = []
    for m in collection.members:
        if not isinstance(m.source, FileSource):  # not a folder (not for `--config ROOT`)
            continue
        data = m.source.data
        print(t("check.unit", where=data.shown(data.root)), flush=True)
        unit_args = argparse.Namespace(**vars(args))
        unit_args.config = str(data.root)
        if cmd_check(unit_args) != 0:
            failed.append(m.key)
        sys.stdout.flush()
        sys.stderr.flush()
    try:
        for _ in collection.stream(None):  # as `report` reads it, never holding every unit
            pass
    except ChitieuError as exc:
        for e in flatten(exc):
            print(e.render(), file=sys.stderr)
        return 1
    for m in collection.members:
        if m.error is not None and m.key not in failed:
            print(m.error.render(), file=sys.stderr)
            failed.append(m.key)
    # lazy: the targets handed down are read only on a collection folder
    from chitieu_tui.cli.targets_check import check_targets

    targets_ok = args.config is None or check_targets(Path(args.config), collection)
    if not targets_ok and not failed:
        print(t("check.targets_failed"))
        return 1
    if failed:
        print(
            t(
                "check.units_failed",
                n=fmt.number(len(failed)),
                total=fmt.number(len(collection.members)),
            )
        )
        return 1
    print(t("check.units_ok", total=fmt.number(len(collection.members))))
    return 0


def _check_output(args: argparse.Namespace) -> None:
    """A binary format needs `--output FILE`, and never goes to a terminal (exit 2)."""
    if args.format not in BINARY_FORMATS:
        return
    if not args.output:
        raise UsageError("err.office.needs_output", format=args.format)
    if args.output == "-" and sys.stdout.isatty():
        raise UsageError("err.office.terminal", format=args.format)


def _emit(args: argparse.Namespace, data: bytes | bytearray | str) -> None:
    """Write the report to `--output` (atomically; `-` is stdout) or print it."""
    from chitieu_tui.core.atomic import atomic_write  # lazy: tempfile, only for --output

    if isinstance(data, str):
        data = data.encode("utf-8")
    if args.output and args.output != "-":
        print(atomic_write(Path(args.output), data, shown=args.output))
        return
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


OFFICIAL = ("xlsx", "docx", "pdf", "text")
"""`report --format` values rendered by office/render.py."""


def _document_date(args: argparse.Namespace) -> dt.date | None:
    """`--date YYYY-MM-DD` (None: today), refused with a coded error when it is not a date."""
    raw = getattr(args, "date", None)
    if raw is None:
        return None
    try:
        if len(raw) != 10:
            raise ValueError(raw)
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise UsageError("err.date.format", got=raw) from None


def _check_pdf(args: argparse.Namespace) -> None:
    """`--format pdf` without LibreOffice: exit 1 naming what to install, before any work."""
    if args.format == "pdf":
        from chitieu_tui.office.pdf import soffice  # lazy: only for --format pdf

        if soffice() is None:
            raise ToolError("err.pdf.no_soffice")


def cmd_report(args: argparse.Namespace) -> int:
    """Print one period (or write it to `--output`)."""
    # lazy: the report's renderers, only for `report`
    from chitieu_tui.report import render, rules_csv

    _check_output(args)
    _check_pdf(args)
    if getattr(args, "rules", False) and args.format != "csv":
        raise UsageError("err.report.rules_csv", format=args.format)
    day = _document_date(args)
    collection = make_collection(args)
    if collection is not None:
        return report_collection(args, collection, day)
    source = make_source(args)
    official = args.format in OFFICIAL
    history = 5 if official or args.format == "csv-excel" else 0  # quarter and last year's
    if args.format == "xlsx":
        history = 8  # the charts' year's path: this year's quarters and all of last year's
    view = _load_view(source, args.period, history=history)
    for w in view.warnings:
        warn(w)
    if official:
        # lazy: the official forms and their narrative, only for --format xlsx|docx|text
        from chitieu_tui.office.render import render_official

        _emit(args, render_official(view, args.format, day))
        return 0
    if getattr(args, "rules", False):
        text = rules_csv(view.board)
    else:
        text = render(view, args.format)
    if args.format == "json":
        text += "\n"
    if args.output:
        _emit(args, text)
    else:
        sys.stdout.write(text)
    return 0


def report_collection(
    args: argparse.Namespace, collection: Collection, day: dt.date | None = None
) -> int:
    """`chitieu report` on a collection."""
    # lazy: loads core.collection and asyncio, which a single unit's report never needs
    from chitieu_tui.rollup_report import render_collection, stream_collection

    if args.format in ("json", "csv") and collection.kind == "file":
        # unit by unit: each folder read, written and let go of (never all held); to a file,
        # the encoded text is gathered for the one atomic write (58 MB for the country)
        rules_only = getattr(args, "rules", False)
        # lazy: the report made in worker processes, only for a collection's json|csv
        from chitieu_tui.report_workers import stream_report

        pieces = stream_report(collection, args.period, args.format, rules_only, warn)
        if pieces is None:  # serially: few units, one core, a warm parse cache
            members = collection.stream(args.period)
            pieces = stream_collection(
                collection, args.format, warned_members(members), rules_only=rules_only
            )
        assert pieces is not None
        tail = "\n" if args.format == "json" else ""
        if not args.output:
            for piece in pieces:
                sys.stdout.write(piece)
            sys.stdout.write(tail)
            return 0
        data = bytearray()
        for piece in pieces:
            data += piece.encode("utf-8")
        data += tail.encode("utf-8")
        _emit(args, data)
        return 0
    load_collection(collection, args.period)
    if args.format in OFFICIAL:
        # lazy: the official forms and their narrative, only for --format xlsx|docx|pdf|text
        from chitieu_tui.office.render import render_collection_official

        _emit(args, render_collection_official(collection, args.format, day))
        return 0
    pieces = stream_collection(collection, args.format, rules_only=getattr(args, "rules", False))
    if pieces is not None and not args.output:  # unit by unit to stdout, never whole
        for piece in pieces:
            sys.stdout.write(piece)
        if args.format == "json":
            sys.stdout.write("\n")
        return 0
    text = render_collection(collection, args.format, getattr(args, "rules", False))
    if args.format == "json":
        text += "\n"
    if args.output:
        _emit(args, text)
    else:
        sys.stdout.write(text)
    return 0


def cmd_alerts(args: argparse.Namespace) -> int:
    """List the period's alerts; with --fail, exit 1 when there is any."""
    # lazy: the alerts, only for `chitieu alerts`
    from chitieu_tui.core import alerts as core_alerts
    from chitieu_tui.present.alerts import line, title

    collection = make_collection(args)
    if collection is not None:
        return alerts_collection(args, collection)
    source = make_source(args)
    view = _load_view(source, args.period)
    for w in view.warnings:
        warn(w)
    found = core_alerts.alerts(view.board, core_alerts.today())
    print(title(view.board, len(found)))
    for alert in found:
        print(line(alert, view.board))
    broken = _rules_listed(view.board)
    return 1 if args.fail and (found or broken) else 0


def _rules_listed(board: Board) -> int:
    """The board's broken rules under their count (`2 quy tắc bị vi phạm`), one per line;
    how many (DESIGN section 15)."""
    results = rules.board_results(board)
    count = present_rules.broken_count(results)
    if count:
        print(count)
        for r in rules.broken(results):
            print(f"  {present_rules.item(r)}")
    return len(rules.broken(results))


def alerts_collection(args: argparse.Namespace, collection: Collection) -> int:
    """`chitieu alerts` on a collection: each readable unit's alerts under its title (which
    names the unit), a blank line between units; an unreadable unit is warned about (and,
    with --fail, fails the run: its alerts are unknown)."""
    # lazy: the alerts, only for `chitieu alerts`
    from chitieu_tui.core import alerts as core_alerts
    from chitieu_tui.present.alerts import line, title

    load_collection(collection, args.period)
    on = core_alerts.today()
    found_any = False
    first = True
    for m in collection.members:
        board = m.board
        if board is None:
            found_any = True
            continue
        found = core_alerts.alerts(board, on)
        found_any = found_any or bool(found)
        if not first:
            print()
        first = False
        print(title(board, len(found)))
        for alert in found:
            print(line(alert, board))
        found_any = bool(_rules_listed(board)) or found_any
    late = overdue_units(collection)
    if late:
        found_any = True
        print()
        print(late)
    return 1 if args.fail and found_any else 0


def overdue_units(collection: Collection) -> str:
    """The units that have not submitted the period once its deadline passed (collection.toml
    `[reporting]`; none without it), a title line then one line each; empty when none."""
    # lazy: loads core.collection and asyncio, which a single unit's report never needs
    from chitieu_tui.present.rollup import standing_of

    if collection.reporting is None:
        return ""
    rep = collection.reporting
    lines: list[str] = []
    due_text = period_text = ""
    for m in collection.units():
        board = m.board
        if board is None:
            continue
        due = deadline(board.period, rep.cutoff_day, rep.send_days)
        if standing_of(collection, board).overdue:
            due_text, period_text = date_text(due), board.period.label()
            lines.append(
                "  " + t("alerts.not_submitted", name=m.name, period=period_text, due=due_text)
            )
    if not lines:
        return ""
    head = t("alerts.not_submitted_title", n=len(lines), period=period_text, due=due_text)
    return "\n".join([head, *lines])


def cmd_snapshot(args: argparse.Namespace) -> int:
    """Write one snapshot; print its path."""
    collection = make_collection(args)
    if collection is not None:
        return snapshot_collection(args, collection)
    source = make_source(args)
    view = _load_view(source, args.period)
    print(source.snapshot(view))
    return 0


def snapshot_collection(args: argparse.Namespace, collection: Collection) -> int:
    """`chitieu snapshot` on a collection: one snapshot per readable unit, each path printed;
    exit 1 when a unit could not be read or written (the others are still written)."""
    load_collection(collection, args.period)
    failed = False
    for m in collection.members:
        if m.view is None or m.error is not None:
            failed = True
            continue
        try:
            print(m.source.snapshot(m.view))
        except ChitieuError as exc:
            warn(exc)
            failed = True
    return 1 if failed else 0


def cmd_log(args: argparse.Namespace) -> int:
    """List every change of a quarter, oldest first (values changed by hand noticed)."""
    if args.api:
        raise UsageError("err.usage.log_api")
    source = FileSource(resolve_data_dir(args.config))
    defs = source.data.definitions()
    period = args.period or source.data.default_period(defs)
    changes = source.journal(period)
    if args.id is not None:
        if defs.indicator(args.id) is None:
            raise DataError("err.indicator.unknown", Place("ID"), id=args.id)
        changes = [c for c in changes if c.id == args.id]
    if not changes:
        print(t("cli.log_empty", period=period.label()))
    for change in changes:
        print(change_line(change))
    return 0
