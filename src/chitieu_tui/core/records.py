"""Frozen records that cost nothing to define: a dataclass's behaviour without its `exec`.

`@dataclass(frozen=True, slots=True)` compiles five or six small methods from source text
each time its module is imported (`__init__`, `__repr__`, `__eq__`, `__hash__`,
`__setattr__`, `__delattr__`): 0.4–0.7 ms a class, paid by every start of every command
(issue 23: the report's start-up). `@frozen` keeps what such a class is — a dataclass
(`dataclasses.fields`, `replace`, `asdict`, msgspec's encoding and decoding), slotted,
frozen (`FrozenInstanceError`), equal and hashed by its fields in order, the same `repr`,
`__match_args__`, pickled the same — and takes `__init__` from the class itself, written
out by hand (as fast as the generated one: `object.__setattr__` per field), so that nothing
is compiled at import.
"""

from __future__ import annotations

import dataclasses
import reprlib
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform

T = TypeVar("T")


FACTORY: Any = dataclasses.MISSING
"""The default of a hand-written `__init__`'s field that has a `default_factory`: the
`__init__` calls the factory when it is given this (as the generated one does with its own
marker), so that an argument given, even None, is kept as it is."""


@dataclass_transform(frozen_default=True)  # mypy: a frozen dataclass (replace, fields)
def frozen(cls: type[T]) -> type[T]:
    """`@dataclass(frozen=True, slots=True)` for a class that writes its own `__init__`
    (setting every field, in order, through `object.__setattr__`)."""
    return _make(cls, slots=True, order=False)


@dataclass_transform(frozen_default=True)
def frozen_dict(cls: type[T]) -> type[T]:
    """`@dataclass(frozen=True)` (no slots: instances keep a `__dict__`), as `frozen`."""
    return _make(cls, slots=False, order=False)


@dataclass_transform(frozen_default=True, order_default=True)
def frozen_ordered(cls: type[T]) -> type[T]:
    """`@dataclass(frozen=True, order=True)` (no slots), as `frozen`."""
    return _make(cls, slots=False, order=True)


@dataclass_transform()
def plain(cls: type[T]) -> type[T]:
    """`@dataclass` (mutable, unhashable: `__hash__` None, no slots) for a class whose own
    `__init__` assigns every field."""
    return _make(cls, slots=False, order=False, mutable=True)


def _make(cls: type[T], *, slots: bool, order: bool, mutable: bool = False) -> type[T]:
    if "__init__" not in cls.__dict__:
        raise TypeError(f"{cls.__qualname__}: @frozen needs a hand-written __init__")
    made: Any = dataclasses.dataclass(
        init=False, repr=False, eq=False, match_args=False, slots=slots
    )(cls)
    fields = dataclasses.fields(made)
    if not all(f.hash is None and not f.kw_only for f in fields):
        raise TypeError(f"{cls.__qualname__}: @frozen takes no hash= nor kw_only fields")
    names = tuple(f.name for f in fields)
    shown = tuple(f.name for f in fields if f.repr)
    compared = tuple(f.name for f in fields if f.compare)
    key: Any = (
        attrgetter(*compared)
        if len(compared) > 1
        else (lambda obj: tuple(getattr(obj, n) for n in compared))
    )

    @reprlib.recursive_repr()
    def __repr__(self: Any) -> str:
        inner = ", ".join(f"{n}={getattr(self, n)!r}" for n in shown)
        return f"{self.__class__.__qualname__}({inner})"

    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return key(self) == key(other)
        return NotImplemented

    def __hash__(self: Any) -> int:
        return hash(key(self))

    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is made or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        super(made, self).__setattr__(name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is made or name in names:
            raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}")
        super(made, self).__delattr__(name)

    def __getstate__(self: Any) -> list[Any]:
        return [getattr(self, n) for n in names]

    def __setstate__(self: Any, state: list[Any]) -> None:
        for name, value in zip(names, state, strict=False):
            object.__setattr__(self, name, value)

    def __lt__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return key(self) < key(other)
        return NotImplemented

    def __le__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return key(self) <= key(other)
        return NotImplemented

    def __gt__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return key(self) > key(other)
        return NotImplemented

    def __ge__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return key(self) >= key(other)
        return NotImplemented

    methods: list[Any] = [__repr__, __eq__]
    if not mutable:
        methods += [__hash__, __setattr__, __delattr__]
    if slots:  # as the dataclass machinery does for a frozen slotted class (pickle, copy)
        methods += [__getstate__, __setstate__]
    if order:
        methods += [__lt__, __le__, __gt__, __ge__]
    for method in methods:
        if method.__name__ in cls.__dict__:  # the class's own (a hot key's hash, written out)
            continue
        method.__qualname__ = f"{made.__qualname__}.{method.__name__}"
        setattr(made, method.__name__, method)
    if mutable:  # eq without frozen: unhashable, as a dataclass
        made.__hash__ = None
    match_args = tuple(f.name for f in fields if f.init)
    setattr(made, "__match_args__", match_args)  # noqa: B010 (mypy: not assignable)
    ordered = order or all(n in cls.__dict__ for n in ("__lt__", "__le__", "__gt__", "__ge__"))
    # What the class is, said where `dataclasses` reads it (a subclass's frozen check): the
    # params object this class's own `dataclass()` call made, its attributes set (its
    # constructor takes 6 arguments on 3.11 and 10 from 3.12: never called here).
    params = made.__dataclass_params__
    wanted = {"init": True, "repr": True, "eq": True, "order": ordered, "frozen": not mutable}
    for name, value in wanted.items():
        setattr(params, name, value)
    if hasattr(params, "match_args"):  # 3.12+ says it (set above, as a dataclass has it)
        params.match_args = True
    return made  # type: ignore[no-any-return]


def changed(obj: T, **changes: Any) -> T:
    """`dataclasses.replace(obj, **changes)` for an instance of a `frozen_dict` or `plain`
    class (its fields in its `__dict__`), without the field checks and the `__init__` call:
    a copy of its `__dict__` with `changes` put in (3 µs, not 16: a cold open's workers
    thin 3,321 views and progresses). Only for fields the `__init__` keeps as given."""
    made = object.__new__(type(obj))
    made.__dict__.update(obj.__dict__)
    made.__dict__.update(changes)
    return made
