"""Commands that write: set, unset, close, reopen, init, template, import."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from chitieu_tui.cli.console import warn
from chitieu_tui.cli.sources import make_collection
from chitieu_tui.core.errors import (
    ChitieuError,
    DataError,
    EntryError,
    Place,
    UsageError,
    WriteError,
)
from chitieu_tui.core.periods import Period
from chitieu_tui.core.text import clean
from chitieu_tui.i18n import t

if TYPE_CHECKING:
    from chitieu_tui.core.datadir import DataDir


def _set_period(args: argparse.Namespace, data: DataDir) -> Period:
    """`--period`, else the default period (the newest quarter with progress not after
    today's) while it is open (docs/cli.md)."""
    from chitieu_tui.core.journal import closed_msg
    from chitieu_tui.core.periods import preferred

    if args.period is not None:
        chosen: Period = args.period
        return chosen
    defs = data.definitions()
    periods = preferred(data.periods())
    if not periods:
        raise WriteError(
            "err.set.no_period", Place("--period"), example=str(Period(defs.unit.year, 1))
        )
    period = periods[0]
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
        place = Place(t(args.lang, "cli.value_place"))  # the argument, in the reader's words
        raise DataError(Msg("err.in_item", item=item, detail=detail), place) from None
    label = period.label(args.lang)
    stored = _stored_text(data, period, args.id, args.lang)
    typed = clean(args.value.strip())
    print(t(args.lang, "cli.set_done", period=label, id=args.id, value=typed, stored=stored))
    print(data.shown(path))
    if not args.no_snapshot:
        print(data.take_snapshot(data.board(period)))
    return 0


def _stored_text(data: DataDir, period: Period, indicator_id: str, lang: str) -> str:
    """The value the progress file now holds, read back, as the user writes numbers (every
    decimal kept): `1.43` typed in English is shown `1.43`, not mistaken for 1.430."""
    from chitieu_tui.present import fmt

    defs = data.defs_for(period)
    progress = data.progress(period, defs)
    entry = progress.values.get(indicator_id) if progress is not None else None
    if entry is None:
        return fmt.NONE
    return fmt.number(entry.value, lang, decimals=9)  # a milestone: `Đã xong`


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
