"""Transport (DESIGN.md section 12): `serve --tls-cert/--tls-key` serves HTTPS, the client
checks it against CHITIEU_CA_BUNDLE, and never sends a token over plain http:// beyond this
computer unless `--insecure-http`."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import trustme

import chitieu_tui
from chitieu_tui.cli import main
from chitieu_tui.core.errors import UsageError
from chitieu_tui.remote import client as client_module
from chitieu_tui.remote.client import ApiClient, check_transport

pytestmark = pytest.mark.timeout(60)
SRC = str(Path(chitieu_tui.__file__).resolve().parents[1])
TEST_NET = "http://192.0.2.1:8765"  # RFC 5737 TEST-NET-1: never reached by these tests


@pytest.fixture(autouse=True)
def _plain_http_reset() -> Iterator[None]:
    """`--insecure-http` is process-wide: no test leaves it on for the next."""
    yield
    client_module.allow_plain_http(False)


def _flat(text: str) -> str:
    """The error panel's words on one line (no frame, no wrapping)."""
    return " ".join(re.sub("[│╭╮╰╯─]", " ", text).split())


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["--lang", "en", *argv])
    out, err = capsys.readouterr()
    return code, out, _flat(err)


@pytest.fixture
def pki(tmp_path: Path) -> dict[str, Path]:
    """A CA made here, and a certificate for 127.0.0.1 it signed (PEM files)."""
    ca = trustme.CA()
    cert = ca.issue_cert("127.0.0.1", "localhost")
    paths = {
        "ca": tmp_path / "ca.pem",
        "cert": tmp_path / "server.pem",
        "key": tmp_path / "server.key",
    }
    ca.cert_pem.write_to_path(str(paths["ca"]))
    cert.cert_chain_pems[0].write_to_path(str(paths["cert"]))
    cert.private_key_pem.write_to_path(str(paths["key"]))
    return paths


@pytest.fixture
def https_server(ward: Path, pki: dict[str, Path], tmp_path: Path) -> Iterator[str]:
    """The real `serve()` with TLS in its own process on 127.0.0.1 port 0; its https URL,
    read from the log line."""
    code = (
        "import sys; from pathlib import Path; from chitieu_tui.remote.server import serve; "
        f"sys.exit(serve(Path({str(ward)!r}), '127.0.0.1', 0, 'en', "
        f"tls_cert=Path({str(pki['cert'])!r}), tls_key=Path({str(pki['key'])!r})))"
    )
    env = {k: v for k, v in os.environ.items() if k != "CHITIEU_API_TOKEN"}
    env["PYTHONPATH"] = SRC + os.pathsep + env.get("PYTHONPATH", "")
    log = tmp_path / "serve.log"
    with log.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-c", code], env=env, stdout=subprocess.DEVNULL, stderr=err
        )
    try:
        found = None
        for _ in range(300):  # bounded: at most 30 s
            found = re.search(r"https://127\.0\.0\.1:(\d+)", log.read_text())
            if found or proc.poll() is not None:
                break
            time.sleep(0.1)
        assert found, log.read_text()
        yield f"https://127.0.0.1:{found.group(1)}"
    finally:
        proc.terminate()
        proc.wait(10)


def test_report_over_https_with_the_ca_bundle(
    capsys, https_server: str, pki: dict[str, Path], ward: Path, monkeypatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    # without the CA: a coded error saying what to do, no traceback (and no stale copy)
    monkeypatch.delenv("CHITIEU_CA_BUNDLE", raising=False)
    empty = str(tmp_path / "no-snapshots")
    code, out, err = run(
        capsys, "report", "--api", https_server, "--unit", "my-thoi", "--snapshots", empty
    )
    assert code == 1, err
    assert "TLS certificate is not trusted" in err
    assert "CHITIEU_CA_BUNDLE" in err
    assert "Traceback" not in err and out == ""
    # with it: the same report as from the files
    monkeypatch.setenv("CHITIEU_CA_BUNDLE", str(pki["ca"]))
    code, remote, err = run(
        capsys, "report", "--api", https_server, "--unit", "my-thoi", "--format", "json"
    )
    assert code == 0, err
    code, local, _ = run(capsys, "report", "--config", str(ward), "--format", "json")
    assert json.loads(remote)["indicators"] == json.loads(local)["indicators"]


def test_a_broken_ca_bundle_is_named(
    capsys, https_server: str, tmp_path: Path, monkeypatch
) -> None:
    bundle = tmp_path / "missing-ca.pem"
    monkeypatch.setenv("CHITIEU_CA_BUNDLE", str(bundle))
    code, _, err = run(
        capsys, "report", "--api", https_server, "--unit", "my-thoi", "--snapshots", str(tmp_path)
    )
    assert code == 1
    assert "missing-ca.pem" in err.replace(" ", "") and "CHITIEU_CA_BUNDLE" in err
    assert "Traceback" not in err


def _no_network(monkeypatch: pytest.MonkeyPatch) -> list[httpx.Request]:
    """Every request the client would send is recorded and answered 401 at once (nothing
    leaves this computer)."""
    sent: list[httpx.Request] = []

    async def send(self, request: httpx.Request, **_: object) -> httpx.Response:
        sent.append(request)
        return httpx.Response(401, content=b"", request=request)

    monkeypatch.setattr(httpx.AsyncClient, "send", send)
    return sent


@pytest.mark.parametrize("unit", [["--unit", "my-thoi"], []], ids=["unit", "collection"])
def test_no_token_over_plain_http_beyond_this_computer(
    capsys, monkeypatch, tmp_path: Path, unit: list[str]
) -> None:
    sent = _no_network(monkeypatch)
    monkeypatch.setenv("CHITIEU_API_TOKEN", "s3cret-token")
    argv = ["report", "--api", TEST_NET, *unit, "--snapshots", str(tmp_path)]
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert sent == []  # refused before any connection
    assert "not sent over unencrypted http://" in err and "192.0.2.1" in err
    assert "https://" in err and "--insecure-http" in err
    assert "s3cret-token" not in err + out

    # --insecure-http (a trusted network): the refusal is gone, the token is sent
    code, out, err = run(capsys, "--insecure-http", *argv)
    assert "--insecure-http" not in err
    assert sent and sent[0].headers["authorization"] == "Bearer s3cret-token"
    assert "s3cret-token" not in err + out


def test_the_refusal_is_in_vietnamese_too(capsys, monkeypatch, tmp_path: Path) -> None:
    _no_network(monkeypatch)
    monkeypatch.setenv("CHITIEU_API_TOKEN", "s3cret-token")
    code = main(["report", "--api", TEST_NET, "--unit", "my-thoi", "--snapshots", str(tmp_path)])
    err = _flat(capsys.readouterr().err)
    assert code == 2
    assert "không gửi mã truy cập" in err and "--insecure-http" in err


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8765",
        "http://127.8.9.10:8765",
        "http://localhost:8765",
        "http://[::1]:8765",
        "https://192.0.2.1",
        "https://example.org/chitieu",
    ],
)
def test_loopback_or_https_may_carry_the_token(url: str) -> None:
    check_transport(url, "tok")
    ApiClient(url, "tok")


@pytest.mark.parametrize("url", [TEST_NET, "http://example.org", "http://[2001:db8::1]:80"])
def test_plain_http_beyond_this_computer_is_refused_with_a_token_only(url: str) -> None:
    check_transport(url, None)  # nothing secret to send
    with pytest.raises(UsageError) as caught:
        ApiClient(url, "tok")
    assert caught.value.msg.key == "err.api.plain_http"
    ApiClient(url, "tok", insecure_http=True)


# -- serve --tls-cert / --tls-key ------------------------------------------------------------


def test_tls_cert_and_key_go_together(capsys, ward: Path, pki: dict[str, Path]) -> None:
    for option in ("--tls-cert", "--tls-key"):
        code, _, err = run(capsys, "serve", "--config", str(ward), option, str(pki["cert"]))
        assert code == 2
        assert "--tls-cert and --tls-key go together" in err


def _serve_tls(capsys, ward: Path, cert: Path, key: Path) -> tuple[int, str]:
    code, _, err = run(
        capsys, "serve", "--config", str(ward), "--tls-cert", str(cert), "--tls-key", str(key)
    )
    return code, err + " " + err.replace(" ", "")  # a long path may wrap in the panel


def test_a_missing_or_unreadable_tls_file_is_named(
    capsys, ward: Path, pki: dict[str, Path], tmp_path: Path
) -> None:
    missing = tmp_path / "nowhere.pem"
    code, err = _serve_tls(capsys, ward, missing, pki["key"])
    assert code == 1 and "nowhere.pem" in err and "cannot read the TLS file" in err
    code, err = _serve_tls(capsys, ward, pki["cert"], missing)
    assert code == 1 and "nowhere.pem" in err
    code, err = _serve_tls(capsys, ward, pki["cert"], tmp_path)  # a folder
    assert code == 1 and "cannot read the TLS file" in err
    assert "Traceback" not in err


def test_an_invalid_tls_file_is_named(
    capsys, ward: Path, pki: dict[str, Path], tmp_path: Path
) -> None:
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate\n")
    code, err = _serve_tls(capsys, ward, junk, pki["key"])
    assert code == 1 and "junk.pem" in err and "TLS file cannot be used" in err
    code, err = _serve_tls(capsys, ward, pki["cert"], junk)
    assert code == 1 and "junk.pem" in err
    other = tmp_path / "other.key"  # a key, but not the certificate's own
    trustme.CA().issue_cert("127.0.0.1").private_key_pem.write_to_path(str(other))
    code, err = _serve_tls(capsys, ward, pki["cert"], other)
    assert code == 1 and "other.key" in err and "server.pem" not in err
    assert "Traceback" not in err
