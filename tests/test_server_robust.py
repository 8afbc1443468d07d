"""The API server under stress: stuck files, caching, symlinks, languages (real uvicorn)."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hostile_server import UvicornThread, make_ward

from chitieu_tui.core import datadir
from chitieu_tui.remote.server import create_app, request_lang

pytestmark = pytest.mark.timeout(60)
API = "/api/v1"


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as client:
        yield client


@pytest.fixture
def district(tmp_path: Path) -> Path:
    """Two wards: my-thoi in ward-a, an-phu in ward-b."""
    root = tmp_path / "district"
    root.mkdir()
    make_ward(root / "ward-a", "my-thoi")
    make_ward(root / "ward-b", "an-phu", name="Phường An Phú")
    return root


def serve_fast(root: Path, servers: list[UvicornThread], bound: float = 0.5) -> UvicornThread:
    """The app with a short read bound, started on 127.0.0.1."""
    server = UvicornThread(create_app(root, read_bound=bound)).start()
    servers.append(server)
    return server


@pytest.fixture
def servers() -> Iterator[list[UvicornThread]]:
    started: list[UvicornThread] = []
    yield started
    for server in started:
        server.stop()


def problem(resp: httpx.Response, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    doc: dict[str, Any] = resp.json()
    assert doc["status"] == status
    return doc


def test_a_blocking_read_answers_503_while_other_units_answer(
    district: Path, servers: list[UvicornThread], http: httpx.Client, monkeypatch
) -> None:
    release = threading.Event()
    real = datadir.load_progress

    def stuck(path: Path, *args: Any, **kwargs: Any) -> Any:
        if "ward-a" in str(path):
            release.wait(30)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(datadir, "load_progress", stuck)
    srv = serve_fast(district, servers)
    try:
        resp = http.get(srv.url + API + "/units/my-thoi/progress/2026-Q1")
        doc = problem(resp, 503)
        assert "progress/2026-Q1.toml" in doc["detail"] and "my-thoi" in doc["detail"]
        assert str(district) not in resp.text
        # while that read is stuck, the other unit answers, and the stuck one 503s at once
        with httpx.Client(timeout=1) as quick:
            assert quick.get(srv.url + API + "/units/an-phu/progress/2026-Q1").status_code == 200
            assert quick.get(srv.url + API + "/units").status_code == 200
            problem(quick.get(srv.url + API + "/units/my-thoi/progress/2026-Q1"), 503)
            problem(quick.get(srv.url + API + "/units/my-thoi/periods"), 503)
    finally:
        release.set()


def test_a_fifo_progress_file_does_not_stop_the_server(
    district: Path, servers: list[UvicornThread], http: httpx.Client
) -> None:
    fifo = district / "ward-a" / "progress" / "2026-Q1.toml"
    fifo.unlink()
    os.mkfifo(fifo)
    srv = serve_fast(district, servers)
    try:
        resp = http.get(srv.url + API + "/units/my-thoi/progress/2026-Q1")
        doc = problem(resp, resp.status_code)
        assert resp.status_code in (500, 503)  # 500 once the core refuses non-regular files
        assert "progress/2026-Q1.toml" in doc["detail"]
        with httpx.Client(timeout=1) as quick:
            assert quick.get(srv.url + API + "/units/an-phu/progress/2026-Q1").status_code == 200
            assert quick.get(srv.url + API + "/units/my-thoi/progress/2025-Q4").status_code in (
                200,
                503,
            )
    finally:
        try:  # let a reader blocked on the FIFO go
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            os.close(fd)
        except OSError:
            pass


def test_wards_added_later_appear_and_etags_hold(
    district: Path, servers: list[UvicornThread], http: httpx.Client
) -> None:
    srv = serve_fast(district, servers, bound=5)
    url = srv.url + API + "/units/an-phu/progress/2026-Q1"
    first = http.get(url)
    assert first.status_code == 200
    assert http.get(url, headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    # an empty folder first (a copy in progress), its files later: the root does not change
    (district / "ward-c").mkdir()
    assert http.get(srv.url + API + "/units/xa-moi").status_code == 404
    make_ward(district / "tmp-copy", "xa-moi", name="Xã Mới")
    for item in (district / "tmp-copy").iterdir():
        item.rename(district / "ward-c" / item.name)
    (district / "tmp-copy").rmdir()
    assert http.get(srv.url + API + "/units/xa-moi").json()["unit"]["name"] == "Xã Mới"
    ids = [u["id"] for u in http.get(srv.url + API + "/units").json()]
    assert ids == ["my-thoi", "an-phu", "xa-moi"]
    assert http.get(url, headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    # a ward whose id changes is found under its new id only
    path = district / "ward-b" / "chitieu.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('"an-phu"', '"an-phu-2"'))
    assert http.get(srv.url + API + "/units/an-phu-2").status_code == 200
    assert http.get(srv.url + API + "/units/an-phu").status_code == 404


def test_symlinks_out_of_the_root_are_not_served(
    district: Path, tmp_path: Path, servers: list[UvicornThread], http: httpx.Client
) -> None:
    outside = make_ward(tmp_path / "outside", "ngoai", name="Ngoài")
    secret = tmp_path / "secret.toml"
    secret.write_text('schema = 1\nunit = "an-phu"\nperiod = "2026-Q2"\n[values]\nbhyt = 1.0\n')
    (district / "ward-link").symlink_to(outside, target_is_directory=True)
    inside = make_ward(district / "ward-c", "xa-c")
    (inside / "chitieu.toml").unlink()
    (inside / "chitieu.toml").symlink_to(outside / "chitieu.toml")
    (district / "ward-b" / "progress" / "2026-Q2.toml").symlink_to(secret)
    # a symlink that stays inside the root is fine
    (district / "ward-b" / "progress" / "2026-Q3.toml").symlink_to(
        district / "ward-b" / "progress" / "2026-Q1.toml"
    )
    srv = serve_fast(district, servers, bound=5)
    ids = [u["id"] for u in http.get(srv.url + API + "/units").json()]
    assert ids == ["my-thoi", "an-phu"]
    problem(http.get(srv.url + API + "/units/ngoai"), 404)
    problem(http.get(srv.url + API + "/units/ward-link"), 404)
    problem(http.get(srv.url + API + "/units/xa-c"), 404)
    problem(http.get(srv.url + API + "/units/ward-c"), 404)
    resp = http.get(srv.url + API + "/units/an-phu/progress/2026-Q2")
    problem(resp, 404)
    assert "bhyt" not in resp.text
    periods = http.get(srv.url + API + "/units/an-phu/periods").json()["periods"]
    assert "2026-Q2" not in periods and "2026-Q3" in periods


def test_a_single_folder_whose_progress_links_out(
    ward: Path, tmp_path: Path, servers: list[UvicornThread], http: httpx.Client
) -> None:
    elsewhere = tmp_path / "elsewhere"
    (ward / "progress").rename(elsewhere)
    (ward / "progress").symlink_to(elsewhere, target_is_directory=True)
    srv = serve_fast(ward, servers, bound=5)
    assert http.get(srv.url + API + "/units/my-thoi").status_code == 200
    assert http.get(srv.url + API + "/units/my-thoi/periods").json()["periods"] == []
    problem(http.get(srv.url + API + "/units/my-thoi/progress/2026-Q1"), 404)


def test_a_broken_file_is_named_but_never_quoted(
    ward: Path, servers: list[UvicornThread], http: httpx.Client
) -> None:
    path = ward / "progress" / "2026-Q1.toml"
    path.write_text(
        'schema = 1\nunit = "my-thoi"\nperiod = "2026-Q1"\n[values]\n'
        "bhyt = MẬT-KHẨU-BÍ-MẬT-12345\n",
        encoding="utf-8",
    )
    srv = serve_fast(ward, servers, bound=5)
    resp = http.get(srv.url + API + "/units/my-thoi/progress/2026-Q1")
    doc = problem(resp, 500)
    assert "progress/2026-Q1.toml:5" in doc["detail"]
    assert "MẬT" not in resp.text and "12345" not in resp.text


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        (None, "en"),
        ("vi", "vi"),
        ("vi-VN,vi;q=0.9,en;q=0.8", "vi"),
        ("en-US,en;q=0.9", "en"),
        ("fr-FR, vi;q=0.5, en;q=0.4", "vi"),
        ("vi;q=0.2, en", "en"),
        ("vi;q=0", "en"),
        ("*", "en"),
    ],
)
def test_request_lang(header: str | None, lang: str) -> None:
    assert request_lang(header) == lang


def test_problems_in_the_readers_language(
    ward: Path, servers: list[UvicornThread], http: httpx.Client
) -> None:
    srv = serve_fast(ward, servers, bound=5)
    url = srv.url + API + "/units/nowhere"
    en = problem(http.get(url), 404)
    assert en["title"] == "Not Found" and en["detail"] == 'unknown unit "nowhere"'
    vi = problem(http.get(url, headers={"Accept-Language": "vi-VN,vi;q=0.9"}), 404)
    assert vi["title"] == "Không tìm thấy" and vi["detail"] == 'không có đơn vị "nowhere"'
    bad = problem(
        http.get(
            srv.url + API + "/units/my-thoi/progress/2026-Q9", headers={"Accept-Language": "vi"}
        ),
        400,
    )
    assert bad["detail"].startswith("kỳ phải có dạng 2026-Q1")
    post = problem(http.post(srv.url + API + "/units", headers={"Accept-Language": "vi"}), 405)
    assert post["detail"] == "API này chỉ để đọc: hãy dùng GET"


def test_token_problem_in_vietnamese(ward: Path, http: httpx.Client) -> None:
    server = UvicornThread(create_app(ward, token="t0ken")).start()
    try:
        resp = http.get(server.url + API + "/units", headers={"Accept-Language": "vi"})
        doc = problem(resp, 401)
        assert doc["title"] == "Chưa xác thực" and "mã truy cập" in doc["detail"]
    finally:
        server.stop()


def test_a_client_slow_to_send_its_request_head_is_cut_off(ward: Path) -> None:
    import socket

    from chitieu_tui.remote.server import guarded_protocol

    app = create_app(ward)
    server = UvicornThread(app, http=guarded_protocol(100, head_timeout=0.3)).start()
    try:
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as slow:
            slow.sendall(b"GET /api/v1/units HTTP/1.1\r\nHost: x\r\n")
            assert slow.recv(100) == b""  # closed by the server, with nothing sent
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as idle:
            idle.sendall(b"GET /api/v1/units HTTP/1.1\r\nHost: x\r\n\r\n")
            assert idle.recv(100).startswith(b"HTTP/1.1 200")
        with httpx.Client(timeout=5) as client:  # a client that sends its head at once is served
            assert client.get(server.url + API + "/units").status_code == 200
    finally:
        server.stop()


def test_above_the_connection_limit_the_oldest_idle_ones_are_closed(ward: Path) -> None:
    import socket

    from chitieu_tui.remote.server import guarded_protocol

    server = UvicornThread(create_app(ward), http=guarded_protocol(5, head_timeout=30)).start()
    idle = [socket.create_connection(("127.0.0.1", server.port), timeout=5) for _ in range(8)]
    try:
        with httpx.Client(timeout=5) as client:
            assert client.get(server.url + API + "/units").status_code == 200
        assert idle[0].recv(100) == b""  # the oldest was closed to make room
    finally:
        for sock in idle:
            sock.close()
        server.stop()
