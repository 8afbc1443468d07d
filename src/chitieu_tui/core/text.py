"""Text from files and servers is data: strip what a terminal would act on."""

from __future__ import annotations

import re

# C0 controls (but tab and newline), DEL, C1 controls, and bidi overrides/isolates.
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_BLANKS_RE = re.compile("[\t\n]+")


def clean(text: str, *, multiline: bool = False) -> str:
    """Remove control characters; fold tabs (and newlines unless `multiline`) to spaces."""
    if text.isprintable():  # no control, format (bidi), tab or newline: nothing to remove
        return text
    text = _CONTROL_RE.sub("", text)
    if multiline:
        return text.replace("\t", " ")
    return _BLANKS_RE.sub(" ", text)
