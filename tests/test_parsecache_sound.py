"""`sound_definitions` checks each rule over a whole column at once (issue 23, one large
unit): it says what the check of each indicator in turn said, on sound definitions and on
every way a forged or damaged entry can break a rule."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import msgspec
import pytest

from chitieu_tui.core.datadir import BUNDLED
from chitieu_tui.core.loader import ID_RE, load_definitions
from chitieu_tui.core.model import Definitions
from chitieu_tui.core.numbers import MAX_MAGNITUDE
from chitieu_tui.core.parsecache import _clean_texts, sound_definitions

replace = msgspec.structs.replace


def _finite(x: float | None) -> bool:
    return x is None or (math.isfinite(x) and abs(x) <= MAX_MAGNITUDE)


def one_by_one(defs: Definitions) -> bool:
    """The check as it was written before: each indicator in turn."""
    if not ID_RE.fullmatch(defs.unit.id) or not defs.indicators:
        return False
    single = [defs.unit.name]
    multi: list[str] = []
    groups = {g.id for g in defs.groups}
    for g in defs.groups:
        if not ID_RE.fullmatch(g.id):
            return False
        single.append(g.name)
    seen: set[str] = set()
    for ind in defs.indicators:
        if not ID_RE.fullmatch(ind.id) or ind.id in seen or ind.group not in groups:
            return False
        seen.add(ind.id)
        if not all(_finite(x) for x in (ind.target, ind.baseline, ind.min, ind.max)):
            return False
        if ind.plan is not None and not all(_finite(p) for p in ind.plan):
            return False
        single += (ind.name, ind.unit, ind.owner, ind.basis)
        multi.append(ind.note)
    return _clean_texts(single, multi) and all(h in seen for h in defs.dashboard.headline)


def _sample() -> Definitions:
    return load_definitions(BUNDLED / "chitieu.toml")


def _ind(i: int, **changes: Any) -> Callable[[Definitions], Definitions]:
    def change(defs: Definitions) -> Definitions:
        inds = list(defs.indicators)
        inds[i] = replace(inds[i], **changes)
        return replace(defs, indicators=inds)

    return change


BAD = [1e16, -1e16, math.inf, -math.inf, math.nan, MAX_MAGNITUDE * 2]
CHANGES: dict[str, Callable[[Definitions], Definitions]] = {
    "as read": lambda d: d,
    "unit id upper case": lambda d: replace(d, unit=replace(d.unit, id="My-Thoi")),
    "unit id with a newline": lambda d: replace(d, unit=replace(d.unit, id="my-thoi\n")),
    "unit name with a control character": lambda d: replace(
        d, unit=replace(d.unit, name="Mỹ\x1bThới")
    ),
    "group id empty": lambda d: replace(d, groups=[replace(d.groups[0], id=""), *d.groups[1:]]),
    "group name with a tab": lambda d: replace(
        d, groups=[replace(d.groups[0], name="a\tb"), *d.groups[1:]]
    ),
    "no indicator": lambda d: replace(d, indicators=[]),
    "indicator id with a space": _ind(3, id="a b"),
    "indicator id empty": _ind(0, id=""),
    "indicator id with two lines": _ind(5, id="a\nb"),
    "indicator id with an accent": _ind(5, id="thuế"),
    "indicator id twice": lambda d: _ind(2, id=d.indicators[1].id)(d),
    "indicator of an unknown field": _ind(4, group="khong-co"),
    "headline unknown": lambda d: replace(d, dashboard=replace(d.dashboard, headline=["khong-co"])),
    "name with a newline": _ind(1, name="a\nb"),
    "unit with a control character": _ind(1, unit="\x07"),
    "owner with a control character": _ind(1, owner="\x7f"),
    "basis with a control character": _ind(1, basis="\x00"),
    "note with a newline (allowed)": _ind(1, note="a\nb"),
    "note with a control character": _ind(1, note="a\x1b[31m"),
    "target at the bound": _ind(0, target=MAX_MAGNITUDE),
    "min below minus the bound": _ind(0, min=-MAX_MAGNITUDE),
    **{f"target {x}": _ind(0, target=x) for x in BAD},
    **{f"baseline {x}": _ind(6, baseline=x) for x in BAD},
    **{f"min {x}": _ind(2, min=x) for x in BAD},
    **{f"max {x}": _ind(2, max=x) for x in BAD},
    **{f"plan {x}": _ind(0, plan=[1.0, 2.0, x, 4.0]) for x in BAD},
    "plan empty": _ind(0, plan=[]),
    "two huge numbers whose sum overflows": lambda d: _ind(1, target=1.7e308)(
        _ind(0, target=1.7e308)(d)
    ),
}


@pytest.mark.parametrize("name", list(CHANGES))
def test_sound_definitions_says_what_the_check_one_by_one_said(name: str) -> None:
    defs = CHANGES[name](_sample())
    assert sound_definitions(defs) is one_by_one(defs)
    if name in ("as read", "note with a newline (allowed)", "target at the bound", "plan empty"):
        assert sound_definitions(defs)
    elif "min below" not in name:
        assert not sound_definitions(defs)
