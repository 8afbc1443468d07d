"""Slow-client defences: the guarded h11 protocol, connection limit and rate-limited log."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
import struct
import time
from collections.abc import Callable, Iterable
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from chitieu_tui.remote.server.problems import _log_text, log

HEAD_TIMEOUT = 10.0
"""Seconds a client may take to send its request head (after connecting or a response)."""
STALL_TIMEOUT = 10.0
"""Seconds a response may wait with no byte read by the client before its connection is dropped."""
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


class _Counted:
    """A transport that counts the bytes given to `write`, so the guard can tell a response
    the client is reading (bytes leave the buffer) from one it never reads."""

    __slots__ = ("_inner", "_on_write", "written")

    def __init__(self, inner: asyncio.Transport, on_write: Callable[[], None]) -> None:
        self._inner = inner
        self._on_write = on_write
        self.written = 0

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.written += len(data)
        self._inner.write(data)
        self._on_write()

    def writelines(self, lines: Iterable[bytes | bytearray | memoryview]) -> None:
        for data in lines:
            self.write(data)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def _drop(transport: asyncio.BaseTransport) -> None:
    """Close a connection at once, its unsent output discarded: a reset (SO_LINGER 0), so
    neither this process nor the kernel keeps the answers of a client that never reads."""
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


def _close(transport: asyncio.WriteTransport) -> None:
    """Close a connection now: politely (FIN) when nothing waits to be sent, else `_drop`."""
    if transport.get_write_buffer_size():
        _drop(transport)
    else:
        transport.close()


def guarded_protocol(
    max_connections: int,
    head_timeout: float = HEAD_TIMEOUT,
    stall_timeout: float = STALL_TIMEOUT,
) -> type:
    """uvicorn's h11 protocol with a limit on open connections, on the time a client may take
    to send its request head and on the time a response may wait for a client that reads
    nothing.

    - A response none of whose bytes leave the buffer for `stall_timeout` seconds (the client
      sends requests and never reads the answers) has its connection dropped, the buffer with it.
    - Above `max_connections` the connections that hold the server up go first: the stalled
      ones (output waiting, no byte read since the guard last looked), the longest waiting
      first; then the idle ones (no request under way), the oldest first; then those busy
      with a request sent before the previous answer was read. The newcomer is closed only
      when none of them is left, so clients that read slowly or not at all cannot use up the
      open files and stop the server answering others.
    """

    class Guarded(H11Protocol):  # type: ignore[misc]
        _timer: asyncio.TimerHandle | None = None
        _since: float = 0.0
        _watch: asyncio.TimerHandle | None = None
        _waiting: float | None = None
        """Since when output has waited without a byte sent (None: nothing waits)."""
        _mark: int = 0
        """Bytes sent at the last look."""

        def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
            super().connection_made(_Counted(transport, self._wrote))
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

        def _look(self) -> float | None:
            """Seconds the output has waited with no byte sent; None when nothing waits."""
            now = self.loop.time()
            pending = self.transport.get_write_buffer_size()
            if pending == 0:
                self._waiting = None
                return None
            sent = self.transport.written - pending
            if self._waiting is None or sent != self._mark:
                self._waiting, self._mark = now, sent
            return now - self._waiting

        def _wrote(self) -> None:
            if self._watch is None and self._look() is not None:
                self._watch = self.loop.call_later(stall_timeout, self._stalled)

        def _stalled(self) -> None:
            self._watch = None
            waited = self._look()
            if waited is None:
                return
            if waited < stall_timeout:
                self._watch = self.loop.call_later(stall_timeout - waited, self._stalled)
                return
            _drop(self.transport)
            log.warning(
                _log_text("server.log.stalled", seconds=f"{stall_timeout:g}"),
                extra={"rate_key": "stalled"},
            )

        def _evict(self) -> None:
            excess = len(self.connections) - max_connections
            if excess <= 0:
                return
            ranked: list[tuple[int, float, Guarded]] = []
            for conn in self.connections:
                if conn is self or not isinstance(conn, Guarded):
                    continue
                waited = conn._look()
                if waited is not None and (waited > 0 or conn.transport.is_closing()):
                    ranked.append((0, -waited, conn))  # stalled: the longest waiting first
                elif waited is None and conn._idle():
                    ranked.append((1, conn._since, conn))  # idle: the oldest first
                elif conn.flow.read_paused:
                    # busy, with the next request sent before this answer was read
                    ranked.append((2, conn._since, conn))
            ranked.sort(key=lambda item: item[:2])
            victims = [conn for _, _, conn in ranked[:excess]]
            for conn in victims:
                _close(conn.transport)
            if excess > len(victims):
                _close(self.transport)
            log.warning(
                _log_text("server.log.evicted", count=len(self.connections)),
                extra={"rate_key": "evicted"},
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
            for timer in (self._timer, self._watch):
                if timer is not None:
                    timer.cancel()
            self._timer = self._watch = None
            super().connection_lost(exc)

    return Guarded
