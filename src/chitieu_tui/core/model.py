"""The typed model: definitions (chitieu.toml) and progress, declared once, strictly."""

# No `from __future__ import annotations` here: msgspec reads the Structs' annotations
# as objects; as strings it compiles and evaluates each one when a type is first decoded
# (0.5 ms of every start: BENCHMARKS.md, "Issue 23, eighth session: start-up").

import datetime as dt
from dataclasses import field
from typing import Any, Literal

import msgspec

from chitieu_tui.core.errors import EntryError
from chitieu_tui.core.numbers import Num
from chitieu_tui.core.periods import Period
from chitieu_tui.core.records import FACTORY, frozen, frozen_dict
from chitieu_tui.core.text import clean
from chitieu_tui.i18n import Msg

Kind = Literal["cumulative", "level", "milestone"]
Report = Literal["ytd", "quarter"]
Direction = Literal["increase", "decrease"]
Aggregate = Literal["sum", "mean", "none"]
Style = Literal["party", "state"]
RuleOp = Literal["<=", "<", "==", "!=", ">=", ">", "both"]
Importance = Literal["high", "medium", "low"]
RuleWhen = Literal["filled", "always"]


class UnitInfo(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """The ward or commune the targets belong to."""

    id: str
    """Short id, e.g. `my-thoi`; matches progress files' `unit`."""
    name: str
    """Display name, e.g. `Phường Mỹ Thới`."""
    year: int
    """The year the annual targets are for."""


class Dashboard(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """What the dashboard shows first."""

    headline: list[str] = msgspec.field(default_factory=list)
    """Indicator ids of the headline cards, in order (four fit at 80 columns)."""
    refresh_seconds: float = 30.0
    """Polling interval of the API source, in seconds."""
    entry_due_days: int = 15
    """Days after a quarter ends by which every value should be in; after them,
    `chitieu alerts` lists the indicators still without one."""
    outlier_k: float = 3.0
    """A quarterly value further than this many standard deviations from the mean of the
    unit's own earlier quarters is an outlier (core/outliers.py)."""


class ReportHead(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """`[report]` of chitieu.toml or collection.toml: who files the report, in which legal
    layout (DESIGN section 14). What is not given is printed as a dotted blank."""

    style: Style = "state"
    """`party` (Guide 36-HD/VPTW: a party committee) or `state` (Decree 30/2020/NĐ-CP)."""
    parent: str = ""
    """The body above the issuer (`ĐẢNG BỘ TỈNH AN GIANG`)."""
    issuer: str = ""
    """The issuing body (`ĐẢNG ỦY PHƯỜNG MỸ THỚI`)."""
    symbol: str = ""
    """The document's symbol (`BC/ĐU`); the number is left for the clerk."""
    place: str = ""
    """The place in the date line (`Mỹ Thới`)."""
    signer_authority: str = ""
    """On whose behalf the signer signs (`T/M ĐẢNG ỦY`)."""
    signer_title: str = ""
    """The signer's office (`BÍ THƯ`)."""
    signer_name: str = ""
    """The signer's name."""
    recipients: list[str] = msgspec.field(default_factory=list)
    """Nơi nhận: who receives a copy, in order."""


REPORT_TEXT_MAX = 200
"""The longest text of `[report]` (a name, a title or one recipient)."""


def clean_report(head: ReportHead) -> ReportHead:
    """`[report]` with control characters removed from every text."""
    texts = {
        key: clean(getattr(head, key))
        for key in ("parent", "issuer", "symbol", "place", "signer_authority", "signer_title")
    }
    return msgspec.structs.replace(
        head,
        **texts,
        signer_name=clean(head.signer_name),
        recipients=[clean(r) for r in head.recipients],
    )


class Group(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """A field (lĩnh vực) that indicators belong to."""

    id: str
    """Short id, `[a-z0-9-]+`."""
    name: str
    """Display name, e.g. `Kinh tế`."""


class Indicator(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """One target of the year (chỉ tiêu)."""

    id: str
    """Short id, `[a-z0-9-]+`, unique."""
    group: str
    """The id of the `[[group]]` it belongs to."""
    name: str
    """Display name."""
    kind: Kind
    """cumulative (adds up over the year), level (a rate or stock), milestone (done or not)."""
    unit: str = ""
    """Unit of measure, free text (`tỉ đồng`, `%`)."""
    report: Report = "ytd"
    """cumulative only: values are year-to-date (`ytd`) or per quarter (`quarter`)."""
    direction: Direction = "increase"
    """increase: more is better; decrease: less is better (needs `baseline`)."""
    target: float | None = None
    """The annual target; absent for milestones."""
    plan: list[float] | None = None
    """Expected value at the end of Q1..Q4 (four numbers)."""
    baseline: float | None = None
    """Starting value; required for `decrease`."""
    min: float = 0.0
    """The smallest value that can be entered (default 0; set it below 0 to allow negatives)."""
    max: float | None = None
    """The largest value that can be entered (default: 100 when `unit` is `%`, else none)."""
    integer: bool = False
    """True for counts (people, organisations, businesses): `6,5` is refused."""
    due: str | None = None
    """milestone only: the quarter it must be done by, e.g. `2026-Q2`."""
    owner: str = ""
    """Who answers for it (rõ người)."""
    note: str = ""
    """Free text."""
    basis: str = ""
    """The decision or resolution that set the target (e.g. `Nghị quyết số 05-NQ/ĐU`);
    empty when none is named."""
    aggregate: Aggregate | None = None
    """How a collection's totals row adds this indicator up across units: `sum` (values and
    targets added), `mean` (averaged) or `none`; absent: cumulative → sum, level with unit
    `%` → mean, else none (`aggregate_of`). Not sum or mean for a milestone."""

    @property
    def upper(self) -> float | None:
        """The effective `max`: as declared, else 100 for a `%` unit, else None."""
        if self.max is not None:
            return self.max
        return 100.0 if self.unit.strip() == "%" else None


def aggregate_of(ind: Indicator) -> Aggregate:
    """The indicator's `aggregate`, or its default (docs/rollup.md)."""
    if ind.aggregate is not None:
        return ind.aggregate
    if ind.kind == "cumulative":
        return "sum"
    if ind.kind == "level" and ind.unit.strip() == "%":
        return "mean"
    return "none"


class Rule(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """A rule between figures (`[[rule]]`, DESIGN section 15, core/rules.py)."""

    left: str | float
    """An indicator id, a number, or an expression of ids and numbers with `+ - * /`."""
    right: str | float
    """The other side, as `left`."""
    op: RuleOp
    """How the sides compare; `both`: both sides filled or neither."""
    message: str
    """What an official should check when the rule is broken."""
    importance: Importance = "medium"
    """high: a write that breaks it is refused; medium and low: written and listed."""
    when: RuleWhen = "filled"
    """filled: skipped while a side has no value; always: a missing value counts as 0."""


class Definitions(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """The whole of chitieu.toml."""

    schema: int
    """File format version; this version reads 1."""
    unit: UnitInfo
    """The ward or commune."""
    groups: list[Group] = msgspec.field(name="group")
    """The fields, in display order."""
    indicators: list[Indicator] = msgspec.field(name="indicator")
    """The targets, in display order."""
    dashboard: Dashboard = msgspec.field(default_factory=Dashboard)
    """Headline cards and refresh interval."""
    report: ReportHead | None = None
    """Who files the report and in which layout (`[report]`); None: not given."""
    rules: list[Rule] = msgspec.field(name="rule", default_factory=list)
    """Rules between figures (`[[rule]]`), in order."""

    def indicator(self, indicator_id: str) -> Indicator | None:
        """The indicator with this id, or None."""
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        return None

    def group_name(self, group_id: str) -> str:
        """The display name of a group (its id when unknown)."""
        for grp in self.groups:
            if grp.id == group_id:
                return grp.name
        return group_id


@frozen
class Followup:
    """A value marked for follow-up (`followup` of a value, core/outliers.py): why (`outlier`,
    `ytd_drop`), and the numbers it was judged by."""

    why: tuple[str, ...]
    mean: float | None = None
    """The mean of the earlier quarterly values (an outlier)."""
    sd: float | None = None
    """Their population standard deviation (an outlier)."""
    k: float | None = None
    """How many standard deviations were allowed (an outlier)."""
    count: int | None = None
    """How many earlier quarters the mean is of (an outlier)."""
    before: float | None = None
    """The previous quarter's year to date (a ytd drop)."""
    quarterly: float | None = None
    """The quarter's own figure judged, when it is not the value entered (a year-to-date
    cumulative: the quarter's increase)."""

    def __init__(
        self,
        why: tuple[str, ...],
        mean: float | None = None,
        sd: float | None = None,
        k: float | None = None,
        count: int | None = None,
        before: float | None = None,
        quarterly: float | None = None,
    ) -> None:
        object.__setattr__(self, "why", why)
        object.__setattr__(self, "mean", mean)
        object.__setattr__(self, "sd", sd)
        object.__setattr__(self, "k", k)
        object.__setattr__(self, "count", count)
        object.__setattr__(self, "before", before)
        object.__setattr__(self, "quarterly", quarterly)


class Entry(msgspec.Struct, frozen=True, gc=False, array_like=True):
    """One reported value: a number, or a bool for a milestone, with an optional note.
    A Struct the collector does not track (it holds no containers): a large unit makes
    hundreds of thousands, each ten times cheaper than a slotted frozen dataclass. Encoded
    (the parse cache) as an array of its fields in order: 16 bytes for a plain value."""

    value: float | bool
    note: str = ""
    by: str = ""
    """Who entered it (`by`), when the app wrote it."""
    at: dt.datetime | None = None
    """When it was entered (local time with offset), when the app wrote it."""
    cause: str = ""
    """Why it is behind (nguyên nhân)."""
    remedy: str = ""
    """What is done about it (giải pháp)."""
    followup: Followup | None = None
    """The follow-up mark of a value out of line with the unit's history (None: none)."""


TEXT_MAX = 2000
"""Most characters of a value's note, cause or remedy, and of a close reason, when written."""
BY_MAX = 200
"""Most characters of who writes (`by`)."""
_FIELD_WORDS = {
    "note": "entry.field.note",
    "cause": "entry.field.cause",
    "remedy": "entry.field.remedy",
    "reason": "entry.field.reason",
    "by": "entry.field.by",
}


def check_lengths(**texts: str | None) -> None:
    """EntryError naming the field and its cap when a text to be written is too long (`by`:
    BY_MAX; `note`, `cause`, `remedy`, `reason`: TEXT_MAX). None (kept as it is) passes.
    Every write (set, the forms, import, close) checks here, before anything is written."""
    for name, text in texts.items():
        limit = BY_MAX if name == "by" else TEXT_MAX
        if text is not None and len(text) > limit:
            field_name = Msg(_FIELD_WORDS[name])
            raise EntryError(
                "err.entry.text_long", field=field_name, max=Num(limit), count=Num(len(text))
            )


@frozen
class Approved:
    """A closed quarter approved by the level above (`[closed].approved`)."""

    at: dt.datetime
    by: str
    note: str = ""
    digest: str = ""
    """`quarter_digest` of the values approved (core/chain.py); empty when not recorded."""

    def __init__(self, at: dt.datetime, by: str, note: str = "", digest: str = "") -> None:
        object.__setattr__(self, "at", at)
        object.__setattr__(self, "by", by)
        object.__setattr__(self, "note", note)
        object.__setattr__(self, "digest", digest)


@frozen
class Closed:
    """A closed quarter (chốt số liệu): when, by whom, why."""

    at: dt.datetime
    by: str
    reason: str
    digest: str = ""
    """`quarter_digest` of the values when it was closed; empty when not recorded."""
    approved: Approved | None = None

    def __init__(
        self,
        at: dt.datetime,
        by: str,
        reason: str,
        digest: str = "",
        approved: Approved | None = None,
    ) -> None:
        object.__setattr__(self, "at", at)
        object.__setattr__(self, "by", by)
        object.__setattr__(self, "reason", reason)
        object.__setattr__(self, "digest", digest)
        object.__setattr__(self, "approved", approved)


@frozen
class Returned:
    """A quarter sent back by the level above (`[returned]`): when, by whom, why. Cleared by
    the next close."""

    at: dt.datetime
    by: str
    reason: str

    def __init__(self, at: dt.datetime, by: str, reason: str) -> None:
        object.__setattr__(self, "at", at)
        object.__setattr__(self, "by", by)
        object.__setattr__(self, "reason", reason)


@frozen_dict
class Progress:
    """The values reported for one unit and one period."""

    unit: str
    period: Period
    as_of: dt.date | None
    values: dict[str, Entry] = field(default_factory=dict)
    source: str = ""
    """Where it came from: `file:progress/2026-Q1.toml`, `api:<url>` or `snapshot:<path>`."""
    modified: dt.datetime | None = None
    """When the file was last changed (UTC), when known."""
    closed: Closed | None = None
    """Set when the quarter is closed (`[closed]`): no value can be entered then."""
    chain: str = ""
    """The hash of the journal's last entry when the app last wrote the file (`chain`)."""
    returned: Returned | None = None
    """Set when the level above sent the quarter back (`[returned]`) and it is not closed
    again yet."""
    tamper: str | None = None
    """For a quarter read over the API: the mark the server computed from its files
    (`after_approval`, `hand_after_close`, or "" for none; core/chain.py `tamper_mark`).
    None: computed here from the digests `[closed]` records."""

    def __init__(
        self,
        unit: str,
        period: Period,
        as_of: dt.date | None,
        values: dict[str, Entry] = FACTORY,
        source: str = "",
        modified: dt.datetime | None = None,
        closed: Closed | None = None,
        chain: str = "",
        returned: Returned | None = None,
        tamper: str | None = None,
    ) -> None:
        object.__setattr__(self, "unit", unit)
        object.__setattr__(self, "period", period)
        object.__setattr__(self, "as_of", as_of)
        object.__setattr__(self, "values", {} if values is FACTORY else values)
        object.__setattr__(self, "source", source)
        object.__setattr__(self, "modified", modified)
        object.__setattr__(self, "closed", closed)
        object.__setattr__(self, "chain", chain)
        object.__setattr__(self, "returned", returned)
        object.__setattr__(self, "tamper", tamper)


def drop_none(obj: Any) -> Any:
    """Leave out absent optional fields (TOML has no null; the API sends none)."""
    if isinstance(obj, dict):
        return {k: drop_none(v) for k, v in obj.items() if v is not None}
    if isinstance(obj, list):
        return [drop_none(v) for v in obj]
    return obj
