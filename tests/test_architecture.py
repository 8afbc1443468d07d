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


# Where a `lang` parameter may appear: the language lives in one place (`i18n.use`,
# `i18n.current()`), so only code that really words two languages at once takes one.
LANG_PARAMETER_ALLOWED = (
    "i18n/",  # the catalog itself: `t_in(lang, key)`, `use(lang)`, `Msg.text(lang=None)`
    "remote/server/",  # each request is worded in its own Accept-Language
    "core/numbers.py",  # a number as *typed* in a language (a write request's data)
    "core/writer.py",  # the request's typed language parses its value (an API write)
    "core/requests.py",  # the write request carries the language its value was typed in
)
# The Msg protocol: a message words itself in a given language, None = the current one
# (the server passes the request's); only these methods, and only with a None default.
LANG_PROTOCOL_METHODS = {"text", "render", "label", "short_label"}


def test_lang_is_a_parameter_only_where_two_languages_are_rendered() -> None:
    import ast

    package = ROOT / "src" / "chitieu_tui"
    found = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package).as_posix()
        if rel.startswith(LANG_PARAMETER_ALLOWED):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            args = node.args
            params = [*args.posonlyargs, *args.args, *args.kwonlyargs]
            defaults = dict(
                zip(
                    reversed([*args.posonlyargs, *args.args]), reversed(args.defaults), strict=False
                )
            )
            defaults |= {a: d for a, d in zip(args.kwonlyargs, args.kw_defaults, strict=True) if d}
            for arg in params:
                if arg.arg != "lang":
                    continue
                default = defaults.get(arg)
                protocol = (
                    node.name in LANG_PROTOCOL_METHODS
                    and isinstance(default, ast.Constant)
                    and default.value is None
                )
                # the App's language switch takes the language it switches to
                if not protocol and node.name != "switch_language":
                    found.append(f"{rel}:{node.lineno} {node.name}")
    assert not found, "a `lang` parameter (use i18n.t(key) / current()): " + ", ".join(found)
