"""`chitieu serve`: publish one data folder, or a folder of them, over the read-only JSON API."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
from collections.abc import Callable
from http import HTTPStatus
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from chitieu_tui.core.datadir import DEFINITIONS, DataDir
from chitieu_tui.core.errors import ChitieuError, DataError, Place, flatten
from chitieu_tui.core.model import Definitions
from chitieu_tui.core.periods import Period
from chitieu_tui.remote.wire import API_PREFIX, definitions_to_json, progress_to_json

log = logging.getLogger("chitieu.serve")
TOKEN_ENV = "CHITIEU_API_TOKEN"
PROBLEM_TYPE = "application/problem+json"


class _ServedDir(DataDir):
    """A DataDir whose messages name files relative to the data folder, never absolute."""

    def shown(self, path: Path) -> str:
        """`progress/2026-Q1.toml`, relative to the unit's folder."""
        try:
            rel = path.relative_to(self.root).as_posix()
        except ValueError:
            return path.name
        return rel or "."


class Units:
    """The units under a root: the root itself when it has chitieu.toml, else its subfolders.

    Rescanned on every request (a directory listing and a few stats), so a ward added to a
    district folder appears without a restart; each folder's files are cached on mtime+size.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._dirs: dict[Path, _ServedDir] = {}

    def folders(self) -> list[Path]:
        """The data folders: the root, or its subfolders that hold chitieu.toml."""
        if (self.root / DEFINITIONS).is_file():
            return [self.root]
        try:
            entries = sorted(self.root.iterdir())
        except OSError:
            return []
        return [p for p in entries if not p.name.startswith(".") and (p / DEFINITIONS).is_file()]

    def scan(self) -> tuple[dict[str, _ServedDir], dict[str, _ServedDir]]:
        """(units by id, folders whose chitieu.toml is broken by folder name)."""
        good: dict[str, _ServedDir] = {}
        broken: dict[str, _ServedDir] = {}
        for folder in self.folders():
            data = self._dirs.get(folder)
            if data is None:
                data = self._dirs[folder] = _ServedDir(folder)
            try:
                unit_id = data.definitions().unit.id
            except ChitieuError:
                broken[folder.name] = data
                continue
            if unit_id in good:
                log.warning("unit %s appears twice; serving the first folder only", unit_id)
                continue
            good[unit_id] = data
        return good, broken

    def get(self, unit_id: str) -> _ServedDir:
        """The data folder of one unit; 404 when unknown (a broken folder answers 500 later)."""
        good, broken = self.scan()
        data = good.get(unit_id) or broken.get(unit_id)
        if data is None:
            raise Problem(404, f'unknown unit "{_safe(unit_id)}"')
        return data


class Problem(Exception):
    """An error answered as application/problem+json (RFC 9457)."""

    def __init__(self, status: int, detail: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers or {}


def _safe(text: str, limit: int = 80) -> str:
    """User input echoed in a message: printable and short."""
    text = "".join(ch for ch in text if ch.isprintable())
    return text if len(text) <= limit else text[:limit] + "…"


def problem_response(status: int, detail: str, headers: dict[str, str] | None = None) -> Response:
    """An RFC 9457 problem document."""
    body = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    return Response(
        json.dumps(body, ensure_ascii=False).encode("utf-8"),
        status_code=status,
        media_type=PROBLEM_TYPE,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def _data_problem(error: ChitieuError, data: DataDir) -> Problem:
    """A broken file: 500, naming the file relative to its folder (never a server path)."""
    text = "; ".join(str(e) for e in flatten(error))
    root = str(data.root.resolve())
    text = text.replace(root, data.root.name).replace(str(data.root), data.root.name)
    log.error("unit folder %s: %s", data.root.name, text)
    return Problem(500, f"a data file on the server is broken: {text}")


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def _matches(if_none_match: str | None, etag: str) -> bool:
    """Weak comparison (RFC 9110 13.1.2): `*`, or any listed tag equal up to `W/`."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    want = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == want for tag in if_none_match.split(","))


def _encode(data: Any) -> tuple[bytes, str]:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return body, _etag(body)


def json_response(request: Request, data: Any) -> Response:
    """200 with an ETag, or 304 when the client already has it."""
    return _respond(request, *_encode(data))


def cached_json_response(
    request: Request, key: tuple[Any, ...], source: object, to_json: Callable[[Any], Any]
) -> Response:
    """Like `json_response(request, to_json(source))`, with the body and ETag kept while
    `source` is the same object (DataDir keeps its parsed files until they change on disk),
    so that a poll of 5,000 indicators is not serialised and hashed again for a 304."""
    cache: dict[tuple[Any, ...], tuple[object, bytes, str]] = request.app.state.bodies
    hit = cache.get(key)
    if hit is not None and hit[0] is source:
        return _respond(request, hit[1], hit[2])
    body, etag = _encode(to_json(source))
    cache[key] = (source, body, etag)
    return _respond(request, body, etag)


def _respond(request: Request, body: bytes, etag: str) -> Response:
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def _period(text: str) -> Period:
    if not Period.is_valid(text):
        raise Problem(400, f'period must look like 2026-Q1, got "{_safe(text, 20)}"')
    return Period.parse(text)


def _units(request: Request) -> Units:
    units: Units = request.app.state.units
    return units


async def list_units(request: Request) -> Response:
    """`GET /api/v1/units` -> `[{"id", "name"}]`."""
    good, _ = _units(request).scan()
    out = [{"id": uid, "name": d.definitions().unit.name} for uid, d in good.items()]
    return json_response(request, out)


def _definitions(data: DataDir) -> Definitions:
    """A unit's definitions, or a 500 problem that names no server path."""
    try:
        return data.definitions()
    except ChitieuError as exc:
        raise _data_problem(exc, data) from None


async def get_unit(request: Request) -> Response:
    """`GET /api/v1/units/{unit}` -> definitions."""
    data = _units(request).get(request.path_params["unit"])
    defs = _definitions(data)
    return cached_json_response(request, (data.root, "unit"), defs, definitions_to_json)


async def list_periods(request: Request) -> Response:
    """`GET /api/v1/units/{unit}/periods` -> `{"unit", "periods"}` (an addition to docs/api.md)."""
    data = _units(request).get(request.path_params["unit"])
    defs = _definitions(data)
    periods = [str(p) for p in data.periods()]
    return json_response(request, {"unit": defs.unit.id, "periods": periods})


async def get_progress(request: Request) -> Response:
    """`GET /api/v1/units/{unit}/progress/{period}` -> progress; 404 when it has no file."""
    data = _units(request).get(request.path_params["unit"])
    period = _period(request.path_params["period"])
    try:
        defs = data.definitions()
        progress = data.progress(period, defs)
    except ChitieuError as exc:
        raise _data_problem(exc, data) from None
    finally:
        data.warnings.clear()
    if progress is None:
        raise Problem(404, f'unit "{defs.unit.id}" has no progress for {period}')
    return cached_json_response(
        request, (data.root, "progress", period), progress, progress_to_json
    )


async def openapi(request: Request) -> Response:
    """`GET /api/v1/openapi.json`: the API described in OpenAPI 3.1."""
    return json_response(request, OPENAPI)


class BearerAuth:
    """ASGI middleware: every request needs `Authorization: Bearer <token>` when a token is set."""

    def __init__(self, app: ASGIApp, token: str | None) -> None:
        self.app = app
        self.token = token.encode("utf-8") if token else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.token is None:
            await self.app(scope, receive, send)
            return
        given = b""
        present = False
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                scheme, _, cred = value.partition(b" ")
                if scheme.lower() == b"bearer":
                    given, present = cred.strip(), True
                break
        if present and hmac.compare_digest(given, self.token):
            await self.app(scope, receive, send)
            return
        if present:
            detail = "the bearer token is not valid"
            challenge = 'Bearer realm="chitieu", error="invalid_token"'
        else:
            detail = "this server needs a bearer token (Authorization: Bearer …)"
            challenge = 'Bearer realm="chitieu"'
        response = problem_response(401, detail, {"WWW-Authenticate": challenge})
        await response(scope, receive, send)


async def _on_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Problem)
    return problem_response(exc.status, exc.detail, exc.headers)


async def _on_http(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    headers = dict(exc.headers or {})
    if exc.status_code == 404:
        detail = f'no such resource: "{_safe(request.url.path)}" (see {API_PREFIX}/openapi.json)'
    elif exc.status_code == 405:
        detail = "this API is read-only: use GET"
    else:
        detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    return problem_response(exc.status_code, detail, headers)


async def _on_error(request: Request, exc: Exception) -> Response:
    log.error("unexpected error on %s: %s", _safe(request.url.path), type(exc).__name__)
    return problem_response(500, "unexpected server error")


def create_app(root: Path, token: str | None = None) -> Starlette:
    """The API application for the data folder(s) under `root`; token from the env by default."""
    if token is None:
        token = os.environ.get(TOKEN_ENV) or None
    routes = [
        Route(f"{API_PREFIX}/units", list_units, methods=["GET"]),
        Route(f"{API_PREFIX}/units/{{unit}}", get_unit, methods=["GET"]),
        Route(f"{API_PREFIX}/units/{{unit}}/periods", list_periods, methods=["GET"]),
        Route(f"{API_PREFIX}/units/{{unit}}/progress/{{period}}", get_progress, methods=["GET"]),
        Route(f"{API_PREFIX}/openapi.json", openapi, methods=["GET"]),
    ]
    app = Starlette(
        routes=routes,
        exception_handlers={
            Problem: _on_problem,
            HTTPException: _on_http,
            Exception: _on_error,
        },
    )
    app.state.units = Units(root)
    app.state.bodies = {}
    app.add_middleware(BearerAuth, token=token)
    return app


def serve(root: Path, host: str = "127.0.0.1", port: int = 8765) -> int:
    """Run the API under uvicorn until interrupted; return the exit status."""
    import uvicorn

    units = Units(root)
    good, broken = units.scan()
    if not good and not broken:
        raise DataError(f"no {DEFINITIONS} in this folder or in its subfolders", Place(str(root)))
    token = os.environ.get(TOKEN_ENV) or None
    logging.basicConfig(level=logging.INFO, format="%(levelname)s:     %(message)s")
    log.info(
        "serving %d unit(s) (%s) from %s; %s",
        len(good),
        ", ".join(good) or "none valid",
        root,
        "bearer token required" if token else "no token required",
    )
    for name in broken:
        log.warning("folder %s: %s is broken; it answers 500 until fixed", name, DEFINITIONS)
    if token is None and host not in ("127.0.0.1", "::1", "localhost"):
        log.warning("listening on %s without a token: set %s to require one", host, TOKEN_ENV)
    config = uvicorn.Config(
        create_app(root, token),
        host=host,
        port=port,
        log_level="info",
        server_header=False,
        proxy_headers=False,
    )
    try:
        uvicorn.Server(config).run()
    except SystemExit as exc:  # uvicorn exits 1 when it cannot bind
        return exc.code if isinstance(exc.code, int) else 1
    except KeyboardInterrupt:
        return 0
    return 0


def _op(summary: str, ok: str, params: list[str], errors: tuple[int, ...]) -> dict[str, Any]:
    responses: dict[str, Any] = {
        "200": {
            "description": ok,
            "headers": {"ETag": {"schema": {"type": "string"}}},
            "content": {"application/json": {"schema": {"type": "object"}}},
        },
        "304": {"description": "Not modified (If-None-Match matched the ETag)"},
        "401": {"$ref": "#/components/responses/Problem"},
    }
    for status in errors:
        responses[str(status)] = {"$ref": "#/components/responses/Problem"}
    return {
        "get": {
            "summary": summary,
            "parameters": [{"$ref": f"#/components/parameters/{p}"} for p in params]
            + [{"$ref": "#/components/parameters/IfNoneMatch"}],
            "responses": responses,
        }
    }


_VALUE = {
    "oneOf": [
        {"type": "number"},
        {"type": "boolean"},
        {
            "type": "object",
            "properties": {
                "value": {"oneOf": [{"type": "number"}, {"type": "boolean"}]},
                "note": {"type": "string"},
            },
            "required": ["value"],
        },
    ]
}

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {
        "title": "chitieu API",
        "version": "1",
        "description": (
            "Read-only API of chitieu-tui: the yearly targets (chỉ tiêu) of wards and communes "
            "and their progress by quarter. The JSON mirrors chitieu.toml and progress/*.toml. "
            "Every 200 carries an ETag; a matching If-None-Match gets 304. Errors are "
            "application/problem+json (RFC 9457). When the server has a token, every request "
            "needs `Authorization: Bearer <token>`. `/units/{unit}/periods` is an addition "
            "to the DESIGN contract."
        ),
    },
    "security": [{"bearer": []}, {}],
    "paths": {
        f"{API_PREFIX}/units": _op("The units served", "`[{id, name}]`", [], ()),
        f"{API_PREFIX}/units/{{unit}}": _op(
            "A unit's definitions: {schema, unit, dashboard, groups, indicators}",
            "The definitions",
            ["unit"],
            (404, 500),
        ),
        f"{API_PREFIX}/units/{{unit}}/periods": _op(
            "The periods that have progress, oldest first: {unit, periods}",
            "The periods",
            ["unit"],
            (404, 500),
        ),
        f"{API_PREFIX}/units/{{unit}}/progress/{{period}}": _op(
            "One period's progress: {unit, period, as_of, values}",
            "The progress",
            ["unit", "period"],
            (400, 404, 500),
        ),
        f"{API_PREFIX}/openapi.json": _op("This document", "OpenAPI 3.1", [], ()),
    },
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "parameters": {
            "unit": {
                "name": "unit",
                "in": "path",
                "required": True,
                "schema": {"type": "string", "pattern": "^[a-z0-9-]+$"},
            },
            "period": {
                "name": "period",
                "in": "path",
                "required": True,
                "schema": {"type": "string", "pattern": "^[0-9]{4}-Q[1-4]$"},
            },
            "IfNoneMatch": {"name": "If-None-Match", "in": "header", "schema": {"type": "string"}},
        },
        "responses": {
            "Problem": {
                "description": "RFC 9457 problem details",
                "content": {
                    PROBLEM_TYPE: {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "type": {"type": "string"},
                                "title": {"type": "string"},
                                "status": {"type": "integer"},
                                "detail": {"type": "string"},
                            },
                        }
                    }
                },
            }
        },
        "schemas": {
            "Progress": {
                "type": "object",
                "properties": {
                    "unit": {"type": "string"},
                    "period": {"type": "string"},
                    "as_of": {"type": ["string", "null"], "format": "date"},
                    "values": {"type": "object", "additionalProperties": _VALUE},
                },
                "required": ["unit", "period", "values"],
            }
        },
    },
}
