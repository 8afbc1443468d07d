"""Words of the data's own language that the code recognises (not text it shows)."""

from __future__ import annotations

import re

TITLE_PREFIXES = ("Hoàn thành chỉ tiêu ", "Tỷ lệ người dân tham gia ", "Tỷ lệ ", "Tổng ", "Số ")
"""Generic openings of Vietnamese indicator names, dropped when a card title does not fit."""

TITLE_YEAR = re.compile(r"\s+năm\s+\d{4}$")
"""A trailing "năm 2026" in an indicator name, dropped when a card title does not fit."""

MONEY_WORDS = ("đồng",)
"""Units of measure that are amounts of money (`tỉ đồng`, `triệu đồng`)."""
