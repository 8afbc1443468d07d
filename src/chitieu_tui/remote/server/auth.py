"""The bearer-token middleware: an account of users.toml, or the shared token, or none."""

from __future__ import annotations

import hmac

from starlette.types import ASGIApp, Receive, Scope, Send

from chitieu_tui.i18n import Msg
from chitieu_tui.remote.server.accounts import Accounts, Failures
from chitieu_tui.remote.server.problems import Problem, _lang_of, problem_response
from chitieu_tui.remote.server.rights import ACCOUNT, AUTH, client_address, refused


class BearerAuth:
    """ASGI middleware: every request needs `Authorization: Bearer <token>` when the server
    has accounts (the token of one of them; the request then carries its account) or a
    shared token. A token presented and not valid counts against the client's address
    (`Failures`: 20 in a minute answer 429 for a minute). The token is never logged,
    echoed or kept."""

    def __init__(
        self,
        app: ASGIApp,
        token: str | None,
        accounts: Accounts | None = None,
        failures: Failures | None = None,
    ) -> None:
        self.app = app
        self.token = token.encode("utf-8") if token and accounts is None else None
        self.accounts = accounts
        self.failures = failures if failures is not None else Failures()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        scope[ACCOUNT] = None
        if self.token is None and self.accounts is None:
            scope[AUTH] = "none"
            await self.app(scope, receive, send)
            return
        lang = _lang_of(scope)
        address = client_address(scope)
        left = self.failures.blocked(address)
        if left is not None:
            refused(scope, None, Msg("server.log.reason_blocked"))
            msg = Msg("err.server.too_many_failures", seconds=left)
            response = problem_response(429, msg, lang, {"Retry-After": str(left)})
            await response(scope, receive, send)
            return
        given = b""
        present = False
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                scheme, _, cred = value.partition(b" ")
                if scheme.lower() == b"bearer":
                    given, present = cred.strip(), True
                break
        if present:
            try:
                if self._valid(scope, given):
                    await self.app(scope, receive, send)
                    return
            except Problem as problem:  # the accounts file is gone or broken: nobody
                await problem_response(problem.status, problem.msg, lang)(scope, receive, send)
                return
            self.failures.fail(address)
            refused(scope, None, Msg("server.log.reason_bad_token"))
            msg = Msg("err.server.token_invalid")
            challenge = 'Bearer realm="chitieu", error="invalid_token"'
        else:
            refused(scope, None, Msg("server.log.reason_no_token"))
            msg = Msg("err.server.token_missing")
            challenge = 'Bearer realm="chitieu"'
        response = problem_response(401, msg, lang, {"WWW-Authenticate": challenge})
        await response(scope, receive, send)

    def _valid(self, scope: Scope, given: bytes) -> bool:
        """True (the account set on the scope) when `given` is an account's or the token."""
        if self.accounts is not None:
            user = self.accounts.current().authenticate(given)
            if user is None:
                return False
            scope[ACCOUNT], scope[AUTH] = user, "account"
            return True
        assert self.token is not None
        if hmac.compare_digest(given, self.token):
            scope[AUTH] = "token"
            return True
        return False
