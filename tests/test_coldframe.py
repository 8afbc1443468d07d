"""The roll-up's first frame of a cold open made in two worker processes (issue 23, the
country cold; present/coldframe.py): the same frame, errors and warnings as the serial read,
on a collection made awkward on purpose; any failure of a worker falls back to it."""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
import tomli_w
from collectionkit import random_collection, write_unit
from datadirs import close
from tuikit import RecordingApp, settle

from chitieu_tui.cli import main
from chitieu_tui.core import rowcache
from chitieu_tui.core.collection import Collection, open_folder
from chitieu_tui.core.datadir import BUNDLED_COLLECTION
from chitieu_tui.core.periods import Period
from chitieu_tui.i18n import use
from chitieu_tui.present import coldframe
from chitieu_tui.present.coldframe import cold_frame, frame_of
from chitieu_tui.present.rollup import BELOW_MARK, MISSING_MARK, PROVINCE_MARK

pytestmark = pytest.mark.timeout(120)
RULE = {"left": "kn", "op": "<=", "right": "thu", "importance": "medium", "message": "kn ≤ thu"}


@pytest.fixture(autouse=True)
def _few(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Workers from 2 units; a cache folder of the test's own; Vietnamese."""
    monkeypatch.setattr(coldframe, "MIN_UNITS", 2)
    monkeypatch.setenv("CHITIEU_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv(coldframe.ENV_WORKERS, raising=False)
    use("vi")


def awkward(root: Path, columns: list[str] | None = None) -> Path:
    """`random_collection` (a broken unit, units of other units of measure and kinds, gaps,
    units without the last quarter: read again at the common one), and: a later folder of a
    unit id another has (a duplicate), a unit with no progress, one without a headline (its
    first four indicators), a value out of bounds and an unknown id (warnings), a broken rule,
    a quarter closed then changed by hand (the tamper mark), another approved-ready; a
    deadline (late units) and, when given, collection.toml's `columns`."""
    random_collection(root, 31)
    shutil.copytree(root / "u005", root / "u005b")  # the same unit id `u005`, a later folder
    write_unit(root, "lone", [{"id": "thu", "kind": "cumulative", "unit": "tỉ đồng", "target": 9}])
    inds = [
        {"id": "thu", "kind": "cumulative", "unit": "tỉ đồng", "target": 100},
        {"id": "kn", "kind": "cumulative", "unit": "người", "target": 10, "integer": True},
        {"id": "bhyt", "kind": "level", "unit": "%", "target": 95},
        {"id": "dn", "kind": "level", "unit": "doanh nghiệp", "target": 30},
        {"id": "moi", "kind": "level", "unit": "người", "target": 3},
    ]
    values = {
        "2026-Q1": {"thu": 20.0, "kn": 40, "bhyt": 130.0, "la": 1},
        "2026-Q2": {"thu": 5.5, "kn": 9},
    }
    unit = write_unit(root, "zz-rules", inds, values)
    defs = unit / "chitieu.toml"
    rule = "".join(f"{k} = {tomli_w.dumps({'v': v})[4:]}" for k, v in RULE.items())
    defs.write_text(defs.read_text(encoding="utf-8") + "\n[[rule]]\n" + rule, encoding="utf-8")
    closed = root / "u010"
    close(closed, Period(2026, 2), "nộp quý")
    path = closed / "progress" / "2026-Q2.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"(?m)^thu = .*$", "thu = 999.5", text, count=1), encoding="utf-8")
    close(root / "u012", Period(2026, 2), "nộp quý")
    info = {"name": "Tỉnh Thử", "reporting": {"cutoff_day": 14, "send_days": 2}}
    if columns:
        info["columns"] = columns
    (root / "collection.toml").write_text(tomli_w.dumps(info), encoding="utf-8")
    return root


def serial(root: Path, asked: Period | None) -> tuple[Collection, list[str]]:
    """The collection read as today (`Collection.load`) and what the CLI says after it."""
    collection = open_folder(root)
    collection.load(asked)
    said: list[str] = []
    for m in collection.members:
        if m.error is not None:
            said.append(m.error.render())
        elif m.view is not None:
            said += [w.render() for w in m.view.warnings]
    return collection, said


@pytest.mark.parametrize(
    ("asked", "columns"),
    [(None, None), (Period(2026, 1), None), (None, ["moi", "dn", "kn"])],
)
def test_the_frame_made_in_workers_is_the_serial_one(
    tmp_path: Path, asked: Period | None, columns: list[str] | None
) -> None:
    root = awkward(tmp_path / "tinh", columns)
    collection = open_folder(root)
    cold = cold_frame(collection, asked, keep=False)
    assert cold is not None
    assert all(m.view is None and m.error is None for m in collection.members)  # unread
    assert collection.period is None
    read, said = serial(root, asked)
    assert cold.frame == frame_of(read, asked)
    assert [e.render() for e in cold.said] == said
    frame = cold.frame
    assert any(r.error for r in frame.rows)  # the broken unit and the duplicate folder
    assert sum(1 for r in frame.rows if r.rank is None) == 2
    assert any("trùng" in r.error or "u005" in r.error for r in frame.rows if r.rank is None)
    if asked is None:
        assert frame.period == [2026, 2]
        assert any(r.mark for r in frame.rows)  # changed by hand after closing
        assert any(r.rules for r in frame.rows if r.rules)  # the broken rule
        assert {r.state for r in frame.rows} >= {"open", "submitted"}
        assert any(not r.reporting for r in frame.rows if r.rank is not None)
        assert any(r.late for r in frame.rows)
    assert frame.columns == (columns or ["thu", "bhyt", "kn"])
    assert said  # the out-of-bounds value, the unknown id, the broken unit


async def test_with_a_parse_cache_and_no_frame(tmp_path: Path) -> None:
    """A second open whose frame no longer holds (a file changed): the workers read the
    other units from the parse cache, as the serial read does; the same frame."""
    root = awkward(tmp_path / "tinh")
    serial(root, None)  # fills the parse cache
    path = root / "u001" / "progress" / "2026-Q2.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("thu = ", "thu = 1", 1), "utf-8")
    cold = cold_frame(open_folder(root), None, keep=False)
    assert cold is not None
    read, said = serial(root, None)
    assert cold.frame == frame_of(read, None)
    assert [e.render() for e in cold.said] == said


async def test_frame_of_is_what_the_screen_keeps(tmp_path: Path) -> None:
    """`frame_of` makes the frame `RollupScreen` shows and caches after a read."""
    root = awkward(tmp_path / "tinh")
    collection, _ = serial(root, None)
    app = RecordingApp(None, None, collection=collection, preloaded=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await app.workers.wait_for_complete()
    path = rowcache.path_for(root)
    assert path is not None
    kept = rowcache.read_frame(path)
    assert kept is not None
    assert frame_of(collection, None) == rowcache.msgspec.structs.replace(kept, stamps=[])


def test_the_cold_frame_is_kept_for_the_next_open(tmp_path: Path) -> None:
    root = awkward(tmp_path / "tinh")
    cold = cold_frame(open_folder(root), None, parsed=False)
    assert cold is not None and cold.writer is not None
    cold.writer.join()
    again = rowcache.cached_frame(open_folder(root), None)
    assert again is not None
    assert rowcache.msgspec.structs.replace(again, stamps=[]) == cold.frame


def test_a_file_changed_during_the_read_is_not_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The frame is shown but not written when a worker finds a file changed since its read
    (`stamps_as_read` None), as the screen does."""
    root = awkward(tmp_path / "tinh")
    monkeypatch.setattr(coldframe, "stamps_as_read", lambda *_: None)  # the workers' too
    cold = cold_frame(open_folder(root), None, parsed=False)
    assert cold is not None and cold.writer is not None
    cold.writer.join()
    path = rowcache.path_for(root)
    assert path is not None and not path.exists()


def test_a_failing_worker_falls_back_to_the_serial_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = awkward(tmp_path / "tinh")

    def boom(*_: object) -> None:
        raise ValueError("a worker's bug")

    monkeypatch.setattr(coldframe, "_thin", boom)  # inherited by the forked workers
    collection = open_folder(root)
    assert cold_frame(collection, None) is None
    assert all(m.view is None and m.error is None and m.stamp is None for m in collection.members)
    assert collection.period is None
    assert rowcache.path_for(root) is not None and not rowcache.path_for(root).exists()


def test_a_worker_that_dies_falls_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = awkward(tmp_path / "tinh")

    def die(*_: object) -> None:
        coldframe.os._exit(3)

    monkeypatch.setattr(coldframe, "_info", die)
    assert cold_frame(open_folder(root), None) is None


GOOD_TARGETS = """\
[[indicator]]
id = "thu"
target = 5000
basis = "Quyết định số 12/QĐ-UBND"
units = { u000 = 1000, u001 = 10, lone = 9, u002 = 5, u004 = 60 }

[[indicator]]
id = "ngheo"
units = { u004 = 1.0, u006 = 4.5 }

[[indicator]]
id = "moi"
units = { u000 = 2, zz-rules = 3 }

[[indicator]]
id = "dn"
target = 10
units = { u007 = 5, u008 = 1 }
"""
"""Units adopting less (u000's thu, u004's ngheo: a decrease), more (u001) and as much
(lone) as assigned; an assigned unit without the indicator (u000's moi); a broken unit
(u002); ngheo, moi and dn in no column (their marks and note need their definitions);
giao thiếu (dn: an error only `check` says); the other units not in the assignment."""
TARGET_CASES = {
    "good": GOOD_TARGETS,
    "unknown unit": GOOD_TARGETS.replace("u006 = 4.5", "u006 = 4.5, nobody = 1"),
    "shape": GOOD_TARGETS.replace("u001 = 10", "u001 = 10, u003 = 4"),  # u003's in triệu
    "negative": GOOD_TARGETS.replace("u007 = 5", "u007 = -5"),
    "milestone": GOOD_TARGETS.replace('id = "dn"', 'id = "xong"'),
    "malformed": GOOD_TARGETS.replace('[[indicator]]\nid = "ngheo"', "[[indicator]\nid ="),
    "wrong type": GOOD_TARGETS.replace("target = 5000", 'target = "nhiều"'),
    "another year": None,
}


@pytest.mark.parametrize("case", list(TARGET_CASES))
@pytest.mark.parametrize("asked", [None, Period(2026, 1)])
def test_with_targets_the_frame_made_in_workers_is_the_serial_one(
    tmp_path: Path, case: str, asked: Period | None
) -> None:
    """A collection with `targets/`: the workers send what its checks read of each unit, and
    the same assignment is read (or refused) as by the serial read: the same frame (the
    totals against the province's target, the units marked below or without an assignment,
    the note naming them), the same errors and warnings."""
    root = awkward(tmp_path / "tinh")
    text = TARGET_CASES[case]
    (root / "targets").mkdir()
    name = "2026.toml" if text is not None else "2025.toml"
    (root / "targets" / name).write_text(text or GOOD_TARGETS, encoding="utf-8")
    collection = open_folder(root)
    cold = cold_frame(collection, asked, keep=False)
    assert cold is not None
    assert all(m.view is None and m.error is None for m in collection.members)  # unread
    read, said = serial(root, asked)
    assert cold.frame == frame_of(read, asked)
    assert [e.render() for e in cold.said] == said
    assert (read.targets is not None) == (case == "good")
    if case == "good" and asked is None:
        frame = cold.frame
        below, lacking = frame.left_out.split("\n")[-2:]
        assert BELOW_MARK in below and "Phường u000" in below and "Phường u004" in below
        assert "Phường u001" not in below and "Phường lone" not in below
        assert MISSING_MARK in lacking and "Phường u000" in lacking  # moi, assigned, lacking
        thu = frame.columns.index("thu")
        (u000,) = [r for r in frame.rows if r.name == "Phường u000"]
        assert u000.cells[thu].text.endswith(BELOW_MARK)
        assert PROVINCE_MARK in frame.totals[thu].text


def test_not_made_in_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """One of fewer than `MIN_UNITS` units, `CHITIEU_WORKERS=1`: read serially (None); a
    collection with a `targets/` assignment (the bundled sample) is made in workers."""
    sample = tmp_path / "sample"
    shutil.copytree(BUNDLED_COLLECTION, sample)
    cold = cold_frame(open_folder(sample), None, keep=False)
    assert cold is not None
    assert cold.frame == frame_of(serial(sample, None)[0], None)
    monkeypatch.setenv(coldframe.ENV_WORKERS, "1")
    assert cold_frame(open_folder(sample), None) is None
    monkeypatch.delenv(coldframe.ENV_WORKERS)
    monkeypatch.setattr(coldframe, "MIN_UNITS", 100)
    assert cold_frame(open_folder(sample), None) is None


def svg_text(path: Path) -> str:
    svg = path.read_text(encoding="utf-8")
    svg = re.sub(r"<style.*?</style>", "", svg, flags=re.S)
    return re.sub(r"<[^>]+>", "", svg)


def test_the_cli_screenshot_cold_is_the_serial_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`chitieu screenshot` of a cold collection: the same screen and the same warnings on
    stderr with the workers as without them."""
    root = awkward(tmp_path / "tinh")
    shots: list[tuple[str, str]] = []
    for workers in ("", "1"):
        monkeypatch.setenv("CHITIEU_CACHE_DIR", str(tmp_path / f"cache{workers}"))
        monkeypatch.setenv(coldframe.ENV_WORKERS, workers)
        out = tmp_path / f"s{workers}.svg"
        assert main(["screenshot", "--config", str(root), "-o", str(out), "--size", "120x40"]) == 0
        shots.append((svg_text(out), capsys.readouterr().err))
    assert shots[0] == shots[1]
    assert shots[0][1]  # warnings were said


def test_the_app_opens_on_the_cold_frame(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`chitieu --config ROOT` (`run_rollup`) of a cold collection: the app is given the
    frame made in workers, its units unread (read after the frame, as a warm open)."""
    from chitieu_tui import app as app_module  # lazy: textual, only this test needs the app

    root = awkward(tmp_path / "tinh")
    given: list[Any] = []

    def run(self: Any, *_: object, **__: object) -> None:
        given.append(self)

    monkeypatch.setattr(app_module.ChitieuApp, "run", run)
    collection = open_folder(root)
    assert app_module.run_rollup(collection, None) == 0
    (app,) = given
    expected, _ = serial(root, None)
    assert app._frame == frame_of(expected, None)
    assert not app._preloaded
    assert all(m.view is None for m in collection.members)
    collection.load()  # the read after the frame: what the workers parsed, handed over
    assert collection.cache is not None and collection.cache.hits > 60


@pytest.mark.parametrize(("cached", "keep"), [(False, False), (True, False), (False, True)])
def test_the_read_after_a_cold_frame_takes_what_the_workers_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cached: bool, keep: bool
) -> None:
    """The workers send what their reads put in the parse cache: the units read after the
    frame (in the same process, as the app reads them) take every file from it, none parsed
    again, and are read as the serial read reads them; the next save writes them. `cached`:
    a cache file was there, one file changed since (its new entry is sent too). `keep`: sent
    to the writer's thread after the frame; the read waits for it."""
    root = awkward(tmp_path / "tinh")
    (root / "targets").mkdir()
    (root / "targets" / "2026.toml").write_text(GOOD_TARGETS, encoding="utf-8")
    monkeypatch.setenv("CHITIEU_CACHE_DIR", str(tmp_path / "other"))
    open_folder(root).load()  # a serial read with a cache of its own
    fresh = open_folder(root)
    fresh.load()  # from the file it saved: every file a read parses and keeps
    assert fresh.cache is not None
    parsed = fresh.cache.hits
    assert parsed > 60
    monkeypatch.setenv("CHITIEU_CACHE_DIR", str(tmp_path / "cache"))
    if cached:
        serial(root, None)  # fills the parse cache
        path = root / "u001" / "progress" / "2026-Q2.toml"
        path.write_text(path.read_text(encoding="utf-8").replace("thu = ", "thu = 1", 1), "utf-8")
    collection = open_folder(root)
    cold = cold_frame(collection, None, keep=keep)
    assert cold is not None
    cache = collection.cache  # asks the workers for them, once the frame is written
    assert cache is not None
    hits = cache.hits
    collection.load()  # the read after the frame
    assert cache.hits - hits == parsed
    if cold.writer is not None:
        cold.writer.join()
    assert frame_of(collection, None) == cold.frame
    again = open_folder(root)
    again.load()  # from the file `load` saved
    assert again.cache is not None and again.cache.hits == parsed
    assert frame_of(again, None) == cold.frame


def test_what_does_not_decode_is_not_adopted(tmp_path: Path) -> None:
    """`ParseCache.adopt` of bytes that are no entries: nothing taken, nothing to save."""
    root = awkward(tmp_path / "tinh")
    cache = open_folder(root).cache
    assert cache is not None
    for junk in (b"", b"\x93\x01", b"\x81\xa1a\x95\x01"):
        cache.adopt(junk)
    assert not cache.dirty


def test_a_screenshot_of_the_first_frame_keeps_nothing_parsed(tmp_path: Path) -> None:
    """`parsed=False` (a screenshot of the first frame: no unit read after it): the workers
    keep no parse cache, nothing is sent (the serial read after it parses every file)."""
    root = awkward(tmp_path / "tinh")
    collection = open_folder(root)
    cold = cold_frame(collection, None, parsed=False)
    assert cold is not None and cold.writer is not None
    cold.writer.join()
    cache = collection.cache
    assert cache is not None and not cache.dirty
    collection.load()
    assert cache.hits == 0


def test_meanwhile_runs_once_while_the_workers_read(tmp_path: Path) -> None:
    """`meanwhile` (the screenshot's import of Textual) runs once, in the main process, after
    the workers are asked to read; the frame is the same."""
    root = awkward(tmp_path / "tinh")
    ran: list[int] = []
    cold = cold_frame(open_folder(root), None, keep=False, meanwhile=lambda: ran.append(1))
    assert cold is not None and ran == [1]
    assert cold.frame == frame_of(serial(root, None)[0], None)


def test_the_hand_over_never_waits_in_the_event_loop(tmp_path: Path) -> None:
    """The parse cache's first ask after a cold frame waits for the workers' hand-over,
    except in the app's event loop (a unit's source first used there): the keys froze
    ~0.4 s once the frame was drawn. A thread asking still waits for it."""
    import asyncio  # lazy: only this test runs a loop
    import threading  # lazy: only this test makes threads

    root = awkward(tmp_path / "tinh")
    collection = open_folder(root)
    cache = collection.cache
    assert cache is not None
    writing = threading.Event()
    writer = threading.Thread(target=writing.wait, daemon=True)  # the frame's, still writing
    writer.start()
    asked = coldframe._hand_over([], cache, writer)  # no workers: nothing to take

    async def in_loop() -> None:
        asked()  # returns at once: the writer has not finished

    done = threading.Event()
    loop = threading.Thread(target=lambda: (asyncio.run(in_loop()), done.set()), daemon=True)
    waiting = threading.Thread(target=asked, daemon=True)
    try:
        loop.start()
        assert done.wait(30), "the event loop waited for the hand-over"
        waiting.start()
        waiting.join(0.2)
        assert waiting.is_alive()  # a thread waits until the hand-over is done
    finally:
        writing.set()
    waiting.join(30)
    assert not waiting.is_alive()


def test_a_worker_held_up_leaves_the_other_chunks_to_the_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers take the units chunk by chunk as they go, not half each: one held up by
    its first chunk (units of other sizes, another process on its core), the other reads
    every other chunk; the frame, errors and warnings are the serial read's, and the frame
    kept has each unit's stamps in the collection's order (the next open takes it)."""
    root = awkward(tmp_path / "tinh")
    monkeypatch.setattr(coldframe, "CHUNK_UNITS", 1, raising=False)  # one unit a chunk
    collection = open_folder(root)
    first, last = collection.members[0].key, collection.members[-1].key
    done, log = tmp_path / "done", tmp_path / "log"
    log.mkdir()
    read = coldframe._read

    def held(m: Any, period: Period | None) -> None:
        if m.key == first:  # until the other worker has read the last unit (30 s at most)
            for _ in range(3000):
                if done.exists():
                    break
                time.sleep(0.01)
        read(m, period)
        (log / m.key).write_text(str(os.getpid()), encoding="utf-8")
        if m.key == last:
            done.touch()

    monkeypatch.setattr(coldframe, "_read", held)
    cold = cold_frame(collection, None, parsed=False)
    assert cold is not None and cold.writer is not None
    cold.writer.join()
    pids = {m.key: (log / m.key).read_text(encoding="utf-8") for m in collection.members}
    assert len({pids[m.key] for m in collection.members[1:]}) == 1
    assert pids[first] != pids[last]
    read_serially, said = serial(root, None)
    assert cold.frame == frame_of(read_serially, None)
    assert [e.render() for e in cold.said] == said
    again = rowcache.cached_frame(open_folder(root), None)
    assert again is not None
    assert rowcache.msgspec.structs.replace(again, stamps=[]) == cold.frame


def other_shapes(root: Path) -> Path:
    """`awkward` with targets/, and a later folder of u006's unit id whose `thu` is counted
    in another unit of measure (đô la): the first unit of that shape, but a duplicate (not
    in the totals), before a unit of its own (zz-dola) in the same unit of measure."""
    awkward(root)
    (root / "targets").mkdir()
    (root / "targets" / "2026.toml").write_text(GOOD_TARGETS, encoding="utf-8")
    shutil.copytree(root / "u006", root / "u006b")
    defs = root / "u006b" / "chitieu.toml"
    text = defs.read_text(encoding="utf-8")
    defs.write_text(text.replace('unit = "tỉ đồng"', 'unit = "đô la"', 1), encoding="utf-8")
    inds = [{"id": "thu", "kind": "cumulative", "unit": "đô la", "target": 70}]
    write_unit(root, "zz-dola", inds, {"2026-Q1": {"thu": 7.0}, "2026-Q2": {"thu": 30.0}})
    return root


def test_a_duplicate_first_in_its_unit_of_measure_is_not_the_totals_reference(
    tmp_path: Path,
) -> None:
    """Each (column, unit of measure, kind) takes as its reference the first unit of it in
    the totals: a later folder of a unit id is not one (it is left out of the totals), the
    next unit of that shape, whichever worker read it, is; the same frame as the serial
    read."""
    root = other_shapes(tmp_path / "tinh")
    cold = cold_frame(open_folder(root), None, keep=False)
    assert cold is not None
    read, said = serial(root, None)
    assert cold.frame == frame_of(read, None)
    assert [e.render() for e in cold.said] == said
    (dola,) = [r for r in cold.frame.rows if r.name == "Phường zz-dola"]
    assert dola.rank is not None and dola.cells[cold.frame.columns.index("thu")].text


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_the_frame_of_the_parts_is_frame_of(tmp_path: Path, workers: int) -> None:
    """The frame made of the workers' parts (`_rows`, then `_frame`: the rows, the totals
    float for float, the columns' names, the left-out line, the targets' marks and note)
    is `frame_of` the units read, the members dealt round robin to 1, 2 or 3 workers (the
    reference indicator of each shape sent by whichever read it first)."""
    root = other_shapes(tmp_path / "tinh")
    read, _ = serial(root, None)
    expected = frame_of(read, None)
    columns = read.shown_columns()
    year, assigned = read.assignment(read.period)
    members = read.members
    for m in members:  # as the workers hold them: no folder marked a duplicate yet
        if m.duplicate:
            m.error = None
    later = coldframe._later(coldframe._info(members))
    assert later
    got: list[Any] = [None] * len(members)
    for k in range(workers):
        mine = list(range(k, len(members), workers))
        arg = (columns, assigned, year, later)
        parts = coldframe._rows(read, [members[i] for i in mine], mine, arg)
        for i, part in zip(mine, parts, strict=True):
            got[i] = part
    for m, (view, error, *_) in zip(members, got, strict=True):
        m.view, m.error = view, error  # the thin views, as the main process holds them
    coldframe.mark_duplicates(members)
    assert coldframe._frame(read, None, columns, got) == expected
    assert read.targets is not None and expected.left_out
    assert any(r.rules for r in expected.rows) and any(r.mark for r in expected.rows)
