"""What the indicator table and the scorecard share: status colours and unknown-last sorting."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from chitieu_tui.core.arithmetic import Status
from chitieu_tui.present.status import STATUS

T = TypeVar("T")


_CLASSES = {s: s.value.replace("_", "-") for s in Status}


def status_class(status: Status) -> str:
    """The component class name part of a status: `on-track` (looked up: once per row)."""
    return _CLASSES[status]


def status_classes(prefix: str) -> set[str]:
    """One component class per status: `{prefix}--on-track`, …"""
    return {f"{prefix}--{status_class(s)}" for s in Status}


def status_css(widget: str, prefix: str) -> str:
    """CSS giving each status class its colour (bold when strong), from `present.status`."""
    return "\n".join(
        f"{widget} > .{prefix}--{status_class(status)} {{ color: {look.colour};"
        f"{' text-style: bold;' if look.strong else ''} }}"
        for status, look in STATUS.items()
    )


def sorted_known_first(
    items: Iterable[T], key: Callable[[T], Any], reverse: bool = False
) -> list[T]:
    """`items` sorted by `key`, those whose key is None last (in their order)."""
    keyed = [(key(x), x) for x in items]  # each key made once
    known = [(k, x) for k, x in keyed if k is not None]
    unknown = [x for k, x in keyed if k is None]
    known.sort(key=lambda pair: pair[0], reverse=reverse)
    return [x for _, x in known] + unknown
