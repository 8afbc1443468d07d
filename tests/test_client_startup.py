"""Start-up cost: the client imports httpx without its command-line client."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"


def test_httpx_cli_is_not_imported_and_nothing_stays_blocked() -> None:
    code = (
        "import sys; import chitieu_tui.remote.client as c;"
        "print('httpx' in sys.modules, 'httpx._main' in sys.modules, 'pygments.lexers' in sys.modules);"
        "import httpx._main; print(httpx._main.__name__)"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert proc.stdout.split("\n")[:2] == ["True False False", "httpx._main"], proc.stderr
