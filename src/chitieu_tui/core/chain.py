"""Tamper evidence: the journal's hash chain, the quarter's digest, and what `verify` finds.

The canonical forms are documented in docs/formats.md ("Tamper evidence"); a change here is
a change of every stored hash, so they are fixed: sorted-key compact JSON in UTF-8, times
in UTC, whole numbers as integers. Reading never writes: everything here is computed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass, replace
from typing import Any

from chitieu_tui.core.journal import Change, Value, last_state, same_value
from chitieu_tui.core.model import Progress
from chitieu_tui.core.periods import Period

CHAIN_VERSION = 1
"""Part of the genesis: a later canonical form would start from another genesis."""


def canonical_number(value: Value | None) -> bool | int | float | None:
    """`6`, `6.0` → 6; other numbers as they are (JSON writes the shortest round-trip
    decimal, Python's `repr`); booleans stay booleans; None stays null."""
    if value is None or isinstance(value, bool):
        return value
    number = float(value)
    if number.is_integer() and abs(number) < 2**53:
        return int(number)
    return number


def canonical_time(at: dt.datetime) -> str:
    """RFC 3339 in UTC: `2026-04-02T01:30:00Z` (microseconds only when not zero)."""
    utc = at.astimezone(dt.UTC)
    text = utc.strftime("%Y-%m-%dT%H:%M:%S")
    if utc.microsecond:
        text += f".{utc.microsecond:06d}"
    return text + "Z"


def canonical_json(obj: Any) -> bytes:
    """Sorted keys, no spaces, non-ASCII kept, UTF-8."""
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of `data`, lower-case hex."""
    return hashlib.sha256(data).hexdigest()


def genesis(unit: str, period: Period | str) -> str:
    """The `prev` of a journal's first entry: the hash of
    `{"journal":"chitieu-tui","period":P,"unit":U,"version":1}`."""
    return sha256_hex(
        canonical_json(
            {
                "journal": "chitieu-tui",
                "period": str(period),
                "unit": unit,
                "version": CHAIN_VERSION,
            }
        )
    )


def entry_object(change: Change, prev: str) -> dict[str, Any]:
    """The entry as hashed: its `[[change]]` table as the app writes it (absent keys absent),
    `at` in UTC, `old`/`new` normalised, and `prev` (the one given)."""
    obj = change.to_toml()
    obj.pop("prev", None)
    obj["at"] = canonical_time(change.at)
    for key in ("old", "new"):
        if key in obj:
            obj[key] = canonical_number(obj[key])
    obj["prev"] = prev
    return obj


def entry_hash(change: Change, prev: str) -> str:
    """The SHA-256 of the entry's canonical form with `prev`: the next entry's `prev`."""
    return sha256_hex(canonical_json(entry_object(change, prev)))


@dataclass(frozen=True)
class Chain:
    """What a journal's chain says."""

    head: str
    """The `prev` the next entry takes (the genesis for an empty journal)."""
    hashes: tuple[str, ...]
    """Each entry's hash (entry i's is what entry i+1's `prev` must be)."""
    unchained: int
    """Entries without `prev` (an old journal; they count as chained from the genesis)."""
    broken: int | None = None
    """The first entry whose `prev` is wrong or missing after a hashed one."""
    missing: bool = False
    """True when the broken entry has no `prev` although one before it had."""


def walk(unit: str, period: Period | str, changes: list[Change]) -> Chain:
    """Follow the chain from the genesis. An entry without `prev` (written before chains)
    takes the `prev` it should have had, so the first hashed entry after unhashed ones
    chains from the hash of all of them; an unhashed entry after a hashed one is broken."""
    expected = genesis(unit, period)
    hashes: list[str] = []
    broken: int | None = None
    missing = False
    hashed = False
    unchained = 0
    for i, c in enumerate(changes):
        if c.prev:
            if c.prev != expected and broken is None:
                broken = i
            used = c.prev
            hashed = True
        else:
            unchained += 1
            if hashed and broken is None:
                broken, missing = i, True
            used = expected
        expected = entry_hash(c, used)
        hashes.append(expected)
    return Chain(expected, tuple(hashes), unchained, broken, missing)


def append_chained(
    unit: str, period: Period | str, stored: list[Change], new: list[Change]
) -> list[Change]:
    """`stored` as it is, then `new`, each with its `prev`: the hash of the entry before it
    (the first chains from `walk(stored).head`: the genesis for an empty journal, the hash
    of all the old unhashed entries otherwise). What the one writer stores."""
    head = walk(unit, period, stored).head
    out = list(stored)
    for c in new:
        c = replace(c, prev=head)
        head = entry_hash(c, head)
        out.append(c)
    return out


def quarter_digest(progress: Progress) -> str:
    """The SHA-256 of the quarter's values: `{"period","unit","values":{id:{"note","value"}}}`
    in the canonical JSON (ids sorted, numbers normalised, note "" when none)."""
    values = {
        key: {"note": entry.note, "value": canonical_number(entry.value)}
        for key, entry in progress.values.items()
    }
    return sha256_hex(
        canonical_json({"period": str(progress.period), "unit": progress.unit, "values": values})
    )


AFTER_APPROVAL = "after_approval"
"""Values differ from the approval's digest: changed after approval (sửa sau khi duyệt)."""
HAND_AFTER_CLOSE = "hand_after_close"
"""Values differ from the close's digest: a closed quarter changed by hand."""


MARK_KEYS = {
    AFTER_APPROVAL: "mark.after_approval",
    HAND_AFTER_CLOSE: "mark.hand_after_close",
}
"""The catalog key of each mark."""


def tamper_mark(progress: Progress | None) -> str | None:
    """`AFTER_APPROVAL`, `HAND_AFTER_CLOSE` or None, from the progress file alone (the
    digests `[closed]` records; a quarter closed before digests has none to compare). A
    quarter read over the API carries the server's verdict (`Progress.tamper`): the client
    has not the digest of closing, and recomputing over what the wire carries is no proof."""
    if progress is None or progress.closed is None:
        return None
    if progress.tamper is not None:
        return progress.tamper if progress.tamper in MARK_KEYS else None
    closed = progress.closed
    approved = closed.approved
    digest: str | None = None
    if approved is not None and approved.digest:
        digest = digest or quarter_digest(progress)
        if digest != approved.digest:
            return AFTER_APPROVAL
    if closed.digest:
        digest = digest or quarter_digest(progress)
        if digest != closed.digest:
            return HAND_AFTER_CLOSE
    return None


def replay_differences(
    changes: list[Change], values: dict[str, Value]
) -> list[tuple[str, Value | None, Value | None]]:
    """(id, the journal's value, the file's value) for each value that differs, by id."""
    state = last_state(changes)
    out: list[tuple[str, Value | None, Value | None]] = []
    for key in sorted(set(state) | set(values)):
        if not same_value(state.get(key), values.get(key)):
            out.append((key, state.get(key), values.get(key)))
    return out


def closed_by_journal(changes: list[Change]) -> bool | None:
    """Whether the journal's last close/reopen closed the quarter (None: neither)."""
    for c in reversed(changes):
        if c.via == "close":
            return True
        if c.via in ("reopen", "return"):
            return False
    return None
