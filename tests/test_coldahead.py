"""A large unit opened cold, past what `read_apart` reads (present/coldunit.py, issue 23):
chitieu.toml's pieces and its progress files parsed ahead by a forked worker
(`parse_ahead`). The same view, warnings, errors and cache file as a serial read."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest
from datadirs import tree_stamps
from test_coldunit import _cold_shot, _outcome
from test_coldunit import warned as _warned

from chitieu_tui.cli import main
from chitieu_tui.core import filesource, loader, tomlfile
from chitieu_tui.core.filesource import FileSource
from chitieu_tui.core.periods import Period
from chitieu_tui.i18n import use
from chitieu_tui.present import coldunit

warned = _warned
"""The fixture: the sample with two warnings in Q1 (as tests/test_coldunit.py reads it)."""
pytestmark = pytest.mark.timeout(120)
Q1 = Period(2026, 1)


@pytest.fixture(autouse=True)
def _large(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The sample counts as large, past `read_apart`'s bound (and as having a parse cache of
    its own); two cores, one idle; a cache folder of the test's own."""
    monkeypatch.setattr(coldunit, "MIN_BYTES", 0)
    monkeypatch.setattr(coldunit, "MAX_BYTES", 0)
    monkeypatch.setattr(filesource, "SMALL_UNIT_BYTES", 0)
    monkeypatch.setattr(loader, "PIECES_FROM", 1)  # the sample's chitieu.toml in pieces
    monkeypatch.setattr(loader, "PIECE_CHARS", 400)
    monkeypatch.setattr(coldunit, "_cores", lambda: 2)
    monkeypatch.setattr(coldunit, "_core_free", lambda: True)
    monkeypatch.setenv("CHITIEU_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv(coldunit.ENV_WORKERS, raising=False)
    monkeypatch.delenv("CHITIEU_CACHE", raising=False)
    use("vi")
    yield
    tomlfile.hand_over(None)


def _serial(root: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The view (or the error) of a serial read of `root` with no cache."""
    with monkeypatch.context() as m:
        m.setenv("CHITIEU_CACHE", "off")
        source = FileSource(root, own_cache=True)
        assert coldunit.parse_ahead(source) is None
        return _outcome(source)


def _cache_files(tmp_path: Path, folder: str = "cache") -> list[Path]:
    return sorted((tmp_path / folder).rglob("*.bin"))


def _taken(monkeypatch: pytest.MonkeyPatch, method: str) -> list[tuple[Any, bool]]:
    """Each file (`parsed`: its name) or piece of chitieu.toml (`piece`: its number) asked
    of the worker's hand-over, and whether it was taken."""
    asked: list[tuple[Any, bool]] = []
    ask = getattr(coldunit.Ahead, method)

    def recorded(self: coldunit.Ahead, what: Any, text: str) -> Any:
        got = ask(self, what, text)
        if not isinstance(what, Path) or what.parent.name == "progress":  # (not years/)
            asked.append((what.name if isinstance(what, Path) else what, got is not None))
        return got

    monkeypatch.setattr(coldunit.Ahead, method, recorded)
    return asked


def _handed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, bool]]:
    return _taken(monkeypatch, "parsed")


def _pieces_handed(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, bool]]:
    return _taken(monkeypatch, "piece")


def _parsed_ahead(root: Path) -> tuple[FileSource, coldunit.Ahead]:
    """`root` opened alone, its files parsed ahead, until the worker has parsed every file and
    ended (this process never waits for it: what it has not done is done here)."""
    source = FileSource(root, own_cache=True)
    ahead = coldunit.parse_ahead(source)
    assert ahead is not None
    _ahead_done(ahead)
    return source, ahead


def _ahead_done(ahead: coldunit.Ahead) -> None:
    """Until the worker has parsed every file and ended (not reaped: `close` does)."""
    pid = ahead._pid
    assert pid is not None
    os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT)


# -- the progress files parsed ahead ------------------------------------------------------


def test_what_is_parsed_ahead_is_what_the_serial_read_parses(
    warned: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = _serial(warned, monkeypatch)
    asked = _handed(monkeypatch)
    pieces = _pieces_handed(monkeypatch)
    source, ahead = _parsed_ahead(warned)
    assert source.preload(Q1) is not None  # then let go of, the worker reaped
    assert asked and all(taken for _, taken in asked)  # every file taken from the worker
    assert ("2026-Q1.toml", True) in asked
    assert len(pieces) >= 3 and all(taken for _, taken in pieces)  # and every piece
    assert tomlfile._handed is None and ahead._pid is None
    assert _outcome(FileSource(warned, own_cache=True)) == serial
    assert len(serial[1]) >= 2  # the warnings are there, and the same


def test_a_file_changed_after_the_worker_parsed_it_is_read_again(
    warned: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    asked = _handed(monkeypatch)
    source, _ = _parsed_ahead(warned)  # it parsed the file as it was
    path = warned / "progress" / "2026-Q1.toml"
    text = path.read_text(encoding="utf-8")
    assert "bhyt = 120.0" in text
    path.write_text(text.replace("bhyt = 120.0", "bhyt = 95.5"), encoding="utf-8")
    got = _outcome(source)
    assert ("2026-Q1.toml", False) in asked  # not taken: parsed here
    assert any(taken for _, taken in asked)  # the others were
    tomlfile.hand_over(None)
    assert got == _serial(warned, monkeypatch)
    assert "95.5" in repr(got)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("[values]\n", "[values\n"),  # does not parse
        ("bhyt = 120.0", 'bhyt = "nhiều"'),  # not a number
        ("khong_co = 3", "khong_co = [1, 2]"),  # an unknown id, of a wrong type too
        ("bhyt = 120.0", "bhyt = 1979-05-27T07:32:00-08:00"),  # a time with an offset
    ],
)
def test_a_broken_progress_file_gives_the_same_error(
    warned: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str
) -> None:
    path = warned / "progress" / "2026-Q1.toml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    serial = _serial(warned, monkeypatch)
    asked = _handed(monkeypatch)
    source, _ = _parsed_ahead(warned)
    assert _outcome(source) == serial
    assert ("2026-Q1.toml", old != "[values]\n") in asked  # a syntax error: parsed here
    tomlfile.hand_over(None)


@pytest.mark.parametrize("kind", ["folder", "fifo"])
def test_a_progress_file_that_is_not_a_file_gives_the_same_error(
    warned: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    """A folder, or a pipe with no writer (which must not hang the worker), where a quarter's
    file should be: the serial read's message, never the worker's."""
    path = warned / "progress" / "2026-Q1.toml"
    path.unlink()
    if kind == "folder":
        path.mkdir()
    else:
        os.mkfifo(path)
    serial = _serial(warned, monkeypatch)
    assert (
        serial[1] in ("err.file.is_folder", "err.file.not_regular") and "2026-Q1.toml" in serial[3]
    )
    asked = _handed(monkeypatch)
    source, _ = _parsed_ahead(warned)
    assert _outcome(source) == serial
    assert ("2026-Q1.toml", True) not in asked  # nothing of the worker's taken for it
    tomlfile.hand_over(None)


def test_a_worker_that_dies_leaves_the_files_to_parse_here(
    warned: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = _serial(warned, monkeypatch)
    asked = _handed(monkeypatch)
    monkeypatch.setattr(coldunit, "_ahead_child", lambda *_: os._exit(3))
    source = FileSource(warned, own_cache=True)
    assert coldunit.parse_ahead(source) is not None
    assert _outcome(source) == serial
    assert asked and not any(taken for _, taken in asked)
    tomlfile.hand_over(None)


def test_not_parsed_ahead(warned: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def ahead(source: FileSource | None = None) -> bool:
        got = coldunit.parse_ahead(source or FileSource(warned, own_cache=True))
        tomlfile.hand_over(None)
        return got is not None

    with monkeypatch.context() as m:
        m.setenv(coldunit.ENV_WORKERS, "1")
        assert not ahead()
    with monkeypatch.context() as m:
        m.setattr(coldunit, "MAX_BYTES", 10**9)  # `read_apart`'s (or too small)
        assert not ahead()
    with monkeypatch.context() as m:
        m.setattr(coldunit, "_cores", lambda: 1)
        assert not ahead()
    with monkeypatch.context() as m:
        m.setattr(coldunit, "_core_free", lambda: False)
        assert not ahead()
        m.setenv(coldunit.ENV_WORKERS, "2")  # asked for all the same
        assert ahead()
    assert not ahead(FileSource(warned))  # no cache of its own (a collection's member)
    source = FileSource(warned, own_cache=True)
    source.load(Q1)
    source.save_cache()
    assert not ahead()  # a second open: from the cache


def test_the_cli_screenshot_is_the_serial_one(
    warned: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`chitieu screenshot` of a cold unit: the same screen, warnings and cache file with its
    files parsed ahead as without."""
    asked = _handed(monkeypatch)
    shots: list[tuple[str, str, bytes]] = []
    for workers in ("", "1"):
        svg, said, files = _cold_shot(warned, tmp_path, monkeypatch, capsys, workers)
        assert len(files) == 1  # whole when the command ends
        shots.append((svg, said, files[0].read_bytes()))
        assert tomlfile._handed is None
        if workers == "":
            assert asked  # taken or done here, whichever came first
            asked.clear()
    assert asked == []  # serial: nothing parsed ahead
    assert shots[0] == shots[1]


def test_a_cold_open_with_the_worker_leaves_the_data_folder_as_it_found_it(
    warned: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Reading never writes (DESIGN section 7): the parse cache goes to the cache folder,
    the worker's results to a file in memory, nothing into the unit's folder."""
    before = tree_stamps(warned)
    monkeypatch.setenv(coldunit.ENV_WORKERS, "2")
    asked = _handed(monkeypatch)
    out = tmp_path / "s.svg"
    args = ["screenshot", "--config", str(warned), "-o", str(out), "--size", "120x40"]
    assert main([*args, "--period", "2026-Q1"]) == 0
    assert asked  # the files were parsed ahead
    assert _cache_files(tmp_path)  # and the cache saved, outside the unit
    assert tree_stamps(warned) == before


def test_the_dashboard_lets_go_of_the_worker_when_its_start_is_interrupted(
    warned: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl+C while Textual is imported (after the worker was forked): the worker is ended
    and reaped, nothing handed over is kept."""
    from chitieu_tui.cli import tui  # lazy: the command's module, patched here

    made: list[coldunit.Ahead | None] = []
    parse_ahead = coldunit.parse_ahead

    def recorded(source: object) -> coldunit.Ahead | None:
        made.append(parse_ahead(source))
        return made[-1]

    def interrupted() -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(coldunit, "parse_ahead", recorded)
    monkeypatch.setattr(tui, "_import_app", interrupted)
    monkeypatch.setenv("TERM", "xterm-256color")
    assert main(["--config", str(warned)]) == 130  # interrupted, as Ctrl+C is told
    assert made and made[0] is not None and made[0]._pid is None  # ended and reaped
    assert tomlfile._handed is None


def test_a_unit_that_does_not_read_leaves_no_cache(
    warned: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """The quarter shown does not parse: the same error, and no cache file, as serially (the
    dashboard saves the cache only after a view is shown)."""
    path = warned / "progress" / "2026-Q1.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("[values]\n", "[values\n"))
    said: list[str] = []
    for workers in ("", "1"):
        cache = tmp_path / f"cache{workers}"
        monkeypatch.setenv("CHITIEU_CACHE_DIR", str(cache))
        monkeypatch.setenv(coldunit.ENV_WORKERS, workers)
        args = ["screenshot", "--config", str(warned), "-o", str(tmp_path / "s.svg")]
        assert main([*args, "--period", "2026-Q1"]) == 1
        said.append(capsys.readouterr().err)
        assert not list(cache.rglob("*.bin"))
        assert not (tmp_path / "s.svg").exists()
    assert said[0] == said[1] and "2026-Q1.toml" in said[0]


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("[[indicator]]\n", "[[indicator]]\nbogus = 1\n"),  # an unknown key
        ('kind = "level"', 'kind = "levels"'),  # not a kind
        ('kind = "level"', "kind = [1,"),  # does not parse
        ('kind = "level"', 'kind = "level"\nid = "ho-ngheo"'),  # twice in one table
        ("[[indicator]]\n", '[[indicator]]\nid = "ho-ngheo"\n[[indicator]]\n'),  # an id twice
    ],
)
def test_a_broken_chitieu_toml_gives_the_same_error(
    warned: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str
) -> None:
    """A problem in a late piece of chitieu.toml: the worker's pieces are taken or not, and
    the error is the whole file's, at its place, as serially."""
    path = warned / "chitieu.toml"
    text = path.read_text(encoding="utf-8")
    at = text.rfind(old)
    assert at > len(text) // 2
    path.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")
    serial = _serial(warned, monkeypatch)
    pieces = _pieces_handed(monkeypatch)
    source, _ = _parsed_ahead(warned)
    assert _outcome(source) == serial
    assert pieces and any(taken for _, taken in pieces)
    tomlfile.hand_over(None)


def test_a_chitieu_toml_changed_after_the_worker_read_it_is_read_again(
    warned: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pieces = _pieces_handed(monkeypatch)
    source, _ = _parsed_ahead(warned)
    path = warned / "chitieu.toml"
    text = path.read_text(encoding="utf-8")
    at = text.rfind('name = "')
    path.write_text(text[: at + 8] + "Đã đổi tên, " + text[at + 8 :], encoding="utf-8")
    got = _outcome(source)
    tomlfile.hand_over(None)
    assert got == _serial(warned, monkeypatch)
    assert "Đã đổi tên" in repr(got)
    assert (len(pieces), True) not in pieces  # the last piece changed: read here
    assert any(taken for _, taken in pieces)  # the others were taken


def test_this_process_never_waits_for_the_worker(
    warned: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker that never tells anything (stuck): everything is read here, as serially, and
    the worker is ended when the read is done."""
    serial = _serial(warned, monkeypatch)
    asked = _handed(monkeypatch)
    pieces = _pieces_handed(monkeypatch)
    monkeypatch.setattr(coldunit, "_ahead_child", lambda *_: signal.pause())
    source = FileSource(warned, own_cache=True)
    ahead = coldunit.parse_ahead(source)
    assert ahead is not None
    pid = ahead._pid
    assert source.preload(Q1) is not None
    assert asked and pieces and not any(taken for _, taken in asked + pieces)  # type: ignore[operator]
    assert ahead._pid is None
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # killed and reaped
    assert _outcome(FileSource(warned, own_cache=True)) == serial


# -- chitieu.toml's text, read once and shared with the worker ----------------------------


def _reads_of(monkeypatch: pytest.MonkeyPatch, name: str) -> list[Path]:
    """Each time the bytes of a file called `name` are read (`tomlfile._read_bounded`)."""
    reads: list[Path] = []
    read = tomlfile._read_bounded

    def counted(path: Path, where: str) -> bytes:
        if Path(path).name == name:
            reads.append(Path(path))
        return read(path, where)

    monkeypatch.setattr(tomlfile, "_read_bounded", counted)
    return reads


def test_chitieu_toml_is_read_once_and_its_text_shared_with_the_worker(
    warned: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Read before the worker is forked (the two share its text: not a second copy in the
    worker), and that text is the one the load checks: the file is read once, and the view
    is the serial one."""
    serial = _serial(warned, monkeypatch)
    reads = _reads_of(monkeypatch, "chitieu.toml")
    pieces = _pieces_handed(monkeypatch)
    source = FileSource(warned, own_cache=True)
    ahead = coldunit.parse_ahead(source)
    assert ahead is not None and len(reads) == 1  # before the fork
    _ahead_done(ahead)
    assert _outcome(source) == serial
    assert len(reads) == 1  # not again by the load
    assert pieces and all(taken for _, taken in pieces)  # cut from that text by the worker


def test_a_chitieu_toml_changed_after_its_early_read_is_read_again(
    warned: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The file changed between the early read and the load (another size, a later time):
    the load reads it again and shows what it says now, as a serial read would."""
    reads = _reads_of(monkeypatch, "chitieu.toml")
    source = FileSource(warned, own_cache=True)
    assert coldunit.parse_ahead(source) is not None
    path = warned / "chitieu.toml"
    text = path.read_text(encoding="utf-8")
    at = text.find('name = "') + len('name = "')
    path.write_text(text[:at] + "Đổi sau khi đọc, " + text[at:], encoding="utf-8")
    os.utime(path, ns=(1, 10**18))  # whatever the clock's grain
    got = _outcome(source)
    tomlfile.hand_over(None)
    assert len(reads) == 2
    assert "Đổi sau khi đọc" in repr(got)
    assert got == _serial(warned, monkeypatch)


def test_a_chitieu_toml_that_does_not_read_early_is_read_by_the_load(
    warned: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not UTF-8: nothing is shared (the worker parses only the progress files), and the
    load says what is wrong, with its file and place, as serially."""
    path = warned / "chitieu.toml"
    path.write_bytes(
        path.read_bytes().replace("Mỹ Thới".encode(), "Mỹ Thới".encode("utf-16-le"), 1)
    )
    serial = _serial(warned, monkeypatch)
    assert isinstance(serial[0], type) and "chitieu.toml" in serial[3]  # an error, its place
    source = FileSource(warned, own_cache=True)
    ahead = coldunit.parse_ahead(source)
    assert ahead is not None and ahead._early is None
    assert _outcome(source) == serial
