"""Test servers on 127.0.0.1: the real app under uvicorn in a thread, and a misbehaving one."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import socket
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import uvicorn

from chitieu_tui.core.datadir import BUNDLED, DataDir
from chitieu_tui.remote.wire import definitions_to_json, progress_to_json


def make_ward(dest: Path, unit_id: str = "my-thoi", name: str | None = None) -> Path:
    """A copy of the bundled sample at `dest`, optionally with another unit id and name."""
    shutil.copytree(BUNDLED, dest)
    if unit_id != "my-thoi" or name:
        files = [dest / "chitieu.toml", *(dest / "progress").glob("*.toml")]
        for path in [*files, *(dest / "years").glob("*.toml")]:
            text = path.read_text(encoding="utf-8")
            text = text.replace('id = "my-thoi"', f'id = "{unit_id}"')
            text = text.replace('unit = "my-thoi"', f'unit = "{unit_id}"')
            if name:
                text = text.replace('name = "Phường Mỹ Thới"', f'name = "{name}"')
            path.write_text(text, encoding="utf-8")
    return dest


def touch_write(path: Path, text: str) -> None:
    """Rewrite a file and move its mtime forward, so a cache on mtime+size sees it."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    later = max(before + 1_000_000_000, time.time_ns())
    os.utime(path, ns=(later, later))


class UvicornThread:
    """Run an ASGI app under uvicorn on 127.0.0.1, port 0 (or `port=`), in a thread."""

    def __init__(self, app: Any, **options: Any) -> None:
        settings: dict[str, Any] = {"host": "127.0.0.1", "port": 0, "log_level": "warning"}
        config = uvicorn.Config(app, lifespan="off", **{**settings, **options})
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.port = 0

    @property
    def url(self) -> str:
        """`http://127.0.0.1:<port>`."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> UvicornThread:
        """Start and wait until it listens."""
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.01)
        self.port = self.server.servers[0].sockets[0].getsockname()[1]
        return self

    def stop(self) -> None:
        """Stop and wait for the thread."""
        self.server.should_exit = True
        self.thread.join(timeout=10)


def free_port() -> int:
    """A port on 127.0.0.1 where nothing listens (connection refused)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def good_documents(root: Path = BUNDLED) -> dict[str, Any]:
    """The JSON documents a correct server sends for the data folder `root`, by path."""
    data = DataDir(root)
    defs = data.definitions()
    base = f"/api/v1/units/{defs.unit.id}"
    docs: dict[str, Any] = {
        "/api/v1/units": [{"id": defs.unit.id, "name": defs.unit.name}],
        base: definitions_to_json(defs),
        base + "/periods": {"unit": defs.unit.id, "periods": [str(p) for p in data.periods()]},
    }
    for period in data.periods():
        prog = data.progress(period, defs)
        assert prog is not None
        docs[f"{base}/progress/{period}"] = progress_to_json(prog)
    return docs


@dataclass
class Request:
    """One request the hostile server received."""

    method: str
    path: str
    headers: dict[str, str]


@dataclass
class HostileServer:
    """A small raw-asyncio HTTP server whose behaviour is switched by `mode`.

    Modes: ok, trickle, huge, huge_declared, html, truncated, cut, wrong_shape, error500, unauthorized,
    busy429 (429 with Retry-After for the first `busy_count` requests, then ok), drop,
    redirect_away, redirect_same, hostile_text, gzip (a good body, gzip-compressed), bomb (1 GB
    of zeros, gzip), bomb2 (that, gzip-compressed again: `gzip, gzip`, 1,827 bytes), br (a
    body labelled `br`). `handler`, when set, overrides the mode.
    """

    mode: str = "ok"
    documents: dict[str, Any] = field(default_factory=good_documents)
    busy_count: int = 1
    retry_after: str = "1"
    trickle_interval: float = 0.05
    handler: Callable[[Request], Any] | None = None
    requests: list[Request] = field(default_factory=list)
    port: int = 0
    _loop: asyncio.AbstractEventLoop | None = None
    _thread: threading.Thread | None = None
    _server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        """`http://127.0.0.1:<port>`."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> HostileServer:
        """Listen on 127.0.0.1, port 0, in a thread."""
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self._loop = loop
            self._server = loop.run_until_complete(
                asyncio.start_server(self._serve, "127.0.0.1", 0)
            )
            self.port = self._server.sockets[0].getsockname()[1]
            ready.set()
            loop.run_forever()
            self._server.close()
            loop.run_until_complete(self._server.wait_closed())
            pending = asyncio.all_tasks(loop)
            for task in pending:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            loop.close()

        self._thread = threading.Thread(target=run, daemon=True)
        self._thread.start()
        ready.wait(10)
        return self

    def stop(self) -> None:
        """Stop listening and close every connection."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread is not None:
            self._thread.join(timeout=10)

    def count(self, path_end: str = "") -> int:
        """How many requests ended with `path_end`."""
        return sum(1 for r in self.requests if r.path.endswith(path_end))

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 5)
        except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError):
            writer.close()
            return
        lines = head.decode("latin-1").split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            if ":" in line:
                k, v = line.split(":", 1)
                headers[k.strip().lower()] = v.strip()
        req = Request(method, path, headers)
        self.requests.append(req)
        try:
            if self.handler is not None:
                await self.handler_reply(writer, req)
            else:
                await getattr(self, f"_mode_{self.mode}")(writer, req)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            try:
                writer.close()
            except Exception:  # noqa: BLE001
                pass

    async def handler_reply(self, writer: asyncio.StreamWriter, req: Request) -> None:
        """Send what `handler` returns: (status, headers, body)."""
        assert self.handler is not None
        status, headers, body = self.handler(req)
        await _send(writer, status, headers, body)

    def _good(self, req: Request) -> tuple[int, dict[str, str], bytes]:
        doc = self.documents.get(req.path)
        if doc is None:
            body = json.dumps({"type": "about:blank", "title": "Not Found", "status": 404})
            return 404, {"Content-Type": "application/problem+json"}, body.encode()
        body = json.dumps(doc, ensure_ascii=False).encode("utf-8")
        etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
        if req.headers.get("if-none-match") == etag:
            return 304, {"ETag": etag}, b""
        return 200, {"Content-Type": "application/json", "ETag": etag}, body

    async def _mode_ok(self, writer: asyncio.StreamWriter, req: Request) -> None:
        await _send(writer, *self._good(req))

    async def _mode_hostile_text(self, writer: asyncio.StreamWriter, req: Request) -> None:
        evil = "\x1b]52;c;ZXZpbA==\x07\x1b[2J\u009b31m[@click=app.quit]x[/]"
        doc = self.documents.get(req.path)
        text = json.dumps(doc, ensure_ascii=False)
        text = text.replace("Phường Mỹ Thới", "Phường" + json.dumps(evil)[1:-1])
        text = text.replace("còn 193", "còn" + json.dumps(evil)[1:-1])
        status = 200 if doc is not None else 404
        await _send(writer, status, {"Content-Type": "application/json"}, text.encode("utf-8"))

    async def _mode_trickle(self, writer: asyncio.StreamWriter, req: Request) -> None:
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Content-Length: 100000\r\nConnection: close\r\n\r\n"
        )
        await writer.drain()
        while True:
            writer.write(b" ")
            await writer.drain()
            await asyncio.sleep(self.trickle_interval)

    async def _mode_huge(self, writer: asyncio.StreamWriter, req: Request) -> None:
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n"
        )
        writer.write(b"[")
        chunk = b"1," * 32768
        for _ in range(200):  # about 12 MiB
            writer.write(chunk)
            await writer.drain()
        writer.write(b"1]")
        await writer.drain()

    async def _mode_huge_declared(self, writer: asyncio.StreamWriter, req: Request) -> None:
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000000000\r\nConnection: close\r\n\r\n["
        )
        await writer.drain()
        await asyncio.sleep(5)

    async def _mode_html(self, writer: asyncio.StreamWriter, req: Request) -> None:
        body = b"<!doctype html><html><body><h1>Welcome to nginx!</h1></body></html>"
        await _send(writer, 200, {"Content-Type": "text/html"}, body)

    async def _mode_truncated(self, writer: asyncio.StreamWriter, req: Request) -> None:
        status, headers, body = self._good(req)
        headers.pop("ETag", None)
        await _send(writer, status, headers, body[: len(body) // 2])

    async def _mode_cut(self, writer: asyncio.StreamWriter, req: Request) -> None:
        _, _, body = self._good(req)
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
            + body[: len(body) // 2]
        )
        await writer.drain()

    async def _mode_wrong_shape(self, writer: asyncio.StreamWriter, req: Request) -> None:
        body = json.dumps({"unit": 5, "groups": "no", "indicators": [1, 2]}).encode()
        if req.path.endswith("/periods"):
            body = json.dumps(["2026-Q1"]).encode()
        await _send(writer, 200, {"Content-Type": "application/json"}, body)

    async def _mode_error500(self, writer: asyncio.StreamWriter, req: Request) -> None:
        body = json.dumps(
            {
                "type": "about:blank",
                "title": "Internal Server Error",
                "status": 500,
                "detail": "database \x1b[31mexploded",
            }
        ).encode()
        await _send(writer, 500, {"Content-Type": "application/problem+json"}, body)

    async def _mode_unauthorized(self, writer: asyncio.StreamWriter, req: Request) -> None:
        body = b'{"type":"about:blank","title":"Unauthorized","status":401,"detail":"token"}'
        headers = {"Content-Type": "application/problem+json", "WWW-Authenticate": "Bearer"}
        await _send(writer, 401, headers, body)

    async def _mode_busy429(self, writer: asyncio.StreamWriter, req: Request) -> None:
        if self.busy_count > 0:
            self.busy_count -= 1
            await _send(writer, 429, {"Retry-After": self.retry_after}, b"slow down")
            return
        await _send(writer, *self._good(req))

    async def _mode_drop(self, writer: asyncio.StreamWriter, req: Request) -> None:
        return

    async def _mode_redirect_away(self, writer: asyncio.StreamWriter, req: Request) -> None:
        await _send(writer, 302, {"Location": "http://evil.invalid" + req.path}, b"")

    async def _mode_redirect_same(self, writer: asyncio.StreamWriter, req: Request) -> None:
        if req.path.startswith("/moved"):
            await _send(writer, 301, {"Location": req.path.removeprefix("/moved")}, b"")
            return
        await _send(writer, *self._good(req))

    async def _mode_gzip(self, writer: asyncio.StreamWriter, req: Request) -> None:
        status, headers, body = self._good(req)
        if status == 200:
            headers["Content-Encoding"] = "gzip"
            body = gzip_bytes(body)
        await _send(writer, status, headers, body)

    async def _mode_bomb(self, writer: asyncio.StreamWriter, req: Request) -> None:
        headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
        await _send(writer, 200, headers, gzip_bomb())

    async def _mode_bomb2(self, writer: asyncio.StreamWriter, req: Request) -> None:
        headers = {"Content-Type": "application/json", "Content-Encoding": "gzip, gzip"}
        await _send(writer, 200, headers, gzip_bytes(gzip_bomb()))

    async def _mode_br(self, writer: asyncio.StreamWriter, req: Request) -> None:
        status, headers, body = self._good(req)
        headers["Content-Encoding"] = "br"
        await _send(writer, status, headers, body)


def gzip_bytes(data: bytes) -> bytes:
    """`data` as one gzip member."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return packer.compress(data) + packer.flush()


@cache
def gzip_bomb(size: int = 1024 * 1024 * 1024) -> bytes:
    """`size` zero bytes (1 GB) gzip-compressed: about 1 MB on the wire."""
    packer = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = bytes(1024 * 1024)
    parts = [packer.compress(zeros) for _ in range(size // len(zeros))]
    return b"".join(parts) + packer.flush()


async def _send(
    writer: asyncio.StreamWriter, status: int, headers: dict[str, str], body: bytes
) -> None:
    from http import HTTPStatus

    head = f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\n"
    for k, v in {**headers, "Content-Length": str(len(body)), "Connection": "close"}.items():
        head += f"{k}: {v}\r\n"
    writer.write(head.encode("latin-1") + b"\r\n" + (b"" if status == 304 else body))
    await writer.drain()
