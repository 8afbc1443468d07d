"""Quarters: `2026-Q1` in files, `Quý I/2026` on screen."""

from __future__ import annotations

import re
from dataclasses import dataclass

from chitieu_tui.core.errors import DataError
from chitieu_tui.i18n import Msg, t

_PERIOD_RE = re.compile(r"\A([0-9]{4})-Q([1-4])\Z")
_QUARTER_KEYS = {1: "period.q1", 2: "period.q2", 3: "period.q3", 4: "period.q4"}
"""Catalog keys of a quarter's number as shown (`I` in Vietnamese, `1` in English)."""


@dataclass(frozen=True, order=True)
class Period:
    """One quarter of one year."""

    year: int
    quarter: int

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse `2026-Q1`; raise DataError (`err.period.format`) otherwise."""
        match = _PERIOD_RE.match(text.strip()) if isinstance(text, str) else None
        if match is None:
            raise DataError("err.period.format", got=repr(text))
        return cls(int(match.group(1)), int(match.group(2)))

    @classmethod
    def is_valid(cls, text: str) -> bool:
        """True when `text` is a well-formed period."""
        return isinstance(text, str) and _PERIOD_RE.match(text) is not None

    def __str__(self) -> str:
        return f"{self.year}-Q{self.quarter}"

    def label(self, lang: str = "vi") -> str:
        """`Quý I/2026` in Vietnamese, `Q1 2026` in English."""
        return t(lang, "period.label", q=Msg(_QUARTER_KEYS[self.quarter]), year=self.year)

    def short_label(self, lang: str = "vi") -> str:
        """`I/26` or `Q1 26`: for narrow columns."""
        yy = f"{self.year % 100:02d}"
        return t(lang, "period.short_label", q=Msg(_QUARTER_KEYS[self.quarter]), yy=yy)

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
