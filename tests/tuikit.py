"""Helpers for driving the dashboard with Pilot."""

from __future__ import annotations

from typing import Any

from textual.pilot import Pilot
from textual.worker import WorkerFailed

from chitieu_tui.app import ChitieuApp


class RecordingApp(ChitieuApp):
    """The app, remembering its notifications as (severity, text)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.notes: list[tuple[str, str]] = []

    def notify(self, message: str, *args: Any, severity: str = "information", **kw: Any) -> None:
        self.notes.append((severity, str(message)))
        super().notify(message, *args, severity=severity, **kw)  # type: ignore[arg-type]


async def settle(pilot: Pilot[Any]) -> None:
    """Wait for the workers (failed ones too) and for their messages to be shown."""
    for _ in range(2):
        try:
            await pilot.app.workers.wait_for_complete()
        except WorkerFailed:
            pass
        await pilot.pause()
    await pilot.pause()
