"""`chitieu serve` as a real process: slow clients under a low open-file limit, bad ports."""

from __future__ import annotations

import os
import resource
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hostile_server import free_port

import chitieu_tui

pytestmark = pytest.mark.timeout(60)
SRC = str(Path(chitieu_tui.__file__).resolve().parents[1])


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    env["CHITIEU_LANG"] = "en"
    return env


def _low_nofile() -> None:
    resource.setrlimit(resource.RLIMIT_NOFILE, (256, 256))


def _chitieu(*args: str, low_nofile: bool = False) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "chitieu_tui", *args],
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_low_nofile if low_nofile else None,
    )


@pytest.fixture
def served(ward: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`chitieu serve` with RLIMIT_NOFILE 256, listening on a free port."""
    port = free_port()
    proc = _chitieu("serve", "--config", str(ward), "--port", str(port), low_nofile=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 15
    while True:
        try:
            httpx.get(url + "/api/v1/units", timeout=1)
            break
        except httpx.TransportError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                raise RuntimeError(proc.communicate()[1]) from None
            time.sleep(0.1)
    yield proc, url
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_slow_clients_do_not_stop_the_server(served: tuple[subprocess.Popen[str], str]) -> None:
    proc, url = served
    port = int(url.rsplit(":", 1)[1])
    slow: list[socket.socket] = []
    try:
        for _ in range(300):
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            sock.sendall(b"GET /api/v1/units HTTP/1.1\r\nHost: x\r\n")  # never finished
            slow.append(sock)
        time.sleep(0.5)
        for sock in slow[::10]:
            sock.sendall(b"X-Slow: 1\r\n")
        resp = httpx.get(url + "/api/v1/units/my-thoi/progress/2026-Q1", timeout=5)
        assert resp.status_code in (200, 503)
        again = httpx.get(url + "/api/v1/units", timeout=5)
        assert again.status_code in (200, 503)
    finally:
        for sock in slow:
            sock.close()
    proc.terminate()
    _, err = proc.communicate(timeout=10)
    lines = err.splitlines()
    assert len(lines) < 50, err[-3000:]
    assert "Traceback" not in err


def test_port_out_of_range_is_usage(ward: Path) -> None:
    for bad in ("99999", "0", "http"):
        proc = _chitieu("serve", "--config", str(ward), "--port", bad)
        out, err = proc.communicate(timeout=30)
        assert proc.returncode == 2
        assert "1 to 65535" in err and bad in err
        assert "Traceback" not in err


def test_port_in_use_is_a_clear_error(ward: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        proc = _chitieu("serve", "--config", str(ward), "--port", str(port))
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 1
    assert f"127.0.0.1:{port}" in err and "in use" in err
    assert "Traceback" not in err
