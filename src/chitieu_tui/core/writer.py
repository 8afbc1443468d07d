"""Entering values: parse what an official typed, then a locked, atomic read-modify-write."""

from __future__ import annotations

import datetime as dt
import enum
import unicodedata
from pathlib import Path
from typing import Any

from chitieu_tui.core.atomic import atomic_write, folder_error, write_target
from chitieu_tui.core.errors import ChitieuError, DataError, EntryError, Place, WriteError
from chitieu_tui.core.loader import progress_from_dict, value_problem
from chitieu_tui.core.model import Definitions, Entry, Indicator
from chitieu_tui.core.numbers import Num, parse_number
from chitieu_tui.core.oserrors import os_reason
from chitieu_tui.core.periods import Period
from chitieu_tui.core.text import clean
from chitieu_tui.core.tomlfile import MAX_BYTES, Locator
from chitieu_tui.i18n import Msg
from chitieu_tui.i18n.vocabulary import DONE_WORDS, NOT_DONE_WORDS

LOCK_SECONDS = 5.0
HISTORY_YEARS = 10
"""How many years before the definitions' year values may still be entered for."""
IMPLAUSIBLE_TIMES = 5
"""A value beyond this many times the annual target needs a confirmation."""


class Expect(enum.Enum):
    """No expectation: the last writer wins (`chitieu set`)."""

    ANY = "any"


ANY = Expect.ANY


class ConflictError(EntryError):
    """The value changed since the form showed it; `current` is what the file holds now."""

    def __init__(self, current: Entry | None, place: Place | None = None) -> None:
        if current is None:
            super().__init__("err.entry.conflict_removed", place)
        else:
            key = "err.entry.conflict_note" if current.note else "err.entry.conflict"
            super().__init__(key, place, theirs=shown_value(current.value), note=current.note)
        self.current = current


class ImplausibleError(EntryError):
    """A value far beyond the target: entered only when confirmed."""


def shown_value(value: float | bool) -> Msg:
    """A value in a message: `1.430` (vi) / `1,430` (en), or done / not done."""
    if isinstance(value, bool):
        return Msg("done" if value else "not_done")
    return Num(value)


def milestone_word(text: str) -> bool:
    """Done or not done, from the exact words of `DONE_WORDS` and `NOT_DONE_WORDS`."""
    word = " ".join(unicodedata.normalize("NFC", text).casefold().split())
    word = unicodedata.normalize("NFC", word)
    if word in DONE_WORDS:
        return True
    if word in NOT_DONE_WORDS:
        return False
    raise EntryError("err.entry.milestone")


def parse_value(text: str, ind: Indicator, lang: str = "vi") -> float | bool:
    """A value as typed in `lang` (`1.430`, `32,5` vi; `1,430`, `32.5` en; `có`/`chưa`),
    within the indicator's bounds. Raises EntryError (`err.entry.*`, `err.bounds.*`)."""
    if ind.kind == "milestone":
        return milestone_word(text)
    raw = text.strip()
    if raw.endswith("%") and ind.unit.strip() == "%":
        raw = raw[:-1].rstrip()
    value = parse_number(raw, lang)
    problem = value_problem(ind, value)
    if problem is not None:
        raise EntryError(problem)
    return value


def implausible_limit(ind: Indicator, value: float | bool) -> float | None:
    """The limit `value` is beyond (5 × target; for a level 5 × the larger of target and
    baseline), or None when it is plausible."""
    if isinstance(value, bool) or ind.target is None:
        return None
    base = abs(ind.target)
    if ind.kind == "level" and ind.baseline is not None:
        base = max(base, abs(ind.baseline))
    limit = IMPLAUSIBLE_TIMES * base
    return limit if limit > 0 and abs(value) > limit else None


def check_plausible(ind: Indicator, value: float | bool) -> None:
    """Raise ImplausibleError when `value` is beyond the plausible limit."""
    limit = implausible_limit(ind, value)
    if limit is not None:
        raise ImplausibleError(
            "err.entry.implausible",
            value=shown_value(value),
            limit=Num(limit),
            times=IMPLAUSIBLE_TIMES,
        )


def _current(values: Any, indicator_id: str) -> Entry | None:
    """The entry a progress document holds now (None when absent)."""
    item: Any = values.get(indicator_id) if values is not None else None
    raw: Any = item.unwrap() if hasattr(item, "unwrap") else item
    if raw is None:
        return None
    if isinstance(raw, dict):
        return Entry(
            raw["value"] if "value" in raw else 0.0, clean(str(raw.get("note", "")), multiline=True)
        )
    return Entry(raw, "")


def _same(a: Entry | None, b: Entry | None) -> bool:
    if a is None or b is None:
        return a is b
    same_kind = isinstance(a.value, bool) == isinstance(b.value, bool)
    return same_kind and a.note == b.note and a.value == b.value


def _quarter_end(period: Period) -> dt.date:
    if period.quarter == 4:
        return dt.date(period.year, 12, 31)
    return dt.date(period.year, period.quarter * 3 + 1, 1) - dt.timedelta(days=1)


def set_value(
    path: Path,
    defs: Definitions,
    period: Period,
    indicator_id: str,
    value: float | bool | None,
    note: str | None = None,
    *,
    shown: str | None = None,
    lock_seconds: float = LOCK_SECONDS,
    today: dt.date | None = None,
    expect: Entry | None | Expect = ANY,
) -> Path:
    """Set one value in a progress file (created when missing), keeping comments and others' values.

    The read-modify-write holds a lock file beside the progress file, so two
    officials saving different indicators at once both keep their change; the
    write itself is atomic. `note=None` keeps the existing note, `""` removes it.
    `value=None` removes the value (EntryError `err.entry.not_set` when there is none).
    `expect` is the entry the official saw (None: none); when the file holds another,
    ConflictError is raised and nothing is written. `ANY`: the last writer wins.
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
            current = _current(values, indicator_id)
            if expect is not ANY and not _same(current, expect):
                raise ConflictError(current, Place(where))
            if value is None:
                if current is None:
                    raise EntryError("err.entry.not_set", Place(where), id=clean(indicator_id))
                del values[indicator_id]
            else:
                _put(values, indicator_id, value, current, note)
            doc["as_of"] = min(today or dt.date.today(), _quarter_end(period))
            plain: dict[str, Any] = doc.unwrap()
            progress_from_dict(plain, defs, Locator(where), expect_period=period)
            atomic_write(path, tomlkit.dumps(doc).encode("utf-8"), shown=where)
    finally:
        lock.release()
    return path


def _put(
    values: Any, indicator_id: str, value: float | bool, current: Entry | None, note: str | None
) -> None:
    """Store one value (whole numbers as integers), with its note when it has one."""
    import tomlkit

    old_note = current.note if current is not None else ""
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
