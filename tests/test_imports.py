"""Function-level imports: only with a `# lazy:` reason, never repeating a top-level import.

The convention (docs/architecture.md, "Imports"): an import inside a function keeps a heavy
or optional dependency off the start-up path, and says so in a comment starting with
`# lazy:` on the line directly above it (one comment covers the run of import statements
that follows it) or at the end of its first line. Anything else is imported at the top.
"""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "chitieu_tui"
PACKAGE = "chitieu_tui"


def _module_of(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> set[str]:
    """The modules an import statement loads: `import a.b` → a.b; `from a import b` → a.b
    when that is one of this package's modules, else a."""
    if isinstance(node, ast.Import):
        return {a.name for a in node.names}
    base = node.module or ""
    if node.level:
        parent = module.split(".")
        if not is_package:
            parent = parent[:-1]
        parent = parent[: len(parent) - (node.level - 1)]
        base = ".".join([*parent, *([base] if base else [])])
    found = set()
    for alias in node.names:
        sub = f"{base}.{alias.name}"
        rel = Path(*sub.split(".")[1:]) if sub.startswith(PACKAGE + ".") else None
        if rel is not None and ((SRC / rel).with_suffix(".py").is_file() or (SRC / rel).is_dir()):
            found.add(sub)
        else:
            found.add(base)
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _top_level(body: list[ast.stmt]) -> list[ast.Import | ast.ImportFrom]:
    """Module-level imports, inside top-level `try`/`if` too, but not `if TYPE_CHECKING:`."""
    found: list[ast.Import | ast.ImportFrom] = []
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        elif isinstance(node, ast.If) and not _is_type_checking(node):
            found += _top_level(node.body + node.orelse)
        elif isinstance(node, ast.Try):
            found += _top_level(node.body + node.orelse + node.finalbody)
            for handler in node.handlers:
                found += _top_level(handler.body)
    return found


def _bodies(node: ast.AST) -> list[list[ast.stmt]]:
    return [
        v
        for v in (getattr(node, f, None) for f in ("body", "orelse", "finalbody"))
        if isinstance(v, list)
    ] + [h.body for h in getattr(node, "handlers", [])]


def _lazy_imports(tree: ast.Module) -> list[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Each import inside a function, and whether it is preceded by another import statement
    of the same block (a comment above the first covers the run)."""
    found: list[tuple[ast.Import | ast.ImportFrom, bool]] = []

    def walk(node: ast.AST, in_function: bool) -> None:
        inside = in_function or isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        for body in _bodies(node):
            previous_import = False
            for stmt in body:
                is_import = isinstance(stmt, ast.Import | ast.ImportFrom)
                if is_import and inside:
                    found.append((stmt, previous_import))  # type: ignore[arg-type]
                previous_import = is_import
                walk(stmt, inside)

    walk(tree, False)
    return found


def problems(path: Path, root: Path = SRC) -> list[str]:
    """What breaks the convention in one file, as `file:line: why`."""
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    tree = ast.parse(text)
    module = _module_of(path, root)
    package = path.name == "__init__.py"
    top: set[str] = set()
    for node in _top_level(tree.body):
        top |= _targets(node, module, package)
    rel = path.relative_to(root).as_posix()
    found = []
    covered = False
    for node, follows_import in _lazy_imports(tree):
        own = "# lazy:" in lines[node.lineno - 1]
        above = lines[node.lineno - 2].strip() if node.lineno >= 2 else ""
        covered = own or above.startswith("# lazy:") or (follows_import and covered)
        if not covered:
            found.append(f"{rel}:{node.lineno}: function-level import without a `# lazy:` reason")
        repeated = _targets(node, module, package) & top
        if repeated:
            names = ", ".join(sorted(repeated))
            found.append(f"{rel}:{node.lineno}: repeats a top-level import of {names}")
    return found


def test_function_level_imports_say_why_and_repeat_nothing() -> None:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        found += problems(path)
    assert not found, "\n".join(found)


def test_the_check_finds_both_faults(tmp_path: Path) -> None:
    """A missing reason and a repeated import are both reported; a reason above a run of
    imports, or at the end of the line, is accepted."""
    root = tmp_path / PACKAGE
    root.mkdir()
    probe = root / "_probe_imports.py"
    source = (
        "import os\n"
        "from chitieu_tui.core.errors import DataError\n\n\n"
        "def bad():\n"
        "    import json\n"
        "    from chitieu_tui.core.errors import UsageError\n"
        "    return json, UsageError, os, DataError\n\n\n"
        "def good():\n"
        "    # lazy: a reason\n"
        "    import csv\n\n"
        "    import zipfile\n"
        "    import gzip  # lazy: another reason\n"
        "    return csv, zipfile, gzip\n"
    )
    probe.write_text(source, encoding="utf-8")
    found = problems(probe, root)
    assert found == [
        "_probe_imports.py:6: function-level import without a `# lazy:` reason",
        "_probe_imports.py:7: function-level import without a `# lazy:` reason",
        "_probe_imports.py:7: repeats a top-level import of chitieu_tui.core.errors",
    ]
