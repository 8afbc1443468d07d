"""WCAG contrast of every text in an SVG screenshot (Rich's `export_svg`, as Textual saves it)."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from typing import Any

_CLASS = re.compile(r"\.(terminal-(?:\d+-)?r\d+) \{ fill: (#[0-9a-fA-F]{6})")
_RECT = re.compile(
    r'<rect fill="(#[0-9a-fA-F]{6})" x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" '
    r'height="[\d.]+" shape-rendering="crispEdges"/>'
)
_FRAME = re.compile(r'<rect fill="(#[0-9a-fA-F]{6})" stroke=')
_TEXT = re.compile(
    r'<text class="(terminal-(?:\d+-)?r\d+)" x="([\d.]+)" y="[\d.]+" textLength="([\d.]+)" '
    r'clip-path="url\(#terminal-(?:\d+-)?line-(\d+)\)">(.*?)</text>'
)


def luminance(hex_colour: str) -> float:
    """WCAG 2 relative luminance of `#rrggbb`."""
    channels = []
    for i in (1, 3, 5):
        c = int(hex_colour[i : i + 2], 16) / 255
        channels.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    r, g, b = channels
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2 contrast ratio of two `#rrggbb` colours (1 to 21)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@dataclass(frozen=True)
class Shown:
    """One run of text of the screenshot, its colour and the colour behind it."""

    text: str
    line: int
    fill: str
    background: str

    @property
    def ratio(self) -> float:
        return contrast(self.fill, self.background)


_FONT = re.compile(
    r"-matrix \{\s*font-family: [^;]*;\s*font-size: ([\d.]+)px;\s*line-height: ([\d.]+)px"
)

Box = tuple[int, int, int, int]
"""x, y, width, height in cells."""


def texts(svg: str, box: Box | None = None) -> list[Shown]:
    """Every run of text that has a letter or a digit (borders, bars and marks are left
    out: no words to read), with its fill and the fill of the cell behind it; only those
    starting inside `box` when given (a dialog: what is behind it is faded on purpose)."""
    font = _FONT.search(svg)
    cell = float(font.group(1)) * 0.61 if font else 12.2
    height = float(font.group(2)) if font else 24.4
    fills = dict(_CLASS.findall(svg))
    frame = _FRAME.search(svg)
    default = frame.group(1) if frame else "#000000"
    backs: dict[int, list[tuple[float, float, str]]] = {}
    for fill, x, y, width in _RECT.findall(svg):
        line = round((float(y) - 1.5) / height)
        backs.setdefault(line, []).append((float(x), float(x) + float(width), fill))
    found = []
    for cls, x, _length, line, raw in _TEXT.findall(svg):
        text = html.unescape(raw)
        if not any(c.isalnum() for c in text) or cls not in fills:
            continue
        if box is not None:
            col = round(float(x) / cell) + len(text) - len(text.lstrip())
            bx, by, bw, bh = box
            if not (bx <= col < bx + bw and by <= int(line) < by + bh):
                continue
        start = float(x) + 0.1
        back = next((f for a, b, f in backs.get(int(line), []) if a <= start < b), default)
        found.append(Shown(text, int(line), fills[cls], back))
    return found


def too_faint(svg: str, box: Box | None = None, minimum: float = 4.5) -> list[str]:
    """The texts under `minimum` contrast, as `line: 'text' #fill on #back (ratio)`."""
    return [
        f"{s.line}: {s.text!r} {s.fill} on {s.background} ({s.ratio:.2f})"
        for s in texts(svg, box)
        if s.ratio < minimum
    ]


def screenshot(app: Any) -> str:
    """The SVG of the app's screen, as `App.export_screenshot` makes it, but a theme of the
    terminal's own colours drawn in the palette Textual assumes for it (its `ansi_theme`: dark
    or light), not always Rich's dark one."""
    from chitieu_tui.app import export_svg

    if not app.current_theme.ansi:
        return str(app.export_screenshot())
    return export_svg(app, theme=app.ansi_theme)


def in_use(app: Any) -> list[Box | None]:
    """Where the screen in use is: [None] (all of it) for a full screen, the box of each of
    a dialog's widgets (the screens under it are faded on purpose, no text to read)."""
    from textual.screen import ModalScreen

    screen = app.screen
    if not isinstance(screen, ModalScreen):
        return [None]
    return [(r.x, r.y, r.width, r.height) for c in screen.children if c.display for r in [c.region]]
