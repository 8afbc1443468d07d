"""The package's import graph has no circle (issue 19): measured with grimp, as
import-linter reads it."""

from __future__ import annotations

import sys

import grimp


def cycles() -> list[list[str]]:
    """Every strongly connected set of modules of chitieu_tui (more than one module)."""
    graph = grimp.build_graph("chitieu_tui", cache_dir=None)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.find_modules_directly_imported_by(v):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10_000))
    try:
        for module in sorted(graph.modules):
            if module not in index:
                visit(module)
    finally:
        sys.setrecursionlimit(limit)
    return found


def test_no_import_circle_outside_the_core() -> None:
    """The app, the screens, the palette, the CLI … import each other one way only."""
    outside = [c for c in cycles() if not all(m.startswith("chitieu_tui.core.") for m in c)]
    assert outside == []


def test_no_import_circle_anywhere() -> None:
    assert cycles() == []
