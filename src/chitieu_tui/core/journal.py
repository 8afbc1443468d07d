"""The journal: every change of a quarter's values, who made it and when (`journal/<P>.toml`)."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from chitieu_tui.core.errors import DataError, ErrorList
from chitieu_tui.core.model import Closed, Entry
from chitieu_tui.core.numbers import MAX_MAGNITUDE, whole
from chitieu_tui.core.periods import Period
from chitieu_tui.core.text import clean
from chitieu_tui.core.tomlfile import Locator, read_toml
from chitieu_tui.i18n import Msg, current

USER_ENV = "CHITIEU_USER"
UNKNOWN_USER = "unknown"
"""`by` when neither `--by`, CHITIEU_USER nor the login name is known."""
VIAS = (
    "set",
    "unset",
    "form",
    "import",
    "close",
    "reopen",
    "hand",
    "found",
    "interrupted",
    "approve",
    "return",
    "followup",
)
"""How a change came: through the app (`set` … `reopen`; `followup`: a follow-up mark
cleared, with its note) or noticed in the file
(`hand`: edited by hand; `found`: there before the journal began; `interrupted`: an app
write journaled but killed before it reached the progress file)."""
Value = float | bool


def current_user(explicit: str | None = None) -> str:
    """Who is writing: `--by`, else CHITIEU_USER, else the login name, else `unknown`.

    The command line and the forms pass `settings.by_name(--by)` (which adds the settings
    file's `by` after CHITIEU_USER), so the login name is the last fallback."""
    for name in (explicit, os.environ.get(USER_ENV)):
        if name is not None and clean(name).strip():
            return clean(name).strip()
    try:
        import getpass  # lazy: only when a value is written (start-up)

        login = getpass.getuser()
    except (OSError, KeyError, ImportError):
        login = ""
    return clean(login).strip() or UNKNOWN_USER


def local_now() -> dt.datetime:
    """Now, local time with its offset, whole seconds (what `at` records)."""
    return dt.datetime.now().astimezone().replace(microsecond=0)


class When(Msg):
    """A moment in a message: `08:30 02/04/2026` (vi) or `2026-04-02 08:30` (en)."""

    __slots__ = ("when",)

    def __init__(self, when: dt.datetime) -> None:
        super().__init__("num")
        self.when = when

    def text(self, lang: str | None = None) -> str:
        """The moment in `lang` (the current language when None), in its own time zone."""
        w = self.when
        clock = f"{w.hour:02d}:{w.minute:02d}"
        if (lang or current()) == "en":
            return f"{w.year:04d}-{w.month:02d}-{w.day:02d} {clock}"
        return f"{clock} {w.day:02d}/{w.month:02d}/{w.year:04d}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, When) and other.when == self.when

    def __hash__(self) -> int:
        return hash(self.when)


class Quarter(Msg):
    """A period in words in a message: `Quý I/2026`, `Q1 2026`."""

    __slots__ = ("period",)

    def __init__(self, period: Period) -> None:
        super().__init__("num")
        self.period = period

    def text(self, lang: str | None = None) -> str:
        """The period's label in `lang` (the current language when None)."""
        return self.period.label()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Quarter) and other.period == self.period

    def __hash__(self) -> int:
        return hash(self.period)


def closed_msg(key: str, period: Period, closed: Closed, **more: object) -> Msg:
    """`key` worded with the quarter, who closed it, when and why (and `more`)."""
    return Msg(
        key,
        period=Quarter(period),
        by=closed.by,
        at=When(closed.at),
        reason=closed.reason,
        **more,
    )


@dataclass(frozen=True)
class Change:
    """One line of the journal."""

    at: dt.datetime
    via: str
    by: str = ""
    id: str = ""
    """The indicator (empty for `close` and `reopen`)."""
    old: Value | None = None
    new: Value | None = None
    note: str = ""
    reason: str = ""
    """Why a quarter was closed or reopened."""
    hand: bool = False
    """Noticed in the file, not made through the app (`via` says how)."""
    prev: str = ""
    """The SHA-256 of the entry before it (core/chain.py); empty in journals before chains."""
    account: str = ""
    """The account (users.toml `name`) a write over the API came from; empty otherwise."""
    followup: str = ""
    """A value written with a follow-up mark: why, its reasons' codes separated by a space
    (`outlier`, `ytd_drop`; core/outliers.py); empty otherwise."""

    def to_toml(self) -> dict[str, Any]:
        """The `[[change]]` table (absent keys: no value, no note)."""
        out: dict[str, Any] = {"at": self.at, "via": self.via}
        if self.by:
            out["by"] = self.by
        if self.id:
            out["id"] = self.id
        if self.old is not None:
            out["old"] = self.old
        if self.new is not None:
            out["new"] = self.new
        if self.note:
            out["note"] = self.note
        if self.reason:
            out["reason"] = self.reason
        if self.hand:
            out["hand"] = True
        if self.prev:
            out["prev"] = self.prev
        if self.account:
            out["account"] = self.account
        if self.followup:
            out["followup"] = self.followup
        return out

    def to_json(self, integer: bool = False) -> dict[str, Any]:
        """The API's form: every key, `at` as ISO 8601, null where absent; `integer` (the
        indicator counts whole things): whole `old` and `new` as ints (`6`, not `6.0`)."""
        return {
            "at": self.at.isoformat(),
            "via": self.via,
            "by": self.by,
            "id": self.id or None,
            "old": whole(self.old, integer),
            "new": whole(self.new, integer),
            "note": self.note,
            "reason": self.reason,
            "hand": self.hand,
            "account": self.account,
            "followup": self.followup,
        }


_KEYS = {
    "at",
    "via",
    "by",
    "id",
    "old",
    "new",
    "note",
    "reason",
    "hand",
    "prev",
    "account",
    "followup",
}


def change_from_raw(raw: Any) -> Change | Msg:
    """A Change from a `[[change]]` table (or the API's object), or what is wrong with it."""
    if not isinstance(raw, dict):
        return Msg("err.journal.change_table")
    extra = set(raw) - _KEYS
    if extra:
        return Msg("err.journal.unknown_key", field=clean(sorted(extra)[0]))
    at = raw.get("at")
    if isinstance(at, str):
        try:
            at = dt.datetime.fromisoformat(at)
        except ValueError:
            pass
    if not isinstance(at, dt.datetime):
        return Msg("err.value.at_datetime", field="at", got=clean(repr(at))[:40])
    if at.tzinfo is None:  # a hand-written time without offset: local time, like `local_now`
        at = at.astimezone()
    via = raw.get("via")
    if via not in VIAS:
        return Msg("err.journal.via", got=clean(repr(via))[:40])
    texts: dict[str, str] = {}
    for key in ("by", "id", "note", "reason", "prev", "account", "followup"):
        value = raw.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            return Msg("err.value.field_text", field=key, got=clean(repr(value))[:40])
        texts[key] = clean(value, multiline=key in ("note", "reason"))
    values: dict[str, Value | None] = {}
    for key in ("old", "new"):
        value = raw.get(key)
        if value is not None and (
            not isinstance(value, (bool, int, float))
            or (not isinstance(value, bool) and not abs(value) <= MAX_MAGNITUDE)  # NaN too
        ):
            return Msg("err.journal.value", field=key, got=clean(repr(value))[:40])
        values[key] = (
            float(value) if isinstance(value, int) and not isinstance(value, bool) else value
        )
    if any(code not in ("outlier", "ytd_drop") for code in texts["followup"].split()):
        return Msg("err.journal.followup", got=clean(repr(texts["followup"]))[:40])
    hand = raw.get("hand", False)
    if not isinstance(hand, bool):
        return Msg("err.journal.hand", got=clean(repr(hand))[:40])
    return Change(at, via, old=values["old"], new=values["new"], hand=hand, **texts)


def read_journal(
    path: Path,
    shown: str | None = None,
    *,
    unit: str | None = None,
    period: Period | None = None,
) -> list[Change]:
    """The journal's changes, oldest first ([] when there is no file); DataError naming the
    file and line when it cannot be used, or when it is not of `unit` and `period` (the
    file's place: another unit's journal copied in is no history of this one)."""
    where = shown or str(path)
    if not os.path.lexists(path):
        return []
    data, text = read_toml(path, where)
    loc = Locator.scan(where, text)
    if unit is not None and data.get("unit") != unit:
        got = data.get("unit")
        shown_got = clean(got) if isinstance(got, str) else Msg("value.nothing")
        raise DataError("err.journal.unit", loc.place("", 0, "unit"), unit=unit, got=shown_got)
    if period is not None and data.get("period") != str(period):
        got = data.get("period")
        shown_got = clean(got) if isinstance(got, str) else Msg("value.nothing")
        raise DataError(
            "err.journal.period", loc.place("", 0, "period"), period=str(period), got=shown_got
        )
    errs: list[DataError] = []
    for key in data:
        if key not in ("schema", "unit", "period", "change"):
            errs.append(
                DataError(Msg("err.field.unknown", field=clean(key)), loc.place("", 0, key))
            )
    raw = data.get("change", [])
    if not isinstance(raw, list):
        raise DataError("err.journal.change_table", loc.place("", 0, "change"))
    changes: list[Change] = []
    for i, item in enumerate(raw):
        found = change_from_raw(item)
        if isinstance(found, Msg):
            errs.append(
                DataError(
                    Msg("err.journal.in_change", n=i + 1, detail=found), loc.place("change", i)
                )
            )
        else:
            changes.append(found)
    if errs:
        raise errs[0] if len(errs) == 1 else ErrorList(list(errs))
    return changes


def journal_bytes(unit: str, period: Period, changes: list[Change]) -> bytes:
    """The journal file's text."""
    import tomli_w  # lazy: only when a journal is written

    doc = {
        "schema": 1,
        "unit": unit,
        "period": str(period),
        "change": [c.to_toml() for c in changes],
    }
    return tomli_w.dumps(doc).encode("utf-8")


def last_state(changes: list[Change]) -> dict[str, Value]:
    """The values the journal says the file holds: each indicator's last `new`."""
    state: dict[str, Value] = {}
    for c in changes:
        if not c.id:
            continue
        if c.new is None:
            state.pop(c.id, None)
        else:
            state[c.id] = c.new
    return state


def same_value(a: Value | None, b: Value | None) -> bool:
    """Equal, and of the same kind (a milestone's true is not the number 1)."""
    if a is None or b is None:
        return a is b
    return isinstance(a, bool) == isinstance(b, bool) and a == b


def reconcile(
    changes: list[Change],
    values: dict[str, Entry],
    now: dt.datetime,
    started: bool,
    modified: dt.datetime | None = None,
) -> list[Change]:
    """Entries for the differences between the journal's last state and the file's values.

    `started` is False when the journal has no file yet: what the file holds is then
    `found`. A difference that undoes the indicator's last app change, in a file not
    modified since that change (`modified`: the file's time; None: no file), is
    `interrupted` (the journal is written first, so a writer killed in between leaves
    exactly that); anything else is `hand`. `hand` and `found` are stamped with the file's
    time (so a reader shows what the next write records), `interrupted` with `now`.
    """
    state = last_state(changes)
    last_app: dict[str, Change] = {}
    for c in changes:
        if c.id:
            last_app[c.id] = c
    found: list[Change] = []
    for key in sorted(set(state) | set(values)):
        old = state.get(key)
        entry = values.get(key)
        new = entry.value if entry is not None else None
        if same_value(old, new):
            continue
        via = "found" if not started else "hand"
        prior = last_app.get(key)
        if (
            started
            and prior is not None
            and not prior.hand
            and same_value(prior.old, new)
            and (modified is None or modified < prior.at + dt.timedelta(seconds=1))
        ):
            via = "interrupted"
        note = entry.note if entry is not None else ""
        when = modified if via in ("hand", "found") and modified is not None else now
        found.append(Change(when, via, id=key, old=old, new=new, note=note, hand=True))
    return found


@runtime_checkable
class JournalSource(Protocol):
    """A source whose journal can be read (files, and servers that publish it)."""

    async def ajournal(self, period: Period) -> list[Change]:
        """The period's changes, oldest first."""
        ...
