"""One roll-up driven by keys in a headless Textual app (Pilot), timed in-process: the
seconds from a key to the next frame for End, Enter (a unit's dashboard on screen), Esc
(back to the roll-up), a filter and a sort. Printed as JSON; run by `rollup.py
--scorecard` with the code before or after on PYTHONPATH. Not a test: it asserts nothing.

    python3 benchmarks/rollup_keys.py COLLECTION_FOLDER
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from chitieu_tui.app import ChitieuApp
from chitieu_tui.core.collection import open_folder
from chitieu_tui.screens import DashboardScreen
from chitieu_tui.screens.rollup import RollupScreen


async def until(pilot: Any, cond: Callable[[], bool]) -> None:
    while not cond():
        await pilot.pause(0.001)
    await pilot.pause()  # and the frame after it


async def main(root: str) -> dict[str, float]:
    out: dict[str, float] = {}
    start = time.perf_counter()
    collection = open_folder(Path(root))
    collection.load()
    out["load"] = time.perf_counter() - start
    app = ChitieuApp(None, None, collection=collection, preloaded=True)
    start = time.perf_counter()
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, RollupScreen))
        table: Any = app.screen.query_one("#scorecard")
        await until(pilot, lambda: table.row_count > 1)
        out["first frame (in-process)"] = time.perf_counter() - start

        async def timed(name: str, keys: list[str], cond: Callable[[], bool]) -> None:
            began = time.perf_counter()
            await pilot.press(*keys)
            await until(pilot, cond)
            out[name] = time.perf_counter() - began

        last = table.row_count - 1
        await timed("End", ["end"], lambda: table.cursor_row == last)
        await timed("Enter (last unit)", ["enter"], lambda: isinstance(app.screen, DashboardScreen))
        await timed("Esc (back)", ["escape"], lambda: isinstance(app.screen, RollupScreen))
        await timed("o (sort by name)", ["o"], lambda: table.sort_by == "name")
        units = len(collection.members)
        box: Any = app.screen.query_one("#rollup-filter")
        began = time.perf_counter()
        box.value = collection.members[-1].key
        await until(pilot, lambda: table.row_count == 2 or units == 1)
        out["filter (one unit)"] = time.perf_counter() - began
    return out


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1]))))
