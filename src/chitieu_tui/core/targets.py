"""Targets handed down (DESIGN 13): `targets/<year>.toml` of a collection, read strictly.

The province assigns targets to its units (`[[indicator]]` with `id`, the province's own
`target`, the `basis` that assigns it and `units = { my-thoi = 232.73, … }`); each unit
adopts its own in its definitions. This module reads the file against the collection's
units, and finds what `chitieu check` says about the two (giao thiếu, a unit that adopted
less than assigned or lacks the indicator).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import msgspec

from chitieu_tui.core.datadir import DEFINITIONS, DataDir
from chitieu_tui.core.errors import ChitieuError, DataError, ErrorList, Place
from chitieu_tui.core.loader import ID_RE, SCHEMA, _show, validation_error
from chitieu_tui.core.model import Aggregate, Definitions, Indicator, aggregate_of
from chitieu_tui.core.numbers import MAX_MAGNITUDE, Num
from chitieu_tui.core.text import clean
from chitieu_tui.core.tomlfile import Locator, read_toml
from chitieu_tui.i18n import Msg

TARGETS = "targets"
"""The folder of a collection that holds the assignments, one file a year."""
BASIS_MAX = 500
"""Most characters of a `basis` (a decision's number, date and title fit in far fewer)."""
_YEAR_NAME = re.compile(r"\A[0-9]{4}\Z")


class Assignment(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """One `[[indicator]]` of targets/<year>.toml: what the province assigns."""

    id: str
    """The indicator's id, as the units define it."""
    target: float | None = None
    """The province's own target for the year (optional)."""
    basis: str = ""
    """The decision that assigns it, e.g. `Quyết định số 12/QĐ-UBND ngày 05/01/2026`."""
    units: dict[str, float] = msgspec.field(default_factory=dict)
    """The target assigned to each unit, by unit id, in the file's order."""

    @property
    def assigned_sum(self) -> float:
        """The assignments added up."""
        return math.fsum(self.units.values())


class TargetsFile(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    """The whole of targets/<year>.toml."""

    schema: int = SCHEMA
    year: int | None = None
    """Optional: when given, the year of the file's name."""
    indicators: list[Assignment] = msgspec.field(name="indicator", default_factory=list)


@dataclass(frozen=True)
class UnitDefs:
    """What a collection knows of one unit for a year, to check the assignment against."""

    id: str
    """The unit id (the folder's name when its definitions cannot be read)."""
    where: str
    """How the unit's definitions are named in messages (`wards/my-thoi/chitieu.toml`)."""
    defs: Definitions | None
    """Its definitions of the year; None when it has none for it, or they are broken."""
    years: frozenset[int] = frozenset()
    """The years it has definitions for (chitieu.toml's and years/<year>.toml's)."""


@dataclass(frozen=True)
class Targets:
    """A read, valid targets/<year>.toml."""

    year: int
    where: str
    """How the file is named in messages (`wards/targets/2026.toml`)."""
    indicators: list[Assignment]

    def assignment(self, indicator_id: str) -> Assignment | None:
        """The assignment of an indicator, or None."""
        for a in self.indicators:
            if a.id == indicator_id:
                return a
        return None


def targets_path(root: Path, year: int) -> Path:
    """`<root>/targets/<year>.toml`."""
    return root / TARGETS / f"{year}.toml"


def target_files(root: Path) -> list[Path]:
    """Every `.toml` file in `<root>/targets/`, sorted (none when the folder is absent)."""
    folder = root / TARGETS
    try:
        return sorted(p for p in folder.iterdir() if p.suffix == ".toml")
    except OSError:
        return []


def _key_place(text: str, loc: Locator, index: int, key: str) -> Place:
    """The line and column of unit `key` in the `index`-th `[[indicator]]`'s `units`."""
    start = loc.place("indicator", index, "units")
    if start.line is None:
        start = loc.place("indicator", index)
    if start.line is None:
        return Place(loc.path)
    pattern = re.compile(r"(?<![A-Za-z0-9_-])([\"']?)" + re.escape(key) + r"\1\s*=")
    lines = text.splitlines()
    for lineno in range(start.line, len(lines) + 1):
        found = pattern.search(lines[lineno - 1])
        if found:
            return Place(loc.path, lineno, found.start() + 1)
        if lineno > start.line and lines[lineno - 1].lstrip().startswith("[["):
            break
    return start


def _number_problem(raw: Any, integer: bool = False) -> Msg | None:
    """Why `raw` is not a usable target (a finite number from 0 to 1e15), or None."""
    if isinstance(raw, bool) or not isinstance(raw, (int, float)):
        return Msg("err.targets.not_number", got=_show(raw))
    if isinstance(raw, int) and abs(raw) > MAX_MAGNITUDE:
        return Msg("err.targets.too_large")
    if not math.isfinite(raw):
        return Msg("err.targets.not_finite", got=str(raw))
    if raw < 0:
        return Msg("err.targets.negative", got=Num(float(raw)))
    if raw > MAX_MAGNITUDE:
        return Msg("err.targets.too_large")
    if integer and not float(raw).is_integer():
        return Msg("err.targets.not_whole", got=Num(float(raw)))
    return None


def _shape(ind: Indicator) -> tuple[str, str]:
    return ind.unit, ind.kind


def reference(indicator_id: str, units: Sequence[UnitDefs]) -> Indicator | None:
    """The definition of an indicator the units share: the (unit of measure, kind) most
    units use, the first unit's on a tie (as the roll-up's totals choose it); None when no
    unit defines it."""
    found = [i for u in units if u.defs is not None and (i := u.defs.indicator(indicator_id))]
    if not found:
        return None
    counts = Counter(_shape(i) for i in found)
    top = max(counts.values())
    return next(i for i in found if counts[_shape(i)] == top)


def _item(a_id: Any, index: int) -> Msg:
    if isinstance(a_id, str):
        return Msg("item.indicator", id=clean(a_id))
    return Msg("item.indicator_n", n=index + 1)


def _raw_units(data: dict[str, Any], loc: Locator, text: str) -> list[DataError]:
    """The `units` tables' values checked before the types are (each error at its key)."""
    errs: list[DataError] = []
    items = data.get("indicator")
    if not isinstance(items, list):
        return errs
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        raw = item.get("units")
        if raw is None:
            continue
        if not isinstance(raw, dict):
            msg = Msg("err.targets.units_table", got=_show(raw))
            detail = Msg("err.in_item", item=_item(item.get("id"), i), detail=msg)
            errs.append(DataError(detail, loc.place("indicator", i, "units")))
            continue
        for key, value in raw.items():
            problem = _number_problem(value)
            if problem is not None:
                detail = Msg("err.targets.in_unit", unit=clean(key), detail=problem)
                detail = Msg("err.in_item", item=_item(item.get("id"), i), detail=detail)
                errs.append(DataError(detail, _key_place(text, loc, i, key)))
    return errs


def targets_from_text(
    data: dict[str, Any], text: str, where: str, year: int, units: Sequence[UnitDefs]
) -> Targets:
    """Validate parsed targets/<year>.toml against the collection's units; DataError or
    ErrorList (every problem of the file at once, each at its line and column)."""
    loc = Locator.scan(where, text)
    schema = data.get("schema", SCHEMA)
    if schema != SCHEMA or isinstance(schema, bool):
        msg = Msg("err.schema.wrong", schema=SCHEMA, got=_show(schema))
        raise DataError(msg, loc.place("", 0, "schema"))
    early = _raw_units(data, loc, text)
    if early:
        raise early[0] if len(early) == 1 else ErrorList(list(early))
    try:
        doc = msgspec.convert(data, TargetsFile)
    except msgspec.ValidationError as exc:
        raise validation_error(exc, data, loc) from None
    errs: list[ChitieuError] = []
    years = frozenset().union(*(u.years for u in units)) if units else frozenset()
    if doc.year is not None and doc.year != year:
        errs.append(
            DataError(
                Msg("err.targets.year_key", year=year, got=str(doc.year)),
                loc.place("", 0, "year"),
            )
        )
    if year not in years:  # no unit has targets that year: nothing else can be checked
        shown = ", ".join(str(y) for y in sorted(years)) or "—"
        errs.append(DataError(Msg("err.targets.year", year=year, years=shown), Place(where)))
        raise errs[0] if len(errs) == 1 else ErrorList(errs)
    known = {u.id: u for u in units}
    seen: set[str] = set()
    for i, a in enumerate(doc.indicators):
        errs.extend(_check_assignment(a, i, seen, known, units, loc, text))
        seen.add(a.id)
    if errs:
        raise errs[0] if len(errs) == 1 else ErrorList(errs)
    cleaned = [
        msgspec.structs.replace(a, basis=clean(a.basis), units=dict(a.units))
        for a in doc.indicators
    ]
    return Targets(year, where, cleaned)


def _check_assignment(
    a: Assignment,
    i: int,
    seen: set[str],
    known: dict[str, UnitDefs],
    units: Sequence[UnitDefs],
    loc: Locator,
    text: str,
) -> list[ChitieuError]:
    """The rules of one `[[indicator]]` the types alone do not say."""
    errs: list[ChitieuError] = []
    item = Msg("item.indicator", id=clean(a.id))

    def err(msg: Msg, place: Place) -> None:
        errs.append(DataError(Msg("err.in_item", item=item, detail=msg), place))

    id_place = loc.place("indicator", i, "id")
    if not ID_RE.fullmatch(a.id):
        err(Msg("err.field.id_chars", got=_show(a.id)), id_place)
        return errs
    if a.id in seen:
        err(Msg("err.targets.twice", id=a.id), id_place)
    if len(a.basis) > BASIS_MAX:
        err(Msg("err.targets.basis_long", max=Num(BASIS_MAX)), loc.place("indicator", i, "basis"))
    ref = reference(a.id, units)
    if a.target is not None:
        problem = _number_problem(a.target, ref is not None and ref.integer)
        if problem is not None:
            err(problem, loc.place("indicator", i, "target"))
    if ref is None:
        err(Msg("err.targets.unknown_indicator", id=a.id), id_place)
        return errs
    if ref.kind == "milestone":
        err(Msg("err.targets.milestone"), id_place)
        return errs
    for key, value in a.units.items():
        # each problem's place found only when there is one: looked for on every key, the
        # country's 3,321 units were 17 s of scanning the file again for each (issue 23)
        unit = known.get(key)
        if unit is None:
            err(Msg("err.targets.unknown_unit", unit=clean(key)), _key_place(text, loc, i, key))
            continue
        own = unit.defs.indicator(a.id) if unit.defs is not None else None
        if own is not None and _shape(own) != _shape(ref):
            msg = Msg(
                "err.targets.shape",
                unit=key,
                own_unit=own.unit or "—",
                own_kind=own.kind,
                ref_unit=ref.unit or "—",
                ref_kind=ref.kind,
                where=unit.where,
            )
            err(msg, _key_place(text, loc, i, key))
            continue
        whole = _number_problem(value, ref.integer)
        if whole is not None:
            err(Msg("err.targets.in_unit", unit=key, detail=whole), _key_place(text, loc, i, key))
    return errs


def load_targets(path: Path, year: int, units: Sequence[UnitDefs], shown: str) -> Targets:
    """Read and validate targets/<year>.toml (`shown` names it in messages)."""
    if not _YEAR_NAME.fullmatch(path.stem):
        raise DataError("err.targets.file_name", Place(shown))
    data, text = read_toml(path, shown)
    return targets_from_text(data, text, shown, year, units)


def collection_units(members: Sequence[Any], year: int) -> list[UnitDefs]:
    """The units of a collection's folders (`Member`s with a FileSource) for `year`: each
    its id and definitions of that year (None when it has none or they are broken)."""
    found: list[UnitDefs] = []
    for m in members:
        data = getattr(m.source, "data", None)
        if data is not None and not m.duplicate:
            found.append(unit_defs(m.key, data, year))
    return found


def folder_units(root: Path, year: int) -> list[UnitDefs]:
    """`collection_units` of the data folders under `root`, read without a Collection."""
    try:
        entries = sorted(root.iterdir())
    except OSError:
        return []
    return [
        unit_defs(p.name, DataDir(p), year)
        for p in entries
        if not p.name.startswith(".") and p.is_dir() and (p / DEFINITIONS).exists()
    ]


def unit_defs(key: str, data: DataDir, year: int) -> UnitDefs:
    """What the checks know of the unit of the data folder `data` (a collection's folder
    `key`) for `year` (`collection_units`)."""
    try:
        current = data.definitions()
    except ChitieuError:
        return UnitDefs(key, data.shown(data.definitions_path), None)
    years = {current.unit.year}
    try:
        years |= {int(p.stem) for p in data.year_files() if _YEAR_NAME.fullmatch(p.stem)}
    except ChitieuError:
        pass
    own: Definitions | None
    try:
        own = data.year_definitions(year)
    except ChitieuError:
        own = None
    path = data.definitions_path if year == current.unit.year else data.year_path(year)
    return UnitDefs(current.unit.id, data.shown(path), own, frozenset(years))


def assigned_ids(path: Path) -> frozenset[str]:
    """The indicator ids the `[[indicator]]`s of a targets file name: the only indicators
    of the units' definitions that reading it (`load_targets`) and the roll-up's marks
    (`below_assignment`, `missing_assignment`) look up; none when it cannot be read (its
    read fails before any unit is looked at)."""
    try:
        data, _ = read_toml(path, str(path))
    except ChitieuError:
        return frozenset()
    items = data.get("indicator")
    if not isinstance(items, list):
        return frozenset()
    return frozenset(i["id"] for i in items if isinstance(i, dict) and isinstance(i.get("id"), str))


def thin_unit(unit: UnitDefs, ids: frozenset[str]) -> UnitDefs:
    """`unit` with only the indicators `ids` in its definitions (all that the checks of an
    assignment naming only `ids` read of it: sent from a worker process, not the whole)."""
    if unit.defs is None:
        return unit
    kept = [ind for ind in unit.defs.indicators if ind.id in ids]
    return replace(unit, defs=msgspec.structs.replace(unit.defs, indicators=kept))


@runtime_checkable
class HandsDown(Protocol):
    """A source that can say what its collection assigns the unit (a server's unit: `GET
    /api/v1/targets/{year}`); a data folder's is `handed_down`."""

    async def ahanded(self, year: int, indicator_id: str) -> tuple[Assignment, float] | None:
        """The assignment of an indicator to the unit and the value assigned, or None."""
        ...


def handed_down(unit_root: Path, year: int, indicator_id: str) -> tuple[Assignment, float] | None:
    """What the province assigned the unit of the data folder `unit_root` for an indicator
    (its collection folder's targets/<year>.toml), with the value assigned; None when
    the folder is in no collection with such an assignment, or the file is broken."""
    root = unit_root.resolve().parent
    path = targets_path(root, year)
    if not path.is_file():
        return None
    units = folder_units(root, year)
    try:
        targets = load_targets(path, year, units, f"{TARGETS}/{path.name}")
        unit_id = DataDir(unit_root).definitions().unit.id
    except ChitieuError:
        return None
    found = targets.assignment(indicator_id)
    if found is None or unit_id not in found.units:
        return None
    return found, found.units[unit_id]


# -- what `chitieu check` says of an assignment and the units' own targets --


def weaker(ind: Indicator, adopted: float, assigned: float) -> bool:
    """True when a unit's own target asks less than the one assigned (below it for an
    increase, above it for a decrease), beyond rounding."""
    if math.isclose(adopted, assigned, rel_tol=1e-9, abs_tol=1e-12):
        return False
    return adopted > assigned if ind.direction == "decrease" else adopted < assigned


def short_of(a: Assignment, how: Aggregate) -> bool:
    """Giao thiếu: a sum indicator whose assignments add up to less than the province's
    own target (beyond rounding)."""
    if how != "sum" or a.target is None:
        return False
    total = a.assigned_sum
    return total < a.target and not math.isclose(total, a.target, rel_tol=1e-9, abs_tol=1e-12)


def below_assignment(targets: Targets | None, defs: Definitions) -> dict[str, tuple[float, float]]:
    """The unit's indicators whose own target asks less than the one assigned to it:
    id -> (adopted, assigned); empty without an assignment."""
    found: dict[str, tuple[float, float]] = {}
    if targets is None:
        return found
    for a in targets.indicators:
        assigned = a.units.get(defs.unit.id)
        own = defs.indicator(a.id)
        if assigned is None or own is None or own.target is None:
            continue
        if weaker(own, own.target, assigned):
            found[a.id] = (own.target, assigned)
    return found


def missing_assignment(targets: Targets | None, defs: Definitions) -> dict[str, float]:
    """The indicators assigned to the unit that its definitions do not have: id -> the
    target assigned; empty without an assignment."""
    if targets is None:
        return {}
    return {
        a.id: a.units[defs.unit.id]
        for a in targets.indicators
        if defs.unit.id in a.units and defs.indicator(a.id) is None
    }


def target_problems(
    targets: Targets, units: Sequence[UnitDefs]
) -> tuple[list[ChitieuError], list[ChitieuError]]:
    """(errors, warnings) of an assignment against the units' own definitions: giao thiếu is
    an error at the file; a unit that adopted less than assigned, or lacks the indicator,
    a warning naming the unit's definitions and the assignment."""
    errors: list[ChitieuError] = []
    warnings: list[ChitieuError] = []
    known = {u.id: u for u in units}
    for a in targets.indicators:
        ref = reference(a.id, units)
        if ref is None:
            continue
        how = aggregate_of(ref)
        if short_of(a, how):
            errors.append(
                DataError(
                    "err.targets.short",
                    Place(targets.where),
                    id=a.id,
                    assigned=Num(a.assigned_sum),
                    target=Num(float(a.target or 0.0)),
                    missing=Num(float(a.target or 0.0) - a.assigned_sum),
                )
            )
        for key, assigned in a.units.items():
            unit = known.get(key)
            if unit is None or unit.defs is None:
                continue
            own = unit.defs.indicator(a.id)
            if own is None:
                warnings.append(
                    ChitieuError(
                        "warn.targets.missing",
                        Place(unit.where),
                        unit=key,
                        id=a.id,
                        assigned=Num(assigned),
                        file=targets.where,
                    )
                )
            elif own.target is not None and weaker(own, own.target, assigned):
                warnings.append(
                    ChitieuError(
                        "warn.targets.below",
                        Place(unit.where),
                        unit=key,
                        id=a.id,
                        adopted=Num(own.target),
                        assigned=Num(assigned),
                        file=targets.where,
                    )
                )
    return errors, warnings


__all__ = [
    "BASIS_MAX",
    "TARGETS",
    "Assignment",
    "Targets",
    "TargetsFile",
    "UnitDefs",
    "assigned_ids",
    "below_assignment",
    "collection_units",
    "folder_units",
    "handed_down",
    "load_targets",
    "missing_assignment",
    "reference",
    "short_of",
    "target_files",
    "target_problems",
    "targets_from_text",
    "targets_path",
    "thin_unit",
    "unit_defs",
    "weaker",
]
