"""`chitieu report --format json|csv` of a collection made in two worker processes (issue 23,
the country's report cold; report_workers.py): byte for byte the serial stream's output, the
same warnings and errors in the same order, on both data shapes (the bundled samples' and
generated units), with a targets file, broken units, a duplicate unit id, a unit changing
under the read, and a worker that fails."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from collectionkit import random_collection, write_unit
from test_report_stream import TARGETS

from chitieu_tui import report_workers
from chitieu_tui.cli import main
from chitieu_tui.core.collection import Collection, Member
from chitieu_tui.core.datadir import BUNDLED_COLLECTION
from chitieu_tui.core.model import Indicator
from chitieu_tui.core.parsecache import cache_file

pytestmark = pytest.mark.timeout(120)


@pytest.fixture(autouse=True)
def _few(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Workers from 2 units, 3 units a chunk (the chunks go to the workers in turn); a cache
    folder of the test's own."""
    monkeypatch.setattr(report_workers, "MIN_UNITS", 2)
    monkeypatch.setattr(report_workers, "CHUNK", 3)
    monkeypatch.setattr(report_workers, "_cores", lambda: 2)
    monkeypatch.setattr(report_workers, "_idle", lambda: 2.0)
    monkeypatch.setenv("CHITIEU_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv(report_workers.ENV_WORKERS, raising=False)


def awkward(root: Path, targets: bool = True) -> Path:
    """Generated units and: a broken unit, a later folder of a unit id (a duplicate), a unit
    whose newest quarter is broken (it must not set the common period), one that stopped in
    Q1 (read again at the common period), one with no progress, a number in exponent form,
    a value out of bounds (a warning); a targets file assigning some of them."""
    random_collection(root, 24)
    ind = [{"id": "thu", "kind": "cumulative", "unit": "tỉ đồng", "target": 100}]
    write_unit(root, "u005", ind, {"2026-Q2": {"thu": 7}}, folder="u005b")  # after u005
    write_unit(root, "u013", ind, {"2026-Q2": {"thu": 8}}, folder="zz-again")  # another chunk
    broken = write_unit(root, "zz-newer", ind, {"2026-Q2": {"thu": 3}})
    (broken / "progress" / "2026-Q3.toml").write_text("schema = 1\n[values\n", encoding="utf-8")
    write_unit(root, "zz-old", ind, {"2026-Q1": {"thu": 4}})
    write_unit(root, "zz-none", ind)
    pct = [{"id": "tl", "kind": "level", "unit": "%", "target": 90}]
    write_unit(root, "zz-over", pct, {"2026-Q2": {"tl": 130}})  # above 100%: a warning
    tiny = [{"id": "nho", "kind": "cumulative", "unit": "tấn", "target": 1e15}]
    write_unit(root, "zz-tiny", tiny, {"2026-Q2": {"nho": 0.00002}})
    if targets:
        (root / "targets").mkdir()
        (root / "targets" / "2026.toml").write_text(TARGETS, encoding="utf-8")
    return root


def sample_made(root: Path, count: int) -> Path:
    """The bundled collection's units copied round-robin to `count` units (their ids
    renamed), with its collection.toml and its targets/ (assigning the first five)."""
    units = sorted(p.name for p in BUNDLED_COLLECTION.iterdir() if (p / "chitieu.toml").is_file())
    shutil.copytree(BUNDLED_COLLECTION, root)
    for n in range(len(units), count):
        orig = units[n % len(units)]
        new = f"{orig}-{n:03d}"
        src = BUNDLED_COLLECTION / orig
        for path in src.rglob("*.toml"):
            out = root / new / path.relative_to(src)
            out.parent.mkdir(parents=True, exist_ok=True)
            text = path.read_text(encoding="utf-8")
            out.write_text(text.replace(f'"{orig}"', f'"{new}"'), encoding="utf-8")
    return root


def run(
    root: Path, argv: list[str], capsys: pytest.CaptureFixture[str], workers: bool
) -> tuple[str, str]:
    """The report's stdout and stderr, cold (the cache folder emptied first), in workers or
    serially (`CHITIEU_WORKERS=1`)."""
    shutil.rmtree(os.environ["CHITIEU_CACHE_DIR"], ignore_errors=True)
    os.environ[report_workers.ENV_WORKERS] = "2" if workers else "1"
    try:
        code = main(["--lang", "en", "report", "--config", str(root), *argv])
    finally:
        del os.environ[report_workers.ENV_WORKERS]
    out, err = capsys.readouterr()
    assert code == 0, err
    return out, err


@pytest.fixture
def used(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each report went to workers (`stream_report` gave pieces)."""
    seen: list[bool] = []
    real = report_workers.stream_report

    def spy(*args: Any) -> Iterator[str] | None:
        found = real(*args)
        seen.append(found is not None)
        return found

    monkeypatch.setattr(report_workers, "stream_report", spy)
    return seen


FORMS = [["--format", "json"], ["--format", "csv"], ["--format", "csv", "--rules"]]


@pytest.mark.parametrize("form", FORMS, ids=["json", "csv", "rules"])
@pytest.mark.parametrize("period", [None, "2026-Q1", "2026-Q3"])
@pytest.mark.parametrize("targets", [True, False])
def test_an_awkward_collection_in_workers_is_the_serial_report(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    used: list[bool],
    form: list[str],
    period: str | None,
    targets: bool,
) -> None:
    root = awkward(tmp_path / "wards", targets)
    argv = [*form, *(["--period", period] if period else [])]
    serial = run(root, argv, capsys, workers=False)
    assert run(root, argv, capsys, workers=True) == serial
    assert used == [False, True]
    assert "u005b" in serial[1] and "zz-again" in serial[1]  # the duplicates said
    assert ("zz-newer" in serial[1]) == (period != "2026-Q1")
    target = tmp_path / "out"  # --output: the same bytes
    shutil.rmtree(os.environ["CHITIEU_CACHE_DIR"], ignore_errors=True)
    assert main(["--lang", "en", "report", "--config", str(root), *argv, "-o", str(target)]) == 0
    assert used[-1] is True
    assert target.read_text(encoding="utf-8") == serial[0]


@pytest.mark.parametrize("form", FORMS, ids=["json", "csv", "rules"])
def test_sample_made_units_in_workers_are_the_serial_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], used: list[bool], form: list[str]
) -> None:
    root = sample_made(tmp_path / "country", 23)
    serial = run(root, form, capsys, workers=False)
    assert run(root, form, capsys, workers=True) == serial
    assert used == [False, True]
    if form == ["--format", "json"]:
        assert '"province_target"' in serial[0]  # the targets file was read and checked


def test_the_workers_fill_the_parse_cache_for_the_next_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], used: list[bool]
) -> None:
    root = awkward(tmp_path / "wards")
    out, err = run(root, ["--format", "json"], capsys, workers=True)
    path = cache_file(root, "parsed")
    assert path is not None and path.is_file()
    # warm: read serially from the workers' cache, the same report
    assert main(["--lang", "en", "report", "--config", str(root), "--format", "json"]) == 0
    assert capsys.readouterr() == (out, err)
    assert used == [True, False]


def test_a_unit_changing_under_the_read_is_read_as_it_now_is(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files changed after the common period is found (a unit with no progress, whose
    definitions the workers kept from that search; another's values): each unit is read as
    it is when the stream reaches it, in workers as serially."""
    root = awkward(tmp_path / "wards")
    none = root / "zz-none" / "chitieu.toml"
    values = root / "u010" / "progress" / "2026-Q2.toml"
    before = (none.read_text(encoding="utf-8"), values.read_text(encoding="utf-8"))

    def change() -> None:
        none.write_text(before[0].replace("target = 100", "target = 250"), encoding="utf-8")
        values.write_text(before[1] + "\n# changed\n", encoding="utf-8")

    def restore() -> None:
        none.write_text(before[0], encoding="utf-8")
        values.write_text(before[1], encoding="utf-8")

    real_newest = report_workers._newest
    real_streamed = Collection._streamed

    def newest(*args: Any) -> Any:
        found = real_newest(*args)
        change()
        return found

    def streamed(self: Collection, *args: Any) -> Iterator[Member]:
        change()
        return real_streamed(self, *args)

    monkeypatch.setattr(report_workers, "_newest", newest)
    monkeypatch.setattr(Collection, "_streamed", streamed)
    serial = run(root, ["--format", "json"], capsys, workers=False)
    assert '"target": 250' in serial[0]
    restore()
    assert run(root, ["--format", "json"], capsys, workers=True) == serial


def test_a_worker_that_fails_midway_leaves_the_rest_to_the_main_process(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = awkward(tmp_path / "wards")
    serial = run(root, ["--format", "csv"], capsys, workers=False)
    main_pid = os.getpid()
    real = report_workers._made

    def made(m: Member, plan: Any) -> Any:
        if m.key == "u014" and os.getpid() != main_pid:
            raise RuntimeError("a worker breaks")
        return real(m, plan)

    monkeypatch.setattr(report_workers, "_made", made)
    assert run(root, ["--format", "csv"], capsys, workers=True) == serial


def test_workers_failing_before_the_first_unit_give_the_serial_report(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    used: list[bool],
) -> None:
    root = awkward(tmp_path / "wards")
    serial = run(root, ["--format", "json"], capsys, workers=False)
    main_pid = os.getpid()
    real = report_workers._default_period

    def default_period(m: Member) -> Any:
        if os.getpid() != main_pid:
            os._exit(3)  # a worker that dies
        return real(m)

    monkeypatch.setattr(report_workers, "_default_period", default_period)
    assert run(root, ["--format", "json"], capsys, workers=True) == serial
    assert used == [False, False]


def test_few_units_a_warm_cache_or_a_busy_machine_stay_serial(
    tmp_path: Path, used: list[bool], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = awkward(tmp_path / "wards")
    argv = ["report", "--config", str(root), "--format", "json"]
    assert main(argv) == 0  # cold: workers
    assert main(argv) == 0  # warm: serial
    monkeypatch.setattr(report_workers, "_idle", lambda: -1.5)  # load 3.5 on 2 cores
    shutil.rmtree(os.environ["CHITIEU_CACHE_DIR"])
    assert main(argv) == 0  # no core to spare: serial
    monkeypatch.setenv(report_workers.ENV_WORKERS, "2")
    shutil.rmtree(os.environ["CHITIEU_CACHE_DIR"])
    assert main(argv) == 0  # asked for
    monkeypatch.delenv(report_workers.ENV_WORKERS)
    monkeypatch.setattr(report_workers, "_idle", lambda: 2.0)
    monkeypatch.setattr(report_workers, "MIN_UNITS", 1000)
    shutil.rmtree(os.environ["CHITIEU_CACHE_DIR"])
    assert main(argv) == 0  # few units
    assert used == [True, False, False, True, False]


def test_definitions_each_unit_has_its_own_are_sent_whole_not_compared_with_every_one() -> None:
    """Units written one by one (each its own target): a worker numbers at most
    `CANDIDATES` definitions of one id, unit and kind, so that a definition is compared
    with those few (it was with every one sent before: 28 s for 3,321 units); those made
    from one template are still sent once. Decoded, each unit's own definitions are back."""
    own = [Indicator(id="ct", group="g", name="C", kind="level", target=10 + n) for n in range(50)]
    template = [Indicator(id="tp", group="g", name="T", kind="level", target=5) for _ in range(50)]
    interned = report_workers._Interned()
    known: list[Indicator] = []
    sent = [
        interned.encode([(a, n), (b, n)])
        for n, (a, b) in enumerate(zip(own, template, strict=True))
    ]
    assert all(len(same) <= report_workers.CANDIDATES for same in interned.known.values())
    assert sum(1 for s in sent for number, ind, _ in s if ind is not None) == 50 + 1
    decoded = [report_workers._decode(known, s) for s in sent]
    assert [d[0][0] for d in decoded] == own and [d[1][0] for d in decoded] == template
    assert [d[0][1] for d in decoded] == list(range(50))
    assert len(known) <= report_workers.CANDIDATES + 1  # the unnumbered are kept nowhere
