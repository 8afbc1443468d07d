"""`chitieu serve` as a real process: slow clients under a low open-file limit, bad ports."""

from __future__ import annotations

import errno
import os
import re
import resource
import socket
import subprocess
import sys
import time
import tomllib
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


def _serve_on_port_0(
    root: Path, log: Path, *, stall: float, nofile: int = 128
) -> tuple[subprocess.Popen[str], int]:
    """`serve()` in its own process on 127.0.0.1 port 0 (any free port), with a low
    open-file limit and a short stall timeout; the port read from its log line."""
    code = (
        "import sys; from pathlib import Path; from chitieu_tui.remote.server import serve; "
        f"sys.exit(serve(Path({str(root)!r}), '127.0.0.1', 0, 'en', stall_timeout={stall}))"
    )

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, nofile))

    with log.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-c", code],
            env=_env(),
            stdout=subprocess.DEVNULL,
            stderr=err,
            text=True,
            preexec_fn=limit,
        )
    for _ in range(300):  # bounded: at most 30 s
        found = re.search(r"http://127\.0\.0\.1:(\d+)", log.read_text())
        if found:
            return proc, int(found.group(1))
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError(log.read_text())


def _reader_that_never_reads(port: int, requests: bytes) -> socket.socket:
    """A socket with a tiny receive buffer that sends `requests` and never reads."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 1024)
    sock.settimeout(5)
    sock.connect(("127.0.0.1", port))
    sock.sendall(requests)
    return sock


ATTACKERS = 150
"""Connections that never read: far above the 32 the server keeps with 96 open files."""


def _big_answers(ward: Path) -> str:
    """Give every value of the ward's newest quarter a long note (by hand, as a file may
    hold): its progress answer is then about 400 kB. Returns that route."""
    import tomli_w

    from chitieu_tui.core.datadir import DataDir

    data = DataDir(ward)
    unit = data.definitions().unit.id
    period = data.periods()[-1]
    path = ward / "progress" / f"{period}.toml"
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    values = doc["values"]
    for key, value in values.items():
        plain = value["value"] if isinstance(value, dict) else value
        values[key] = {"value": plain, "note": "x" * 20_000}
    path.write_bytes(tomli_w.dumps(doc).encode("utf-8"))
    return f"/api/v1/units/{unit}/progress/{period}"


def test_slow_readers_neither_silence_the_server_nor_hold_their_connections(
    ward: Path, tmp_path: Path
) -> None:
    """More connections than the server keeps open ask for big answers and never read
    them: the server keeps answering a normal client (the stalled ones are closed, oldest
    first, never the newcomer), and a connection whose answer waits unread longer than the
    stall timeout is dropped, with what it had not sent."""
    route = _big_answers(ward)
    log = tmp_path / "serve.log"
    proc, port = _serve_on_port_0(ward, log, stall=1.0, nofile=96)
    url = f"http://127.0.0.1:{port}"
    slow: list[socket.socket] = []
    try:
        assert len(httpx.get(url + route, timeout=10).content) > 300_000
        request = f"GET {route} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
        for _ in range(ATTACKERS):
            slow.append(_reader_that_never_reads(port, request * 10))
        statuses = []
        with httpx.Client(timeout=10) as client:
            for _ in range(30):  # a new connection each time; a reset raises
                resp = client.get(url + "/api/v1/units", headers={"Connection": "close"})
                statuses.append(resp.status_code)
        # answered every time: 200, or uvicorn's 503 while the dropped readers' requests end
        assert set(statuses) <= {200, 503} and 200 in statuses, statuses
        assert httpx.get(url + "/api/v1/units", timeout=10).status_code == 200
    finally:
        for sock in slow:
            sock.close()
        proc.terminate()
        proc.wait(10)
    text = log.read_text()
    assert "Traceback" not in text
    assert len(text.splitlines()) < 60, text[-3000:]


def test_a_reader_that_never_reads_is_dropped_after_the_stall_timeout(
    ward: Path, tmp_path: Path
) -> None:
    """A few connections, below every limit, ask for big answers and never read them: each
    is dropped with a reset once nothing left its buffer for the stall timeout, and the log
    says so; the server keeps answering."""
    route = _big_answers(ward)
    log = tmp_path / "serve.log"
    proc, port = _serve_on_port_0(ward, log, stall=1.0)
    url = f"http://127.0.0.1:{port}"
    slow: list[socket.socket] = []
    try:
        assert len(httpx.get(url + route, timeout=10).content) > 300_000
        request = f"GET {route} HTTP/1.1\r\nHost: x\r\n\r\n".encode()
        slow = [_reader_that_never_reads(port, request * 10) for _ in range(3)]
        for _ in range(600):  # bounded wait: at most about a minute on a loaded machine
            reset = sum(
                sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR) == errno.ECONNRESET
                for sock in slow
            )
            if reset and "read nothing of its answer" in log.read_text():
                break
            time.sleep(0.1)
        else:
            raise AssertionError(log.read_text()[-3000:])
        assert httpx.get(url + "/api/v1/units", timeout=10).status_code == 200
    finally:
        for sock in slow:
            sock.close()
        proc.terminate()
        proc.wait(10)
    assert "Traceback" not in log.read_text()


@pytest.mark.parametrize(
    ("token", "what"),
    [
        ("abc\n", "a line break at the end"),
        ("abc def", "a space or tab in the middle"),
        ("ab\x07c", "a control character in the middle"),
        (" abc", "a space or tab at the start"),
    ],
)
def test_serve_refuses_at_start_a_token_no_client_can_send(
    ward: Path, token: str, what: str
) -> None:
    env = {**_env(), "CHITIEU_API_TOKEN": token}
    proc = subprocess.run(
        [sys.executable, "-m", "chitieu_tui", "serve", "--config", str(ward), "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 2  # as the client refuses it: bad usage, nothing served
    assert f"CHITIEU_API_TOKEN contains {what}" in proc.stderr
    assert "abc" not in proc.stderr.replace("CHITIEU", "")  # the token is never shown
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.10"])
def test_serve_beyond_this_computer_without_a_token_needs_yes_public(ward: Path, host: str) -> None:
    env = {k: v for k, v in _env().items() if k != "CHITIEU_API_TOKEN"}
    proc = subprocess.run(
        [sys.executable, "-m", "chitieu_tui", "serve", "--config", str(ward), "--host", host],
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert proc.returncode == 2
    assert f"{host} opens the API beyond this computer without a token" in proc.stderr
    assert "--yes-public" in proc.stderr and "Traceback" not in proc.stderr


def test_serve_with_yes_public_listens_and_warns(ward: Path, tmp_path: Path) -> None:
    """--yes-public lets it listen beyond this computer (here every address, port 0)."""
    from chitieu_tui.remote.server import serve

    assert "yes_public" in serve.__kwdefaults__
    log = tmp_path / "serve.log"
    code = (
        "import sys; from pathlib import Path; from chitieu_tui.remote.server import serve; "
        f"sys.exit(serve(Path({str(ward)!r}), '0.0.0.0', 0, 'en', yes_public=True))"
    )
    env = {k: v for k, v in _env().items() if k != "CHITIEU_API_TOKEN"}
    with log.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-c", code], env=env, stdout=subprocess.DEVNULL, stderr=err
        )
    try:
        for _ in range(300):  # bounded: at most 30 s
            found = re.search(r"http://0\.0\.0\.0:(\d+)", log.read_text())
            if found or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert found, log.read_text()
        resp = httpx.get(f"http://127.0.0.1:{found.group(1)}/api/v1/units", timeout=10)
        assert resp.status_code == 200
        assert "listening on 0.0.0.0 without a token" in log.read_text()
    finally:
        proc.terminate()
        proc.wait(10)
