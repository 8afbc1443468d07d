"""`chitieu serve`: publish one data folder, or a folder of them, over the read-only JSON API."""

from __future__ import annotations

from chitieu_tui.remote.server.app import STATUSES, TOKEN_ENV, create_app
from chitieu_tui.remote.server.auth import BearerAuth
from chitieu_tui.remote.server.guard import (
    BACKLOG,
    HEAD_TIMEOUT,
    LOG_INTERVAL,
    STALL_TIMEOUT,
    RateLimit,
    connection_limit,
    guarded_protocol,
)
from chitieu_tui.remote.server.openapi import build_openapi, openapi_document
from chitieu_tui.remote.server.problems import (
    PROBLEM_TYPE,
    Problem,
    log,
    problem_response,
    request_lang,
)
from chitieu_tui.remote.server.responses import cached_json_response, json_response
from chitieu_tui.remote.server.run import serve
from chitieu_tui.remote.server.units import READ_BOUND, Units

__all__ = [
    "BACKLOG",
    "HEAD_TIMEOUT",
    "LOG_INTERVAL",
    "PROBLEM_TYPE",
    "READ_BOUND",
    "STALL_TIMEOUT",
    "STATUSES",
    "TOKEN_ENV",
    "BearerAuth",
    "Problem",
    "RateLimit",
    "Units",
    "build_openapi",
    "cached_json_response",
    "connection_limit",
    "create_app",
    "guarded_protocol",
    "json_response",
    "log",
    "openapi_document",
    "problem_response",
    "request_lang",
    "serve",
]
