"""Words of the data's own language that the code recognises (not text it shows)."""

from __future__ import annotations

import re

TITLE_PREFIXES = ("Hoàn thành chỉ tiêu ", "Tỷ lệ người dân tham gia ", "Tỷ lệ ", "Tổng ", "Số ")
"""Generic openings of Vietnamese indicator names, dropped when a card title does not fit."""

TITLE_YEAR = re.compile(r"\s+năm\s+\d{4}$")
"""A trailing "năm 2026" in an indicator name, dropped when a card title does not fit."""

MONEY_WORDS = ("đồng",)
"""Units of measure that are amounts of money (`tỉ đồng`, `triệu đồng`)."""

DONE_WORDS = frozenset({"có", "x", "đã xong", "rồi", "yes", "done", "true"})
"""What a milestone's entry may say for done, after NFC and casefold; nothing looser."""

NOT_DONE_WORDS = frozenset({"chưa", "chưa xong", "không", "no", "not done", "false"})
"""What it may say for not done (`Chưa xong` is how the screen shows it)."""

QUANTITY_OPENINGS = ("tổng số ", "tổng ", "số ", "tỷ lệ ", "tỉ lệ ", "diện tích ", "sản lượng ")
"""Openings of names that name a quantity (`Tỷ lệ …`): the narrative says `<name> đạt <value>`
(casefolded comparison)."""

COMPLETION_VERBS = ("hoàn thành ", "đạt ")
"""Openings of names that are a deed done to a share (`Hoàn thành chỉ tiêu giao quân`): the
narrative puts the percent after the verb, `Hoàn thành 100% chỉ tiêu giao quân`."""
