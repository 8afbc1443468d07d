"""Commands that serve: the JSON API (serve) and the dashboard in a browser (web)."""

from __future__ import annotations

import argparse
from pathlib import Path

from chitieu_tui.cli.console import install_hint
from chitieu_tui.cli.sources import _data_dir
from chitieu_tui.core.errors import UsageError
from chitieu_tui.i18n import current
from chitieu_tui.web import serve_web


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve a data folder over the JSON API (exit 1 when host:port cannot be used)."""
    try:
        # lazy: starlette and uvicorn (the `server` extra) only for `serve`
        from chitieu_tui.remote.server import serve
    except ImportError:
        raise UsageError("err.extra_missing", command="serve", how=install_hint("server")) from None
    users = Path(args.users) if args.users else None
    cert = Path(args.tls_cert) if args.tls_cert else None
    key = Path(args.tls_key) if args.tls_key else None
    return serve(
        _data_dir(args),
        args.host,
        args.port,
        lang=current(),
        yes_public=args.yes_public,
        users=users,
        tls_cert=cert,
        tls_key=key,
    )


def cmd_web(args: argparse.Namespace) -> int:
    """Serve the dashboard to a browser with textual-serve (the `web` extra)."""
    return serve_web(args)
