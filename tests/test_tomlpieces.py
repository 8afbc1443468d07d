"""A large chitieu.toml read piece by piece (issue 23: one large unit, cold, at most 150 MiB):
the pieces' reading is the whole file's reading, or the whole file is read; every message is
the whole file's."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chitieu_tui.core import loader
from chitieu_tui.core.errors import ChitieuError, flatten
from chitieu_tui.core.tomlfile import Uncut, array_cuts, array_items, loads

_LINES = [
    *["[[indicator]]\n", "[[indicator]]\n", "[[indicator]]\n", "[[ indicator ]]\n"],
    *['id = "a"\n', 'id = "b"\n', "x = 1\n", "x = 2\n", "a.b = 1\n", "a.c = 2\n"],
    *["[indicator]\n", "[indicator.sub]\n", "[[indicator.sub]]\n", "indicator = []\n"],
    *["[dashboard]\n", "[[rule]]\n", "[a]\n", "[a.c]\n", "[t]\n", "schema = 1\n"],
    *['s = """\n', '"""\n', "l = '''\n", "'''\n", "y = [\n", "]\n", "1,\n", "# c\n"],
    *["# [[indicator]]\n", "\n", 'z = "[[indicator]]"\n', "\r\n", "[[indicator]]"],
    *["q = {r = 1}\n", "[indicator.q]\n", "[[group]]\n", "group = []\n", "[group]\n"],
]
_DOCS = st.lists(st.sampled_from(_LINES), max_size=30).map("".join)
_HEAD = ["schema = 1\n", "a.b = 1\n", "[t]\nx = 1\n", "[[group]]\nid = 'g'\n", "# c\n", "\n"]
_BODY = [
    *['id = "a"\n', "x = 1\n", "y.z = 2\n", "# c\n", "\n", "q = {r = 1}\n", "w = [1, 2]\n"],
    *["[indicator.sub]\nk = 1\n", "[[indicator.many]]\nk = 2\n", "[dashboard]\nh = 1\n"],
    *["[[rule]]\nl = 1\n", "[t]\ny = 2\n", "[t.u]\nv = 3\n", 's = """\n[[indicator]]\n"""\n'],
    *["m = '''\n[[indicator]]\nx = 1\n'''\n", "v = [\n1,\n]\n", "x = 2\n", "[indicator]\n"],
    *['n = "[[indicator]]"\n', "# [[indicator]]\n", "p = '''\n", "r = [\n"],
]
_SHAPED = st.builds(
    lambda head, blocks: "".join(head) + "".join("[[indicator]]\n" + b for b in blocks),
    st.lists(st.sampled_from(_HEAD), max_size=4),
    st.lists(st.lists(st.sampled_from(_BODY), max_size=4).map("".join), max_size=8),
)
"""Texts shaped as chitieu.toml (a head, then `[[indicator]]` blocks), most of them valid."""


def _typed(obj: Any) -> Any:
    """`obj` with every value's type spelled out (== alone takes 1 for 1.0 and True)."""
    if isinstance(obj, dict):
        return [(k, _typed(v)) for k, v in obj.items()]  # in order, as a parser gives them
    if isinstance(obj, list):
        return [_typed(v) for v in obj]
    if isinstance(obj, float):
        return ("float", "nan" if math.isnan(obj) else obj)
    return (type(obj).__name__, obj)


def _pieces(text: str, size: int) -> dict[str, Any] | None:
    """The pieces' reading joined (None: not cut)."""
    rest: dict[str, Any] = {}
    try:
        items = [item for part in array_items(text, "indicator", size, rest) for item in part]
    except Uncut:
        return None
    rest["indicator"] = items
    return rest


@settings(max_examples=3000, suppress_health_check=list(HealthCheck), deadline=None)
@given(st.one_of(_DOCS, _SHAPED), st.integers(min_value=0, max_value=60))
def test_the_pieces_read_what_the_whole_reads_or_are_not_cut(text: str, size: int) -> None:
    joined = _pieces(text, size)
    if joined is None:
        return
    try:
        whole = loads(text)
    except Exception as exc:  # noqa: BLE001
        pytest.fail(f"the pieces read a text the whole parse refuses ({exc!r}): {text!r}")
    assert _typed(joined) == _typed(whole)


def test_the_cuts_are_at_the_first_header_line_after_so_many_characters() -> None:
    text = 'schema = 1\n[[indicator]]\nid = "a"\n[[indicator]]\nid = "b"\n[[indicator]]\n'
    assert array_cuts(text, "indicator", 1) == [0, 11, 34, 57, len(text)]
    assert array_cuts(text, "indicator", 24) == [0, 11, 57, len(text)]
    assert array_cuts(text, "indicator", 23) == [0, 11, 34, 57, len(text)]
    assert array_cuts(text, "indicator", 1000) == [0, 11, len(text)]
    assert array_cuts(text.replace("\n", "\r\n"), "indicator", 1) is None
    assert array_cuts("schema = 1\n", "indicator", 1) is None


@pytest.mark.parametrize(
    "text",
    [
        # a multi-line string holding a header line: the piece before it does not parse
        'schema = 1\n[[indicator]]\nnote = """\n[[indicator]]\nid = 1\n"""\n[[indicator]]\n',
        "schema = 1\n[[indicator]]\nv = [\n1,\n[[indicator]]\n]\n",
        # the same table written in two pieces: only the whole parse judges it
        "[t]\na = 1\n[[indicator]]\n[t]\nb = 1\n",
        "[[indicator]]\n[t]\na = 1\n[[indicator]]\n[t.u]\nb = 1\n",
        "[[rule]]\na = 1\n[[indicator]]\n[[rule]]\nb = 1\n",
        # the array named in the head
        "indicator = []\n[[indicator]]\n",
        "[indicator]\n[[indicator]]\n",
    ],
)
def test_what_is_not_provably_the_same_is_not_cut(text: str) -> None:
    assert _pieces(text, 1) is None


def test_tables_after_the_array_and_comments_are_read_as_the_whole() -> None:
    text = (
        "schema = 1 # one\n[[indicator]]\n# [[indicator]]\nid = 'a'\n[indicator.sub]\nx = 1\n"
        "[[indicator]]\nid = 'b'\n[dashboard]\nheadline = ['a']\n[[rule]]\nleft = 'a'\n"
    )
    joined = _pieces(text, 1)
    assert joined is not None
    assert _typed(joined) == _typed(loads(text))


# ---------------------------------------------------------------------------------------
# the definitions: the same, or the same message


def _unit(n: int, extra: str = "", head: str = "", tail: str = "") -> str:
    lines = [
        "schema = 1",
        head,
        '[unit]\nid = "u"\nname = "Phường Thử"\nyear = 2026',
        '[[group]]\nid = "g"\nname = "Nhóm"',
        '[dashboard]\nheadline = ["c-1"]',
    ]
    for i in range(n):
        lines.append(
            f'[[indicator]]\nid = "c-{i}"\ngroup = "g"\nname = "Chỉ tiêu {i}"\n'
            f'unit = "người"\nkind = "level"\ntarget = {i + 1}\nowner = "Tổ {i % 3}"'
        )
        if i == n // 2:
            lines.append(extra)
    lines.append(tail)
    return "\n".join(lines) + "\n"


def _read(path: Path, pieces: bool, monkeypatch: pytest.MonkeyPatch) -> Any:
    with monkeypatch.context() as m:
        m.setattr(loader, "PIECES_FROM", 1 if pieces else 10**12)
        m.setattr(loader, "PIECE_CHARS", 300)
        try:
            return ("read", loader.load_definitions(path, "chitieu.toml"))
        except ChitieuError as exc:
            return ("error", [(e.render("en"), str(e.place)) for e in flatten(exc)])


@pytest.mark.parametrize(
    ("extra", "head", "tail"),
    [
        ("", "", ""),
        ('note = """\nmột\n[[indicator]]\nhai\n"""', "", ""),  # a header line in a string
        (
            "# [[indicator]]",
            "# đầu",
            '[[rule]]\nleft = "c-1"\nop = ">="\nright = "0"\nmessage = "ít nhất"',
        ),  # fmt: skip
        ('[[indicator]]\nid = "c-1"\ngroup = "g"\nname = "x"\nkind = "level"\ntarget = 1', "", ""),
        ("target2 = 5", "", ""),  # an unknown field in a later piece
        ("", "", "[dashboard]\nrefresh_seconds = 5"),  # a table written twice
        ('[[indicator]]\nid = "z"\ngroup = "nope"\nname = "x"\nkind = "level"\ntarget = 1', "", ""),
        ("", "", '[unit]\nid = "v"'),
        ("", 'title = "x"', ""),  # an unknown top-level name in the head
        ("", "", "[[indicator]]\nid = 5"),  # the last piece does not convert
        (
            '[[indicator]]\nid = "d"\ngroup = "g"\nname = "\\u0007bell"\nkind = "level"\ntarget = 1\n'
            'unit = "%\\u0001"',
            "",
            "",
        ),  # fmt: skip  - control characters: cleaned as the whole
    ],
)
def test_a_large_chitieu_toml_reads_as_the_whole_or_says_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, extra: str, head: str, tail: str
) -> None:
    path = tmp_path / "chitieu.toml"
    path.write_text(_unit(12, extra, head, tail), encoding="utf-8")
    assert _read(path, True, monkeypatch) == _read(path, False, monkeypatch)


def test_the_pieces_are_read_when_all_is_well(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "chitieu.toml"
    path.write_text(_unit(12), encoding="utf-8")
    seen: list[int] = []
    real = loader.array_items

    def counting(*args: Any) -> Any:
        for part in real(*args):
            seen.append(len(part))
            yield part

    monkeypatch.setattr(loader, "array_items", counting)
    got = _read(path, True, monkeypatch)
    assert got[0] == "read" and len(got[1].indicators) == 12
    assert sum(seen) == 12 and len(seen) > 3
    # the strings that repeat are shared across the pieces, as a whole read shares them
    owners = {id(ind.owner) for ind in got[1].indicators}
    assert len(owners) == 3


def test_a_large_read_holds_mallocs_threshold_a_small_one_does_not(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """glibc's malloc raises its mmap threshold after a large block is freed, and the blocks
    of a large read then stay in the heap (a first frame's peak 144 or 162 MiB from one run
    to the next): a large chitieu.toml's read holds it, once per process."""
    calls: list[int] = []
    monkeypatch.setattr(loader, "_malloc_fixed", False)

    class Libc:
        def mallopt(self, option: int, value: int) -> int:
            calls.append(option)
            assert value == loader.MMAP_THRESHOLD
            return 1

    monkeypatch.setattr("ctypes.CDLL", lambda name: Libc())
    path = tmp_path / "chitieu.toml"
    path.write_text(_unit(12), encoding="utf-8")
    monkeypatch.setattr(loader, "PIECES_FROM", 10**9)
    loader.load_definitions(path)
    assert calls == []
    monkeypatch.setattr(loader, "PIECES_FROM", 1)
    loader.load_definitions(path)
    loader.load_definitions(path)
    assert calls == [-3]  # M_MMAP_THRESHOLD, once


def test_a_unit_opened_alone_keeps_no_value_index_after_its_load(
    tmp_path: Path, cache_dir: Path
) -> None:
    """The index its progress files were checked with (7 MiB at 50,000 indicators, which a
    second open never makes) is let go of once the load is done."""
    from datadirs import copy_sample

    from chitieu_tui.core import filesource
    from chitieu_tui.core.filesource import FileSource

    root = copy_sample(tmp_path)
    with pytest.MonkeyPatch.context() as m:
        m.setattr(filesource, "SMALL_UNIT_BYTES", 0)
        source = FileSource(root, own_cache=True)
        source.load()
    assert source.data.cache is not None and source.data.cache.hits == 0  # read, not cached
    assert loader._INDEXES == {}
