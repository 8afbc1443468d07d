"""Build small data directories in tmp_path for tests."""

from __future__ import annotations

import shutil
from pathlib import Path

from chitieu_tui.core.datadir import BUNDLED

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
