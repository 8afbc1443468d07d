"""`chitieu init --collection DIR`: a collection folder ready to serve (issue 20 item 10)."""

from __future__ import annotations

import tomllib
from pathlib import Path

import httpx
import pytest
from hostile_server import UvicornThread

from chitieu_tui.cli import main
from chitieu_tui.core.collection import is_collection, load_collection_info, open_folder
from chitieu_tui.core.users import add_user
from chitieu_tui.remote.server import create_app


def _run(*argv: str) -> int:
    try:
        return main(list(argv))
    except SystemExit as exc:
        return int(exc.code or 0)


def test_init_collection_makes_a_folder_ready_to_serve(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "an-giang"
    assert _run("init", "--collection", str(dest)) == 0
    out = capsys.readouterr().out
    assert "Bước tiếp theo" in out and f"chitieu serve --config {dest}" in out
    assert "chitieu user add" in out
    assert sorted(p.name for p in dest.iterdir()) == ["collection.toml", "my-thoi"]
    assert not (dest / "users.toml").exists()  # never a token here: `chitieu user add`
    text = (dest / "collection.toml").read_text("utf-8")
    assert tomllib.loads(text) == {"name": "an-giang"}
    assert load_collection_info(dest / "collection.toml").name == "an-giang"
    # the commented keys, uncommented, are valid collection.toml
    lines = [
        line.removeprefix("# ")
        for line in text.splitlines()
        if not line.startswith("# ") or "=" in line or line.startswith("# [")
    ]
    data = tomllib.loads("\n".join(lines))
    assert data["reporting"] == {"cutoff_day": 14, "send_days": 2}
    assert is_collection(dest)
    assert [m.key for m in open_folder(dest).members] == ["my-thoi"]
    assert _run("verify", "--config", str(dest)) == 0
    assert _run("check", "--config", str(dest / "my-thoi")) == 0
    # served with an account made as the message says
    token = add_user(dest / "users.toml", "lan", "editor", ["my-thoi"], "Lan")
    server = UvicornThread(create_app(dest)).start()
    try:
        units = httpx.get(
            f"{server.url}/api/v1/units", headers={"Authorization": f"Bearer {token}"}
        )
        assert [u["id"] for u in units.json()] == ["my-thoi"]
    finally:
        server.stop()


def test_init_collection_in_english_and_refusals(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dest = tmp_path / "province"
    assert _run("--lang", "en", "init", "--collection", str(dest)) == 0
    out = capsys.readouterr().out
    assert "Next:" in out and "collection.toml" in out
    assert "# The units of a province" in (dest / "collection.toml").read_text("utf-8")
    before = sorted(p.name for p in dest.rglob("*"))
    assert _run("--lang", "en", "init", "--collection", str(dest)) == 1  # not empty
    assert "not empty" in capsys.readouterr().err
    assert sorted(p.name for p in dest.rglob("*")) == before
    a_file = tmp_path / "file"
    a_file.write_text("x", "utf-8")
    assert _run("--lang", "en", "init", "--collection", str(a_file)) == 1
    assert _run("--lang", "en", "init", "--collection") == 2  # the folder is named
    assert "init --collection DIR" in capsys.readouterr().err
    empty = tmp_path / "empty"
    empty.mkdir()
    assert _run("init", "--collection", str(empty)) == 0  # an empty folder is fine
