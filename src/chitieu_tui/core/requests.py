"""One write request: what a form, a CLI command or an import asks a writable source to do.

Every write is a list of requests of one quarter carried through one transaction
(`WritableSource.write`): one lock, one read, one validation, the closed check, the journal
first, one atomic write, one snapshot. A request holds what it needs and the common fields:
who writes (`by`; over the API also the account's
`account` name, recorded in the journal), how (`via`), the entry the writer saw (`expect`), and for a value its note,
cause, remedy and whether an implausible value is confirmed.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from chitieu_tui.core.model import Entry, Progress
from chitieu_tui.core.periods import Period


class Expect(enum.Enum):
    """No expectation: the last writer wins (`chitieu set`)."""

    ANY = "any"


ANY = Expect.ANY


@dataclass(frozen=True, slots=True, kw_only=True)
class SetValue:
    """Enter one value: `value` as typed (`32,5`, `có`; numbers as written in `lang`) or
    already read (a number or a bool from a workbook cell). `note`, `cause`, `remedy`: None
    keeps the current one, "" removes it. `confirm`: an implausible value is meant."""

    period: Period
    id: str
    value: str | float | bool
    note: str | None = None
    cause: str | None = None
    remedy: str | None = None
    confirm: bool = False
    lang: str = "vi"
    expect: Entry | None | Expect = ANY
    by: str | None = None
    account: str = ""
    via: str = "set"


@dataclass(frozen=True, slots=True, kw_only=True)
class Unset:
    """Remove one value (EntryError `err.entry.not_set` when there is none)."""

    period: Period
    id: str
    expect: Entry | None | Expect = ANY
    by: str | None = None
    account: str = ""
    via: str = "unset"


@dataclass(frozen=True, slots=True, kw_only=True)
class Close:
    """Close the quarter (chốt số liệu) with a reason; a final snapshot follows."""

    period: Period
    reason: str
    by: str | None = None
    account: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Reopen:
    """Reopen a closed quarter, with a reason."""

    period: Period
    reason: str
    by: str | None = None
    account: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Approve:
    """Approve a closed (submitted) quarter: `[closed].approved = {at, by, note?, digest}`,
    the digest of the values approved. `account`: the account's name over the API."""

    period: Period
    note: str = ""
    by: str | None = None
    account: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Return:
    """Send a closed or approved quarter back to the ward with a reason: it reopens, and
    `[returned] = {at, by, reason}` tells the ward why until the next close."""

    period: Period
    reason: str
    by: str | None = None
    account: str = ""


Request = SetValue | Unset | Close | Reopen | Approve | Return


@dataclass(frozen=True, slots=True)
class Written:
    """What one write did: where (as shown in messages), the quarter as it now stands, and
    the snapshot taken after it (None: none asked, or a reopen)."""

    place: str
    progress: Progress
    snapshot: Path | None = None


def period_of(requests: Sequence[Request]) -> Period:
    """The one quarter a write is about (a write never spans two files)."""
    periods = {r.period for r in requests}
    if len(periods) != 1:
        raise ValueError(f"one write is about one quarter, got {sorted(map(str, periods))}")
    return periods.pop()
