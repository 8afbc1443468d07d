"""`[report]` of chitieu.toml and collection.toml (DESIGN section 14): strict, placed errors in
both languages, the samples filled, what is missing a dotted blank."""

from __future__ import annotations

from pathlib import Path

import pytest
from datadirs import HEAD

from chitieu_tui.core.collection import load_collection_info
from chitieu_tui.core.datadir import BUNDLED, BUNDLED_COLLECTION
from chitieu_tui.core.errors import ChitieuError
from chitieu_tui.core.loader import load_definitions
from chitieu_tui.i18n import use

INDICATOR = """
[[indicator]]
id = "a"
group = "g"
name = "A"
kind = "level"
target = 10
"""


def _defs_with(tmp_path: Path, report: str) -> Path:
    path = tmp_path / "chitieu.toml"
    path.write_text(HEAD + INDICATOR + "\n[report]\n" + report, encoding="utf-8")
    return path


def test_samples_fill_report() -> None:
    head = load_definitions(BUNDLED / "chitieu.toml").report
    assert head is not None and head.style == "party"
    assert head.issuer == "ĐẢNG ỦY PHƯỜNG MỸ THỚI" and head.symbol == "BC/ĐU"
    assert head.signer_name == ""  # not given: a dotted blank, never invented
    province = load_collection_info(BUNDLED_COLLECTION / "collection.toml").report
    assert province is not None and province.style == "state"
    for path in (BUNDLED / "chitieu.toml", BUNDLED_COLLECTION / "collection.toml"):
        assert "minh họa" in path.read_text(encoding="utf-8").split("[report]")[0][-400:]


def test_report_is_optional(tmp_path: Path) -> None:
    path = tmp_path / "chitieu.toml"
    path.write_text(HEAD + INDICATOR, encoding="utf-8")
    assert load_definitions(path).report is None


@pytest.mark.parametrize(
    ("report", "line", "vi", "en"),
    [
        ('style = "parti"\n', 20, "style phải là một trong party", "style must be one of party"),
        ('style = "party"\nsigner = "x"\n', 21, "signer", 'unknown field "signer"'),
        ("recipients = [1]\n", 20, "recipients[1]", "recipients[1]"),
        (f'issuer = "{"x" * 201}"\n', 20, "issuer dài quá 200", "issuer is longer than 200"),
    ],
)
def test_report_errors_name_the_place(
    tmp_path: Path, report: str, line: int, vi: str, en: str
) -> None:
    path = _defs_with(tmp_path, report)
    for lang, words in (("vi", vi), ("en", en)):
        use(lang)
        with pytest.raises(ChitieuError) as caught:
            load_definitions(path)
        text = caught.value.render()
        assert f"chitieu.toml:{line}:" in text and "[report]" in text, text
        assert words in text, text


def test_collection_report_errors(tmp_path: Path) -> None:
    path = tmp_path / "collection.toml"
    path.write_text('name = "T"\n\n[report]\nstyle = "nha-nuoc"\n', encoding="utf-8")
    with pytest.raises(ChitieuError) as caught:
        load_collection_info(path)
    assert "collection.toml:4:" in caught.value.render()
    assert "style" in caught.value.render()
