"""The roll-up: many units side by side, their totals, and a way into each unit."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

import msgspec
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input, ProgressBar, Static
from textual.worker import WorkerCancelled, WorkerFailed, get_current_worker

from chitieu_tui.core.approval import quarter_state
from chitieu_tui.core.collection import Collection, Member
from chitieu_tui.core.errors import ChitieuError
from chitieu_tui.core.periods import Period, step_period
from chitieu_tui.core.rowcache import (
    Frame,
    FrameCheck,
    path_for,
    stamps_as_read,
    write_frame,
)
from chitieu_tui.core.source import Source, View, WritableSource
from chitieu_tui.core.text import clean
from chitieu_tui.i18n import Msg, t
from chitieu_tui.messages import OpenUnit, RollupDue, RollupLoaded, RollupProgress
from chitieu_tui.present.failure import worded
from chitieu_tui.present.rollup import (
    chart_of,
    header_text,
    legend,
    row_of,
    summary_text,
)
from chitieu_tui.present.rollup_chart import column_chart
from chitieu_tui.present.rollup_frame import file_role, frame_from, note_text, words_text
from chitieu_tui.present.time import local_now
from chitieu_tui.screens.controller import Command, Controller
from chitieu_tui.screens.filtering import FilterActions
from chitieu_tui.widgets.column_chart import ColumnChartView
from chitieu_tui.widgets.key_bar import KeyBar
from chitieu_tui.widgets.scorecard import Scorecard

if TYPE_CHECKING:  # the writing stack and the approval's screens: when an approver acts
    from chitieu_tui.core.requests import Request
    from chitieu_tui.screens.approval import ApprovalDone, ApprovalFailed


def legend_content() -> Content:
    """`✓ Đạt/vượt  ▲ Đúng tiến độ  ▼ Chậm tiến độ  · Chưa có số liệu`, marks in colour."""
    parts: list[Content | tuple[str, str] | str] = []
    for mark, word, colour in legend():
        if parts:
            parts.append("   ")
        parts += [(mark, f"bold {colour}"), " ", (word, "$foreground-muted")]
    return Content.assemble(*parts)


ROLE_KEYS = {"viewer": "role.viewer", "editor": "role.editor", "approver": "role.approver"}
"""The catalog key of each role's name (`Bạn đang xem với quyền: người xem`)."""


@runtime_checkable
class AccountSource(Protocol):
    """A source read with an account (over the API: remote/source.py `ApiSource`)."""

    def account(self) -> tuple[str, tuple[str, ...]]:
        """The account's role and units (blocking: `GET /api/v1/me`)."""
        ...


@dataclass
class FrameChecked(Message):
    """The cached frame's units' files were checked: `ok`, nothing changed since it was made."""

    ok: bool


@dataclass
class RoleKnown(Message):
    """`GET /api/v1/me` answered: the account's role and units."""

    role: str
    units: tuple[str, ...]


@dataclass
class FirstRead(Message):
    """A unit the cached frame showed before the read reached it was read (in a thread):
    what it gave, and what to do next (open it, or judge it for `a`/`R`)."""

    member: Member
    period: Period | None
    stamp: object
    view: View | None
    error: ChitieuError | None
    then: Callable[[], None]


class RollupScreen(FilterActions, Controller):
    """Header, summary, loading and offline notes, filter box, scorecard, keys. The screen
    owns the collection: its load and poll workers, the quarter, the progress of a load;
    Enter pushes a unit's dashboard with its source and the view it already has."""

    AUTO_FOCUS = "#scorecard"
    FILTER_BOX = "rollup-filter"
    DEFAULT_CSS = """
    #rollup-legend, #rollup-left-out { height: auto; padding: 0 1; }
    #rollup-role { height: auto; padding: 0 1; color: $text-muted; }
    """

    BINDINGS = [
        Binding("q", "app.quit", "quit"),
        Binding("r", "reload", "reload"),
        Binding("enter", "open", "rollup.open", key_display="Enter"),
        Binding("a", "approve", "approve_key"),
        Binding("R", "return_unit", "return_key", key_display="R"),
        Binding("left_square_bracket", "period(-1)", "quarter", key_display="[ ]"),
        Binding("right_square_bracket", "period(1)", show=False),
        Binding("t", "today", "today_key", show=False),
        Binding("slash", "filter", "filter", key_display="/"),
        Binding("b", "behind", "behind"),
        Binding("o", "sort", "sort"),
        Binding("g", "chart", show=False),
        Binding("question_mark", "help", "help", key_display="?"),
        Binding("ctrl+p", "app.command_palette", "key.palette", key_display="Ctrl+P"),
        Binding("escape", "clear_filter", show=False),
    ]
    CHART_MIN_HEIGHT = 30
    """The column's chart is shown by itself from this many lines (below, `g` shows it)."""

    def __init__(
        self,
        collection: Collection,
        *,
        period: Period | None = None,
        preloaded: bool = False,
        now: Callable[[], dt.datetime] = local_now,
        warned: set[str] | None = None,
        frame: Frame | None = None,
        read: bool = True,
        check: FrameCheck | None = None,
    ) -> None:
        """`preloaded`: the collection was read before (the first frame has data); else the
        units of `period` are read when the screen is mounted. `frame`: the roll-up's cached
        frame (core/rowcache.py), shown until the units are read (`read` False: never; a
        screenshot of the first frame). `check`: its units' files being checked
        (`FrameCheck`): the frame is marked as being checked until it says nothing
        changed, and put away, the units read, when something did (None: checked before)."""
        super().__init__()
        self.collection = collection
        self._frame = frame
        """The cached frame shown until the units' read ends (None: the live rows)."""
        self._check = check if frame is not None else None
        self.checking = self._check is not None
        """The cached frame is shown marked as being checked (for tests)."""
        self._checked = asyncio.Event()
        """Set when the check has said, and was acted on (`settled`)."""
        if self._check is None:
            self._checked.set()
        self._read = read
        self.from_cache = frame is not None
        """The first frame came from the roll-up's cache (for tests)."""
        self._keep = True
        """The next `show` is of a whole read at the period the open asked (the preload,
        or `_load`'s of every unit at `period`): what an open would show, so cached."""
        self._texts = ("", "", "", "")
        """The header, summary, note and left-out line of the last `show`."""
        self.now = now
        self.warned = warned if warned is not None else set()
        """Warnings already told (shared with the units' dashboards: each is told once)."""
        self._period = period
        self._preloaded = preloaded
        self._poll: Timer | None = None
        self._poll_seconds = 0.0
        self._unit_open = False
        """A unit's dashboard is over this screen (it polls its own source)."""
        self.role: str | None = None
        """The account's role (`viewer`, `editor`, `approver`): over the API as `GET
        /api/v1/me` says it (None until asked); on a collection folder `approver` when its
        units can be written (the folder's permissions are the rights), else `viewer`."""
        self.chart_wanted: bool | None = None
        """`g` shows or hides the column's chart; None: shown when the screen is tall."""
        self.role_units: tuple[str, ...] = ("*",)
        """The units the role is for (over the API, `/me`'s `units`)."""
        self._shown: list[tuple[object, object]] = []
        """Each unit's (view, error) at the last `show`, compared by identity."""
        self._shown_period: Period | None = None
        self._charted: tuple[object, int] | None = None
        """What the chart was last made of: `_shown` or the cached frame (by identity), and
        the column."""

    def again(self) -> RollupScreen:
        """The same collection, worded in the current language (after `use`)."""
        screen = RollupScreen(self.collection, preloaded=True, now=self.now, warned=self.warned)
        screen.role, screen.role_units = self.role, self.role_units
        screen._keep = False  # the period shown need not be the one an open would show
        return screen

    async def reopen(self, screen: Controller) -> None:
        """A unit's dashboard made again: pushed as Enter pushes it."""
        self._unit_open = True
        await self.app.push_screen(screen, self._back)

    def on_mount(self) -> None:
        """Show the units read before, or read them; then poll."""
        if self._frame is not None:
            self.show_frame(self._frame)
            if self._check is not None:
                self._verify(self._check)
            # read once the frame is drawn: the read's threads would hold it back (the GIL)
            if self._read:
                self.call_after_refresh(self._load, self.collection, self._period)
        elif self._preloaded:
            self.show(self.collection)
        else:
            self._load(self.collection, self._period)
        self._arm_poll()

    # -- the cached frame's check ------------------------------------------------------------

    @work(thread=True, group="check", exit_on_error=False, description="check")
    def _verify(self, check: FrameCheck) -> None:
        self.post_message(FrameChecked(check.wait()))

    def on_frame_checked(self, message: FrameChecked) -> None:
        """Nothing changed: the mark goes. Something did: the frame goes (never shown as
        true), the screen says it is loading, and every unit is read."""
        self._check, self.checking = None, False
        try:
            if self._frame is None:
                return  # the live rows are shown already
            if message.ok:
                self._show_note(self._frame.note)
                return
            self._frame = None
            self._show_loading()
            if not any(w.group == "load" and w.is_running for w in self.workers):
                self._load(self.collection, self._period)
        finally:
            self._checked.set()

    async def settled(self) -> bool:
        """Wait until the cached frame's check has said, and, when it was not true, until
        the units are read (a screenshot saves only what is true); True: the frame is
        shown, found true."""
        await self._checked.wait()
        if self._frame is not None:
            return True  # shown as it is (its units are read after, as always)
        for worker in [w for w in self.workers if w.group == "load"]:
            with contextlib.suppress(WorkerFailed, WorkerCancelled):
                await worker.wait()
        return False

    def _show_note(self, text: str) -> None:
        note = self.query_one("#rollup-note", Static)
        note.update(Text(text))
        note.display = bool(text)

    def _show_loading(self) -> None:
        """The screen as before anything is read: `Đang tải…`, no rows."""
        self.query_one("#rollup-header", Static).update(Text(t("loading")))
        self.query_one("#rollup-summary", Static).update(Text(""))
        self._show_note("")
        self.table.show_rows([], [], [], [], [])
        self.query_one(ColumnChartView).display = False
        self.query_one("#rollup-left-out", Static).display = False

    # -- loading and polling ---------------------------------------------------------------

    def _busy(self) -> bool:
        return any(w.group in ("load", "poll") and w.is_running for w in self.workers)

    def _arm_poll(self) -> None:
        """Ask the units every `check_seconds`."""
        seconds = max(0.1, float(self.collection.check_seconds))
        if self._poll is None or self._poll_seconds != seconds:
            if self._poll is not None:
                self._poll.stop()
            self._poll = self.set_interval(seconds, self._poll_tick)
            self._poll_seconds = seconds

    def _poll_tick(self) -> None:
        """Ask which units changed (their `stat` calls: in a thread), unless busy or under a
        unit's dashboard."""
        if not self._busy() and not self._unit_open:
            self._due(self.collection)

    # Each worker is given a description: Textual otherwise makes one from repr() of its
    # arguments, and repr() of a collection walks every unit's board (seconds at 3,321 units).
    @work(thread=True, group="poll", exit_on_error=False, description="due")
    def _due(self, collection: Collection) -> None:
        self.post_message(RollupDue(collection.due()))

    def on_rollup_due(self, message: RollupDue) -> None:
        """Read again the units that changed."""
        loading = any(w.group == "load" and w.is_running for w in self.workers)
        if message.members and not loading and self._frame is None:
            self._load(self.collection, self.collection.period, message.members)

    @work(exclusive=True, group="load", exit_on_error=False, description="load")
    async def _load(
        self, collection: Collection, period: Period | None, only: list[Member] | None = None
    ) -> None:
        """Read the roll-up's units (all, or those `only` that changed)."""
        self._keep = only is None and period == self._period

        def progress(done: int, total: int) -> None:
            self.post_message(RollupProgress(done, total))

        remote = collection.kind != "file"
        await collection.aload(period, progress if remote else None, only)
        self.post_message(RollupLoaded(only is None))

    def on_rollup_progress(self, message: RollupProgress) -> None:
        """Loading a server's units: how many are done."""
        self.show_progress(message.done, message.total)

    def on_rollup_loaded(self, message: RollupLoaded) -> None:
        """Show the units read; tell about new warnings."""
        texts = (w.render() for m in self.collection.members if m.view for w in m.view.warnings)
        self.tell_once(texts, self.warned)
        if message.full:
            self._frame = None  # the live rows from now on
        self.show(self.collection)
        self._arm_poll()
        if self.collection.kind != "file" and self.role is None and not self._asking():
            self._ask_role(self.collection)

    def worker_failed(self, group: str, error: BaseException | None, text: str) -> None:
        """A failed load with no unit to show: the failure fills the screen."""
        if group == "load" and not self.collection.members:
            self.show_error(text)

    # -- actions -------------------------------------------------------------------------

    def action_reload(self) -> None:
        """`r`: read every unit again."""
        self._load(self.collection, self.collection.period)

    def action_period(self, step: int) -> None:
        """`[` and `]`: the previous or next quarter for every unit, from the first quarter
        any unit has data for to the last (or the current quarter when later)."""
        current = self.collection.period
        if current is None:
            return
        target = step_period(
            current, step, {p for m in self.collection.members if m.view for p in m.view.periods}
        )
        if isinstance(target, tuple):
            key, edge = target
            self.notify(t(key, period=edge.label()), markup=False)
            return
        self._load(self.collection, target)

    def action_today(self) -> None:
        """`t`: back to the default quarter."""
        self._load(self.collection, None)

    def action_help(self) -> None:
        """`?`."""
        if self.app.screen is self:
            # lazy: the help screen, when asked
            from chitieu_tui.screens.help import HelpScreen

            self.app.push_screen(HelpScreen(rollup=True, approver=self.approves()))

    # -- the role, approving and returning -----------------------------------------------

    def approves(self) -> bool:
        """True when this account approves (the keys `a` and `R` are offered)."""
        return self.role == "approver"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """`a` and `R` exist only for an approver: not shown, not run, for anyone else."""
        if action in ("approve", "return_unit"):
            return self.approves()
        return True

    def _asking(self) -> bool:
        return any(w.group == "role" and w.is_running for w in self.workers)

    @work(thread=True, group="role", exit_on_error=False, description="role")
    def _ask_role(self, collection: Collection) -> None:
        """`GET /api/v1/me` once, through a unit's source (blocking: in a thread)."""
        for m in collection.members:
            if isinstance(m.source, AccountSource):
                role, units = m.source.account()
                self.post_message(RoleKnown(role, units))
                return

    def on_role_known(self, message: RoleKnown) -> None:
        """Say the role; offer `a` and `R` to an approver."""
        self.set_role(message.role, message.units)

    def set_role(self, role: str, units: tuple[str, ...] = ("*",)) -> None:
        """Note the role, show its line and the keys it may use."""
        changed = (role, units) != (self.role, self.role_units)
        self.role, self.role_units = role, units
        line = self.query_one("#rollup-role", Static)
        key = ROLE_KEYS.get(role)
        line.update(Text(t("rollup.role", role=t(key) if key else clean(role))))
        line.display = True
        if changed:
            self.refresh_bindings()
            self.query_one(KeyBar).reread()

    def _target(self, approving: bool) -> tuple[Member, Period] | None:
        """The unit under the cursor, when its quarter can be approved (or returned) by this
        account; else None, having said why."""
        index = self.table.current_index()
        period = self.collection.period
        frame = self._frame
        if period is None and frame is not None and frame.period:
            period = Period(frame.period[0], frame.period[1])  # the cached frame's
        if index is None or period is None or self.app.screen is not self:
            if index is None:
                self.notify(t("ap_pick_unit"), severity="warning", markup=False)
            return None
        member = self.collection.members[index]
        if member.view is None and member.error is None and self._frame is not None:
            then = self.action_approve if approving else self.action_return_unit
            self._read_first(member, self._frame, then)  # the cached frame: read, then again
            return None
        board = member.board
        if board is None or member.error is not None:
            error = member.error
            text = error.render() if error is not None else t("loading")
            self.notify(text, severity="error", timeout=15, markup=False)
            return None
        mine = "*" in self.role_units or member.key in self.role_units
        if not mine or not isinstance(member.source, WritableSource):
            self.notify(t("ap_not_yours", unit=member.name), severity="error", markup=False)
            return None
        view = member.view
        if self.collection.kind == "file" and view is not None and view.read_only:
            why = view.read_only_reason
            text = why.text() if why is not None else t("e_read_only")
            self.notify(text, severity="error", markup=False)
            return None
        # lazy: the writing stack, only when an approver acts (not on the first frame)
        from chitieu_tui.core.journal import Quarter
        from chitieu_tui.core.writer import approved_msg

        state = quarter_state(board.progress)
        closed = board.progress.closed if board.progress is not None else None
        refusal: Msg | None = None
        if approving and closed is not None and closed.approved is not None:
            refusal = approved_msg("err.approved.already", period, closed.approved)
        elif approving and state != "submitted":
            refusal = Msg("err.approved.not_closed", period=Quarter(period))
        elif not approving and state not in ("submitted", "approved"):
            refusal = Msg("err.returned.not_closed", period=Quarter(period))
        if refusal is not None:
            self.notify(refusal.text(), severity="warning", timeout=10, markup=False)
            return None
        return member, period

    def action_approve(self) -> None:
        """`a` (an approver): approve the selected unit's quarter, after asking (No first)."""
        target = self._target(approving=True)
        if target is None:
            return
        member, period = target
        # lazy: the writing stack and the approval's screens, when an approver acts
        from chitieu_tui.core.requests import Approve
        from chitieu_tui.screens.approval import ApproveScreen

        def answered(yes: bool | None) -> None:
            if yes:
                done = t("ap_done_approve", period=period.label(), unit=member.name)
                self._write_approval(member, Approve(period=period), done)

        self.app.push_screen(ApproveScreen(member.name, period), answered)

    def action_return_unit(self) -> None:
        """`R` (an approver): return the selected unit's quarter with a reason."""
        target = self._target(approving=False)
        if target is None:
            return
        member, period = target
        # lazy: as `action_approve`
        from chitieu_tui.core.requests import Return
        from chitieu_tui.screens.approval import ReturnScreen

        def answered(reason: str | None) -> None:
            if reason:
                done = t("ap_done_return", period=period.label(), unit=member.name)
                self._write_approval(member, Return(period=period, reason=reason), done)

        self.app.push_screen(ReturnScreen(member.name, period), answered)

    @work(thread=True, group="approve", exit_on_error=False, description="approve")
    def _write_approval(self, member: Member, request: Request, done: str) -> None:
        """Write through the unit's own source (the one write path), off the UI thread; a
        refusal is said, never fatal."""
        # lazy: settings (msgspec, platformdirs) only when a write happens
        from chitieu_tui.core.requests import Approve, Return
        from chitieu_tui.screens.approval import ApprovalDone, ApprovalFailed
        from chitieu_tui.screens.entry import form_by

        source = member.source
        assert isinstance(source, WritableSource)
        try:
            by = form_by()
            if isinstance(request, Approve):
                request = Approve(period=request.period, note=request.note, by=by)
            elif isinstance(request, Return):
                request = Return(period=request.period, reason=request.reason, by=by)
            source.write([request])
        except Exception as exc:  # noqa: BLE001 - a refusal is told, the roll-up stays
            self.post_message(ApprovalFailed(worded(exc)))
        else:
            self.post_message(ApprovalDone(done, member))

    def on_approval_done(self, message: ApprovalDone) -> None:
        """Say it; read that unit again (its state shows at once)."""
        self.notify(message.text, markup=False)
        if self._frame is not None:  # the cached frame: the whole read again, that unit in it
            self._load(self.collection, self._period)
            return
        self._load(self.collection, self.collection.period, [message.member])

    def on_approval_failed(self, message: ApprovalFailed) -> None:
        """Say why (the server's words, or the file writer's)."""
        self.notify(message.text, severity="error", timeout=15, markup=False)

    def on_open_unit(self, message: OpenUnit) -> None:
        """Enter on a unit: its full dashboard, with every key of the ward dashboard."""
        collection = self.collection
        if not 0 <= message.index < len(collection.members) or self.app.screen is not self:
            return
        member = collection.members[message.index]
        if member.view is None and member.error is None and self._frame is not None:
            self._read_first(member, self._frame, partial(self.on_open_unit, message))
            return
        if member.view is None:
            error = member.error
            text = error.render() if error is not None else t("loading")
            self.notify(text, severity="error", timeout=15, markup=False)
            return
        initial = (member.view, member.stamp) if member.error is None else None
        # lazy: the unit's dashboard, on the first Enter (not on the roll-up's first frame)
        from chitieu_tui.screens.dashboard import DashboardScreen

        unit = DashboardScreen(
            member.source,
            period=collection.period or member.view.period,
            initial=initial,
            reload=True,  # with the history the roll-up does not read
            back=True,
            now=self.now,
            warned=self.warned,
        )
        self._unit_open = True
        self.app.push_screen(unit, self._back)

    def _read_first(self, member: Member, frame: Frame, then: Callable[[], None]) -> None:
        """Enter (or `a`, `R`) on a unit the cached frame shows before the read reached it:
        that unit is read at the frame's period in a thread (a large unit read cold takes
        seconds: the keys stay alive), then `then` runs again on it."""
        period = Period(frame.period[0], frame.period[1]) if frame.period else None
        self._read_one(member, period, then)

    @work(thread=True, group="first", exclusive=True, exit_on_error=False, description="first")
    def _read_one(self, member: Member, period: Period | None, then: Callable[[], None]) -> None:
        """`_read_first`'s read, off the UI thread; a newer Enter cancels an older one."""
        stamp = member.source.stamp(period)
        view: View | None = None
        error: ChitieuError | None = None
        try:
            view = member.source.load(period, history=0)
        except ChitieuError as exc:
            error = exc
        if not get_current_worker().is_cancelled:
            self.post_message(FirstRead(member, period, stamp, view, error, then))

    def on_first_read(self, message: FirstRead) -> None:
        """The unit read for Enter: kept (unless the roll-up's own read got there first),
        then opened or judged."""
        member = message.member
        if member.view is None and member.error is None:
            member.stamp, member.stamped_for = message.stamp, message.period
            member.view, member.error = message.view, message.error
        message.then()

    def _back(self, _result: None = None) -> None:
        """Back from a unit (Esc): the roll-up as it was; values entered there show at once."""
        self._unit_open = False
        self.show(self.collection)
        self._arm_poll()
        self._poll_tick()

    def palette_commands(self) -> Iterable[Command]:
        """reload, quarters, approve and return (an approver), help."""
        commands: list[Command] = [
            (t("cmd.reload"), t("cmd.reload_help"), self.action_reload),
            (t("cmd.prev"), t("cmd.prev_help"), partial(self.action_period, -1)),
            (t("cmd.next"), t("cmd.next_help"), partial(self.action_period, 1)),
        ]
        if self.approves():
            commands += [
                (t("cmd.approve"), t("cmd.approve_help"), self.action_approve),
                (t("cmd.return"), t("cmd.return_help"), self.action_return_unit),
            ]
        return [*commands, (t("cmd.help"), t("cmd.help_help"), self.action_help)]

    def compose(self) -> ComposeResult:
        """The parts of the screen (the notes hidden until needed)."""
        yield Static(Text(t("loading")), id="rollup-header", markup=False)
        yield Static(Text(""), id="rollup-summary", markup=False)
        role = Static(Text(""), id="rollup-role", markup=False)
        role.display = False
        yield role
        note = Static(Text(""), id="rollup-note", markup=False)
        note.display = False
        yield note
        box = Input(placeholder=t("rollup.filter_placeholder"), id="rollup-filter", compact=True)
        box.display = False
        yield box
        yield Scorecard(id="scorecard")
        yield ColumnChartView(id="rollup-chart")
        yield Static(legend_content(), id="rollup-legend")
        left_out = Static(Text(""), id="rollup-left-out", markup=False)
        left_out.display = False
        yield left_out
        yield KeyBar()

    @property
    def table(self) -> Scorecard:
        """The scorecard."""
        return self.query_one(Scorecard)

    def show(self, collection: Collection) -> None:
        """Put the collection's current views on screen; nothing is redone when every unit
        has the view (and error) it had at the last show (a unit's dashboard left with Esc,
        nothing changed): at 3,321 units that is a second saved. While the cached frame is
        shown (the units not all read yet), it stays."""
        if self._frame is not None:
            return
        shown = [(m.view, m.error) for m in collection.members]
        same = len(shown) == len(self._shown) and all(
            a is c and b is d for (a, b), (c, d) in zip(shown, self._shown, strict=True)
        )
        if same and collection.period == self._shown_period and shown:
            return
        self._shown, self._shown_period = shown, collection.period
        header, summary = header_text(collection), summary_text(collection)
        self.query_one("#rollup-header", Static).update(Text(header))
        self.query_one("#rollup-summary", Static).update(Text(summary))
        note = self.query_one("#rollup-note", Static)
        text = note_text(collection)
        note.update(Text(text))
        note.display = bool(text)
        self.table.show(collection)
        self.show_chart()
        left_out = self.query_one("#rollup-left-out", Static)
        words = words_text(collection, self.table.columns_ids, self.table.totals)
        left_out.update(Text(words))
        left_out.display = bool(words)
        self._texts = (header, summary, text, words)
        role = file_role(collection)
        if role:  # a collection folder: its units written here approve, a read-only one views
            self.set_role(role)
        elif collection.kind != "file" and self.role is not None:
            self.set_role(self.role, self.role_units)
        self.call_after_refresh(self._keep_frame)  # after the frame is drawn (about 0.07 s)

    def show_frame(self, frame: Frame) -> None:
        """The cached frame: the rows, totals, texts and charts the last read showed."""
        members = self.collection.members
        self.query_one("#rollup-header", Static).update(Text(frame.header))
        self.query_one("#rollup-summary", Static).update(Text(frame.summary))
        checking = t("rollup.checking") if self._check is not None else ""
        self._show_note(" · ".join(n for n in (frame.note, checking) if n))
        rows = [row_of(i, members[i], r) for i, r in enumerate(frame.rows)]
        cells = list(frame.totals)
        self.table.show_rows(list(frame.columns), list(frame.names), rows, [], cells)
        self.show_chart()
        left_out = self.query_one("#rollup-left-out", Static)
        left_out.update(Text(frame.left_out))
        left_out.display = bool(frame.left_out)
        if frame.role in ROLE_KEYS:
            self.set_role(frame.role)

    def _keep_frame(self) -> None:
        """A collection folder whose every unit was just read at the period the open asked:
        its frame cached for the next open (written in a thread). Not after a reload of
        some units (`only`), `r`, `[`, `]`: their period need not be the one an open would
        find (a quarter added since)."""
        collection = self.collection
        if collection.kind != "file" or collection.root is None or collection.period is None:
            return
        if not self._keep or any(m.view is None and m.error is None for m in collection.members):
            return
        self._keep = False
        path = path_for(collection.root)
        if path is None:
            return
        table = self.table
        try:
            frame = frame_from(
                collection,
                self._period,
                self._texts,
                self.role or "",
                table.columns_ids,
                table.names,
                table.rows_data,
                table.totals_cells,
            )
        except ChitieuError:
            return
        read = [(m.source, m.stamp) for m in collection.members]
        self._write_frame(path, frame, read, collection.period)

    @work(thread=True, group="rows", exit_on_error=False, description="rows")
    def _write_frame(
        self, path: Path, frame: Frame, read: list[tuple[Source, object]], period: Period
    ) -> None:
        """Write the frame with each member's stamps (`stamp(period)`, as an open checks
        them), when every member's files are as they were before its read."""
        stamps = stamps_as_read(read, period)
        if stamps is not None:
            write_frame(path, msgspec.structs.replace(frame, stamps=stamps))

    def chart_column(self) -> int | None:
        """The column the chart shows: the one the scorecard is sorted by, else the first."""
        table = self.table
        if not table.columns_ids:
            return None
        key = table.sort_by
        if key.startswith("c") and key[1:].isdigit() and int(key[1:]) < len(table.columns_ids):
            return int(key[1:])
        return 0

    def show_chart(self) -> None:
        """The chart of `chart_column` (issue 24): one bar a unit, best first; shown when
        the screen is tall enough, or as `g` says."""
        view = self.query_one(ColumnChartView)
        wanted = self.chart_wanted
        if wanted is None:
            wanted = self.size.height >= self.CHART_MIN_HEIGHT
        index = self.chart_column()
        view.display = wanted and index is not None
        if view.display and index is not None:
            charted = self._charted
            if charted is not None and charted[0] is self._shown and charted[1] == index:
                return  # the same units and column as drawn (a resize): nothing to redo
            table = self.table
            if self._frame is not None:
                if charted is None or charted[0] is not self._frame or charted[1] != index:
                    view.show(chart_of(self._frame.charts[index]))
                    self._charted = (self._frame, index)
                return
            view.show(column_chart(self.collection, table.columns_ids[index], table.names[index]))
            self._charted = (self._shown, index)

    def action_chart(self) -> None:
        """`g`: show or hide the chart of the sorted column."""
        self.chart_wanted = not self.query_one(ColumnChartView).display
        self.show_chart()

    def on_resize(self) -> None:
        """Tall enough for the chart, or no longer."""
        self.show_chart()

    def on_scorecard_sorted(self) -> None:
        """Sorted by `o` or a click on a heading: the chart follows the column."""
        self.show_chart()

    def show_progress(self, done: int, total: int) -> None:
        """`Đang tải 12/150 đơn vị…` and a bar, while a server's units load."""
        found = self.query("#rollup-progress")
        if found:
            bar = found.only_one(ProgressBar)
        else:  # mounted when first needed: a folder's units load with no bar
            bar = ProgressBar(show_eta=False, id="rollup-progress")
            self.mount(bar, after="#rollup-role")
        bar.update(total=total, progress=done)
        bar.display = done < total
        header = self.query_one("#rollup-header", Static)
        if done < total:
            header.update(Text(t("rollup.loading", done=done, total=total)))

    def show_error(self, text: str) -> None:
        """Why nothing could be shown (the unit list could not be had)."""
        note = self.query_one("#rollup-note", Static)
        note.update(Text(f"{t('load_failed')}\n\n{text}"))
        note.add_class("-error")
        note.display = True
        for bar in self.query("#rollup-progress"):
            bar.display = False

    def action_open(self) -> None:
        """Enter: open the unit under the cursor."""
        index = self.table.current_index()
        if index is not None:
            self.post_message(OpenUnit(index))

    def on_input_changed(self, event: Input.Changed) -> None:
        """Filter as the official types."""
        self.table.set_query(event.value)
