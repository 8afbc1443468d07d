"""The roll-up's approval dialogs (DESIGN section 12 "Approval"): `a` asks before approving
a unit's quarter (No is the default), `R` asks why the quarter goes back (an empty reason
is refused). Both only ask: the roll-up writes, in a worker, through the unit's source."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widget import Widget
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


T = TypeVar("T")


class _Dialog(LocalizedBindings, ModalScreen[T]):
    """A question about one unit's quarter, in a titled box; Esc answers `cancelled()`."""

    DEFAULT_CSS = APPROVAL_CSS
    BINDINGS = [Binding("escape", "cancel", "e_cancel", key_display="Esc")]
    BOX = ""
    TITLE_KEY = ""

    def __init__(self, unit: str, period: Period) -> None:
        super().__init__()
        self.unit = unit
        """The unit's name (data: shown literally)."""
        self.period = period

    def on_mount(self) -> None:
        """Title the box; the first control to answer with has the cursor."""
        box = self.query_one(f"#{self.BOX}")
        box.border_title = Text(t(self.TITLE_KEY, period=self.period.label()))
        self.first().focus()

    def first(self) -> Widget:
        """What has the cursor when the dialog opens."""
        raise NotImplementedError

    def action_cancel(self) -> None:
        """Esc: nothing is written."""
        self.dismiss(self.cancelled())

    def cancelled(self) -> T:
        """The answer of Esc."""
        raise NotImplementedError


class ApproveScreen(_Dialog[bool]):
    """`Duyệt số liệu Quý I/2026 của Phường Mỹ Thới?` — dismissed with True only when
    *Duyệt* is pressed; the cursor starts on *Không* (Enter or Esc: nothing is written)."""

    BOX = "approve-form"
    TITLE_KEY = "ap_title_approve"

    def compose(self) -> ComposeResult:
        """The question and the two buttons, No first."""
        with Vertical(id=self.BOX, classes="approval-form"):
            text = t("ap_confirm", period=self.period.label(), unit=self.unit)
            yield Static(Text(text), id="approve-question", markup=False)
            with Horizontal(classes="approval-buttons"):
                yield Button(t("ap_no"), id="approve-no", compact=True)
                yield Button(t("ap_yes"), variant="warning", id="approve-yes", compact=True)

    def first(self) -> Widget:
        """The safe answer."""
        return self.query_one("#approve-no", Button)

    def cancelled(self) -> bool:
        """No."""
        return False

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """*Duyệt* approves; *Không* does not."""
        event.stop()
        self.dismiss(event.button.id == "approve-yes")


class ReturnScreen(_Dialog[str | None]):
    """Why the quarter goes back to the unit: dismissed with the reason (never empty), or
    None when cancelled."""

    BOX = "return-form"
    TITLE_KEY = "ap_title_return"

    def compose(self) -> ComposeResult:
        """What returning does, the reason, a message line and the buttons."""
        with Vertical(id=self.BOX, classes="approval-form"):
            text = t("ap_return_what", period=self.period.label(), unit=self.unit)
            yield Static(Text(text), id="return-what", markup=False)
            yield Static(Text(t("ap_reason")), markup=False)
            yield Input(id="return-reason", compact=True)
            yield Static(Text(""), id="return-message", markup=False)
            with Horizontal(classes="approval-buttons"):
                yield Button(t("ap_return"), variant="warning", id="return-do", compact=True)
                yield Button(t("e_cancel"), id="return-cancel", compact=True)

    def first(self) -> Widget:
        """The reason."""
        return self.query_one("#return-reason", Input)

    def cancelled(self) -> str | None:
        """No reason: nothing is returned."""
        return None

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
