"""`report --format docx`: the quarterly report as filed (DESIGN sections 11 and 14), in the
layout of a party committee (Guide 36-HD/VPTW) or of a state body (Decree 30/2020/NĐ-CP).
python-docx is imported here only."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from chitieu_tui.core import rules
from chitieu_tui.core.model import ReportHead
from chitieu_tui.core.source import View
from chitieu_tui.i18n import t
from chitieu_tui.present import filed, fmt, official
from chitieu_tui.present import rules as present_rules
from chitieu_tui.present.basis import basis_lines, basis_title
from chitieu_tui.present.cells import due_text
from chitieu_tui.present.filed import blank
from chitieu_tui.present.narrative import narrative, sentence
from chitieu_tui.present.official import GroupRow, Row
from chitieu_tui.present.summary import groups_line, summary_line

if TYPE_CHECKING:
    from docx.document import Document

    from chitieu_tui.core.collection import Collection

FONT = "Times New Roman"
"""The font of Vietnamese administrative documents."""
BODY_PT = 13
"""The body's size (13–14 pt)."""
TABLE_PT = 10
"""The indicator table's size (landscape, eleven columns)."""
MARGINS_MM = {"top": 20, "bottom": 20, "left": 30, "right": 15}
"""A4 portrait margins (top and bottom 20–25 mm, left 30–35, right 15–20)."""
LANDSCAPE_MM = {"top": 30, "bottom": 15, "left": 20, "right": 20}
"""The table's landscape pages: the binding edge (the portrait page's left, 30 mm) is the
landscape page's top."""
TEXT_CM = 21.0 - (MARGINS_MM["left"] + MARGINS_MM["right"]) / 10
"""The portrait text width (16.5 cm)."""
HEAD_CM = {"party": (8.2, 8.3), "state": (6.9, 9.6)}
"""The head's two columns (16.5 cm between the portrait margins): a state body's motto needs
the wider right column (Decree 30's template), a party committee's halves are near even."""
CAPS_EM = 0.66
"""About how wide a capital of Times New Roman bold is, in ems (to choose a head's size)."""
TABLE_CM = {
    "stt": 1.3,
    "name": 5.8,
    "unit": 1.8,
    "target": 2.0,
    "quarter": 2.0,
    "ytd": 1.9,
    "percent": 1.9,
    "expected": 1.9,
    "last_year": 2.0,
    "status": 2.4,
    "note": 2.7,
}
"""The table's columns (25.7 cm between the landscape margins); no heading word breaks."""
INK = RGBColor(0, 0, 0)


def _new_document() -> Document:
    doc = docx.Document()
    style = doc.styles["Normal"]
    style.font.name = FONT  # type: ignore[attr-defined]
    style.font.size = Pt(BODY_PT)  # type: ignore[attr-defined]
    style.font.color.rgb = INK  # type: ignore[attr-defined]
    fonts = style.element.rPr.rFonts  # type: ignore[attr-defined]
    for attr in ("w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    pf = style.paragraph_format  # type: ignore[attr-defined]
    pf.space_before, pf.space_after, pf.line_spacing = Pt(0), Pt(6), 1.0
    for name in ("Table Grid",):
        doc.styles[name].font.name = FONT  # type: ignore[attr-defined]
    _page(doc.sections[0], landscape=False)
    _page_numbers(doc)
    return doc


def _page(section: Any, landscape: bool) -> None:
    """A4 in either orientation with DESIGN 14's margins."""
    section.start_type = WD_SECTION.NEW_PAGE
    if landscape:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = Mm(297), Mm(210)
        margins = LANDSCAPE_MM
    else:
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(210), Mm(297)
        margins = MARGINS_MM
    section.top_margin, section.bottom_margin = Mm(margins["top"]), Mm(margins["bottom"])
    section.left_margin, section.right_margin = Mm(margins["left"]), Mm(margins["right"])
    section.header_distance = section.footer_distance = Mm(10)


def _page_numbers(doc: Any) -> None:
    """The page number centred at the top of every page but the first (Decree 30; Guide 36
    allows the same). Later sections take the first one's header."""
    section = doc.sections[0]
    section.different_first_page_header_footer = True
    p = section.header.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), ("end", None)):
        run = p.add_run()
        run.font.size = Pt(BODY_PT)
        if kind is not None:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)


def _new_section(doc: Any, landscape: bool) -> None:
    """Start a new page in the other orientation. The break rides on the last paragraph
    (python-docx would add an empty one, which spills onto a page of its own when the
    section ends at a page's foot)."""
    body = doc.element.body
    sentinel = body.get_or_add_sectPr()
    last = sentinel.getprevious()
    if last is None or last.tag != qn("w:p"):
        last = _tiny(doc.add_paragraph())._p
    last.set_sectPr(sentinel.clone())
    _page(doc.sections[-1], landscape)
    doc.sections[-1].different_first_page_header_footer = False  # only the document's first


def _tiny(p: Any) -> Any:
    """An empty paragraph that takes almost no room (after a table, before a break)."""
    p.paragraph_format.space_before = p.paragraph_format.space_after = Pt(0)
    p.paragraph_format.line_spacing = Pt(1)
    p.add_run("").font.size = Pt(1)
    return p


def _shade(cell: Any, fill: str) -> None:
    """A cell's background colour (python-docx has no API for it)."""
    shd = OxmlElement("w:shd")
    shd.set(qn("w:val"), "clear")
    shd.set(qn("w:color"), "auto")
    shd.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shd)


ALIGN = {
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
    "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    "left": WD_ALIGN_PARAGRAPH.LEFT,
}


def _fill(
    p: Any,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    size: float = 0,
    align: str = "",
    underline: bool = False,
    after: float | None = None,
) -> Any:
    run = p.add_run(text)
    run.bold, run.italic = bold, italic
    if underline:
        run.underline = True
    if size:
        run.font.size = Pt(size)
    if align:
        p.alignment = ALIGN[align]
    if after is not None:
        p.paragraph_format.space_after = Pt(after)
    return p


def _para(doc: Any, text: str, **style: Any) -> Any:
    return _fill(doc.add_paragraph(), text, **style)


def _cell_para(cell: Any, text: str, first: bool = False, **style: Any) -> Any:
    """A paragraph in a cell: its first (empty) one, or a new one."""
    p = cell.paragraphs[0] if first else cell.add_paragraph()
    style.setdefault("after", 0)
    return _fill(p, text, **style)


def _no_borders(table: Any) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    table._tbl.tblPr.append(borders)


def _cell_margins(table: Any, left_right_cm: float) -> None:
    mar = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        el = OxmlElement(f"w:{edge}")
        el.set(qn("w:w"), str(int(left_right_cm * 567)))
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    table._tbl.tblPr.append(mar)


def _widths(table: Any, widths_cm: Sequence[float]) -> None:
    table.autofit = False
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for column, width in zip(table.columns, widths_cm, strict=True):
        column.width = Cm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths_cm, strict=False):
            cell.width = Cm(width)


def _rule(cell: Any, width_cm: float, cell_cm: float) -> None:
    """A short centred rule under a line (the issuer's in a state body's head, the subject's
    in its title): a paragraph's bottom border, indented to `width_cm`."""
    p = cell.add_paragraph()
    side = Cm(max(0.0, (cell_cm - width_cm) / 2))
    p.paragraph_format.left_indent = p.paragraph_format.right_indent = side
    p.paragraph_format.space_before = Pt(1)
    p.paragraph_format.space_after = Pt(4)
    p.paragraph_format.line_spacing = Pt(4)
    p.add_run("").font.size = Pt(2)
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    p._p.get_or_add_pPr().append(border)


def _head(doc: Any, head: ReportHead, day: dt.date) -> None:
    """The head: a borderless two-column block. Left: the parent body, the issuer (bold),
    `*` under a party issuer (a rule under a state one), the number. Right: the motto, each
    line on one line and underlined, then place and date in italics."""
    party = head.style == "party"
    widths = HEAD_CM[head.style]
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    _cell_margins(table, 0.05)
    left, right = table.rows[0].cells
    size = 14 if party else 13
    parent, issuer = blank(head.parent).upper(), blank(head.issuer).upper()
    _cell_para(left, parent, first=True, size=_fit(parent, size, widths[0]), align="center")
    _cell_para(left, issuer, bold=True, size=_fit(issuer, size, widths[0]), align="center")
    if party:
        _cell_para(left, "*", size=size, align="center")
    else:
        _rule(left, 2.2, widths[0])
    _cell_para(left, filed.number_line(head), size=size, align="center")
    if party:
        motto = t("doc.party_motto")
        size_motto = _fit(motto, 15, widths[1])
        _cell_para(
            right, motto, first=True, bold=True, size=size_motto, align="center", underline=True
        )
        _cell_para(right, "", size=8, align="center")
    else:
        _cell_para(right, t("o.motto1"), first=True, bold=True, size=12, align="center")
        _cell_para(right, t("o.motto2"), bold=True, size=13, align="center", underline=True)
        _cell_para(right, "", size=6, align="center")
    _cell_para(right, filed.date_line(head, day), italic=True, size=size, align="center")
    _widths(table, widths)


def _fit(text: str, size: int, width_cm: float) -> int:
    """The head's size for a line of capitals: `size`, or smaller (not below 12 pt, the
    smallest either layout allows) when it would not fit on one line of `width_cm`."""
    room = (width_cm - 0.2) / 2.54 * 72
    while size > 12 and len(text) * size * CAPS_EM > room:
        size -= 1
    return size


def _title(doc: Any, subject: str, lines: Sequence[str], party: bool) -> None:
    """`BÁO CÁO`, its subject, then the provenance and the state in italics."""
    p = _para(doc, t("doc.report_word"), bold=True, size=16 if party else 14, align="center")
    p.paragraph_format.space_before = Pt(18)
    p.paragraph_format.space_after = Pt(0)
    _para(doc, subject, bold=True, size=14, align="center", after=0)
    if party:  # Guide 36: five dashes under the subject
        _para(doc, "-----", size=BODY_PT, align="center", after=6)
    else:  # Decree 30: a rule a third to a half of the subject's length
        _rule(doc, 4.0, TEXT_CM)
        _para(doc, "", size=6, after=0)
    for line in lines:
        _para(doc, line, italic=True, size=12, align="center", after=0)
    _para(doc, "", size=6, after=0)


def _body(doc: Any, text: str) -> Any:
    p = _para(doc, text, align="justify")
    p.paragraph_format.first_line_indent = Cm(1)
    return p


def _heading(doc: Any, text: str) -> Any:
    p = _para(doc, text, bold=True)
    p.paragraph_format.keep_with_next = True
    p.paragraph_format.space_before = Pt(6)
    return p


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


def _row_props(row: Any, header: bool = False) -> None:
    """A row never splits across pages; the header row repeats on every page."""
    tr_pr = row._tr.get_or_add_trPr()
    cant = OxmlElement("w:cantSplit")
    cant.set(qn("w:val"), "true")
    tr_pr.append(cant)
    if header:
        el = OxmlElement("w:tblHeader")
        el.set(qn("w:val"), "true")
        tr_pr.append(el)


def _table(doc: Any, view: View, heading: str) -> None:
    """The §11 table on its own A4 landscape pages: group heading rows, status cells coloured,
    the header repeated on every page; then the portrait pages resume."""
    _new_section(doc, landscape=True)
    _heading(doc, heading)
    cols = official.COLUMNS
    items = official.rows(view)
    table = doc.add_table(rows=1, cols=len(cols))
    table.style = "Table Grid"
    for cell, head in zip(table.rows[0].cells, official.headers(who=False), strict=True):
        _cell_para(cell, head, first=True, bold=True, size=TABLE_PT, align="center")
        _shade(cell, official.HEADER_FILL)
    _row_props(table.rows[0], header=True)
    right = {cols.index(c) for c in (*official.NUMBER_COLUMNS, *official.PERCENT_COLUMNS)}
    for item in items:
        row = table.add_row()
        _row_props(row)
        cells = row.cells
        if isinstance(item, GroupRow):
            _cell_para(cells[0], item.number, first=True, bold=True, size=TABLE_PT, align="center")
            merged = cells[1].merge(cells[-1])
            _cell_para(merged, item.name, first=True, bold=True, size=TABLE_PT)
            for cell in (cells[0], merged):
                _shade(cell, "F2F2F2")
            continue
        for i, (cell, key) in enumerate(zip(cells, cols, strict=True)):
            align = "right" if i in right else ("center" if key == "stt" else "left")
            _cell_para(cell, _cell_text(item, key), first=True, size=TABLE_PT, align=align)
        fill = official.STATUS_FILL.get(item.status)
        if fill is not None:
            _shade(cells[cols.index("status")], fill)
    _widths(table, [TABLE_CM[c] for c in cols])
    p = _para(doc, summary_line(view.board), italic=True, size=11, after=0)
    p.paragraph_format.space_before = Pt(6)
    if view.board.judged:
        _para(doc, groups_line(view.board), italic=True, size=11, after=0)
    _new_section(doc, landscape=False)


def _behind(doc: Any, view: View) -> None:
    """The indicators behind pace, each with its figures, cause and remedy."""
    _heading(doc, t("o.behind_heading"))
    late = official.behind(view)
    if not late:
        _body(doc, t("o.behind_none"))
    none = t("o.cause_none")
    for n, row in enumerate(late, start=1):
        _body(doc, f"{n}. {sentence(row.ev)}").runs[0].bold = True
        _body(doc, f"{t('o.col_cause')}: {row.cause or none}")
        _body(doc, f"{t('o.col_remedy')}: {row.remedy or none}")
        if row.note:
            _body(doc, f"{t('o.col_note')}: {row.note}").runs[0].italic = True


def rules_section(doc: Any, view: View) -> None:
    """After the table (DESIGN section 15): the rules between figures, a heading, then the
    broken ones numbered, each with its importance, message and both sides' values, or that
    all N hold (and how many lacked the data to be checked). Nothing without rules."""
    results = rules.board_results(view.board)
    if not results:
        return
    _heading(doc, t("doc.rules_heading"))
    found = rules.broken(results)
    skipped = sum(1 for r in results if r.state == "skipped")
    if not found and not skipped:
        _body(doc, t("doc.rules_all_hold", n=len(results)))
        return
    if not found:
        _body(doc, t("doc.rules_none_broken", held=len(results) - skipped, skipped=skipped))
        return
    _body(doc, t("doc.rules_broken", n=len(found), total=len(results)))
    for n, r in enumerate(found, start=1):
        _body(doc, f"{n}. {present_rules.item(r)}")


def rules_units(doc: Any, collection: Collection) -> None:
    """In a collection's summary: the units that break rules between figures, each with
    how many (their rules are listed in their own sections); nothing without rules."""
    members = [(m.name, rules.board_results(m.board)) for m in collection.members if m.board]
    if not any(results for _, results in members):
        return
    named = [
        t("doc.rules_unit", unit=name, n=len(rules.broken(results)))
        for name, results in members
        if rules.broken(results)
    ]
    if named:
        _body(doc, t("doc.rules_units", units="; ".join(named)))
    else:
        _body(doc, t("doc.rules_units_none"))


def _signature(doc: Any, head: ReportHead) -> None:
    """Left *Nơi nhận:* and the recipients; right the authority, the title, room to sign,
    the name. What is not given is a dotted blank."""
    _para(doc, "", size=6, after=0)
    table = doc.add_table(rows=1, cols=2)
    _no_borders(table)
    _cell_margins(table, 0.05)
    _row_props(table.rows[0])
    left, right = table.rows[0].cells
    party = head.style == "party"
    if party:  # Guide 36: underlined, 14 pt; the recipients 12 pt
        _cell_para(left, t("doc.recipients"), first=True, underline=True, size=14)
    else:  # Decree 30: bold italic 12 pt; the recipients 11 pt
        _cell_para(left, t("doc.recipients"), first=True, bold=True, italic=True, size=12)
    recipients = head.recipients or [blank("")]
    for n, who in enumerate(recipients, start=1):
        end = "." if n == len(recipients) else ";"
        _cell_para(left, f"- {who}{end}", size=12 if party else 11)
    _cell_para(
        right, blank(head.signer_authority).upper(), first=True, bold=True, size=14, align="center"
    )
    _cell_para(right, blank(head.signer_title).upper(), bold=True, size=14, align="center")
    for _ in range(4):
        _cell_para(right, "", size=14)
    _cell_para(right, blank(head.signer_name), bold=True, size=14, align="center")
    _widths(table, (7.5, 9.0))
    for p in (*left.paragraphs, *right.paragraphs):
        p.paragraph_format.keep_with_next = True


def _unit_body(doc: Any, view: View) -> None:
    """A unit's narrative, its table (landscape pages) and its indicators behind."""
    _heading(doc, t("o.narrative_title"))
    for paragraph in narrative(view):
        _body(doc, paragraph)
    _table(doc, view, t("o.table_title"))
    notes = basis_lines(view.board)  # the basis of each target, as a footnote (issue 21)
    if notes:
        _para(doc, basis_title(), bold=True)
        for line in notes:
            _para(doc, line, size=10)
    rules_section(doc, view)
    _behind(doc, view)


def _bytes(doc: Any) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def unit_document(view: View, day: dt.date | None = None) -> bytes:
    """The report of one unit as .docx bytes, in its `[report]` layout."""
    head = filed.head_of(view.board.definitions.report)
    doc = _new_document()
    doc.core_properties.title = official.title(view)
    doc.core_properties.author = "chitieu"
    _head(doc, head, day or dt.date.today())
    period = view.board.period.label()
    lines = [filed.provenance(view), filed.state_line(view.board.progress)]
    _title(doc, t("doc.subject", period=period), lines, head.style == "party")
    _unit_body(doc, view)
    _signature(doc, head)
    return _bytes(doc)


def collection_document(
    collection: Collection, views: Sequence[View], day: dt.date | None = None
) -> bytes:
    """A collection's report: its head (collection.toml's `[report]`), the province's summary
    from the totals, then a section per readable unit, and the signature."""
    head = filed.head_of(collection.report)
    doc = _new_document()
    doc.core_properties.title = collection.name
    doc.core_properties.author = "chitieu"
    _head(doc, head, day or dt.date.today())
    period = collection.period.label() if collection.period is not None else ""
    subject = t("doc.subject_collection", period=period, name=collection.name)
    took = t("doc.took_part", n=filed.took_part(collection), total=len(collection.units()))
    _title(doc, subject, [took], head.style == "party")
    _heading(doc, t("doc.summary_heading"))
    for part in filed.collection_summary(collection):
        _body(doc, part.text)
        for item in part.items:
            p = _para(doc, f"- {item}", align="justify", after=3)
            p.paragraph_format.left_indent = Cm(1)
    rules_units(doc, collection)
    _heading(doc, t("doc.units_heading"))
    for n, view in enumerate(views, start=1):
        name = view.board.definitions.unit.name
        _heading(doc, t("doc.unit_heading", n=n, unit=name))
        for line, after in (
            (filed.provenance(view), 0),
            (filed.state_line(view.board.progress), 6),
        ):
            p = _para(doc, line, italic=True, size=12, after=after)
            p.paragraph_format.keep_with_next = True
        _unit_body(doc, view)
    _signature(doc, head)
    return _bytes(doc)
