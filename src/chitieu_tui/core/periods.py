"""Quarters: `2026-Q1` in files, `Quý I/2026` on screen."""

from __future__ import annotations

import re
from dataclasses import dataclass

_PERIOD_RE = re.compile(r"^(\d{4})-Q([1-4])$")
_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True, order=True)
class Period:
    """One quarter of one year."""

    year: int
    quarter: int

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse `2026-Q1`; raise ValueError with a readable message otherwise."""
        match = _PERIOD_RE.match(text.strip()) if isinstance(text, str) else None
        if match is None:
            raise ValueError(f"period must look like 2026-Q1, got {text!r}")
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def is_valid(cls, text: str) -> bool:
        """True when `text` is a well-formed period."""
        return isinstance(text, str) and _PERIOD_RE.match(text) is not None

    def __str__(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    def label(self, lang: str = "vi") -> str:
        """`Quý I/2026` in Vietnamese, `Q1 2026` in English."""
        if lang == "en":
            return f"Q{self.quarter} {self.year}"
        return f"Quý {_ROMAN[self.quarter]}/{self.year}"

    def short_label(self, lang: str = "vi") -> str:
        """`I/26` or `Q1 26`: for narrow columns."""
        if lang == "en":
            return f"Q{self.quarter} {self.year % 100:02d}"
        return f"{_ROMAN[self.quarter]}/{self.year % 100:02d}"

    def next(self) -> Period:
        """The quarter after this one."""
        if self.quarter == 4:
            return Period(self.year + 1, 1)
        return Period(self.year, self.quarter + 1)

    def prev(self) -> Period:
        """The quarter before this one."""
        if self.quarter == 1:
            return Period(self.year - 1, 4)
        return Period(self.year, self.quarter - 1)

    def same_quarter_last_year(self) -> Period:
        """The same quarter one year earlier (so với cùng kỳ)."""
        return Period(self.year - 1, self.quarter)

    def quarters_of_year_so_far(self) -> list[Period]:
        """Q1..this quarter of this year."""
        return [Period(self.year, q) for q in range(1, self.quarter + 1)]
