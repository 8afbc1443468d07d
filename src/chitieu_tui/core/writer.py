"""Entering values: parse what an official typed, then a locked, atomic read-modify-write."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from chitieu_tui.core.atomic import atomic_write, folder_error, prepare_write, write_target
from chitieu_tui.core.chain import append_chained, quarter_digest, walk
from chitieu_tui.core.errors import (
    ChitieuError,
    DataError,
    EntryError,
    ErrorList,
    Place,
    WriteError,
)
from chitieu_tui.core.journal import (
    Change,
    Quarter,
    When,
    closed_msg,
    current_user,
    journal_bytes,
    local_now,
    read_journal,
    reconcile,
    same_value,
)
from chitieu_tui.core.loader import load_progress, progress_from_dict, value_problem
from chitieu_tui.core.model import (
    Approved,
    Closed,
    Definitions,
    Entry,
    Followup,
    Indicator,
    Progress,
    Returned,
    check_lengths,
)
from chitieu_tui.core.numbers import MAX_MAGNITUDE, Num, parse_number
from chitieu_tui.core.oserrors import os_reason
from chitieu_tui.core.outliers import followup_to_toml, judge, outlier_error
from chitieu_tui.core.periods import Period
from chitieu_tui.core.requests import (
    ANY,
    Approve,
    ClearFollowup,
    Close,
    Reopen,
    Request,
    Return,
    SetValue,
    Unset,
    Written,
)
from chitieu_tui.core.rules import RuleError, refuse_high
from chitieu_tui.core.text import clean
from chitieu_tui.core.tomlfile import Locator, link_problem, read_toml
from chitieu_tui.i18n import Msg
from chitieu_tui.i18n.vocabulary import DONE_WORDS, NOT_DONE_WORDS

LOCK_SECONDS = 5.0
HISTORY_YEARS = 10
"""How many years before the definitions' year values may still be entered for."""
IMPLAUSIBLE_TIMES = 5
"""A value beyond this many times the annual target needs a confirmation."""


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
        if closed.approved is not None:
            msg = approved_msg("err.approved.refused", period, closed.approved)
        else:
            msg = closed_msg("err.closed.refused", period, closed)
        super().__init__(msg, place)
        self.closed = closed


def approved_msg(key: str, period: Period, approved: Approved) -> Msg:
    """`key` worded with the quarter and who approved it, when."""
    return Msg(key, period=Quarter(period), by=approved.by, at=When(approved.at))


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
    import filelock  # lazy: only when a file is written, never on a read

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


def checked_value(ind: Indicator, typed: str | float | bool, lang: str = "vi") -> float | bool:
    """The value a request would write: text as typed in `lang` (`parse_value`), or a value
    already read (an Excel cell) checked for its kind and the indicator's bounds. Raises
    EntryError."""
    if isinstance(typed, str):
        return parse_value(typed, ind, lang)
    if isinstance(typed, bool) != (ind.kind == "milestone"):
        key = "err.entry.milestone" if ind.kind == "milestone" else "err.entry.invalid_number"
        raise EntryError(key)
    value = typed if isinstance(typed, bool) else float(typed)
    if not isinstance(value, bool) and not abs(value) <= MAX_MAGNITUDE:  # NaN too
        raise EntryError("err.entry.invalid_number")
    problem = None if isinstance(value, bool) else value_problem(ind, value)
    if problem is not None:
        raise EntryError(problem)
    return value


@dataclass(frozen=True, slots=True)
class _Checked:
    """A request checked before the lock: its value parsed, its texts within their caps."""

    request: Request
    who: str
    value: float | bool | None = None
    reason: str = ""


def _said(request: Request, who: str, text: str, missing: str, field: str = "reason") -> _Checked:
    """A request that must say why (a reason, a clearing's note): cleaned, not blank
    (EntryError `missing`), within its cap."""
    said = clean(text, multiline=True).strip()
    if not said:
        raise EntryError(missing)
    check_lengths(by=who, **{field: said})
    return _Checked(request, who, reason=said)


def _check(request: Request, defs: Definitions, where: str) -> _Checked:
    """Everything that needs no file: the indicator, the value (bounds, kind, plausibility
    unless confirmed), the text caps, a close reason."""
    who = current_user(request.by)
    if isinstance(request, Approve):
        note = clean(request.note, multiline=True).strip()
        check_lengths(by=who, note=note)
        return _Checked(request, who, reason=note)
    if isinstance(request, Return):
        return _said(request, who, request.reason, "err.returned.no_reason")
    if isinstance(request, Close | Reopen):
        return _said(request, who, request.reason, "err.closed.no_reason")
    ind = defs.indicator(request.id)
    if ind is None:
        raise DataError("err.indicator.unknown", Place(where), id=clean(request.id))
    if isinstance(request, ClearFollowup):
        return _said(request, who, request.note, "err.followup.no_note", field="note")
    value: float | bool | None = None
    if isinstance(request, SetValue):
        value = checked_value(ind, request.value, request.lang)
        if not request.confirm:
            check_plausible(ind, value)
        check_lengths(note=request.note, cause=request.cause, remedy=request.remedy)
    check_lengths(by=who)
    return _Checked(request, who, value)


def _year_in_range(defs: Definitions, period: Period, where: str) -> None:
    year = defs.unit.year
    if not year - HISTORY_YEARS <= period.year <= year:
        raise WriteError(
            "err.entry.year_range",
            Place(where),
            year=year,
            first=year - HISTORY_YEARS,
            period=str(period),
        )


def write(
    path: Path,
    defs: Definitions,
    period: Period,
    requests: Sequence[Request],
    *,
    shown: str | None = None,
    source: str = "",
    lock_seconds: float = LOCK_SECONDS,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
    history: Mapping[str, Mapping[Period, float]] | None = None,
) -> Written:
    """Carry `requests` (all of `period`) into its progress file as one transaction.

    Checked first (nothing written when one is refused: `_check`); then, under the lock
    beside the progress file (the one lock of progress and journal, inside the data folder):
    one read and one validation of the file (created for values when missing; comments and
    others' values kept), the closed check (values into a closed quarter: ClosedError),
    the requests applied in order (`expect`: the entry the writer saw, else ConflictError;
    `ANY`: the last writer wins), values changed by hand since the journal's last entry
    noticed, then the journal written first and the progress file replaced atomically (a
    refused rename puts the journal back). The quarter as it now stands comes back without
    reading the file again. A value records `by` (default: the current user) and `at`.

    `history`: each indicator's values of earlier quarters (`DataDir.outlier_history`); a
    new value out of line with them (core/outliers.py) is refused (OutlierError, every one
    of the write listed) unless its request confirms it, then written with a `followup`
    mark. None: not judged. A `ClearFollowup` removes a mark with a note (also in a closed
    quarter: the mark is no part of the values closed).
    """
    import tomlkit  # lazy: the comment-keeping TOML writer, only when a file is written

    where = shown or str(path)
    checked = []
    for i, r in enumerate(requests):
        try:
            checked.append(_check(r, defs, where))
        except ChitieuError as exc:
            exc.index = i  # which one (a bulk write names it)
            raise
    values_asked = any(isinstance(c.request, SetValue | Unset) for c in checked)
    if values_asked:
        _year_in_range(defs, period, where)
    at = (now or local_now()).replace(microsecond=0)
    with _held(path, where, lock_seconds):
        exists = path.exists()
        if not exists and not values_asked:
            first = checked[0].request
            if isinstance(first, ClearFollowup):
                raise EntryError("err.followup.none", Place(where), id=clean(first.id))
            raise WriteError("err.closed.no_progress", Place(where), period=Quarter(period))
        if exists:
            data, text = read_toml(path, where)  # the one read
            before: Progress | None = progress_from_dict(  # the one validation
                data, defs, Locator.scan(where, text), expect_period=period, source=source
            )[0]
            doc = _editable(text, where)
        else:
            before, doc = None, _new_document(defs, period)
        closed = before.closed if before is not None else None
        returned = before.returned if before is not None else None
        entries = dict(before.values) if before is not None else {}
        values = doc.setdefault("values", tomlkit.table())
        changes: list[Change] = []
        outliers: list[ChitieuError] = []
        for n, c in enumerate(checked):
            r = c.request
            if isinstance(r, Close):
                if closed is not None and closed.approved is not None:
                    raise WriteError(
                        approved_msg("err.approved.close", period, closed.approved), Place(where)
                    )
                if closed is not None:
                    raise WriteError(closed_msg("err.closed.already", period, closed), Place(where))
                digest = quarter_digest(Progress(defs.unit.id, period, None, entries))
                closed = Closed(at, c.who, c.reason, digest)
                table = tomlkit.table()
                table.update({"at": at, "by": c.who, "reason": c.reason, "digest": digest})
                doc["closed"] = table
                if returned is not None:  # submitted again: the return is answered
                    returned = None
                    del doc["returned"]
                changes.append(Change(at, "close", by=c.who, reason=c.reason, account=r.account))
                continue
            if isinstance(r, Approve):
                if closed is None:
                    raise WriteError(
                        "err.approved.not_closed", Place(where), period=Quarter(period)
                    )
                if closed.approved is not None:
                    raise WriteError(
                        approved_msg("err.approved.already", period, closed.approved),
                        Place(where),
                    )
                digest = quarter_digest(Progress(defs.unit.id, period, None, entries))
                approved = Approved(at, c.who, c.reason, digest)
                item = tomlkit.table()
                item.update({"at": at, "by": c.who})
                if c.reason:
                    item["note"] = c.reason
                item["digest"] = digest
                doc["closed"]["approved"] = item
                closed = Closed(closed.at, closed.by, closed.reason, closed.digest, approved)
                changes.append(Change(at, "approve", by=c.who, note=c.reason, account=r.account))
                continue
            if isinstance(r, Return):
                if closed is None:
                    raise WriteError(
                        "err.returned.not_closed", Place(where), period=Quarter(period)
                    )
                closed = None
                del doc["closed"]
                returned = Returned(at, c.who, c.reason)
                back = tomlkit.table()
                back.update({"at": at, "by": c.who, "reason": c.reason})
                doc["returned"] = back
                changes.append(Change(at, "return", by=c.who, reason=c.reason, account=r.account))
                continue
            if isinstance(r, Reopen):
                if closed is None:
                    raise WriteError("err.closed.not_closed", Place(where), period=Quarter(period))
                if closed.approved is not None:
                    raise WriteError(
                        approved_msg("err.approved.reopen", period, closed.approved),
                        Place(where),
                    )
                closed = None
                del doc["closed"]
                changes.append(Change(at, "reopen", by=c.who, reason=c.reason, account=r.account))
                continue
            if isinstance(r, ClearFollowup):
                current = entries.get(r.id)
                if current is None or current.followup is None:
                    raise EntryError("err.followup.none", Place(where), id=clean(r.id))
                del values[r.id]["followup"]
                entries[r.id] = msgspec.structs.replace(current, followup=None)
                changes.append(
                    Change(
                        at,
                        "followup",
                        by=c.who,
                        id=r.id,
                        old=current.value,
                        new=current.value,
                        note=c.reason,
                        account=r.account,
                    )
                )
                continue
            if closed is not None:
                raise ClosedError(period, closed, Place(where))
            current = entries.get(r.id)
            if r.expect is not ANY and not _same(current, r.expect):
                conflict = ConflictError(current, Place(where))
                conflict.index = n
                raise conflict
            new: Entry | None = None
            fresh: Followup | None = None
            if isinstance(r, Unset):
                if current is None:
                    raise EntryError("err.entry.not_set", Place(where), id=clean(r.id))
                del values[r.id]
                del entries[r.id]
            else:
                assert c.value is not None
                if _unchanged(current, c.value, r):
                    continue  # what is there already: a retried write changes nothing
                if current is not None and same_value(current.value, c.value):
                    mark = current.followup  # the same value: its mark stays
                else:  # a new value is judged afresh (a mark of the old one goes with it)
                    mark = fresh = _judged(defs, period, r.id, c.value, history)
                    if fresh is not None and not r.confirm_outlier:
                        refused = outlier_error(r.id, c.value, fresh)
                        refused.place = Place(where)
                        refused.index = n
                        outliers.append(refused)
                new = _put(values, r.id, c.value, current, r, c.who, at, mark)
                entries[r.id] = new
            old = current.value if current is not None else None
            new_value = new.value if new is not None else None
            note = new.note if new is not None else ""
            changes.append(
                Change(
                    at,
                    r.via,
                    by=c.who,
                    id=r.id,
                    old=old,
                    new=new_value,
                    note=note,
                    account=r.account,
                    followup=" ".join(fresh.why) if fresh is not None else "",
                )
            )
        _rules_hold(defs, entries, checked, changes, where)
        if outliers:
            raise outliers[0] if len(outliers) == 1 else _listed(outliers)
        as_of = before.as_of if before is not None else None
        if not changes and before is not None:  # nothing to do: no journal entry, no write
            return Written(where, before)
        if values_asked:
            as_of = min(today or dt.date.today(), _quarter_end(period))
            doc["as_of"] = as_of
        stored, noticed = _journaled(path, where, defs, period, before, at)
        journal = append_chained(defs.unit.id, period, stored, [*noticed, *changes])
        chain = walk(defs.unit.id, period, journal).head
        doc["chain"] = chain  # the journal's head: an entry cut from its end is seen
        document = tomlkit.dumps(doc).encode("utf-8")
        _write_both(path, where, defs, period, journal, document)
        try:
            modified: dt.datetime | None = dt.datetime.fromtimestamp(path.stat().st_mtime, dt.UTC)
        except OSError:
            modified = None
    after = Progress(
        defs.unit.id, period, as_of, entries, source, modified, closed, chain, returned
    )
    return Written(where, after)


def _judged(
    defs: Definitions,
    period: Period,
    indicator_id: str,
    value: float | bool,
    history: Mapping[str, Mapping[Period, float]] | None,
) -> Followup | None:
    """The follow-up mark a new value gets (core/outliers.py); None when it is in line, or
    when no history was given."""
    ind = defs.indicator(indicator_id)
    if history is None or ind is None:
        return None
    return judge(ind, period, value, history.get(indicator_id, {}), defs.dashboard.outlier_k)


def _listed(found: list[ChitieuError]) -> ErrorList:
    """Several values of one write out of line: every one said, the first one named."""
    listed = ErrorList(found)
    listed.index = found[0].index
    return listed


def _rules_hold(
    defs: Definitions,
    entries: dict[str, Entry],
    checked: list[_Checked],
    changes: list[Change],
    where: str,
) -> None:
    """RuleError (nothing written) when the quarter as it would stand breaks a high rule
    that a changed value takes part in (DESIGN section 15); it names the last request of
    such a value (a bulk write's `index`). Medium and low rules let the write through (the
    caller lists them: core/rules.py `evaluate`)."""
    changed = [c.id for c in changes if c.id]
    try:
        refuse_high(defs, entries, changed)
    except RuleError as exc:
        ids = set(exc.result.ids)
        exc.place = Place(where)
        exc.index = max(
            (n for n, c in enumerate(checked) if getattr(c.request, "id", None) in ids),
            default=None,
        )
        raise


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
        progress = load_progress(path, defs, where)[0]
    stored, noticed = _journaled(path, where, defs, period, progress, at)
    return append_chained(defs.unit.id, period, stored, noticed)  # as the next write has them


def _unchanged(current: Entry | None, value: float | bool, request: SetValue) -> bool:
    """True when storing `request` would leave `current` as it is (value, note, cause and
    remedy; a text not given keeps the current one)."""
    if current is None or isinstance(current.value, bool) != isinstance(value, bool):
        return False
    if current.value != value:
        return False
    for key in ("note", "cause", "remedy"):
        given = getattr(request, key)
        if given is not None and clean(given, multiline=True) != getattr(current, key):
            return False
    return True


def _put(
    values: Any,
    indicator_id: str,
    value: float | bool,
    current: Entry | None,
    request: SetValue,
    who: str,
    at: dt.datetime,
    mark: Followup | None = None,
) -> Entry:
    """Store one value (whole numbers as integers) with `by` and `at`, its note, cause and
    remedy (None keeps the current one, "" removes it) and its follow-up mark (None: none);
    the entry as the loader reads it."""
    import tomlkit  # lazy: the comment-keeping TOML writer, only when a file is written

    stored: float | bool | int = value
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        stored = int(value)  # people write 1430, not 1430.0
    item = tomlkit.inline_table()
    item.update({"value": stored, "by": who, "at": at})
    texts: dict[str, str] = {}
    for key, given in (
        ("note", request.note),
        ("cause", request.cause),
        ("remedy", request.remedy),
    ):
        old = getattr(current, key) if current is not None else ""
        text = old if given is None else clean(given, multiline=True)
        texts[key] = text
        if text:
            item[key] = text
    if mark is not None:
        table = tomlkit.inline_table()
        table.update(followup_to_toml(mark))
        item["followup"] = table
    values[indicator_id] = item
    return Entry(
        value,
        texts["note"],
        by=who,
        at=at,
        cause=texts["cause"],
        remedy=texts["remedy"],
        followup=mark,
    )


def _new_document(defs: Definitions, period: Period) -> Any:
    import tomlkit  # lazy: the comment-keeping TOML writer, only when a file is written

    doc = tomlkit.document()
    doc.add("schema", 1)
    doc.add("unit", defs.unit.id)
    doc.add("period", str(period))
    doc.add("as_of", dt.date.today())
    doc.add(tomlkit.nl())
    doc.add("values", tomlkit.table())
    return doc


def _editable(text: str, where: str) -> Any:
    """The progress file's text (read and checked once by `read_toml`) as a tomlkit document,
    comments kept."""
    import tomlkit  # lazy: the comment-keeping TOML writer, only when a file is written

    try:
        return tomlkit.parse(text)
    except Exception:  # noqa: BLE001 - tomlkit raises several kinds
        raise ChitieuError("err.write.cannot_edit", Place(where)) from None
