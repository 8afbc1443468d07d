"""The official formats of `chitieu report`: xlsx, docx, pdf (bytes) and the narrative as text."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from chitieu_tui.core.source import View
from chitieu_tui.office import need
from chitieu_tui.present.narrative import text

if TYPE_CHECKING:
    from chitieu_tui.core.collection import Collection


def render_official(view: View, form: str, day: dt.date | None = None) -> bytes | str:
    """One unit as `xlsx`, `docx` or `pdf` bytes, or the narrative as `text`; `day` is the
    document's date (default today)."""
    if form == "text":
        return text(view)
    if form == "xlsx":
        need("openpyxl")
        # lazy: openpyxl only for --format xlsx
        from chitieu_tui.office.charts import with_path_charts
        from chitieu_tui.office.xlsx import to_bytes, unit_workbook

        return to_bytes(with_path_charts(unit_workbook(view), view))
    need("docx")
    # lazy: python-docx only for --format docx and pdf
    from chitieu_tui.office.docx import unit_document

    data = unit_document(view, day)
    return _pdf(data) if form == "pdf" else data


def render_collection_official(
    collection: Collection, form: str, day: dt.date | None = None
) -> bytes | str:
    """A collection as `xlsx` (the summary, the scorecard, then a sheet per unit), `docx` or
    `pdf` (the province's summary, then a section per unit) or `text` (each unit's narrative)."""
    views = [m.view for m in collection.members if m.view is not None and m.error is None]
    if form == "text":
        return "\n".join(text(v) for v in views)
    if form == "xlsx":
        need("openpyxl")
        # lazy: openpyxl only for --format xlsx
        from chitieu_tui.office.charts import with_column_charts
        from chitieu_tui.office.xlsx import collection_workbook, to_bytes

        return to_bytes(with_column_charts(collection_workbook(collection), collection))
    need("docx")
    # lazy: python-docx only for --format docx and pdf
    from chitieu_tui.office.docx import collection_document

    data = collection_document(collection, views, day)
    return _pdf(data) if form == "pdf" else data


def _pdf(docx_bytes: bytes) -> bytes:
    # lazy: subprocess and tempfile only for --format pdf
    from chitieu_tui.office.pdf import convert

    return convert(docx_bytes, "docx")
