"""The floor of any Textual app on this machine: one Static, one screenshot, exit.

Started the same way as `chitieu screenshot` (headless `App.run_test`, `export_screenshot`,
an SVG written to disk), so that the ratio of the two measures what chitieu adds.

    python3 benchmarks/bare_app.py OUTPUT.svg [WIDTHxHEIGHT]
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import Static


class Bare(App[None]):
    """One Static."""

    def compose(self) -> ComposeResult:
        """The only widget."""
        yield Static("chitieu: bare Textual floor")


async def _render(size: tuple[int, int]) -> str:
    app = Bare()
    async with app.run_test(size=size):
        # No idle wait: the Static is there from mount, and export_screenshot renders the
        # screen itself; chitieu's screenshot skips the wait the same way when preloaded.
        return app.export_screenshot(title="bare")


def main() -> int:
    """Render once and save the SVG."""
    output = Path(sys.argv[1] if len(sys.argv) > 1 else "bare.svg")
    size = sys.argv[2] if len(sys.argv) > 2 else "120x40"
    w, h = (int(x) for x in size.split("x"))
    output.write_text(asyncio.run(_render((w, h))), encoding="utf-8")
    print(output)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
