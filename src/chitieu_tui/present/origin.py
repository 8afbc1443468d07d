"""Where figures came from, in words: the source of a view, the origin of a quarter's values."""

from __future__ import annotations

from chitieu_tui.core.model import Progress
from chitieu_tui.core.source import View
from chitieu_tui.i18n import t
from chitieu_tui.present.time import date_text

_KINDS = ("file", "api", "snapshot")


def source_text(view: View) -> str:
    """`mẫu có sẵn` for the bundled sample, else the label as data (`config/`, `api:http://…`)."""
    if view.source_kind == "sample":
        return t("sample")
    return view.source_label


def origin_text(progress: Progress | None) -> str:
    """`tệp 02/04/2026`, `máy chủ`, `snapshot 2026-04-02`: how a quarter's values arrived."""
    if progress is None:
        return ""
    kind = progress.source.split(":", 1)[0]
    words = t(f"from_{kind}") if kind in _KINDS else kind
    if progress.as_of is not None:
        words = f"{words} {date_text(progress.as_of)}".strip()
    return words
