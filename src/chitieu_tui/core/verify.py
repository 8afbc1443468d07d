"""`chitieu verify`: every journal's chain, the progress file's journal head, the values the
journal replays to, and the digests of closing and approval. Reading never writes."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from chitieu_tui.core.chain import (
    closed_by_journal,
    quarter_digest,
    replay_differences,
    walk,
)
from chitieu_tui.core.datadir import DataDir
from chitieu_tui.core.errors import ChitieuError, DataError, Place
from chitieu_tui.core.journal import Change, When, read_journal
from chitieu_tui.core.periods import Period
from chitieu_tui.core.tomlfile import Locator, read_toml
from chitieu_tui.core.writer import shown_value
from chitieu_tui.i18n import Msg

OK = "ok"
NOT_CHAINED = "not_chained"
BROKEN = "broken"


@dataclass(frozen=True)
class Finding:
    """One quarter's verdict: `ok`, `not_chained` (no hashes yet) or `broken` (`problem`)."""

    period: Period
    state: str
    problem: ChitieuError | None = None
    entries: int = 0


def _locate(path: Path, shown: str, table: str, index: int = 0, key: str | None = None) -> Place:
    """The line of `key` in the `index`-th `[table]` of the file (the file alone when it
    cannot be read again)."""
    try:
        _data, text = read_toml(path, shown)
    except ChitieuError:
        return Place(shown)
    return Locator.scan(shown, text).place(table, index, key)


def _what(change: Change) -> str:
    return change.id or change.via


def _entry_error(key: str, place: Place, i: int, change: Change, **more: object) -> DataError:
    return DataError(key, place, n=i + 1, at=When(change.at), what=_what(change), **more)


def _periods(data: DataDir) -> list[Period]:
    """Quarters with a progress file or a journal."""
    found = set(data.periods())
    folder = data.root / "journal"
    try:
        names = os.listdir(folder)
    except OSError:
        names = []
    found.update(
        Period.parse(n[:-5]) for n in names if n.endswith(".toml") and Period.is_valid(n[:-5])
    )
    return sorted(found)


def verify_quarter(data: DataDir, period: Period) -> Finding:
    """The first thing in `period` that does not match, in this order: the chain (the first
    entry whose `prev` is wrong), the journal's head (`chain` in the progress file), the
    values against the journal's last state, `[closed]` against the last close/reopen, the
    closing's and the approval's digests."""
    try:
        defs = data.defs_for(period)
        progress = data.progress(period, defs)
        jpath = data.journal_path(period)
        jshown = data.shown(jpath)
        changes = read_journal(jpath, jshown, unit=defs.unit.id, period=period)
    except ChitieuError as exc:
        return Finding(period, BROKEN, exc)
    started = os.path.lexists(jpath)
    chain = walk(defs.unit.id, period, changes)
    n = len(changes)
    if chain.broken is not None:
        i = chain.broken
        key = "verify.missing_prev" if chain.missing else "verify.broken_entry"
        place = _locate(jpath, jshown, "change", i)
        return Finding(period, BROKEN, _entry_error(key, place, i, changes[i]), n)
    ppath = data.progress_path(period)
    pshown = data.shown(ppath)
    if progress is not None and progress.chain and progress.chain != chain.head:
        if progress.chain in chain.hashes:
            i = chain.hashes.index(progress.chain) + 1
            place = _locate(jpath, jshown, "change", i)
            err = _entry_error("verify.after_head", place, i, changes[i], prior=i)
        elif n:
            place = _locate(jpath, jshown, "change", n - 1)
            err = _entry_error("verify.head", place, n - 1, changes[-1])
        else:
            err = DataError("verify.head_empty", _locate(ppath, pshown, "", 0, "chain"))
        return Finding(period, BROKEN, err, n)
    values = {k: e.value for k, e in progress.values.items()} if progress is not None else {}
    if started:
        differences = replay_differences(changes, values)
        if differences:
            key_id, journal_value, file_value = differences[0]
            place = (
                _locate(ppath, pshown, "values", 0, key_id)
                if progress is not None
                else Place(pshown)
            )
            err = DataError(
                "verify.value",
                place,
                id=key_id,
                file=_shown(file_value),
                journal=_shown(journal_value),
            )
            return Finding(period, BROKEN, err, n)
        said = closed_by_journal(changes)
        closed_now = progress is not None and progress.closed is not None
        if (said is None and closed_now) or (said is not None and said != closed_now):
            place = _locate(ppath, pshown, "closed") if closed_now else Place(pshown)
            key = "verify.closed_by_hand" if closed_now else "verify.reopened_by_hand"
            return Finding(period, BROKEN, DataError(key, place), n)
    if progress is not None and progress.closed is not None:
        closed = progress.closed
        digest = quarter_digest(progress)
        if closed.approved is not None and closed.approved.digest:
            if closed.approved.digest != digest:
                place = _locate(ppath, pshown, "closed", 0, "approved")
                return Finding(period, BROKEN, DataError("verify.after_approval", place), n)
        if closed.digest and closed.digest != digest:
            place = _locate(ppath, pshown, "closed", 0, "digest")
            return Finding(period, BROKEN, DataError("verify.hand_after_close", place), n)
    if chain.unchained == n and (n or values):
        return Finding(period, NOT_CHAINED, None, n)
    return Finding(period, OK, None, n)


def _shown(value: float | bool | None) -> Msg:
    if value is None:
        return Msg("value.nothing")
    return shown_value(value)


def verify_folder(data: DataDir, period: Period | None = None) -> list[Finding]:
    """Every quarter of the folder (with a progress file or a journal), or `period` only."""
    periods = [period] if period is not None else _periods(data)
    return [verify_quarter(data, p) for p in periods]
