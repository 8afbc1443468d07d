"""The server's accounts (users.toml, re-read when it changes) and its failed sign-ins."""

from __future__ import annotations

import math
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from pathlib import Path

from chitieu_tui.core.errors import ChitieuError
from chitieu_tui.core.users import Users, load_users
from chitieu_tui.i18n import Msg
from chitieu_tui.remote.server.problems import _LOG_LANG, Problem, _log_text, log

FAIL_LIMIT = 20
"""Failed sign-ins (a token presented and not valid) an address may make in FAIL_WINDOW."""
FAIL_WINDOW = 60.0
BLOCK_SECONDS = 60.0
"""How long an address that reached FAIL_LIMIT is answered 429."""
MAX_ADDRESSES = 10_000
"""Addresses remembered at once (the oldest forgotten first): a flood cannot fill memory."""


def _stamp(path: Path) -> tuple[int, ...] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_mtime_ns, st.st_ctime_ns, st.st_size, st.st_ino, st.st_dev


class Accounts:
    """users.toml as the server sees it: read again whenever its `stat` changes (a file
    replaced by `chitieu user`, or edited), so a removed account is refused at its next
    request. A file gone or broken while serving lets nobody in (503) until it is fixed:
    the server never falls back to serving without accounts."""

    def __init__(self, path: Path, shown: str | None = None) -> None:
        self.path = path
        self.shown = shown or path.name
        self._lock = threading.Lock()
        self._stamp: tuple[int, ...] | None = None
        self._users: Users | None = None
        self._error: str | None = None

    def load(self) -> Users:
        """Read the file now (at start): a ChitieuError naming file:line:col when broken."""
        stamp = _stamp(self.path)
        users = load_users(self.path, self.shown)
        with self._lock:
            self._stamp, self._users, self._error = stamp, users, None
        return users

    def current(self) -> Users:
        """The accounts now (a `stat`, and a read when it changed); a 503 problem when the
        file is gone or broken (logged once per change)."""
        stamp = _stamp(self.path)
        with self._lock:
            if stamp is not None and stamp == self._stamp:
                if self._users is not None:
                    return self._users
                raise Problem(503, Msg("err.server.users_unavailable"))
            self._stamp = stamp
            self._users = None
            if stamp is None:
                log.error(_log_text("server.log.users_missing", file=self.shown))
                raise Problem(503, Msg("err.server.users_unavailable"))
            try:
                self._users = load_users(self.path, self.shown)
            except ChitieuError as exc:
                log.error(
                    _log_text(
                        "server.log.users_broken", file=self.shown, error=exc.render(_LOG_LANG[0])
                    )
                )
                raise Problem(503, Msg("err.server.users_unavailable")) from None
            log.info(
                _log_text("server.log.users_loaded", file=self.shown, count=len(self._users.users))
            )
            return self._users


class Failures:
    """Failed sign-ins per client address: FAIL_LIMIT within FAIL_WINDOW seconds blocks the
    address (429) for BLOCK_SECONDS; other addresses are not affected. Runs on the event loop."""

    def __init__(
        self,
        limit: int = FAIL_LIMIT,
        window: float = FAIL_WINDOW,
        block: float = BLOCK_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limit = limit
        self.window = window
        self.block = block
        self.clock = clock
        self._seen: dict[str, deque[float]] = {}
        self._until: dict[str, float] = {}

    def blocked(self, address: str) -> int | None:
        """Whole seconds the address stays blocked, or None when it is not."""
        until = self._until.get(address)
        if until is None:
            return None
        left = until - self.clock()
        if left <= 0:
            del self._until[address]
            return None
        return max(1, math.ceil(left))

    def fail(self, address: str) -> bool:
        """Count a failed sign-in; True when the address is blocked by this one."""
        now = self.clock()
        seen = self._seen.pop(address, None) or deque()
        self._seen[address] = seen  # last used last: the oldest is forgotten first
        while seen and now - seen[0] > self.window:
            seen.popleft()
        seen.append(now)
        while len(self._seen) > MAX_ADDRESSES:
            self._seen.pop(next(iter(self._seen)))
        if len(seen) < self.limit:
            return False
        seen.clear()
        self._until[address] = now + self.block
        while len(self._until) > MAX_ADDRESSES:
            self._until.pop(next(iter(self._until)))
        log.warning(
            _log_text(
                "server.log.blocked",
                address=address,
                count=self.limit,
                seconds=f"{self.block:g}",
            ),
            extra={"rate_key": f"blocked:{address}"},
        )
        return True
