"""Slow-client defences: the guarded h11 protocol, connection limit and rate-limited log."""

from __future__ import annotations

import asyncio
import logging
import time

from uvicorn.protocols.http.h11_impl import H11Protocol

from chitieu_tui.remote.server.problems import _log_text, log

HEAD_TIMEOUT = 10.0
"""Seconds a client may take to send its request head (after connecting or a response)."""
BACKLOG = 32
"""Pending connections the kernel keeps; asyncio accepts up to this many in one burst."""
LOG_INTERVAL = 60.0
"""Repeated warnings of one kind (accept errors, evictions) are logged once per interval."""


class RateLimit(logging.Filter):
    """One line per condition per interval: repeats are dropped, tracebacks cut to one line."""

    def __init__(self, interval: float = LOG_INTERVAL) -> None:
        super().__init__()
        self.interval = interval
        self.last: dict[tuple[str, str], float] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        """Drop a WARNING or worse seen within the interval; shorten what passes."""
        if record.levelno < logging.WARNING:
            return True
        first = record.getMessage().split("\n", 1)[0]
        key = (record.name, getattr(record, "rate_key", None) or first)
        now = time.monotonic()
        if now - self.last.get(key, -self.interval - 1) < self.interval:
            return False
        self.last[key] = now
        if record.exc_info and record.exc_info[1] is not None:
            first = f"{first}: {record.exc_info[1]}"
        record.msg, record.args = first, None
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True


def connection_limit(backlog: int = BACKLOG) -> int:
    """How many connections to keep open: under the open-file limit by a margin for files,
    threads and one burst of `backlog` connections accepted before any is looked at."""
    try:
        # lazy: resource is POSIX-only; elsewhere the ImportError falls back below
        import resource

        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        if soft == resource.RLIM_INFINITY:
            soft = 4096
    except (ImportError, ValueError, OSError):
        soft = 1024
    spare = soft - 64 - backlog if soft >= 192 else soft // 3
    return max(8, min(1000, spare))


def guarded_protocol(max_connections: int, head_timeout: float = HEAD_TIMEOUT) -> type:
    """uvicorn's h11 protocol with a limit on open connections and on the time a client may
    take to send its request head: above the limit the oldest idle connections are closed,
    so slow clients cannot use up the open files and stop the server answering others."""

    class Guarded(H11Protocol):  # type: ignore[misc]
        _timer: asyncio.TimerHandle | None = None
        _since: float = 0.0

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self._arm()
            if len(self.connections) > max_connections:
                self._evict()

        def _arm(self) -> None:
            if self._timer is not None:
                self._timer.cancel()
            self._since = self.loop.time()
            self._timer = self.loop.call_later(head_timeout, self._expired)

        def _idle(self) -> bool:
            return self.cycle is None or self.cycle.response_complete

        def _expired(self) -> None:
            self._timer = None
            if self._idle() and not self.transport.is_closing():
                self.transport.close()

        def _evict(self) -> None:
            open_ = [c for c in self.connections if not c.transport.is_closing()]
            excess = len(open_) - max_connections
            if excess <= 0:
                return
            idle = [c for c in open_ if c is not self and isinstance(c, Guarded) and c._idle()]
            idle.sort(key=lambda c: c._since)
            for conn in idle[:excess]:
                conn.transport.close()
            if excess > len(idle):
                self.transport.close()
            log.warning(
                _log_text("server.log.evicted", count=len(open_)), extra={"rate_key": "evicted"}
            )

        def data_received(self, data: bytes) -> None:
            super().data_received(data)
            if not self._idle() and self._timer is not None:
                self._timer.cancel()
                self._timer = None

        def on_response_complete(self) -> None:
            super().on_response_complete()
            if not self.transport.is_closing():
                self._arm()

        def connection_lost(self, exc: Exception | None) -> None:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            super().connection_lost(exc)

    return Guarded
