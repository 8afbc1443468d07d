"""`chitieu verify --api URL --unit U`: the server runs core/verify.py on the unit's folder
(`GET /api/v1/units/{unit}/verify`, remote/server/verify.py) and the client says what it
found, as for a folder. The chain's hashes and the digests never leave the server."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from chitieu_tui.core.errors import AuthError, Place, SourceError
from chitieu_tui.core.periods import Period
from chitieu_tui.core.text import clean
from chitieu_tui.i18n import Msg
from chitieu_tui.remote import schema
from chitieu_tui.remote.client import TOKEN_ENV, _problem_detail, check_token, check_transport
from chitieu_tui.remote.source import normalize_base_url
from chitieu_tui.remote.wire import API_PREFIX, ShapeError, checked
from chitieu_tui.remote.writing import ApiWriter


@dataclass(frozen=True)
class RemoteFinding:
    """One quarter's verdict as the server found it."""

    period: str
    state: str
    """`ok`, `not_chained` or `broken` (core/verify.py)."""
    text: str = ""
    """For a broken quarter: `unit/file:line: what`, cleaned (the server's words)."""


TIMEOUT = 60.0
"""Seconds to wait for the server's answer (it reads every journal of the unit)."""


def verifier(base_url: str, unit: str = "") -> ApiWriter:
    """A blocking client of `base_url` with the token of the environment (refused over plain
    http beyond loopback, as every client); `unit` "" to list the units first."""
    url = normalize_base_url(base_url)
    token = os.environ.get(TOKEN_ENV) or None
    token = check_token(token) if token is not None else None
    check_transport(url, token)
    return ApiWriter(url, unit, token, TIMEOUT)


def _get(writer: ApiWriter, path: str, params: dict[str, str] | None = None) -> Any:
    """A JSON document of the server (blocking); SourceError naming the URL otherwise."""
    import httpx  # lazy: httpx only for --api

    url = f"{writer.base_url}{API_PREFIX}{path}"
    try:
        with writer._client() as client:
            resp = client.get(url, params=params or {})
    except httpx.HTTPError:
        raise SourceError("err.api.verify_unreachable", Place(url)) from None
    if resp.status_code != 200:
        detail = _problem_detail(resp.content) or str(resp.status_code)
        kind = AuthError if resp.status_code in (401, 403) else SourceError
        raise kind(Msg("err.api.verify_refused", detail=detail), Place(url))
    try:
        return resp.json()
    except ValueError:
        raise SourceError(Msg("err.api.verify_refused", detail="JSON"), Place(url)) from None


def verify_unit(writer: ApiWriter, period: Period | None = None) -> list[RemoteFinding]:
    """The findings of `writer.unit` (every quarter, or `period`), oldest first."""
    path = f"/units/{writer.unit}/verify"
    data = _get(writer, path, {"period": str(period)} if period is not None else None)
    try:
        data = checked(data, schema.Verification)
    except ShapeError as exc:
        url = f"{writer.base_url}{API_PREFIX}{path}"
        raise SourceError(Msg("err.api.wrong_shape", detail=exc.msg), Place(url)) from None
    out: list[RemoteFinding] = []
    for f in data["findings"]:
        text = ""
        problem = f.get("problem")
        if f["state"] == "broken" and problem is not None:
            detail = clean(problem["detail"])
            place = problem.get("place")
            where = f"{writer.unit}/{clean(place)}" if place else writer.unit
            text = f"{where}: {detail}"
        out.append(RemoteFinding(f["period"], f["state"], text))
    return out


def served_units(writer: ApiWriter) -> list[str]:
    """The ids of `GET /api/v1/units` (the units the account may read)."""
    data = _get(writer, "/units")
    try:
        items = checked(data, schema.UnitList)
    except ShapeError as exc:
        url = f"{writer.base_url}{API_PREFIX}/units"
        raise SourceError(Msg("err.api.wrong_shape", detail=exc.msg), Place(url)) from None
    return [item["id"] for item in items]
