"""`chitieu report|snapshot --api` and `chitieu serve`, end to end on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tomllib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hostile_server import UvicornThread, free_port, make_ward

from chitieu_tui.cli import main
from chitieu_tui.remote.server import create_app

pytestmark = pytest.mark.timeout(90)


@pytest.fixture
def server(ward: Path) -> Iterator[UvicornThread]:
    srv = UvicornThread(create_app(ward)).start()
    yield srv
    srv.stop()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["--lang", "en", *argv])  # this module reads the English messages
    out, err = capsys.readouterr()
    return code, out, err


def test_report_over_the_api_equals_the_file_report(capsys, server, ward: Path) -> None:
    for extra in ([], ["--period", "2025-Q3"]):
        code, remote, err = run(
            capsys, "report", "--api", server.url, "--unit", "my-thoi", "--format", "json", *extra
        )
        assert code == 0, err
        code, local, _ = run(capsys, "report", "--config", str(ward), "--format", "json", *extra)
        assert code == 0
        assert json.loads(remote) == json.loads(local)
    doc = json.loads(remote)
    assert doc["unit"] == "my-thoi"


def test_report_formats_over_the_api(capsys, server) -> None:
    for form in ("table", "markdown", "csv"):
        code, out, err = run(
            capsys, "report", "--api", server.url, "--unit", "my-thoi", "--format", form
        )
        assert code == 0, err
        assert "thu-ngan-sach" in out or "Thu ngân sách" in out or "Tổng thu" in out


def test_server_down_with_snapshot_prints_it_stale(capsys, server, xdg: Path) -> None:
    url = server.url
    code, first, _ = run(capsys, "report", "--api", url, "--unit", "my-thoi", "--format", "json")
    assert code == 0
    assert list((xdg / "chitieu-tui" / "my-thoi" / "snapshots" / "2026-Q1").glob("*.toml"))
    server.stop()
    code, out, err = run(capsys, "report", "--api", url, "--unit", "my-thoi", "--format", "json")
    assert code == 0, err
    assert json.loads(out) == json.loads(first)
    flat = " ".join(err.split())
    assert url in flat and "snapshot" in flat and "cannot connect" in flat
    assert "ago" in flat or "just now" in flat
    assert "Traceback" not in err


def test_a_broken_newer_snapshot_does_not_hide_older_ones(capsys, server, xdg: Path) -> None:
    url = server.url
    code, first, _ = run(capsys, "report", "--api", url, "--unit", "my-thoi", "--format", "json")
    assert code == 0
    junk = xdg / "chitieu-tui" / "my-thoi" / "snapshots" / "2099-Q1"
    junk.mkdir(parents=True)
    (junk / "20990101T000000Z.toml").write_text("schema = 1\n")
    server.stop()
    code, out, err = run(capsys, "report", "--api", url, "--unit", "my-thoi", "--format", "json")
    assert code == 0, err
    assert json.loads(out) == json.loads(first)


def test_a_refused_token_is_an_error_even_with_a_snapshot(capsys, ward: Path, start) -> None:
    open_server = start(ward)
    code, _, _ = run(capsys, "report", "--api", open_server.url, "--unit", "my-thoi")
    assert code == 0  # an offline copy now exists
    guarded = start(ward, token="s3cret")
    code, out, err = run(capsys, "report", "--api", guarded.url, "--unit", "my-thoi")
    assert code == 1
    assert out == ""
    assert "CHITIEU_API_TOKEN" in err and "401" in err


def test_server_down_without_snapshot_fails_naming_the_url(capsys) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    code, out, err = run(capsys, "report", "--api", url, "--unit", "my-thoi", "--format", "json")
    assert code == 1
    assert out == ""
    flat = "".join(err.split())
    assert "".join(url.split()) in flat and "cannotconnect" in flat
    assert "Traceback" not in err


def test_snapshot_over_the_api(capsys, server, xdg: Path, tmp_path: Path) -> None:
    code, out, err = run(capsys, "snapshot", "--api", server.url, "--unit", "my-thoi")
    assert code == 0, err
    path = Path(out.strip())
    assert path.is_file() and str(path).startswith(str(xdg))
    doc = tomllib.loads(path.read_text(encoding="utf-8"))
    assert doc["source"] == f"api:{server.url}" and doc["summary"]["met"] == 8

    target = tmp_path / "elsewhere"
    code, out, _ = run(
        capsys, "snapshot", "--api", server.url, "--unit", "my-thoi", "--snapshots", str(target)
    )
    assert code == 0 and Path(out.strip()).parent.parent == target


def test_bad_api_usage_exits_2(capsys) -> None:
    code, _, err = run(capsys, "report", "--api", "ftp://x", "--unit", "my-thoi")
    assert code == 2 and "http" in err
    code, _, err = run(capsys, "report", "--api", "http://127.0.0.1:1", "--unit", "../x")
    assert code == 2


def _wait_up(url: str, headers: dict[str, str], proc: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"chitieu serve exited with {proc.returncode}")
        try:
            httpx.get(url, headers=headers, timeout=1)
            return
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError("chitieu serve did not start")


def test_chitieu_serve_command_never_logs_the_token(tmp_path: Path, xdg: Path) -> None:
    district = tmp_path / "district"
    district.mkdir()
    make_ward(district / "my-thoi")
    token = "tok-LOGCHECK-4242"
    port = free_port()
    env = {**os.environ, "CHITIEU_API_TOKEN": token, "XDG_DATA_HOME": str(xdg)}
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "chitieu_tui",
            "serve",
            "--config",
            str(district),
            "--port",
            str(port),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        auth = {"Authorization": f"Bearer {token}"}
        _wait_up(base + "/api/v1/units", auth, proc)
        assert httpx.get(base + "/api/v1/units", headers=auth).json()[0]["id"] == "my-thoi"
        bad = httpx.get(base + "/api/v1/units", headers={"Authorization": "Bearer x" + token})
        assert bad.status_code == 401
        report = subprocess.run(
            [
                sys.executable,
                "-m",
                "chitieu_tui",
                "report",
                "--api",
                base,
                "--unit",
                "my-thoi",
                "--format",
                "json",
            ],
            env=env,
            capture_output=True,
            text=True,
            timeout=40,
        )
        assert report.returncode == 0, report.stderr
        assert json.loads(report.stdout)["summary"]["met"] == 8
        assert token not in report.stdout + report.stderr
    finally:
        proc.terminate()
        try:
            logs, _ = proc.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            logs, _ = proc.communicate()
    assert "GET /api/v1/units" in logs
    assert token not in logs
    for snap in xdg.rglob("*.toml"):
        assert token not in snap.read_text(encoding="utf-8")
