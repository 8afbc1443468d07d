"""The official formats of `chitieu report`: xlsx, docx (bytes) and the narrative as text."""

from __future__ import annotations

from typing import TYPE_CHECKING

from chitieu_tui.core.source import View
from chitieu_tui.office import need
from chitieu_tui.present.narrative import text

if TYPE_CHECKING:
    from chitieu_tui.core.collection import Collection


def render_official(view: View, form: str) -> bytes | str:
    """One unit as `xlsx` or `docx` bytes, or the narrative as `text`."""
    if form == "text":
        return text(view)
    if form == "xlsx":
        need("openpyxl")
        # lazy: openpyxl only for --format xlsx
        from chitieu_tui.office.xlsx import to_bytes, unit_workbook

        return to_bytes(unit_workbook(view))
    need("docx")
    # lazy: python-docx only for --format docx
    from chitieu_tui.office.docx import unit_document

    return unit_document(view)


def render_collection_official(collection: Collection, form: str) -> bytes | str:
    """A collection as `xlsx` (the scorecard, then a sheet per unit), `docx` (each unit's report
    in turn) or `text` (each unit's narrative)."""
    views = [m.view for m in collection.members if m.view is not None and m.error is None]
    if form == "text":
        return "\n".join(text(v) for v in views)
    if form == "xlsx":
        need("openpyxl")
        # lazy: openpyxl only for --format xlsx
        from chitieu_tui.office.xlsx import collection_workbook, to_bytes

        return to_bytes(collection_workbook(collection))
    need("docx")
    # lazy: python-docx only for --format docx
    from chitieu_tui.office.docx import collection_document

    return collection_document(collection, views)
