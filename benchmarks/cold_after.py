"""After a cold open's frame (present/coldframe.py), from the app's start (the frame made):
the seconds until every unit is read (the roll-up's live rows replace the frame), or until
End and Enter, pressed as soon as the frame is drawn, show the last unit's dashboard; in a headless Textual app (Pilot), in-process, the
open made as `run_rollup` makes it (the frame in two workers). The parse cache emptied
first (`CHITIEU_CACHE_DIR` must be set). Printed as JSON; run by `rollup.py --cold-after`
with the code before or after on PYTHONPATH. Not a test: it asserts nothing.

    python3 benchmarks/cold_after.py COLLECTION_FOLDER all|enter
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from chitieu_tui.app import ChitieuApp
from chitieu_tui.core.collection import open_folder
from chitieu_tui.present.coldframe import cold_frame
from chitieu_tui.screens import DashboardScreen
from chitieu_tui.screens.rollup import RollupScreen


async def until(pilot: Any, cond: Any) -> None:
    while not cond():
        await pilot.pause(0.001)
    await pilot.pause()


async def main(root: str, what: str) -> dict[str, float]:
    shutil.rmtree(os.environ["CHITIEU_CACHE_DIR"], ignore_errors=True)
    out: dict[str, float] = {}
    start = time.perf_counter()
    collection = open_folder(Path(root))
    cold = cold_frame(collection, None)
    assert cold is not None, "not made in workers"
    out["cold frame"] = time.perf_counter() - start
    app = ChitieuApp(None, None, collection=collection, preloaded=False, frame=cold.frame)
    began = time.perf_counter()  # from the app's start: the frame is drawn, then the read
    async with app.run_test(size=(120, 40)) as pilot:
        await until(pilot, lambda: isinstance(app.screen, RollupScreen))
        screen: Any = app.screen
        table: Any = screen.query_one("#scorecard")
        await until(pilot, lambda: table.row_count > 1)
        out["frame drawn"] = time.perf_counter() - began
        if what == "enter":
            last = table.row_count - 1
            await pilot.press("end")
            await until(pilot, lambda: table.cursor_row == last)
            await pilot.press("enter")
            await until(pilot, lambda: isinstance(app.screen, DashboardScreen))
            out["End, Enter (last unit) at once: its dashboard"] = time.perf_counter() - began
        else:
            await until(pilot, lambda: screen._frame is None)
            out["every unit read"] = time.perf_counter() - began
        if cold.writer is not None:
            cold.writer.join()
    return out


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1], sys.argv[2]))))
