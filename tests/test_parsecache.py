"""The cache of parsed files of a collection (issue 23): the same View as a cold read, never
in the data folder, and a damaged, stale or hostile cache is ignored and rebuilt."""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import os
import shutil
from array import array
from pathlib import Path
from typing import Any

import msgspec
import pytest
from collectionkit import random_collection, write_unit
from datadirs import tree_stamps
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chitieu_tui.core import parsecache
from chitieu_tui.core.collection import Collection, open_folder
from chitieu_tui.core.datadir import BUNDLED_COLLECTION
from chitieu_tui.core.parsecache import ParseCache
from chitieu_tui.core.source import View


def _view_key(view: View | None) -> Any:
    """A View as compared: everything but when it was read; warnings as words and places."""
    if view is None:
        return None
    words = [(w.code, w.render("en"), str(w.place)) for w in view.warnings]
    same = dataclasses.replace(view, loaded_at=None, warnings=[])  # type: ignore[arg-type]
    return same, words


def _state(c: Collection) -> list[Any]:
    return [
        (m.key, _view_key(m.view), None if m.error is None else m.error.render("en"))
        for m in c.members
    ] + [str(c.period), c.shown_columns()]


def _load(root: Path) -> Collection:
    c = open_folder(root)
    c.load()
    return c


def _cold(root: Path, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    with monkeypatch.context() as m:
        m.setenv(parsecache.ENV_SWITCH, "off")
        c = _load(root)
        assert c.cache is None
        return _state(c)


def _generated(tmp_path: Path) -> Path:
    root = random_collection(tmp_path / "wards", 9)
    # a value out of bounds and an unknown id (warnings), and texts with marks to clean
    write_unit(
        root,
        "warned",
        [{"id": "a", "kind": "level", "unit": "%", "target": 90, "max": 100}],
        {"2026-Q1": {"a": 140, "zz": 3}, "2026-Q2": {"a": {"value": 95, "note": "ổn\ttốt"}}},
        name="Phường \x1b[31mđỏ",
    )
    return root


@pytest.fixture(params=["sample", "generated"])
def collection_root(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    if request.param == "sample":
        root = tmp_path / "sample"
        shutil.copytree(BUNDLED_COLLECTION, root)
        return root
    return _generated(tmp_path)


def test_a_cached_load_gives_the_same_view_as_a_cold_one(
    collection_root: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cold = _cold(collection_root, monkeypatch)
    before = tree_stamps(collection_root)
    first = _load(collection_root)  # fills the cache
    assert first.cache is not None and first.cache.hits == 0
    assert _state(first) == cold
    files = list(cache_dir.rglob("*.bin"))
    assert len(files) == 1
    warm = _load(collection_root)
    assert warm.cache is not None and warm.cache.hits > 0
    assert _state(warm) == cold
    assert tree_stamps(collection_root) == before  # the data folder is never written


def test_an_edit_of_the_same_size_with_a_new_mtime_is_read_again(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "wards"
    write_unit(
        root, "a", [{"id": "x", "kind": "cumulative", "target": 100}], {"2026-Q1": {"x": 12}}
    )
    write_unit(
        root, "b", [{"id": "x", "kind": "cumulative", "target": 100}], {"2026-Q1": {"x": 30}}
    )
    _load(root)
    path = root / "a" / "progress" / "2026-Q1.toml"
    text = path.read_text(encoding="utf-8")
    st = path.stat()
    path.write_text(text.replace("x = 12", "x = 47"), encoding="utf-8")
    assert path.stat().st_size == st.st_size
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    warm = _load(root)
    board = warm.members[0].board
    assert board is not None and board.evaluations[0].ytd == 47
    assert _state(warm) == _cold(root, monkeypatch)
    # the definitions too: same size, new mtime
    defs = root / "b" / "chitieu.toml"
    st = defs.stat()
    defs.write_text(defs.read_text(encoding="utf-8").replace("100", "200"), encoding="utf-8")
    os.utime(defs, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    again = _load(root)
    board = again.members[1].board
    assert board is not None and board.definitions.indicators[0].target == 200
    assert _state(again) == _cold(root, monkeypatch)


def test_the_cache_can_be_turned_off_and_moved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _generated(tmp_path)
    monkeypatch.setenv(parsecache.ENV_SWITCH, "off")
    monkeypatch.setenv(parsecache.ENV_DIR, str(tmp_path / "moved"))
    assert _load(root).cache is None
    assert not (tmp_path / "moved").exists()
    monkeypatch.delenv(parsecache.ENV_SWITCH)
    _load(root)
    assert list((tmp_path / "moved").rglob("*.bin"))
    monkeypatch.delenv(parsecache.ENV_DIR)  # the user cache folder (XDG_CACHE_HOME here)
    _load(root)
    assert list((tmp_path / "xdg-cache").rglob("*.bin"))


def _cache_file(cache_dir: Path) -> Path:
    (found,) = cache_dir.rglob("*.bin")
    return found


CASES = itertools.count()


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_a_damaged_cache_is_ignored_and_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: st.DataObject
) -> None:
    case = tmp_path / f"case-{next(CASES)}"
    monkeypatch.setenv(parsecache.ENV_DIR, str(case / "cache"))
    root = _generated(case)
    cold = _cold(root, monkeypatch)
    _load(root)
    path = _cache_file(case / "cache")
    raw = bytearray(path.read_bytes())
    how = data.draw(st.sampled_from(["truncate", "flip", "splice", "random", "empty"]))
    if how == "truncate":
        raw = raw[: data.draw(st.integers(0, 2**24)) % len(raw)]
    elif how == "flip":
        for _ in range(data.draw(st.integers(1, 8))):
            i = data.draw(st.integers(0, 2**24)) % len(raw)
            raw[i] = data.draw(st.integers(0, 255))
    elif how == "splice":
        i = data.draw(st.integers(0, 2**24)) % (len(raw) + 1)
        raw[i:i] = data.draw(st.binary(min_size=1, max_size=64))
    elif how == "random":
        raw = bytearray(data.draw(st.binary(max_size=256)))
    else:
        raw = bytearray()
    path.write_bytes(bytes(raw))
    assert _state(_load(root)) == cold
    assert _state(_load(root)) == cold  # and once more, from the cache rebuilt


def _rewrite(path: Path, change: Any) -> None:
    """Change the store and write it with a right digest (a forged file, not a damaged one)."""
    head = len(parsecache.MAGIC) + 32
    store = msgspec.msgpack.decode(path.read_bytes()[head:], type=parsecache.Store)
    change(store)
    body = msgspec.msgpack.encode(store)
    path.write_bytes(parsecache.MAGIC + hashlib.blake2b(body, digest_size=32).digest() + body)


def _patched(entry: parsecache.Entry, **fields: Any) -> parsecache.Entry:
    obj = msgspec.msgpack.decode(entry.payload)
    # a progress is stored as [itself without values, positions, values]
    (obj[0] if isinstance(obj, list) else obj).update(fields)
    return msgspec.structs.replace(entry, payload=msgspec.msgpack.encode(obj))


def _positions(entry: parsecache.Entry, change: Any) -> parsecache.Entry:
    """The entry with its values' positions (and values) changed by `change`."""
    bare, packed, values = msgspec.msgpack.decode(entry.payload)
    positions, values = change(list(array(parsecache.POSITION, packed)), values)
    if isinstance(positions, list) and all(isinstance(x, int) for x in positions):
        positions = array(parsecache.POSITION, positions).tobytes()
    payload = msgspec.msgpack.encode([bare, positions, values])
    return msgspec.structs.replace(entry, payload=payload)


POSITIONS: dict[str, Any] = {
    "past the end": lambda p, v: ([*p[:-1], 10**6], v),
    "twice": lambda p, v: ([p[0], p[0], *p[2:]], v),
    "one value short": lambda p, v: (p, v[:-1]),
    "not a whole number of positions": lambda p, v: (b"\x01\x00\x00", v),
    "not bytes": lambda p, v: ([str(x) for x in p], v),
}


@pytest.mark.parametrize("name", list(POSITIONS))
def test_a_progress_entry_whose_positions_are_wrong_is_ignored(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """A progress's values are stored by their indicator's position in the definitions: a
    position out of range, negative or twice, or as many positions as values not, is no
    sound entry (the file is read again), and the others are still taken."""
    root = _generated(tmp_path)
    cold = _cold(root, monkeypatch)
    _load(root)
    prog = str((root / "u001" / "progress" / "2026-Q1.toml").absolute())

    def tamper(store: parsecache.Store) -> None:
        store.entries[prog] = _positions(store.entries[prog], POSITIONS[name])

    _rewrite(_cache_file(cache_dir), tamper)
    c = _load(root)
    assert _state(c) == cold
    assert c.cache is not None and c.cache.hits > 0


HOSTILE_DEFS: list[dict[str, Any]] = [
    {"unit": {"id": "u000", "name": "\x1b]0;pwned\x07 Phường", "year": 2026}},
    {"unit": {"id": "../../etc", "name": "x", "year": 2026}},
    {"indicator": []},
    {"group": [{"id": "g", "name": "\u202eNhóm"}]},
]


@pytest.mark.parametrize("change", HOSTILE_DEFS, ids=["escape", "id", "empty", "bidi"])
def test_a_hostile_definitions_entry_is_ignored(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch, change: dict[str, Any]
) -> None:
    root = _generated(tmp_path)
    cold = _cold(root, monkeypatch)
    _load(root)
    target = str((root / "u000" / "chitieu.toml").absolute())

    def tamper(store: parsecache.Store) -> None:
        store.entries[target] = _patched(store.entries[target], **change)

    _rewrite(_cache_file(cache_dir), tamper)
    assert _state(_load(root)) == cold


def test_a_hostile_progress_entry_or_another_version_is_ignored(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _generated(tmp_path)
    cold = _cold(root, monkeypatch)
    _load(root)
    prog = str((root / "warned" / "progress" / "2026-Q1.toml").absolute())
    other = str((root / "u000" / "progress" / "2026-Q1.toml").absolute())

    def tamper(store: parsecache.Store) -> None:
        store.entries[prog] = msgspec.structs.replace(store.entries[prog], warnings=[])
        store.entries[other] = _patched(store.entries[other], unit="someone-else")

    path = _cache_file(cache_dir)
    _rewrite(path, tamper)
    assert _state(_load(root)) == cold

    def older(store: parsecache.Store) -> None:
        store.version = parsecache.VERSION + 1
        for name, entry in store.entries.items():
            store.entries[name] = _patched(entry) if entry.kind == "defs" else entry

    _rewrite(path, older)
    c = _load(root)
    assert c.cache is not None and c.cache.hits == 0
    assert _state(c) == cold


def test_the_cache_is_never_written_through_a_link(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _generated(tmp_path)
    c = _load(root)
    assert c.cache is not None
    path = c.cache.path
    path.unlink()
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("mine", encoding="utf-8")
    path.symlink_to(elsewhere)
    assert _state(_load(root)) == _cold(root, monkeypatch)
    assert elsewhere.read_text(encoding="utf-8") == "mine"
    assert path.is_file() and not path.is_symlink()


def test_a_cache_folder_that_cannot_be_written_is_no_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _generated(tmp_path)
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv(parsecache.ENV_DIR, str(blocker / "cache"))
    assert _state(_load(root)) == _cold(root, monkeypatch)


def test_an_entry_of_another_collection_folder_is_not_used(tmp_path: Path, cache_dir: Path) -> None:
    root = _generated(tmp_path)
    a = ParseCache.for_folder(root)
    b = ParseCache.for_folder(tmp_path)
    assert a is not None and b is not None and a.path != b.path


async def test_a_reload_after_the_first_save_keeps_the_other_entries(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _generated(tmp_path)
    c = _load(root)  # saved once, the entries let go of
    path = root / "u001" / "progress" / "2026-Q1.toml"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    due = c.due()
    assert "u001" in [m.key for m in due]
    await c.aload(c.period, None, due)  # saves again: the file's entries and the new ones
    warm = _load(root)
    again = _load(root)  # everything there is to cache is cached by now
    assert warm.cache is not None and again.cache is not None
    assert warm.cache.hits == again.cache.hits > 0  # nothing was lost by the second save
    assert _state(warm) == _cold(root, monkeypatch)


def test_an_entry_that_does_not_decode_under_a_right_digest_is_ignored(
    tmp_path: Path, cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Entries stay encoded until their file is asked for: one that turns out not to decode
    (forged under a right digest) is dropped then, and the others are still used."""
    root = _generated(tmp_path)
    cold = _cold(root, monkeypatch)
    _load(root)
    path = _cache_file(cache_dir)
    head = len(parsecache.MAGIC) + 32
    store = msgspec.msgpack.decode(path.read_bytes()[head:], type=parsecache.LazyStore)
    target = str((root / "u000" / "chitieu.toml").absolute())
    prog = str((root / "u001" / "progress" / "2026-Q1.toml").absolute())
    entries: dict[str, Any] = dict(store.entries)
    entries[target] = msgspec.Raw(msgspec.msgpack.encode(12))
    entries[prog] = msgspec.Raw(msgspec.msgpack.encode(["not", "an", "entry"]))
    body = msgspec.msgpack.encode([store.version, store.schema, entries])
    path.write_bytes(parsecache.MAGIC + hashlib.blake2b(body, digest_size=32).digest() + body)
    c = _load(root)
    assert _state(c) == cold
    assert c.cache is not None and 0 < c.cache.hits < len(entries)
    again = _load(root)  # rebuilt: every entry decodes again
    assert _state(again) == cold
    assert again.cache is not None and again.cache.hits == len(entries)
