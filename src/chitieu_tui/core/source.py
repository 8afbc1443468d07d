"""What a data source hands the screen and the reports: one `View` of one period."""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from pathlib import Path

from chitieu_tui.core.arithmetic import Board
from chitieu_tui.core.datadir import SAMPLE_HINT, DataDir, shown_path
from chitieu_tui.core.errors import ChitieuError
from chitieu_tui.core.periods import Period


@dataclass(frozen=True)
class View:
    """Everything shown for one period, and where it came from."""

    board: Board
    history: list[Board]
    """Boards of earlier periods (oldest first), ending with this one, for trends."""
    source_label: str
    """Where the data came from, as data: a folder `config/`, `api:http://…`; see `source_kind`."""
    loaded_at: dt.datetime
    """When this view was read (UTC)."""
    periods: list[Period] = field(default_factory=list)
    """Periods that have data, oldest first."""
    read_only: bool = False
    stale: bool = False
    """True when showing an offline copy (a snapshot) instead of live data."""
    stale_since: dt.datetime | None = None
    """When the offline copy was taken."""
    warnings: list[ChitieuError] = field(default_factory=list)
    source_kind: str = "file"
    """`file` (a data folder), `sample` (the bundled sample), `api` (a server) or `snapshot`
    (the snapshot archive); the presentation words it, `source_label` names the place."""

    @property
    def period(self) -> Period:
        """The period shown."""
        return self.board.period

    def last_year(self) -> Board | None:
        """The same quarter last year, when in `history`."""
        want = self.board.period.same_quarter_last_year()
        for b in self.history:
            if b.period == want:
                return b
        return None


class FileSource:
    """Reads a data directory; blocking, so the TUI calls it from a thread worker."""

    read_only = False

    def __init__(self, root: Path, snapshots: Path | None = None) -> None:
        self.data = DataDir(root, snapshots_override=snapshots)
        self._lock = threading.Lock()  # load, entry and snapshot workers share the caches
        self.read_only = self.data.is_bundled  # the installed sample: `chitieu init` copies it
        self.read_only_reason = SAMPLE_HINT if self.read_only else None
        self.label = shown_path(root).rstrip("/") + "/"
        self.kind = "sample" if self.data.is_bundled else "file"

    def load(self, period: Period | None = None, history: int = 5) -> View:
        """Read (cached on mtimes) and evaluate one period."""
        with self._lock:
            return self._load(period, history)

    def _load(self, period: Period | None, history: int) -> View:
        self.data.warnings = []
        board = self.data.board(period)
        boards = self.data.history(board.period, count=history) if history else []
        last_year = board.period.same_quarter_last_year()
        if history and all(b.period != last_year for b in boards):
            boards = self.data.history(last_year, count=1) + boards
        periods = self.data.periods()
        return View(
            board=board,
            history=boards,
            source_label=self.label,
            loaded_at=dt.datetime.now(dt.UTC),
            periods=periods,
            read_only=self.read_only,
            warnings=list(self.data.warnings),
            source_kind=self.kind,
        )

    def snapshot(self, view: View) -> Path:
        """Write a snapshot of the view's period."""
        with self._lock:
            return self.data.take_snapshot(view.board)

    def fingerprint(self, period: Period | None) -> tuple[object, ...]:
        """Changes when a file shown for `period` changes (for the live reload)."""
        return self.data.fingerprint(period)

    def enter(self, period: Period, indicator_id: str, text: str, note: str | None) -> Path:
        """Validate a typed value, write it (locked, atomic), then take a snapshot.

        Raises EntryError (a value that cannot be entered) or another ChitieuError.
        """
        with self._lock:
            self.data.enter(period, indicator_id, text, note)
            return self.data.take_snapshot(self.data.board(period))
