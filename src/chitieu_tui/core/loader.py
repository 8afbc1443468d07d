"""Validate definitions and progress against the model; messages name the place."""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import Any

import msgspec

from chitieu_tui.core import rules
from chitieu_tui.core.errors import ChitieuError, DataError, ErrorList, Place
from chitieu_tui.core.model import (
    REPORT_TEXT_MAX,
    Approved,
    Closed,
    Definitions,
    Entry,
    Followup,
    Indicator,
    Progress,
    ReportHead,
    Returned,
    clean_report,
)
from chitieu_tui.core.numbers import MAX_MAGNITUDE, Num
from chitieu_tui.core.periods import Period
from chitieu_tui.core.text import clean
from chitieu_tui.core.tomlfile import (
    Converted,
    Locator,
    Uncut,
    array_items,
    parse_toml_text,
    read_toml,
    read_toml_text,
)
from chitieu_tui.i18n import Msg

SCHEMA = 1
MIN_MAGNITUDE = 1e-6
"""Smallest non-zero target or baseline (so that percentages stay finite)."""
ID_RE = re.compile(r"\A[a-z0-9-]+\Z")
"""Ids: ASCII lower-case letters, digits and `-`, nothing after (no trailing newline)."""
YEAR_MIN = 2000
YEAR_MAX = 2100
"""`[unit] year` bounds: a plausible year of targets, four digits as in period names."""
ENTRY_DUE_MAX = 366
"""Largest `[dashboard] entry_due_days`: a year."""
OUTLIER_K_MAX = 100.0
"""Largest `[dashboard] outlier_k` (standard deviations)."""
_PATH_RE = r"\$\.(\w+)(?:\[(\d+)\])?(?:\.(\w+))?(?:\[(\d+)\])?"
"""Where a validation error is (compiled when one is met: re's own cache keeps it)."""
_TYPE_WORDS = {
    "float": "type.float",
    "int": "type.int",
    "str": "type.str",
    "array": "type.array",
    "object": "type.object",
    "bool": "type.bool",
}
"""msgspec's type names and the catalog keys of their words ("a number")."""
_KIND_WORDS = {
    "kind": "choices.kind",
    "report": "choices.report",
    "direction": "choices.direction",
    "aggregate": "choices.aggregate",
    "style": "choices.style",
    "op": "choices.op",
    "importance": "choices.importance",
    "when": "choices.when",
}
"""Fields with a fixed set of values and the catalog keys listing them."""
_TABLE_ITEMS = {
    "indicator": ("item.indicator", "item.indicator_n"),
    "group": ("item.group", "item.group_n"),
    "rule": ("item.rule", "item.rule_n"),
}
"""Array tables and the catalog keys naming one item (by id, by position)."""


def _show(value: Any) -> str | Msg:
    """A short, quoted rendering of a raw value for messages."""
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:40] + "…"
        return '"' + clean(text) + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return Msg("type.object")
    if isinstance(value, list):
        return Msg("type.array")
    return clean(repr(value))[:40]


def _got(value: Any) -> str | Msg:
    """`_show(value)`, or the word for nothing when the key is absent."""
    return Msg("value.nothing") if value is None else _show(value)


def _types(names: list[str]) -> str | Msg:
    """msgspec type names as words: `a number`, `a number or text`."""
    words: list[str | Msg] = [Msg(_TYPE_WORDS[n]) if n in _TYPE_WORDS else n for n in names]
    if not words:
        return Msg("value.nothing")
    joined = words[0]
    for word in words[1:]:
        joined = Msg("type.or", first=joined, second=word)
    return joined


class _Where:
    """Names the place of a key in definitions: line from the locator, words for the message."""

    def __init__(self, data: dict[str, Any], loc: Locator) -> None:
        self.data = data
        self.loc = loc

    def item(self, table: str, index: int | None, detail: Msg) -> tuple[Msg, Place]:
        """`detail` inside its item (`indicator "bhyt": …`, `[unit] …`) and the table's place."""
        if index is None:
            if not table:
                return detail, self.loc.place(table, 0)
            return Msg("err.in_table", table=table, detail=detail), self.loc.place(table, 0)
        items = self.data.get(table)
        ident = None
        if isinstance(items, list) and index < len(items) and isinstance(items[index], dict):
            ident = items[index].get("id")
        by_id, by_number = _TABLE_ITEMS.get(table, ("item.table", "item.table_n"))
        if isinstance(ident, str):
            label = Msg(by_id, table=table, id=clean(ident))
        else:
            label = Msg(by_number, table=table, n=index + 1)
        return Msg("err.in_item", item=label, detail=detail), self.loc.place(table, index)

    def error(
        self, message: Msg, table: str = "", index: int | None = None, key: str | None = None
    ) -> DataError:
        """A DataError at `key` of the `index`-th `table`."""
        msg, place = self.item(table, index, message)
        if key is not None:
            place = self.loc.place(table, index or 0, key)
        return DataError(msg, place)


def _translate(exc: msgspec.ValidationError, where: _Where) -> DataError:
    """Turn a msgspec validation error into words and a place."""
    msg = str(exc)
    table, index, key, item = "", None, None, None
    if " - at `" in msg:
        path_match = re.search(_PATH_RE, msg)
        msg = msg[: msg.rfind(" - at `")]
        if path_match:
            first, idx, second, item = path_match.groups()
            if idx is None and second is None:
                key = first
            else:
                table, key = first, second
                index = int(idx) if idx is not None else None
    container: Any = where.data.get(table) if table else where.data
    if isinstance(container, list) and index is not None and index < len(container):
        container = container[index]
    raw = container.get(key) if isinstance(container, dict) and key is not None else None
    label = key
    if item is not None and isinstance(raw, list) and int(item) < len(raw):
        raw, label = raw[int(item)], f"{key}[{int(item) + 1}]"  # plan[2]: the second number

    unknown = re.match(r"Object contains unknown field `([^`]+)`", msg)
    missing = re.match(r"Object missing required field `([^`]+)`", msg)
    if (unknown or missing) and not table and key in ("unit", "dashboard", "report"):
        table = key  # `$.unit`: the unknown or missing key is inside that table
    expected = re.match(r"Expected `([^`]+)`, got `([^`]+)`", msg)
    text: Msg
    if unknown:
        key = unknown.group(1)
        text = Msg("err.field.unknown", field=clean(key))
    elif missing:
        text = Msg("err.field.missing", field=clean(missing.group(1)))
        key = None
    elif msg.startswith("Invalid enum value") and key in _KIND_WORDS:
        text = Msg("err.field.choice", field=key, choices=Msg(_KIND_WORDS[key]), got=_show(raw))
    elif expected:
        types = [t.strip() for t in expected.group(1).split("|") if t.strip() != "null"]
        shown = _show(raw) if raw is not None else _types([expected.group(2)])
        if label:
            text = Msg("err.field.type", field=label, expected=_types(types), got=shown)
        else:
            text = Msg("err.value.type", expected=_types(types), got=shown)
    else:
        text = Msg("err.field.invalid", field=key) if key else Msg("err.value.invalid")
    if table and index is None:
        return DataError(
            Msg("err.in_table", table=table, detail=text), where.loc.place(table, 0, key)
        )
    return where.error(text, table, index, key)


def _finite(value: float | None) -> bool:
    return value is None or math.isfinite(value)


def _check_indicator(ind: Indicator, i: int, groups: set[str], where: _Where) -> list[DataError]:
    """Rules the types alone do not say."""
    errs: list[DataError] = []

    def err(msg: Msg, key: str | None = None) -> None:
        errs.append(where.error(msg, "indicator", i, key))

    if not ID_RE.fullmatch(ind.id):
        err(Msg("err.field.id_chars", got=_show(ind.id)), "id")
    if ind.group not in groups:
        err(Msg("err.group.unknown", group=clean(ind.group)), "group")
    for key, value in (("target", ind.target), ("baseline", ind.baseline)):
        if not _finite(value):
            err(Msg("err.field.not_finite", field=key, got=str(value)), key)
        elif (
            value is not None and value != 0 and not (MIN_MAGNITUDE <= abs(value) <= MAX_MAGNITUDE)
        ):
            err(Msg("err.field.out_of_range", field=key, got=str(value)), key)
    if ind.kind == "milestone":
        if ind.target is not None:
            err(Msg("err.milestone.no_target"), "target")
        if ind.due is None:
            err(Msg("err.milestone.needs_due"), None)
        elif not Period.is_valid(ind.due):
            err(Msg("err.milestone.due_format", got=_show(ind.due)), "due")
        if ind.direction == "decrease":
            err(Msg("err.milestone.no_direction"), "direction")
        if ind.aggregate in ("sum", "mean"):
            err(Msg("err.aggregate.milestone", got=ind.aggregate), "aggregate")
    else:
        if ind.target is None:
            err(Msg("err.field.missing", field="target"))
        if ind.due is not None:
            err(Msg("err.indicator.due_not_milestone"), "due")
    errs.extend(where.error(m, "indicator", i, k) for m, k in _bound_problems(ind))
    if ind.report == "quarter" and ind.kind != "cumulative":
        err(Msg("err.indicator.report_quarter"), "report")
    if ind.plan is not None:
        if len(ind.plan) != 4:
            err(Msg("err.plan.count", n=len(ind.plan)), "plan")
        elif not all(math.isfinite(p) and abs(p) <= MAX_MAGNITUDE for p in ind.plan):
            err(Msg("err.plan.finite"), "plan")
        elif ind.kind == "milestone":
            err(Msg("err.milestone.no_plan"), "plan")
    if ind.direction == "decrease":
        if ind.baseline is None:
            err(Msg("err.decrease.needs_baseline"), "direction")
        elif ind.target is not None and ind.baseline <= ind.target and _finite(ind.baseline):
            err(Msg("err.decrease.baseline_above"), "baseline")
    elif ind.kind != "milestone" and ind.target == 0:
        err(Msg("err.indicator.target_zero"), "target")
    elif ind.kind != "milestone" and ind.target is not None and ind.target < 0:
        err(Msg("err.indicator.target_negative"), "target")
    return errs


def _plainly_sound(ind: Indicator, groups: set[str]) -> bool:
    """True only when `_check_indicator` would find nothing (the common shapes: no `max`; a
    positive target in range, with or without a baseline in range, a plan of four finite
    numbers, a decrease from a baseline above the target; or a milestone with its due
    quarter and no plan, baseline nor decrease), checked without making a message; anything
    else is left to it."""
    if ind.max is not None or ind.group not in groups or not ID_RE.fullmatch(ind.id):
        return False
    low = ind.min
    if not -MAX_MAGNITUDE <= low <= MAX_MAGNITUDE:  # NaN and infinities fail too
        return False
    if ind.unit.strip() == "%" and low > 100.0:  # `upper` without `max`
        return False
    if ind.report == "quarter" and ind.kind != "cumulative":
        return False
    plan, baseline = ind.plan, ind.baseline
    if ind.kind == "milestone":
        return (
            plan is None
            and baseline is None
            and ind.direction != "decrease"
            and ind.target is None
            and ind.due is not None
            and period_named(ind.due) is not None
            and ind.aggregate not in ("sum", "mean")
        )
    target = ind.target
    if target is None or ind.due is not None or not MIN_MAGNITUDE <= target <= MAX_MAGNITUDE:
        return False
    if baseline is not None and not MIN_MAGNITUDE <= abs(baseline) <= MAX_MAGNITUDE:
        return False
    if ind.direction == "decrease" and (baseline is None or baseline <= target):
        return False
    return plan is None or (
        len(plan) == 4 and all(-MAX_MAGNITUDE <= p <= MAX_MAGNITUDE for p in plan)
    )


_PERIODS: dict[str, Period | None] = {}
"""`period_named`'s answers: the same few period names are read in every unit's files."""
_PERIODS_KEPT = 4096


def period_named(text: str) -> Period | None:
    """`Period.parse(text)` when `Period.is_valid(text)`, else None (remembered)."""
    try:
        return _PERIODS[text]
    except KeyError:
        pass
    found = Period.parse(text) if Period.is_valid(text) else None
    if len(_PERIODS) >= _PERIODS_KEPT:
        _PERIODS.clear()
    _PERIODS[text] = found
    return found


def _bound_problems(ind: Indicator) -> list[tuple[Msg, str]]:
    """What is wrong with `min`, `max` (finite, within 1e15, min ≤ max)."""
    found: list[tuple[Msg, str]] = []
    for key, value in (("min", ind.min), ("max", ind.max)):
        if not _finite(value):
            found.append((Msg("err.field.not_finite", field=key, got=str(value)), key))
        elif value is not None and abs(value) > MAX_MAGNITUDE:
            found.append((Msg("err.field.out_of_range", field=key, got=str(value)), key))
    upper = ind.upper
    if not found and upper is not None and ind.min > upper:
        found.append((Msg("err.bounds.min_above_max", min=Num(ind.min), max=Num(upper)), "min"))
    return found


def value_problem(ind: Indicator, value: float | bool) -> Msg | None:
    """Why a stored value breaks the indicator's bounds (`min`, `max`, `integer`), or None."""
    if ind.kind == "milestone" or isinstance(value, bool):
        return None
    upper = ind.upper
    if value < ind.min:
        return Msg("err.bounds.below_min", value=Num(value), min=Num(ind.min))
    if upper is not None and value > upper:
        return Msg("err.bounds.above_max", value=Num(value), max=Num(upper))
    if ind.integer and not float(value).is_integer():
        return Msg("err.bounds.not_integer", value=Num(value))
    return None


def definitions_from_dict(data: dict[str, Any], loc: Locator) -> Definitions:
    """Validate parsed chitieu.toml data; raise DataError or ErrorList."""
    where = _Where(data, loc)
    if "schema" not in data:
        raise DataError("err.schema.missing", Place(loc.path, 1, 1), schema=SCHEMA)
    if data["schema"] != SCHEMA or isinstance(data["schema"], bool):
        raise where.error(
            Msg("err.schema.wrong", schema=SCHEMA, got=_show(data["schema"])), key="schema"
        )
    try:
        defs = msgspec.convert(data, Definitions)
    except msgspec.ValidationError as exc:
        raise _translate(exc, where) from None
    return _checked_definitions(defs, where)


def _checked_definitions(defs: Definitions, where: _Where) -> Definitions:
    """What the types alone do not say of converted definitions (DataError or ErrorList,
    `where` naming the places), then `cleaned_definitions`."""
    loc = where.loc
    errs: list[DataError] = []
    if not ID_RE.fullmatch(defs.unit.id):
        errs.append(
            where.error(Msg("err.field.id_chars", got=_show(defs.unit.id)), "unit", None, "id")
        )
    year = defs.unit.year
    if not YEAR_MIN <= year <= YEAR_MAX:
        msg = Msg("err.unit.year_range", first=YEAR_MIN, last=YEAR_MAX, got=str(year))
        errs.append(where.error(msg, "unit", None, "year"))
    group_ids: set[str] = set()
    for i, grp in enumerate(defs.groups):
        if not ID_RE.fullmatch(grp.id):
            errs.append(where.error(Msg("err.field.id_chars", got=_show(grp.id)), "group", i, "id"))
        if grp.id in group_ids:
            errs.append(where.error(Msg("err.group.duplicate", id=clean(grp.id)), "group", i, "id"))
        group_ids.add(grp.id)
    seen: set[str] = set()
    for i, ind in enumerate(defs.indicators):
        if ind.id in seen:
            errs.append(
                where.error(Msg("err.indicator.duplicate", id=clean(ind.id)), "indicator", i, "id")
            )
        seen.add(ind.id)
        if not _plainly_sound(ind, group_ids):
            errs.extend(_check_indicator(ind, i, group_ids, where))
    if not defs.indicators:
        errs.append(DataError("err.indicator.none", Place(loc.path)))
    for hid in defs.dashboard.headline:
        if hid not in seen:
            errs.append(
                where.error(
                    Msg("err.headline.unknown", id=clean(hid)),
                    "dashboard",
                    None,
                    "headline",
                )
            )
    if not (math.isfinite(defs.dashboard.refresh_seconds) and defs.dashboard.refresh_seconds > 0):
        errs.append(where.error(Msg("err.dashboard.refresh"), "dashboard", None, "refresh_seconds"))
    if not 0 <= defs.dashboard.entry_due_days <= ENTRY_DUE_MAX:
        msg = Msg("err.dashboard.entry_due_days", last=ENTRY_DUE_MAX)
        errs.append(where.error(msg, "dashboard", None, "entry_due_days"))
    k = defs.dashboard.outlier_k
    if not (math.isfinite(k) and 0 < k <= OUTLIER_K_MAX):
        msg = Msg("err.dashboard.outlier_k", most=Num(OUTLIER_K_MAX), got=str(k))
        errs.append(where.error(msg, "dashboard", None, "outlier_k"))
    if defs.report is not None:
        errs.extend(report_problems(defs.report, loc))
    errs.extend(_rule_problems(defs, where))
    if errs:
        raise errs[0] if len(errs) == 1 else ErrorList(list(errs))
    return cleaned_definitions(defs)


RULE_MESSAGE_MAX = 500
"""Most characters of a rule's `message`."""


def _rule_problems(defs: Definitions, where: _Where) -> list[DataError]:
    """Each `[[rule]]`'s sides read by the safe parser (core/rules.py), every id known and a
    number (not a milestone), a message to show: errors at the file's line and column."""
    errs: list[DataError] = []
    kinds = {ind.id: ind.kind for ind in defs.indicators}
    for i, rule in enumerate(defs.rules):
        for key in ("left", "right"):
            raw = getattr(rule, key)
            try:
                expr = rules.side(raw)
            except rules.ExprError as exc:
                place = where.loc.place("rule", i, key)  # asked only for a message: a
                # valid file's lines are never indexed (`Locator.scan`)
                msg, _ = where.item("rule", i, Msg("err.rule.side", side=key, detail=exc.msg))
                at = where.loc.within(place, raw, exc.offset) if isinstance(raw, str) else place
                errs.append(DataError(msg, at))
                continue
            for ident in rules.ids_of(expr):
                kind = kinds.get(ident)
                if kind is not None and kind != "milestone":
                    continue
                key_word = "err.rule.unknown_id" if kind is None else "err.rule.milestone"
                detail = Msg(key_word, side=key, id=clean(ident))
                msg, _ = where.item("rule", i, detail)
                at = place = where.loc.place("rule", i, key)
                if isinstance(raw, str):
                    at = where.loc.within(place, raw, rules.offset_of(raw, ident))
                errs.append(DataError(msg, at))
        if not rule.message.strip():
            errs.append(where.error(Msg("err.rule.no_message"), "rule", i, "message"))
        elif len(rule.message) > RULE_MESSAGE_MAX:
            msg = Msg("err.report.too_long", field="message", most=RULE_MESSAGE_MAX)
            errs.append(where.error(msg, "rule", i, "message"))
    return errs


REPORT_RECIPIENTS_MAX = 30
"""The most recipients (Nơi nhận) `[report]` may list."""


def report_problems(head: ReportHead, loc: Locator) -> list[DataError]:
    """What the types alone do not say of `[report]`: texts at most REPORT_TEXT_MAX
    characters, at most REPORT_RECIPIENTS_MAX recipients (chitieu.toml and collection.toml)."""
    errs: list[DataError] = []
    for key in ("parent", "issuer", "symbol", "place", "signer_authority", "signer_title"):
        if len(getattr(head, key)) > REPORT_TEXT_MAX:
            msg = Msg("err.report.too_long", field=key, most=REPORT_TEXT_MAX)
            errs.append(
                DataError(
                    Msg("err.in_table", table="report", detail=msg), loc.place("report", 0, key)
                )
            )
    if len(head.signer_name) > REPORT_TEXT_MAX:
        msg = Msg("err.report.too_long", field="signer_name", most=REPORT_TEXT_MAX)
        place = loc.place("report", 0, "signer_name")
        errs.append(DataError(Msg("err.in_table", table="report", detail=msg), place))
    if len(head.recipients) > REPORT_RECIPIENTS_MAX or any(
        len(r) > REPORT_TEXT_MAX for r in head.recipients
    ):
        msg = Msg("err.report.recipients", most=REPORT_RECIPIENTS_MAX, chars=REPORT_TEXT_MAX)
        place = loc.place("report", 0, "recipients")
        errs.append(DataError(Msg("err.in_table", table="report", detail=msg), place))
    return errs


def _cleaned_indicator(ind: Indicator, shared: dict[str, str]) -> Indicator:
    """The indicator with its display strings cleaned, and the strings that repeat from one
    indicator to the next (field, unit, owner, due quarter) shared through `shared`: one
    object for the owner named by 50,000 indicators, not one each. Itself when nothing
    changes."""
    name, unit, owner, note, basis = ind.name, ind.unit, ind.owner, ind.note, ind.basis
    if not f"{name}{unit}{owner}{note}{basis}".isprintable():  # else `clean` keeps each
        name, unit, owner = clean(name), clean(unit), clean(owner)
        note, basis = clean(note, multiline=True), clean(basis)
    group = shared.setdefault(ind.group, ind.group)
    unit, owner = shared.setdefault(unit, unit), shared.setdefault(owner, owner)
    due = ind.due if ind.due is None else shared.setdefault(ind.due, ind.due)
    if (
        name is ind.name
        and unit is ind.unit
        and owner is ind.owner
        and note is ind.note
        and basis is ind.basis
        and group is ind.group
        and due is ind.due
    ):
        return ind
    return msgspec.structs.replace(
        ind, name=name, unit=unit, owner=owner, note=note, basis=basis, group=group, due=due
    )


def cleaned_definitions(defs: Definitions) -> Definitions:
    """Strip control characters from every display string, and share the strings that
    repeat from one indicator to the next (`_cleaned_indicator`; also for definitions
    decoded from the parse cache, which are clean already)."""
    shared: dict[str, str] = {}
    return msgspec.structs.replace(
        defs,
        report=clean_report(defs.report) if defs.report is not None else None,
        unit=msgspec.structs.replace(defs.unit, name=clean(defs.unit.name)),
        rules=[msgspec.structs.replace(r, message=clean(r.message)) for r in defs.rules],
        groups=[msgspec.structs.replace(g, name=clean(g.name)) for g in defs.groups],
        indicators=[_cleaned_indicator(ind, shared) for ind in defs.indicators],
    )


PIECES_FROM = 100_000
"""From this many characters of chitieu.toml (about 550 indicators of `benchmarks/gen.py`)
it is parsed and converted a piece at a time (`PIECE_CHARS`) (`_definitions_in_pieces`):
the whole file's dict (90–111 MiB at 50,000 indicators by tomli, 185–286 MiB by rtoml) is
never held, and the read is faster too (0.41 against 0.48 CPU s at 50,000, 0.035 against
0.045 at 5,000: BENCHMARKS.md, "Issue 23, ninth session"). A small unit's (the country's
40 indicators) is read whole: one parse."""
PIECE_CHARS = 90_000
"""Characters of chitieu.toml parsed and converted at a time (cut before the first
`[[indicator]]` after them: about 500 indicators of `benchmarks/gen.py`, 320 made from the
sample; found by a few searches, not one per indicator)."""


def load_definitions(path: Path, shown: str | None = None) -> Definitions:
    """Read and validate chitieu.toml (a large one piece by piece: `_definitions_in_pieces`;
    whole when that is not proved the same, or anything is wrong: its messages are the whole
    file's)."""
    where = shown or str(path)
    text = read_toml_text(path, shown)
    if len(text) >= PIECES_FROM:
        malloc_threshold_fixed()
        defs = _definitions_in_pieces(text, where)
        if defs is not None:
            return defs
    return definitions_from_dict(parse_toml_text(text, where), Locator.scan(where, text))


MMAP_THRESHOLD = 1024 * 1024
"""Blocks this large or larger are mapped apart by glibc's malloc, and given back to the
system when freed (its default starts at 128 KiB and rises: `malloc_threshold_fixed`; at
128 KiB the many tables of 128 KiB–1 MiB a read makes cost their page faults each time,
+0.05–0.1 s of system time at 50,000 indicators, for 0–2 MiB less)."""
_malloc_fixed = False


def malloc_threshold_fixed() -> None:
    """Keep glibc's malloc from raising its mmap threshold, once per process (a large unit
    is being read). By default it raises it to the size of any mapped block freed (the raw
    bytes of a large chitieu.toml: 9-14 MB), after which the large blocks a read makes and
    frees (each progress file's text and tables, each piece's) come from the heap and are
    not given back: the first frame of 50,000 indicators (`gen.py`) peaked at 144 or 162 MiB
    from one run to the next; with the threshold held at `MMAP_THRESHOLD`, 140 MiB every run
    (sample-made: 142 → 126 MiB; BENCHMARKS.md, "Issue 23, ninth session"). Nothing where
    there is no glibc `mallopt`."""
    global _malloc_fixed
    if _malloc_fixed:
        return
    _malloc_fixed = True
    try:
        import ctypes  # lazy: only a large unit's read, and only on glibc

        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError, ImportError, TypeError):  # no C library by that name
        return
    mallopt(-3, MMAP_THRESHOLD)  # M_MMAP_THRESHOLD: set, so no longer adjusted


def _definitions_in_pieces(text: str, where: str) -> Definitions | None:
    """chitieu.toml's text parsed and converted a piece (`PIECE_CHARS`) at a time
    (`tomlfile.array_items`: equal to the whole file's parse, or not cut), then checked as
    `definitions_from_dict` checks the whole: the same definitions, with at most one piece's
    dict held. None when anything is off (not cut, a piece that does not convert, any
    problem found): the whole file is read and says it, at its place."""
    rest: dict[str, Any] = {}
    indicators: list[Indicator] = []
    try:
        for items in array_items(text, "indicator", PIECE_CHARS, rest):
            if isinstance(items, Converted):  # by the worker that parsed it (coldunit.py)
                indicators.extend(items)
            else:
                indicators.extend(msgspec.convert(items, list[Indicator]))
            del items
        if rest.get("schema") != SCHEMA or isinstance(rest.get("schema"), bool):
            return None
        defs = msgspec.convert(rest, Definitions)
    except (Uncut, msgspec.ValidationError):
        return None
    defs = msgspec.structs.replace(defs, indicators=indicators)
    del indicators
    try:
        return _checked_definitions(defs, _Where(rest, Locator(where)))
    except ChitieuError:
        return None


def load_year_definitions(
    path: Path, year: int, unit_id: str, shown: str | None = None
) -> Definitions:
    """Read `years/<year>.toml`: chitieu.toml's schema, for `year`, of the unit `unit_id`."""
    where = shown or str(path)
    data, text = read_toml(path, shown)
    loc = Locator.scan(where, text)
    defs = definitions_from_dict(data, loc)
    place = _Where(data, loc)
    if defs.unit.year != year:
        msg = Msg("err.years.year", year=year, got=str(defs.unit.year))
        raise place.error(msg, "unit", None, "year")
    if defs.unit.id != unit_id:
        msg = Msg("err.years.unit", unit=unit_id, got=_show(defs.unit.id))
        raise place.error(msg, "unit", None, "id")
    return defs


VALUE_KEYS = ("value", "note", "by", "at", "cause", "remedy", "followup")
"""The keys of a value's inline table (docs/formats.md)."""
_TEXT_KEYS = ("note", "by", "cause", "remedy")


def _entry(ind: Indicator | None, raw: Any) -> Entry | Msg:
    """An Entry, or the message of what is wrong with `raw`."""
    texts = {k: "" for k in _TEXT_KEYS}
    at: dt.datetime | None = None
    mark: Followup | None = None
    if isinstance(raw, dict):
        extra = set(raw) - set(VALUE_KEYS)
        if extra:
            return Msg("err.value_table.unknown_key", field=clean(sorted(extra)[0]))
        if "value" not in raw:
            return Msg("err.value_table.no_value")
        for key in _TEXT_KEYS:
            text = raw.get(key, "")
            if not isinstance(text, str):
                if key == "note":
                    return Msg("err.value.note_text", got=_show(text))
                return Msg("err.value.field_text", field=key, got=_show(text))
            texts[key] = clean(text, multiline=key != "by")
        at_raw = raw.get("at")
        if at_raw is not None:
            if not isinstance(at_raw, dt.datetime):
                return Msg("err.value.at_datetime", field="at", got=_show(at_raw))
            at = at_raw
        if "followup" in raw:
            from chitieu_tui.core import outliers  # lazy: only for a value with a follow-up

            found = outliers.followup_from_raw(raw["followup"])
            if isinstance(found, Msg):
                return found
            mark = found
        raw = raw["value"]
    note, by, cause, remedy = texts["note"], texts["by"], texts["cause"], texts["remedy"]
    if ind is not None and ind.kind == "milestone":
        if not isinstance(raw, bool):
            return Msg("err.value.milestone", got=_show(raw))
        return Entry(raw, note, by=by, at=at, cause=cause, remedy=remedy, followup=mark)
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        return Msg("err.value.not_number", got=_show(raw))
    if not math.isfinite(raw):
        return Msg("err.value.not_finite", got=str(raw))
    if abs(raw) > MAX_MAGNITUDE:
        return Msg("err.value.too_large")
    return Entry(float(raw), note, by=by, at=at, cause=cause, remedy=remedy, followup=mark)


def _approved_from_raw(raw: Any) -> Approved | Msg:
    """`[closed].approved` (`at`, `by` required; `note`, `digest` optional text)."""
    if not isinstance(raw, dict):
        return Msg("err.closed.approved_table", got=_show(raw))
    extra = set(raw) - {"at", "by", "note", "digest"}
    if extra:
        return Msg("err.closed.approved_key", field=clean(sorted(extra)[0]))
    at = raw.get("at")
    if not isinstance(at, dt.datetime):
        return Msg("err.value.at_datetime", field="approved.at", got=_got(at))
    if not isinstance(raw.get("by"), str):
        return Msg("err.value.field_text", field="approved.by", got=_got(raw.get("by")))
    for key in ("note", "digest"):
        if not isinstance(raw.get(key, ""), str):
            return Msg("err.value.field_text", field=f"approved.{key}", got=_got(raw.get(key)))
    return Approved(
        at,
        clean(raw["by"]),
        clean(raw.get("note", ""), multiline=True),
        clean(raw.get("digest", "")),
    )


def closed_from_raw(raw: Any) -> Closed | Msg:
    """`[closed]` (`at`, `by`, `reason`; optional `digest` and `approved`), or the message
    of what is wrong with it."""
    if not isinstance(raw, dict):
        return Msg("err.closed.table", got=_show(raw))
    extra = set(raw) - {"at", "by", "reason", "digest", "approved"}
    if extra:
        return Msg("err.closed.unknown_key", field=clean(sorted(extra)[0]))
    at = raw.get("at")
    if not isinstance(at, dt.datetime):
        return Msg("err.value.at_datetime", field="at", got=_got(at))
    for key in ("by", "reason"):
        if not isinstance(raw.get(key), str):
            return Msg("err.value.field_text", field=key, got=_got(raw.get(key)))
    if not isinstance(raw.get("digest", ""), str):
        return Msg("err.value.field_text", field="digest", got=_got(raw.get("digest")))
    approved: Approved | None = None
    if "approved" in raw:
        found = _approved_from_raw(raw["approved"])
        if isinstance(found, Msg):
            return found
        approved = found
    return Closed(
        at,
        clean(raw["by"]),
        clean(raw["reason"], multiline=True),
        clean(raw.get("digest", "")),
        approved,
    )


def returned_from_raw(raw: Any) -> Returned | Msg:
    """`[returned]` (`at`, `by`, `reason`, all required; nothing else), or the message of
    what is wrong with it."""
    if not isinstance(raw, dict):
        return Msg("err.returned.table", got=_show(raw))
    extra = set(raw) - {"at", "by", "reason"}
    if extra:
        return Msg("err.returned.unknown_key", field=clean(sorted(extra)[0]))
    at = raw.get("at")
    if not isinstance(at, dt.datetime):
        return Msg("err.value.at_datetime", field="at", got=_got(at))
    for key in ("by", "reason"):
        if not isinstance(raw.get(key), str):
            return Msg("err.value.field_text", field=key, got=_got(raw.get(key)))
    return Returned(at, clean(raw["by"]), clean(raw["reason"], multiline=True))


def progress_from_dict(
    data: dict[str, Any],
    defs: Definitions,
    loc: Locator,
    *,
    expect_period: Period | None = None,
    source: str = "",
) -> tuple[Progress, list[ChitieuError]]:
    """Validate parsed progress data; return it with warnings (unknown ids)."""
    where = _Where(data, loc)
    errs: list[DataError] = []
    warnings: list[ChitieuError] = []
    for key in data:
        if key not in _PROGRESS_KEYS:
            errs.append(where.error(Msg("err.field.unknown", field=clean(key)), key=key))
    if "schema" in data and (data["schema"] != SCHEMA or isinstance(data["schema"], bool)):
        errs.append(
            where.error(
                Msg("err.schema.wrong", schema=SCHEMA, got=_show(data["schema"])), key="schema"
            )
        )
    unit = data.get("unit")
    if unit != defs.unit.id:
        errs.append(
            where.error(Msg("err.progress.unit", unit=defs.unit.id, got=_got(unit)), key="unit")
        )
    raw_period = data.get("period")
    period: Period | None = None
    if not isinstance(raw_period, str) or period_named(raw_period) is None:
        problem = Period.problem(raw_period) if isinstance(raw_period, str) else None
        if problem is None or problem.key != "err.period.year_range":
            problem = Msg("err.period.format", got=_got(raw_period))
        errs.append(where.error(problem, key="period"))
    else:
        period = period_named(raw_period)
        if expect_period is not None and period != expect_period:
            errs.append(
                where.error(
                    Msg("err.period.file_name", period=str(period), expected=str(expect_period)),
                    key="period",
                )
            )
    as_of_raw = data.get("as_of")
    as_of: dt.date | None = None
    if isinstance(as_of_raw, dt.datetime):
        as_of = as_of_raw.date()
    elif isinstance(as_of_raw, dt.date):
        as_of = as_of_raw
    elif isinstance(as_of_raw, str):
        try:
            as_of = dt.date.fromisoformat(as_of_raw)
        except ValueError:
            errs.append(where.error(Msg("err.progress.as_of", got=_show(as_of_raw)), key="as_of"))
    elif as_of_raw is not None:
        errs.append(where.error(Msg("err.progress.as_of", got=_show(as_of_raw)), key="as_of"))
    chain = data.get("chain", "")
    if not isinstance(chain, str):
        errs.append(
            where.error(Msg("err.value.field_text", field="chain", got=_got(chain)), key="chain")
        )
        chain = ""
    closed: Closed | None = None
    if "closed" in data:
        found = closed_from_raw(data["closed"])
        if isinstance(found, Msg):
            errs.append(
                DataError(Msg("err.in_table", table="closed", detail=found), loc.place("closed"))
            )
        else:
            closed = found
    returned: Returned | None = None
    if "returned" in data:
        back = returned_from_raw(data["returned"])
        if isinstance(back, Msg):
            errs.append(
                DataError(Msg("err.in_table", table="returned", detail=back), loc.place("returned"))
            )
        else:
            returned = back
    raw_values = data.get("values", {})
    values: dict[str, Entry] = {}
    if not isinstance(raw_values, dict):
        errs.append(where.error(Msg("err.progress.values", got=_show(raw_values)), key="values"))
        raw_values = {}
    index = _value_index(defs)
    for key, raw in raw_values.items():
        bounds = index.get(key)
        if bounds is None:
            warnings.append(
                ChitieuError(
                    "err.progress.unknown_indicator",
                    loc.place("values", 0, key),
                    id=clean(key),
                )
            )
            continue
        ind, milestone, low, high, integer = bounds
        kind = type(raw)
        if milestone:
            if kind is bool:  # as `_entry` makes it (no table, nothing to check); one each
                values[ind.id] = _DONE if raw else _NOT_DONE
                continue
        elif (kind is float or kind is int) and -MAX_MAGNITUDE <= raw <= MAX_MAGNITUDE:
            value = float(raw)  # finite and in range (NaN fails the comparison): `_entry`'s
            values[ind.id] = Entry(value)
            if low <= value and (high is None or value <= high):
                if not integer or value.is_integer():
                    continue
            problem = value_problem(ind, value)
            if problem is not None:
                item = Msg("item.indicator", id=clean(key))
                warnings.append(
                    ChitieuError(
                        Msg("err.in_item", item=item, detail=problem), loc.place("values", 0, key)
                    )
                )
            continue
        entry = _entry(ind, raw)
        if isinstance(entry, Msg):
            item = Msg("item.indicator", id=clean(key))
            msg = Msg("err.in_item", item=item, detail=entry)
            errs.append(DataError(msg, loc.place("values", 0, key)))
        else:
            values[ind.id] = entry  # the definitions' own string: tomli's copy let go
            problem = value_problem(ind, entry.value)
            if problem is not None:
                item = Msg("item.indicator", id=clean(key))
                warnings.append(
                    ChitieuError(
                        Msg("err.in_item", item=item, detail=problem), loc.place("values", 0, key)
                    )
                )
    if errs:
        raise errs[0] if len(errs) == 1 else ErrorList(list(errs))
    assert period is not None
    progress = Progress(
        defs.unit.id,
        period,
        as_of,
        values,
        source,
        closed=closed,
        chain=clean(chain),
        returned=returned,
    )
    return progress, warnings


_PROGRESS_KEYS = frozenset(
    ("schema", "unit", "period", "as_of", "values", "closed", "chain", "returned")
)
_DONE, _NOT_DONE = Entry(True), Entry(False)
"""A milestone's value written as a plain `true` or `false`: immutable, shared."""
_INDEXES: dict[int, tuple[Definitions, dict[str, _Bounds]]] = {}
"""`_value_index` of recent definitions, by identity (a unit's quarters share them)."""
_INDEXES_KEPT = 8
_Bounds = tuple[Indicator, bool, float, float | None, bool]


def forget_indexes() -> None:
    """Let go of the value indexes kept for the definitions read lately (a unit opened
    alone, once its load is done: at 50,000 indicators 50,000 ids and bounds, about 7 MiB,
    that a second open, from the parse cache, never makes; its next read makes them again)."""
    _INDEXES.clear()


def _value_index(defs: Definitions) -> dict[str, _Bounds]:
    """Each indicator by id with what a value is checked against: (the indicator, whether
    it is a milestone, `min`, `upper`, `integer`)."""
    hit = _INDEXES.get(id(defs))
    if hit is not None and hit[0] is defs:
        return hit[1]
    index = {
        ind.id: (ind, ind.kind == "milestone", ind.min, ind.upper, ind.integer)
        for ind in defs.indicators
    }
    if len(_INDEXES) >= _INDEXES_KEPT:
        _INDEXES.pop(next(iter(_INDEXES), -1), None)  # emptied meanwhile: nothing
    _INDEXES[id(defs)] = (defs, index)
    return index


def load_progress(
    path: Path, defs: Definitions, shown: str | None = None, source: str = ""
) -> tuple[Progress, list[ChitieuError]]:
    """Read and validate one progress file named `<period>.toml`."""
    data, text = read_toml(path, shown)
    expect = period_named(path.stem)
    where = shown or str(path)
    if expect is None:
        raise DataError("err.progress.file_name", Place(where))
    return progress_from_dict(
        data, defs, Locator.scan(where, text), expect_period=expect, source=source
    )


def validation_error(exc: msgspec.ValidationError, data: dict[str, Any], loc: Locator) -> DataError:
    """A msgspec validation error of any strict TOML document, in words, at its place."""
    return _translate(exc, _Where(data, loc))
