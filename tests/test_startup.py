"""Start-up (issue 23): what a one-shot command and the first frame load, and the lazy parser.

No timing here: the figures are in BENCHMARKS.md; these pin what makes them (which modules a
read loads, which parsers a run builds), so that a later import does not quietly undo them.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chitieu_tui.cli.parser import BUILDERS, build_parser
from chitieu_tui.core.datadir import BUNDLED_COLLECTION
from chitieu_tui.i18n import use

WRITING = (
    "chitieu_tui.core.requests",
    "chitieu_tui.core.writer",
    "chitieu_tui.core.chain",
    "chitieu_tui.core.journal",
    "chitieu_tui.core.outliers",
    "chitieu_tui.core.archive",
    "chitieu_tui.core.snapshots",
    "chitieu_tui.core.atomic",
)
"""The writing stack, the atomic writer and the snapshot archive: a read of a unit whose
quarters all have files (and whose parse cache is current) needs none of them."""


def _loaded(code: str, cache: Path | None = None) -> list[str]:
    """What the code prints after LOADED; `cache`: the parse cache's folder, warmed by a
    first run (a cold read writes the cache: the atomic writer is then rightly loaded)."""
    env = dict(os.environ)
    if cache is not None:
        env["CHITIEU_CACHE_DIR"] = str(cache)
        subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, timeout=120)
    proc = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env=env,
    )
    return proc.stdout.split("LOADED", 1)[1].split()


REPORT_RUN = (
    "import sys, contextlib, io; from chitieu_tui.cli import main;"
    "buf = io.StringIO();"
    "ctx = contextlib.redirect_stdout(buf); ctx.__enter__();"
    "rc = main(['--lang', 'en', 'report', '--format', 'json']);"
    "ctx.__exit__(None, None, None);"
)
"""A report run in a child process, its output kept (the code after it prints what loaded)."""


def test_report_loads_no_writing_stack(tmp_path: Path) -> None:
    code = (
        REPORT_RUN
        + "print('LOADED', rc, *sorted(m for m in sys.modules if m.startswith('chitieu_tui')))"
    )
    rc, *loaded = _loaded(code, cache=tmp_path)
    assert rc == "0"
    assert [m for m in WRITING if m in loaded] == []
    assert "chitieu_tui.cli.completion" in loaded  # the parser's own (argcomplete is not)
    # a unit this small is parsed: no parse cache's module nor decoders (filesource.py)
    assert "chitieu_tui.core.parsecache" not in loaded
    assert not [m for m in loaded if m.startswith(("chitieu_tui.screens", "chitieu_tui.app"))]


def test_the_first_frame_loads_only_the_screen_it_shows(tmp_path: object) -> None:
    code = (
        "import sys; from chitieu_tui.cli import main;"
        f"rc = main(['--lang', 'en', 'screenshot', '--output', r'{tmp_path}/x.svg']);"
        "print('LOADED', rc, *sorted(m for m in sys.modules if m.startswith('chitieu_tui')))"
    )
    rc, *loaded = _loaded(code)
    assert rc == "0"
    screens = sorted(m for m in loaded if m.startswith("chitieu_tui.screens."))
    assert screens == [
        "chitieu_tui.screens.controller",
        "chitieu_tui.screens.dashboard",
        "chitieu_tui.screens.filtering",
        "chitieu_tui.screens.localized",
    ]
    for module in ("chitieu_tui.cli.read", "chitieu_tui.report", "chitieu_tui.core.requests"):
        assert module not in loaded, module
    assert "chitieu_tui.core.writer" not in loaded
    assert "chitieu_tui.core.parsecache" not in loaded
    # every quarter of the sample's history has its file: no snapshot archive is asked
    assert "chitieu_tui.core.archive" not in loaded
    assert "chitieu_tui.core.snapshots" not in loaded


def test_a_small_unit_alone_is_parsed_a_large_one_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A unit opened alone whose chitieu.toml is under `SMALL_UNIT_BYTES` is read without a
    parse cache (parsing it costs less than the cache's import and file); a larger one, and
    a collection's members, keep it."""
    from datadirs import copy_sample

    from chitieu_tui.core.filesource import SMALL_UNIT_BYTES, FileSource

    monkeypatch.setenv("CHITIEU_CACHE_DIR", str(tmp_path / "cache"))
    small = copy_sample(tmp_path / "small")
    assert (small / "chitieu.toml").stat().st_size < SMALL_UNIT_BYTES
    assert FileSource(small, own_cache=True).data.cache is None
    large = copy_sample(tmp_path / "large")
    definitions = large / "chitieu.toml"
    padding = "# " + "x" * 76 + "\n"
    definitions.write_text(
        definitions.read_text(encoding="utf-8") + padding * (SMALL_UNIT_BYTES // 80),
        encoding="utf-8",
    )
    assert definitions.stat().st_size >= SMALL_UNIT_BYTES
    source = FileSource(large, own_cache=True)
    assert source.data.cache is not None
    source.load()
    source.save_cache()
    again = FileSource(large, own_cache=True)
    again.load()
    assert again.data.cache is not None and again.data.cache.hits > 0
    assert FileSource(tmp_path / "missing", own_cache=True).data.cache is None


def test_clean_text_compiles_its_patterns_only_when_needed() -> None:
    """Printable text (all of the sample's) needs no pattern: none compiled at import."""
    code = (
        REPORT_RUN + "from chitieu_tui.core import text;"
        "print('LOADED', rc, len(text._compiled), text.clean('a\\tb\\x1b'), len(text._compiled))"
    )
    assert _loaded(code) == ["0", "0", "a", "b", "2"]


def test_a_unit_named_by_config_loads_no_collection(tmp_path: Path) -> None:
    """`--config` naming a data folder (chitieu.toml in it) is no collection: said without
    importing core/collection.py (a large unit's first frame had it imported to ask)."""
    from chitieu_tui.core.datadir import BUNDLED

    code = (
        "import sys; from chitieu_tui.cli import main;"
        f"rc = main(['--lang', 'en', 'screenshot', '--config', r'{BUNDLED}',"
        f" '--output', r'{tmp_path}/x.svg']);"
        "print('LOADED', rc, *sorted(m for m in sys.modules if m.startswith('chitieu_tui')))"
    )
    rc, *loaded = _loaded(code, cache=tmp_path / "cache")
    assert rc == "0"
    assert "chitieu_tui.core.collection" not in loaded


def test_the_rollups_first_frame_loads_no_unit_screen_nor_writing_stack(tmp_path: Path) -> None:
    """The roll-up loads the unit's dashboard on the first Enter and the writing stack when
    an approver acts: neither is on its first frame (about 25 ms of a warm country open)."""
    code = (
        "import sys; from chitieu_tui.cli import main;"
        f"rc = main(['--lang', 'en', '--config', r'{BUNDLED_COLLECTION}', 'screenshot',"
        f" '--output', r'{tmp_path}/x.svg']);"
        "print('LOADED', rc, *sorted(sys.modules))"
    )
    rc, *loaded = _loaded(code, cache=tmp_path)
    assert rc == "0"
    assert "chitieu_tui.screens.rollup" in loaded
    for module in (
        "chitieu_tui.screens.dashboard",
        "chitieu_tui.screens.approval",
        "chitieu_tui.screens.help",
        "chitieu_tui.core.requests",
        "chitieu_tui.core.writer",
        # a cached frame's first frame makes no unit's row, note nor mean
        "chitieu_tui.core.chain",
        "chitieu_tui.core.journal",
        "chitieu_tui.present.targets",
        "chitieu_tui.widgets.indicator_table",
        "chitieu_tui.widgets.header_bar",
        "statistics",
        "hashlib",
    ):
        assert module not in loaded, module


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_a_lazy_parser_builds_only_the_command_run_and_helps_the_same(lang: str) -> None:
    use(lang)
    lazy, eager = build_parser(lazy=True), build_parser()
    assert lazy.format_help() == eager.format_help()
    args = lazy.parse_args(["report", "--format", "json"])
    assert (args.command, args.format) == ("report", "json")
    subs = next(a for a in lazy._actions if a.dest == "command")
    parsers = subs.choices
    assert list(parsers) == [name for name, _ in BUILDERS]  # listed in order, all of them
    built = [name for name in parsers if dict.__getitem__(parsers, name) is not None]  # type: ignore[arg-type]
    assert built == ["report"]
    eager_subs = next(a for a in eager._actions if a.dest == "command")
    for name, parser in parsers.items():  # type: ignore[union-attr]
        assert parser.format_help() == eager_subs.choices[name].format_help(), name  # type: ignore[index]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_the_commands_help_keeps_a_percent_sign(lang: str) -> None:
    """`chitieu --lang en --help` crashed (argparse %-formats each command's help line and
    `targets` says `% of assigned`); Vietnamese showed a dict in its place."""
    proc = subprocess.run(
        [sys.executable, "-m", "chitieu_tui", "--lang", lang, "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert "'option_strings'" not in proc.stdout
    words = "% of assigned" if lang == "en" else "% so với giao"
    assert words in " ".join(proc.stdout.split()), proc.stdout


def test_chitieu_itself_freezes_its_imports_and_a_caller_keeps_its_collector() -> None:
    """`chitieu …` (main reading sys.argv) pauses the cyclic collector while importing and
    freezes what the imports made (no full collection over them at start); main called
    with its arguments (tests, embedding) leaves the caller's collector alone. (chitieu's
    own main exits in `leave`, after the `atexit` callbacks: the state is printed by one.)"""
    own = (
        "import atexit, contextlib, gc, io, sys; from chitieu_tui.cli import main;"
        "sys.argv = ['chitieu', '--lang', 'en', 'report', '--format', 'json'];"
        "buf = io.StringIO(); ctx = contextlib.redirect_stdout(buf); ctx.__enter__();"
        "atexit.register(lambda: print('LOADED', gc.get_freeze_count() > 0, gc.isenabled(),"
        " file=sys.stderr));"
        "main()"
    )
    proc = subprocess.run(
        [sys.executable, "-c", own], capture_output=True, text=True, timeout=120, check=True
    )
    assert proc.stderr.split("LOADED", 1)[1].split() == ["True", "True"]
    given = (
        "import contextlib, gc, io, sys; from chitieu_tui.cli import main;"
        "buf = io.StringIO(); ctx = contextlib.redirect_stdout(buf); ctx.__enter__();"
        "given = main(['--lang', 'en', 'report', '--format', 'json']);"
        "ctx.__exit__(None, None, None);"
        "print('LOADED', given, gc.get_freeze_count(), gc.isenabled())"
    )
    assert _loaded(given) == ["0", "0", "True"]


EXIT_RUN = """
import atexit, os, sys, threading
# the interpreter's shutdown begins by joining threads and calling these: not at os._exit
threading._register_atexit(lambda: os.write(2, b"SHUTDOWN"))
atexit.register(lambda: print("CALLBACK", file=sys.stderr))
sys.argv = ["chitieu", "--lang", "en", *sys.argv[1:]]
from chitieu_tui.cli import main
sys.exit(main())
"""
"""chitieu's console script (`sys.exit(main())`), with a mark of the interpreter's shutdown
and an `atexit` callback."""


@pytest.mark.parametrize(
    ("argv", "code"),
    [(["report", "--format", "json"], 0), (["--config", "/nonexistent/chitieu", "report"], 1)],
)
def test_chitieus_own_process_exits_at_once_after_its_callbacks_and_output(
    argv: list[str], code: int
) -> None:
    """The command done, chitieu's own process leaves without the interpreter's shutdown
    (freeing every module and object: ~4 ms of a 70 ms report): its output whole through a
    pipe, its exit status, the `atexit` callbacks run; no shutdown."""
    proc = subprocess.run(
        [sys.executable, "-c", EXIT_RUN, *argv], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == code, proc.stderr
    assert "CALLBACK" in proc.stderr
    assert "SHUTDOWN" not in proc.stderr
    if code == 0:
        assert json.loads(proc.stdout)  # flushed, whole
    given = (
        "import sys; from chitieu_tui.cli import main;"
        f"rc = main(['--lang', 'en', {', '.join(repr(a) for a in argv)}]);"
        "print('LOADED', rc)"
    )
    assert _loaded(given) == [str(code)]  # main called with its arguments returns


async def test_the_screenshot_svg_is_textuals_own_but_for_its_unique_id() -> None:
    """`export_svg` (chitieu screenshot) gives Textual's `export_screenshot`, character for
    character, but for the id that prefixes the SVG's CSS classes: derived from the SVG
    itself instead of the repr of every segment (the same content, the same id)."""
    import re

    from chitieu_tui.app import ChitieuApp, export_svg, preload
    from chitieu_tui.core.datadir import BUNDLED
    from chitieu_tui.core.filesource import FileSource

    use("en")
    source = FileSource(BUNDLED)
    app = ChitieuApp(source, None, initial=preload(source, None))
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        ours, again = export_svg(app), export_svg(app)
        textuals = app.export_screenshot(title="chitieu")
        await pilot.press("question_mark")
        await pilot.pause()
        other = export_svg(app)
    ident = re.compile(r"terminal-\d+")
    assert ident.sub("ID", ours) == ident.sub("ID", textuals)
    assert ours == again
    assert len(set(ident.findall(ours))) == 1
    assert set(ident.findall(ours)) != set(ident.findall(other))


def test_report_loads_no_presentation_it_does_not_print_nor_openssl() -> None:
    """`report --format json` leaves out the official table, the summary lines and OpenSSL
    (the parse cache's blake2b is CPython's own); the table format still has them."""
    code = (
        "import sys, contextlib, io; from chitieu_tui.cli import main;"
        "buf = io.StringIO(); ctx = contextlib.redirect_stdout(buf); ctx.__enter__();"
        "rc = main(['--lang', 'en', 'report', '--format', 'json']);"
        "ctx.__exit__(None, None, None);"
        "print('LOADED', rc, *sorted(sys.modules))"
    )
    rc, *loaded = _loaded(code)
    assert rc == "0"
    for module in ("chitieu_tui.present.official", "chitieu_tui.present.summary", "_hashlib"):
        assert module not in loaded, module


def test_the_reports_records_compile_nothing(tmp_path: Path) -> None:
    """The report's records are made by core/records.py, not `@dataclass` (which `exec`s its
    methods at every import: 0.4–0.7 ms a class); `DataDir` too (`@plain`, 0.6 ms)."""
    code = (
        REPORT_RUN
        + "made = sorted(f'{m.__name__}.{c.__qualname__}' for n, m in list(sys.modules.items())"
        " if n.startswith('chitieu_tui') for c in vars(m).values()"
        " if isinstance(c, type) and c.__module__ == n and '__dataclass_fields__' in vars(c)"
        " and c.__eq__.__code__.co_filename == '<string>');"
        "print('LOADED', rc, *made)"
    )
    rc, *made = _loaded(code, cache=tmp_path)
    assert rc == "0"
    assert made == []


def test_the_first_frames_own_records_compile_nothing(tmp_path: Path) -> None:
    """The first frame's own records and messages are made by core/records.py, not
    `@dataclass` (the messages, the path, the status looks, the summary's parts, the alerts:
    about 5 ms of `exec` at every start of the app)."""
    code = (
        "import sys; from chitieu_tui.cli import main;"
        f"rc = main(['--lang', 'en', 'screenshot', '--output', r'{tmp_path}/x.svg']);"
        "made = sorted(f'{m.__name__}.{c.__qualname__}' for n, m in list(sys.modules.items())"
        " if n.startswith('chitieu_tui') for c in vars(m).values()"
        " if isinstance(c, type) and c.__module__ == n and '__dataclass_fields__' in vars(c)"
        " and c.__eq__.__code__.co_filename == '<string>');"
        "print('LOADED', rc, *made)"
    )
    rc, *made = _loaded(code)
    assert rc == "0"
    assert made == []


def test_what_every_start_decodes_has_its_annotations_as_objects() -> None:
    """msgspec compiles and evaluates string annotations when a type is first decoded
    (0.5 ms of every start): the model's and the settings' are objects."""
    from chitieu_tui import settings
    from chitieu_tui.core import model

    for struct in (model.Definitions, model.Indicator, model.UnitInfo, settings.SettingsFile):
        assert not any(isinstance(a, str) for a in struct.__annotations__.values()), struct
    assert not isinstance(model.Progress.__dataclass_fields__["values"].type, str)


def test_patterns_only_an_error_or_markdown_needs_are_not_compiled_at_import() -> None:
    """A locator's, a validation error's and Markdown's patterns are compiled when used."""
    from chitieu_tui import report
    from chitieu_tui.core import loader, tomlfile

    for pattern in (tomlfile._HEADER_RE, tomlfile._KEY_RE, loader._PATH_RE, report._MD_SPECIAL):
        assert isinstance(pattern, str)


@pytest.mark.skipif(importlib.util.find_spec("rtoml") is None, reason="rtoml has no wheel here")
def test_tomli_is_imported_only_to_judge_a_file_rtoml_refuses(tmp_path: Path) -> None:
    """rtoml reads the sample (and the settings file): the report and the first frame import
    no tomli (1.5 ms of every start); a refused file is judged by tomli, worded as before."""
    code = (
        REPORT_RUN + f"main(['--lang', 'en', 'screenshot', '--output', r'{tmp_path}/x.svg']);"
        "from chitieu_tui.core.errors import DataError;"
        "from chitieu_tui.core.tomlfile import parse_toml_text;"
        "before = 'tomli' in sys.modules;\n"
        "try: parse_toml_text('a = 1\\na = 2\\n', 'x.toml')\n"
        "except DataError as exc: said = exc.render('en')\n"
        "print('LOADED', rc, before, 'tomli' in sys.modules, said.replace(' ', '_'))"
    )
    rc, before, after, said = _loaded(code)
    assert (rc, before, after) == ("0", "False", "True")
    assert said == "x.toml:2:6:_TOML_syntax_error:_Cannot_overwrite_a_value"


LAUNCH_RUN = """
import gc, sys
starts = []
gc.callbacks.append(lambda phase, info: starts.append(phase) if phase == "start" else None)
from chitieu_tui.cli import main
imported = (len(starts), gc.isenabled())
if sys.argv[1:] == ["given"]:
    import contextlib, io
    with contextlib.redirect_stdout(io.StringIO()):
        rc = main(["--lang", "en", "report", "--format", "json"])
    print("LOADED", *imported, rc, gc.isenabled(), gc.get_freeze_count())
else:
    print("LOADED", *imported)
"""
"""What chitieu's console script does first (`from chitieu_tui.cli import main`), the
collections met while importing counted."""


@pytest.mark.parametrize("name", ["chitieu", "other"])
def test_chitieus_own_start_pauses_the_collector_while_importing_the_cli(
    tmp_path: Path, name: str
) -> None:
    """Imported by the `chitieu` script, the command line pauses the cyclic collector from
    its first import on (8 young collections over objects the process keeps: ≈ 1 ms of every
    start); imported by anything else it leaves the collector alone; and main called with
    its arguments (a library's use) gives it back."""
    script = tmp_path / name
    script.write_text(LAUNCH_RUN, encoding="utf-8")
    run = [sys.executable, str(script)]
    own = subprocess.run(run, capture_output=True, text=True, timeout=120, check=True)
    imported = own.stdout.split("LOADED", 1)[1].split()
    if name == "chitieu":
        assert imported == ["0", "False"]
    else:
        assert imported[1] == "True" and int(imported[0]) > 0
    given = subprocess.run([*run, "given"], capture_output=True, text=True, timeout=120)
    assert given.stdout.split("LOADED", 1)[1].split()[2:] == ["0", "True", "0"]


def test_msgspecs_first_import_in_a_run_is_made_without_typing_extensions() -> None:
    """A command's run imports msgspec with `typing_extensions` hidden (2.7 ms of every start):
    msgspec then takes `typing`'s `get_type_hints`, which gives what typing_extensions' gave
    it for every Struct the run decodes (msgspec asks `include_extras=True`); the module is
    importable afterwards (Textual's, in the app)."""
    code = (
        REPORT_RUN + "hidden = 'typing_extensions' not in sys.modules;"
        "import msgspec, typing, typing_extensions, msgspec._utils as mu;"
        "from chitieu_tui import settings; from chitieu_tui.core import model;"
        "structs = [c for c in vars(model).values() if isinstance(c, type)"
        " and issubclass(c, msgspec.Struct)] + [settings.SettingsFile];"
        "same = all(typing_extensions.get_type_hints(c, include_extras=True)"
        " == typing.get_type_hints(c, include_extras=True) for c in structs);"
        "print('LOADED', rc, hidden, mu._get_type_hints is typing.get_type_hints, same,"
        " len(structs), len(buf.getvalue()) > 1000)"
    )
    rc, hidden, typing_s, same, count, printed = _loaded(code)
    assert (rc, hidden, typing_s, same, printed) == ("0", "True", "True", "True", "True")
    assert int(count) >= 8


def test_a_module_that_needs_what_is_hidden_is_imported_as_usual(tmp_path: Path) -> None:
    """`import_hiding`: a module that cannot be imported without the hidden one is forgotten
    and imported again as usual; the hidden one is never left hidden."""
    (tmp_path / "needs_it.py").write_text("import the_hidden\nVALUE = the_hidden.VALUE\n")
    (tmp_path / "the_hidden.py").write_text("VALUE = 7\n")
    code = (
        f"import sys; sys.path.insert(0, r'{tmp_path}');"
        "from chitieu_tui.cli.config import import_hiding;"
        "import_hiding('needs_it', 'the_hidden');"
        "after = ('needs_it' in sys.modules, 'the_hidden' in sys.modules);"
        "import needs_it;"
        "print('LOADED', *after, needs_it.VALUE)"
    )
    assert _loaded(code) == ["False", "False", "7"]


SCRIPT_REPORT = """
import contextlib, io, sys
sys.argv = ["chitieu", "--lang", "en", "report", "--format", "json"]
from chitieu_tui.cli import leave, main
import chitieu_tui.cli as cli
cli.leave = lambda code: None  # the state is printed after the run, not at os._exit
buf = io.StringIO()
with contextlib.redirect_stdout(buf):
    rc = main()
unloaded = [m for m in ("inspect", "ast", "dis", "tokenize") if m not in sys.modules]
import dataclasses, inspect
real = inspect is sys.modules["inspect"] and inspect is not dataclasses.inspect
works = dataclasses.inspect.signature is inspect.signature
print("LOADED", rc, len(buf.getvalue()) > 1000, real, works, *unloaded)
"""
"""chitieu's console script running the report of the sample (its module named `chitieu`)."""


def test_chitieus_own_report_imports_no_inspect_nor_ast(tmp_path: Path) -> None:
    """The `chitieu` script imports `dataclasses` with a stand-in for `inspect`, which it uses
    only for a class without a docstring (5 ms of `inspect`, `ast`, `dis`, `tokenize` at every
    start); the TOML locator imports `ast` for a refused file's message only. The report
    imports none of them; the stand-in gives the real `inspect`'s attributes, and `import
    inspect` the real module. A library caller imports `dataclasses` as usual."""
    script = tmp_path / "chitieu"
    script.write_text(SCRIPT_REPORT, encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=True
    )
    got = proc.stdout.split("LOADED", 1)[1].split()
    assert got == ["0", "True", "True", "True", "inspect", "ast", "dis", "tokenize"]
    given = "import sys; from chitieu_tui import cli; print('LOADED', 'inspect' in sys.modules)"
    assert _loaded(given) == ["True"]
