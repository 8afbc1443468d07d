"""The README's pictures are current: docs/screenshots.py (`chitieu screenshot` on the
bundled samples) makes the same screens as the SVGs committed in docs/img/ (issue 24, item 5).

Only the header's clock differs from run to run; every other character must match. When a
screen changes on purpose, run `python docs/screenshots.py` and commit the pictures.
"""

from __future__ import annotations

import html
import re
import runpy
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
pytestmark = pytest.mark.timeout(300)


def words(svg: str) -> list[str]:
    """The text of an SVG made by Textual, line by line, the clock (`14:58`) blanked."""
    found = [html.unescape(m) for m in re.findall(r"<text[^>]*>([^<]*)</text>", svg)]
    return [re.sub(r"\b\d\d:\d\d\b", "HH:MM", text).replace("\xa0", " ") for text in found]


def test_the_script_remakes_the_committed_pictures(tmp_path: Path) -> None:
    script = runpy.run_path(str(DOCS / "screenshots.py"))
    made = script["make"](tmp_path)
    assert [p.name for p in made] == ["dashboard.svg", "detail.svg", "rollup.svg"]
    for fresh in made:
        committed = DOCS / "img" / fresh.name
        assert committed.is_file(), f"{committed} is missing: run python docs/screenshots.py"
        assert words(fresh.read_text("utf-8")) == words(committed.read_text("utf-8")), (
            f"docs/img/{fresh.name} is out of date: run python docs/screenshots.py"
        )
    shown = " ".join(words((DOCS / "img" / "detail.svg").read_text("utf-8")))
    assert "Diễn biến trong năm" in shown  # the detail view's chart, not just the dashboard
    assert "Tỉnh An Giang" in " ".join(words((DOCS / "img" / "rollup.svg").read_text("utf-8")))


def test_the_readme_shows_them() -> None:
    readme = (ROOT / "README.md").read_text("utf-8")
    for name in ("dashboard.svg", "detail.svg", "rollup.svg"):
        assert f"(docs/img/{name})" in readme, name
