"""The wire shapes of `/api/v1` as msgspec Structs: served, decoded and published from one place."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

import msgspec
from msgspec import UNSET, Meta, Struct, UnsetType

from chitieu_tui.core import model
from chitieu_tui.core.journal import VIAS

ID_PATTERN = "^[a-z0-9-]+$"
"""Indicator, group and unit ids in bodies (the loader checks them with `\\Z` too)."""
UNIT_PATTERN = "^[a-z0-9-]{1,64}$"
"""A unit id in a path (the client refuses longer ones)."""
PERIOD_PATTERN = "^(19[0-9]{2}|2[01][0-9]{2}|2200)-Q[1-4]$"
"""A quarter of a year from 1900 to 2200 (`core.periods.YEAR_FIRST`, `YEAR_LAST`)."""
YEAR_PATTERN = "^[0-9]{4}$"
DATE_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
WHEN_PATTERN = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?"
    r"([+-][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?|Z)?$"
)
CODE_PATTERN = r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$"

Id = Annotated[str, Meta(pattern=ID_PATTERN)]
PeriodText = Annotated[str, Meta(pattern=PERIOD_PATTERN, examples=["2026-Q1"])]
Day = Annotated[str, Meta(pattern=DATE_PATTERN, extra_json_schema={"format": "date"})]
When = Annotated[
    str,
    Meta(
        pattern=WHEN_PATTERN,
        description="ISO 8601 date and time; with its UTC offset whenever the app wrote it",
        examples=["2026-04-02T09:15:00+07:00"],
    ),
]
Plan = Annotated[list[float], Meta(min_length=4, max_length=4)]

_FIELD_TYPES: dict[tuple[str, str], Any] = {
    ("UnitInfo", "id"): Id,
    ("Group", "id"): Id,
    ("Indicator", "id"): Id,
    ("Indicator", "group"): Id,
    ("Indicator", "due"): PeriodText,
    ("Indicator", "plan"): Plan,
    ("Dashboard", "headline"): list[Id],
}


def _wire_of(source: type[Struct]) -> Any:
    """A Struct with the fields of a model Struct, as the API carries them: each field under
    its model name; a field whose default is None is left out when absent (UNSET, never
    null); other defaults stay defaults; unknown fields are ignored (additive changes)."""
    fields: list[tuple[str, Any, Any]] = []
    for info in msgspec.structs.fields(source):
        kind = _FIELD_TYPES.get((source.__name__, info.name), info.type)
        if info.default is None:
            base = kind if (source.__name__, info.name) in _FIELD_TYPES else _not_none(kind)
            fields.append((info.name, base | UnsetType, UNSET))
        elif info.default is not msgspec.NODEFAULT:
            fields.append((info.name, kind, info.default))
        elif info.default_factory is not msgspec.NODEFAULT:
            fields.append((info.name, kind, msgspec.field(default_factory=info.default_factory)))
        else:
            fields.append((info.name, kind))
    made = msgspec.defstruct(source.__name__, fields, kw_only=True, module=__name__, frozen=True)
    made.__doc__ = source.__doc__
    return made


def _not_none(kind: Any) -> Any:
    """`T | None` → `T`."""
    args = [a for a in getattr(kind, "__args__", ()) if a is not type(None)]
    if not args or len(args) == len(getattr(kind, "__args__", ())):
        return kind
    out = args[0]
    for arg in args[1:]:
        out = out | arg
    return out


UnitInfo = _wire_of(model.UnitInfo)
Dashboard = _wire_of(model.Dashboard)
Group = _wire_of(model.Group)
Indicator = _wire_of(model.Indicator)
ReportHead = _wire_of(model.ReportHead)
Rule = _wire_of(model.Rule)


class UnitItem(Struct, kw_only=True, frozen=True):
    """One unit served: `GET /api/v1/units` lists them."""

    id: Id
    name: str


class UnitDocument(Struct, kw_only=True, frozen=True):
    """A unit's definitions (chitieu.toml, or years/<year>.toml) as JSON."""

    schema: Annotated[int, Meta(ge=1)] = 1
    unit: UnitInfo  # type: ignore[valid-type]
    dashboard: Dashboard = msgspec.field(default_factory=Dashboard)  # type: ignore[valid-type]
    groups: list[Group]  # type: ignore[valid-type]
    indicators: list[Indicator]  # type: ignore[valid-type]
    report: ReportHead | UnsetType = UNSET  # type: ignore[valid-type]
    """Who files the unit's report and in which layout (chitieu.toml `[report]`, DESIGN 14);
    absent when not given (and from an older server)."""
    rules: list[Rule] = msgspec.field(default_factory=list)  # type: ignore[valid-type]
    """`[[rule]]`: rules between figures (DESIGN section 15); none when absent."""


class PeriodList(Struct, kw_only=True, frozen=True):
    """The periods that have progress, oldest first."""

    unit: Id
    periods: list[PeriodText]


class Followup(Struct, kw_only=True, frozen=True):
    """A value's follow-up mark: why (`outlier`, `ytd_drop`) and the numbers it was judged
    by (those it has)."""

    why: list[Literal["outlier", "ytd_drop"]]
    mean: int | float | UnsetType = UNSET
    sd: int | float | UnsetType = UNSET
    k: int | float | UnsetType = UNSET
    count: int | UnsetType = UNSET
    before: int | float | UnsetType = UNSET
    quarterly: int | float | UnsetType = UNSET


class ValueNote(Struct, kw_only=True, frozen=True):
    """A value with a note, who, when, cause or remedy (only the keys it has)."""

    value: int | float | bool
    """A whole value of an integer indicator is an integer (`6`); read `6.0` alike."""
    note: str | UnsetType = UNSET
    by: str | UnsetType = UNSET
    at: When | UnsetType = UNSET
    cause: str | UnsetType = UNSET
    remedy: str | UnsetType = UNSET
    followup: Followup | UnsetType = UNSET
    """The follow-up mark of a value out of line with the unit's history (docs/formats.md)."""


Value = int | float | bool | ValueNote
"""A number (an integer for a whole value of an integer indicator: `6`, not `6.0`),
true/false (a milestone), or an object when it has more than the value."""


class ApprovedInfo(Struct, kw_only=True, frozen=True):
    """The approval of a closed quarter: when, by whom (the account's display), its note and
    the digest of the values approved."""

    at: When
    by: str
    note: str = ""
    digest: str = ""


class ClosedInfo(Struct, kw_only=True, frozen=True):
    """A closed quarter (chốt số liệu): when, by whom, why; `approved` null until approved."""

    at: When
    by: str
    reason: str
    approved: ApprovedInfo | None = None


class ReturnedInfo(Struct, kw_only=True, frozen=True):
    """A quarter sent back by the level above, not closed again yet: when, by whom, why."""

    at: When
    by: str
    reason: str


QuarterState = Literal["open", "submitted", "approved", "returned"]
"""open, submitted (closed), approved, returned (sent back with a reason)."""


TamperMark = Literal["after_approval", "hand_after_close"]
"""A closed quarter whose values differ from the digest its approval (`after_approval`, sửa
sau khi duyệt) or its closing (`hand_after_close`, sửa tay sau khi chốt) recorded."""


class ProgressDocument(Struct, kw_only=True, frozen=True):
    """One period's progress; `as_of` and `closed` are null when absent."""

    unit: Id
    period: PeriodText
    as_of: Day | None = None
    closed: ClosedInfo | None = None
    state: QuarterState = "open"
    returned: ReturnedInfo | None = None
    tamper: TamperMark | None | UnsetType = UNSET
    """The server's check of the values against the digests of closing and approval (the
    closing's digest stays on the server): null when they match or none was recorded. An
    older server leaves it out; the client then compares the approval's digest only."""
    values: dict[str, Value]


class Change(Struct, kw_only=True, frozen=True):
    """One change of the journal; `id`, `old`, `new` are null where absent."""

    at: When
    via: Literal[VIAS]  # type: ignore[valid-type]
    by: str = ""
    id: str | None = None
    old: int | float | bool | None = None
    new: int | float | bool | None = None
    note: str = ""
    reason: str = ""
    hand: bool = False
    account: str = ""
    """The account a write over the API came from (users.toml `name`); "" otherwise."""
    followup: str = ""
    """A value written with a follow-up mark: its reasons (`outlier`, `ytd_drop`, space
    separated); "" otherwise. A clearing is `via = "followup"` with its note."""


class Journal(Struct, kw_only=True, frozen=True):
    """One period's journal, oldest first (`changes` is empty when there is none)."""

    unit: Id
    period: PeriodText
    changes: list[Change]


class ProblemDetails(Struct, kw_only=True, frozen=True):
    """RFC 9457 problem details; `code` is the error's stable catalog key."""

    type: str = "about:blank"
    title: str
    status: Annotated[int, Meta(ge=400, le=599)]
    detail: str
    code: Annotated[str, Meta(pattern=CODE_PATTERN)]


UnitList = list[UnitItem]

ETAG_PATTERN = '^"[0-9a-f]{32}"$'
ETagText = Annotated[str, Meta(pattern=ETAG_PATTERN, description="A strong tag of the entry")]


class BulkUnit(Struct, kw_only=True, frozen=True):
    """One unit of a bulk answer; one that cannot be read has `error` instead of documents."""

    unit: Id
    name: str
    etag: ETagText
    definitions: UnitDocument | UnsetType = UNSET
    periods: list[PeriodText] | UnsetType = UNSET
    year: UnitDocument | UnsetType = UNSET
    """The definitions of the period's year when it is not the unit's own year (absent when
    that year has none)."""
    progress: ProgressDocument | None = None
    """The period's progress (null when it has no progress file)."""
    earlier: list[ProgressDocument] = msgspec.field(default_factory=list)
    """The earlier quarters of the period's year that have a progress file, oldest first
    (for the year to date of quarter-reported indicators)."""
    error: ProblemDetails | UnsetType = UNSET


class Reporting(Struct, kw_only=True, frozen=True):
    """collection.toml `[reporting]`: the deadline to submit each quarter (DESIGN 12)."""

    cutoff_day: Annotated[int, Meta(ge=1, le=31)] = 14
    """Figures are taken up to this day of the quarter's last month."""
    send_days: Annotated[int, Meta(ge=0, le=30)] = 2
    """Working days (Monday–Friday) after the cut-off to submit the quarter."""


class BulkProgress(Struct, kw_only=True, frozen=True):
    """Every unit served, for one period, in one answer (the roll-up's first frame and poll)."""

    period: PeriodText
    name: str | UnsetType = UNSET
    """The served collection's name (`name` of its collection.toml), when it has one."""
    reporting: Reporting | UnsetType = UNSET
    """The served collection's deadline (collection.toml `[reporting]`), when it has one:
    without it nobody is late."""
    report: ReportHead | UnsetType = UNSET  # type: ignore[valid-type]
    """Who files the collection's report (collection.toml `[report]`), when given."""
    units: list[BulkUnit]


class VerifyProblem(Struct, kw_only=True, frozen=True):
    """The first thing of a quarter that does not match, as `chitieu verify` names it."""

    code: Annotated[str, Meta(pattern=CODE_PATTERN)]
    """The catalog key (`verify.broken_entry`, `verify.value`, `verify.after_approval`, …)."""
    detail: str
    """What does not match, in the request's language."""
    place: str | None = None
    """The file and line, relative to the unit's folder (`journal/2026-Q1.toml:12`)."""


class VerifyFinding(Struct, kw_only=True, frozen=True):
    """One quarter's verdict: `ok`, `not_chained` (a journal from before hashes) or `broken`."""

    period: PeriodText
    state: Literal["ok", "not_chained", "broken"]
    entries: Annotated[int, Meta(ge=0)] = 0
    """The journal's entries."""
    problem: VerifyProblem | None = None
    """Set when `state` is `broken`."""


class Verification(Struct, kw_only=True, frozen=True):
    """`GET /api/v1/units/{unit}/verify`: every quarter with a progress file or a journal
    (or the one `?period=` names), oldest first."""

    unit: Id
    findings: list[VerifyFinding]


class Me(Struct, kw_only=True, frozen=True):
    """`GET /api/v1/me`: who the request's token belongs to and what it may do."""

    name: str
    """The account's name (empty without accounts: a shared token or none)."""
    display: str
    """Shown as `by` in what the account writes (empty without accounts)."""
    role: Literal["editor", "approver", "viewer"]
    """`viewer` without accounts: such a server is read-only."""
    units: list[Annotated[str, Meta(pattern=r"^(\*|[a-z0-9-]{1,64})$")]]
    """The units it may read (`["*"]`: every unit served)."""
    auth: Literal["account", "token", "none"] = "account"
    """How the server knows the request: an account of users.toml, the shared token, none."""


class TargetItem(Struct, kw_only=True, frozen=True):
    """One indicator the province assigns (targets/<year>.toml `[[indicator]]`)."""

    id: Id
    target: Annotated[float, Meta(ge=0)] | UnsetType = UNSET
    """The province's own target, when it has one."""
    basis: str = ""
    """The decision that assigns it."""
    units: dict[Annotated[str, Meta(pattern=UNIT_PATTERN)], Annotated[float, Meta(ge=0)]]
    """The target assigned to each unit (only the units the account may read)."""


class TargetsDocument(Struct, kw_only=True, frozen=True):
    """`GET /api/v1/targets/{year}`: what the province assigns its units that year."""

    year: int
    indicators: list[TargetItem]


_PREFIX = "/api/v1"
_SHAPES: tuple[tuple[re.Pattern[str], Any], ...] = (
    (re.compile(r"/units"), UnitList),
    (re.compile(r"/units/[^/]+"), UnitDocument),
    (re.compile(r"/units/[^/]+/periods"), PeriodList),
    (re.compile(r"/units/[^/]+/progress/[^/]+"), ProgressDocument),
    (re.compile(r"/units/[^/]+/years/[^/]+"), UnitDocument),
    (re.compile(r"/units/[^/]+/journal/[^/]+"), Journal),
    (re.compile(r"/units/[^/]+/verify"), Verification),
    (re.compile(r"/progress(/[^/]+)?"), BulkProgress),
    (re.compile(r"/me"), Me),
    (re.compile(r"/targets/[^/]+"), TargetsDocument),
)


def sent_fields(shape: Any) -> list[str]:
    """The fields `chitieu serve` always sends in a Struct: all but those left out when absent
    (UNSET). A field with another default may be missing from other servers' answers."""
    return [f.encode_name for f in msgspec.structs.fields(shape) if f.default is not UNSET]


def shape_of(path: str) -> Any:
    """The type of a 200 body of an API path (`/api/v1/units/x`), or None when it has none."""
    if not path.startswith(_PREFIX):
        return None
    rest = path[len(_PREFIX) :]
    for pattern, shape in _SHAPES:
        if pattern.fullmatch(rest):
            return shape
    return None
