"""Tamper evidence (issue 20 item 7): the journal's hash chain, the digests, `chitieu verify`,
and the marks of a quarter changed after approval or by hand after closing."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
import tempfile
import tomllib
from pathlib import Path

import pytest
from datadirs import copy_sample, enter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chitieu_tui.cli import main
from chitieu_tui.core.chain import (
    AFTER_APPROVAL,
    HAND_AFTER_CLOSE,
    entry_hash,
    genesis,
    quarter_digest,
    tamper_mark,
    walk,
)
from chitieu_tui.core.datadir import DataDir
from chitieu_tui.core.journal import VIAS, Change, journal_bytes, read_journal
from chitieu_tui.core.periods import Period
from chitieu_tui.core.requests import Close
from chitieu_tui.core.verify import BROKEN, NOT_CHAINED, OK, verify_quarter

Q1 = Period(2026, 1)
ICT = dt.timezone(dt.timedelta(hours=7))


def _close(root: Path, period: Period = Q1) -> None:
    DataDir(root).write([Close(period=period, reason="giao ban", by="Chủ tịch")])


def _worked(root: Path) -> Path:
    """The sample with a few app writes into 2026-Q1 (found values journaled first)."""
    enter(root, Q1, "ket-nap-dang-vien", "7", by="Lan")
    enter(root, Q1, "bhyt", "91", note="tăng", by="Minh")
    enter(root, Q1, "ket-nap-dang-vien", "8", by="Lan")
    return root


def _verify(root: Path, *more: str, lang: str = "en") -> int:
    return main(["verify", "--config", str(root), "--lang", lang, *more])


# --- the canonical form --------------------------------------------------------------------

texts = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), max_size=20)
numbers = st.one_of(st.integers(-(10**12), 10**12), st.floats(-1e12, 1e12, allow_nan=False))
moments = st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1)).map(
    lambda d: d.replace(tzinfo=dt.UTC)
)


@given(
    at=moments,
    via=st.sampled_from(VIAS),
    by=texts,
    old=st.one_of(st.none(), numbers, st.booleans()),
    new=st.one_of(st.none(), numbers, st.booleans()),
    note=texts,
    prev=st.text("0123456789abcdef", min_size=64, max_size=64),
)
def test_equal_entries_hash_equal(
    at: dt.datetime,
    via: str,
    by: str,
    old: float | bool | None,
    new: float | bool | None,
    note: str,
    prev: str,
) -> None:
    """The same entry hashes the same whatever its time zone, and `6` as `6.0`."""

    def as_float(v: float | bool | None) -> float | bool | None:
        return v if v is None or isinstance(v, bool) else float(v)

    a = Change(at, via, by=by, id="x", old=old, new=new, note=note)
    b = Change(
        at.astimezone(ICT), via, by=by, id="x", old=as_float(old), new=as_float(new), note=note
    )
    assert entry_hash(a, prev) == entry_hash(b, prev)
    assert entry_hash(a, prev) != entry_hash(
        a, prev[::-1] if prev != prev[::-1] else "0" * 63 + "1"
    )


def test_bool_is_not_one_and_genesis_names_unit_and_period() -> None:
    at = dt.datetime(2026, 4, 2, 1, 30, tzinfo=dt.UTC)
    g = genesis("my-thoi", Q1)
    assert entry_hash(Change(at, "set", id="x", new=True), g) != entry_hash(
        Change(at, "set", id="x", new=1.0), g
    )
    assert len({g, genesis("my-thoi", Period(2026, 2)), genesis("an-hoa", Q1)}) == 3


def test_every_write_chains_from_the_genesis(tmp_path: Path) -> None:
    root = _worked(copy_sample(tmp_path))
    changes = read_journal(root / "journal" / "2026-Q1.toml")
    assert all(c.prev for c in changes)
    assert changes[0].prev == genesis("my-thoi", Q1)
    for before, after in zip(changes, changes[1:], strict=False):
        assert after.prev == entry_hash(before, before.prev)
    progress = tomllib.loads((root / "progress" / "2026-Q1.toml").read_text("utf-8"))
    assert progress["chain"] == walk("my-thoi", Q1, changes).head
    assert verify_quarter(DataDir(root), Q1).state == OK


# --- any change to any field of any entry ------------------------------------------------

_BASE: dict[str, Path] = {}


def _base() -> Path:
    """One worked folder (closed, so close entries are in it too), shared by the examples."""
    if "root" not in _BASE:
        home = Path(tempfile.mkdtemp(prefix="chain-base-"))
        root = _worked(copy_sample(home))
        _close(root)
        _BASE["root"] = root
    return _BASE["root"]


def _mutate(c: Change, field: str, data: st.DataObject) -> Change:
    if field == "at":
        return dataclasses.replace(
            c, at=c.at + dt.timedelta(seconds=data.draw(st.integers(1, 10**6)))
        )
    if field == "via":
        return dataclasses.replace(
            c, via=data.draw(st.sampled_from([v for v in VIAS if v != c.via]))
        )
    if field in ("by", "id", "note", "reason"):
        more = data.draw(st.text("abcxyzđêô", min_size=1, max_size=5))
        return dataclasses.replace(c, **{field: getattr(c, field) + more})
    if field in ("old", "new"):
        now = getattr(c, field)
        got = data.draw(st.one_of(st.none(), st.integers(0, 10**6), st.booleans()))
        if (
            now is None
            and got is None
            or (
                got is not None
                and now is not None
                and now == got
                and isinstance(now, bool) == isinstance(got, bool)
            )
        ):
            got = 123456.5
        return dataclasses.replace(
            c, **{field: None if got is None else got if isinstance(got, bool) else float(got)}
        )
    if field == "hand":
        return dataclasses.replace(c, hand=not c.hand)
    return dataclasses.replace(
        c, prev=data.draw(st.text("0123456789abcdef", min_size=64, max_size=64))
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.data(),
    field=st.sampled_from(
        ["at", "via", "by", "id", "old", "new", "note", "reason", "hand", "prev"]
    ),
)
def test_any_change_to_any_field_of_any_entry_is_detected(data: st.DataObject, field: str) -> None:
    base = _base()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "config"
        shutil.copytree(base, root)
        jpath = root / "journal" / "2026-Q1.toml"
        changes = read_journal(jpath)
        i = data.draw(st.integers(0, len(changes) - 1))
        changes[i] = _mutate(changes[i], field, data)
        jpath.write_bytes(journal_bytes("my-thoi", Q1, changes))
        found = verify_quarter(DataDir(root), Q1)
        assert found.state == BROKEN, (i, field, changes[i])


# --- script-style hand edits, through `chitieu verify` ------------------------------------


def _blocks(text: str) -> tuple[str, list[str]]:
    head, *rest = text.split("[[change]]\n")
    return head, ["[[change]]\n" + r for r in rest]


def _line_of(path: Path, n: int) -> int:
    """The line of the n-th (1-based) `[[change]]` header."""
    lines = path.read_text("utf-8").splitlines()
    return [i + 1 for i, line in enumerate(lines) if line == "[[change]]"][n - 1]


def test_verify_ok_on_a_worked_folder(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _worked(copy_sample(tmp_path))
    assert _verify(root, "--period", "2026-Q1") == 0
    assert capsys.readouterr().out.startswith("OK: ")


def test_a_value_changed_by_hand_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _worked(copy_sample(tmp_path))
    path = root / "progress" / "2026-Q1.toml"
    text = path.read_text("utf-8")
    path.write_text(re.sub(r"(?m)^bhyt = \{value = 91,", "bhyt = {value = 95,", text), "utf-8")
    assert _verify(root) == 1
    out = capsys.readouterr().out
    line = next(
        i + 1 for i, s in enumerate(path.read_text("utf-8").splitlines()) if s.startswith("bhyt =")
    )
    assert f"progress/2026-Q1.toml:{line}:" in out
    assert "bhyt is 95 in the progress file but the journal says 91" in out


def test_a_journal_field_changed_by_hand_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _worked(copy_sample(tmp_path))
    jpath = root / "journal" / "2026-Q1.toml"
    head, blocks = _blocks(jpath.read_text("utf-8"))
    k = len(blocks) - 2  # the second `bhyt`… no: the entry before the last
    blocks[k] = blocks[k].replace('by = "Minh"', 'by = "Someone else"')
    assert 'by = "Someone else"' in blocks[k]
    jpath.write_text(head + "".join(blocks), "utf-8")
    assert _verify(root) == 1
    out = capsys.readouterr().out
    # the entry after the changed one no longer follows it: its place, time and id
    assert f"journal/2026-Q1.toml:{_line_of(jpath, k + 2)}:" in out
    assert f"journal entry {k + 2} (" in out and "ket-nap-dang-vien)" in out


def test_deleting_an_entry_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _worked(copy_sample(tmp_path))
    jpath = root / "journal" / "2026-Q1.toml"
    head, blocks = _blocks(jpath.read_text("utf-8"))
    del blocks[3]
    jpath.write_text(head + "".join(blocks), "utf-8")
    assert _verify(root) == 1
    out = capsys.readouterr().out
    assert f"journal/2026-Q1.toml:{_line_of(jpath, 4)}:" in out
    assert "journal entry 4 (" in out


def test_deleting_the_last_entry_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _worked(copy_sample(tmp_path))
    jpath = root / "journal" / "2026-Q1.toml"
    head, blocks = _blocks(jpath.read_text("utf-8"))
    jpath.write_text(head + "".join(blocks[:-1]), "utf-8")
    assert _verify(root) == 1
    assert "is not the one the progress file records" in capsys.readouterr().out


def test_reordering_entries_is_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _worked(copy_sample(tmp_path))
    jpath = root / "journal" / "2026-Q1.toml"
    head, blocks = _blocks(jpath.read_text("utf-8"))
    blocks[1], blocks[2] = blocks[2], blocks[1]
    jpath.write_text(head + "".join(blocks), "utf-8")
    assert _verify(root, lang="vi") == 1
    out = capsys.readouterr().out
    assert f"journal/2026-Q1.toml:{_line_of(jpath, 2)}:" in out
    assert "mục thứ 2 của nhật ký" in out


def test_an_old_journal_is_not_chained_until_the_next_write(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _worked(copy_sample(tmp_path))
    jpath = root / "journal" / "2026-Q1.toml"
    ppath = root / "progress" / "2026-Q1.toml"
    jpath.write_text(re.sub(r'(?m)^prev = ".*"\n', "", jpath.read_text("utf-8")), "utf-8")
    ppath.write_text(re.sub(r'(?m)^chain = ".*"\n', "", ppath.read_text("utf-8")), "utf-8")
    old = read_journal(jpath)
    assert not any(c.prev for c in old)
    assert verify_quarter(DataDir(root), Q1).state == NOT_CHAINED
    assert _verify(root, "--period", "2026-Q1", lang="vi") == 0
    assert "chưa có chuỗi băm" in capsys.readouterr().out
    assert (
        main(["set", "--config", str(root), "--period", "2026-Q1", "bhyt", "92", "--no-snapshot"])
        == 0
    )
    capsys.readouterr()
    assert _verify(root, "--period", "2026-Q1") == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: ") and "not chained" not in out
    now = read_journal(jpath)
    assert now[: len(old)] == old  # the old entries stay as they were
    assert now[len(old)].prev == walk("my-thoi", Q1, old).head  # chained from all of them
    # and an unhashed entry slipped in after the chain began is named
    head, blocks = _blocks(jpath.read_text("utf-8"))
    blocks.append(blocks[0])
    jpath.write_text(head + "".join(blocks), "utf-8")
    assert verify_quarter(DataDir(root), Q1).state == BROKEN


def test_verify_a_collection_names_the_unit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from hostile_server import make_ward

    good = make_ward(tmp_path / "root" / "an-hoa", "an-hoa", "Phường An Hòa")
    bad = make_ward(tmp_path / "root" / "my-thoi")
    enter(good, Q1, "bhyt", "91", by="Lan")
    _worked(bad)
    path = bad / "progress" / "2026-Q1.toml"
    path.write_text(path.read_text("utf-8").replace("value = 8,", "value = 9,"), "utf-8")
    assert _verify(tmp_path / "root") == 1
    out = capsys.readouterr().out
    assert "my-thoi/progress/2026-Q1.toml" in out
    assert "1 of 2 units do not verify" in out


# --- digests and marks ----------------------------------------------------------------------


def test_a_closed_quarter_changed_by_hand_is_marked_and_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _worked(copy_sample(tmp_path))
    _close(root)
    data = DataDir(root)
    progress = data.progress(Q1, data.definitions())
    assert progress is not None and progress.closed is not None
    assert progress.closed.digest == quarter_digest(progress)
    assert tamper_mark(progress) is None
    path = root / "progress" / "2026-Q1.toml"
    path.write_text(path.read_text("utf-8").replace("value = 8,", "value = 9,"), "utf-8")
    before = {p.name: p.read_bytes() for p in (root / "journal").iterdir()}
    progress = data.progress(Q1, data.definitions())
    assert tamper_mark(progress) == HAND_AFTER_CLOSE
    assert _verify(root) == 1
    assert "ket-nap-dang-vien is 9" in capsys.readouterr().out
    assert before == {p.name: p.read_bytes() for p in (root / "journal").iterdir()}  # read only


def _approve_by_hand(root: Path, digest: str) -> None:
    """What the approval writes (another helper's command): `[closed].approved`."""
    path = root / "progress" / "2026-Q1.toml"
    text = path.read_text("utf-8").rstrip("\n")
    text += (
        '\napproved = { at = 2026-04-10T09:00:00+07:00, by = "Tỉnh", note = "đạt", '
        f'digest = "{digest}" }}\n'
    )
    path.write_text(text, "utf-8")


def test_an_approved_quarter_changed_is_marked_and_fails(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _worked(copy_sample(tmp_path))
    _close(root)
    data = DataDir(root)
    progress = data.progress(Q1, data.definitions())
    assert progress is not None
    _approve_by_hand(root, quarter_digest(progress))
    progress = data.progress(Q1, data.definitions())
    assert progress is not None and progress.closed is not None
    assert progress.closed.approved is not None and progress.closed.approved.by == "Tỉnh"
    assert tamper_mark(progress) is None
    assert _verify(root, "--period", "2026-Q1") == 0
    capsys.readouterr()
    # values, journal, chain and close digest all changed consistently: only the approval's
    # digest still tells
    path = root / "progress" / "2026-Q1.toml"
    text = path.read_text("utf-8")
    text = re.sub(r'(?m)^digest = ".*"\n', "", text).replace("value = 8,", "value = 9,")
    path.write_text(text, "utf-8")
    jpath = root / "journal" / "2026-Q1.toml"
    changes = read_journal(jpath)
    changes = [
        dataclasses.replace(c, new=9.0) if c.id == "ket-nap-dang-vien" and c.new == 8.0 else c
        for c in changes
    ]
    changes = [dataclasses.replace(c, prev="") for c in changes]
    jpath.write_bytes(journal_bytes("my-thoi", Q1, changes))
    path.write_text(re.sub(r'(?m)^chain = ".*"\n', "", path.read_text("utf-8")), "utf-8")
    progress = data.progress(Q1, data.definitions())
    assert tamper_mark(progress) == AFTER_APPROVAL
    assert _verify(root, "--period", "2026-Q1", lang="vi") == 1
    assert "sửa sau khi duyệt" in capsys.readouterr().out


def test_the_approved_table_is_strict(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _worked(copy_sample(tmp_path))
    _close(root)
    path = root / "progress" / "2026-Q1.toml"
    path.write_text(
        path.read_text("utf-8").rstrip("\n")
        + '\napproved = { at = 2026-04-10T09:00:00+07:00, by = "Tỉnh", colour = "x" }\n',
        "utf-8",
    )
    assert main(["check", "--config", str(root), "--lang", "en"]) == 1
    assert 'unknown field "colour"' in capsys.readouterr().err


def test_the_rollup_row_carries_the_mark(tmp_path: Path) -> None:
    from hostile_server import make_ward

    from chitieu_tui.core.collection import open_folder
    from chitieu_tui.present.rollup import unit_rows

    ward = make_ward(tmp_path / "root" / "my-thoi")
    make_ward(tmp_path / "root" / "an-hoa", "an-hoa", "Phường An Hòa")
    _worked(ward)
    _close(ward)
    path = ward / "progress" / "2026-Q1.toml"
    path.write_text(path.read_text("utf-8").replace("value = 8,", "value = 9,"), "utf-8")
    collection = open_folder(tmp_path / "root")
    collection.load(Q1)
    rows = {r.member.unit_id: r for r in unit_rows(collection, [])}
    assert rows["my-thoi"].mark == "sửa tay sau khi chốt"
    assert rows["an-hoa"].mark == ""


@pytest.mark.timeout(90)
async def test_the_header_marks_a_closed_quarter_changed_by_hand(tmp_path: Path) -> None:
    from tuikit import RecordingApp as App
    from tuikit import dash, settle

    from chitieu_tui.core.filesource import FileSource
    from chitieu_tui.widgets import HeaderBar

    root = _worked(copy_sample(tmp_path))
    _close(root)
    path = root / "progress" / "2026-Q1.toml"
    path.write_text(path.read_text("utf-8").replace("value = 8,", "value = 9,"), "utf-8")
    before = sorted((p.name, p.stat().st_mtime_ns) for p in (root / "journal").iterdir())
    app = App(FileSource(root))
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        shown = str(dash(app).query_one(HeaderBar).render())
        assert "đã nộp" in shown and "sửa tay sau khi chốt" in shown
    assert before == sorted((p.name, p.stat().st_mtime_ns) for p in (root / "journal").iterdir())
