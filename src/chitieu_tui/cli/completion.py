"""Shell completion: `chitieu completion bash|zsh|fish`, and what a Tab offers for indicator
ids and periods (read cheaply from the data folder: no validation, no Textual)."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable
from pathlib import Path

from chitieu_tui.cli.console import install_hint
from chitieu_tui.core.errors import UsageError
from chitieu_tui.core.periods import Period, current_period

SHELLS = ("bash", "zsh", "fish")


def cmd_completion(args: argparse.Namespace) -> int:
    """Print the shell's completion script (what `register-python-argcomplete chitieu`
    prints; pipx and uv install chitieu without that command)."""
    try:
        # lazy: argcomplete is the optional `completion` extra
        import argcomplete
    except ImportError:
        how = install_hint("completion")
        raise UsageError("err.extra_missing", command="completion", how=how) from None
    sys.stdout.write(argcomplete.shellcode(["chitieu"], shell=args.shell))
    return 0


def _roots(parsed: argparse.Namespace) -> list[Path]:
    """The data folders the command line names so far (`--config`, else the settings): one,
    or each unit of a collection."""
    # lazy: core.datadir pulls the data pipeline; only when the shell asks for a Tab
    from chitieu_tui.core.datadir import DEFINITIONS, resolve_data_dir

    config = getattr(parsed, "config", None)
    if config is None and not getattr(parsed, "api", None):
        # lazy: settings pulls msgspec and platformdirs; only when the shell asks for a Tab
        from chitieu_tui import settings

        config = settings.effective({})["config"].value
    root = resolve_data_dir(config)
    if (root / DEFINITIONS).is_file():
        return [root]
    try:
        return sorted(p for p in root.iterdir() if (p / DEFINITIONS).is_file())
    except OSError:
        return []


def _ids(root: Path) -> list[str]:
    """The `[[indicator]]` ids of `root/chitieu.toml`, as written (nothing when unreadable)."""
    # lazy: tomllib and core.datadir only when the shell asks for a Tab
    import tomllib

    from chitieu_tui.core.datadir import DEFINITIONS

    try:
        with open(root / DEFINITIONS, "rb") as f:
            doc = tomllib.load(f)
    except (OSError, ValueError):
        return []
    found = doc.get("indicator")
    if not isinstance(found, list):
        return []
    return [i["id"] for i in found if isinstance(i, dict) and isinstance(i.get("id"), str)]


def _periods(root: Path) -> list[str]:
    """The periods of `root/progress/*.toml`."""
    try:
        names = os.listdir(root / "progress")
    except OSError:
        return []
    return [n[:-5] for n in names if n.endswith(".toml") and Period.is_valid(n[:-5])]


def candidates(kind: str, prefix: str, parsed: argparse.Namespace) -> list[str]:
    """What Tab offers for an indicator id (`kind` "id") or a period ("period"): ids in the
    definitions' order; periods newest first, today's quarter among them. Never raises."""
    try:
        roots = _roots(parsed)
        found: Iterable[str]
        if kind == "id":
            found = dict.fromkeys(i for r in roots for i in _ids(r))
        else:
            have = {p for r in roots for p in _periods(r)}
            have.add(str(current_period()))
            found = sorted(have, reverse=True)
        return [c for c in found if c.startswith(prefix)]
    except Exception:  # a completion never breaks the shell
        return []
