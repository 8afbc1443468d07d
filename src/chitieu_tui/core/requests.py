"""One write request: what a form, a CLI command or an import asks a writable source to do.

Every write is a list of requests of one quarter carried through one transaction
(`WritableSource.write`): one lock, one read, one validation, the closed check, the journal
first, one atomic write, one snapshot. A request holds what it needs and the common fields,
declared once in three small bases: every request's quarter and who writes (`Asked`: `by`;
over the API also the account's `account` name, recorded in the journal); a value's
indicator and the entry the writer saw (`OneValue`: `id`, `expect`); a quarter's reason
(`Reasoned`). A value also says how it came (`via`), its note, cause, remedy and whether an
implausible value or an outlier is confirmed. The bases are not requests: `Request` lists
the seven that are.
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
class Asked:
    """What every request holds: its quarter, who writes (`by`; None: the current user) and,
    over the API, the account's name (`account`, recorded in the journal)."""

    period: Period
    by: str | None = None
    account: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class OneValue(Asked):
    """A request about one indicator's value, and the entry the writer saw (`expect`)."""

    id: str
    expect: Entry | None | Expect = ANY


@dataclass(frozen=True, slots=True, kw_only=True)
class Reasoned(Asked):
    """A request about the whole quarter that says why (`reason`)."""

    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SetValue(OneValue):
    """Enter one value: `value` as typed (`32,5`, `có`; numbers as written in `lang`) or
    already read (a number or a bool from a workbook cell). `note`, `cause`, `remedy`: None
    keeps the current one, "" removes it. `confirm`: an implausible value is meant.
    `confirm_outlier`: a value out of line with the unit's history is meant; it is written
    with a follow-up mark (core/outliers.py)."""

    value: str | float | bool
    note: str | None = None
    cause: str | None = None
    remedy: str | None = None
    confirm: bool = False
    confirm_outlier: bool = False
    lang: str = "vi"
    via: str = "set"


@dataclass(frozen=True, slots=True, kw_only=True)
class Unset(OneValue):
    """Remove one value (EntryError `err.entry.not_set` when there is none)."""

    via: str = "unset"


@dataclass(frozen=True, slots=True, kw_only=True)
class Close(Reasoned):
    """Close the quarter (chốt số liệu) with a reason; a final snapshot follows."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Reopen(Reasoned):
    """Reopen a closed quarter, with a reason."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Approve(Asked):
    """Approve a closed (submitted) quarter: `[closed].approved = {at, by, note?, digest}`,
    the digest of the values approved."""

    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Return(Reasoned):
    """Send a closed or approved quarter back to the ward with a reason: it reopens, and
    `[returned] = {at, by, reason}` tells the ward why until the next close."""


@dataclass(frozen=True, slots=True, kw_only=True)
class ClearFollowup(OneValue):
    """Clear a value's follow-up mark with a note (what was checked); the journal records
    it (`via = "followup"`). EntryError when the value has no mark."""

    note: str


Request = SetValue | Unset | Close | Reopen | Approve | Return | ClearFollowup


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
