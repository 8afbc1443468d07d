"""Replacing a collection's targets/<year>.toml (the API's PUT, the import of the assignment
sheet): checked as the file is, under its lock, journaled first in the collection's own
journal `journal/targets-<year>.toml`, each file through the one atomic writer."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import tomli_w

from chitieu_tui.core.atomic import atomic_write, folder_error
from chitieu_tui.core.errors import ChitieuError, DataError, Place
from chitieu_tui.core.journal import local_now
from chitieu_tui.core.loader import SCHEMA
from chitieu_tui.core.paths import shown_path
from chitieu_tui.core.targets import (
    Targets,
    UnitDefs,
    load_targets,
    targets_from_text,
    targets_path,
)
from chitieu_tui.core.text import clean
from chitieu_tui.core.tomlfile import read_toml
from chitieu_tui.core.users import _locked

JOURNAL_DIR = "journal"
"""The collection's own journal folder: `journal/targets-<year>.toml`, one file a year."""
VIAS = ("api", "import")
"""How an assignment was replaced (the journal's `via`)."""


def targets_journal_path(root: Path, year: int) -> Path:
    """`<root>/journal/targets-<year>.toml`: every replacement of that year's assignment."""
    return root / JOURNAL_DIR / f"targets-{year}.toml"


def targets_document(targets: Targets) -> dict[str, Any]:
    """targets/<year>.toml as a TOML-shaped dict (absent optional keys left out)."""
    items: list[dict[str, Any]] = []
    for a in targets.indicators:
        item: dict[str, Any] = {"id": a.id}
        if a.target is not None:
            item["target"] = a.target
        if a.basis:
            item["basis"] = a.basis
        item["units"] = dict(a.units)
        items.append(item)
    return {"schema": SCHEMA, "year": targets.year, "indicator": items}


def _digest(data: bytes | None) -> str:
    return "" if data is None else "sha256:" + hashlib.sha256(data).hexdigest()


def _entry_digest(entry: dict[str, Any]) -> str:
    """The SHA-256 of a journal entry's canonical JSON (sorted keys, compact, UTF-8)."""
    text = json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return _digest(text.encode("utf-8"))


def _read_journal(path: Path, shown: str) -> list[dict[str, Any]]:
    """The entries of a targets journal (none when it does not exist); a broken one is a
    DataError (nothing is written then: the history is not overwritten)."""
    if not path.exists() and not path.is_symlink():
        return []
    data, _ = read_toml(path, shown)
    changes = data.get("change", [])
    if not isinstance(changes, list) or not all(isinstance(c, dict) for c in changes):
        raise DataError("err.targets.journal", Place(shown))
    return list(changes)


def replace_targets(
    root: Path,
    year: int,
    data: dict[str, Any],
    units: Sequence[UnitDefs],
    *,
    by: str,
    account: str = "",
    via: str = "api",
) -> tuple[Targets, bool]:
    """Replace targets/<year>.toml of the collection `root` with `data` (TOML-shaped, checked
    as the file is): under the file's lock, the journal entry first, each through the atomic
    writer. (targets, False) when the file already says the same: nothing is written."""
    path = targets_path(root, year)
    shown = shown_path(path)
    targets = targets_from_text(data, "", shown, year, units)
    new = tomli_w.dumps(targets_document(targets)).encode("utf-8")
    journal = targets_journal_path(root, year)
    journal_shown = shown_path(journal)
    for folder in (path.parent, journal.parent):
        try:
            folder.mkdir(exist_ok=True)
        except OSError as exc:
            raise folder_error(folder, shown_path(folder), exc) from None
    with _locked(path, shown):
        old: bytes | None = path.read_bytes() if path.is_file() else None
        if old is not None:
            try:
                before = load_targets(path, year, units, shown)
            except ChitieuError:
                before = None
            if before is not None and before.indicators == targets.indicators:
                return before, False
        entries = _read_journal(journal, journal_shown)
        entry = {
            "at": local_now(),
            "by": clean(by),
            "account": clean(account),
            "via": via,
            "year": year,
            "before": _digest(old),
            "after": _digest(new),
            "prev": _entry_digest(entries[-1]) if entries else "",
        }
        doc = {"schema": SCHEMA, "change": [*entries, entry]}
        atomic_write(journal, tomli_w.dumps(doc).encode("utf-8"), shown=journal_shown)
        atomic_write(path, new, shown=shown)
    return targets, True


__all__ = [
    "JOURNAL_DIR",
    "VIAS",
    "replace_targets",
    "targets_document",
    "targets_journal_path",
]
