"""A served province for the API tests: two wards side by side (`OWN` in ward-a, `FOREIGN`
in ward-b), one account per role in users.toml, a real uvicorn on 127.0.0.1 (port 0), and
a call to it.

A test module takes the fixtures by assigning them, which pytest finds as its own (an
import would be flagged as unused by the linter):

    province, tokens, server = servers.province, servers.tokens, servers.server
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from hostile_server import UvicornThread, make_ward

from chitieu_tui.core.users import add_user
from chitieu_tui.remote.server import create_app

API = "/api/v1"
OWN, FOREIGN = "my-thoi", "an-phu"
ROLES = ("editor", "approver", "viewer")


def make_province(tmp_path: Path) -> Path:
    """Two wards side by side, the folders older than the listing's trust window."""
    root = tmp_path / "province"
    root.mkdir()
    make_ward(root / "ward-a", OWN)
    make_ward(root / "ward-b", FOREIGN)
    old = os.stat(root).st_mtime - 10
    os.utime(root, (old, old))
    return root


def role_tokens(province: Path) -> dict[str, str]:
    """One account per role on the own unit (shown as `Ms <role>`), and `all`: a viewer of
    every unit; each account's token by role."""
    path = province / "users.toml"
    found = {role: add_user(path, role[:3], role, [OWN], f"Ms {role}") for role in ROLES}
    found["all"] = add_user(path, "all", "viewer", ["*"])
    return found


@pytest.fixture
def province(tmp_path: Path) -> Path:
    """`make_province` in the test's tmp_path."""
    return make_province(tmp_path)


@pytest.fixture
def tokens(province: Path) -> dict[str, str]:
    """`role_tokens` of the province."""
    return role_tokens(province)


@pytest.fixture
def server(province: Path, tokens: dict[str, str]) -> Iterator[UvicornThread]:
    """The province served, with its accounts."""
    srv = UvicornThread(create_app(province)).start()
    yield srv
    srv.stop()


def call(
    srv: UvicornThread,
    method: str,
    path: str,
    token: str | None,
    body: object = None,
    lang: str | None = "en",
    transport: httpx.BaseTransport | None = None,
    **params: str,
) -> httpx.Response:
    """One request to `API + path`: the token as a bearer (None: none), `body` as JSON,
    `lang` as Accept-Language (None: none sent), `params` as the query (`transport`: e.g.
    another local address)."""
    headers = {"Accept-Language": lang} if lang is not None else {}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    with httpx.Client(timeout=10, transport=transport) as client:
        content = None if body is None else json.dumps(body).encode()
        return client.request(
            method, srv.url + API + path, headers=headers, content=content, params=params
        )
