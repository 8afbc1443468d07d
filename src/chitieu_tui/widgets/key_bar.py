"""The dashboard's key line: one widget (not one per key), clickable like Textual's Footer."""

from __future__ import annotations

from textual.content import Content
from textual.events import Click
from textual.widget import Widget


class KeyBar(Widget):
    """`q thoát  r làm mới  …`: the screen's shown bindings, in their order.

    Textual's Footer mounts a widget per key and re-mounts them on every bindings
    refresh; the dashboard's keys never change, so one widget draws them all.
    """

    DEFAULT_CSS = """
    KeyBar {
        height: 1;
        background: $footer-background;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self._spans: list[tuple[int, int, str]] = []
        self._content = Content("")

    def on_mount(self) -> None:
        """Read the screen's bindings once (their descriptions are already localized)."""
        parts: list[Content | str] = []
        x = 0
        spans: list[tuple[int, int, str]] = []
        for bindings in self.screen._bindings.key_to_bindings.values():
            for binding in bindings:
                if not binding.show or not binding.description:
                    continue
                key = binding.key_display or self.app.get_key_display(binding)
                item = Content.assemble(
                    (key, "bold $footer-key-foreground"),
                    " ",
                    (binding.description, "$footer-description-foreground"),
                    " ",
                )
                spans.append((x, x + item.cell_length, binding.action))
                x += item.cell_length
                parts.append(item)
        self._spans = spans
        self._content = Content.assemble(*parts)
        self.refresh()

    def render(self) -> Content:
        """The keys, cut at the right edge when the terminal is narrow."""
        return self._content

    async def on_click(self, event: Click) -> None:
        """Run the action of the key under the mouse, as Textual's Footer does."""
        for start, end, action in self._spans:
            if start <= event.x < end:
                await self.screen.run_action(action)
                return
