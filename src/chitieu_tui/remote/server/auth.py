"""The bearer-token middleware."""

from __future__ import annotations

import hmac

from starlette.types import ASGIApp, Receive, Scope, Send

from chitieu_tui.i18n import Msg
from chitieu_tui.remote.server.problems import _lang_of, problem_response


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
            msg = Msg("err.server.token_invalid")
            challenge = 'Bearer realm="chitieu", error="invalid_token"'
        else:
            msg = Msg("err.server.token_missing")
            challenge = 'Bearer realm="chitieu"'
        response = problem_response(401, msg, _lang_of(scope), {"WWW-Authenticate": challenge})
        await response(scope, receive, send)
