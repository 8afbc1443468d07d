"""`DataDir.periods` keeps a settled `progress/` listing on the folder's stat (issue 23: a
load lists each unit's folder twice, 3,321 units in a country): a file added or removed is
still seen, and a folder changed in the last `SETTLED` seconds is listed every time."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from datadirs import copy_sample

from chitieu_tui.core import datadir
from chitieu_tui.core.datadir import DataDir
from chitieu_tui.core.periods import Period


def _counting(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    real = os.listdir

    def listdir(path: Any = ".") -> list[str]:
        calls.append(str(path))
        return real(path)

    monkeypatch.setattr(os, "listdir", listdir)
    return calls


def test_a_settled_listing_is_read_once_and_changes_are_seen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(datadir, "SETTLED", -3600)  # every folder counts as settled
    root = copy_sample(tmp_path)
    data = DataDir(root)
    calls = _counting(monkeypatch)
    first = data.periods()
    assert data.periods() == first
    assert len(calls) == 1
    progress = root / "progress"
    before = progress.stat()
    shutil.copy(progress / f"{first[-1]}.toml", progress / "2026-Q4.toml")
    os.utime(progress, ns=(before.st_atime_ns, before.st_mtime_ns))  # a coarse clock: same mtime
    assert Period(2026, 4) in data.periods()  # the ctime changed
    (progress / "2026-Q4.toml").unlink()
    assert data.periods() == first


def test_a_folder_changed_just_now_is_listed_every_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(datadir, "SETTLED", 10**9)  # every folder counts as changed just now
    root = copy_sample(tmp_path)
    data = DataDir(root)
    calls = _counting(monkeypatch)
    assert data.periods() == data.periods()
    assert len(calls) == 2
