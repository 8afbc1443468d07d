"""`core.records.frozen` (issue 23, the report's start-up): a frozen slotted dataclass whose
methods are not compiled at import, and that behaves as `@dataclass(frozen=True, slots=True)`."""

from __future__ import annotations

import ast
import copy
import dataclasses
import datetime as dt
import gc
import inspect
import pickle
import textwrap

import msgspec
import pytest

from chitieu_tui.core import (
    approval,
    arithmetic,
    errors,
    model,
    parsecache,
    periods,
    rules,
    source,
    tomlfile,
)
from chitieu_tui.core.records import FACTORY, changed, frozen, frozen_dict, frozen_ordered, plain

RECORDS = (
    model.Followup,
    model.Approved,
    model.Closed,
    model.Returned,
    arithmetic.Pace,
    rules.Lit,
    rules.Ref,
    rules.Neg,
    rules.Bin,
    rules._Token,
    rules.Result,
    approval.Standing,
    parsecache.Held,
    parsecache.ValueRules,
)
UNSLOTTED = (
    periods.Period,
    model.Progress,
    source.View,
    source.Origin,
    arithmetic.Summary,
    arithmetic.Board,
)
MUTABLE = (errors.Place, tomlfile.Locator)


@pytest.mark.parametrize("cls", RECORDS + UNSLOTTED, ids=lambda c: c.__qualname__)
def test_the_records_compile_nothing_at_import(cls: type) -> None:
    # a dataclass's generated methods come from exec (`<string>`); these are the module's own
    for name in ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__"):
        assert getattr(cls, name).__code__.co_filename.endswith(".py"), name
    assert dataclasses.is_dataclass(cls)
    assert cls.__dataclass_params__.frozen and cls.__dataclass_params__.eq  # type: ignore[attr-defined]
    names = tuple(f.name for f in dataclasses.fields(cls) if f.init)
    assert cls.__match_args__ == names
    if cls in RECORDS:
        assert cls.__slots__ == names


@dataclasses.dataclass(frozen=True, slots=True)
class Made:
    """The reference: what the dataclass machinery makes."""

    value: float | bool
    note: str = ""
    at: dt.datetime | None = None


@frozen
class Hand:
    """The same record on `@frozen`."""

    value: float | bool
    note: str = ""
    at: dt.datetime | None = None

    def __init__(self, value: float | bool, note: str = "", at: dt.datetime | None = None) -> None:
        object.__setattr__(self, "value", value)
        object.__setattr__(self, "note", note)
        object.__setattr__(self, "at", at)


def test_frozen_behaves_as_the_frozen_slotted_dataclass() -> None:
    at = dt.datetime(2026, 4, 2, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    made, hand = Made(1.5, "ghi chú", at), Hand(1.5, "ghi chú", at)
    assert repr(hand) == repr(made).replace("Made", "Hand")
    assert hand == Hand(1.5, "ghi chú", at) and hand != Hand(2.0) and hand != made
    assert hash(hand) == hash(made) == hash(Hand(1.5, "ghi chú", at))
    assert {hand, Hand(1.5, "ghi chú", at)} == {hand}
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot assign to field 'note'"):
        hand.note = "x"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError, match="cannot delete field 'note'"):
        del hand.note  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        hand.other = 1  # type: ignore[attr-defined]
    assert not hasattr(hand, "__dict__")
    assert dataclasses.replace(hand, note="y") == Hand(1.5, "y", at)
    assert dataclasses.asdict(hand) == dataclasses.asdict(made)
    assert dataclasses.astuple(hand) == dataclasses.astuple(made)
    assert [f.default for f in dataclasses.fields(Hand)] == [
        f.default for f in dataclasses.fields(Made)
    ]
    assert pickle.loads(pickle.dumps(hand)) == hand
    assert copy.deepcopy(hand) == hand and copy.copy(hand) == hand
    match hand:
        case Hand(value, note):
            assert (value, note) == (1.5, "ghi chú")
    assert msgspec.json.encode(hand) == msgspec.json.encode(made)
    assert msgspec.json.decode(b'{"value": 2, "note": "n"}', type=Hand) == Hand(2.0, "n")
    assert msgspec.msgpack.decode(msgspec.msgpack.encode(hand), type=Hand) == hand
    assert Hand(float("nan")) != Hand(float("nan"))
    nan = float("nan")
    assert Hand(nan) == Hand(nan)  # the same object, as a dataclass's tuple compares it


def test_frozen_wants_a_hand_written_init() -> None:
    class NoInit:
        value: int

    with pytest.raises(TypeError, match="hand-written __init__"):
        frozen(NoInit)


@dataclasses.dataclass(frozen=True, order=True)
class MadeOpen:
    """The reference of the unslotted, ordered kind."""

    year: int
    items: list[int] = dataclasses.field(default_factory=list)


@frozen_ordered
class HandOpen:
    """The same on `@frozen_ordered`."""

    year: int
    items: list[int] = dataclasses.field(default_factory=list)

    def __init__(self, year: int, items: list[int] = FACTORY) -> None:
        object.__setattr__(self, "year", year)
        object.__setattr__(self, "items", [] if items is FACTORY else items)


@frozen_dict
class HandDict:
    """An unordered, unslotted record."""

    year: int

    def __init__(self, year: int) -> None:
        object.__setattr__(self, "year", year)


def test_frozen_ordered_and_frozen_dict() -> None:
    a, b = HandOpen(2026), HandOpen(2026, [1])
    assert a.items == [] and a.items is not HandOpen(2026).items  # the factory, each time
    assert HandOpen(2026, None).items is None  # type: ignore[arg-type]  # given: kept
    assert repr(b) == repr(MadeOpen(2026, [1])).replace("MadeOpen", "HandOpen")
    assert (a < b, a <= b, a > b, a >= b) == (True, True, False, False)
    assert sorted([b, a]) == [a, b]
    assert a.__lt__(MadeOpen(2026)) is NotImplemented
    assert hasattr(a, "__dict__") and HandOpen.__dataclass_params__.order  # type: ignore[attr-defined]
    with pytest.raises(dataclasses.FrozenInstanceError):
        a.year = 1  # type: ignore[misc]
    assert dataclasses.replace(a, year=2027) == HandOpen(2027)
    assert pickle.loads(pickle.dumps(b)) == b
    with pytest.raises(TypeError):
        _ = HandDict(1) < HandDict(2)  # type: ignore[operator]
    assert hash(HandDict(1)) == hash((1,))
    assert periods.Period(2026, 2) > periods.Period(2025, 4)
    assert periods.Period.__dataclass_params__.order  # type: ignore[attr-defined]
    assert sorted([periods.Period(2026, 1), periods.Period(2025, 4)])[0] == periods.Period(2025, 4)
    assert hash(periods.Period(2026, 1)) == hash((2026, 1))
    assert periods.Period(2026, 1).__lt__((2026, 2)) is NotImplemented  # type: ignore[operator]
    assert msgspec.json.decode(b'{"year": 2026, "quarter": 1}', type=periods.Period) == (
        periods.Period(2026, 1)
    )


@pytest.mark.parametrize("cls", MUTABLE, ids=lambda c: c.__qualname__)
def test_the_mutable_records_compile_nothing_at_import(cls: type) -> None:
    for name in ("__init__", "__repr__", "__eq__"):
        assert getattr(cls, name).__code__.co_filename.endswith(".py"), name
    assert cls.__hash__ is None and not cls.__dataclass_params__.frozen  # type: ignore[attr-defined]


@dataclasses.dataclass
class MadePlain:
    """The reference of the mutable kind, with a field left out of repr and comparison."""

    where: str
    line: int | None = None
    seen: dict[str, int] = dataclasses.field(default_factory=dict, repr=False, compare=False)


@plain
class HandPlain:
    """The same on `@plain`."""

    where: str
    line: int | None = None
    seen: dict[str, int] = dataclasses.field(default_factory=dict, repr=False, compare=False)

    def __init__(self, where: str, line: int | None = None, seen: dict[str, int] = FACTORY) -> None:
        self.where = where
        self.line = line
        self.seen = {} if seen is FACTORY else seen


def test_plain_behaves_as_the_dataclass() -> None:
    made, hand = MadePlain("a.toml", 3, {"x": 1}), HandPlain("a.toml", 3, {"x": 1})
    assert repr(hand) == repr(made).replace("MadePlain", "HandPlain")
    assert hand == HandPlain("a.toml", 3) and hand != HandPlain("a.toml", 4)  # seen: not compared
    with pytest.raises(TypeError, match="unhashable"):
        hash(hand)
    hand.line = 5
    assert hand.line == 5 and dataclasses.replace(hand, line=6).line == 6
    assert errors.Place("x", 1) == errors.Place("x", 1) and str(errors.Place("x", 1, 2)) == "x:1:2"


def test_the_records_say_what_a_dataclass_says_on_every_python() -> None:
    """`__dataclass_params__` as `@dataclass(frozen=True, slots=True)` sets it, attribute by
    attribute (its constructor's arguments differ between 3.11 and 3.12: never called)."""
    names = [n for n in type(Made.__dataclass_params__).__slots__ if n != "weakref_slot"]
    made = {n: getattr(Made.__dataclass_params__, n) for n in names}
    hand = {n: getattr(Hand.__dataclass_params__, n) for n in names}
    assert hand == made


@pytest.mark.parametrize("cls", RECORDS + UNSLOTTED + MUTABLE, ids=lambda c: c.__qualname__)
def test_each_records_own_init_is_the_one_a_dataclass_would_make(cls: type) -> None:
    """A field added to a record without its hand-written `__init__` (or out of order, or
    with another default) is caught here, not by a reader's AttributeError later."""
    wanted = []
    for f in dataclasses.fields(cls):
        if not f.init:
            continue
        if f.default is not dataclasses.MISSING:
            wanted.append((f.name, f.default))
        elif f.default_factory is not dataclasses.MISSING:
            wanted.append((f.name, FACTORY))
        else:
            wanted.append((f.name, inspect.Parameter.empty))
    params = list(inspect.signature(cls.__init__).parameters.values())[1:]
    assert [(p.name, p.default) for p in params[: len(wanted)]] == wanted
    # more is allowed only as a keyword with a default that names no field (`Board`'s
    # `evaluations`, a property given when known)
    fields = {f.name for f in dataclasses.fields(cls)}
    assert all(
        p.default is not inspect.Parameter.empty and p.name not in fields
        for p in params[len(wanted) :]
    )
    tree = ast.parse(textwrap.dedent(inspect.getsource(cls.__init__)))
    set_names = {  # object.__setattr__(self, "name", …), ("name", value) pairs, self.name = …
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    } | {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store)
    }
    assert fields <= set_names


def test_changed_is_replace_for_a_class_whose_fields_are_in_its_dict() -> None:
    """`changed` (a cold open's workers' thin views): the record `dataclasses.replace`
    makes, equal and of the same class, still frozen, the original untouched."""
    entry = model.Entry(3.0, "ghi chú")
    prog = model.Progress("u", periods.Period(2026, 1), dt.date(2026, 3, 31), {"a": entry})
    when = dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
    for old, changes in (
        (prog, {"values": {}}),
        (prog, {"modified": when, "tamper": ""}),
    ):
        new = changed(old, **changes)
        assert type(new) is type(old)
        assert new == dataclasses.replace(old, **changes)
        assert new is not old and old.values == {"a": entry} and old.modified is None
        with pytest.raises(dataclasses.FrozenInstanceError):
            new.unit = "v"  # type: ignore[misc]


def test_an_entry_is_a_frozen_untracked_struct_encoded_short() -> None:
    """A large unit makes hundreds of thousands of values: each is a Struct the collector
    does not track, and the parse cache holds one as the array of its fields."""
    at = dt.datetime(2026, 4, 2, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    mark = model.Followup(("outlier",), mean=2.0, sd=0.5, k=3.0, count=4)
    full = model.Entry(1.5, "ghi chú", by="cán bộ", at=at, cause="c", remedy="r", followup=mark)
    plain_ = model.Entry(2.0)
    assert not gc.is_tracked(plain_) and not gc.is_tracked(full)
    with pytest.raises(AttributeError):
        full.note = "x"  # type: ignore[misc]
    assert full == model.Entry(1.5, "ghi chú", "cán bộ", at, "c", "r", mark) and full != plain_
    assert hash(plain_) == hash(model.Entry(2.0)) and {plain_, model.Entry(2.0)} == {plain_}
    assert (plain_.note, plain_.by, plain_.at, plain_.followup) == ("", "", None, None)
    assert msgspec.msgpack.encode(plain_) == msgspec.msgpack.encode(
        [2.0, "", "", None, "", "", None]
    )
    for entry in (full, plain_, model.Entry(False, "n")):
        wire = msgspec.msgpack.encode(entry)
        assert msgspec.msgpack.decode(wire, type=model.Entry) == entry
        assert pickle.loads(pickle.dumps(entry)) == entry
        assert copy.copy(entry) == entry
    assert msgspec.structs.replace(full, followup=None).followup is None


def test_an_evaluation_is_a_frozen_untracked_struct() -> None:
    """A large unit makes one evaluation per indicator and quarter shown: a Struct the
    collector does not track, equal and hashed by its fields, its properties as before."""
    ind = model.Indicator(id="a", name="A", group="g", kind="cumulative", unit="người", target=8)
    q1 = periods.Period(2026, 1)
    ev = arithmetic.evaluate(ind, q1, {1: model.Entry(3.0, "ghi chú")})
    assert not gc.is_tracked(ev)
    with pytest.raises(AttributeError):
        ev.status = arithmetic.Status.MET  # type: ignore[misc]
    assert ev == arithmetic.evaluate(ind, q1, {1: model.Entry(3.0, "ghi chú")})
    assert ev != arithmetic.evaluate(ind, q1, {1: model.Entry(4.0)})
    assert (ev.value, ev.figure, ev.note, ev.expected) == (3.0, 3.0, "ghi chú", 2.0)
    assert pickle.loads(pickle.dumps(ev)) == ev and copy.copy(ev) == ev
    assert msgspec.structs.replace(ev, percent=None).percent is None
