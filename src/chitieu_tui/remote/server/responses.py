"""JSON bodies with ETags: encoding, the body cache and 304 answers."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response

from chitieu_tui.remote.wire import encode_as


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


def _encode(data: Any, shape: Any) -> tuple[bytes, str]:
    """The body (through its wire shape; the OpenAPI document as it is) and its ETag."""
    body = msgspec.json.encode(data) if shape is None else encode_as(data, shape)
    return body, _etag(body)


def json_response(request: Request, data: Any, shape: Any) -> Response:
    """200 with an ETag, or 304 when the client already has it; `data` is encoded through
    `shape` (a type of remote/schema.py), None for the OpenAPI document only."""
    return _respond(request, *_encode(data, shape))


def cached_json_response(
    request: Request,
    key: tuple[Any, ...],
    source: object,
    to_json: Callable[[Any], Any],
    shape: Any,
) -> Response:
    """Like `json_response(request, to_json(source), shape)`, with the body and ETag kept
    while `source` is the same object (DataDir keeps its parsed files until they change on
    disk), so that a poll of 5,000 indicators is not serialised and hashed again for a 304."""
    return _respond(request, *_cached_body(request, key, source, to_json, shape))


def _cached_body(
    request: Request,
    key: tuple[Any, ...],
    source: object,
    to_json: Callable[[Any], Any],
    shape: Any,
) -> tuple[bytes, str]:
    """The body and ETag of `to_json(source)`, kept while `source` is the same object."""
    cache: dict[tuple[Any, ...], tuple[object, bytes, str]] = request.app.state.bodies
    hit = cache.get(key)
    if hit is not None and hit[0] is source:
        return hit[1], hit[2]
    body, etag = _encode(to_json(source), shape)
    cache[key] = (source, body, etag)
    return body, etag


def _respond(request: Request, body: bytes, etag: str) -> Response:
    headers = {"ETag": etag, "Cache-Control": "no-cache"}
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)
