"""`chitieu web`: textual-serve on 127.0.0.1 serves the dashboard's page; public hosts refused."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from chitieu_tui.cli import main
from chitieu_tui.web import is_loopback

SRC = str(Path(__file__).resolve().parents[1] / "src")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_loopback_hosts() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")


def test_a_public_host_is_refused_without_yes_public(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["web", "--host", "0.0.0.0", "--lang", "en"]) == 2
    assert "--yes-public" in capsys.readouterr().err


def test_web_serves_the_page(tmp_path: Path) -> None:
    pytest.importorskip("textual_serve")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "chitieu_tui", "web", "--host", "127.0.0.1", "--port", str(port)],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": SRC},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        body = ""
        for _ in range(200):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as reply:
                    assert reply.status == 200
                    body = reply.read().decode("utf-8")
                    break
            except OSError:
                if proc.poll() is not None:
                    break
                time.sleep(0.1)
        assert "textual" in body.lower() and "chitieu" in body, body[:500]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
