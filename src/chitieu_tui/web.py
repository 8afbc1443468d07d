"""`chitieu web`: the dashboard in a browser, served by textual-serve (the `web` extra)."""

from __future__ import annotations

import argparse
import ipaddress
import shlex
import sys

from chitieu_tui import install_hint
from chitieu_tui.core.errors import UsageError
from chitieu_tui.i18n import t


def is_loopback(host: str) -> bool:
    """True for `127.0.0.1`, `::1` and `localhost` (this computer only)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def dashboard_command(args: argparse.Namespace) -> str:
    """The shell command each browser session runs: this Python, the dashboard, the options."""
    parts = [sys.executable, "-m", "chitieu_tui", "--lang", args.lang]
    for name in ("config", "api", "unit", "snapshots"):
        value = getattr(args, name, None)
        if value:
            parts += [f"--{name}", str(value)]
    if getattr(args, "insecure_http", False):
        parts.append("--insecure-http")
    if getattr(args, "offline", False):
        parts.append("--offline")
    if getattr(args, "period", None) is not None:
        parts += ["--period", str(args.period)]
    return shlex.join(parts)


def serve_web(args: argparse.Namespace) -> int:
    """Serve until Ctrl+C; a host beyond this computer needs --yes-public (no password)."""
    if not is_loopback(args.host) and not args.yes_public:
        raise UsageError("err.web.public", host=args.host)
    try:
        # lazy: textual-serve is the optional `web` extra
        from textual_serve.server import Server
    except ImportError:
        raise UsageError("err.extra_missing", command="web", how=install_hint("web")) from None
    server = Server(dashboard_command(args), host=args.host, port=args.port, title="chitieu")
    print(t("web.listening", url=server.public_url), file=sys.stderr, flush=True)
    server.serve()
    return 0
