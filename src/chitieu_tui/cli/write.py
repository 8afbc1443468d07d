"""Commands that write: set, unset, close, reopen, init, template, import."""

from __future__ import annotations

import argparse
import dataclasses
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

from chitieu_tui.cli.console import warn
from chitieu_tui.cli.sources import make_collection
from chitieu_tui.core import rules
from chitieu_tui.core.atomic import atomic_write
from chitieu_tui.core.datadir import BUNDLED, resolve_data_dir
from chitieu_tui.core.errors import (
    ChitieuError,
    DataError,
    EntryError,
    ErrorList,
    Place,
    UsageError,
    WriteError,
    flatten,
)
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.core.journal import closed_msg
from chitieu_tui.core.oserrors import os_reason
from chitieu_tui.core.outliers import OutlierError, reasons
from chitieu_tui.core.periods import Period, preferred
from chitieu_tui.core.requests import Close, Reopen, SetValue, Unset
from chitieu_tui.core.text import clean
from chitieu_tui.core.writer import ImplausibleError
from chitieu_tui.i18n import Msg, current, t
from chitieu_tui.office import need
from chitieu_tui.present import fmt
from chitieu_tui.present import rules as present_rules
from chitieu_tui.present.journal import closed_text

if TYPE_CHECKING:
    from chitieu_tui.core.arithmetic import Board
    from chitieu_tui.core.model import Definitions
    from chitieu_tui.core.requests import Written
    from chitieu_tui.remote.source import ApiSource


def _file_source(args: argparse.Namespace) -> FileSource:
    """The data folder a writing command writes through (never a server: `--api` is refused)."""
    if args.api:
        raise UsageError("err.usage.set_api")
    return FileSource(resolve_data_dir(args.config))


def _api_source(args: argparse.Namespace) -> ApiSource | None:
    """`--api URL --unit U`: the server's unit, once `GET /api/v1/me` says the account may
    write (else WriteError naming the role, before anything is sent); None without --api."""
    if not args.api:
        return None
    if args.config:
        raise UsageError("err.usage.config_and_api")
    if not args.unit:
        raise UsageError("err.usage.api_needs_unit")
    from chitieu_tui.remote.source import ApiSource  # lazy: httpx only for --api
    from chitieu_tui.remote.writing import WRITER_ROLE

    source = ApiSource(args.api, args.unit)
    role = source.writer.ask_role()
    if role != WRITER_ROLE:
        raise WriteError(source.writer.refusal(), Place(args.api))
    return source


def _api_period(args: argparse.Namespace, source: ApiSource) -> Period:
    """`--period`, else the period the server's unit shows by default."""
    if args.period is not None:
        chosen: Period = args.period
        return chosen
    return source.load(None, history=0).period


def _set_period(args: argparse.Namespace, source: FileSource) -> Period:
    """`--period`, else the default period (the newest quarter with progress not after
    today's) while it is open (docs/cli.md)."""
    if args.period is not None:
        chosen: Period = args.period
        return chosen
    data = source.data
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


def _said(written: Written) -> None:
    """Where the write went, and the snapshot taken after it."""
    print(written.place)
    if written.snapshot is not None:
        print(written.snapshot)


def cmd_set(args: argparse.Namespace) -> int:
    """Enter one value from the command line (the last writer wins)."""
    api = _api_source(args)
    source = api if api is not None else _file_source(args)
    period = _api_period(args, api) if api is not None else _set_period(args, _file_source(args))
    request = SetValue(
        period=period,
        id=args.id,
        value=args.value,
        note=args.note,
        cause=args.cause,
        remedy=args.remedy,
        confirm=args.yes,
        confirm_outlier=args.yes,
        lang=current(),
        by=args.by,
    )
    try:
        written = source.write([request], snapshot=not args.no_snapshot)
    except EntryError as exc:
        detail = exc.msg
        if isinstance(exc, ImplausibleError | OutlierError):
            detail = Msg("err.entry.needs_yes", detail=detail)
        item = Msg("item.indicator", id=args.id)
        place = Place(t("cli.value_place"))  # the argument, in the reader's words
        raise DataError(Msg("err.in_item", item=item, detail=detail), place) from None
    label = period.label()
    stored = _stored_text(written, args.id)
    typed = clean(args.value.strip())
    print(t("cli.set_done", period=label, id=args.id, value=typed, stored=stored))
    _marked_said(written, [args.id])
    _said(written)
    _rules_said(_defs_of(source, period), written, [args.id])
    return 0


def _marked_said(written: Written, ids: list[str]) -> None:
    """The values just written with a follow-up mark (an outlier confirmed), one a line."""
    for ident in ids:
        entry = written.progress.values.get(ident)
        if entry is not None and entry.followup is not None:
            print(t("fu.marked", id=ident, why=reasons(entry.followup)))


def _rules_said(defs: Definitions, written: Written, ids: list[str]) -> None:
    """The medium and low rules the values written take part in that the quarter now breaks
    (a high one refused the write): DESIGN section 15."""
    results = rules.evaluate(defs, written.progress.values, ids)
    for text in present_rules.written_broken(results):
        print(text)


def _defs_of(source: FileSource | ApiSource | _ApiUnit, period: Period) -> Definitions:
    """The definitions the quarter written is judged by."""
    if isinstance(source, FileSource):
        return source.data.defs_for(period)
    if isinstance(source, _ApiUnit):
        return source.board(period).definitions
    return source.writer.definitions()  # read alone: a load would write a snapshot


def _stored_text(written: Written, indicator_id: str) -> str:
    """The value the progress file now holds, as the user writes numbers (every decimal
    kept): `1.43` typed in English is shown `1.43`, not mistaken for 1.430."""
    entry = written.progress.values.get(indicator_id)
    if entry is None:
        return fmt.NONE
    return fmt.number(entry.value, decimals=9)  # a milestone: `Đã xong`


def cmd_unset(args: argparse.Namespace) -> int:
    """Remove one value (locked, atomic); exit 1 when there is none."""
    api = _api_source(args)
    if api is not None:
        source: ApiSource | FileSource = api
        period = _api_period(args, api)
    else:
        local = _file_source(args)
        source, period = local, args.period or local.data.default_period(local.data.definitions())
    request = Unset(period=period, id=args.id, by=args.by)
    written = source.write([request], snapshot=not args.no_snapshot)
    print(t("cli.unset_removed", id=args.id, path=written.place))
    if written.snapshot is not None:
        print(written.snapshot)
    return 0


def _cmd_close(args: argparse.Namespace, reopen: bool) -> int:
    api = _api_source(args)
    source = api if api is not None else _file_source(args)
    if args.period is None:
        raise UsageError("err.usage.close_needs_period")
    period: Period = args.period
    kind = Reopen if reopen else Close
    written = source.write([kind(period=period, reason=args.reason, by=args.by)])
    closed = written.progress.closed
    label = period.label()
    if closed is None:
        print(t("cli.reopened", period=label))
    else:
        print(t("cli.closed", period=label, detail=closed_text(closed)))
        if written.snapshot is not None:
            print(written.snapshot)
    return 0


def cmd_close(args: argparse.Namespace) -> int:
    """Close a quarter (chốt số liệu): `[closed]`, journaled, and a final snapshot."""
    return _cmd_close(args, reopen=False)


def cmd_reopen(args: argparse.Namespace) -> int:
    """Reopen a closed quarter, journaled."""
    return _cmd_close(args, reopen=True)


def cmd_init(args: argparse.Namespace) -> int:
    """Copy the bundled sample to a folder the user owns; with `--collection`, make a
    collection folder ready to serve (collection.toml and one example unit)."""
    if getattr(args, "collection", False):
        return _init_collection(args)
    dest = Path(args.dest or "config")
    _empty_or_new(dest)
    try:
        shutil.copytree(
            BUNDLED, dest, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__")
        )
    except OSError as exc:
        raise WriteError("err.init.copy", Place(str(dest)), reason=os_reason(exc)) from None
    print(dest)
    return 0


def _empty_or_new(dest: Path) -> None:
    """WriteError for a folder that exists and is not empty (a file there too)."""
    try:
        taken = dest.exists() and (not dest.is_dir() or any(dest.iterdir()))
    except OSError:
        taken = True
    if taken:
        raise WriteError("err.init.not_empty", Place(str(dest)))


COLLECTION_EXAMPLE = "my-thoi"
"""The folder of the example unit `init --collection` puts in: the bundled sample."""


def collection_toml(name: str) -> str:
    """The collection.toml `init --collection` writes: its keys, explained in the reader's
    language (comments), the optional ones commented out."""
    import tomli_w  # lazy: only init --collection writes TOML here

    lines = [f"# {line}" for line in t("init.collection.head").splitlines()]
    lines.append(tomli_w.dumps({"name": name}).rstrip("\n"))
    lines.append(f"# {t('init.collection.columns')}")
    lines.append('# columns = ["thu-ngan-sach", "ket-nap-dang-vien", "bhyt"]')
    lines.append(f"# {t('init.collection.reporting')}")
    lines += ["# [reporting]", "# cutoff_day = 14", "# send_days = 2"]
    return "\n".join(lines) + "\n"


def _init_collection(args: argparse.Namespace) -> int:
    """`init --collection DIR`: DIR/collection.toml and DIR/my-thoi (the bundled sample),
    then what to do next; refuses a folder that exists and is not empty. No accounts file:
    its example is in docs/formats.md (a token is made by `chitieu user add`, never here)."""
    # lazy: only init --collection needs the collection module (it pulls asyncio)
    from chitieu_tui.core.collection import COLLECTION_FILE

    if not args.dest:
        raise UsageError("err.usage.init_collection_dir")
    dest = Path(args.dest)
    _empty_or_new(dest)
    try:
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copytree(
            BUNDLED, dest / COLLECTION_EXAMPLE, ignore=shutil.ignore_patterns("__pycache__")
        )
    except OSError as exc:
        raise WriteError("err.init.copy", Place(str(dest)), reason=os_reason(exc)) from None
    name = clean(dest.resolve().name) or str(dest)
    atomic_write(dest / COLLECTION_FILE, collection_toml(name).encode("utf-8"))
    print(t("init.collection.done", dir=str(dest), unit=COLLECTION_EXAMPLE))
    print(t("init.collection.next", dir=str(dest), unit=COLLECTION_EXAMPLE))
    return 0


def _entry_units(args: argparse.Namespace) -> list[FileSource]:
    """The data folders `template` and `import` work on: one, or each unit of a collection."""
    if args.api or getattr(args, "offline", False):
        raise UsageError("err.usage.set_api")
    collection = make_collection(args)
    if collection is None:
        return [_file_source(args)]
    return [m.source for m in collection.members if isinstance(m.source, FileSource)]


def cmd_template(args: argparse.Namespace) -> int:
    """Write an entry workbook (a sheet per unit) for a quarter."""
    if getattr(args, "targets", False):  # the assignment sheet (issue 21)
        # lazy: the targets module pulls the collection loader, for this command only
        from chitieu_tui.cli.targets import template_targets

        return template_targets(args)
    need("openpyxl")
    # lazy: openpyxl, only for template and import (after `need` says how to install it)
    from chitieu_tui.office.entry import template_bytes

    boards = []
    for source in _entry_units(args):
        try:
            boards.append(source.board(args.period))
        except ChitieuError as exc:
            warn(exc)
    if not boards:
        raise DataError("err.import.no_units", Place(args.config or "."))
    print(atomic_write(Path(args.output), template_bytes(boards), shown=args.output))
    return 0


class _ApiUnit:
    """A server's unit as the import plans it (office/entry.py `plan` asks a unit's board and
    definitions, then writes): the quarter read once over the API, and every value sent in
    one bulk write (one transaction on the server) expecting the entry that board showed,
    so a value changed meanwhile is a conflict naming its cell, never overwritten."""

    def __init__(self, source: ApiSource) -> None:
        self.source = source
        self.data = self  # `unit.data.definitions()`, as of a FileSource
        self._boards: dict[Period, Board] = {}

    def definitions(self) -> Definitions:
        """The definitions of the quarter read (or of the server's default quarter)."""
        boards = list(self._boards.values())
        return (boards[0] if boards else self.board(None)).definitions

    def board(self, period: Period | None) -> Board:
        """The quarter as read once (the board the values written are expected against)."""
        if period not in self._boards:
            board = self.source.load(period, history=0).board
            self._boards.setdefault(board.period, board)
            self._boards[period] = self._boards[board.period]
        return self._boards[period]

    def write(self, requests: list[SetValue], *, snapshot: bool = True) -> Written:
        board = self._boards[requests[0].period]
        expecting = []
        for r in requests:
            shown = board.get(r.id)
            seen = shown.entry if shown is not None else None
            expecting.append(dataclasses.replace(r, expect=seen))
        return self.source.write(expecting, snapshot=snapshot)


def _import_units(args: argparse.Namespace) -> dict[str, FileSource | _ApiUnit]:
    """The units an import may write: the server's one (`--api URL --unit U`, an editor's
    token), else the data folder(s)."""
    api = _api_source(args)
    if api is not None:
        return {api.unit: _ApiUnit(api)}
    units: dict[str, FileSource | _ApiUnit] = {}
    for source in _entry_units(args):
        try:
            units[source.data.definitions().unit.id] = source
        except ChitieuError as exc:
            warn(exc)
    return units


def _in_cell(exc: ChitieuError, cells: list[str]) -> None:
    """The refusal of one value of a write placed at the cell the value came from (each of
    a list: the outliers of one write); an outlier says to add --yes."""
    for one in flatten(exc):
        if one.index is not None and 0 <= one.index < len(cells):
            one.place = Place(cells[one.index])
        if isinstance(one, OutlierError):
            one.msg = Msg("err.import.needs_yes", detail=one.msg)
    if isinstance(exc, ErrorList):
        exc.msg, exc.place = exc.errors[0].msg, exc.errors[0].place


def cmd_import(args: argparse.Namespace) -> int:
    """Check every filled cell of an entry workbook, then write them all (nothing when any
    cell is bad), one write (one transaction) per unit and quarter; with `--api` the one
    write is a bulk write to the server."""
    if getattr(args, "targets", False):  # the assignment sheet (issue 21)
        # lazy: the targets module pulls the collection loader, for this command only
        from chitieu_tui.cli.targets import import_targets

        return import_targets(args)
    need("openpyxl")
    # lazy: openpyxl, only for template and import (after `need` says how to install it)
    from chitieu_tui.office.entry import plan, read_sheets

    units = _import_units(args)
    sheets = read_sheets(Path(args.file), args.file)
    plans = plan(sheets, units, args.period, confirmed=args.yes, by=args.by)  # type: ignore[arg-type]
    if not plans:
        print(t("o.i_nothing", file=args.file))
        return 0
    done: list[str] = []
    for p in plans:
        try:
            written = p.source.write(p.requests, snapshot=not args.no_snapshot)
        except ChitieuError as exc:
            _in_cell(exc, p.cells)
            if done:
                written_units = "; ".join(done)
                raise WriteError(
                    Msg("err.import.partial", detail=exc.msg, written=written_units), exc.place
                ) from None
            raise
        unit = p.source.data.definitions().unit.name
        done.append(f"{p.sheet} ({len(p.requests)})")
        label = p.period.label()
        print(t("o.i_written", n=len(p.requests), period=label, unit=unit))
        _marked_said(written, [r.id for r in p.requests])
        _said(written)
        _rules_said(_defs_of(p.source, p.period), written, [r.id for r in p.requests])
    return 0
