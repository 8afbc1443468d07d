"""`chitieu report`: one period as a table, Markdown, CSV or JSON, without the TUI."""

from __future__ import annotations

import io
import re
import shutil
import sys
from typing import Any

import msgspec

from chitieu_tui.core import rules
from chitieu_tui.core.approval import closed_to_json, quarter_state, returned_to_json
from chitieu_tui.core.arithmetic import STATUS_ORDER, Board, Evaluation, Status
from chitieu_tui.core.numbers import whole
from chitieu_tui.core.source import View
from chitieu_tui.i18n import current, t
from chitieu_tui.present import fmt
from chitieu_tui.present.time import datetime_text
from chitieu_tui.terminal import use_colour

FORMATS = ("table", "markdown", "csv", "csv-excel", "json")
_MD_SPECIAL = r"([\\`*_{}\[\]()<>#+!|~])"
"""Escaped in Markdown (compiled by the first Markdown report: re's own cache keeps it)."""
CSV_COLUMNS = (
    "id",
    "group",
    "name",
    "kind",
    "unit",
    "value",
    "ytd",
    "target",
    "expected",
    "percent_of_target",
    "status",
    "note",
    "by",
    "at",
    "cause",
    "remedy",
)
"""The CSV's header: machine-friendly column ids, the same in every language."""
RULES_COLUMN = "rules_broken"
"""The CSV's last column (DESIGN section 15): the numbers of the broken rules an indicator
takes part in (`1;3`: the first and third `[[rule]]`), empty when none is."""
RULE_CSV_COLUMNS = (
    "rule",
    "left",
    "op",
    "right",
    "importance",
    "when",
    "state",
    "left_value",
    "right_value",
    "message",
)
"""`report --format csv --rules`: one row per `[[rule]]`, `rule` its number (1-based)."""
WHO_FIELDS = ("note", "by", "at", "cause", "remedy")
"""What a value records beside itself (docs/formats.md), in the JSON, CSV and Markdown."""


def who_fields(ev: Evaluation) -> dict[str, str | None]:
    """`note`, `by`, `at` (ISO 8601), `cause`, `remedy` of the value (None without one)."""
    entry = ev.entry
    if entry is None:
        return dict.fromkeys(WHO_FIELDS)
    return {
        "note": entry.note,
        "by": entry.by,
        "at": entry.at.isoformat() if entry.at is not None else None,
        "cause": entry.cause,
        "remedy": entry.remedy,
    }


def followup_json(ev: Evaluation) -> dict[str, Any] | None:
    """The value's follow-up mark as the progress file stores it (`why`, `mean`, `sd`, …;
    docs/formats.md), None when it is not marked."""
    if ev.entry is None or ev.entry.followup is None:
        return None
    from chitieu_tui.core.outliers import followup_to_toml  # lazy: only for a marked value

    return followup_to_toml(ev.entry.followup)


def _row(ev: Evaluation) -> list[str]:
    from chitieu_tui.present.cells import REPORT_COLUMNS, row_cells  # lazy: the table's cells

    cells = row_cells(ev)
    return [cells[c] for c in REPORT_COLUMNS]


def _status(ev: Evaluation) -> str | None:
    """The status of a row as machine output: None when the year is not judged."""
    return None if ev.status is Status.UNJUDGED else ev.status.value


def to_json(board: Board) -> dict[str, Any]:
    """The object scripts rely on (docs/cli.md); a year without definitions has `"judged":
    false`, `"summary": null` and rows without expected, percent or status."""
    counts = board.summary.counts
    summary: dict[str, int] | None = {s.value: counts[s] for s in STATUS_ORDER}
    assert summary is not None
    summary["total"] = board.summary.total
    if not board.judged:
        summary = None
    rows = []
    for ev in board.evaluations:
        ind = ev.indicator
        rows.append(
            {
                "id": ind.id,
                "group": ind.group,
                "name": ind.name,
                "kind": ind.kind,
                "value": whole(ev.value, ind.integer),
                "ytd": whole(ev.ytd, ind.integer),
                "target": whole(ind.target, ind.integer) if board.judged else None,
                # docs/cli.md: null where it does not apply or there is no data.
                "expected": whole(fmt.round2(ev.expected), ind.integer)
                if ev.entry is not None
                else None,
                "percent_of_target": fmt.round2(ev.percent),
                "status": _status(ev),
                **who_fields(ev),
                "followup": followup_json(ev),
            }
        )
    closed = board.progress.closed if board.progress is not None else None
    return {
        "unit": board.definitions.unit.id,
        "period": str(board.period),
        "judged": board.judged,
        "closed": closed_to_json(closed),
        "state": quarter_state(board.progress),
        "returned": returned_to_json(board.progress.returned if board.progress else None),
        "summary": summary,
        "indicators": rows,
        "rules": rules_to_json(board),
    }


def rules_to_json(board: Board) -> list[dict[str, Any]]:
    """Every rule between figures over the quarter (DESIGN section 15; docs/cli.md): its
    sides as written, `op`, `importance`, `message`, `when`, the `state` (`holds`, `broken`,
    `skipped`) and both sides' values (`null`: no value)."""
    return [
        {
            "left": rules.side_text(r.rule.left),
            "op": r.rule.op,
            "right": rules.side_text(r.rule.right),
            "importance": r.rule.importance,
            "message": r.rule.message,
            "when": r.rule.when,
            "state": r.state,
            "left_value": r.left,
            "right_value": r.right,
        }
        for r in rules.board_results(board)
    ]


def broken_cells(results: list[rules.Result]) -> dict[str, str]:
    """Per indicator id, the `rules_broken` cell: the numbers of the broken rules it takes
    part in, `;`-separated (ids without one are left out)."""
    found: dict[str, list[str]] = {}
    for r in rules.broken(results):
        for ident in r.ids:
            found.setdefault(ident, []).append(str(r.index + 1))
    return {ident: ";".join(numbers) for ident, numbers in found.items()}


def rule_csv_cells(r: rules.Result) -> list[Any]:
    """One rule's row of `--rules`, in the order of RULE_CSV_COLUMNS."""
    rule = r.rule
    return [
        r.index + 1,
        _csv_cell(rules.side_text(rule.left)),
        rule.op,
        _csv_cell(rules.side_text(rule.right)),
        rule.importance,
        rule.when,
        r.state,
        "" if r.left is None else r.left,
        "" if r.right is None else r.right,
        _csv_cell(rule.message),
    ]


def rules_csv(board: Board) -> str:
    """`report --format csv --rules`: the quarter's rules as a table of their own (the
    header alone without rules)."""
    out = io.StringIO()
    import csv  # lazy: the CSV writer, for CSV only

    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(RULE_CSV_COLUMNS)
    writer.writerows(rule_csv_cells(r) for r in rules.board_results(board))
    return out.getvalue()


def _plain(value: Any) -> bool:
    """True when no float in `value` is written in exponent form by Python (below 1e-4 or
    from 1e16 on), nor is NaN or infinite: there msgspec words numbers differently."""
    stack = [value]
    while stack:
        item = stack.pop()
        cls = item.__class__
        if cls is dict:
            stack.extend(item.values())
        elif cls is list:
            stack.extend(item)
        elif cls is float and item and not 1e-4 <= abs(item) < 1e16:
            return False
    return True


def json_text(data: Any) -> str:
    """`json.dumps(data, ensure_ascii=False, indent=2)`, byte for byte, written by msgspec
    (compiled: about 10× faster on 5,000 indicators) whenever that gives the same text."""
    if _plain(data):
        try:
            return msgspec.json.format(msgspec.json.encode(data), indent=2).decode("utf-8")
        except (TypeError, ValueError):  # a type or text msgspec does not write as json does
            pass
    import json  # lazy: the standard writer, only where msgspec would write otherwise

    return json.dumps(data, ensure_ascii=False, indent=2)


MD_WHO_KEYS = ("r_by", "r_at", "r_cause", "r_remedy")
"""The Markdown's columns beside the table's: who, when, cause and remedy."""


def _who_cells(ev: Evaluation) -> list[str]:
    """Who entered the value, when (in its own time zone), its cause and remedy."""
    entry = ev.entry
    if entry is None:
        return ["", "", "", ""]
    at = datetime_text(entry.at) if entry.at is not None else ""
    return [entry.by, at, entry.cause, entry.remedy]


def _md(text: str) -> str:
    return re.sub(_MD_SPECIAL, r"\\\1", text).replace("\n", " ")


def md_row(cells: list[str]) -> str:
    """One Markdown table row, every cell escaped (every Markdown report of the app)."""
    return "| " + " | ".join(_md(c) for c in cells) + " |"


def md_head(headers: list[str]) -> list[str]:
    """A Markdown table's header row and its rule."""
    return [md_row(headers), "|" + "---|" * len(headers)]


def csv_cells(ev: Evaluation, judged: bool = True) -> list[Any]:
    """One indicator's CSV cells, in the order of CSV_COLUMNS (every CSV of the app)."""
    ind = ev.indicator
    value: Any = whole(ev.value, ind.integer)
    if isinstance(value, bool):
        value = str(value).lower()
    expected = whole(fmt.round2(ev.expected), ind.integer)
    return [
        ind.id,
        _csv_cell(ind.group),
        _csv_cell(ind.name),
        ind.kind,
        _csv_cell(ind.unit),
        "" if value is None else value,
        "" if ev.ytd is None else whole(ev.ytd, ind.integer),
        "" if ind.target is None or not judged else whole(ind.target, ind.integer),
        "" if expected is None or ev.entry is None else expected,
        "" if ev.percent is None else fmt.round2(ev.percent),
        _status(ev) or "",
        *(_csv_cell(v or "") for v in who_fields(ev).values()),
    ]


def _csv_cell(text: str) -> str:
    """Keep spreadsheets from running a name as a formula: a text starting with `= + - @`,
    also after spaces or tabs (a spreadsheet skips them), or with a tab or line break."""
    if text[:1] in ("\t", "\r", "\n") or text.lstrip(" \t\r\n\u00a0")[:1] in FORMULA_START:
        return "'" + text
    return text


FORMULA_START = ("=", "+", "-", "@")
"""What makes a spreadsheet read a cell as a formula."""


def render(view: View, form: str) -> str:
    """The report as text; `table` is rendered by Rich without markup."""
    board = view.board
    if form == "json":
        return json_text(to_json(board))
    title = f"{board.definitions.unit.name} · {board.period.label()}"
    if form == "csv":
        import csv  # lazy: the CSV writer, for CSV only

        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow((*CSV_COLUMNS, RULES_COLUMN))
        cells = broken_cells(rules.board_results(board))
        for ev in board.evaluations:
            writer.writerow([*csv_cells(ev, board.judged), cells.get(ev.indicator.id, "")])
        return out.getvalue()
    if form == "csv-excel":
        return csv_excel(view)
    if form == "markdown":
        # lazy: what officials read (provenance, summary, cells); JSON and CSV need none of it
        from chitieu_tui.present import rules as present_rules
        from chitieu_tui.present.cells import report_headers
        from chitieu_tui.present.journal import closed_text
        from chitieu_tui.present.official import provenance
        from chitieu_tui.present.summary import groups_line, summary_line

        block = [f"- **{_md(k)}:** {_md(v)}" for k, v in provenance(view)]
        lines = [
            f"# {_md(title)}",
            "",
            *block,
            "",
            _md(summary_line(board)),
            "",
            _md(groups_line(board)),
            "",
        ]
        closed = board.progress.closed if board.progress is not None else None
        if closed is not None:
            at = len(block) + 5
            lines[at:at] = [_md(t("r_closed", detail=closed_text(closed))), ""]
        headers = [*report_headers(), *(t(k) for k in MD_WHO_KEYS)]
        lines += md_head(headers)
        group = None
        for ev in board.evaluations:
            if ev.indicator.group != group:
                group = ev.indicator.group
                lines.append(
                    f"| **{_md(board.definitions.group_name(group))}** |"
                    + " |" * (len(headers) - 1)
                )
            cells = [*_row(ev), *_who_cells(ev)]
            lines.append(md_row(cells))
        results = rules.board_results(board)
        if rules.broken(results):  # DESIGN section 15: under the table, one line each
            lines += ["", f"**{_md(present_rules.broken_count(results))}**", ""]
            lines += [f"- {_md(present_rules.item(r))}" for r in rules.broken(results)]
        return "\n".join(lines) + "\n"
    return _rich_table(view)


TERMINAL_COLOURS = {
    "$success": "green",
    "$primary": "blue",
    "$error": "red",
    "$foreground-muted": "dim",
    "$foreground": "",
}
"""Status colours (theme variables, present/status.py) as the terminal's own 16 colours,
readable on light and dark backgrounds."""


def _rich_table(view: View, colour: bool | None = None) -> str:
    # lazy: rich only for the table on a terminal, not json/csv
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    # lazy: what officials read (provenance, summary, cells); JSON and CSV need none of it
    from chitieu_tui.present.cells import REPORT_COLUMNS, REPORT_NUMERIC, report_headers
    from chitieu_tui.present.official import provenance_line
    from chitieu_tui.present.status import colour as status_colour
    from chitieu_tui.present.summary import groups_line, summary_line

    board = view.board
    table = Table(title=Text(f"{board.definitions.unit.name} · {board.period.label()}"))
    for column, head in zip(REPORT_COLUMNS, report_headers(), strict=True):
        table.add_column(Text(head), justify="right" if column in REPORT_NUMERIC else "left")
    group = None
    for ev in board.evaluations:
        if ev.indicator.group != group:
            group = ev.indicator.group
            table.add_row(Text(""), Text(board.definitions.group_name(group), style="bold"))
        cells = [Text(c) for c in _row(ev)]
        cells[-1].stylize(TERMINAL_COLOURS.get(status_colour(ev.status), ""))
        table.add_row(*cells)
    width = shutil.get_terminal_size((140, 24)).columns if sys.stdout.isatty() else 140
    colour = use_colour() if colour is None else colour
    console = Console(
        file=io.StringIO(),
        width=width,
        color_system="standard" if colour else None,
        force_terminal=colour,
    )
    console.print(table)
    console.print(Text(summary_line(board)))
    console.print(Text(groups_line(board)))
    console.print(Text(provenance_line(view)))
    out = console.file
    assert isinstance(out, io.StringIO)
    return out.getvalue()


BOM = "\ufeff"
"""Excel reads a CSV as UTF-8 only when it starts with this mark."""


def excel_number(x: object) -> str:
    """A number as a spreadsheet of the reader's locale reads it: `32,5` (vi), `32.5` (en);
    no thousands separator (it would be read as text)."""
    if x is None or x == "":
        return ""
    if isinstance(x, bool):
        return t("done" if x else "not_done")
    if not isinstance(x, int | float):
        return str(x)
    text = f"{float(x):.6f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if current() != "en" else text


def excel_rows(view: View, lead: list[str] | None = None) -> list[list[str]]:
    """The §11 table's rows (no group rows) as text cells for `csv-excel`."""
    from chitieu_tui.present import official  # lazy: the official table, for csv-excel

    rows = []
    for item in official.rows(view):
        if isinstance(item, official.GroupRow):
            continue
        cells = item.cells()
        row = list(lead or [])
        for key in (*official.COLUMNS, *official.WHO_COLUMNS):
            value = cells[key]
            if key in official.PERCENT_COLUMNS and isinstance(value, float):
                value = round(value * 100, 2)  # as the xlsx shows it: 105,26, not 105,263158
            if key == "at":
                value = datetime_text(value) if value is not None else ""
            if key in ("name", "unit", "note", "by", "cause", "remedy", "status"):
                row.append(_csv_cell(str(value or "")))
            else:
                row.append(excel_number(value))
        row.append(item.id)
        rows.append(row)
    return rows


def excel_headers() -> list[str]:
    """`csv-excel`'s headings: the §11 columns in the reader's language, then the id."""
    from chitieu_tui.present import official  # lazy: the official table, for csv-excel

    return [*official.headers(), t("o.col_id")]


def excel_writer(out: io.StringIO) -> Any:
    """A CSV writer with the list separator a spreadsheet of the reader's locale expects:
    `;` in Vietnamese (where `,` marks decimals), `,` in English."""
    import csv  # lazy: the CSV writer, for CSV only

    return csv.writer(out, delimiter=";" if current() != "en" else ",", lineterminator="\r\n")


def csv_excel(view: View) -> str:
    """`--format csv-excel`: a BOM, where the figures come from, then the §11 table with headings
    in the reader's language and numbers as the reader's spreadsheet reads them."""
    from chitieu_tui.present.official import provenance, title  # lazy: for csv-excel

    out = io.StringIO()
    writer = excel_writer(out)
    writer.writerow([_csv_cell(title(view))])
    for label, value in provenance(view):
        writer.writerow([_csv_cell(label), _csv_cell(value)])
    writer.writerow([])
    writer.writerow(excel_headers())
    writer.writerows(excel_rows(view))
    return BOM + out.getvalue()
