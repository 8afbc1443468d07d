"""The `c` form: close a quarter (chốt số liệu) with a reason, or reopen a closed one."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from chitieu_tui.core.model import Closed
from chitieu_tui.core.periods import Period
from chitieu_tui.core.requests import Close, Reopen
from chitieu_tui.core.source import ClosableSource
from chitieu_tui.i18n import t
from chitieu_tui.present.failure import worded
from chitieu_tui.present.journal import closed_text
from chitieu_tui.screens.entry import form_by
from chitieu_tui.screens.localized import LocalizedBindings


@dataclass
class CloseDone(Message):
    """The quarter was closed (or reopened)."""

    closed: bool


@dataclass
class CloseFailed(Message):
    """Closing or reopening failed; the form stays open and says why."""

    error: str


MISSING_SHOWN = 5
"""Indicators named in the warning; the others are counted."""


def missing_text(names: list[str]) -> Content:
    """`Còn 2 chỉ tiêu chưa có số liệu: A, B. Sau khi chốt sẽ không nhập thêm được.`"""
    shown = ", ".join(names[:MISSING_SHOWN])
    if len(names) > MISSING_SHOWN:
        shown = t("c_missing_more", shown=shown, n=len(names) - MISSING_SHOWN)
    return Content.styled(t("c_missing", n=len(names), names=shown), "bold $warning")


class CloseScreen(LocalizedBindings, ModalScreen[bool]):
    """Dismissed with True when the quarter was closed or reopened."""

    BINDINGS = [Binding("escape", "cancel", "e_cancel", key_display="Esc")]

    def __init__(
        self,
        source: ClosableSource,
        period: Period,
        closed: Closed | None,
        *,
        missing: list[str] | None = None,
    ) -> None:
        super().__init__()
        self.missing = missing or []
        """The names of the indicators still without a value: closing warns of them."""
        self.source = source
        self.period = period
        self.closed = closed
        """The quarter's `[closed]` when the form opened (None: open, so the form closes it)."""

    def compose(self) -> ComposeResult:
        """Who closed it (when it is closed), the reason, a message line and the buttons."""
        with Vertical(id="close-form"):
            if self.closed is not None:
                yield Static(Text(closed_text(self.closed)), markup=False)
            elif self.missing:
                yield Static(missing_text(self.missing), id="close-missing", markup=False)
            yield Static(Text(t("c_reason")), markup=False)
            yield Input(id="close-reason", compact=True)
            yield Static(Text(""), id="close-message", markup=False)
            with Horizontal(id="close-buttons"):
                word = "c_close" if self.closed is None else "c_reopen"
                yield Button(t(word), variant="warning", id="close-do", compact=True)
                yield Button(t("e_cancel"), id="close-cancel", compact=True)

    def on_mount(self) -> None:
        """Title the box and put the cursor in the reason."""
        key = "c_title_close" if self.closed is None else "c_title_reopen"
        box = self.query_one("#close-form")
        box.border_title = Text(t(key, period=self.period.label()))
        self.query_one("#close-reason", Input).focus()

    def _say(self, text: str, error: bool = True) -> None:
        message = self.query_one("#close-message", Static)
        message.update(Text(text))
        message.set_class(error, "-error")

    def action_cancel(self) -> None:
        """Close the form without writing."""
        self.dismiss(False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """Close/reopen, or cancel."""
        if event.button.id == "close-do":
            self.submit()
        else:
            self.dismiss(False)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the reason submits."""
        self.submit()

    def submit(self) -> None:
        """Refuse an empty reason; write in a thread."""
        if self.query_one("#close-do", Button).disabled:
            return
        reason = self.query_one("#close-reason", Input).value
        if not reason.strip():
            self._say(t("c_need_reason"))
            return
        self.query_one("#close-do", Button).disabled = True
        self._say(t("e_saving"), error=False)
        self._write(reason, self.closed is not None)

    @work(thread=True, exclusive=True, group="close", exit_on_error=False, description="close")
    def _write(self, reason: str, reopen: bool) -> None:
        try:
            kind = Reopen if reopen else Close
            self.source.write([kind(period=self.period, reason=reason, by=form_by())])
        except Exception as exc:  # noqa: BLE001 - the form must never freeze
            self.post_message(CloseFailed(worded(exc)))
        else:
            self.post_message(CloseDone(not reopen))

    def on_close_failed(self, message: CloseFailed) -> None:
        """Keep the form open and say why."""
        self.query_one("#close-do", Button).disabled = False
        self._say(message.error)

    def on_close_done(self, message: CloseDone) -> None:
        """Say it and close; the app reloads."""
        key = "c_done_close" if message.closed else "c_done_reopen"
        self.notify(t(key, period=self.period.label()), markup=False)
        self.dismiss(True)
