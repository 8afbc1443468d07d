"""The `e` form: one value and a note, validated before anything is written."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from chitieu_tui import i18n
from chitieu_tui.core import rules
from chitieu_tui.core.arithmetic import Board, Evaluation, Status, evaluate
from chitieu_tui.core.errors import EntryError
from chitieu_tui.core.model import Entry
from chitieu_tui.core.outliers import OutlierError
from chitieu_tui.core.requests import SetValue, Unset
from chitieu_tui.core.source import WritableSource
from chitieu_tui.core.writer import (
    ConflictError,
    check_plausible,
    implausible_limit,
    parse_value,
)
from chitieu_tui.i18n import t
from chitieu_tui.present import fmt
from chitieu_tui.present import rules as present_rules
from chitieu_tui.present.cells import quantity
from chitieu_tui.present.failure import worded
from chitieu_tui.present.time import clock_text, datetime_text
from chitieu_tui.screens.localized import LocalizedBindings


@dataclass
class EntrySaved(Message):
    """The value was written (or removed) and a snapshot taken."""

    indicator_id: str
    text: str
    removed: bool = False


@dataclass
class EntryFailed(Message):
    """Writing failed; the form stays open and says why."""

    error: str
    conflict: bool = False
    current: Entry | None = field(default=None)
    outlier: bool = False
    """The value is out of line with the unit's history: ask before saving it marked."""


def form_by() -> str | None:
    """Who a form writes as: CHITIEU_USER, else the settings file's `by` (None: the login
    name, added by core.journal.current_user); a broken settings file is an error."""
    from chitieu_tui import settings  # lazy: msgspec and platformdirs, only when a form opens

    return settings.by_name()


class EntryScreen(LocalizedBindings, ModalScreen[bool]):
    """Dismissed with True when a value was saved or removed (or theirs kept)."""

    BINDINGS = [Binding("escape", "cancel", "e_cancel", key_display="Esc")]

    def __init__(self, source: WritableSource, ev: Evaluation, board: Board | None = None) -> None:
        super().__init__()
        self.source = source
        self.ev = ev
        self.board = board
        """The quarter shown: the rules between figures are judged on it before saving."""
        self.expect: Entry | None = ev.entry
        """The entry shown when the form opened: a save over another one is a conflict."""
        self._confirmed_text: str | None = None
        self._remove_armed = False
        self._pending: tuple[str, str] | None = None
        self._behind_texts: tuple[str | None, str | None] = (None, None)

    def compose(self) -> ComposeResult:
        """Name, current value, two inputs, an echo, a message line and the buttons."""
        ev = self.ev
        ind = ev.indicator
        milestone = ind.kind == "milestone"
        current = quantity(ev.value, "" if milestone else ind.unit)
        with Vertical(id="entry"):
            yield Static(Text(ind.name, style="bold"), markup=False)
            yield Static(Text(t("e_current", value=current)), markup=False)
            label = t("e_value_milestone" if milestone else "e_value")
            if ind.unit and not milestone:
                label = f"{label} ({ind.unit})"
            yield Static(Text(label), markup=False)
            yield Input(
                id="entry-value", placeholder="" if current == fmt.NONE else current, compact=True
            )
            yield Static(Text(""), id="entry-echo", markup=False)
            yield Static(Text(""), id="entry-rules", markup=False)
            yield Static(Text(t("e_note")), markup=False)
            yield Input(id="entry-note", value=ev.note, compact=True)
            entry = ev.entry
            with Vertical(id="entry-behind"):
                yield Static(Text(t("e_cause")), markup=False)
                yield Input(id="entry-cause", value=entry.cause if entry else "", compact=True)
                yield Static(Text(t("e_remedy")), markup=False)
                yield Input(id="entry-remedy", value=entry.remedy if entry else "", compact=True)
            hint = "" if milestone else t("e_hint_typed")
            yield Static(Text(hint, style="italic"), id="entry-message", markup=False)
            with Horizontal(id="entry-buttons"):
                yield Button(t("e_save"), variant="primary", id="entry-save", compact=True)
                yield Button(t("e_keep_theirs"), id="entry-keep", compact=True)
                yield Button(t("e_overwrite"), id="entry-overwrite", compact=True)
                yield Button(t("e_remove"), id="entry-remove", compact=True)
                yield Button(t("e_outlier_no"), id="entry-outlier-no", compact=True)
                yield Button(
                    t("e_outlier_yes"), variant="warning", id="entry-outlier-yes", compact=True
                )
                yield Button(t("e_cancel"), id="entry-cancel", compact=True)

    def on_mount(self) -> None:
        """Title the box with the period and put the cursor in the value."""
        box = self.query_one("#entry")
        box.border_title = Text(t("e_title", period=self.ev.period.label()))
        self._conflict_buttons(False)
        self._outlier_buttons(False)
        can_remove = self.ev.entry is not None
        self.query_one("#entry-remove", Button).display = can_remove
        self._show_behind(self.ev.status is Status.BEHIND)
        self.query_one("#entry-rules").display = False
        self.query_one("#entry-value", Input).focus()

    def _show_behind(self, shown: bool) -> None:
        """Ask for cause and remedy while the indicator is (or would be) behind."""
        self.query_one("#entry-behind").display = shown

    def would_be_behind(self, value: float | bool) -> bool:
        """True when the indicator would be behind with `value` entered.

        A quarter-reported cumulative adds the earlier quarters of the year (from the year to
        date shown, when the quarter has a value).
        """
        ev = self.ev
        ind, period = ev.indicator, ev.period
        year: dict[int, Entry] = {period.quarter: Entry(value)}
        quarterly = ind.kind == "cumulative" and ind.report == "quarter" and period.quarter > 1
        current = ev.value
        if quarterly and ev.ytd is not None and isinstance(current, float):
            year[1] = Entry(ev.ytd - current)  # the earlier quarters' sum, counted once
        return evaluate(ind, period, year).status is Status.BEHIND

    def _extras(self) -> tuple[str | None, str | None]:
        """Cause and remedy as typed while asked for (None: keep what the value has)."""
        if not self.query_one("#entry-behind").display:
            return None, None
        return (
            self.query_one("#entry-cause", Input).value,
            self.query_one("#entry-remedy", Input).value,
        )

    def _conflict_buttons(self, shown: bool) -> None:
        """Overwrite or keep theirs stand in for Save while a conflict is asked about."""
        self.query_one("#entry-overwrite", Button).display = shown
        self.query_one("#entry-keep", Button).display = shown
        self.query_one("#entry-save", Button).display = not shown

    def _outlier_buttons(self, shown: bool) -> None:
        """Yes (save, marked for follow-up) and No stand in for Save while an outlier is asked
        about (DESIGN section 15)."""
        self.query_one("#entry-outlier-yes", Button).display = shown
        self.query_one("#entry-outlier-no", Button).display = shown
        self.query_one("#entry-save", Button).display = not shown

    def _say(self, text: str, error: bool = True) -> None:
        message = self.query_one("#entry-message", Static)
        message.update(Text(text))
        message.set_class(error, "-error")

    def _understood(self, text: str) -> str:
        """What would be stored, as the official reads it (`1.430 đảng viên`)."""
        ind = self.ev.indicator
        value = parse_value(text, ind, i18n.current())
        return quantity(value, "" if ind.kind == "milestone" else ind.unit)

    def on_input_changed(self, event: Input.Changed) -> None:
        """Echo the number understood, or why it cannot be entered."""
        if event.input.id != "entry-value":
            return
        echo = self.query_one("#entry-echo", Static)
        if not event.value.strip():
            echo.update(Text(""))
            self._show_rules(None)
            self._show_behind(self.ev.status is Status.BEHIND)
            return
        try:
            echo.update(Text(t("e_will_save", value=self._understood(event.value))))
            value = parse_value(event.value, self.ev.indicator, i18n.current())
        except EntryError as exc:
            echo.update(Text(exc.text()))
            self._show_rules(None)
            return
        self._show_rules(value)
        self._show_behind(self.would_be_behind(value))

    def _show_rules(self, value: float | bool | None) -> None:
        """The rules the value typed would break, before saving (DESIGN section 15): a high
        one will be refused, medium and low are written and listed."""
        shown = self.query_one("#entry-rules", Static)
        board = self.board
        if value is None or board is None or not board.definitions.rules:
            shown.update(Text(""))
            shown.display = False
            return
        values: dict[str, float | bool] = {}
        if board.progress is not None:
            values.update({k: e.value for k, e in board.progress.values.items()})
        values[self.ev.indicator.id] = value
        found = rules.evaluate(board.definitions, values, [self.ev.indicator.id])
        lines = present_rules.written_broken(found)[1:]
        shown.update(Text("\n".join(lines)))
        shown.display = bool(lines)
        shown.set_class(bool(rules.broken(found, "high")), "-error")

    def action_cancel(self) -> None:
        """Close without writing."""
        self.dismiss(False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Save, overwrite, keep theirs, remove or cancel."""
        button = event.button.id
        if button == "entry-save":
            self.save()
        elif button == "entry-overwrite" and self._pending is not None:
            self._conflict_buttons(False)
            self._start_write(*self._pending, confirmed=True)
        elif button == "entry-outlier-yes" and self._pending is not None:
            self._outlier_buttons(False)
            self._start_write(*self._pending, confirmed=True, outlier=True)
        elif button == "entry-outlier-no":
            self._outlier_buttons(False)
            self._say(t("e_hint_typed"), error=False)
            self.query_one("#entry-value", Input).focus()
        elif button == "entry-keep":
            self.dismiss(True)
        elif button == "entry-remove":
            self.ask_remove()
        else:
            self.dismiss(False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the value moves to the note (then cause and remedy when asked); Enter in
        the last one saves."""
        order = ["entry-value", "entry-note"]
        if self.query_one("#entry-behind").display:
            order += ["entry-cause", "entry-remedy"]
        at = order.index(event.input.id) if event.input.id in order else len(order) - 1
        if at + 1 < len(order):
            self.query_one(f"#{order[at + 1]}", Input).focus()
        else:
            self.save()

    def save(self) -> None:
        """Validate here (an implausible value needs a second Save); write in a thread."""
        if self.query_one("#entry-save", Button).disabled:
            return
        text = self.query_one("#entry-value", Input).value
        self._remove_armed = False
        try:
            value = parse_value(text, self.ev.indicator, i18n.current())
        except EntryError as exc:
            self._say(exc.text())
            self.query_one("#entry-value", Input).focus()
            return
        if implausible_limit(self.ev.indicator, value) is not None and (
            self._confirmed_text != text
        ):
            try:
                check_plausible(self.ev.indicator, value)
            except EntryError as exc:
                self._say(t("e_confirm", detail=exc.text()))
            self._confirmed_text = text
            return
        note = self.query_one("#entry-note", Input).value
        self._pending = (text, note)
        self._behind_texts = self._extras()
        self._start_write(text, note, confirmed=True)

    def _start_write(self, text: str, note: str, *, confirmed: bool, outlier: bool = False) -> None:
        self._say(t("e_saving"), error=False)
        self.query_one("#entry-save", Button).disabled = True
        self._write(text, note, self.expect, confirmed, outlier)

    @work(thread=True, exclusive=True, group="entry", exit_on_error=False, description="entry")
    def _write(
        self, text: str, note: str, expect: Entry | None, confirmed: bool, outlier: bool
    ) -> None:
        cause, remedy = self._behind_texts
        try:
            request = SetValue(
                period=self.ev.period,
                id=self.ev.indicator.id,
                value=text,
                note=note,
                cause=cause,
                remedy=remedy,
                confirm=confirmed,
                confirm_outlier=outlier,
                lang=i18n.current(),
                expect=expect,
                by=form_by(),
                via="form",
            )
            self.source.write([request])
        except ConflictError as exc:
            self.post_message(EntryFailed(exc.text(), True, exc.current))
        except OutlierError as exc:
            self.post_message(EntryFailed(exc.text(), outlier=True))
        except Exception as exc:  # noqa: BLE001 - the form must never freeze
            self.post_message(EntryFailed(worded(exc)))
        else:
            self.post_message(EntrySaved(self.ev.indicator.id, text))

    def ask_remove(self) -> None:
        """Remove the value, after a second press."""
        if not self._remove_armed:
            # After a conflict the form expects the value on file, not the one it opened with.
            value = self.expect.value if self.expect is not None else self.ev.value
            shown = quantity(value, self.ev.indicator.unit)
            self._say(t("e_remove_confirm", value=shown))
            self._remove_armed = True
            return
        self._remove_armed = False
        self._say(t("e_saving"), error=False)
        self.query_one("#entry-save", Button).disabled = True
        self._unset(self.expect)

    @work(thread=True, exclusive=True, group="entry", exit_on_error=False, description="entry")
    def _unset(self, expect: Entry | None) -> None:
        try:
            by = form_by()
            request = Unset(
                period=self.ev.period, id=self.ev.indicator.id, expect=expect, by=by, via="form"
            )
            self.source.write([request])
        except ConflictError as exc:
            self.post_message(EntryFailed(exc.text(), False, exc.current))
        except Exception as exc:  # noqa: BLE001 - the form must never freeze
            self.post_message(EntryFailed(worded(exc)))
        else:
            self.post_message(EntrySaved(self.ev.indicator.id, "", removed=True))

    def on_entry_failed(self, message: EntryFailed) -> None:
        """Keep the form open and say why; on a conflict, show both and ask."""
        self.query_one("#entry-save", Button).disabled = False
        if message.outlier and self._pending is not None:
            self._say(t("e_outlier_confirm", detail=message.error))
            self._outlier_buttons(True)
            # The safe choice has the focus: one Enter never saves an outlier unasked.
            self.query_one("#entry-outlier-no", Button).focus()
            return
        if message.conflict and self._pending is not None:
            self.expect = message.current
            mine = self._understood(self._pending[0])
            theirs = self._theirs(message.current) or message.error
            self._say(t("e_conflict", theirs=theirs, mine=mine))
            self._conflict_buttons(True)
            # The safe choice has the focus: one Enter never overwrites a colleague.
            self.query_one("#entry-keep", Button).focus()
            return
        if message.current is not None or message.conflict:
            self.expect = message.current
        self._say(message.error)

    def _theirs(self, current: Entry | None) -> str | None:
        """Who saved what and when (`Lan lưu 7 đảng viên lúc 10:12`), when the file says when;
        None otherwise (the writer's own words are shown)."""
        if current is None or current.at is None:
            return None
        ind = self.ev.indicator
        value = quantity(current.value, "" if ind.kind == "milestone" else ind.unit)
        at = current.at
        now = dt.datetime.now(at.tzinfo) if at.tzinfo is not None else dt.datetime.now()
        when = clock_text(at) if at.date() == now.date() else datetime_text(at)
        who = current.by or t("e_conflict_someone")
        key = "e_conflict_saved_note" if current.note else "e_conflict_saved"
        return t(key, who=who, theirs=value, time=when, note=current.note)

    def on_entry_saved(self, message: EntrySaved) -> None:
        """Close; the app reloads."""
        name = self.ev.indicator.name
        if message.removed:
            text = t("e_removed", name=name)
        else:
            text = t("e_saved", name=name, value=message.text.strip())
        self.notify(text, markup=False)
        self.dismiss(True)
