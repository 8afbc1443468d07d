"""The client's messages come from the catalog (both languages); Accept-Language is sent;
plain http builds no CA bundle while https (also after a redirect) is always verified."""

from __future__ import annotations

import json
import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from hostile_server import HostileServer, UvicornThread, free_port

from chitieu_tui.core.errors import AuthError, SourceError
from chitieu_tui.i18n import en, use, vi
from chitieu_tui.remote.client import ApiClient, Settings
from chitieu_tui.remote.server import create_app

pytestmark = pytest.mark.timeout(60)

FAST = Settings(connect_timeout=1, read_timeout=2, retries=0, backoff=0.01, backoff_max=0.05)
UNIT = "/api/v1/units/my-thoi"
DETAILS = {"vi": "không có đơn vị này", "en": "no such unit"}


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    server = HostileServer().start()
    yield server
    server.stop()


def test_every_client_key_exists_in_both_languages() -> None:
    source = (Path(__file__).resolve().parents[1] / "src/chitieu_tui/remote/client.py").read_text(
        encoding="utf-8"
    )
    import re

    used = set(re.findall(r'"((?:err\.)?api\.[a-z_.]+)"', source))
    assert used and used <= set(en.MESSAGES) and used <= set(vi.MESSAGES)


@pytest.mark.parametrize(
    ("status", "code", "words_en", "words_vi"),
    [
        (400, "err.api.bad_request", "400 Bad Request", "không hiểu yêu cầu"),
        (403, "err.api.forbidden", "403 Forbidden", "không được đọc"),
        (404, "err.api.not_found", "404 Not Found", "không có tài liệu"),
        (429, "err.api.busy", "429 Too Many Requests", "quá nhiều yêu cầu"),
        (500, "err.api.server_error", "500 Internal Server Error", "lỗi phía máy chủ"),
        (503, "err.api.server_error", "503 Service Unavailable", "lỗi phía máy chủ"),
        (418, "err.api.status", "418", "máy chủ trả lời 418"),
    ],
)
@pytest.mark.parametrize("lang", ["vi", "en"])
async def test_status_words_then_the_servers_detail_in_the_readers_language(
    hostile: HostileServer, status: int, code: str, words_en: str, words_vi: str, lang: str
) -> None:
    def problem(req):
        wanted = req.headers.get("accept-language", "")
        detail = DETAILS.get(wanted, "???")
        body = json.dumps({"type": "about:blank", "status": status, "detail": detail})
        return status, {"Content-Type": "application/problem+json"}, body.encode()

    hostile.handler = problem
    use(lang)
    client = ApiClient(hostile.url, None, FAST)
    with pytest.raises(SourceError) as err:
        await client.fetch(UNIT)
    await client.aclose()
    assert hostile.requests[-1].headers["accept-language"] == lang
    error = err.value
    assert error.msg.key == "err.api.server_says"
    assert error.msg.params["message"].key == code
    text = error.render(lang)
    assert text.startswith(hostile.url + UNIT + ": ")
    own, _, detail = text.partition(" — ")
    assert (words_vi if lang == "vi" else words_en) in own
    assert detail.endswith(DETAILS[lang])


async def test_a_404_the_caller_expects_carries_its_error(hostile: HostileServer) -> None:
    client = ApiClient(hostile.url, None, FAST)
    got = await client.fetch("/api/v1/nothing", missing_ok=True)
    await client.aclose()
    assert got.status == 404 and not got.ok
    assert isinstance(got.error, SourceError) and "404 Not Found" in str(got.error)


@pytest.mark.parametrize("token", [None, "tok"])
async def test_401_names_the_variable(hostile: HostileServer, token: str | None) -> None:
    hostile.mode = "unauthorized"
    client = ApiClient(hostile.url, token, FAST)
    with pytest.raises(AuthError) as err:
        await client.fetch(UNIT)
    await client.aclose()
    key = "err.api.token_refused" if token else "err.api.token_needed"
    assert err.value.msg.params["message"].key == key
    assert "CHITIEU_API_TOKEN" in err.value.render("vi") and "401" in err.value.render("vi")
    assert "mã truy cập" in err.value.render("vi")


async def test_connection_refused_in_both_languages() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    client = ApiClient(url, None, FAST)
    with pytest.raises(SourceError) as err:
        await client.fetch(UNIT)
    await client.aclose()
    assert err.value.code == "err.api.refused"
    assert err.value.render("vi").startswith(url + UNIT + ": không kết nối được máy chủ")
    assert "connection refused" in err.value.render("en")


async def test_redirect_away_and_bad_answers_are_coded(hostile: HostileServer) -> None:
    client = ApiClient(hostile.url, None, FAST)
    for mode, code in [("redirect_away", "err.api.redirect_away"), ("html", "err.api.html")]:
        hostile.mode = mode
        with pytest.raises(SourceError) as err:
            await client.fetch(UNIT)
        assert err.value.code == code
        assert err.value.render("vi") != err.value.render("en")
    await client.aclose()


async def test_plain_http_loads_no_ca_bundle(hostile: HostileServer, monkeypatch) -> None:
    made: list[object] = []
    real = ssl.create_default_context

    def counting(*args, **kwargs):
        made.append(args or kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(ssl, "create_default_context", counting)
    client = ApiClient(hostile.url, None, FAST)
    assert (await client.fetch(UNIT)).status == 200
    assert made == []
    await client.aclose()
    secure = ApiClient("https://127.0.0.1:1", None, FAST)
    secure._http()
    assert len(made) == 1
    await secure.aclose()


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl command")
async def test_redirect_from_http_to_https_is_still_verified(
    hostile: HostileServer, ward: Path, tmp_path: Path
) -> None:
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]
        + ["-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    srv = UvicornThread(create_app(ward), ssl_certfile=str(cert), ssl_keyfile=str(key)).start()
    try:
        hostile.handler = lambda req: (
            301,
            {"Location": f"https://127.0.0.1:{srv.port}{req.path}"},
            b"",
        )
        client = ApiClient(hostile.url, None, FAST)
        with pytest.raises(SourceError) as err:
            await client.fetch(UNIT)
        await client.aclose()
        assert err.value.code == "err.api.tls_untrusted"
        assert "chứng chỉ TLS" in err.value.render("vi")
    finally:
        srv.stop()
