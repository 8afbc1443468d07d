"""Every string an official reads, in English: the en catalog."""

from __future__ import annotations

MESSAGES: dict[str, str] = {
    # --- screens, widgets and reports (UI) ---
    "quit": "quit",
    "reload": "reload",
    "snapshot": "snapshot",
    "filter": "filter",
    "behind": "behind only",
    "sort": "sort",
    "help": "help",
    "quarter": "quarter",
    "close": "close",
    "open": "details",
    "source": "source",
    "offline": "offline",
    "read_only": "read-only",
    "loading": "Loading…",
    "load_failed": "Could not read the data",
    "saved": "Snapshot saved: {path}",
    "no_snapshot": "Nothing loaded to snapshot yet",
    "col_name": "Indicator",
    "col_unit": "Unit",
    "col_owner": "Owner",
    "col_value": "Value",
    "col_target": "Target",
    "col_percent": "% target",
    "col_expected": "Expected",
    "col_status": "Status",
    "table_all": "All indicators",
    "table_behind": "Behind schedule",
    "table_filter": "filter “{query}”",
    "table_sort": "sorted by {column}",
    "col_order": "order",
    "filter_placeholder": "Filter by name, id or field… (Enter: done, Esc: clear)",
    "group_met": "{met}/{total} met",
    "expected": "expected",
    "due": "due",
    "yoy": "vs last year",
    "of_target": "of target",
    "just_now": "just now",
    "minutes_ago": "{n} min ago",
    "hours_ago": "{n} h ago",
    "days_ago": "{n} days ago",
    "help_title": "Help — keys",
    "help_footer": "Press Esc or ? to close.",
    "help_q": "quit",
    "help_r": "reload the data",
    "help_s": "save a snapshot of the quarter shown",
    "help_slash": "filter by name, id or field (accents ignored)",
    "help_b": "show only indicators behind schedule (toggle)",
    "help_o": "change the sort column (or click a column header)",
    "help_brackets": "previous / next quarter",
    "help_enter": "indicator details",
    "help_escape": "close a window, clear the filter",
    "help_question": "this help",
    "d_group": "Field",
    "d_kind": "Kind",
    "d_unit": "Unit",
    "d_target": "Annual target",
    "d_plan": "Plan by quarter",
    "d_baseline": "Baseline",
    "d_due": "Due",
    "d_direction": "Direction",
    "d_owner": "Owner",
    "d_note": "Note",
    "d_value_note": "Value note",
    "d_value": "Value this quarter",
    "d_ytd": "Year to date",
    "d_expected": "Expected by now",
    "d_percent": "% of annual target",
    "d_status": "Status",
    "d_history": "By quarter",
    "d_provenance": "Provenance",
    "d_as_of": "Figures as of",
    "d_modified": "Last changed",
    "d_from": "From",
    "ytd_short": "ytd",
    "from_file": "file",
    "from_api": "server",
    "from_snapshot": "snapshot",
    "d_period": "Quarter",
    "kind_cumulative": "cumulative",
    "kind_level": "level",
    "kind_milestone": "milestone",
    "dir_increase": "higher is better",
    "dir_decrease": "lower is better",
    "enter": "enter value",
    "help_e": "enter a value for the selected indicator",
    "e_title": "Enter a value · {period}",
    "e_value": "Value",
    "e_value_milestone": "Done? (yes / no)",
    "e_note": "Note (empty: keep the old note)",
    "e_current": "Now: {value}",
    "e_save": "Save",
    "e_cancel": "Cancel",
    "e_saving": "Saving…",
    "e_saved": "Saved {name}: {value}",
    "e_read_only": "This source is read-only: values cannot be entered",
    "e_no_row": "Select an indicator in the table first",
    "e_hint": "32.5 or 32,5 · 1.430 is read as 1430",
    "no_progress": "no data yet",
    "as_of": "figures as of {date}",
    "reloaded": "Data reloaded",
    "failing": "file broken, old figures",
    "snapshot_failing": "No snapshot: the figures shown are old because a file is broken; fix it first",
    "retry_hint": "Retrying every {n} s; press r to retry now.",
    "d_pace": "Pace for the year",
    "d_remaining": "Still needed",
    "d_per_quarter": "Per remaining quarter",
    "d_per_month": "Per remaining month",
    "d_projection": "Year-end projection (current pace)",
    "d_met_already": "annual target met",
    "d_last_year": "Same quarter last year",

    # --- core: files and data ---
    # (keys of this section go here)


    # --- entry: typed values and writing ---
    # (keys of this section go here)


    # --- remote: client and API source ---
    # (keys of this section go here)


    # --- remote: server ---
    # (keys of this section go here)


    # --- command line ---
    # (keys of this section go here)


    # --- presentation ---
    # (keys of this section go here)

}
