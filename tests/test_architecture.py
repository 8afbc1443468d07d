"""The core stays free of Textual and the network stack."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_linter_contract_holds() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from importlinter.cli import lint_imports_command; lint_imports_command()",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_report_path_does_not_import_textual_httpx_asyncio_or_rich() -> None:
    code = (
        "import sys; from chitieu_tui.cli import main; import contextlib, io;"
        "buf = io.StringIO();"
        "ctx = contextlib.redirect_stdout(buf);"
        "ctx.__enter__(); rc = main(['report', '--format', 'json']); ctx.__exit__(None, None, None);"
        "bad = [m for m in ('textual', 'httpx', 'asyncio', 'rich') if m in sys.modules];"
        "print(rc, bad)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "0 []", proc.stdout + proc.stderr


def test_the_dashboard_does_not_import_the_network_or_writing_stack() -> None:
    code = (
        "import sys, chitieu_tui.app;"
        "print([m for m in ('httpx', 'starlette', 'uvicorn', 'tomlkit', 'filelock', 'tomli_w')"
        " if m in sys.modules])"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "[]", proc.stdout + proc.stderr
