"""Text from files and servers is data: strip what a terminal would act on."""

from __future__ import annotations

import re

# C0 controls (but tab and newline), DEL, C1 controls, and bidi overrides/isolates.
_CONTROL = "[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]"
_BLANKS = "[\t\n]+"
_compiled: list[re.Pattern[str]] = []
"""The two patterns, compiled when first needed (most text is printable: a report of the
sample never compiles them; 0.3 ms at every start otherwise)."""


def _patterns() -> list[re.Pattern[str]]:
    if not _compiled:
        _compiled[:] = [re.compile(_CONTROL), re.compile(_BLANKS)]
    return _compiled


def clean(text: str, *, multiline: bool = False) -> str:
    """Remove control characters; fold tabs (and newlines unless `multiline`) to spaces."""
    if text.isprintable():  # no control, format (bidi), tab or newline: nothing to remove
        return text
    control, blanks = _patterns()
    text = control.sub("", text)
    if multiline:
        return text.replace("\t", " ")
    return blanks.sub(" ", text)
