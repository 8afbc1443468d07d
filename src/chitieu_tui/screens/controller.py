"""What the two controller screens (a unit's dashboard, the roll-up) share: a palette
provider over the screen's own commands, a worker's failure shown (worded, notified, the last
known state kept), warnings told once, and `again` (the screen made anew in another language,
with the same state)."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from typing import Any

from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from chitieu_tui.core.errors import ChitieuError, InternalError
from chitieu_tui.i18n import fold, t
from chitieu_tui.present.fmt import number
from chitieu_tui.screens.localized import LocalizedBindings

Command = tuple[str, str, Callable[[], Any]]
"""A palette command: its name, its help line, what it does."""


TOLD = 5
"""New warnings a load notifies one by one. A folder with thousands (every value over a
maximum) queued as many toasts, each reaping all the others: under cProfile, 8.6 s of a
14.5 s first frame at 5,000 indicators."""


class ListedCommands(Provider):
    """A palette provider over a list of commands (`_listed`), fuzzy, accents optional."""

    def _listed(self, searching: bool) -> list[Command]:
        """The commands offered (`searching`: when something is typed)."""
        raise NotImplementedError

    async def discover(self) -> Hits:
        """The commands, before anything is typed."""
        for name, help_text, command in self._listed(False):
            yield DiscoveryHit(name, command, help=help_text)

    async def search(self, query: str) -> Hits:
        """Fuzzy over the commands and the targets' names (accents optional)."""
        matcher = self.matcher(fold(query))
        plain = self.matcher(query)
        for name, help_text, command in self._listed(True):
            score = matcher.match(fold(name))
            if score > 0:
                shown = plain.highlight(name) if plain.match(name) > 0 else name
                yield Hit(score, shown, command, text=name, help=help_text)


class ScreenCommands(ListedCommands):
    """The palette's commands of the screen it was opened over (`palette_commands()` and,
    searched only, `palette_targets()`), in the screen's language."""

    def _listed(self, searching: bool) -> list[Command]:
        screen = self.screen
        if not isinstance(screen, Controller):
            return []
        found = list(screen.palette_commands())
        return found + list(screen.palette_targets()) if searching else found


class Controller(LocalizedBindings, Screen[None]):
    """A screen that owns what it shows: its source, its workers, its keys (worded from the
    catalog: LocalizedBindings) and its palette commands."""

    COMMANDS = {ScreenCommands}

    last_error: BaseException | None = None
    """The last worker failure (the screen clears it once a load succeeds)."""

    def palette_commands(self) -> Iterable[Command]:
        """The screen's own palette commands."""
        return []

    def palette_targets(self) -> Iterable[Command]:
        """Places to go, offered when searching (e.g. every indicator)."""
        return []

    def again(self) -> Controller:
        """The same screen, same state, worded in the current language (after `use`)."""
        raise NotImplementedError

    async def reopen(self, screen: Controller) -> None:
        """Push `screen` (made `again`) over this one, as it was pushed before."""
        await self.app.push_screen(screen)

    def tell_once(self, texts: Iterable[str], warned: set[str]) -> None:
        """Notify each warning not told before (in `warned`, shared by the app's screens):
        the first TOLD one by one, the rest counted in one more notification."""
        new = [text for text in dict.fromkeys(texts) if text not in warned]
        warned.update(new)
        for text in new[:TOLD]:
            self.notify(text, severity="warning", timeout=10, markup=False)
        if len(new) > TOLD:
            more = t("warnings_more", n=number(len(new) - TOLD))
            self.notify(more, severity="warning", timeout=10, markup=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """The one place where a worker's failure on this screen is shown: worded for the
        reader and notified, never fatal; what the screen shows stays (its last known state).
        What else a failure means to the screen, it says in `worker_failed`."""
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        self.last_error = error
        text = self.failure_text(error)
        self.notify(text, severity="error", timeout=15, markup=False)
        self.worker_failed(event.worker.group, error, text)

    def worker_failed(self, group: str, error: BaseException | None, text: str) -> None:
        """What a failed worker of `group` means to this screen beyond the notification
        (`text`: the failure as notified); nothing unless the screen says."""

    def failure_text(self, error: BaseException | None) -> str:
        """A worker's failure in the reader's words (a bug: the catalog's internal error,
        its traceback on stderr with CHITIEU_DEBUG=1)."""
        if not isinstance(error, ChitieuError) or isinstance(error, InternalError):
            log_bug(error)
        if isinstance(error, ChitieuError):
            return error.render()
        return t("err.internal", what=type(error).__name__)


def log_bug(error: BaseException | None) -> None:
    """A bug, not bad input: its traceback goes to stderr with CHITIEU_DEBUG=1."""
    if error is not None and os.environ.get("CHITIEU_DEBUG"):
        import traceback  # lazy: only when debugging

        traceback.print_exception(error, file=sys.__stderr__)
