"""`chitieu report` on a collection: the scorecard as a table, Markdown, CSV or JSON."""

from __future__ import annotations

import csv
import io
import shutil
import sys
from collections.abc import Iterable, Iterator
from typing import Any

from chitieu_tui.core import rules
from chitieu_tui.core.collection import (
    Collection,
    Member,
    RunningTotals,
    Total,
    against_province,
    totals,
)
from chitieu_tui.core.numbers import whole
from chitieu_tui.i18n import t
from chitieu_tui.present import fmt
from chitieu_tui.present import rules as present_rules
from chitieu_tui.present.rollup import (
    column_names,
    column_totals,
    header_text,
    offline_text,
    summary_text,
    total_cell,
    unit_rows,
)
from chitieu_tui.present.targets import rollup_note
from chitieu_tui.report import (
    BOM,
    CSV_COLUMNS,
    RULE_CSV_COLUMNS,
    RULES_COLUMN,
    _csv_cell,
    _md,
    broken_cells,
    csv_cells,
    excel_headers,
    excel_rows,
    excel_writer,
    json_text,
    md_head,
    md_row,
    rule_csv_cells,
    to_json,
)

CSV_ROLLUP_COLUMNS = ("row", "unit_id", "unit_name", *CSV_COLUMNS, "units", RULES_COLUMN)
"""The collection CSV's header: `row` is `unit` (one indicator of one unit) or `total`;
`rules_broken` last (as the unit's CSV gives it; empty on totals)."""
CSV_ROLLUP_RULE_COLUMNS = ("unit_id", "unit_name", *RULE_CSV_COLUMNS)
"""`report --format csv --rules` on a collection: every unit's rules, one row each."""


def total_json(total: Total) -> dict[str, Any]:
    """One total as docs/rollup.md gives it."""
    integer = total.indicator is not None and total.indicator.integer
    return {
        "id": total.id,
        "name": total.name,
        "aggregate": total.aggregate,
        "value": whole(total.value, integer),
        "target": whole(total.target, integer),
        "percent_of_target": fmt.round2(total.percent),
        "units": total.units,
    }


def unit_json(m: Member) -> dict[str, Any]:
    """One member as the collection's JSON gives it (an unreadable one with its error)."""
    board = m.board
    if board is None:
        error = m.error.render() if m.error is not None else None
        return {
            "unit": m.key,
            "name": m.name,
            "summary": None,
            "indicators": [],
            "rules": [],
            "rules_broken": None,
            "error": error,
        }
    doc = to_json(board)
    entry = {
        "unit": doc["unit"],
        "name": board.definitions.unit.name,
        "summary": doc["summary"],
        "indicators": doc["indicators"],
        "rules": doc["rules"],
        "rules_broken": sum(1 for r in doc["rules"] if r["state"] == "broken"),
    }
    if m.offline:
        entry["offline"] = True
    return entry


def to_json_collection(collection: Collection) -> dict[str, Any]:
    """`{"collection": {"name"}, "period", "units": [...], "totals": [...]}`."""
    return {
        "collection": {"name": collection.name},
        "period": str(collection.period) if collection.period is not None else None,
        "units": [unit_json(m) for m in collection.members],
        "totals": [_with_province(collection, x) for x in totals(collection.boards())],
    }


CHUNK = 64 * 1024
"""Characters gathered before each write of a streamed report."""


def _gathered(pieces: Iterable[str]) -> Iterator[str]:
    """`pieces` joined into chunks of about CHUNK characters (fewer, larger writes)."""
    buf: list[str] = []
    size = 0
    for piece in pieces:
        buf.append(piece)
        size += len(piece)
        if size >= CHUNK:
            yield "".join(buf)
            buf, size = [], 0
    if buf:
        yield "".join(buf)


def _counted(members: Iterable[Member], running: RunningTotals) -> Iterator[Member]:
    """`members`, each readable one's board added to `running` as it passes."""
    for m in members:
        board = m.board
        if board is not None:
            running.add(board)
        yield m


def stream_json_collection(
    collection: Collection, members: Iterable[Member] | None = None
) -> Iterator[str]:
    """`render_collection(collection, "json")` in pieces, one unit's document at a time
    (the same bytes as `json.dumps(to_json_collection(...), indent=2)`; the whole document
    is never held: 3,321 units make 58 MB of it). `members`: the members as they are read
    (`Collection.stream`), else those of the loaded collection; the totals are added up as
    they pass."""
    return _gathered(_json_pieces(collection, members))


def _nested(text: str, level: int) -> str:
    """A value's JSON text as it reads `level` levels deep in an indent-2 document (JSON
    text has no raw newline inside a string: each newline is the layout's)."""
    return text.replace("\n", "\n" + "  " * level)


def _json_pieces(collection: Collection, members: Iterable[Member] | None) -> Iterator[str]:
    running = RunningTotals()
    listed = collection.members if members is None else members
    return json_pieces(collection, (unit_json_text(m) for m in _counted(listed, running)), running)


def unit_json_text(m: Member) -> str:
    """One member's text in the collection's JSON, as it reads inside `units`."""
    return _nested(json_text(unit_json(m)), 2)


def json_pieces(
    collection: Collection, texts: Iterable[str], running: RunningTotals
) -> Iterator[str]:
    """The document's layout written by hand around each unit's text (`unit_json_text`,
    compiled: Python's own indenting encoder was four fifths of the country's report), as
    `json.dumps(..., indent=2)` lays it out; the totals are `running`'s once `texts` is
    spent (each unit's board added to it as its text passes: here, or made in a worker
    process, report_workers.py)."""
    period = str(collection.period) if collection.period is not None else None
    yield '{\n  "collection": ' + _nested(json_text({"name": collection.name}), 1)
    yield ',\n  "period": ' + json_text(period) + ',\n  "units": '
    lead = "[\n    "
    for text in texts:
        yield lead + text
        lead = ",\n    "
    yield "[]" if lead.startswith("[") else "\n  ]"
    found = [_with_province(collection, x) for x in running.totals()]
    yield ',\n  "totals": ' + _nested(json_text(found), 1) + "\n}"


def _with_province(collection: Collection, total: Total) -> dict[str, Any]:
    """`total_json`, and where the province assigns the indicator a target of its own (a
    `sum`): `province_target` and `percent_of_province_target` (issue 21)."""
    found = total_json(total)
    if collection.targets is None or collection.period is None:
        return found
    against = against_province(total, collection.targets, collection.period.quarter)
    if against.province is not None:
        integer = total.indicator is not None and total.indicator.integer
        found["province_target"] = whole(against.province, integer)
        found["percent_of_province_target"] = fmt.round2(against.percent)
    return found


class _Pieces:
    """A file-like `write` that keeps what the csv writer gives it, to be taken away."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, text: str) -> int:
        self.parts.append(text)
        return len(text)

    def take(self) -> str:
        text = "".join(self.parts)
        self.parts = []
        return text


def stream_csv_collection(
    collection: Collection, members: Iterable[Member] | None = None, rules_only: bool = False
) -> Iterator[str]:
    """`render_collection(collection, "csv")` in pieces, one unit's rows at a time
    (`members` as in `stream_json_collection`; with `rules_only`, the `--rules` table)."""
    running = RunningTotals()
    listed = collection.members if members is None else members
    if rules_only:
        texts = (unit_csv_text(m, rules_only) for m in listed)
    else:
        texts = (unit_csv_text(m) for m in _counted(listed, running))
    return _gathered(csv_pieces(texts, running, rules_only))


def unit_csv_text(m: Member, rules_only: bool = False) -> str:
    """One member's rows of the collection's CSV (`rules_only`: of its `--rules` table,
    none for an unreadable one)."""
    out = _Pieces()
    writer = csv.writer(out, lineterminator="\n")
    board = m.board
    if board is None:
        if not rules_only:
            blank = [""] * (len(CSV_COLUMNS) - 1)
            writer.writerow(
                ["unit", m.key, _csv_cell(m.name), *blank[:10], "error", *blank[10:], "", ""]
            )
        return out.take()
    unit = [board.definitions.unit.id, _csv_cell(board.definitions.unit.name)]
    if rules_only:  # every readable unit's rules, led by its id and name (DESIGN section 15)
        writer.writerows([*unit, *rule_csv_cells(r)] for r in rules.board_results(board))
        return out.take()
    cells = broken_cells(rules.board_results(board))
    for ev in board.evaluations:
        found = cells.get(ev.indicator.id, "")
        writer.writerow(["unit", *unit, *csv_cells(ev, board.judged), "", found])
    return out.take()


def csv_pieces(texts: Iterable[str], running: RunningTotals, rules_only: bool) -> Iterator[str]:
    """The collection's CSV around each unit's rows (`unit_csv_text`): the header, then the
    rows of `running`'s totals once `texts` is spent (none for `--rules`)."""
    out = _Pieces()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_ROLLUP_RULE_COLUMNS if rules_only else CSV_ROLLUP_COLUMNS)
    yield out.take()
    yield from texts
    if rules_only:
        return
    for total in running.totals():
        ind = total.indicator
        integer = ind is not None and ind.integer
        writer.writerow(
            [
                "total",
                "",
                "",
                total.id,
                _csv_cell(ind.group) if ind is not None else "",
                _csv_cell(total.name),
                ind.kind if ind is not None else "",
                _csv_cell(total.unit),
                "" if total.value is None else whole(total.value, integer),
                "",
                "" if total.target is None else whole(total.target, integer),
                "",
                "" if total.percent is None else fmt.round2(total.percent),
                total.status.value if total.percent is not None else "",
                *[""] * (len(CSV_COLUMNS) - 11),  # note, by, at, cause, remedy
                total.units,
                "",
            ]
        )
    yield out.take()


def _grid(collection: Collection) -> tuple[list[str], list[list[str]]]:
    """Headings and rows of the scorecard (units, then the totals row)."""
    columns = collection.shown_columns()
    heads = [t("rollup.col_rank"), t("rollup.col_unit"), t("rollup.col_met")]
    heads += column_names(collection, columns)
    rows: list[list[str]] = []
    for row in sorted(unit_rows(collection, columns), key=_rank_key):
        if row.rank is None:
            rows.append(["", row.name, t("rollup.error_cell", error=row.error)])
            rows[-1] += [""] * len(columns)
            continue
        name = row.name + (f" ({t('rollup.offline_mark')})" if row.offline else "")
        rows.append(
            [fmt.number(row.rank), name, f"{row.met}/{row.total}"] + [c.text for c in row.cells]
        )
    sums = [total_cell(x).text for x in column_totals(collection, columns)]
    rows.append(["", t("rollup.totals"), ""] + sums)
    return heads, rows


def _rank_key(row: Any) -> tuple[int, int]:
    return (row.rank is None, row.rank or 0)


def stream_collection(
    collection: Collection,
    form: str,
    members: Iterable[Member] | None = None,
    rules_only: bool = False,
) -> Iterator[str] | None:
    """The collection's report in pieces, for the forms that stream (`json`: without the
    final newline, as `render_collection`; `csv`, or its `--rules` table); None for the
    others. `members`: as they are read (`Collection.stream`), else the loaded collection's."""
    if form == "json":
        return stream_json_collection(collection, members)
    if form == "csv":
        return stream_csv_collection(collection, members, rules_only)
    return None


def broken_by_unit(collection: Collection) -> list[tuple[str, list[rules.Result]]]:
    """Each readable unit that breaks a rule of its quarter (DESIGN section 15), its name and
    its broken rules, in the collection's order."""
    out: list[tuple[str, list[rules.Result]]] = []
    for m in collection.members:
        board = m.board
        found = rules.broken(rules.board_results(board)) if board is not None else []
        if found:
            out.append((m.name, found))
    return out


def _unit_rules_line(name: str, found: list[rules.Result]) -> str:
    return t("rollup.rules_unit", unit=name, count=t("rule.broken_n", n=len(found)))


def render_collection(collection: Collection, form: str, rules_only: bool = False) -> str:
    """The collection's report as text."""
    pieces = stream_collection(collection, form, rules_only=rules_only)
    if pieces is not None:
        return "".join(pieces)
    if form == "csv-excel":
        return _csv_excel(collection)
    heads, rows = _grid(collection)
    handed = rollup_note(collection, column_totals(collection, collection.shown_columns()))
    origin = [(t("o.source"), collection.label or collection.name)]
    if offline_text(collection):
        origin.append((t("o.offline"), offline_text(collection)))
    if form == "markdown":
        lines = [f"# {_md(header_text(collection))}", ""]
        lines += [f"- **{_md(k)}:** {_md(v)}" for k, v in origin]
        lines += ["", _md(summary_text(collection))]
        lines += ["", *md_head(heads), *(md_row(row) for row in rows)]
        lines += ["", *(_md(line) for line in handed.splitlines())] if handed else []
        lines += _rules_md(collection)
        return "\n".join(lines) + "\n"
    # lazy: rich only for the terminal table (not json, csv or markdown)
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(title=Text(header_text(collection)))
    for i, head in enumerate(heads):
        table.add_column(Text(head), justify="left" if i == 1 else "right")
    for row in rows:
        table.add_row(*(Text(c) for c in row))
    width = shutil.get_terminal_size((140, 24)).columns if sys.stdout.isatty() else 140
    console = Console(file=io.StringIO(), width=width, color_system=None, force_terminal=False)
    console.print(table)
    console.print(Text(summary_text(collection)))
    if handed:
        console.print(Text(handed))
    broken_units = broken_by_unit(collection)
    if broken_units:
        console.print(Text(t("rollup.rules_heading"), style="bold"))
    for name, results in broken_units:
        console.print(Text(_unit_rules_line(name, results)))
        for r in results:
            console.print(Text(f"  {present_rules.item(r)}"))
    console.print(Text(" · ".join(f"{k}: {v}" for k, v in origin)))
    out = console.file
    assert isinstance(out, io.StringIO)
    return out.getvalue()


def _rules_md(collection: Collection) -> list[str]:
    """Under the scorecard, as the unit's report lists them: a heading in bold, each unit
    with a broken rule an item (its count), one sub-item per rule; nothing when none is."""
    found = broken_by_unit(collection)
    if not found:
        return []
    out = ["", f"**{_md(t('rollup.rules_heading'))}**", ""]
    for name, results in found:
        out.append(f"- {_md(_unit_rules_line(name, results))}")
        out += [f"  - {_md(present_rules.item(r))}" for r in results]
    return out


def _csv_excel(collection: Collection) -> str:
    """`csv-excel` of a collection: a BOM, the source, then every unit's §11 rows, led by the
    unit's name (the scorecard and totals are in the xlsx)."""
    out = io.StringIO()
    writer = excel_writer(out)
    writer.writerow([_csv_cell(header_text(collection))])
    writer.writerow([t("o.source"), _csv_cell(collection.label or collection.name)])
    if offline_text(collection):
        writer.writerow([t("o.offline"), _csv_cell(offline_text(collection))])
    writer.writerow([])
    writer.writerow([t("o.col_unit_name"), t("o.period"), *excel_headers()])
    for m in collection.members:
        if m.view is None or m.error is not None:
            continue
        lead = [_csv_cell(m.name), m.view.board.period.label()]
        writer.writerows(excel_rows(m.view, lead))
    return BOM + out.getvalue()
