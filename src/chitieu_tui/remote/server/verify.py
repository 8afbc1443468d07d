"""`GET /api/v1/units/{unit}/verify[?period=P]`: `chitieu verify` run on the server.

The chain's `prev` hashes, the progress file's `chain` and the digests of closing and
approval stay on the server; it runs core/verify.py on the unit's folder (reading only,
holding the folder as the other reads do) and answers one finding per quarter, the first
thing that does not match named with its file and line (relative to the unit's folder) in
the request's language. Any account that may read the unit may ask (else 404)."""

from __future__ import annotations

import os
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from chitieu_tui.core.errors import ChitieuError, DataError, Place
from chitieu_tui.core.verify import BROKEN, Finding, verify_folder
from chitieu_tui.remote import schema
from chitieu_tui.remote.server.problems import _data_problem, _lang, _safe
from chitieu_tui.remote.server.responses import json_response
from chitieu_tui.remote.server.routes import _definitions, _off_loop, _period, _units
from chitieu_tui.remote.server.units import _ServedDir


def _problem(error: ChitieuError, data: _ServedDir, lang: str) -> dict[str, Any]:
    """`{"code", "detail", "place"}`: the finding's words, no server path in them."""
    root = str(data.root.resolve())
    detail = error.text(lang).replace(root, ".").replace(str(data.root), ".")
    place = None
    if error.place is not None:
        place = _safe(str(error.place).replace(root, ".").replace(str(data.root), "."), 200)
    return {"code": error.code, "detail": detail, "place": place}


def _outside(found: Finding, data: _ServedDir) -> Finding | None:
    """A quarter whose journal a symlink leads out of the served folder: broken, and
    nothing of that file said (as the journal route does not read it either)."""
    path = data.journal_path(found.period)
    if not os.path.lexists(path) or data.allowed(path):
        return None
    problem = DataError("verify.outside", Place(data.shown(path)))
    return Finding(found.period, BROKEN, problem, 0)


def _finding(found: Finding, data: _ServedDir, lang: str) -> dict[str, Any]:
    return {
        "period": str(found.period),
        "state": found.state,
        "entries": found.entries,
        "problem": None if found.problem is None else _problem(found.problem, data, lang),
    }


async def get_verify(request: Request) -> Response:
    """Every quarter of the unit (with a progress file or a journal), or `?period=` only."""
    unit = request.path_params["unit"]
    text = request.query_params.get("period")
    period = _period(text) if text is not None else None
    units = _units(request)
    lang = _lang(request)

    def work(data: _ServedDir) -> dict[str, Any]:
        defs = _definitions(data)
        try:
            findings = [_outside(f, data) or f for f in verify_folder(data, period)]
        except ChitieuError as exc:
            raise _data_problem(exc, data) from None
        return {
            "unit": defs.unit.id,
            "findings": [_finding(f, data, lang) for f in findings],
        }

    found = await _off_loop(request, unit, lambda job: units.run(unit, work, job))
    return json_response(request, found, schema.Verification)
