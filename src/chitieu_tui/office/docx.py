"""`report --format docx`: the quarterly report of design §11 (python-docx, imported here only)."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from chitieu_tui.core.source import View
from chitieu_tui.i18n import t
from chitieu_tui.present import fmt, official
from chitieu_tui.present.basis import basis_lines, basis_title
from chitieu_tui.present.cells import due_text
from chitieu_tui.present.narrative import narrative, sentence
from chitieu_tui.present.official import GroupRow, Row
from chitieu_tui.present.summary import groups_line, summary_line

if TYPE_CHECKING:
    from docx.document import Document

    from chitieu_tui.core.collection import Collection

FONT = "Times New Roman"
"""The font of Vietnamese administrative documents."""


def _shade(cell: Any, fill: str) -> None:
    """A cell's background colour (python-docx has no API for it)."""
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


def _new_document() -> Document:
    doc = docx.Document()
    style = doc.styles["Normal"]
    style.font.name = FONT  # type: ignore[attr-defined]
    style.font.size = Pt(13)  # type: ignore[attr-defined]
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    section.top_margin = section.bottom_margin = Cm(2)
    return doc


def _para(
    doc: Any, text: str, *, bold: bool = False, italic: bool = False, size: int = 0, align: str = ""
) -> Any:
    p = doc.add_paragraph()
    run = p.add_run(text)
    run.bold, run.italic = bold, italic
    if size:
        run.font.size = Pt(size)
    if align:
        p.alignment = {
            "center": WD_ALIGN_PARAGRAPH.CENTER,
            "right": WD_ALIGN_PARAGRAPH.RIGHT,
            "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
        }[align]
    return p


def _heading_block(doc: Any, view: View) -> None:
    """Unit and motto side by side, then the title and where the figures come from."""
    table = doc.add_table(rows=1, cols=2)
    left, right = table.rows[0].cells
    left.text = view.board.definitions.unit.name.upper()
    right.text = t("o.motto1")
    right.add_paragraph(t("o.motto2"))
    for cell in (left, right):
        for p in cell.paragraphs:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            for run in p.runs:
                run.bold = True
                run.font.size = Pt(12)
    doc.add_paragraph()
    _para(doc, official.title(view).upper(), bold=True, size=14, align="center")
    for label, value in official.provenance(view):
        _para(doc, f"{label}: {value}", italic=True, size=11, align="center")


def _cell_text(row: Row, key: str) -> str:
    """A cell of the table as text (Word tables hold text)."""
    value = row.cells()[key]
    ind = row.ev.indicator
    if key == "target" and ind.kind == "milestone" and row.status_text:
        return due_text(ind)
    if isinstance(value, bool):
        return fmt.done_text(value)
    if key in official.PERCENT_COLUMNS:
        return "" if value is None else fmt.percent(float(value) * 100)  # type: ignore[arg-type]
    if key in official.NUMBER_COLUMNS:
        return "" if value is None else fmt.number(value)  # type: ignore[arg-type]
    return "" if value is None else str(value)


def _table(doc: Any, view: View) -> None:
    """The §11 table on A4 landscape: group heading rows, status cells coloured."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21)
    section.left_margin = section.right_margin = Cm(1.5)
    _para(doc, t("o.table_title"), bold=True)
    cols = official.COLUMNS
    items = official.rows(view)
    table = doc.add_table(rows=1, cols=len(cols))
    table.style = "Table Grid"
    for cell, head in zip(table.rows[0].cells, official.headers(who=False), strict=True):
        cell.text = head
        _shade(cell, official_header_fill())
        for run in cell.paragraphs[0].runs:
            run.bold = True
    _repeat_header(table.rows[0])
    groups = {n for n, item in enumerate(items, start=1) if isinstance(item, GroupRow)}
    for item in items:
        cells = table.add_row().cells
        if isinstance(item, GroupRow):
            cells[0].text = item.number
            merged = cells[1].merge(cells[-1])
            merged.text = item.name
            for cell in (cells[0], merged):
                _shade(cell, "F2F2F2")
                for run in cell.paragraphs[0].runs:
                    run.bold = True
            continue
        for cell, key in zip(cells, cols, strict=True):
            cell.text = _cell_text(item, key)
        fill = official.STATUS_FILL.get(item.status)
        if fill is not None:
            _shade(cells[cols.index("status")], fill)
    widths = [1.0, 5.6, 1.8, 2.0, 2.0, 2.0, 1.8, 2.0, 1.9, 2.2, 1.0]
    widths[-1] = 26.7 - sum(widths[:-1])
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)
    right = {cols.index(c) for c in (*official.NUMBER_COLUMNS, *official.PERCENT_COLUMNS)}
    for n, row in enumerate(table.rows):
        for i, (cell, width) in enumerate(zip(row.cells, widths, strict=False)):
            cell.width = Cm(width)
            for p in cell.paragraphs:
                if i in right and n and n not in groups:
                    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                for run in p.runs:
                    run.font.size = Pt(10)
    _para(doc, summary_line(view.board), italic=True, size=11)
    if view.board.judged:
        _para(doc, groups_line(view.board), italic=True, size=11)


def official_header_fill() -> str:
    """The header row's fill (as the workbook's)."""
    return official.HEADER_FILL


def _repeat_header(row: Any) -> None:
    """Repeat the header row on every page."""
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(el)


def _behind(doc: Any, view: View) -> None:
    """The indicators behind pace, each with its figures, cause and remedy."""
    section = doc.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.left_margin, section.right_margin = Cm(3), Cm(2)
    _para(doc, t("o.behind_heading"), bold=True)
    late = official.behind(view)
    if not late:
        _para(doc, t("o.behind_none"))
    none = t("o.cause_none")
    for n, row in enumerate(late, start=1):
        _para(doc, f"{n}. {sentence(row.ev)}", bold=True)
        _para(doc, f"{t('o.col_cause')}: {row.cause or none}")
        _para(doc, f"{t('o.col_remedy')}: {row.remedy or none}")
        if row.note:
            _para(doc, f"{t('o.col_note')}: {row.note}", italic=True)


def _signature(doc: Any, today: dt.date) -> None:
    """The date line, then who made the report and the head of the unit, room to sign."""
    doc.add_paragraph()
    blank = "……"
    line = t("o.date_line", place=t("o.date_place"), day=blank, month=blank, year=today.year)
    _para(doc, line, italic=True, align="right").paragraph_format.keep_with_next = True
    table = doc.add_table(rows=1, cols=2)
    for cell, (who, hint) in zip(
        table.rows[0].cells,
        (("o.signer_maker", "o.sign_hint"), ("o.signer_head", "o.sign_hint_head")),
        strict=True,
    ):
        cell.text = t(who)
        cell.paragraphs[0].runs[0].bold = True
        hint_p = cell.add_paragraph(t(hint))
        hint_p.runs[0].italic = True
        for _ in range(4):
            cell.add_paragraph()
        for p in cell.paragraphs:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _unit_parts(doc: Any, view: View, today: dt.date) -> None:
    _heading_block(doc, view)
    _para(doc, t("o.narrative_title"), bold=True)
    for paragraph in narrative(view):
        p = _para(doc, paragraph, align="justify")
        p.paragraph_format.first_line_indent = 360000  # 1 cm in EMU
    _table(doc, view)
    notes = basis_lines(view.board)  # the basis of each target, as a footnote (issue 21)
    if notes:
        _para(doc, basis_title(), bold=True)
        for line in notes:
            _para(doc, line, size=10)
    _behind(doc, view)
    _signature(doc, today)


def _bytes(doc: Any) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def unit_document(view: View, today: dt.date | None = None) -> bytes:
    """The report of one unit as .docx bytes."""
    doc = _new_document()
    doc.core_properties.title = official.title(view)
    doc.core_properties.author = "chitieu"
    _unit_parts(doc, view, today or dt.date.today())
    return _bytes(doc)


def collection_document(
    collection: Collection, views: Sequence[View], today: dt.date | None = None
) -> bytes:
    """Each readable unit's report in turn, one after the other."""
    doc = _new_document()
    doc.core_properties.title = collection.name
    doc.core_properties.author = "chitieu"
    for i, view in enumerate(views):
        if i:
            doc.add_section(WD_SECTION.NEW_PAGE)
        _unit_parts(doc, view, today or dt.date.today())
    return _bytes(doc)
