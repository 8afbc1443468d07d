"""Entering values: parse what an official typed, then a locked, atomic read-modify-write."""

from __future__ import annotations

import contextlib
import datetime as dt
import enum
import os
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chitieu_tui.core.atomic import atomic_write, folder_error, prepare_write, write_target
from chitieu_tui.core.errors import ChitieuError, DataError, EntryError, Place, WriteError
from chitieu_tui.core.journal import (
    Change,
    Quarter,
    closed_msg,
    current_user,
    journal_bytes,
    local_now,
    read_journal,
    reconcile,
)
from chitieu_tui.core.loader import progress_from_dict, value_problem
from chitieu_tui.core.model import Closed, Definitions, Entry, Indicator, Progress, check_lengths
from chitieu_tui.core.numbers import Num, parse_number
from chitieu_tui.core.oserrors import os_reason
from chitieu_tui.core.periods import Period
from chitieu_tui.core.text import clean
from chitieu_tui.core.tomlfile import MAX_BYTES, Locator, link_problem
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

        def text(key: str) -> str:
            return clean(str(raw.get(key, "")), multiline=True)

        at = raw.get("at")
        return Entry(
            raw["value"] if "value" in raw else 0.0,
            text("note"),
            by=text("by"),
            at=at if isinstance(at, dt.datetime) else None,
            cause=text("cause"),
            remedy=text("remedy"),
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


def journal_file(path: Path) -> Path:
    """`<folder>/journal/<period>.toml` for `<folder>/progress/<period>.toml`."""
    return path.parent.parent / "journal" / path.name


class ClosedError(WriteError):
    """The quarter is closed: nothing can be entered until it is reopened."""

    def __init__(self, period: Period, closed: Closed, place: Place | None = None) -> None:
        super().__init__(closed_msg("err.closed.refused", period, closed), place)
        self.closed = closed


def _inside(path: Path, where: str) -> None:
    """Refuse to write `path` (of `<data folder>/<sub>/`) anywhere but inside its data folder:
    a link to nothing or that loops is a DataError, a link (of the file or of its folder)
    leading outside the folder a WriteError. Nothing is created before this check."""
    root = path.parent.parent
    if os.path.islink(path):
        problem = link_problem(path, where)
        if problem is not None:
            raise problem
    try:
        real = write_target(path).parent.resolve() / write_target(path).name
        home = root.resolve()
    except (OSError, RuntimeError):
        raise DataError("err.file.link_loop", Place(where)) from None
    if not real.is_relative_to(home):
        raise WriteError("err.write.outside", Place(where), target=clean(str(real)))


@contextmanager
def _held(path: Path, where: str, lock_seconds: float) -> Iterator[None]:
    """Hold the progress file's lock (beside its target): the one lock of progress and journal.
    Progress and journal must lie inside the data folder (`_inside`)."""
    import filelock

    _inside(path, where)
    _inside(journal_file(path), _journal_where(where))
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
            yield
    finally:
        lock.release()


def _journal_where(where: str) -> str:
    return str(journal_file(Path(where)))


def _journaled(
    path: Path,
    where: str,
    defs: Definitions,
    period: Period,
    progress: Progress | None,
    now: dt.datetime,
) -> tuple[list[Change], list[Change]]:
    """The journal as stored (of this unit and period, else DataError), and the entries for
    what changed in the file since (by hand)."""
    jpath = journal_file(path)
    stored = read_journal(jpath, _journal_where(where), unit=defs.unit.id, period=period)
    values = progress.values if progress is not None else {}
    started = os.path.lexists(jpath)
    try:
        modified: dt.datetime | None = dt.datetime.fromtimestamp(path.stat().st_mtime).astimezone()
    except OSError:
        modified = None
    return stored, reconcile(stored, values, now, started, modified)


def _write_both(
    path: Path,
    where: str,
    defs: Definitions,
    period: Period,
    changes: list[Change],
    document: bytes,
) -> None:
    """Write the whole journal (read, append, replace), then the progress file, each atomic.

    The journal first: a writer killed between the two leaves a journaled change that never
    reached the file (noticed later as `interrupted`), never a value without its journal
    entry. The progress file's temp is written before the journal, so a write refused there
    (a read-only file, a full disk) journals nothing; a rename refused after the journal was
    written puts the journal back as it was.
    """
    jpath = journal_file(path)
    jwhere = _journal_where(where)
    pending = prepare_write(path, document, shown=where)
    try:
        try:
            before = write_target(jpath).read_bytes() if os.path.lexists(jpath) else None
        except OSError as exc:  # read a moment ago under the lock; said, never a crash
            raise WriteError("err.write.file", Place(jwhere), reason=os_reason(exc)) from None
        atomic_write(jpath, journal_bytes(defs.unit.id, period, changes), shown=jwhere)
    except BaseException:
        pending.abort()
        raise
    try:
        pending.commit()
    except ChitieuError:
        with contextlib.suppress(ChitieuError, OSError):  # best effort: else `interrupted`
            if before is None:
                write_target(jpath).unlink()
            else:
                atomic_write(jpath, before, shown=jwhere)
        raise


def _parsed(doc: Any, defs: Definitions, where: str, period: Period) -> Progress:
    plain: dict[str, Any] = doc.unwrap()
    return progress_from_dict(plain, defs, Locator(where), expect_period=period)[0]


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
    by: str | None = None,
    cause: str | None = None,
    remedy: str | None = None,
    via: str = "set",
    now: dt.datetime | None = None,
) -> Path:
    """Set one value in a progress file (created when missing), keeping comments and others' values.

    The read-modify-write holds a lock file beside the progress file, so two
    officials saving different indicators at once both keep their change; the
    write itself is atomic. `note=None` keeps the existing note, `""` removes it
    (`cause` and `remedy` likewise). `value=None` removes the value (EntryError
    `err.entry.not_set` when there is none). `expect` is the entry the official saw
    (None: none); when the file holds another, ConflictError is raised and nothing is
    written. `ANY`: the last writer wins. The value records `by` (default: the current
    user) and `at`; the change is appended to the journal (`via` says how it came)
    before the progress file is replaced, under the same lock. A closed quarter is
    refused (ClosedError).
    """
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
    who = current_user(by)
    check_lengths(by=who, note=note, cause=cause, remedy=remedy)
    at = (now or local_now()).replace(microsecond=0)
    with _held(path, where, lock_seconds):
        exists = path.exists()
        doc = _read_document(path, where) if exists else _new_document(defs, period)
        before = _parsed(doc, defs, where, period) if exists else None
        if before is not None and before.closed is not None:
            raise ClosedError(period, before.closed, Place(where))
        values = doc.setdefault("values", tomlkit.table())
        current = _current(values, indicator_id)
        if expect is not ANY and not _same(current, expect):
            raise ConflictError(current, Place(where))
        if value is None:
            if current is None:
                raise EntryError("err.entry.not_set", Place(where), id=clean(indicator_id))
            del values[indicator_id]
        else:
            extras = {"by": who, "at": at, "cause": cause, "remedy": remedy}
            _put(values, indicator_id, value, current, note, extras)
        doc["as_of"] = min(today or dt.date.today(), _quarter_end(period))
        after = _parsed(doc, defs, where, period)
        stored, noticed = _journaled(path, where, defs, period, before, at)
        new_entry = after.values.get(indicator_id)
        change = Change(
            at,
            via,
            by=who,
            id=indicator_id,
            old=current.value if current is not None else None,
            new=new_entry.value if new_entry is not None else None,
            note=new_entry.note if new_entry is not None else "",
        )
        changes = [*stored, *noticed, change]
        _write_both(path, where, defs, period, changes, tomlkit.dumps(doc).encode("utf-8"))
    return path


@dataclass(frozen=True, slots=True)
class Item:
    """One value of a batch (`set_values`): None for note, cause or remedy keeps the current."""

    id: str
    value: float | bool
    note: str | None = None
    cause: str | None = None
    remedy: str | None = None


def set_values(
    path: Path,
    defs: Definitions,
    period: Period,
    items: list[Item],
    *,
    shown: str | None = None,
    lock_seconds: float = LOCK_SECONDS,
    today: dt.date | None = None,
    by: str | None = None,
    via: str = "import",
    now: dt.datetime | None = None,
) -> Path:
    """Set many values of one quarter in one locked read-modify-write: one journal write (a
    change per value), then one atomic write of the progress file, so they all reach the file
    or none does. The same checks as `set_value` (years, ids, a closed quarter, the loader's
    validation of the result)."""
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
    for item in items:
        if defs.indicator(item.id) is None:
            raise DataError("err.indicator.unknown", Place(where), id=clean(item.id))
        check_lengths(note=item.note, cause=item.cause, remedy=item.remedy)
    who = current_user(by)
    check_lengths(by=who)
    at = (now or local_now()).replace(microsecond=0)
    with _held(path, where, lock_seconds):
        exists = path.exists()
        doc = _read_document(path, where) if exists else _new_document(defs, period)
        before = _parsed(doc, defs, where, period) if exists else None
        if before is not None and before.closed is not None:
            raise ClosedError(period, before.closed, Place(where))
        values = doc.setdefault("values", tomlkit.table())
        olds: list[Entry | None] = []
        for item in items:
            current = _current(values, item.id)
            olds.append(current)
            extras = {"by": who, "at": at, "cause": item.cause, "remedy": item.remedy}
            _put(values, item.id, item.value, current, item.note, extras)
        doc["as_of"] = min(today or dt.date.today(), _quarter_end(period))
        after = _parsed(doc, defs, where, period)
        stored, noticed = _journaled(path, where, defs, period, before, at)
        changes = []
        for item, current in zip(items, olds, strict=True):
            new_entry = after.values.get(item.id)
            changes.append(
                Change(
                    at,
                    via,
                    by=who,
                    id=item.id,
                    old=current.value if current is not None else None,
                    new=new_entry.value if new_entry is not None else None,
                    note=new_entry.note if new_entry is not None else "",
                )
            )
        document = tomlkit.dumps(doc).encode("utf-8")
        _write_both(path, where, defs, period, [*stored, *noticed, *changes], document)
    return path


def set_closed(
    path: Path,
    defs: Definitions,
    period: Period,
    reason: str,
    *,
    close: bool = True,
    shown: str | None = None,
    by: str | None = None,
    lock_seconds: float = LOCK_SECONDS,
    now: dt.datetime | None = None,
) -> Closed | None:
    """Close a quarter (`[closed]` with `at`, `by`, `reason`) or reopen it; journaled.

    The progress file must exist. Closing a closed quarter or reopening an open one is a
    WriteError saying so; an empty reason an EntryError. Returns the new `[closed]` (None
    after reopening).
    """
    import tomlkit

    where = shown or str(path)
    reason = clean(reason, multiline=True).strip()
    if not reason:
        raise EntryError("err.closed.no_reason")
    who = current_user(by)
    check_lengths(by=who, reason=reason)
    at = (now or local_now()).replace(microsecond=0)
    with _held(path, where, lock_seconds):
        if not path.exists():
            raise WriteError("err.closed.no_progress", Place(where), period=Quarter(period))
        doc = _read_document(path, where)
        before = _parsed(doc, defs, where, period)
        result: Closed | None
        if close:
            if before.closed is not None:
                raise WriteError(
                    closed_msg("err.closed.already", period, before.closed), Place(where)
                )
            result = Closed(at, who, reason)
            table = tomlkit.table()
            table.update({"at": at, "by": who, "reason": reason})
            doc["closed"] = table
        else:
            if before.closed is None:
                raise WriteError("err.closed.not_closed", Place(where), period=Quarter(period))
            result = None
            del doc["closed"]
        _parsed(doc, defs, where, period)
        stored, noticed = _journaled(path, where, defs, period, before, at)
        change = Change(at, "close" if close else "reopen", by=who, reason=reason)
        document = tomlkit.dumps(doc).encode("utf-8")
        _write_both(path, where, defs, period, [*stored, *noticed, change], document)
    return result


def notice_hand_changes(
    path: Path,
    defs: Definitions,
    period: Period,
    *,
    shown: str | None = None,
    now: dt.datetime | None = None,
) -> list[Change]:
    """The period's journal, with entries for values changed in the file by hand appended.

    Reading never writes (no journal, no lock file): the entries are computed here and
    recorded by the next write of the quarter (`set_value` and the others do the same
    reconciliation under the lock). A progress file that is a link to nothing, a journal of
    another unit or period: DataError.
    """
    where = shown or str(path)
    at = (now or local_now()).replace(microsecond=0)
    progress = None
    if os.path.lexists(path):  # a link to nothing is said by the loader, not taken as none
        from chitieu_tui.core.loader import load_progress

        progress = load_progress(path, defs, where)[0]
    stored, noticed = _journaled(path, where, defs, period, progress, at)
    return [*stored, *noticed]


def _put(
    values: Any,
    indicator_id: str,
    value: float | bool,
    current: Entry | None,
    note: str | None,
    extras: dict[str, Any],
) -> None:
    """Store one value (whole numbers as integers) with `by` and `at`, its note, cause and
    remedy (None keeps the current one, "" removes it)."""
    import tomlkit

    stored: float | bool | int = value
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        stored = int(value)  # people write 1430, not 1430.0
    item = tomlkit.inline_table()
    item.update({"value": stored, "by": extras["by"], "at": extras["at"]})
    for key, given in (("note", note), ("cause", extras["cause"]), ("remedy", extras["remedy"])):
        old = getattr(current, key) if current is not None else ""
        text = old if given is None else clean(given, multiline=True)
        if text:
            item[key] = text
    values[indicator_id] = item


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
