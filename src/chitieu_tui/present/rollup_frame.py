"""The roll-up's texts and cached frame, made once for the screen and a cold open's workers."""

from __future__ import annotations

from collections.abc import Sequence

from chitieu_tui.core.collection import Collection, Total
from chitieu_tui.core.periods import Period
from chitieu_tui.core.rowcache import VERSION, CellData, Frame, key_of
from chitieu_tui.core.source import WritableSource
from chitieu_tui.i18n import t
from chitieu_tui.present.rollup import (
    Columns,
    UnitRow,
    chart_data,
    left_out_text,
    offline_text,
    row_data,
    rows_chart,
)


def note_text(collection: Collection) -> str:
    """The line under the summary: units offline, units whose files are broken."""
    notes = [offline_text(collection)]
    broken = sum(1 for m in collection.members if m.error is not None)
    if broken:
        notes.append(t("rollup.broken", n=broken))
    return " · ".join(n for n in notes if n)


def words_text(
    collection: Collection,
    columns: Sequence[str],
    totals: Sequence[Total],
    parts: Sequence[Columns | None] | None = None,
) -> str:
    """The words under the scorecard: units left out of a total, the province's targets.
    `parts`: each member's `column_parts` (a cold open's workers)."""
    # lazy: the province's targets' words, only when a frame is made (not shown from cache)
    from chitieu_tui.present.targets import rollup_note

    words = left_out_text(collection, list(columns), list(totals), parts)
    handed = rollup_note(collection, list(totals))  # issue 21
    return "\n".join(w for w in (words, handed) if w)


def file_role(collection: Collection) -> str:
    """A collection folder's role: `approver` when a unit read can be written here (as
    `chitieu approve --config ROOT`), `viewer` when none can (the bundled sample), "" when
    no unit was read."""
    views = [(m, m.view) for m in collection.members if m.view is not None]
    if not views or collection.kind != "file":
        return ""
    writable = any(not v.read_only and isinstance(m.source, WritableSource) for m, v in views)
    return "approver" if writable else "viewer"


def frame_from(
    collection: Collection,
    asked: Period | None,
    texts: tuple[str, str, str, str],
    role: str,
    columns: Sequence[str],
    names: Sequence[str],
    rows: list[UnitRow],
    totals: Sequence[CellData],
) -> Frame:
    """The frame of what the roll-up shows (`texts`: header, summary, note, words), its
    stamps empty (the writer adds them). DataError: `CHITIEU_TODAY` is no date (`key_of`)."""
    assert collection.period is not None
    header, summary, note, words = texts
    return Frame(
        VERSION,
        key_of(collection, asked),
        [],
        [collection.period.year, collection.period.quarter],
        header,
        summary,
        note,
        words,
        role,
        list(columns),
        list(names),
        [row_data(r) for r in rows],
        list(totals),
        [chart_data(rows_chart(rows, i, n)) for i, n in enumerate(names)],
    )
