"""Numbers as officials type them: `1.430`, `32,5` (vi) or `1,430`, `32.5` (en), strictly."""

from __future__ import annotations

import math
from typing import Any

from chitieu_tui.core.errors import EntryError
from chitieu_tui.core.text import clean
from chitieu_tui.i18n import Msg, current

MAX_LENGTH = 40
"""Longest text read as a number (1e15 with separators and decimals fits easily)."""
MAX_MAGNITUDE = 1e15
"""Largest number that can be entered (the loader's limit too)."""
SOFT_SPACES = "\u00a0\u202f"
"""A no-break or narrow no-break space is accepted as a thousands separator (`1 430`)."""
WHOLE_LIMIT = 2**53
"""Floats beyond this are not written as ints (every int below it is a float exactly)."""
_WORDS = {"nan", "inf", "infinity", "+inf", "-inf", "+infinity", "-infinity", "-nan", "+nan"}


def marks(lang: str) -> tuple[str, str]:
    """The (decimal mark, thousands separator) of a language: `,` `.` (vi), `.` `,` (en)."""
    return (".", ",") if lang == "en" else (",", ".")


def quoted(text: str) -> str:
    """What was typed, quoted and cut short, for a message."""
    shown = clean(text.strip())
    return repr(shown if len(shown) <= 40 else shown[:40] + "…")


def parse_number(text: str, lang: str = "vi") -> float:
    """The number in `text` as typed in `lang`; raises EntryError with a coded reason.

    Thousands separators only between groups of exactly three digits after a first
    group of one to three; one decimal mark at most; ASCII digits; no exponent.
    """
    raw = text.strip()
    if not raw:
        raise EntryError("err.entry.empty")
    if len(raw) > MAX_LENGTH:
        raise EntryError("err.entry.too_long", max=MAX_LENGTH)
    shown = quoted(text)
    if raw.lower() in _WORDS:
        raise EntryError("err.entry.invalid_number")
    if any(ch.isdigit() and not ch.isascii() for ch in raw):
        raise EntryError("err.entry.non_ascii_digit", text=shown)
    decimal, thousands = marks(lang)
    sign = 1.0
    if raw[0] in "+-\u2212":
        sign = -1.0 if raw[0] != "+" else 1.0
        raw = raw[1:]
    for soft in SOFT_SPACES:
        raw = raw.replace(soft, thousands)
    if not raw or any(
        not (ch.isascii() and ch.isdigit()) and ch not in ",." and not ch.isspace() for ch in raw
    ):
        raise EntryError("err.entry.not_number", text=shown)
    if any(ch.isspace() for ch in raw):
        raise EntryError("err.entry.space", text=shown)
    if raw.count(decimal) > 1:
        raise EntryError("err.entry.two_decimal_marks", text=shown)
    whole, _, frac = raw.partition(decimal)
    if decimal in raw and (not whole or not frac):
        raise EntryError("err.entry.separator_place", text=shown)
    if thousands in frac:
        raise EntryError("err.entry.grouping", text=shown)
    groups = whole.split(thousands)
    if any(not g for g in groups):
        raise EntryError("err.entry.separator_place", text=shown)
    if len(groups) > 1 and (
        not 1 <= len(groups[0]) <= 3
        or groups[0].startswith("0")
        or any(len(g) != 3 for g in groups[1:])
    ):
        raise EntryError("err.entry.grouping", text=shown)
    value = sign * float("".join(groups) + ("." + frac if frac else ""))
    if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
        raise EntryError("err.entry.invalid_number")
    return value + 0.0  # -0.0 becomes 0.0


def format_number(x: float, lang: str = "vi", decimals: int = 2) -> str:
    """`1.430`, `32,5` (vi) or `1,430`, `32.5` (en); at most `decimals` decimals."""
    text = f"{x:,.{decimals}f}".rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text.translate(str.maketrans(",.", ".,")) if lang != "en" else text


class Num(Msg):
    """A number in a message, written as the reader writes numbers (`1.430` / `1,430`)."""

    __slots__ = ("value",)

    def __init__(self, value: float) -> None:
        super().__init__("num")
        self.value = value

    def text(self, lang: str | None = None) -> str:
        """The number in `lang` (the current language when None)."""
        return format_number(self.value, lang or current(), 6)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Num) and other.value == self.value

    def __hash__(self) -> int:
        return hash(self.value)


def whole(x: Any, integer: bool) -> Any:
    """A figure of an integer indicator (`integer = true`) as an int when it is whole, so
    that JSON (the report and the API) and CSV say `6`, not `6.0`; anything else (a
    milestone's true/false, a fraction, None) as it is."""
    if integer and x.__class__ is float and x.is_integer() and abs(x) < WHOLE_LIMIT:
        return int(x)
    return x
