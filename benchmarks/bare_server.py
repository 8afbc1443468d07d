"""The floor of the API: a bare Starlette app under uvicorn answering one fixed JSON body.

Same body, headers (ETag, Cache-Control, 304 on If-None-Match), uvicorn settings and access
log as `chitieu serve`, without chitieu: the ratio of the two measures what chitieu adds.

    python3 benchmarks/bare_server.py BODY.json PORT
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def app_for(body: bytes) -> Starlette:
    """One route, any path under /api/v1/units/, that answers `body`."""
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'

    async def answer(request: Request) -> Response:
        headers = {"ETag": etag, "Cache-Control": "no-cache"}
        if request.headers.get("if-none-match") == etag:
            return Response(status_code=304, headers=headers)
        return Response(body, media_type="application/json", headers=headers)

    return Starlette(routes=[Route("/api/v1/units/{rest:path}", answer, methods=["GET"])])


def main() -> int:
    """Serve until terminated."""
    body = Path(sys.argv[1]).read_bytes()
    port = int(sys.argv[2])
    uvicorn.run(
        app_for(body),
        host="127.0.0.1",
        port=port,
        log_level="info",
        server_header=False,
        proxy_headers=False,
        http="h11",
        timeout_keep_alive=5,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
