"""A unit's read beyond parsing (issue 23, seventh session): the names a collection's units
and their files are given in messages and labels, made from the collection folder resolved
once, are those `shown_path` gives, through linked folders and from any working folder."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from collectionkit import write_unit

from chitieu_tui.core.collection import open_folder
from chitieu_tui.core.paths import shown_path

INDS = [{"id": f"x{i}", "kind": "level", "unit": "%", "target": 100} for i in range(3)]


def linked_collection(tmp_path: Path) -> Path:
    """`c/` with a plain unit, a unit folder that is a link to a folder elsewhere, and a unit
    whose `progress/` is a link; reached through `via`, a link to `c`."""
    root = tmp_path / "c"
    for name in ("a", "b", "d"):
        write_unit(root, name, INDS, {"2026-Q1": {"x0": 1}}, name=f"Đơn vị {name}")
    (tmp_path / "far").mkdir()
    shutil.move(root / "b", tmp_path / "far" / "b")
    (root / "b").symlink_to(tmp_path / "far" / "b", target_is_directory=True)
    shutil.move(root / "d" / "progress", tmp_path / "far" / "dprog")
    (root / "d" / "progress").symlink_to(tmp_path / "far" / "dprog", target_is_directory=True)
    (tmp_path / "via").symlink_to(root, target_is_directory=True)
    return tmp_path / "via"


@pytest.mark.parametrize("cwd", ["inside", "outside"])
def test_units_and_their_files_are_named_as_shown_path_names_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cwd: str
) -> None:
    via = linked_collection(tmp_path)
    elsewhere = tmp_path.parent / f"{tmp_path.name}-elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(tmp_path if cwd == "inside" else elsewhere)
    coll = open_folder(via)
    assert coll.label == shown_path(via).rstrip("/") + "/"
    coll.load()
    for m in coll.members:
        folder = via / m.key
        assert m.error is None
        assert m.source.label == shown_path(folder).rstrip("/") + "/"
        data = m.source.data  # type: ignore[attr-defined]
        for path in (folder / "chitieu.toml", folder / "progress" / "2026-Q1.toml"):
            assert data.shown(path) == shown_path(path)
    if cwd == "inside":
        names = {
            m.key: m.source.data.shown(via / m.key / "progress" / "2026-Q1.toml")
            for m in coll.members
        }  # type: ignore[attr-defined]
        assert names == {
            "a": os.path.join("c", "a", "progress", "2026-Q1.toml"),
            "b": os.path.join("far", "b", "progress", "2026-Q1.toml"),
            "d": os.path.join("far", "dprog", "2026-Q1.toml"),
        }
