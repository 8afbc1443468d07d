"""Snapshots: frozen, timestamped copies of one period's progress and status."""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any

import msgspec

from chitieu_tui.core.arithmetic import STATUS_ORDER, Board
from chitieu_tui.core.atomic import atomic_write
from chitieu_tui.core.errors import DataError, Place, WriteError
from chitieu_tui.core.loader import definitions_from_dict, progress_from_dict
from chitieu_tui.core.model import Definitions, Progress, drop_none
from chitieu_tui.core.periods import Period
from chitieu_tui.core.records import frozen_dict
from chitieu_tui.core.tomlfile import Locator, read_toml

_NAME_RE = re.compile(r"\A([0-9]{8}T[0-9]{6}Z)(?:-([0-9]+))?\.toml\Z")
_VOLATILE = ("taken_at", "source")
"""Keys that differ between two snapshots of the same figures."""


def default_snapshot_root(unit_id: str) -> Path:
    """`$XDG_DATA_HOME/chitieu-tui/<unit>/snapshots` (`~/.local/share/…`)."""
    from platformdirs import user_data_path  # lazy: only when a snapshot is written

    return user_data_path("chitieu-tui", appauthor=False) / unit_id / "snapshots"


def snapshot_document(board: Board, source: str, taken_at: dt.datetime) -> dict[str, Any]:
    """The TOML document of a snapshot (docs/formats.md), plus the definitions it used."""
    counts = board.summary.counts
    summary: dict[str, int] = {s.value: counts[s] for s in STATUS_ORDER}
    summary["total"] = board.summary.total
    rows: list[dict[str, Any]] = []
    for ev in board.evaluations:
        row: dict[str, Any] = {"id": ev.indicator.id}
        if ev.value is not None:
            row["value"] = ev.value
        if ev.indicator.target is not None:
            row["target"] = ev.indicator.target
        for key, val in (
            ("ytd", ev.ytd),
            # Two decimals, as the report's JSON (present/fmt.py round2); the core stays
            # free of the presentation layer.
            ("percent_of_target", None if ev.percent is None else round(ev.percent, 2)),
            ("expected", None if ev.expected is None else round(ev.expected, 2)),
        ):
            if val is not None:
                row[key] = val
        row["status"] = ev.status.value
        if ev.note:
            row["note"] = ev.note
        if ev.entry is not None:  # who and when, cause and remedy, as the progress file has them
            for key in ("by", "at", "cause", "remedy"):
                if getattr(ev.entry, key):
                    row[key] = getattr(ev.entry, key)
        rows.append(row)
    doc: dict[str, Any] = {
        "schema": 1,
        "unit": board.definitions.unit.id,
        "period": str(board.period),
        "taken_at": taken_at.astimezone(dt.UTC).replace(microsecond=0),
        "source": source,
    }
    if board.progress is not None and board.progress.as_of is not None:
        doc["as_of"] = board.progress.as_of
    closed = board.progress.closed if board.progress is not None else None
    if closed is not None:
        doc["closed"] = {"at": closed.at, "by": closed.by, "reason": closed.reason}
    doc["summary"] = summary
    doc["indicator"] = rows
    defs = msgspec.to_builtins(board.definitions)
    doc["definitions"] = drop_none(defs)
    return doc


def write_snapshot(folder: Path, board: Board, source: str, now: dt.datetime | None = None) -> Path:
    """Write `<folder>/<period>/<UTC timestamp>.toml`; never overwrite (same second gets `-2`…).

    When the newest snapshot of the period holds the same figures (all but
    `taken_at` and `source`), nothing is written and its path is returned.
    """
    import tomli_w  # lazy: only when a snapshot is written

    taken_at = (now or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    data = tomli_w.dumps(snapshot_document(board, source, taken_at)).encode("utf-8")
    target_dir = folder / str(board.period)
    same = _same_as_latest(folder, board.period, data)
    if same is not None:
        return same
    stamp = taken_at.strftime("%Y%m%dT%H%M%SZ")
    for n in range(1, 1000):
        name = f"{stamp}.toml" if n == 1 else f"{stamp}-{n}.toml"
        try:
            return atomic_write(target_dir / name, data, overwrite=False)
        except FileExistsError:
            continue
    raise WriteError("err.snapshot.too_many", Place(str(target_dir)))


def _comparable(data: bytes) -> dict[str, Any] | None:
    """A snapshot's content without the keys that change each time; None if unreadable."""
    import tomllib  # lazy: only when a snapshot is compared with the one before

    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, RecursionError):
        return None
    for key in _VOLATILE:
        doc.pop(key, None)
    return doc


def _same_as_latest(folder: Path, period: Period, data: bytes) -> Path | None:
    """The newest snapshot of `period` when it has the same content as `data`, else None."""
    latest = latest_snapshot(folder, period)
    if latest is None:
        return None
    try:
        old = latest.read_bytes()
    except OSError:
        return None
    new = _comparable(data)
    return latest if new is not None and _comparable(old) == new else None


def _sort_key(path: Path) -> tuple[str, int]:
    match = _NAME_RE.match(path.name)
    assert match is not None
    return match.group(1), int(match.group(2) or 1)


def snapshot_files(folder: Path, period: Period) -> list[Path]:
    """The snapshots of one period, oldest first."""
    target_dir = folder / str(period)
    try:
        names = os.listdir(target_dir)
    except OSError:
        return []
    return sorted((target_dir / n for n in names if _NAME_RE.match(n)), key=_sort_key)


def latest_snapshot(folder: Path, period: Period) -> Path | None:
    """The newest snapshot of one period, or None."""
    files = snapshot_files(folder, period)
    return files[-1] if files else None


def snapshot_periods(folder: Path) -> list[Period]:
    """The periods that have at least one snapshot."""
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    return sorted(
        Period.parse(n)
        for n in names
        if Period.is_valid(n) and snapshot_files(folder, Period.parse(n))
    )


@frozen_dict  # a dataclass without `exec` at import (core/records.py)
class Snapshot:
    """A snapshot read back: when, from where, the definitions and the values."""

    path: Path
    taken_at: dt.datetime
    source: str
    definitions: Definitions
    progress: Progress

    def __init__(
        self,
        path: Path,
        taken_at: dt.datetime,
        source: str,
        definitions: Definitions,
        progress: Progress,
    ) -> None:
        object.__setattr__(self, "path", path)
        object.__setattr__(self, "taken_at", taken_at)
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "definitions", definitions)
        object.__setattr__(self, "progress", progress)


def read_snapshot(path: Path, defs: Definitions | None = None) -> Snapshot:
    """Read a snapshot; values are checked against `defs` (or the snapshot's own definitions)."""
    data, text = read_toml(path)
    where = str(path)
    taken_at = data.get("taken_at")
    if not isinstance(taken_at, dt.datetime):
        raise DataError("err.snapshot.taken_at", Place(where))
    if taken_at.tzinfo is None:
        taken_at = taken_at.replace(tzinfo=dt.UTC)
    raw_defs = data.get("definitions")
    loc = Locator.scan(where, text)
    if defs is None:
        if not isinstance(raw_defs, dict):
            raise DataError("err.snapshot.no_definitions", Place(where))
        defs = definitions_from_dict(raw_defs, Locator(where))
    rows = data.get("indicator", [])
    if not isinstance(rows, list):
        raise DataError("err.snapshot.indicator_list", Place(where))
    values: dict[str, Any] = {}
    for row in rows:
        if not isinstance(row, dict) or "id" not in row or "value" not in row:
            continue
        kept = {k: row[k] for k in ("note", "by", "at", "cause", "remedy") if k in row}
        values[str(row["id"])] = {"value": row["value"], **kept} if kept else row["value"]
    progress_data = {
        "schema": 1,
        "unit": data.get("unit"),
        "period": data.get("period"),
        "as_of": data.get("as_of"),
        "values": values,
    }
    if progress_data["as_of"] is None:
        del progress_data["as_of"]
    if "closed" in data:
        progress_data["closed"] = data["closed"]
    progress, _ = progress_from_dict(progress_data, defs, loc, source=f"snapshot:{path.name}")
    return Snapshot(path, taken_at, str(data.get("source", "")), defs, progress)
