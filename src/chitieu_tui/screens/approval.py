"""The roll-up's approval dialogs (DESIGN section 12 "Approval"): `a` asks before approving
a unit's quarter (No is the default), `R` asks why the quarter goes back (an empty reason
is refused). Both only ask: the roll-up writes, in a worker, through the unit's source."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Static

from chitieu_tui.core.collection import Member
from chitieu_tui.core.periods import Period
from chitieu_tui.i18n import t
from chitieu_tui.screens.localized import LocalizedBindings

APPROVAL_CSS = """
ApproveScreen, ReturnScreen { align: center middle; }
.approval-form {
    width: 66;
    height: auto;
    max-width: 100%;
    border: round $warning;
    background: $surface;
    padding: 0 1;
}
.approval-form Input { margin-bottom: 1; background: $primary 12%; }
#return-message { color: $text-muted; height: auto; }
#return-message.-error { color: $error; text-style: bold; }
.approval-buttons { height: auto; align-horizontal: right; margin-top: 1; }
.approval-buttons Button { margin-left: 1; }
"""


@dataclass
class ApprovalDone(Message):
    """A unit's quarter was approved or returned: what to say, and the unit to read again."""

    text: str
    member: Member


@dataclass
class ApprovalFailed(Message):
    """Approving or returning was refused (or failed): why, in the reader's words."""

    text: str


class ApproveScreen(LocalizedBindings, ModalScreen[bool]):
    """`Duyệt số liệu Quý I/2026 của Phường Mỹ Thới?` — dismissed with True only when
    *Duyệt* is pressed; the cursor starts on *Không* (Enter or Esc: nothing is written)."""

    DEFAULT_CSS = APPROVAL_CSS
    BINDINGS = [Binding("escape", "cancel", "e_cancel", key_display="Esc")]

    def __init__(self, unit: str, period: Period) -> None:
        super().__init__()
        self.unit = unit
        """The unit's name (data: shown literally)."""
        self.period = period

    def compose(self) -> ComposeResult:
        """The question and the two buttons, No first."""
        with Vertical(id="approve-form", classes="approval-form"):
            text = t("ap_confirm", period=self.period.label(), unit=self.unit)
            yield Static(Text(text), id="approve-question", markup=False)
            with Horizontal(classes="approval-buttons"):
                yield Button(t("ap_no"), id="approve-no", compact=True)
                yield Button(t("ap_yes"), variant="warning", id="approve-yes", compact=True)

    def on_mount(self) -> None:
        """Title the box; the safe answer has the cursor."""
        box = self.query_one("#approve-form")
        box.border_title = Text(t("ap_title_approve", period=self.period.label()))
        self.query_one("#approve-no", Button).focus()

    def action_cancel(self) -> None:
        """Esc: no."""
        self.dismiss(False)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """*Duyệt* approves; *Không* does not."""
        event.stop()
        self.dismiss(event.button.id == "approve-yes")


class ReturnScreen(LocalizedBindings, ModalScreen[str | None]):
    """Why the quarter goes back to the unit: dismissed with the reason (never empty), or
    None when cancelled."""

    DEFAULT_CSS = APPROVAL_CSS
    BINDINGS = [Binding("escape", "cancel", "e_cancel", key_display="Esc")]

    def __init__(self, unit: str, period: Period) -> None:
        super().__init__()
        self.unit = unit
        self.period = period

    def compose(self) -> ComposeResult:
        """What returning does, the reason, a message line and the buttons."""
        with Vertical(id="return-form", classes="approval-form"):
            text = t("ap_return_what", period=self.period.label(), unit=self.unit)
            yield Static(Text(text), id="return-what", markup=False)
            yield Static(Text(t("ap_reason")), markup=False)
            yield Input(id="return-reason", compact=True)
            yield Static(Text(""), id="return-message", markup=False)
            with Horizontal(classes="approval-buttons"):
                yield Button(t("ap_return"), variant="warning", id="return-do", compact=True)
                yield Button(t("e_cancel"), id="return-cancel", compact=True)

    def on_mount(self) -> None:
        """Title the box and put the cursor in the reason."""
        box = self.query_one("#return-form")
        box.border_title = Text(t("ap_title_return", period=self.period.label()))
        self.query_one("#return-reason", Input).focus()

    def action_cancel(self) -> None:
        """Esc: nothing is returned."""
        self.dismiss(None)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """*Trả lại* or *Hủy*."""
        event.stop()
        if event.button.id == "return-do":
            self.submit()
        else:
            self.dismiss(None)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the reason submits."""
        event.stop()
        self.submit()

    def submit(self) -> None:
        """Refuse an empty reason (the dialog stays and says so); else give it back."""
        reason = self.query_one("#return-reason", Input).value
        if not reason.strip():
            message = self.query_one("#return-message", Static)
            message.update(Text(t("c_need_reason")))
            message.add_class("-error")
            return
        self.dismiss(reason)
