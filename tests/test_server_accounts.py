"""Accounts (users.toml) and rights on every read route, under a real uvicorn on 127.0.0.1."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import servers
from hostile_server import UvicornThread, make_ward
from servers import FOREIGN, OWN, ROLES, call

from chitieu_tui.cli import main
from chitieu_tui.core import users as users_mod
from chitieu_tui.core.errors import DataError
from chitieu_tui.core.users import add_user, hash_token, load_users, remove_user, rotate_user
from chitieu_tui.remote.server import create_app

pytestmark = pytest.mark.timeout(60)
READ_ROUTES = (
    "/units/{unit}",
    "/units/{unit}/periods",
    "/units/{unit}/progress/2026-Q1",
    "/units/{unit}/years/2026",
    "/units/{unit}/years/2025",
    "/units/{unit}/journal/2026-Q1",
    "/units/{unit}/verify",
    "/units/{unit}/verify?period=2026-Q1",
)


province, tokens, server = servers.province, servers.tokens, servers.server


def get(
    srv: UvicornThread, path: str, token: str | None, transport: httpx.BaseTransport | None = None
) -> httpx.Response:
    return call(srv, "GET", path, token, lang=None, transport=transport)


# -- the rights matrix -----------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("route", READ_ROUTES)
def test_every_read_route_every_role_own_and_foreign(
    server: UvicornThread, tokens: dict[str, str], role: str, route: str
) -> None:
    token = tokens[role]
    own = get(server, route.format(unit=OWN), token)
    assert own.status_code == 200, own.text
    foreign = get(server, route.format(unit=FOREIGN), token)
    missing = get(server, route.format(unit="no-such-unit"), token)
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json()["code"] == missing.json()["code"] == "err.server.unknown_unit"
    # as if it did not exist: the same answer, word for word, but for the id echoed
    assert foreign.text.replace(FOREIGN, "X") == missing.text.replace("no-such-unit", "X")
    assert set(foreign.headers) == set(missing.headers)
    # the viewer of every unit reads both
    assert get(server, route.format(unit=FOREIGN), tokens["all"]).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_a_foreign_unit_with_a_bad_period_answers_as_a_missing_one(
    server: UvicornThread, tokens: dict[str, str], role: str
) -> None:
    for path in ("/units/{unit}/progress/2026-Q9", "/units/{unit}/years/20x6"):
        foreign = get(server, path.format(unit=FOREIGN), tokens[role])
        missing = get(server, path.format(unit="no-such-unit"), tokens[role])
        assert foreign.status_code == missing.status_code == 400
        assert foreign.text == missing.text


@pytest.mark.parametrize("role", ROLES)
def test_units_and_bulk_list_only_the_accounts_units(
    server: UvicornThread, tokens: dict[str, str], role: str
) -> None:
    token = tokens[role]
    assert [u["id"] for u in get(server, "/units", token).json()] == [OWN]
    for path in ("/progress", "/progress/2026-Q1", "/progress/2031-Q3"):
        bulk = get(server, path, token)
        assert bulk.status_code == 200, path
        assert [u["unit"] for u in bulk.json()["units"]] == [OWN], path
        assert FOREIGN not in bulk.text
    every = get(server, "/progress/2026-Q1", tokens["all"]).json()
    assert {u["unit"] for u in every["units"]} == {OWN, FOREIGN}
    assert {u["id"] for u in get(server, "/units", tokens["all"]).json()} == {OWN, FOREIGN}


def test_a_repeated_read_of_a_foreign_unit_is_never_answered_from_the_cache(
    server: UvicornThread, tokens: dict[str, str]
) -> None:
    path = f"/units/{FOREIGN}/progress/2026-Q1"
    for _ in range(2):  # the fast path holds the body once someone read it
        assert get(server, path, tokens["all"]).status_code == 200
    assert get(server, path, tokens["editor"]).status_code == 404
    assert get(server, f"/units/{FOREIGN}", tokens["all"]).status_code == 200
    assert get(server, f"/units/{FOREIGN}", tokens["viewer"]).status_code == 404


def test_no_token_and_a_wrong_token_are_401(server: UvicornThread) -> None:
    for token, code in ((None, "err.server.token_missing"), ("nope", "err.server.token_invalid")):
        for path in ("/units", f"/units/{OWN}", "/me", "/openapi.json", "/progress"):
            resp = get(server, path, token)
            assert resp.status_code == 401, path
            assert resp.json()["code"] == code
            assert resp.headers["www-authenticate"].startswith('Bearer realm="chitieu"')


def test_the_shared_token_is_not_accepted_beside_accounts(
    province: Path, tokens: dict[str, str]
) -> None:
    srv = UvicornThread(create_app(province, token="shared-secret")).start()
    try:
        assert get(srv, "/units", "shared-secret").status_code == 401
        assert get(srv, "/units", tokens["viewer"]).status_code == 200
    finally:
        srv.stop()


# -- /me --------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
def test_me_names_the_account(server: UvicornThread, tokens: dict[str, str], role: str) -> None:
    me = get(server, "/me", tokens[role])
    assert me.status_code == 200
    assert me.json() == {
        "name": role[:3],
        "display": f"Ms {role}",
        "role": role,
        "units": [OWN],
        "auth": "account",
    }
    assert get(server, "/me", tokens["all"]).json()["units"] == ["*"]
    assert get(server, "/me", tokens["all"]).json()["display"] == "all"  # the name when none


def test_me_without_accounts(province: Path) -> None:
    for token, auth in ((None, "none"), ("shared-secret", "token")):
        srv = UvicornThread(create_app(province, token=token)).start()
        try:
            me = get(srv, "/me", token).json()
        finally:
            srv.stop()
        assert me == {"name": "", "display": "", "role": "viewer", "units": ["*"], "auth": auth}


# -- users.toml changed while serving ----------------------------------------------------------


def test_users_toml_changed_while_serving(
    server: UvicornThread, province: Path, tokens: dict[str, str]
) -> None:
    path = province / "users.toml"
    assert get(server, "/units", tokens["editor"]).status_code == 200
    remove_user(path, "edi")
    assert get(server, "/units", tokens["editor"]).status_code == 401  # at once
    assert get(server, "/units", tokens["viewer"]).status_code == 200
    new = rotate_user(path, "vie")
    assert get(server, "/units", tokens["viewer"]).status_code == 401
    assert get(server, "/units", new).status_code == 200
    added = add_user(path, "ba", "viewer", [FOREIGN])
    assert [u["id"] for u in get(server, "/units", added).json()] == [FOREIGN]
    # a broken file lets nobody in (never a fall back to no accounts), until it is fixed
    good = path.read_text(encoding="utf-8")
    path.write_text(good + "\n[[user]]\nname = 1\n", encoding="utf-8")
    broken = get(server, "/units", new)
    assert broken.status_code == 503
    assert broken.json()["code"] == "err.server.users_unavailable"
    path.unlink()
    assert get(server, "/units", new).status_code == 503
    assert get(server, "/units", None).status_code == 401
    path.write_text(good, encoding="utf-8")
    assert get(server, "/units", new).status_code == 200


def test_a_broken_users_toml_stops_the_start_naming_file_line_col(province: Path) -> None:
    (province / "users.toml").write_text(
        '[[user]]\nname = "lan"\nrole = "editor"\nunits = ["my-thoi"]\n'
        'token = "sha256:' + "0" * 64 + '"\ncolour = "red"\n',
        encoding="utf-8",
    )
    with pytest.raises(DataError) as caught:
        create_app(province)
    assert str(caught.value.place).startswith("users.toml:6")
    assert "colour" in caught.value.render("en")


# -- the transport rules ----------------------------------------------------------------------


def test_twenty_bad_tokens_block_that_address_only(
    server: UvicornThread, tokens: dict[str, str]
) -> None:
    other = {"transport": httpx.HTTPTransport(local_address="127.0.0.2")}
    try:
        assert get(server, "/me", tokens["viewer"], **other).status_code == 200
    except httpx.ConnectError:
        pytest.skip("this system cannot connect from 127.0.0.2")
    for n in range(20):
        assert get(server, "/units", f"guess-{n}").status_code == 401
    blocked = get(server, "/units", tokens["viewer"])  # even the right token, for a minute
    assert blocked.status_code == 429
    assert blocked.json()["code"] == "err.server.too_many_failures"
    assert 1 <= int(blocked.headers["retry-after"]) <= 60
    assert "guess" not in blocked.text
    other = {"transport": httpx.HTTPTransport(local_address="127.0.0.2")}
    assert get(server, "/units", tokens["viewer"], **other).status_code == 200


def test_nineteen_bad_tokens_and_missing_tokens_do_not_block(
    server: UvicornThread, tokens: dict[str, str]
) -> None:
    for n in range(19):
        assert get(server, "/units", f"guess-{n}").status_code == 401
    for _ in range(30):
        assert get(server, "/units", None).status_code == 401
    assert get(server, "/units", tokens["viewer"]).status_code == 200


def test_the_failures_window_and_block_end(monkeypatch: pytest.MonkeyPatch) -> None:
    from chitieu_tui.remote.server.accounts import Failures

    now = [0.0]
    failures = Failures(clock=lambda: now[0])
    for _ in range(19):
        assert not failures.fail("a")
    now[0] = 61.0  # the first 19 fell out of the window
    assert not failures.fail("a")
    assert failures.blocked("a") is None
    for _ in range(19):
        failures.fail("a")
    assert failures.blocked("a") == 60
    assert failures.blocked("b") is None
    now[0] += 59.5
    assert failures.blocked("a") == 1
    now[0] += 1
    assert failures.blocked("a") is None


@pytest.fixture
def log_en() -> Iterator[None]:
    """The server's log in English (another test's `serve(lang=…)` may have set it)."""
    from chitieu_tui.remote.server import problems

    was, problems._LOG_LANG[0] = problems._LOG_LANG[0], "en"
    yield
    problems._LOG_LANG[0] = was


def test_tokens_never_in_a_log_line_or_a_response(
    server: UvicornThread,
    tokens: dict[str, str],
    caplog: pytest.LogCaptureFixture,
    log_en: None,
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = tokens["editor"]
    texts = []
    for token in (secret, "WRONGSECRET", secret + "x"):
        for path in ("/units", f"/units/{FOREIGN}", f"/units/{OWN}/progress/2026-Q9", "/me"):
            resp = get(server, path, token)
            texts.append(resp.text + str(resp.headers))
    # a token with control characters and line breaks, sent as raw bytes
    for raw in (b"CTRLSECRET\x01\x7f", b"TABSECRET\tX", b"NLSECRET\r\nX-Injected: NLSECRET2"):
        with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
            sock.sendall(
                b"GET /api/v1/units HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                + raw
                + b"\r\nConnection: close\r\n\r\n"
            )
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        assert answer.startswith((b"HTTP/1.1 400", b"HTTP/1.1 401")), answer[:40]
        texts.append(answer.decode("latin-1"))
    logs = caplog.text
    assert "refused GET /api/v1/units/an-phu" in logs
    assert "account edi" in logs and "unit an-phu is not among its units" in logs
    assert "token not valid" in logs
    for text in (*texts, logs):
        for marker in (secret, "WRONGSECRET", "CTRLSECRET", "TABSECRET", "NLSECRET"):
            assert marker not in text
    assert hash_token(secret) not in logs


def test_token_hashes_are_compared_in_constant_time(
    province: Path, tokens: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    users = load_users(province / "users.toml")
    calls: list[tuple[bytes, bytes]] = []
    real = users_mod.hmac.compare_digest

    def counted(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(users_mod.hmac, "compare_digest", counted)
    for token in (tokens["editor"], "wrong", tokens["all"]):
        calls.clear()
        users.authenticate(token)
        assert len(calls) == len(users.users)  # every hash, found or not, no early exit
        assert all(a == hash_token(token).encode() for a, _ in calls)  # the hash, not the token
    assert users.authenticate(tokens["editor"]).name == "edi"  # type: ignore[union-attr]
    assert users.authenticate("wrong") is None
    assert tokens["editor"] not in (province / "users.toml").read_text(encoding="utf-8")


# -- chitieu user ----------------------------------------------------------------------------


def status(argv: list[str]) -> int:
    """`chitieu ARGV`'s exit status (argparse's own refusals exit 2)."""
    try:
        return main(argv)
    except SystemExit as exc:
        return int(exc.code or 0)


def test_chitieu_user_add_list_rotate_remove(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "province"
    make_ward(root / "ward-a", OWN)
    path = root / "users.toml"
    args = ["--lang", "en", "--config", str(root)]
    assert main(["user", "add", "lan", "--role", "editor", "--unit", OWN, *args]) == 0
    out = capsys.readouterr()
    token = out.out.strip()
    assert len(token) == 43 and "shown this once" in out.err
    text = path.read_text(encoding="utf-8")
    assert token not in text and hash_token(token) in text
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert (
        main(
            ["user", "add", "vy", "--role", "viewer", "--unit", "*", "--display", "Vy"]
            + ["--users", str(path), "--lang", "en"]
        )
        == 0
    )
    capsys.readouterr()
    assert main(["user", "list", *args]) == 0
    listed = capsys.readouterr().out
    assert "lan" in listed and "editor" in listed and "Vy" in listed and "*" in listed
    assert "sha256" not in listed and token not in listed
    assert main(["user", "rotate", "lan", *args]) == 0
    new = capsys.readouterr().out.strip()
    assert new != token and hash_token(new) in path.read_text(encoding="utf-8")
    assert load_users(path).authenticate(token) is None
    assert main(["user", "remove", "lan", *args]) == 0
    capsys.readouterr()
    assert [u.name for u in load_users(path).users] == ["vy"]
    # refused: an existing name, an unknown one, a bad role or name, no file named
    assert main(["user", "add", "vy", "--role", "viewer", "--unit", OWN, *args]) == 1
    assert main(["user", "remove", "nobody", *args]) == 1
    assert status(["user", "add", "x", "--role", "boss", "--unit", OWN, *args]) == 2
    assert status(["user", "add", "Bad Name", "--role", "viewer", "--unit", OWN, *args]) == 2
    assert status(["user", "add", "x", "--role", "viewer", "--unit", "A/B", *args]) == 2
    assert status(["user", "list", "--lang", "en"]) == 2
    assert [u.name for u in load_users(path).users] == ["vy"]


@pytest.mark.parametrize(("lang", "words"), [("en", "unknown field"), ("vi", "colour")])
def test_chitieu_user_list_names_file_line_col_of_a_strict_error(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    lang: str,
    words: str,
) -> None:
    monkeypatch.chdir(tmp_path)  # the file named short, so the panel does not wrap it
    path = Path("users.toml")
    path.write_text(
        '[[user]]\nname = "lan"\nrole = "editor"\nunits = ["my-thoi"]\n'
        'token = "sha256:' + "0" * 64 + '"\ncolour = "red"\n',
        encoding="utf-8",
    )
    assert main(["user", "list", "--users", str(path), "--lang", lang]) == 1
    err = capsys.readouterr().err
    assert "users.toml:6:1" in err and words in err
    path.write_text('[[user]]\nname = "lan"\nrole = "boss"\nunits = []\ntoken = "abc"\n')
    assert main(["user", "list", "--users", str(path), "--lang", lang]) == 1
    err = capsys.readouterr().err
    for where in ("users.toml:3:1", "users.toml:4:1", "users.toml:5:1"):
        assert where in err
    assert "abc" not in err  # a token written by mistake is never quoted


def test_serve_with_a_missing_users_file_exits_1_before_listening(
    province: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = province / "nope.toml"
    argv = ["serve", "--config", str(province), "--users", str(missing), "--lang", "en"]
    assert status([*argv, "--port", "1"]) == 1  # port 1 is never bound: the file stops it first
    assert "file not found" in capsys.readouterr().err
