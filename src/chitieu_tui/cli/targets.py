"""`chitieu targets`: what the province assigned, what each unit adopted, where they differ."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from chitieu_tui.cli.read import _check_output, _emit
from chitieu_tui.cli.sources import load_collection, make_collection
from chitieu_tui.core.atomic import atomic_write
from chitieu_tui.core.errors import DataError, Place, UsageError
from chitieu_tui.core.journal import current_user
from chitieu_tui.core.paths import shown_path
from chitieu_tui.core.periods import Period
from chitieu_tui.core.targets import (
    Targets,
    UnitDefs,
    collection_units,
    load_targets,
    reference,
    target_files,
    targets_path,
)
from chitieu_tui.core.targets_write import replace_targets
from chitieu_tui.i18n import t
from chitieu_tui.office import need

if TYPE_CHECKING:
    from chitieu_tui.core.collection import Collection
    from chitieu_tui.present.targets import TargetsTable


def read_targets(root: Path, year: int, collection: Collection) -> tuple[Targets, list[UnitDefs]]:
    """targets/<year>.toml of the collection folder `root`, checked against its units."""
    units = collection_units(collection.members, year)
    path = targets_path(root, year)
    if not path.exists():
        raise DataError("err.targets.no_file", Place(shown_path(path)), year=year)
    return load_targets(path, year, units, shown_path(path)), units


def _newest_of(collection: Collection, year: int) -> Period | None:
    """The newest quarter of `year` any unit has a progress file for (None: none)."""
    found: list[Period] = []
    for m in collection.members:
        data = getattr(m.source, "data", None)
        if data is not None:
            try:
                found += [p for p in data.periods() if p.year == year]
            except OSError:
                continue
    return max(found) if found else None


def cmd_targets(args: argparse.Namespace) -> int:
    """Print the targets handed down (or write them to `--output`)."""
    from chitieu_tui.present.targets import build  # lazy: only when the command runs

    _check_output(args)
    collection = make_collection(args)
    if collection is not None and collection.kind == "api":
        table = _api_table(args, collection)
    else:
        if collection is None or collection.kind != "file" or not args.config:
            raise UsageError("err.usage.targets_collection")
        root = Path(args.config)
        period = args.period
        if period is None and args.year is not None:
            period = _newest_of(collection, args.year)
        load_collection(collection, period)
        year = args.year
        if year is None:
            if collection.period is not None:
                year = collection.period.year
            else:
                files = [p for p in target_files(root) if p.stem.isdigit()]
                if not files:
                    raise DataError("err.targets.none", Place(shown_path(root / "targets")))
                year = int(files[-1].stem)
        targets, units = read_targets(root, year, collection)
        table = build(collection, targets, units)
    if args.format == "xlsx":
        from chitieu_tui.office.targets import targets_workbook  # lazy: openpyxl
        from chitieu_tui.office.xlsx import to_bytes

        _emit(args, to_bytes(targets_workbook(table)))
        return 0
    from chitieu_tui.targets_report import render_targets  # lazy: rich for the table

    text = render_targets(table, args.format)
    if args.output:
        _emit(args, text)
    else:
        sys.stdout.write(text)
    return 0


def _api_table(args: argparse.Namespace, collection: Collection) -> TargetsTable:
    """`chitieu targets --api URL`: the server's units read as the roll-up reads them (the
    newest quarter of `--year` when given), the assignment from `GET /api/v1/targets/{year}`
    (the roll-up's request); the table built as from a folder."""
    from chitieu_tui.present.targets import build, units_of  # lazy: only when the command runs
    from chitieu_tui.remote.collection import read_year_targets  # lazy: httpx, only for --api

    load_collection(collection, args.period)
    year = args.year
    if year is not None and args.period is None and collection.period is not None:
        found = [p for m in collection.members if m.view is not None for p in m.view.periods]
        newest = max((p for p in found if p.year == year), default=None)
        if newest is not None and newest != collection.period:
            load_collection(collection, newest)
    if year is None:
        if collection.period is None:
            raise DataError("err.targets.none", Place(collection.label))
        year = collection.period.year
    targets = collection.targets
    if targets is None or targets.year != year:
        targets = read_year_targets(collection, year)
    return build(collection, targets, units_of(collection, year))


def _file_collection(args: argparse.Namespace) -> tuple[Collection, Path]:
    collection = make_collection(args)
    if collection is None or collection.kind != "file" or not args.config:
        raise UsageError("err.usage.targets_collection")
    return collection, Path(args.config)


def template_targets(args: argparse.Namespace) -> int:
    """`chitieu template --targets [--year Y] --output F.xlsx`: the assignment sheet."""
    need("openpyxl")
    from chitieu_tui.office.targets_sheet import template_workbook  # lazy: openpyxl
    from chitieu_tui.present.targets import TargetsTable, title  # lazy: with the sheet

    collection, root = _file_collection(args)
    period = _newest_of(collection, args.year) if args.year is not None else args.period
    load_collection(collection, period)
    year = args.year or (collection.period.year if collection.period is not None else None)
    if year is None:
        raise DataError("err.targets.none", Place(shown_path(root / "targets")))
    units = collection_units(collection.members, year)
    targets = None
    path = targets_path(root, year)
    if path.exists():
        targets = load_targets(path, year, units, shown_path(path))
    if targets is not None and targets.indicators:
        ids = [a.id for a in targets.indicators]
    else:
        ids = [c for c in collection.shown_columns() if _assignable(c, units)]
    heading = title(TargetsTable(collection.name, year, None, "", []))
    data = template_workbook(heading, year, units, targets, ids)
    print(atomic_write(Path(args.output), data, shown=args.output))
    return 0


def _assignable(indicator_id: str, units: list[UnitDefs]) -> bool:
    ref = reference(indicator_id, units)
    return ref is not None and ref.kind != "milestone"


def import_targets(args: argparse.Namespace) -> int:
    """`chitieu import --targets FILE`: the assignment sheet checked whole (every bad cell
    named, nothing written), then targets/<year>.toml replaced atomically, journaled in
    journal/targets-<year>.toml (`via = "import"`)."""
    need("openpyxl")
    from chitieu_tui.office.targets_sheet import read_assignment  # lazy: openpyxl

    collection, root = _file_collection(args)
    year, data, targets = read_assignment(
        Path(args.file), args.file, lambda y: collection_units(collection.members, y)
    )
    units = collection_units(collection.members, year)
    _, changed = replace_targets(root, year, data, units, by=current_user(args.by), via="import")
    shown = shown_path(targets_path(root, year))
    if changed:
        print(t("tgs.imported", where=shown, n=len(targets.indicators), year=year))
    else:
        print(t("tgs.unchanged", where=shown))
    return 0
