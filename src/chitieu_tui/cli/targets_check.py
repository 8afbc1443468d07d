"""`chitieu check` of a collection's targets handed down (targets/<year>.toml)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

from chitieu_tui.core.errors import ChitieuError, DataError, Place, flatten
from chitieu_tui.core.paths import shown_path
from chitieu_tui.core.targets import collection_units, load_targets, target_files, target_problems
from chitieu_tui.i18n import t

if TYPE_CHECKING:
    from chitieu_tui.core.collection import Collection


def check_targets(root: Path, collection: Collection) -> bool:
    """`chitieu check` on a collection: every file of `targets/` read against the units
    (its problems at their places), then giao thiếu (an error) and a unit that adopted less
    than assigned or lacks the indicator (a warning), each naming the files. True when no
    error was found (warnings alone pass)."""
    ok = True
    for path in target_files(root):
        shown = shown_path(path)
        if not (len(path.stem) == 4 and path.stem.isdigit()):
            print(DataError("err.targets.file_name", Place(shown)).render(), file=sys.stderr)
            ok = False
            continue
        year = int(path.stem)
        units = collection_units(collection.members, year)
        try:
            targets = load_targets(path, year, units, shown)
        except ChitieuError as exc:
            for e in flatten(exc):
                print(e.render(), file=sys.stderr)
            ok = False
            continue
        errors, warnings = target_problems(targets, units)
        for w in warnings:
            print(w.render(), file=sys.stderr)
        for e in errors:
            print(e.render(), file=sys.stderr)
        if errors:
            ok = False
        else:
            print(t("check.targets_ok", where=shown, n=len(targets.indicators)))
    return ok
