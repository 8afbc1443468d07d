"""The command line as a new user meets it: each command's own options, help, completion."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from chitieu_tui.cli import COMMAND_OPTIONS, COMMANDS, build_parser, main
from chitieu_tui.i18n import t_in, use

SRC = str(Path(__file__).resolve().parents[1] / "src")


def run(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "PYTHONPATH": SRC, **env}
    return subprocess.run(
        [sys.executable, "-m", "chitieu_tui", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=full,
        timeout=60,
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["check", "--api", "http://127.0.0.1:1", "--unit", "x"],
        ["serve", "--period", "2026-Q1"],
        ["set", "--snapshots", "s", "bhyt", "1"],
        ["--api", "http://127.0.0.1:1", "check"],
        ["--period", "2026-Q1", "serve"],
        ["init", "--config", "x"],
        ["config", "--period", "2026-Q1"],
        ["snapshot", "--offline", "--unit", "x"],
        ["log", "--api", "http://127.0.0.1:1", "--unit", "x"],
        ["close", "--snapshots", "s", "--period", "2026-Q1", "--reason", "r"],
        ["template", "--offline", "--unit", "x", "-o", "x.xlsx"],
        ["import", "--api", "http://127.0.0.1:1", "x.xlsx"],
        ["report", "--by", "x"],
        ["log", "--by", "x"],
        ["--by", "x", "set", "bhyt", "1"],
    ],
)
def test_a_command_refuses_options_it_does_not_use(argv: list[str], capsys) -> None:
    with pytest.raises(SystemExit) as exc:
        code = main(argv)
        raise SystemExit(code)
    assert exc.value.code == 2


def test_every_command_is_in_the_options_table() -> None:
    assert set(COMMANDS) == set(COMMAND_OPTIONS)
    for name in ("set", "unset", "close", "reopen", "import"):  # over --api too (issue 20)
        assert COMMAND_OPTIONS[name] == ("config", "remote", "period", "by"), name
    assert COMMAND_OPTIONS["verify"] == ("config", "remote", "period")
    assert COMMAND_OPTIONS["log"] == COMMAND_OPTIONS["template"] == ("config", "period")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_command_has_its_help_in_the_catalog(lang: str) -> None:
    use(lang)

    parser = build_parser()
    subs = next(a for a in parser._actions if a.dest == "command")
    for name, sub in subs.choices.items():  # type: ignore[union-attr]
        assert t_in("en", f"cli.cmd.{name}") != f"cli.cmd.{name}", name
        assert sub.description == t_in(lang, f"cli.cmd.{name}"), name
        for action in sub._actions:
            assert action.help, (name, action.dest)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_every_subcommand_has_a_description_defaults_and_the_environment(lang: str) -> None:
    from chitieu_tui.cli import _word_argparse

    use(lang)

    _word_argparse()
    use(lang)
    parser = build_parser()
    subs = next(a for a in parser._actions if a.dest == "command")
    for name, sub in subs.choices.items():  # type: ignore[union-attr]
        text = sub.format_help()
        assert sub.description, name
        assert sub.description in text.replace("\n", " ") or sub.description[:30] in text
        for var in ("CHITIEU_LANG", "CHITIEU_API_TOKEN", "CHITIEU_USER", "CHITIEU_DEBUG"):
            assert var in text, (name, var)
        assert "CHITIEU_CONFIG" in text
    report = subs.choices["report"].format_help()  # type: ignore[index]
    assert t_in(lang, "cli.default").strip().split(":")[0].strip("( ") in report
    assert "table)" in report
    assert "8765" in subs.choices["serve"].format_help()  # type: ignore[index]
    assert "120x40" in subs.choices["screenshot"].format_help()  # type: ignore[index]


def test_help_is_in_the_readers_language(tmp_path: Path) -> None:
    vi = run("report", "--help", cwd=tmp_path, CHITIEU_LANG="vi")
    en = run("report", "--help", cwd=tmp_path, CHITIEU_LANG="en")
    assert vi.returncode == en.returncode == 0
    assert "Biến môi trường" in vi.stdout and "mặc định: table" in vi.stdout
    assert "Environment" in en.stdout and "default: table" in en.stdout


def test_a_one_shot_command_on_the_bundled_sample_says_so(tmp_path: Path) -> None:
    proc = run("report", "--format", "json", cwd=tmp_path, CHITIEU_LANG="en")
    assert proc.returncode == 0
    assert "SAMPLE" in proc.stderr
    own = run("init", "config", cwd=tmp_path)
    assert own.returncode == 0
    again = run("report", "--format", "json", cwd=tmp_path, CHITIEU_LANG="en")
    assert again.returncode == 0 and "SAMPLE" not in again.stderr


def test_check_on_the_sample_says_so_too(tmp_path: Path) -> None:
    proc = run("check", cwd=tmp_path, CHITIEU_LANG="en")
    assert proc.returncode == 0 and "SAMPLE" in proc.stderr


def test_completion_through_argcomplete(tmp_path: Path) -> None:
    pytest.importorskip("argcomplete")
    out = tmp_path / "completions"
    line = "chitieu rep"
    proc = subprocess.run(
        [sys.executable, "-m", "chitieu_tui"],
        env={
            **os.environ,
            "PYTHONPATH": SRC,
            "_ARGCOMPLETE": "1",
            "_ARGCOMPLETE_IFS": "\n",
            "COMP_LINE": line,
            "COMP_POINT": str(len(line)),
            "_ARGCOMPLETE_STDOUT_FILENAME": str(out),
        },
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    assert out.read_text().split() == ["report"]


def test_no_argcomplete_import_without_the_shell_asking(tmp_path: Path) -> None:
    code = (
        "import sys; from chitieu_tui.cli import main\n"
        "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
        "print('argcomplete' in sys.modules)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "PYTHONPATH": SRC},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.stdout.strip().endswith("False")


@pytest.mark.parametrize(
    ("argv", "english"),
    [
        (["--lang", "en", "serve", "--port", "99999"], "1 to 65535"),
        (["serve", "--lang", "en", "--port", "0"], "1 to 65535"),
        (["--lang", "en", "web", "--port", "http"], "1 to 65535"),
    ],
)
def test_port_errors_follow_lang_not_the_environment(
    argv: list[str], english: str, capsys, monkeypatch
) -> None:
    monkeypatch.setenv("CHITIEU_LANG", "vi")
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert english in capsys.readouterr().err


@pytest.mark.parametrize("size", ["bad", "5x5"])
def test_screenshot_size_errors_are_in_the_catalog(size: str, capsys, monkeypatch) -> None:
    monkeypatch.setenv("CHITIEU_LANG", "vi")
    with pytest.raises(SystemExit) as exc:
        main(["screenshot", "--size", size])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "kích thước" in err and "size must" not in err and "out of range" not in err


def test_version_help_is_in_the_readers_language(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["--lang", "vi", "--help"])
    out = capsys.readouterr().out
    assert "show program's version" not in out and "hiện phiên bản" in out
