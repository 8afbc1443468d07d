"""The dashboard's key line: one widget (not one per key), clickable like Textual's Footer."""

from __future__ import annotations

from textual.binding import Binding
from textual.content import Content
from textual.events import Click, Resize
from textual.widget import Widget

KEEP = ("question_mark", "q", "ctrl+p", "escape")
"""Keys never dropped on a narrow terminal: help (which lists every key), quit, the command
palette (every command, searchable) and, when shown, the way back (Esc)."""


class KeyBar(Widget):
    """`q thoát  r làm mới  …`: the screen's shown bindings, in their order.

    Textual's Footer mounts a widget per key and re-mounts them on every bindings
    refresh; the dashboard's keys never change, so one widget draws them all. When the
    line is too narrow, keys are dropped from the right, except `?` and `q`.
    """

    DEFAULT_CSS = """
    KeyBar {
        height: 1;
        background: $footer-background;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, hide: tuple[str, ...] = (), **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.hide = hide
        """Keys of the screen not shown here (e.g. Esc where it only clears a filter)."""
        self._bindings_shown: list[Binding] = []
        self._spans: list[tuple[int, int, str]] = []
        self._content = Content("")

    def on_mount(self) -> None:
        """Read the screen's shown bindings once (their descriptions are already worded)."""
        self.reread()

    def reread(self) -> None:
        """Read the screen's shown bindings again (after what its `check_action` allows
        changed, e.g. the roll-up learning that the account approves)."""
        screen = self.screen
        own = {b.key: b for b in getattr(screen, "BINDINGS", []) if isinstance(b, Binding)}
        shown: list[Binding] = []
        for active in screen.active_bindings.values():
            binding, node = active.binding, active.node
            if node is self.app and binding.key in own:
                # The screen's own words for a key an app-wide priority binding also holds
                # (Ctrl+P: Textual's command palette).
                binding, node = own[binding.key], screen
            shown_here = binding.show and binding.description and binding.key not in self.hide
            if node is screen and shown_here:
                shown.append(binding)
        self._bindings_shown = shown
        self._layout(self.size.width)

    def on_resize(self, event: Resize) -> None:
        """Fit the keys to the new width."""
        self._layout(event.size.width)

    def _item(self, binding: Binding) -> Content:
        key = binding.key_display or self.app.get_key_display(binding)
        return Content.assemble(
            (key, "bold $footer-key-foreground"),
            " ",
            (binding.description, "$footer-description-foreground"),
            " ",
        )

    def _layout(self, width: int) -> None:
        items = [(b, self._item(b)) for b in self._bindings_shown]
        if width > 0:
            while sum(c.cell_length for _, c in items) > width + 1:
                drop = next(
                    (i for i in reversed(range(len(items))) if items[i][0].key not in KEEP), None
                )
                if drop is None:
                    break
                del items[drop]
        x = 0
        spans: list[tuple[int, int, str]] = []
        for binding, item in items:
            spans.append((x, x + item.cell_length, binding.action))
            x += item.cell_length
        self._spans = spans
        self._content = Content.assemble(*(c for _, c in items))
        self.refresh()

    def keys(self) -> list[str]:
        """The keys shown now, as their display (`q`, `[ ]`, `?`)."""
        return [str(self._content)[a:b].split(" ")[0] for a, b, _ in self._spans]

    def render(self) -> Content:
        """The keys that fit."""
        return self._content

    async def on_click(self, event: Click) -> None:
        """Run the action of the key under the mouse, as Textual's Footer does."""
        for start, end, action in self._spans:
            if start <= event.x < end:
                await self.screen.run_action(action)
                return
