"""Build small data directories in tmp_path for tests."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from chitieu_tui.core.arithmetic import Board
from chitieu_tui.core.datadir import BUNDLED, DataDir
from chitieu_tui.core.model import Closed
from chitieu_tui.core.periods import Period
from chitieu_tui.core.requests import Close, Reopen, Request, SetValue, Unset, Written
from chitieu_tui.core.source import Origin, build_view

HEAD = """schema = 1

[unit]
id = "thu"
name = "Phường Thử"
year = 2026

[[group]]
id = "g"
name = "Nhóm"
"""


def copy_sample(tmp_path: Path) -> Path:
    """A writable copy of the bundled Mỹ Thới sample."""
    dest = tmp_path / "config"
    shutil.copytree(BUNDLED, dest)
    return dest


def make_datadir(tmp_path: Path, indicators: str, progress: dict[str, str] | None = None) -> Path:
    """`tmp_path/data` with chitieu.toml (HEAD + `indicators`) and progress files."""
    root = tmp_path / "data"
    (root / "progress").mkdir(parents=True, exist_ok=True)
    (root / "chitieu.toml").write_text(HEAD + indicators, encoding="utf-8")
    for period, values in (progress or {}).items():
        (root / "progress" / f"{period}.toml").write_text(
            f'schema = 1\nunit = "thu"\nperiod = "{period}"\nas_of = 2026-03-31\n\n[values]\n{values}',
            encoding="utf-8",
        )
    return root


def tree_stamps(root: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under `root` with its mtime and size (to say nothing was written)."""
    return {
        str(p.relative_to(root)): (p.stat().st_mtime_ns, p.stat().st_size)
        for p in sorted(root.rglob("*"))
    }


def plain(value: object) -> object:
    """A stored value without who and when (`by`, `at`): the bare value when nothing else."""
    if isinstance(value, dict):
        rest = {k: v for k, v in value.items() if k not in ("by", "at")}
        return rest["value"] if set(rest) == {"value"} else rest
    return value


def plain_values(path: Path) -> dict[str, object]:
    """A progress file's `[values]`, each `plain`."""
    import tomllib

    raw = tomllib.loads(path.read_text(encoding="utf-8")).get("values", {})
    return {k: plain(v) for k, v in raw.items()}


# One write request through a data folder, as the CLI and the forms write (no snapshot unless
# asked): the tests' short forms of `FileSource(root).write([...])`.


def _folder(where: Path | DataDir) -> DataDir:
    return where if isinstance(where, DataDir) else DataDir(where)


def write(where: Path | DataDir, *requests: Request) -> Written:
    """The requests as one transaction into the folder (no snapshot)."""
    return _folder(where).write(list(requests))


def enter(
    where: Path | DataDir,
    period: Period,
    indicator_id: str,
    value: str | float | bool,
    note: str | None = None,
    *,
    confirmed: bool = False,
    **fields: Any,
) -> Written:
    """One typed value (`SetValue`), checked as the form checks it."""
    request = SetValue(
        period=period, id=indicator_id, value=value, note=note, confirm=confirmed, **fields
    )
    return write(where, request)


def set_value(
    where: Path | DataDir,
    period: Period,
    indicator_id: str,
    value: float | bool,
    note: str | None = None,
    **fields: Any,
) -> Written:
    """One value as read (no plausibility question, an outlier meant and marked)."""
    fields.setdefault("confirm_outlier", True)
    return enter(where, period, indicator_id, value, note, confirmed=True, **fields)


def unset(where: Path | DataDir, period: Period, indicator_id: str, **fields: Any) -> Written:
    """Remove one value (`Unset`)."""
    return write(where, Unset(period=period, id=indicator_id, **fields))


def close(
    where: Path | DataDir, period: Period, reason: str, *, reopen: bool = False, **fields: Any
) -> Closed | None:
    """Close (or reopen) a quarter; its `[closed]` now."""
    kind = Reopen if reopen else Close
    return write(where, kind(period=period, reason=reason, **fields)).progress.closed


def board_of(where: Path | DataDir, period: Period | None = None) -> Board:
    """One period's board through the one pipeline (`build_view`, no history)."""
    folder = _folder(where)
    return build_view(folder, period, Origin("test", "file"), history=0).board
