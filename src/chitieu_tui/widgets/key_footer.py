"""Textual's Footer, rebuilt only when the keys it shows change."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    """A Footer that skips its rebuild when the bindings shown are the same as before.

    Textual's Footer removes and re-mounts all its keys whenever the screen's bindings are
    refreshed (every focus change, every screen resume); on the dashboard that was the
    largest single cost of the start-up. What is shown is unchanged.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shown_keys: tuple[Any, ...] | None = None

    def _keys(self) -> tuple[Any, ...]:
        """Everything of the active bindings that `Footer.compose` looks at."""
        return tuple(
            (
                key,
                binding.key,
                binding.action,
                binding.description,
                binding.show,
                binding.key_display,
                binding.tooltip,
                binding.group,
                enabled,
                tooltip,
            )
            for key, (_node, binding, enabled, tooltip) in self.screen.active_bindings.items()
        )

    def compose(self) -> ComposeResult:
        """The keys, remembering which bindings they show."""
        if self._bindings_ready:
            self._shown_keys = self._keys()
        yield from super().compose()

    def bindings_changed(self, screen: Screen[Any]) -> None:
        """Rebuild only when the keys to show differ from those shown."""
        if (
            self._shown_keys is not None
            and self.is_attached
            and screen is self.screen
            and self._keys() == self._shown_keys
        ):
            return
        super().bindings_changed(screen)
