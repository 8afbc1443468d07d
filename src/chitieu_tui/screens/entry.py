"""The `e` form: one value and a note, validated before anything is written."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from chitieu_tui.core.arithmetic import Evaluation
from chitieu_tui.core.errors import ChitieuError, EntryError
from chitieu_tui.core.writer import parse_value
from chitieu_tui.i18n import localize_bindings, t
from chitieu_tui.present import fmt
from chitieu_tui.present.cells import quantity


@dataclass
class EntrySaved(Message):
    """The value was written and a snapshot taken."""

    indicator_id: str
    text: str


@dataclass
class EntryFailed(Message):
    """Writing failed for a reason the official can act on (lock, permissions, file)."""

    error: str


class EntryScreen(ModalScreen[bool]):
    """Dismissed with True when a value was saved."""

    BINDINGS = [Binding("escape", "cancel", "e_cancel", key_display="Esc")]

    def __init__(self, source: object, ev: Evaluation, lang: str = "vi") -> None:
        super().__init__()
        self.source = source
        self.ev = ev
        self.lang = lang
        localize_bindings(self, lang)

    def compose(self) -> ComposeResult:
        """Name, current value, two inputs, a message line and the buttons."""
        lang, ev = self.lang, self.ev
        ind = ev.indicator
        milestone = ind.kind == "milestone"
        current = quantity(ev.value, "" if milestone else ind.unit, lang)
        with Vertical(id="entry"):
            yield Static(Text(ind.name, style="bold"), markup=False)
            yield Static(Text(t(lang, "e_current", value=current)), markup=False)
            label = t(lang, "e_value_milestone" if milestone else "e_value")
            if ind.unit and not milestone:
                label = f"{label} ({ind.unit})"
            yield Static(Text(label), markup=False)
            yield Input(
                id="entry-value", placeholder="" if current == fmt.NONE else current, compact=True
            )
            yield Static(Text(t(lang, "e_note")), markup=False)
            yield Input(id="entry-note", value=ev.note, compact=True)
            hint = "" if milestone else t(lang, "e_hint")
            yield Static(Text(hint, style="italic"), id="entry-message", markup=False)
            with Horizontal(id="entry-buttons"):
                yield Button(t(lang, "e_save"), variant="primary", id="entry-save", compact=True)
                yield Button(t(lang, "e_cancel"), id="entry-cancel", compact=True)

    def on_mount(self) -> None:
        """Title the box with the period and put the cursor in the value."""
        box = self.query_one("#entry")
        box.border_title = Text(t(self.lang, "e_title", period=self.ev.period.label(self.lang)))
        self.query_one("#entry-value", Input).focus()

    def _say(self, text: str, error: bool = True) -> None:
        message = self.query_one("#entry-message", Static)
        message.update(Text(text))
        message.set_class(error, "-error")

    def action_cancel(self) -> None:
        """Close without writing."""
        self.dismiss(False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Save or cancel."""
        if event.button.id == "entry-save":
            self.save()
        else:
            self.dismiss(False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the value moves to the note; Enter in the note saves."""
        if event.input.id == "entry-value":
            self.query_one("#entry-note", Input).focus()
        else:
            self.save()

    def save(self) -> None:
        """Validate here; write in a thread."""
        text = self.query_one("#entry-value", Input).value
        try:
            parse_value(text, self.ev.indicator)
        except EntryError as exc:
            self._say(exc.text(self.lang))
            self.query_one("#entry-value", Input).focus()
            return
        note = self.query_one("#entry-note", Input).value
        self._say(t(self.lang, "e_saving"), error=False)
        self.query_one("#entry-save", Button).disabled = True
        self._write(text, note)

    @work(thread=True, exclusive=True, group="entry", exit_on_error=False)
    def _write(self, text: str, note: str) -> None:
        try:
            self.source.enter(self.ev.period, self.ev.indicator.id, text, note)  # type: ignore[attr-defined]
        except ChitieuError as exc:
            self.post_message(EntryFailed(exc.render(self.lang)))
        else:
            self.post_message(EntrySaved(self.ev.indicator.id, text))

    def on_entry_failed(self, message: EntryFailed) -> None:
        """Keep the form open and say why."""
        self._say(message.error)
        self.query_one("#entry-save", Button).disabled = False

    def on_entry_saved(self, message: EntrySaved) -> None:
        """Close; the app reloads."""
        self.notify(
            t(self.lang, "e_saved", name=self.ev.indicator.name, value=message.text.strip()),
            markup=False,
        )
        self.dismiss(True)
