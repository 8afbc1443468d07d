"""`chitieu followup`: the values marked for follow-up (outliers, DESIGN section 15), and
clearing a mark with a note."""

from __future__ import annotations

import argparse
import io
import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chitieu_tui.cli.console import warn
from chitieu_tui.core.datadir import resolve_data_dir
from chitieu_tui.core.errors import ChitieuError, DataError, Place, UsageError
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.core.model import Entry
from chitieu_tui.core.outliers import followup_to_toml
from chitieu_tui.core.periods import Period
from chitieu_tui.core.requests import ClearFollowup
from chitieu_tui.i18n import t
from chitieu_tui.present import fmt
from chitieu_tui.present.followup import at_text, by_text, why

COLUMNS = ("period", "id", "value", "why", "by", "at")


@dataclass(frozen=True)
class Marked:
    """One value marked for follow-up."""

    period: Period
    id: str
    name: str
    entry: Entry


def marked(source: FileSource, period: Period | None) -> list[Marked]:
    """The marked values of `period` (None: of every quarter with a progress file), oldest
    quarter first, in the definitions' order. Reading never writes."""
    data = source.data
    found: list[Marked] = []
    for p in [period] if period is not None else data.periods():
        defs = data.defs_for(p)
        progress = data.progress(p, defs)
        if progress is None:
            continue
        for ind in defs.indicators:
            entry = progress.values.get(ind.id)
            if entry is not None and entry.followup is not None:
                found.append(Marked(p, ind.id, ind.name, entry))
    return found


def _row(m: Marked) -> list[str]:
    assert m.entry.followup is not None
    return [
        m.period.label(),
        m.id,
        fmt.number(m.entry.value, 6),
        why(m.entry.followup),
        by_text(m.entry),
        at_text(m.entry),
    ]


def _json(unit: str, found: list[Marked]) -> dict[str, Any]:
    items: list[dict[str, Any]] = []
    for m in found:
        assert m.entry.followup is not None
        items.append(
            {
                "period": str(m.period),
                "id": m.id,
                "name": m.name,
                "value": m.entry.value,
                "followup": followup_to_toml(m.entry.followup),
                "why": why(m.entry.followup),
                "by": m.entry.by,
                "at": m.entry.at.isoformat() if m.entry.at is not None else None,
            }
        )
    return {"unit": unit, "marked": items}


def _table(title: str, found: list[Marked]) -> str:
    # lazy: rich only for the terminal table (not json)
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    grid = Table(title=Text(title))
    for column in COLUMNS:
        grid.add_column(
            Text(t(f"fu.col.{column}")), justify="right" if column == "value" else "left"
        )
    for m in found:
        grid.add_row(*(Text(cell) for cell in _row(m)))
    width = shutil.get_terminal_size((140, 24)).columns if sys.stdout.isatty() else 140
    console = Console(file=io.StringIO(), width=width, color_system=None, force_terminal=False)
    console.print(grid)
    out = console.file
    assert isinstance(out, io.StringIO)
    return out.getvalue()


def cmd_followup(args: argparse.Namespace) -> int:
    """List the values marked for follow-up (of one unit, or of each unit of a collection
    folder); `--clear ID --period P --note T` clears one (in a unit's folder)."""
    units = _units(args)
    if args.clear is not None:
        if len(units) != 1:
            raise UsageError("err.usage.followup_unit")
        return _clear(args, units[0])
    where = args.period.label() if args.period is not None else t("fu.all_quarters")
    docs: list[dict[str, Any]] = []
    listed = 0
    for n, source in enumerate(units):
        try:
            defs = source.data.definitions()
            found = marked(source, args.period)
        except ChitieuError as exc:
            if len(units) == 1:
                raise
            warn(exc)
            continue
        if args.format == "json":
            docs.append(_json(defs.unit.id, found))
            continue
        if n:
            print()
        if not found:
            print(t("fu.none", unit=defs.unit.name, where=where))
            continue
        title = t("fu.title", unit=defs.unit.name, where=where, n=len(found))
        sys.stdout.write(_table(title, found))
        listed += len(found)
    if args.format == "json":
        doc: dict[str, Any] = docs[0] if len(units) == 1 and docs else {"units": docs}
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    elif listed:
        print(t("fu.hint"))
    return 0


def _units(args: argparse.Namespace) -> list[FileSource]:
    """The unit folder `--config` names, or each unit folder of a collection folder."""
    if args.config is not None:
        # lazy: core.collection pulls asyncio; only when --config names a folder
        from chitieu_tui.core.collection import is_collection, open_folder

        root = Path(args.config)
        if is_collection(root):
            members = open_folder(root).members
            return [m.source for m in members if isinstance(m.source, FileSource)]
    return [FileSource(resolve_data_dir(args.config))]


def _clear(args: argparse.Namespace, source: FileSource) -> int:
    """Clear one mark with a note (the one write path: `FileSource.write`)."""
    if args.period is None:
        raise UsageError("err.usage.followup_period")
    if args.note is None:
        raise UsageError("err.usage.followup_note")
    period: Period = args.period
    data = source.data
    if data.defs_for(period).indicator(args.clear) is None:
        raise DataError("err.indicator.unknown", Place("ID"), id=args.clear)
    request = ClearFollowup(period=period, id=args.clear, note=args.note, by=args.by)
    written = source.write([request], snapshot=False)  # a mark is no part of a snapshot
    print(t("fu.cleared", id=args.clear, period=period.label(), path=written.place))
    return 0
