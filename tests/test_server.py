"""The API server (`chitieu serve`) under a real uvicorn on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hostile_server import free_port, make_ward, touch_write

from chitieu_tui.core.errors import DataError
from chitieu_tui.remote.server import serve

pytestmark = pytest.mark.timeout(60)
API = "/api/v1"


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=5) as client:
        yield client


def assert_problem(resp: httpx.Response, status: int) -> dict[str, object]:
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    doc = resp.json()
    assert set(doc) >= {"type", "title", "status", "detail"}
    assert doc["status"] == status
    assert isinstance(doc["detail"], str) and doc["detail"]
    return doc


def test_units_unit_and_progress_documents(start, ward: Path, http: httpx.Client) -> None:
    srv = start(ward)
    units = http.get(srv.url + API + "/units")
    assert units.status_code == 200
    assert units.json() == [{"id": "my-thoi", "name": "Phường Mỹ Thới"}]

    unit = http.get(srv.url + API + "/units/my-thoi").json()
    assert {"unit", "dashboard", "groups", "indicators"} <= set(unit)
    assert unit["unit"] == {"id": "my-thoi", "name": "Phường Mỹ Thới", "year": 2026}
    assert unit["dashboard"]["headline"][0] == "thu-ngan-sach"
    assert len(unit["indicators"]) == 20
    budget = next(i for i in unit["indicators"] if i["id"] == "thu-ngan-sach")
    assert budget["target"] == 232.73 and budget["kind"] == "cumulative"

    periods = http.get(srv.url + API + "/units/my-thoi/periods").json()
    assert periods == {
        "unit": "my-thoi",
        "periods": ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2026-Q1"],
    }

    prog = http.get(srv.url + API + "/units/my-thoi/progress/2026-Q1").json()
    assert prog["unit"] == "my-thoi" and prog["period"] == "2026-Q1"
    assert prog["as_of"] == "2026-03-31"
    assert prog["values"]["thu-ngan-sach"] == 32.0
    assert prog["values"]["so-tay-dien-tu"] is True
    assert prog["values"]["hoc-tap-nghi-quyet"] == {
        "value": 86.5,
        "note": "còn 193 đảng viên chưa học",
    }


def test_etag_on_every_200_and_304_on_match(start, ward: Path, http: httpx.Client) -> None:
    srv = start(ward)
    for path in [
        "/units",
        "/units/my-thoi",
        "/units/my-thoi/periods",
        "/units/my-thoi/progress/2026-Q1",
        "/openapi.json",
    ]:
        first = http.get(srv.url + API + path)
        assert first.status_code == 200
        etag = first.headers["etag"]
        assert etag.startswith('"') and etag.endswith('"')
        again = http.get(srv.url + API + path, headers={"If-None-Match": etag})
        assert again.status_code == 304 and again.content == b""
        assert again.headers["etag"] == etag
        listed = http.get(srv.url + API + path, headers={"If-None-Match": f'"x", W/{etag}'})
        assert listed.status_code == 304
        other = http.get(srv.url + API + path, headers={"If-None-Match": '"nope"'})
        assert other.status_code == 200 and other.content == first.content


def test_problem_details(start, ward: Path, http: httpx.Client) -> None:
    srv = start(ward)
    doc = assert_problem(http.get(srv.url + API + "/units/nowhere"), 404)
    assert "nowhere" in str(doc["detail"])
    assert_problem(http.get(srv.url + API + "/units/nowhere/progress/2026-Q1"), 404)
    doc = assert_problem(http.get(srv.url + API + "/units/my-thoi/progress/2026-Q3"), 404)
    assert "2026-Q3" in str(doc["detail"])
    doc = assert_problem(http.get(srv.url + API + "/units/my-thoi/progress/2026-Q5"), 400)
    assert "2026-Q1" in str(doc["detail"])
    assert_problem(http.get(srv.url + API + "/units/my-thoi/progress/Q1-2026"), 400)
    assert_problem(http.get(srv.url + "/nothing/here"), 404)
    resp = http.post(srv.url + API + "/units", json={})
    assert_problem(resp, 405)
    assert "GET" in resp.headers["allow"]


def test_bearer_token(start, ward: Path, http: httpx.Client) -> None:
    token = "s3cret-token-for-tests"
    srv = start(ward, token=token)
    for path in ["/units", "/units/my-thoi", "/openapi.json", "/units/nowhere"]:
        resp = http.get(srv.url + API + path)
        doc = assert_problem(resp, 401)
        assert resp.headers["www-authenticate"].startswith("Bearer")
        assert token not in resp.text
    wrong = http.get(srv.url + API + "/units", headers={"Authorization": "Bearer nope"})
    assert_problem(wrong, 401)
    assert 'error="invalid_token"' in wrong.headers["www-authenticate"]
    assert token not in wrong.text
    basic = http.get(srv.url + API + "/units", headers={"Authorization": f"Basic {token}"})
    assert_problem(basic, 401)
    good = http.get(srv.url + API + "/units", headers={"Authorization": f"Bearer {token}"})
    assert good.status_code == 200
    lower = http.get(srv.url + API + "/units", headers={"Authorization": f"bearer {token}"})
    assert lower.status_code == 200
    assert doc["title"] == "Unauthorized"


def test_token_from_environment(start, ward: Path, http: httpx.Client, monkeypatch) -> None:
    monkeypatch.setenv("CHITIEU_API_TOKEN", "from-env")
    srv = start(ward)
    assert http.get(srv.url + API + "/units").status_code == 401
    ok = http.get(srv.url + API + "/units", headers={"Authorization": "Bearer from-env"})
    assert ok.status_code == 200


def test_changed_file_gives_new_data_and_etag(start, ward: Path, http: httpx.Client) -> None:
    srv = start(ward)
    url = srv.url + API + "/units/my-thoi/progress/2026-Q1"
    first = http.get(url)
    etag = first.headers["etag"]
    path = ward / "progress" / "2026-Q1.toml"
    touch_write(
        path,
        path.read_text(encoding="utf-8").replace("thu-ngan-sach = 32.0", "thu-ngan-sach = 45.25"),
    )
    second = http.get(url, headers={"If-None-Match": etag})
    assert second.status_code == 200
    assert second.headers["etag"] != etag
    assert second.json()["values"]["thu-ngan-sach"] == 45.25

    new_period = ward / "progress" / "2026-Q2.toml"
    touch_write(
        new_period, 'schema = 1\nunit = "my-thoi"\nperiod = "2026-Q2"\n[values]\nbhyt = 91.0\n'
    )
    periods = http.get(srv.url + API + "/units/my-thoi/periods").json()["periods"]
    assert periods[-1] == "2026-Q2"
    q2 = http.get(srv.url + API + "/units/my-thoi/progress/2026-Q2").json()
    assert q2["as_of"] is None and q2["values"] == {"bhyt": 91.0}


def test_broken_file_is_500_without_server_paths(start, tmp_path: Path, http: httpx.Client) -> None:
    district = tmp_path / "district"
    district.mkdir()
    broken = make_ward(district / "ward-a", "my-thoi")
    make_ward(district / "ward-b", "an-phu", name="Phường An Phú")
    srv = start(district)
    assert http.get(srv.url + API + "/units/my-thoi/progress/2026-Q1").status_code == 200
    touch_write(
        broken / "progress" / "2026-Q1.toml",
        'schema = 1\nunit = "my-thoi"\nperiod = = 1\n[values]\n',
    )

    resp = http.get(srv.url + API + "/units/my-thoi/progress/2026-Q1")
    doc = assert_problem(resp, 500)
    detail = str(doc["detail"])
    assert "progress/2026-Q1.toml:3" in detail
    assert str(tmp_path) not in resp.text and str(tmp_path.resolve()) not in resp.text
    assert "/tmp" not in resp.text and "Traceback" not in resp.text
    # the same unit's other periods and the other ward keep working
    assert http.get(srv.url + API + "/units/my-thoi/progress/2025-Q4").status_code == 200
    assert http.get(srv.url + API + "/units/my-thoi").status_code == 200
    other = http.get(srv.url + API + "/units/an-phu/progress/2026-Q1")
    assert other.status_code == 200 and other.json()["unit"] == "an-phu"

    # a broken chitieu.toml: that ward answers 500 by folder name; the other is unaffected
    touch_write(broken / "chitieu.toml", "schema = 1\n[unit\n")
    units = http.get(srv.url + API + "/units").json()
    assert units == [{"id": "an-phu", "name": "Phường An Phú"}]
    resp = http.get(srv.url + API + "/units/ward-a")
    doc = assert_problem(resp, 500)
    assert "chitieu.toml:2" in str(doc["detail"])
    assert str(tmp_path) not in resp.text
    assert http.get(srv.url + API + "/units/an-phu").status_code == 200


def test_invalid_values_are_500_naming_the_file(start, ward: Path, http: httpx.Client) -> None:
    srv = start(ward)
    path = ward / "progress" / "2026-Q1.toml"
    text = path.read_text(encoding="utf-8").replace("bhyt = 90.0", 'bhyt = "chín mươi"')
    touch_write(path, text)
    line = text.splitlines().index('bhyt = "chín mươi"') + 1
    doc = assert_problem(http.get(srv.url + API + "/units/my-thoi/progress/2026-Q1"), 500)
    assert f"progress/2026-Q1.toml:{line}" in str(doc["detail"])
    assert "chín" not in str(doc["detail"])  # a 500 never quotes the file


def test_folder_of_wards(start, tmp_path: Path, http: httpx.Client) -> None:
    district = tmp_path / "district"
    district.mkdir()
    make_ward(district / "my-thoi")
    make_ward(district / "an-phu", "an-phu", name="Phường An Phú")
    (district / "notes").mkdir()
    (district / ".hidden").mkdir()
    srv = start(district)
    units = http.get(srv.url + API + "/units").json()
    assert units == [
        {"id": "an-phu", "name": "Phường An Phú"},
        {"id": "my-thoi", "name": "Phường Mỹ Thới"},
    ]
    # a ward added later appears without a restart
    make_ward(district / "z-new", "xa-moi", name="Xã Mới")
    ids = [u["id"] for u in http.get(srv.url + API + "/units").json()]
    assert "xa-moi" in ids
    doc = http.get(srv.url + API + "/units/xa-moi").json()
    assert doc["unit"]["name"] == "Xã Mới"


def test_openapi_document(start, ward: Path, http: httpx.Client) -> None:
    srv = start(ward)
    doc = http.get(srv.url + API + "/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    for path in [
        "/units",
        "/units/{unit}",
        "/units/{unit}/periods",
        "/units/{unit}/progress/{period}",
    ]:
        assert API + path in doc["paths"]
    assert "bearer" in doc["components"]["securitySchemes"]


def test_serve_refuses_a_folder_without_data(tmp_path: Path) -> None:
    with pytest.raises(DataError) as err:
        serve(tmp_path, "127.0.0.1", free_port())
    assert "chitieu.toml" in str(err.value)


def test_serve_reports_a_port_in_use(ward: Path) -> None:
    import socket

    from chitieu_tui.core.errors import ChitieuError

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        port = sock.getsockname()[1]
        with pytest.raises(ChitieuError) as err:
            serve(ward, "127.0.0.1", port)
    assert err.value.code == "err.server.port_in_use"
    assert f"127.0.0.1:{port}" in str(err.value)
