"""Ordinary OS failures while writing: coded messages naming the file, exit 1, nothing lost."""

from __future__ import annotations

import errno
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from datadirs import copy_sample

import chitieu_tui
from chitieu_tui.cli import main

SRC = str(Path(chitieu_tui.__file__).resolve().parents[1])


def _chitieu(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `chitieu --lang en ARGS` in a real process, in `cwd`."""
    env = {**os.environ, "PYTHONPATH": SRC, "COLUMNS": "300", "XDG_DATA_HOME": str(cwd / "xdg")}
    return subprocess.run(
        [sys.executable, "-m", "chitieu_tui", "--lang", "en", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def _plain(text: str) -> str:
    """An error panel's text on one line, without its frame."""
    return " ".join(text.replace("│", " ").split())


def _set(cwd: Path, value: str = "91") -> subprocess.CompletedProcess[str]:
    return _chitieu(cwd, "set", "--config", "config", "--period", "2026-Q1", "bhyt", value)


def _coded(proc: subprocess.CompletedProcess[str]) -> str:
    """stderr of a failed run, checked to be a coded message and not a crash."""
    assert proc.returncode == 1, proc.stdout + proc.stderr
    err = _plain(proc.stderr)
    assert "internal error" not in err and "unexpected" not in err and "Traceback" not in err
    assert str(Path.cwd()) not in err or str(Path.cwd()) == "/"
    return err


def test_set_when_progress_is_a_file(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    for f in (root / "progress").iterdir():
        f.unlink()
    (root / "progress").rmdir()
    (root / "progress").write_text("not a folder\n")
    err = _coded(_set(tmp_path))
    assert "config/progress: is a file, but must be a folder" in err
    assert (root / "progress").read_text() == "not a folder\n"


def test_check_reports_progress_being_a_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = copy_sample(tmp_path)
    for f in (root / "progress").iterdir():
        f.unlink()
    (root / "progress").rmdir()
    (root / "progress").write_text("")
    monkeypatch.chdir(tmp_path)
    assert main(["--lang", "en", "check", "--config", "config"]) == 1
    assert "config/progress: is a file, but must be a folder" in _plain(capsys.readouterr().err)


def test_set_when_the_lock_file_cannot_be_created(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    before = (root / "progress" / "2026-Q1.toml").read_bytes()
    (root / "progress" / ".2026-Q1.toml.lock").mkdir()  # in the way of the lock file
    err = _coded(_set(tmp_path))
    assert "config/progress/.2026-Q1.toml.lock: cannot create the lock file" in err
    assert (root / "progress" / "2026-Q1.toml").read_bytes() == before


def test_set_in_a_read_only_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Root ignores folder permissions, so creating files in progress/ is refused by hand."""
    root = copy_sample(tmp_path)
    before = (root / "progress" / "2026-Q1.toml").read_bytes()
    progress = str(root / "progress")
    real_open = os.open

    def read_only_open(path: object, flags: int, *args: object, **kwargs: object) -> int:
        if flags & os.O_CREAT and os.path.dirname(os.path.abspath(str(path))) == progress:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", read_only_open)
    monkeypatch.chdir(tmp_path)
    args = ["--lang", "en", "set", "--config", "config", "--period", "2026-Q1", "bhyt", "91"]
    assert main(args) == 1
    err = _plain(capsys.readouterr().err)
    lock = "config/progress/.2026-Q1.toml.lock"
    assert f"{lock}: cannot create the lock file: permission denied" in err
    assert str(tmp_path) not in err and "internal error" not in err
    assert (root / "progress" / "2026-Q1.toml").read_bytes() == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_set_in_a_really_read_only_folder(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    (root / "progress").chmod(0o555)
    try:
        err = _coded(_set(tmp_path))
    finally:
        (root / "progress").chmod(0o755)
    assert "config/progress/" in err and "permission denied" in err


def test_a_read_only_progress_file_is_refused_and_unchanged(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    path = root / "progress" / "2026-Q1.toml"
    before = path.read_bytes()
    path.chmod(0o444)
    err = _coded(_set(tmp_path))
    assert "config/progress/2026-Q1.toml: the file is read-only" in err
    assert path.read_bytes() == before
    assert stat.S_IMODE(path.stat().st_mode) == 0o444


def test_a_symlinked_progress_file_is_written_through(tmp_path: Path) -> None:
    root = copy_sample(tmp_path)
    shared = root / "shared"  # inside the data folder: writes never leave it
    shared.mkdir()
    target = shared / "2026-Q1.toml"
    (root / "progress" / "2026-Q1.toml").rename(target)
    (root / "progress" / "2026-Q1.toml").symlink_to(target)
    proc = _set(tmp_path, "77")
    assert proc.returncode == 0, proc.stderr
    link = root / "progress" / "2026-Q1.toml"
    assert link.is_symlink() and link.resolve() == target
    assert "bhyt = {value = 77," in target.read_text()
    assert (shared / ".2026-Q1.toml.lock").exists()  # one lock for everyone sharing the file
    assert not [n for n in os.listdir(root / "progress") if n.endswith(".tmp")]
