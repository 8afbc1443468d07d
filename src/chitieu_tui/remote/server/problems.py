"""Problem details (RFC 9457), language negotiation and the server's log wording."""

from __future__ import annotations

import logging
import re
from typing import Any

import msgspec
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from chitieu_tui.core.datadir import DEFINITIONS, DataDir
from chitieu_tui.core.errors import ChitieuError, flatten
from chitieu_tui.i18n import Msg, t_in
from chitieu_tui.remote import schema

log = logging.getLogger("chitieu.serve")


PROBLEM_TYPE = "application/problem+json"
_KEY_RE = re.compile(r"[a-z][a-z0-9_]*(\.[a-z0-9_]+)+")


def request_lang(header: str | None) -> str:
    """`vi` or `en` from an Accept-Language header (by q-value); `en` when none fits."""
    best, best_q = "en", -1.0
    for part in (header or "").split(","):
        tag, _, params = part.strip().partition(";")
        code = tag.strip().lower()[:2]
        if code not in ("vi", "en"):
            continue
        q = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > best_q and q > 0:
            best, best_q = code, q
    return best


def _lang_of(scope: Scope) -> str:
    for name, value in scope.get("headers", []):
        if name == b"accept-language":
            return request_lang(value.decode("latin-1"))
    return "en"


def _lang(request: Request) -> str:
    return request_lang(request.headers.get("accept-language"))


class Problem(Exception):
    """An error answered as application/problem+json (RFC 9457), worded per request."""

    def __init__(self, status: int, msg: Msg, headers: dict[str, str] | None = None) -> None:
        super().__init__(msg.key)
        self.status = status
        self.msg = msg
        self.headers = headers or {}


def _safe(text: str, limit: int = 80) -> str:
    """User input echoed in a message: printable and short."""
    text = "".join(ch for ch in text if ch.isprintable())
    return text if len(text) <= limit else text[:limit] + "…"


_LOG_LANG = ["en"]
_logged_once: set[tuple[str, str]] = set()


def _log_text(key: str, **params: Any) -> str:
    return t_in(_LOG_LANG[0], key, **params)


def _log_once(ident: tuple[str, str], key: str, **params: Any) -> None:
    if ident not in _logged_once:
        _logged_once.add(ident)
        log.warning(_log_text(key, **params))


def problem_response(
    status: int, msg: Msg, lang: str, headers: dict[str, str] | None = None
) -> Response:
    """An RFC 9457 problem document, worded in `lang`."""
    body = schema.ProblemDetails(
        title=t_in(lang, f"err.server.status_{status}"),
        status=status,
        detail=msg.text(lang),
        code=msg.key,
    )
    return Response(
        msgspec.json.encode(body),
        status_code=status,
        media_type=PROBLEM_TYPE,
        headers={"Cache-Control": "no-store", **(headers or {})},
    )


def _kind(error: ChitieuError) -> Msg:
    """What went wrong, in the reader's words, without quoting the file: a message with no
    parameters as it is (`cú pháp TOML sai`), else its family (`lỗi cú pháp TOML`), else
    *nội dung không hợp lệ*; the code itself stays in the problem's `code`."""
    msg = error.msg
    if not _KEY_RE.fullmatch(msg.key):
        return Msg("err.server.kind_invalid")
    if not msg.params:
        return Msg(msg.key)
    if msg.key.startswith("err.toml."):
        return Msg("err.server.kind_syntax")
    return Msg("err.server.kind_invalid")


def _data_problem(error: ChitieuError, data: DataDir) -> Problem:
    """A broken file: 500 naming the file, line and column and the kind of problem only (the
    message itself may quote the file, so it goes to the log, never to the client)."""
    errors = flatten(error)
    root = str(data.root.resolve())
    text = "; ".join(e.render(_LOG_LANG[0]) for e in errors)
    text = text.replace(root, data.root.name).replace(str(data.root), data.root.name)
    log.error(_log_text("server.log.data_error", folder=data.root.name, error=text))
    first = errors[0]
    where = str(first.place) if first.place is not None else DEFINITIONS
    where = _safe(where.replace(root, ".").replace(str(data.root), "."))
    more = len(errors) - 1
    msg = "err.server.broken_file_more" if more else "err.server.broken_file"
    return Problem(500, Msg(msg, file=where, kind=_kind(first), more=more))
