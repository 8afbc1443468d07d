"""Output streams that cannot encode Vietnamese: transliterate instead of crashing."""

from __future__ import annotations

import codecs
import os
import sys
import unicodedata
from typing import TextIO

HANDLER = "chitieu-ascii"
_SIMPLE = {
    "–": "-",
    "—": "-",
    "…": "~",
    "·": ".",
    "✓": "+",
    "▲": "^",
    "▼": "v",
    "⚠": "!",
    "▸": ">",
    "→": ">",
    "│": "|",
    "“": '"',
    "”": '"',
    "‘": "'",
    "’": "'",
    "↓": "<",  # adopted below the target handed down
    "∅": "x",  # an indicator the unit lacks
    "⚑": "*",  # a value marked for follow-up (`?` would read as a character lost)
    "≤": "<",
    "≥": ">",
    "−": "-",
    "×": "x",
    "σ": "s",
    "●": "o",
    "○": "o",
    "◇": "o",
    "²": "2",
    "§": "S",
    "\u00a0": " ",
    "\u202f": " ",
    chr(0x111): "d",  # d with stroke: no decomposition
    chr(0x110): "D",
}


def ascii_text(text: str) -> str:
    """`Phường Mỹ Thới – 13,75%` as `Phuong My Thoi - 13,75%`: accents dropped, marks and
    lines in ASCII, anything else `?`; one character for one, since tables, panels and the
    TUI were laid out before the stream folds them (`…` is `~`, `→` is `>`)."""
    out = []
    for char in text:
        if char.isascii():
            out.append(char)
            continue
        simple = _SIMPLE.get(char)
        if simple is not None:
            out.append(simple)
            continue
        base = "".join(
            c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)
        )
        if base.isascii() and base:
            out.append(base)
            continue
        name = unicodedata.name(char, "")
        if name.startswith("BOX DRAWINGS"):
            out.append(
                "|"
                if "VERTICAL" in name and "HORIZONTAL" not in name
                else "-"
                if "HORIZONTAL" in name and "VERTICAL" not in name
                else "+"
            )
        elif (
            name.startswith(("BLOCK", "LOWER", "UPPER", "FULL", "LEFT", "RIGHT"))
            and "BLOCK" in name
        ):
            out.append("#")
        elif name.startswith(("LIGHT SHADE", "MEDIUM SHADE", "DARK SHADE")):
            out.append(".")
        else:
            out.append("?")
    return "".join(out)


def _handler(error: UnicodeError) -> tuple[str, int]:
    if not isinstance(error, UnicodeEncodeError):
        raise error
    return ascii_text(error.object[error.start : error.end]), error.end


codecs.register_error(HANDLER, _handler)


def is_unicode(stream: TextIO | None) -> bool:
    """True when `stream` can write Vietnamese (its encoding is a Unicode one)."""
    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        (chr(0x1B0) + chr(0x2713)).encode(encoding)  # u with horn, a check mark
    except (UnicodeEncodeError, LookupError):
        return False
    return True


def safe_streams() -> None:
    """Make stdout and stderr (and the streams the TUI writes to) transliterate what their
    encoding cannot hold, instead of raising UnicodeEncodeError or printing `\\u01b0`."""
    for stream in (sys.stdout, sys.stderr, sys.__stdout__, sys.__stderr__):
        if stream is None or is_unicode(stream):
            continue
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            try:
                reconfigure(errors=HANDLER)
            except (ValueError, OSError):  # pragma: no cover - a closed or odd stream
                pass


def use_colour(stream: object = None) -> bool:
    """Colour on a terminal; none when piped, with NO_COLOR set, or TERM=dumb."""
    stream = stream if stream is not None else sys.stdout
    isatty = getattr(stream, "isatty", None)
    if isatty is None or not isatty():
        return False
    return not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"
