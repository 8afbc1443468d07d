"""Entering values: parse what an official typed, then a locked, atomic read-modify-write."""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import Any

from chitieu_tui.core.atomic import atomic_write, folder_error, write_target
from chitieu_tui.core.errors import ChitieuError, DataError, EntryError, Place, WriteError
from chitieu_tui.core.loader import progress_from_dict
from chitieu_tui.core.model import Definitions, Indicator
from chitieu_tui.core.oserrors import os_reason
from chitieu_tui.core.periods import Period
from chitieu_tui.core.text import clean
from chitieu_tui.core.tomlfile import MAX_BYTES, Locator
from chitieu_tui.i18n import fold

LOCK_SECONDS = 5.0
HISTORY_YEARS = 10
"""How many years before the definitions' year values may still be entered for."""
_TRUE = {"true", "yes", "y", "1", "x", "done", "co", "roi", "xong", "da xong", "dat"}
"""Words for done, folded (`có`, `rồi`, `đã xong`, `đạt` are typed with or without marks)."""
_FALSE = {"false", "no", "n", "0", "not done", "khong", "chua", "chua xong"}
"""Words for not done, folded (`không`, `chưa`, `chưa xong`)."""
_THOUSANDS_DOT = re.compile(r"^[+-]?[1-9]\d{0,2}(\.\d{3})+$")
_THOUSANDS_COMMA = re.compile(r"^[+-]?[1-9]\d{0,2}(,\d{3})+\.\d+$")


def parse_value(text: str, ind: Indicator) -> float | bool:
    """A value as typed: `32,5` and `32.5`, `1.430` (Vietnamese thousands), `có`/`chưa` for milestones.

    Raises EntryError (`err.entry.*`).
    """
    raw = text.strip().lower()
    if ind.kind == "milestone":
        word = " ".join(fold(raw).split())
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise EntryError("err.entry.milestone")
    raw = raw.replace(" ", "").replace("\u00a0", "").removesuffix("%")
    if not raw:
        raise EntryError("err.entry.empty")
    if "," in raw and "." in raw:
        if raw.rfind(",") > raw.rfind("."):
            raw = raw.replace(".", "").replace(",", ".")  # 1.234,5
        elif _THOUSANDS_COMMA.match(raw):
            raw = raw.replace(",", "")  # 1,234.5
        else:
            raise EntryError("err.entry.unclear_number", text=_quoted(text))
    elif "," in raw:
        if raw.count(",") > 1:
            raw = raw.replace(",", "")  # 1,234,567
        else:
            raw = raw.replace(",", ".")  # 32,5
    elif _THOUSANDS_DOT.match(raw):
        raw = raw.replace(".", "")  # 1.430
    try:
        value = float(raw)
    except ValueError:
        raise EntryError("err.entry.not_number", text=_quoted(text)) from None
    if not math.isfinite(value) or abs(value) > 1e15:
        raise EntryError("err.entry.invalid_number")
    return value


def _quoted(text: str) -> str:
    """What was typed, quoted and cut short, for a message."""
    shown = clean(text.strip())
    return repr(shown if len(shown) <= 40 else shown[:40] + "…")


def _quarter_end(period: Period) -> dt.date:
    if period.quarter == 4:
        return dt.date(period.year, 12, 31)
    return dt.date(period.year, period.quarter * 3 + 1, 1) - dt.timedelta(days=1)


def set_value(
    path: Path,
    defs: Definitions,
    period: Period,
    indicator_id: str,
    value: float | bool,
    note: str | None = None,
    *,
    shown: str | None = None,
    lock_seconds: float = LOCK_SECONDS,
    today: dt.date | None = None,
) -> Path:
    """Set one value in a progress file (created when missing), keeping comments and others' values.

    The read-modify-write holds a lock file beside the progress file, so two
    officials saving different indicators at once both keep their change; the
    write itself is atomic. `note=None` keeps the existing note, `""` removes it.
    """
    import filelock
    import tomlkit

    where = shown or str(path)
    year = defs.unit.year
    if not year - HISTORY_YEARS <= period.year <= year:
        raise WriteError(
            "err.entry.year_range",
            Place(where),
            year=year,
            first=year - HISTORY_YEARS,
            period=str(period),
        )
    ind = defs.indicator(indicator_id)
    if ind is None:
        raise DataError("err.indicator.unknown", Place(where), id=clean(indicator_id))
    real = write_target(path)  # a symlink is written through to its target
    shown_dir = str(Path(where).parent)
    try:
        real.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise folder_error(real.parent, shown_dir, exc) from None
    lock_path = real.parent / f".{real.name}.lock"
    lock_shown = str(Path(where).parent / lock_path.name) if real == path else str(lock_path)
    lock = filelock.FileLock(str(lock_path), timeout=lock_seconds)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise WriteError("err.write.locked", Place(where), seconds=f"{lock_seconds:g}") from None
    except OSError as exc:  # the lock file cannot be created or opened
        raise WriteError("err.write.lock", Place(lock_shown), reason=os_reason(exc)) from None
    try:
        with lock:  # re-entrant: held once more for the read-modify-write
            doc = _read_document(path, where) if path.exists() else _new_document(defs, period)
            values = doc.setdefault("values", tomlkit.table())
            old = values.get(indicator_id)
            old_note = old.get("note", "") if isinstance(old, dict) else ""
            new_note = old_note if note is None else clean(note, multiline=True)
            stored: float | bool | int = value
            if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
                stored = int(value)  # people write 1430, not 1430.0
            if new_note:
                item = tomlkit.inline_table()
                item.update({"value": stored, "note": new_note})
                values[indicator_id] = item
            else:
                values[indicator_id] = stored
            doc["as_of"] = min(today or dt.date.today(), _quarter_end(period))
            plain: dict[str, Any] = doc.unwrap()
            progress_from_dict(plain, defs, Locator(where), expect_period=period)
            atomic_write(path, tomlkit.dumps(doc).encode("utf-8"), shown=where)
    finally:
        lock.release()
    return path


def _new_document(defs: Definitions, period: Period) -> Any:
    import tomlkit

    doc = tomlkit.document()
    doc.add("schema", 1)
    doc.add("unit", defs.unit.id)
    doc.add("period", str(period))
    doc.add("as_of", dt.date.today())
    doc.add(tomlkit.nl())
    doc.add("values", tomlkit.table())
    return doc


def _read_document(path: Path, where: str) -> Any:
    """The progress file as a tomlkit document (comments kept)."""
    import tomlkit

    from chitieu_tui.core.tomlfile import read_toml

    read_toml(path, where)  # the same checks and messages as everywhere else
    raw = path.read_bytes()[: MAX_BYTES + 1].removeprefix(b"\xef\xbb\xbf")
    try:
        return tomlkit.parse(raw.decode("utf-8"))
    except Exception:  # noqa: BLE001 - tomlkit raises several kinds
        raise ChitieuError("err.write.cannot_edit", Place(where)) from None
