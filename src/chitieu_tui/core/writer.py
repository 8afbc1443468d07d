"""Entering values: parse what an official typed, then a locked, atomic read-modify-write."""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import Any

from chitieu_tui.core.atomic import atomic_write
from chitieu_tui.core.errors import ChitieuError, DataError, Place, WriteError
from chitieu_tui.core.loader import progress_from_dict
from chitieu_tui.core.model import Definitions, Indicator
from chitieu_tui.core.periods import Period
from chitieu_tui.core.text import clean
from chitieu_tui.core.tomlfile import MAX_BYTES, Locator

LOCK_SECONDS = 5.0
HISTORY_YEARS = 10
"""How many years before the definitions' year values may still be entered for."""
_TRUE = {
    "true",
    "yes",
    "y",
    "1",
    "x",
    "done",
    "có",
    "co",
    "rồi",
    "roi",
    "xong",
    "đã xong",
    "da xong",
    "đạt",
    "dat",
}
_FALSE = {
    "false",
    "no",
    "n",
    "0",
    "not done",
    "không",
    "khong",
    "chưa",
    "chua",
    "chưa xong",
    "chua xong",
}
_THOUSANDS_DOT = re.compile(r"^[+-]?[1-9]\d{0,2}(\.\d{3})+$")
_THOUSANDS_COMMA = re.compile(r"^[+-]?[1-9]\d{0,2}(,\d{3})+\.\d+$")


def parse_value(text: str, ind: Indicator) -> float | bool:
    """A value as typed: `32,5` and `32.5`, `1.430` (Vietnamese thousands), `có`/`chưa` for milestones.

    Raises ValueError with a message in Vietnamese.
    """
    raw = text.strip().lower()
    if ind.kind == "milestone":
        if raw in _TRUE:
            return True
        if raw in _FALSE:
            return False
        raise ValueError("nhập 'có' (đã xong) hoặc 'chưa' (chưa xong)")
    raw = raw.replace(" ", "").replace("\u00a0", "").removesuffix("%")
    if not raw:
        raise ValueError("chưa nhập số liệu")
    if "," in raw and "." in raw:
        if raw.rfind(",") > raw.rfind("."):
            raw = raw.replace(".", "").replace(",", ".")  # 1.234,5
        elif _THOUSANDS_COMMA.match(raw):
            raw = raw.replace(",", "")  # 1,234.5
        else:
            raise ValueError(f"không hiểu số {text.strip()!r}")
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
        raise ValueError(f"không phải là số: {text.strip()!r}") from None
    if not math.isfinite(value) or abs(value) > 1e15:
        raise ValueError("số không hợp lệ")
    return value


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
            f"chitieu.toml is for {year}: values go into a quarter of "
            f"{year - HISTORY_YEARS}–{year}, not {period}",
            Place(where),
        )
    ind = defs.indicator(indicator_id)
    if ind is None:
        raise DataError(f'unknown indicator "{clean(indicator_id)}"', Place(where))
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(str(path.parent / f".{path.name}.lock"), timeout=lock_seconds)
    try:
        with lock:
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
            atomic_write(path, tomlkit.dumps(doc).encode("utf-8"))
    except filelock.Timeout:
        raise WriteError(
            f"tệp đang được người khác ghi; thử lại sau (khóa quá {lock_seconds:g} giây)",
            Place(where),
        ) from None
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
    except Exception as exc:  # noqa: BLE001 - tomlkit raises several kinds
        raise ChitieuError(f"cannot edit this file: {exc}", Place(where)) from None
