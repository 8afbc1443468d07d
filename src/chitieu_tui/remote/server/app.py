"""`create_app`: the Starlette application, its routes and exception handlers."""

from __future__ import annotations

import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from chitieu_tui.core.users import USERS_FILE
from chitieu_tui.i18n import Msg
from chitieu_tui.remote.server.accounts import Accounts, Failures
from chitieu_tui.remote.server.approval import ROUTES as approval_routes
from chitieu_tui.remote.server.auth import BearerAuth
from chitieu_tui.remote.server.bulk import bulk_progress
from chitieu_tui.remote.server.openapi import openapi_document
from chitieu_tui.remote.server.problems import (
    Problem,
    _lang,
    _log_text,
    _safe,
    log,
    problem_response,
)
from chitieu_tui.remote.server.responses import json_response
from chitieu_tui.remote.server.rights import get_me
from chitieu_tui.remote.server.routes import (
    get_journal,
    get_progress,
    get_unit,
    get_year,
    list_periods,
    list_units,
)
from chitieu_tui.remote.server.targets import ROUTES as targets_routes
from chitieu_tui.remote.server.units import READ_BOUND, Units
from chitieu_tui.remote.server.verify import get_verify
from chitieu_tui.remote.server.writes import post_close, post_reopen, post_values, value_route
from chitieu_tui.remote.wire import API_PREFIX

TOKEN_ENV = "CHITIEU_API_TOKEN"
QUARTER = f"{API_PREFIX}/units/{{unit}}/progress/{{period}}"
VALUE = f"{QUARTER}/values/{{id}}"
STATUSES = (400, 401, 403, 404, 405, 409, 412, 413, 422, 429, 500, 503)


async def openapi(request: Request) -> Response:
    """`GET /api/v1/openapi.json`: the API described in OpenAPI 3.1."""
    return json_response(request, openapi_document(), None)


async def _on_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return problem_response(exc.status, exc.msg, _lang(request), exc.headers)


async def _on_http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    status = exc.status_code if exc.status_code in STATUSES else 500
    if status == 404:
        msg = Msg(
            "err.server.no_route",
            path=_safe(request.url.path),
            openapi=f"{API_PREFIX}/openapi.json",
        )
    elif status == 405:
        msg = Msg("err.server.read_only")
    else:
        msg = Msg(f"err.server.status_{status}")
    return problem_response(status, msg, _lang(request), headers)


async def _on_error(request: Request, exc: Exception) -> Response:
    log.error(
        _log_text("server.log.unexpected", path=_safe(request.url.path), kind=type(exc).__name__)
    )
    return problem_response(500, Msg("err.server.unexpected"), _lang(request))


def accounts_file(root: Path, users: Path | None = None) -> Path | None:
    """The accounts file a server of `root` uses: `users` when given, else `ROOT/users.toml`
    when it exists (a symlink too, even a broken one: then the server refuses to start);
    None: no accounts, the shared token (or none) as before."""
    if users is not None:
        return users
    path = root / USERS_FILE
    return path if os.path.lexists(path) else None


def create_app(
    root: Path,
    token: str | None = None,
    read_bound: float = READ_BOUND,
    *,
    bulk: bool = True,
    users: Path | None = None,
    failures: Failures | None = None,
) -> Starlette:
    """The API application for the data folder(s) under `root`; token from the env by default.

    `read_bound`: seconds a request may wait for one unit's files before it answers 503.
    `bulk=False` leaves out `/api/v1/progress[/{period}]` (a server of per-unit routes only,
    as before them; for tests and benchmarks of the client's fallback).
    `users`: the accounts file (default `ROOT/users.toml` when it exists; read now, a
    ChitieuError naming file:line:col when it is broken); with accounts the shared token is
    not accepted. `failures`: the failed sign-ins counter (a fresh one by default).
    """
    if token is None:
        token = os.environ.get(TOKEN_ENV) or None
    accounts = None
    path = accounts_file(root, users)
    if path is not None:
        accounts = Accounts(path, path.name if users is None else str(path))
        accounts.load()
    routes = [
        Route(f"{API_PREFIX}/units", list_units, methods=["GET"]),
        Route(f"{API_PREFIX}/units/{{unit}}", get_unit, methods=["GET"]),
        Route(f"{API_PREFIX}/units/{{unit}}/periods", list_periods, methods=["GET"]),
        Route(f"{API_PREFIX}/units/{{unit}}/progress/{{period}}", get_progress, methods=["GET"]),
        Route(f"{API_PREFIX}/units/{{unit}}/years/{{year}}", get_year, methods=["GET"]),
        Route(f"{API_PREFIX}/units/{{unit}}/journal/{{period}}", get_journal, methods=["GET"]),
        Route(f"{API_PREFIX}/units/{{unit}}/verify", get_verify, methods=["GET"]),
        Route(f"{API_PREFIX}/openapi.json", openapi, methods=["GET"]),
        Route(f"{API_PREFIX}/me", get_me, methods=["GET"]),
        Route(VALUE, value_route, methods=["PUT", "DELETE"]),
        Route(f"{QUARTER}/values", post_values, methods=["POST"]),
        Route(f"{QUARTER}/close", post_close, methods=["POST"]),
        Route(f"{QUARTER}/reopen", post_reopen, methods=["POST"]),
        *approval_routes,
        *targets_routes,
    ]
    if bulk:
        routes += [
            Route(f"{API_PREFIX}/progress", bulk_progress, methods=["GET"]),
            Route(f"{API_PREFIX}/progress/{{period}}", bulk_progress, methods=["GET"]),
        ]
    app = Starlette(
        routes=routes,
        exception_handlers={
            Problem: _on_problem,
            HTTPException: _on_http,
            Exception: _on_error,
        },
    )
    app.state.units = Units(root, read_bound)
    app.state.bodies = {}
    app.state.accounts = accounts
    app.add_middleware(BearerAuth, token=token, accounts=accounts, failures=failures)
    return app
