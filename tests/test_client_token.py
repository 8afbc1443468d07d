"""CHITIEU_API_TOKEN is checked when the client is built; it is never echoed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from chitieu_tui.core.errors import UsageError
from chitieu_tui.remote.client import MAX_TOKEN, ApiClient, check_token

SRC = Path(__file__).resolve().parents[1] / "src"
SECRET = "s3cr3t-XYZZY"


@pytest.mark.parametrize("token", ["abc", "A-Z.a_z~0+9/", "dG9rZW4=", "dG9r==", "x" * MAX_TOKEN])
def test_good_tokens(token: str) -> None:
    assert check_token(token) == token
    ApiClient("http://127.0.0.1:1", token)


@pytest.mark.parametrize(
    ("token", "what"),
    [
        (SECRET + "\n", "line break at the end"),
        (SECRET + "\r\n", "line break"),
        (" " + SECRET, "space or tab at the start"),
        (SECRET[:4] + "\t" + SECRET[4:], "space or tab in the middle"),
        (SECRET + "é", "non-ASCII"),
        ("“" + SECRET + "”", "non-ASCII"),
        (SECRET + "\x00", "control character"),
        (SECRET + '"', "not allowed"),
        ("=" + SECRET, "not allowed"),
        ("ab=cd" + SECRET, "'='"),
        ("", "empty"),
        (SECRET * 400, "longer than 4096"),
    ],
)
def test_bad_tokens_are_usage_errors_without_the_token(token: str, what: str) -> None:
    with pytest.raises(UsageError) as err:
        ApiClient("http://127.0.0.1:1", token)
    for lang in ("en", "vi"):
        text = err.value.render(lang)
        assert "CHITIEU_API_TOKEN" in text
        assert SECRET not in text and "ab=cd" not in text
    assert what in str(err.value)
    assert err.value.code.startswith("err.api.token_")


@pytest.mark.parametrize("token", [SECRET + "\n", SECRET + "é"])
def test_cli_exits_2_without_echoing_the_token(tmp_path: Path, token: str) -> None:
    env = {
        **os.environ,
        "CHITIEU_API_TOKEN": token,
        "PYTHONPATH": str(SRC),
        "XDG_DATA_HOME": str(tmp_path),
    }
    proc = subprocess.run(
        [sys.executable, "-m", "chitieu_tui", "report", "--api", "http://127.0.0.1:1"]
        + ["--unit", "x"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        env=env,
        cwd=tmp_path,
        timeout=60,
    )
    assert proc.returncode == 2, proc.stderr
    assert "CHITIEU_API_TOKEN" in proc.stderr
    assert SECRET not in proc.stdout + proc.stderr
    assert "Bearer" not in proc.stdout + proc.stderr


def test_library_words_never_carry_the_authorization_header() -> None:
    client = ApiClient("http://127.0.0.1:1", SECRET)
    words = client._exc_words(ValueError(f"Illegal header value b'Bearer {SECRET}' / {SECRET}"))
    assert SECRET not in words and "Bearer ***" in words
    other = ApiClient("http://127.0.0.1:1", None)
    assert "zzz" not in other._exc_words(ValueError("authorization: bearer zzz"))
    assert SECRET not in repr(client) and SECRET not in repr(vars(client).get("settings"))
