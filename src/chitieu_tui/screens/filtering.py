"""The filter box, `b` and `o` of a screen over one filterable, sortable table."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar, Protocol

from textual.widgets import Input

if TYPE_CHECKING:
    from textual.screen import Screen

    _Base = Screen[None]
else:
    _Base = object


class FilterableTable(Protocol):
    """What the dashboard's IndicatorTable and the roll-up's Scorecard both offer."""

    query_text: str

    def set_query(self, text: str) -> None: ...
    def toggle_behind(self) -> None: ...
    def cycle_sort(self) -> None: ...
    def focus(self, scroll_visible: bool = True) -> Any: ...


class FilterActions(_Base):
    """`/` opens the box (id `FILTER_BOX`), `b` toggles behind-only, `o` sorts by the next
    column; Enter in the box keeps the filter. Mixed into a Screen with a `table`."""

    FILTER_BOX: ClassVar[str] = "filter"

    @property
    def table(self) -> FilterableTable:
        """The table the keys act on."""
        raise NotImplementedError

    def _box(self) -> Input:
        return self.query_one(f"#{self.FILTER_BOX}", Input)

    def _stop_typing(self) -> None:
        """Drop a filtering still waiting for a pause in typing (none here)."""

    def action_filter(self) -> None:
        """Open the filter box."""
        box = self._box()
        box.display = True
        box.focus()

    def action_behind(self) -> None:
        """Toggle: only the rows behind schedule."""
        self.table.toggle_behind()

    def action_sort(self) -> None:
        """Sort by the next column."""
        self.table.cycle_sort()

    def action_clear_filter(self) -> None:
        """Escape: close the filter box and show every row again."""
        self.close_filter()

    def close_filter(self) -> None:
        """Close the filter box and show every row again."""
        self._stop_typing()
        box = self._box()
        box.value = ""
        box.display = False
        self.table.set_query("")
        self.table.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter: keep the filter, go back to the table."""
        self._stop_typing()
        self.table.set_query(event.value)
        if not event.value.strip():
            event.input.display = False
        self.table.focus()
