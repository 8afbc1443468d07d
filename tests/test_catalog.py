"""The catalog: both languages agree, every key the code names exists, no inline Vietnamese."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from chitieu_tui.i18n.en import MESSAGES as EN
from chitieu_tui.i18n.vi import MESSAGES as VI

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "chitieu_tui"
SOURCES = sorted(PACKAGE.rglob("*.py"))
ERROR_BASES = {
    "ChitieuError",
    "DataError",
    "WriteError",
    "EntryError",
    "SourceError",
    "AuthError",
    "UsageError",
    "InternalError",
}
VIETNAMESE = re.compile(
    "[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.IGNORECASE
)


def _rel(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def _trees() -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(encoding="utf-8")) for path in SOURCES}


def _error_classes(trees: dict[Path, ast.Module]) -> set[str]:
    """The error family, with every subclass defined in the package (ShapeError…)."""
    family = set(ERROR_BASES)
    grew = True
    while grew:
        grew = False
        for tree in trees.values():
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and node.name not in family:
                    bases = {
                        b.id if isinstance(b, ast.Name) else getattr(b, "attr", "")
                        for b in node.bases
                    }
                    if bases & family:
                        family.add(node.name)
                        grew = True
    return family


TREES = _trees()
FAMILY = _error_classes(TREES)


def _literal(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _named_keys(tree: ast.Module) -> list[tuple[int, str]]:
    """(line, key) of every literal key given to the error family, `Msg` or `t`.

    An f-string given to the error family is reported as it stands: a sentence, not a key.
    """
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        arg = None
        if name in FAMILY or name == "Msg":
            arg = node.args[0] if node.args else None
        elif name == "t" and len(node.args) >= 2:
            arg = node.args[1]
        if isinstance(arg, ast.JoinedStr) and name in FAMILY:  # a sentence, never a key
            found.append((node.lineno, ast.unparse(arg)[:60]))
        elif _literal(arg) is not None:
            found.append((node.lineno, _literal(arg)))  # type: ignore[arg-type]
    return found


def _docstrings(tree: ast.Module) -> set[int]:
    """ids of string constants that stand alone as statements (docstrings, attribute notes)."""
    return {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and _literal(node.value) is not None
    }


def test_both_languages_have_the_same_keys() -> None:
    assert sorted(set(VI) - set(EN)) == []
    assert sorted(set(EN) - set(VI)) == []


@pytest.mark.parametrize("key", sorted(VI))
def test_both_languages_have_the_same_placeholders(key: str) -> None:
    assert _placeholders(VI[key]) == _placeholders(EN.get(key, VI[key])), key


@pytest.mark.parametrize("key", sorted(VI))
def test_no_placeholder_shadows_the_arguments_of_t(key: str) -> None:
    assert not _placeholders(VI[key]) & {"lang", "key"}, key


@pytest.mark.parametrize("path", SOURCES, ids=_rel)
def test_every_key_named_in_the_code_exists(path: Path) -> None:
    missing = [
        f"{_rel(path)}:{line}: {key!r}" for line, key in _named_keys(TREES[path]) if key not in VI
    ]
    assert missing == []


@pytest.mark.parametrize(
    "path",
    [p for p in SOURCES if _rel(p).split("/")[0] not in ("i18n", "sample")],
    ids=_rel,
)
def test_no_vietnamese_text_outside_the_catalog(path: Path) -> None:
    tree = TREES[path]
    skip = _docstrings(tree)
    found = [
        f"{_rel(path)}:{node.lineno}: {node.value[:60]!r}"
        for node in ast.walk(tree)
        if _literal(node) is not None and id(node) not in skip and VIETNAMESE.search(node.value)  # type: ignore[attr-defined]
    ]
    assert found == []


def test_keys_the_code_builds_from_tables_exist() -> None:
    """Keys kept in lookup tables rather than written at a call."""
    from chitieu_tui.core import loader, oserrors, periods, tomlfile

    keys = [
        *tomlfile._TOML_FIXED.values(),
        *(key for _, key, _, _ in tomlfile._TOML_PATTERNS),
        *loader._TYPE_WORDS.values(),
        *loader._KIND_WORDS.values(),
        *(key for pair in loader._TABLE_ITEMS.values() for key in pair),
        "item.table",
        "item.table_n",
        *oserrors._CLASSES.values(),
        *periods._QUARTER_KEYS.values(),
    ]
    assert [k for k in keys if k not in VI] == []


def test_every_tomllib_message_is_in_the_table() -> None:
    """tomllib's messages (read from its source) are all worded by the catalog."""
    import tomllib._parser as parser

    from chitieu_tui.core.tomlfile import _syntax_detail

    source = Path(parser.__file__).read_text(encoding="utf-8")
    messages = re.findall(r'suffixed_err\(\s*src,\s*\w+,\s*f?"((?:[^"\\]|\\.)*)"', source)
    assert len(messages) > 15
    for message in messages:
        sample = ast.literal_eval('"' + message + '"')
        sample = re.sub(r"\{[^}]*\}", "('x',)", sample)
        assert _syntax_detail(sample) is not None, message


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_no_key_is_written_twice(lang: str) -> None:
    """A key written twice in one catalog silently loses its first wording."""
    source = (PACKAGE / "i18n" / f"{lang}.py").read_text(encoding="utf-8")
    keys = [
        k.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Dict)
        for k in node.keys
        if isinstance(k, ast.Constant)
    ]
    assert sorted(k for k in set(keys) if keys.count(k) > 1) == []


DYNAMIC_PREFIXES = (
    "alert.",
    "fu.code.",
    "fu.col.",
    "cli.cmd.",
    "cmd_",
    "col_",
    "err.server.status_",
    "from_",
    "j_via_",
    "lang_name.",
    "o.col_",
    "rep_",
    "settings.origin_",
    "kind_",
    "dir_",
    "status_",
    "summary_",
    "toml.",
    "os.",
    "argparse.",
    "period.",
    "help_",
    "d_",
)
"""Keys the code builds from a prefix and a value (`"kind_" + ind.kind`)."""


def test_every_key_is_used() -> None:
    """A key nothing names is wording nobody reads: delete it, or name it."""
    code = "\n".join(
        p.read_text(encoding="utf-8") for p in SOURCES if _rel(p).split("/")[0] != "i18n"
    )
    unused = [
        k
        for k in VI
        if f'"{k}"' not in code and f"'{k}'" not in code and not k.startswith(DYNAMIC_PREFIXES)
    ]
    assert unused == []
